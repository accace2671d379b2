//! Scanner for the `"strings"` array: JSON strings unescaped straight into the [`StringTable`]
//! arena (no per-string allocation). Chunks may split a string anywhere, even inside an escape
//! or a UTF-8 sequence: raw bytes are copied as they come and each string is UTF-8-checked
//! once complete. `\uXXXX` surrogate pairs are combined; lone surrogates (which V8 writes for
//! JS strings holding them) become U+FFFD.

use super::error::{fail, show_byte, Fail};
use crate::snapshot::StringTable;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Open,
    FirstOrEnd,
    Value,
    InStr,
    Escape,
    /// Inside `\uXXXX`, after `digits` hex digits.
    Unicode,
    CommaOrEnd,
}

pub(crate) struct StrArray {
    st: St,
    /// Strings started so far; whether the current one is kept.
    index: u64,
    store: bool,
    /// Strings at or above this index are referenced by no node or edge (known when the strings
    /// come after both, V8's order). Nothing reads them, so once [`UNREFERENCED_BUDGET`] bytes of
    /// them are kept the rest are scanned but not stored: a huge strings array costs no memory.
    keep: u64,
    spare: u64,
    /// When the strings come before the nodes or edges (not V8's order), which of them are used
    /// is not known yet: the strings are kept with their lengths (LEB128, one byte for short
    /// strings) instead of 8-byte offsets, and `finish` keeps only the used ones
    /// ([`compact`]). So a huge strings array costs at most its own size.
    lengths: Option<Vec<u8>>,
    /// Arena offset where the current string starts.
    start: usize,
    hex: u32,
    digits: u8,
    /// A high surrogate waiting for its low half.
    pending_high: Option<u32>,
}

const REPLACEMENT: char = '\u{FFFD}';

/// Bytes of unreferenced strings kept anyway (V8 writes a few: script names, locations).
const UNREFERENCED_BUDGET: u64 = 16 << 20;

/// String indices are 32-bit.
const MAX_STRINGS: u64 = 1 << 32;

impl StrArray {
    /// `referenced`: one more than the largest string index any node or edge uses, if known.
    pub fn new(referenced: Option<u64>) -> StrArray {
        StrArray {
            st: St::Open,
            index: 0,
            store: true,
            keep: referenced.unwrap_or(u64::MAX),
            spare: UNREFERENCED_BUDGET,
            lengths: referenced.is_none().then(Vec::new),
            start: 0,
            hex: 0,
            digits: 0,
            pending_high: None,
        }
    }

    /// Consumes bytes of the array. Returns `Some(n)` when `]` was the `n`-th byte.
    pub fn feed(&mut self, buf: &[u8], table: &mut StringTable) -> Result<Option<usize>, Fail> {
        if table.offsets.is_empty() {
            table.offsets.try_reserve(1).map_err(|_| Fail { at: 0, message: oom_count(0) })?;
            table.offsets.push(0);
        }
        let n = buf.len();
        let mut i = 0;
        while i < n {
            match self.st {
                St::InStr => {
                    let run_end = buf[i..].iter().position(|&b| b == b'"' || b == b'\\').map_or(n, |p| i + p);
                    if run_end > i && self.store {
                        self.flush_high(table).map_err(|m| Fail { at: i, message: m })?;
                        put(table, &buf[i..run_end]).map_err(|m| Fail { at: i, message: m })?;
                    }
                    i = run_end;
                    if i == n {
                        return Ok(None);
                    }
                    if buf[i] == b'"' {
                        self.end_string(table).map_err(|m| Fail { at: i, message: m })?;
                        self.st = St::CommaOrEnd;
                    } else {
                        self.st = St::Escape;
                    }
                    i += 1;
                }
                St::Escape => {
                    let c = match buf[i] {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            self.st = St::Unicode;
                            self.hex = 0;
                            self.digits = 0;
                            i += 1;
                            continue;
                        }
                        b => return fail(i, format!("invalid escape \\{} in a string", show_byte(b))),
                    };
                    if self.store {
                        self.flush_high(table).map_err(|m| Fail { at: i, message: m })?;
                        put(table, &[c]).map_err(|m| Fail { at: i, message: m })?;
                    }
                    self.st = St::InStr;
                    i += 1;
                }
                St::Unicode => {
                    let b = buf[i];
                    let d = match (b as char).to_digit(16) {
                        Some(d) => d,
                        None => return fail(i, format!("invalid \\u escape: {} is not a hex digit", show_byte(b))),
                    };
                    self.hex = self.hex * 16 + d;
                    self.digits += 1;
                    i += 1;
                    if self.digits == 4 {
                        if self.store {
                            self.code_unit(self.hex, table).map_err(|m| Fail { at: i - 1, message: m })?;
                        }
                        self.st = St::InStr;
                    }
                }
                St::CommaOrEnd => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b',' => self.st = St::Value,
                        b']' => return Ok(Some(i)),
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        _ => return fail(i - 1, format!("expected ',' or ']' but found {}", show_byte(b))),
                    }
                }
                St::Value | St::FirstOrEnd => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b'"' => {
                            self.start = table.bytes.len();
                            self.store = self.index < self.keep || self.spare > 0;
                            self.index += 1;
                            self.st = St::InStr;
                        }
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        b']' if self.st == St::FirstOrEnd => return Ok(Some(i)),
                        _ => return fail(i - 1, format!("expected a string but found {}", show_byte(b))),
                    }
                }
                St::Open => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b'[' => self.st = St::FirstOrEnd,
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        _ => return fail(i - 1, format!("expected '[' but found {}", show_byte(b))),
                    }
                }
            }
        }
        Ok(None)
    }

    /// The string lengths kept when the used strings were not known (see `lengths`).
    pub fn into_lengths(self) -> Option<Vec<u8>> {
        self.lengths
    }

    /// One UTF-16 code unit from a `\u` escape.
    fn code_unit(&mut self, u: u32, table: &mut StringTable) -> Result<(), String> {
        match u {
            0xD800..=0xDBFF => {
                self.flush_high(table)?;
                self.pending_high = Some(u);
                Ok(())
            }
            0xDC00..=0xDFFF => match self.pending_high.take() {
                Some(hi) => {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00);
                    push_char(table, char::from_u32(c).unwrap_or(REPLACEMENT))
                }
                None => push_char(table, REPLACEMENT),
            },
            _ => {
                self.flush_high(table)?;
                push_char(table, char::from_u32(u).unwrap_or(REPLACEMENT))
            }
        }
    }

    /// A high surrogate followed by anything but a low one is a lone surrogate.
    #[inline]
    fn flush_high(&mut self, table: &mut StringTable) -> Result<(), String> {
        if self.pending_high.take().is_some() {
            push_char(table, REPLACEMENT)?;
        }
        Ok(())
    }

    fn end_string(&mut self, table: &mut StringTable) -> Result<(), String> {
        if !self.store {
            self.pending_high = None;
            return Ok(());
        }
        self.flush_high(table)?;
        // Raw bytes are copied unchecked (a chunk may end mid-sequence); check the whole string.
        if std::str::from_utf8(&table.bytes[self.start..]).is_err() {
            let fixed = String::from_utf8_lossy(&table.bytes[self.start..]).into_owned();
            table.bytes.truncate(self.start);
            put(table, fixed.as_bytes())?;
        }
        if self.index > MAX_STRINGS {
            return Err("the \"strings\" array holds more than 2^32 strings".to_string());
        }
        if self.index > self.keep {
            let cost = (table.bytes.len() - self.start) as u64 + 8;
            self.spare = self.spare.saturating_sub(cost);
        }
        if let Some(lengths) = &mut self.lengths {
            let mut len = (table.bytes.len() - self.start) as u64;
            lengths.try_reserve(10).map_err(|_| oom_count(self.index - 1))?;
            while len >= 0x80 {
                lengths.push((len as u8) | 0x80);
                len >>= 7;
            }
            lengths.push(len as u8);
            return Ok(());
        }
        table.offsets.try_reserve(1).map_err(|_| oom_count(self.index - 1))?;
        table.offsets.push(table.bytes.len() as u64);
        Ok(())
    }
}

/// The number of strings whose lengths `lengths` holds.
pub(crate) fn count_lengths(lengths: &[u8]) -> u64 {
    lengths.iter().filter(|&&b| b < 0x80).count() as u64
}

/// Turns an arena of strings with deferred `lengths` into a table of only the strings in `used`
/// (sorted, distinct, all below the string count), in place; string `used[k]` becomes `k`.
pub(crate) fn compact(mut bytes: Vec<u8>, lengths: &[u8], used: &[u32]) -> Result<StringTable, String> {
    let mut offsets = Vec::new();
    offsets.try_reserve_exact(used.len() + 1).map_err(|_| oom_count(used.len() as u64))?;
    offsets.push(0u64);
    let (mut index, mut at, mut out, mut next) = (0u32, 0usize, 0usize, 0usize);
    let mut len = 0usize;
    let mut shift = 0;
    for &b in lengths {
        len |= usize::from(b & 0x7f) << shift;
        if b >= 0x80 {
            shift += 7;
            continue;
        }
        if used.get(next) == Some(&index) {
            // Moves left only (out <= at), so earlier kept strings are never overwritten.
            bytes.copy_within(at..at + len, out);
            out += len;
            offsets.push(out as u64);
            next += 1;
        }
        at += len;
        index = index.wrapping_add(1);
        (len, shift) = (0, 0);
    }
    bytes.truncate(out);
    bytes.shrink_to_fit();
    Ok(StringTable { bytes, offsets })
}

fn oom_count(strings: u64) -> String {
    format!("out of memory: could not grow the string table beyond {strings} strings")
}

fn oom_text(table: &StringTable) -> String {
    format!("out of memory: could not grow the string table beyond {} MiB of text", table.bytes.len() >> 20)
}

/// Appends to the arena, failing (instead of aborting) when memory runs out.
#[inline]
fn put(table: &mut StringTable, bytes: &[u8]) -> Result<(), String> {
    table.bytes.try_reserve(bytes.len()).map_err(|_| oom_text(table))?;
    table.bytes.extend_from_slice(bytes);
    Ok(())
}

fn push_char(table: &mut StringTable, c: char) -> Result<(), String> {
    let mut buf = [0u8; 4];
    put(table, c.encode_utf8(&mut buf).as_bytes())
}
