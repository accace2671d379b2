//! Scanner for the `"nodes"` and `"edges"` arrays: non-negative JSON integers, pushed one by one
//! into a sink without allocating. This is the parser's hot loop (about 90% of a snapshot).

use super::error::{fail, show_byte, Fail};

/// Most fields a node or edge record may have (V8 writes 6-7 and 3).
pub(crate) const MAX_FIELDS: usize = 32;

/// Receives the integers of one array, a whole record (`fields()` values) at a time, so the
/// per-value work in the scanner is one store and the sink's work is straight-line code.
pub(crate) trait IntSink {
    fn fields(&self) -> usize;
    fn record(&mut self, rec: &[u64]) -> Result<(), String>;
    /// The array ended with `partial` values of an incomplete record (an error `finish` reports).
    fn end(&mut self, partial: usize);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    /// Before `[`.
    Open,
    /// After `[`: a value or `]`.
    FirstOrEnd,
    /// After `,`: a value.
    Value,
    Number,
    /// After a value: `,` or `]`.
    CommaOrEnd,
}

pub(crate) struct IntArray {
    st: St,
    cur: u64,
    rec: [u64; MAX_FIELDS],
    filled: usize,
}

/// Below this, `cur * 10 + 9` cannot overflow u64, so the digit loop needs one compare.
const SAFE: u64 = u64::MAX / 10 - 1;

impl IntArray {
    pub fn new() -> IntArray {
        IntArray {
            st: St::Open,
            cur: 0,
            rec: [0; MAX_FIELDS],
            filled: 0,
        }
    }

    /// Consumes bytes of the array. Returns `Some(n)` when `]` was the `n`-th byte.
    #[inline]
    pub fn feed<S: IntSink>(&mut self, buf: &[u8], sink: &mut S) -> Result<Option<usize>, Fail> {
        let fields = sink.fields().clamp(1, MAX_FIELDS);
        let n = buf.len();
        let mut i = 0;
        // Locals rather than fields in the hot loop, written back on every exit.
        let mut st = self.st;
        let mut cur = self.cur;
        let mut filled = self.filled;
        macro_rules! exit {
            ($r:expr) => {{
                self.st = st;
                self.cur = cur;
                self.filled = filled;
                return $r;
            }};
        }
        // A complete value ends just before `buf[i]` (which exists): store it, hand over a
        // full record, and take a directly following `,` (V8 writes `,` or `\n,`).
        macro_rules! emit {
            ($v:expr) => {{
                self.rec[filled] = $v;
                filled += 1;
                if filled == fields {
                    filled = 0;
                    if let Err(m) = sink.record(&self.rec[..fields]) {
                        exit!(fail(i, m));
                    }
                }
                if buf[i] == b',' {
                    i += 1;
                    st = St::Value;
                } else {
                    st = St::CommaOrEnd;
                }
            }};
        }
        while i < n {
            match st {
                St::Number => {
                    while i < n {
                        let d = buf[i].wrapping_sub(b'0');
                        if d > 9 {
                            break;
                        }
                        if cur >= SAFE {
                            cur = match cur
                                .checked_mul(10)
                                .and_then(|c| c.checked_add(u64::from(d)))
                            {
                                Some(c) => c,
                                None => exit!(fail(i, "integer too large for 64 bits")),
                            };
                        } else {
                            cur = cur * 10 + u64::from(d);
                        }
                        i += 1;
                    }
                    if i == n {
                        break;
                    }
                    emit!(cur);
                }
                St::CommaOrEnd => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b',' => st = St::Value,
                        b']' => {
                            sink.end(filled);
                            exit!(Ok(Some(i)))
                        }
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        b'.' | b'e' | b'E' => exit!(fail(
                            i - 1,
                            "expected an integer, found a fraction or exponent"
                        )),
                        _ => exit!(fail(
                            i - 1,
                            format!("expected ',' or ']' but found {}", show_byte(b))
                        )),
                    }
                }
                St::Value | St::FirstOrEnd => {
                    // Fast path: a number of 1-7 digits wholly inside the next 8 bytes.
                    if let Some(w) = buf.get(i..i + 8) {
                        let mut word = [0u8; 8];
                        word.copy_from_slice(w);
                        let w = u64::from_le_bytes(word);
                        let len = leading_digits(w);
                        if (1..8).contains(&len) {
                            cur = swar_value(w, len);
                            i += len;
                            emit!(cur);
                            continue;
                        }
                    }
                    let b = buf[i];
                    i += 1;
                    match b {
                        b'0'..=b'9' => {
                            cur = u64::from(b - b'0');
                            st = St::Number;
                        }
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        b']' if st == St::FirstOrEnd => {
                            sink.end(filled);
                            exit!(Ok(Some(i)))
                        }
                        b'-' => exit!(fail(
                            i - 1,
                            "negative number where a non-negative integer is expected"
                        )),
                        _ => exit!(fail(
                            i - 1,
                            format!("expected an integer but found {}", show_byte(b))
                        )),
                    }
                }
                St::Open => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b'[' => st = St::FirstOrEnd,
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        _ => exit!(fail(
                            i - 1,
                            format!("expected '[' but found {}", show_byte(b))
                        )),
                    }
                }
            }
        }
        exit!(Ok(None))
    }
}

/// How many of the 8 bytes of `w` (first byte lowest) are ASCII digits before the first
/// non-digit (8 if all are). For the bytes before the first non-digit no borrow or carry
/// crosses a byte, so the first non-digit is always flagged; what happens above it is ignored.
#[inline]
fn leading_digits(w: u64) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let below_0 = w.wrapping_sub(ONES * 0x30); // high bit set if byte < '0' (or >= 0xB0)
    let above_9 = w.wrapping_add(ONES * 0x46); // high bit set if byte > '9' (and < 0xBA)
    let flags = (below_0 | above_9) & (ONES * 0x80);
    (flags.trailing_zeros() / 8) as usize
}

/// The value of the first `len` (1..=8) ASCII digits of `w`, by SWAR: shift the digits to the
/// top so leading positions are zeros, then combine pairs, quads and octets by multiplication.
#[inline]
fn swar_value(w: u64, len: usize) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let digits = w.wrapping_sub(ONES * 0x30) << ((8 - len) * 8);
    let v = digits.wrapping_mul(10 * 256 + 1) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 * 65536 + 1) >> 16;
    (v & 0x0000_FFFF_0000_FFFF).wrapping_mul((10_000 << 32) + 1) >> 32
}

/// Keeps the values of an array that arrived before the header (so its layout was unknown);
/// they are replayed into the real sink once the header is known.
#[derive(Default)]
pub(crate) struct RawInts(pub Vec<u64>);

impl IntSink for RawInts {
    fn fields(&self) -> usize {
        1
    }

    fn record(&mut self, rec: &[u64]) -> Result<(), String> {
        self.0.extend_from_slice(rec);
        Ok(())
    }

    fn end(&mut self, _partial: usize) {}
}

/// Feeds already-scanned values (see [`RawInts`]) into a sink, record by record.
pub(crate) fn replay<S: IntSink>(values: &[u64], sink: &mut S) -> Result<(), String> {
    let fields = sink.fields().clamp(1, MAX_FIELDS);
    let mut chunks = values.chunks_exact(fields);
    for rec in &mut chunks {
        sink.record(rec)?;
    }
    sink.end(chunks.remainder().len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(s: &str) -> u64 {
        let mut b = [b' '; 8];
        b[..s.len()].copy_from_slice(s.as_bytes());
        u64::from_le_bytes(b)
    }

    #[test]
    fn swar_matches_plain_parsing() {
        for s in [
            "0", "7", "10", "123", "9999", "12345", "654321", "1234567", "12345678",
        ] {
            for tail in [",", "]", "\n", " ", "x", "\u{7f}"] {
                let t = format!("{s}{tail}");
                let w = word(&t[..t.len().min(8)]);
                let len = leading_digits(w);
                assert_eq!(len, s.len(), "{t:?}");
                assert_eq!(swar_value(w, len), s.parse::<u64>().unwrap(), "{t:?}");
            }
        }
        // Non-ASCII bytes are non-digits too.
        for b in [0x80u8, 0xAF, 0xB0, 0xB9, 0xBA, 0xC0, 0xFF, b'/', b':'] {
            let w = u64::from_le_bytes([b'1', b'2', b, b'3', b'4', b'5', b'6', b'7']);
            assert_eq!(leading_digits(w), 2, "byte {b:#x}");
        }
    }

    struct Collect(Vec<u64>);
    impl IntSink for Collect {
        fn fields(&self) -> usize {
            3
        }
        fn record(&mut self, rec: &[u64]) -> Result<(), String> {
            self.0.extend_from_slice(rec);
            Ok(())
        }
        fn end(&mut self, _: usize) {}
    }

    #[test]
    fn any_chunking_gives_the_same_numbers() {
        let text = b"[0,1,22,333,4444\n,55555,666666,7777777,88888888,999999999\n,18446744073709551615,0 , 5]";
        let want = vec![
            0,
            1,
            22,
            333,
            4444,
            55555,
            666666,
            7777777,
            88888888,
            999999999,
            u64::MAX,
            0,
        ];
        for size in 1..=text.len() {
            let (mut arr, mut sink) = (IntArray::new(), Collect(Vec::new()));
            let mut done = None;
            for (k, c) in text.chunks(size).enumerate() {
                if let Some(n) = arr.feed(c, &mut sink).unwrap() {
                    done = Some(k * size + n);
                }
            }
            assert_eq!(done, Some(text.len()), "chunk size {size}");
            assert_eq!(sink.0, want, "chunk size {size}");
        }
    }
}
