//! Scanner for the `"nodes"` and `"edges"` arrays: non-negative JSON integers, pushed one by one
//! into a sink without allocating. This is the parser's hot loop (about 90% of a snapshot).
//!
//! The byte loop here ([`IntArray::feed`]) defines what is accepted and where errors are; inside
//! it, runs of V8's regular layout go through `blocks` (64-byte windows, SIMD where the CPU has
//! it), which takes exactly what the byte loop would.

mod blocks;
#[cfg(test)]
mod differential;
mod masks;

use super::error::{fail, show_byte, Fail};
use blocks::Record;
pub use blocks::ScanKernel;

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

/// Where an integer-array scanner is (also the allocation-trace tree's, `traces`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum St {
    /// Before `[` (the outermost one for a nested array).
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
    kernel: ScanKernel,
}

/// Below this, `cur * 10 + 9` cannot overflow u64, so the digit loop needs one compare.
const SAFE: u64 = u64::MAX / 10 - 1;

impl IntArray {
    pub fn new() -> IntArray {
        IntArray { st: St::Open, cur: 0, rec: [0; MAX_FIELDS], filled: 0, kernel: ScanKernel::current() }
    }

    /// A scanner resuming inside an array just after a whole record (where the parallel reader
    /// cuts an array: after a record's value and the newline V8 writes after it).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn after_record() -> IntArray {
        IntArray { st: St::CommaOrEnd, ..IntArray::new() }
    }

    /// In the state [`Self::after_record`] starts in: the next scanner can take over here.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn at_record_boundary(&self) -> bool {
        self.st == St::CommaOrEnd && self.filled == 0
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
        // Where `blocks` may be tried next: after it stopped, the byte loop goes on for a
        // window's length, so irregular input costs one failed window per 64 bytes at most.
        let mut retry = if self.kernel == ScanKernel::Bytes { usize::MAX } else { 0 };
        macro_rules! exit {
            ($r:expr) => {{
                self.st = st;
                self.cur = cur;
                self.filled = filled;
                return $r;
            }};
        }
        // A complete value ends just before `buf[i]` (which exists): store it, hand over a
        // full record, and take a directly following `,` or `\n,` (V8's two separators), so
        // the common case goes from value to value without a trip through `CommaOrEnd`.
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
                match (buf[i], buf.get(i + 1)) {
                    (b',', _) => {
                        i += 1;
                        st = St::Value;
                    }
                    (b'\n', Some(b',')) => {
                        i += 2;
                        st = St::Value;
                    }
                    // Anything else (`]`, other whitespace, garbage, a chunk end after `\n`)
                    // goes the slow way, which reports errors at the right byte.
                    _ => st = St::CommaOrEnd,
                }
            }};
        }
        'bytes: while i < n {
            match st {
                St::Number => {
                    while i < n {
                        let d = buf[i].wrapping_sub(b'0');
                        if d > 9 {
                            break;
                        }
                        if cur >= SAFE {
                            cur = match cur.checked_mul(10).and_then(|c| c.checked_add(u64::from(d))) {
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
                        b'.' | b'e' | b'E' => exit!(fail(i - 1, "expected an integer, found a fraction or exponent")),
                        _ => exit!(fail(i - 1, format!("expected ',' or ']' but found {}", show_byte(b)))),
                    }
                }
                St::Value | St::FirstOrEnd => {
                    if st == St::Value && i >= retry {
                        let rec = Record { rec: &mut self.rec, filled: &mut filled, fields };
                        match blocks::scan(self.kernel, buf, i, rec, sink) {
                            Ok(stop) => i = stop,
                            Err(f) => exit!(Err(f)),
                        }
                        retry = i + masks::WINDOW;
                    }
                    // V8's layout (digits, separator, digits, ...) stays in this loop rather
                    // than going back through the state dispatch for every value.
                    while let Some((v, len)) = leading_number(buf, i) {
                        i += len;
                        if len == 8 {
                            // More digits may follow: the byte loop finishes the number,
                            // with its exact overflow check (8 digits are far below SAFE).
                            cur = v;
                            st = St::Number;
                            continue 'bytes;
                        }
                        emit!(v);
                        if st != St::Value || i == n || i >= retry {
                            continue 'bytes;
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
                        b'-' => exit!(fail(i - 1, "negative number where a non-negative integer is expected")),
                        _ => exit!(fail(i - 1, format!("expected an integer but found {}", show_byte(b)))),
                    }
                }
                St::Open => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b'[' => st = St::FirstOrEnd,
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        _ => exit!(fail(i - 1, format!("expected '[' but found {}", show_byte(b)))),
                    }
                }
            }
        }
        exit!(Ok(None))
    }
}

/// Fast path for a number at `buf[at]`: when 8 bytes are available there and the first is a
/// digit, the value of the digit run within them and its length (1..=8; at 8 the number may
/// continue). `None` (chunk end near, or not a digit) sends the caller to the byte loop, which
/// handles values split across chunks, whitespace and errors.
#[inline]
fn leading_number(buf: &[u8], at: usize) -> Option<(u64, usize)> {
    let word: [u8; 8] = buf.get(at..at.checked_add(8)?)?.try_into().ok()?;
    let w = u64::from_le_bytes(word);
    match leading_digits(w) {
        0 => None,
        len => Some((swar_value(w, len), len)),
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
/// they are replayed into the real sink once the header is known. V8 always writes the header
/// first; for other writers the values are kept compact (LEB128, at most one byte per byte of
/// decimal text with its separator) in blocks freed as they are replayed, so such a file costs
/// little more than one in V8's order.
#[derive(Default)]
pub(crate) struct RawInts {
    blocks: Vec<Vec<u8>>,
}

/// Size of one block of [`RawInts`].
const RAW_BLOCK: usize = 1 << 20;
/// Longest LEB128 encoding of a u64.
const LEB_MAX: usize = 10;

impl RawInts {
    fn push(&mut self, mut v: u64) -> Result<(), String> {
        let full = self.blocks.last().is_none_or(|b| b.capacity() - b.len() < LEB_MAX);
        if full {
            let mut block = Vec::new();
            let bytes = (self.blocks.len() as u64 + 1) * RAW_BLOCK as u64;
            block.try_reserve_exact(RAW_BLOCK).map_err(|_| {
                format!("out of memory: could not keep more than {} MiB of values read before the header", bytes >> 20)
            })?;
            self.blocks.try_reserve(1).map_err(|_| "out of memory keeping values read before the header")?;
            self.blocks.push(block);
        }
        let Some(block) = self.blocks.last_mut() else { return Ok(()) };
        while v >= 0x80 {
            block.push((v as u8) | 0x80);
            v >>= 7;
        }
        block.push(v as u8);
        Ok(())
    }

    /// The values, each block freed once decoded.
    fn drain(self) -> impl Iterator<Item = u64> {
        self.blocks.into_iter().flat_map(|block| {
            let mut at = 0;
            std::iter::from_fn(move || {
                let mut v = 0u64;
                let mut shift = 0;
                loop {
                    let b = *block.get(at)?;
                    at += 1;
                    v |= u64::from(b & 0x7f) << shift;
                    if b < 0x80 {
                        return Some(v);
                    }
                    shift += 7;
                }
            })
        })
    }

    /// Number of values held (one pass over the blocks; used to size the sink).
    pub fn len(&self) -> usize {
        self.blocks.iter().map(|b| b.iter().filter(|&&x| x < 0x80).count()).sum()
    }

    #[cfg(test)]
    fn into_vec(self) -> Vec<u64> {
        self.drain().collect()
    }
}

impl IntSink for RawInts {
    fn fields(&self) -> usize {
        1
    }

    fn record(&mut self, rec: &[u64]) -> Result<(), String> {
        rec.iter().try_for_each(|&v| self.push(v))
    }

    fn end(&mut self, _partial: usize) {}
}

/// Feeds already-scanned values (see [`RawInts`]) into a sink, record by record.
pub(crate) fn replay<S: IntSink>(values: RawInts, sink: &mut S) -> Result<(), String> {
    let fields = sink.fields().clamp(1, MAX_FIELDS);
    let mut rec = [0u64; MAX_FIELDS];
    let mut filled = 0;
    for v in values.drain() {
        rec[filled] = v;
        filled += 1;
        if filled == fields {
            sink.record(&rec[..fields])?;
            filled = 0;
        }
    }
    sink.end(filled);
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
        for s in ["0", "7", "10", "123", "9999", "12345", "654321", "1234567", "12345678"] {
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

    /// Scans `text` split into chunks at `cuts` (increasing offsets); returns the values and
    /// the end offset, or the error's absolute offset and message.
    fn scan_split(text: &[u8], cuts: &[usize]) -> Result<(Vec<u64>, usize), (usize, String)> {
        let (mut arr, mut sink) = (IntArray::new(), RawInts::default());
        let mut start = 0;
        for &end in cuts.iter().chain([text.len()].iter()) {
            match arr.feed(&text[start..end], &mut sink) {
                Ok(Some(n)) => return Ok((sink.into_vec(), start + n)),
                Ok(None) => {}
                Err(f) => return Err((start + f.at, f.message)),
            }
            start = end;
        }
        Err((text.len(), "unfinished".into()))
    }

    /// Every way of cutting `text` into two chunks, and into chunks of 1..=9 bytes: so each
    /// byte of every number sits at every distance from a chunk end.
    fn all_cuts(text: &[u8]) -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = (0..=text.len()).map(|p| vec![p]).collect();
        for size in 1..=9 {
            out.push((1..text.len().div_ceil(size)).map(|k| k * size).collect());
        }
        out
    }

    /// The SWAR fast path (1-8 digits at once, separators `,` and `\n,` taken directly) gives
    /// exactly what the byte loop gives: values of every length, split anywhere.
    #[test]
    fn fast_path_agrees_with_the_byte_loop_at_every_chunk_offset() {
        let digits = "98765432109876543210";
        let mut values: Vec<u64> = (1..=19).map(|n| digits[..n].parse().unwrap()).collect();
        values.extend((1..=19).map(|n| "9".repeat(n).parse::<u64>().unwrap()));
        values.extend([0, 10_000_000, 12_345_678, 100_000_000, u64::MAX - 1, u64::MAX]);
        for v in values {
            for sep in [",", "\n,", " , "] {
                // Padding shifts the number against the 8-byte windows too.
                for pad in ["", "1,", "22,", "4444\n,", "7777777,"] {
                    let text = format!("[{pad}{v}{sep}{v}{sep}5]");
                    let mut want: Vec<u64> =
                        pad.split([',', '\n']).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
                    want.extend([v, v, 5]);
                    for cuts in all_cuts(text.as_bytes()) {
                        let got = scan_split(text.as_bytes(), &cuts);
                        assert_eq!(got, Ok((want.clone(), text.len())), "{text:?} cut at {cuts:?}");
                    }
                }
            }
        }
    }

    /// Errors inside or right after a number keep their byte and message whichever path read it.
    #[test]
    fn fast_path_errors_match_the_byte_loop() {
        let too_large = "integer too large for 64 bits";
        let cases: &[(&str, usize, &str)] = &[
            // 2^64 and beyond fail at the digit that overflows.
            ("[1,18446744073709551616,2]", 22, too_large),
            ("[18446744073709551615\n,99999999999999999999]", 42, too_large),
            ("[184467440737095516150]", 21, too_large),
            ("[00000000000000000000000000018446744073709551616]", 47, too_large),
            // A garbage byte mid-number ends the number; the byte is then reported.
            ("[12x4,5]", 3, "expected ',' or ']' but found 'x'"),
            ("[1,1234567x,5]", 10, "expected ',' or ']' but found 'x'"),
            ("[12345678x,5]", 9, "expected ',' or ']' but found 'x'"),
            ("[123456789012\x00,5]", 13, "expected ',' or ']' but found byte 0x00"),
            ("[5\nx,5,5,5,5,5]", 3, "expected ',' or ']' but found 'x'"),
            ("[5\n,,5,5,5,5,5]", 4, "expected an integer but found ','"),
            ("[1,,2,3,4,5,6,7,8]", 3, "expected an integer but found ','"),
            ("[12.5,1,1,1,1,1]", 3, "expected an integer, found a fraction or exponent"),
            ("[1,-2,1,1,1,1,1]", 3, "negative number where a non-negative integer is expected"),
        ];
        for &(text, at, msg) in cases {
            for cuts in all_cuts(text.as_bytes()) {
                let got = scan_split(text.as_bytes(), &cuts);
                assert_eq!(got, Err((at, msg.to_string())), "{text:?} cut at {cuts:?}");
            }
        }
    }

    #[test]
    fn any_chunking_gives_the_same_numbers() {
        let text = b"[0,1,22,333,4444\n,55555,666666,7777777,88888888,999999999\n,18446744073709551615,0 , 5]";
        let want = vec![0, 1, 22, 333, 4444, 55555, 666666, 7777777, 88888888, 999999999, u64::MAX, 0];
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
