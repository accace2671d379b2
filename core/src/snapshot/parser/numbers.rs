//! Scanner for the `"nodes"` and `"edges"` arrays: non-negative JSON integers, pushed one by one
//! into a sink without allocating. This is the parser's hot loop (about 90% of a snapshot).

use super::error::{fail, show_byte, Fail};

/// Receives the integers of one array in order.
pub(crate) trait IntSink {
    fn push(&mut self, v: u64) -> Result<(), String>;
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
}

/// Below this, `cur * 10 + 9` cannot overflow u64, so the digit loop needs one compare.
const SAFE: u64 = u64::MAX / 10 - 1;

impl IntArray {
    pub fn new() -> IntArray {
        IntArray {
            st: St::Open,
            cur: 0,
        }
    }

    /// Consumes bytes of the array. Returns `Some(n)` when `]` was the `n`-th byte.
    #[inline]
    pub fn feed<S: IntSink>(&mut self, buf: &[u8], sink: &mut S) -> Result<Option<usize>, Fail> {
        let n = buf.len();
        let mut i = 0;
        while i < n {
            match self.st {
                St::Number => {
                    let mut cur = self.cur;
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
                                None => return fail(i, "integer too large for 64 bits"),
                            };
                        } else {
                            cur = cur * 10 + u64::from(d);
                        }
                        i += 1;
                    }
                    self.cur = cur;
                    if i == n {
                        return Ok(None);
                    }
                    if let Err(m) = sink.push(cur) {
                        return fail(i, m);
                    }
                    self.st = St::CommaOrEnd;
                }
                St::CommaOrEnd => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b',' => self.st = St::Value,
                        b']' => return Ok(Some(i)),
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        b'.' | b'e' | b'E' => {
                            return fail(i - 1, "expected an integer, found a fraction or exponent")
                        }
                        _ => {
                            return fail(
                                i - 1,
                                format!("expected ',' or ']' but found {}", show_byte(b)),
                            )
                        }
                    }
                }
                St::Value | St::FirstOrEnd => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b'0'..=b'9' => {
                            self.cur = u64::from(b - b'0');
                            self.st = St::Number;
                        }
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        b']' if self.st == St::FirstOrEnd => return Ok(Some(i)),
                        b'-' => {
                            return fail(
                                i - 1,
                                "negative number where a non-negative integer is expected",
                            )
                        }
                        _ => {
                            return fail(
                                i - 1,
                                format!("expected an integer but found {}", show_byte(b)),
                            )
                        }
                    }
                }
                St::Open => {
                    let b = buf[i];
                    i += 1;
                    match b {
                        b'[' => self.st = St::FirstOrEnd,
                        b' ' | b'\n' | b'\r' | b'\t' => {}
                        _ => {
                            return fail(i - 1, format!("expected '[' but found {}", show_byte(b)))
                        }
                    }
                }
            }
        }
        Ok(None)
    }
}

/// Keeps the values of an array that arrived before the header (so its layout was unknown);
/// they are replayed into the real sink once the header is known.
#[derive(Default)]
pub(crate) struct RawInts(pub Vec<u64>);

impl IntSink for RawInts {
    fn push(&mut self, v: u64) -> Result<(), String> {
        self.0.push(v);
        Ok(())
    }
}
