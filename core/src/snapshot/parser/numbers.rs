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
                    self.rec[filled] = cur;
                    filled += 1;
                    if filled == fields {
                        filled = 0;
                        if let Err(m) = sink.record(&self.rec[..fields]) {
                            exit!(fail(i, m));
                        }
                    }
                    st = St::CommaOrEnd;
                    // Fast path: `,` then a digit, as V8 writes them (`\n,` starts a record).
                    if buf[i] == b',' && i + 1 < n {
                        let d = buf[i + 1].wrapping_sub(b'0');
                        if d <= 9 {
                            cur = u64::from(d);
                            i += 2;
                            st = St::Number;
                        }
                    }
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
