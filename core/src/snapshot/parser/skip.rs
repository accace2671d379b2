//! Skips (or captures) one JSON value of any shape: the header and keys we do not read
//! (`samples`, future keys; `locations` and the allocation traces when the header did not come first).
//!
//! Nesting is tracked on an explicit stack of expected closing brackets, never by recursion,
//! so a hostile `[[[[...` costs one byte of heap per level and cannot overflow the call stack.

use super::error::{fail, show_byte, Fail};

/// Captured values (the header) larger than this are rejected: V8's header is a few KiB.
const CAPTURE_LIMIT: usize = 16 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    /// Before the value's first byte.
    Start,
    /// Inside `{...}` / `[...]`, outside strings.
    Container,
    Str,
    Escape,
    /// A number / true / false / null: ends at the first byte that cannot belong to it.
    Scalar,
}

pub(crate) struct Skipper {
    st: St,
    /// Expected closing brackets, innermost last.
    closers: Vec<u8>,
    capture: Option<Vec<u8>>,
}

impl Skipper {
    pub fn new(capture: bool) -> Skipper {
        Skipper { st: St::Start, closers: Vec::new(), capture: capture.then(Vec::new) }
    }

    pub fn into_captured(self) -> Vec<u8> {
        self.capture.unwrap_or_default()
    }

    /// Consumes bytes of the value. Returns `Some(n)` when the value ended after `n` bytes of
    /// `buf` (a scalar's terminating byte is not consumed), `None` when all of `buf` belongs to it.
    pub fn feed(&mut self, buf: &[u8]) -> Result<Option<usize>, Fail> {
        let r = self.scan(buf)?;
        if let Some(cap) = &mut self.capture {
            let used = r.unwrap_or(buf.len());
            if cap.len() + used > CAPTURE_LIMIT {
                return fail(used, "the \"snapshot\" header is larger than 16 MiB (not a V8 heap snapshot?)");
            }
            cap.extend_from_slice(&buf[..used]);
        }
        Ok(r)
    }

    /// One more nesting level (a byte of heap; running out of memory is an error).
    fn open(&mut self, at: usize, closer: u8) -> Result<(), Fail> {
        if self.closers.try_reserve(1).is_err() {
            let levels = self.closers.len();
            return fail(at, format!("out of memory: could not track more than {levels} nesting levels"));
        }
        self.closers.push(closer);
        Ok(())
    }

    fn scan(&mut self, buf: &[u8]) -> Result<Option<usize>, Fail> {
        let mut i = 0;
        while i < buf.len() {
            let b = buf[i];
            match self.st {
                St::Start => match b {
                    b' ' | b'\n' | b'\r' | b'\t' => {}
                    b'{' | b'[' => {
                        self.open(i, if b == b'{' { b'}' } else { b']' })?;
                        self.st = St::Container;
                    }
                    b'"' => self.st = St::Str,
                    b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => self.st = St::Scalar,
                    _ => return fail(i, format!("unexpected {} where a value should start", show_byte(b))),
                },
                St::Container => match b {
                    b'"' => self.st = St::Str,
                    b'{' => self.open(i, b'}')?,
                    b'[' => self.open(i, b']')?,
                    b'}' | b']' => {
                        if self.closers.pop() != Some(b) {
                            return fail(i, format!("mismatched {}", show_byte(b)));
                        }
                        if self.closers.is_empty() {
                            return Ok(Some(i + 1));
                        }
                    }
                    _ => {}
                },
                St::Str => match b {
                    b'"' => {
                        if self.closers.is_empty() {
                            return Ok(Some(i + 1));
                        }
                        self.st = St::Container;
                    }
                    b'\\' => self.st = St::Escape,
                    _ => {}
                },
                St::Escape => self.st = St::Str,
                St::Scalar => {
                    if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                        return Ok(Some(i));
                    }
                }
            }
            i += 1;
        }
        Ok(None)
    }
}
