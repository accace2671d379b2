//! The integer arrays 64 bytes at a time. One pass of compares over a window gives bitmasks of
//! its digits, commas and newlines (`masks`); from them come where each value starts and how
//! long it is, and whether the window is V8's regular layout `digits (',' | '\n,') digits ...`.
//! Each value is then converted from one or two 8-byte loads at its known start, so the values
//! of a window do not wait for each other (the byte loop finds where a value ends only after
//! converting the one before: a serial chain of about 10 cycles per value).
//!
//! Only what the byte loop (`IntArray::feed`) would accept without an error is taken here, and
//! it is taken the same way: the same values, the same records handed to the sink, a sink's
//! error at the same byte. Everything else (whitespace, `]`, a number of more than 16 digits,
//! garbage, the end of the chunk) stops the window at the value before it, and the byte loop
//! goes on from there.

use std::cell::Cell;

use super::masks::{self, Masks, WINDOW};
use super::{swar_value, IntSink, MAX_FIELDS};
use crate::snapshot::parser::error::Fail;

/// Bytes a window needs from its start: the window and the 8-byte loads of a value starting at
/// its last byte.
pub(super) const NEED: usize = WINDOW + 16;

/// Longest digit run taken here: 16 digits cannot overflow a u64. Longer ones (and their exact
/// overflow check) are the byte loop's.
const MAX_RUN: usize = 16;

/// Which code scans the `"nodes"` and `"edges"` arrays. All give identical results and errors;
/// the parser picks the fastest the CPU has ([`ScanKernel::detect`]).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanKernel {
    /// The byte loop alone (1-8 digits per 8-byte load, one value after the other).
    Bytes,
    /// 64-byte windows classified by SWAR on `u64` words (any target).
    Swar,
    /// 64-byte windows classified by SSE2 (x86_64 baseline).
    #[cfg(target_arch = "x86_64")]
    Sse2,
    /// 64-byte windows classified by AVX2 (x86_64 CPUs that have it).
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// 64-byte windows classified by wasm's simd128 (builds that enable it).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
}

thread_local! {
    static FORCED: Cell<Option<ScanKernel>> = const { Cell::new(None) };
}

impl ScanKernel {
    /// The fastest kernel on this CPU.
    pub fn detect() -> ScanKernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") {
                ScanKernel::Avx2
            } else {
                ScanKernel::Sse2
            }
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            ScanKernel::Simd128
        }
        #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
        {
            ScanKernel::Bytes
        }
    }

    /// Every kernel this CPU can run.
    pub fn available() -> Vec<ScanKernel> {
        let portable = [ScanKernel::Bytes, ScanKernel::Swar];
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = std::is_x86_feature_detected!("avx2").then_some(ScanKernel::Avx2);
            portable.into_iter().chain([Some(ScanKernel::Sse2), avx2].into_iter().flatten()).collect()
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            portable.into_iter().chain([ScanKernel::Simd128]).collect()
        }
        #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
        {
            portable.to_vec()
        }
    }

    /// Runs `f` with the parsers it creates on this thread scanning with `kernel` (differential
    /// tests, fuzzing, benchmarks). Threads `f` starts use [`ScanKernel::detect`].
    pub fn force<T>(kernel: ScanKernel, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<ScanKernel>);
        impl Drop for Restore {
            fn drop(&mut self) {
                FORCED.with(|k| k.set(self.0));
            }
        }
        let _restore = Restore(FORCED.with(|k| k.replace(Some(kernel))));
        f()
    }

    /// The kernel for a scanner created now on this thread.
    pub(super) fn current() -> ScanKernel {
        FORCED.with(|k| k.get()).unwrap_or_else(ScanKernel::detect)
    }
}

/// The scanner's state that values go into: the record being filled and how many of its values
/// are in.
pub(super) struct Record<'a> {
    pub rec: &'a mut [u64; MAX_FIELDS],
    pub filled: &'a mut usize,
    pub fields: usize,
}

/// Takes whole values from `buf[i..]` on, `buf[i]` being the first byte of a value (the byte
/// loop's `St::Value`). Returns where it stopped, again the first byte of a value (after its
/// separator), or a sink's error.
#[inline]
pub(super) fn scan<S: IntSink>(
    kernel: ScanKernel,
    buf: &[u8],
    i: usize,
    rec: Record<'_>,
    sink: &mut S,
) -> Result<usize, Fail> {
    match kernel {
        ScanKernel::Bytes => Ok(i),
        ScanKernel::Swar => windows(masks::swar, buf, i, rec, sink),
        #[cfg(target_arch = "x86_64")]
        ScanKernel::Sse2 => windows(masks::sse2, buf, i, rec, sink),
        #[cfg(target_arch = "x86_64")]
        ScanKernel::Avx2 => {
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2 (just checked; the macro caches the answer).
                unsafe { windows_avx2(buf, i, rec, sink) }
            } else {
                windows(masks::sse2, buf, i, rec, sink)
            }
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        ScanKernel::Simd128 => windows(masks::simd128, buf, i, rec, sink),
    }
}

/// [`windows`] compiled for AVX2, so that the masks and the sink's code are inlined into it.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn windows_avx2<S: IntSink>(buf: &[u8], i: usize, rec: Record<'_>, sink: &mut S) -> Result<usize, Fail> {
    // SAFETY: this function only runs on CPUs with AVX2 (its own contract).
    windows(|w| unsafe { masks::avx2(w) }, buf, i, rec, sink)
}

#[inline(always)]
fn windows<S: IntSink>(
    classify: impl Fn(&[u8; WINDOW]) -> Masks,
    buf: &[u8],
    mut i: usize,
    rec: Record<'_>,
    sink: &mut S,
) -> Result<usize, Fail> {
    let Record { rec, filled, fields } = rec;
    let mut f = *filled;
    let stop = loop {
        let Some((win, _)) = buf.get(i..).and_then(|b| b.split_first_chunk::<NEED>()) else { break i };
        let Some((head, _)) = win.split_first_chunk::<WINDOW>() else { break i };
        let m = classify(head);
        let (mut todo, end) = plan(&m);
        if end == 0 {
            break i;
        }
        let mut long = None;
        while todo != 0 {
            let s = todo.trailing_zeros() as usize;
            todo &= todo - 1;
            // The run ends inside the window (before `end`), so this is at most 63.
            let len = (!m.digit >> s).trailing_zeros() as usize;
            if len > MAX_RUN {
                long = Some(s);
                break;
            }
            let w = word(win, s);
            let v = if len <= 8 {
                swar_value(w, len)
            } else {
                swar_value(w, len - 8) * 100_000_000 + swar_value(word(win, s + len - 8), 8)
            };
            rec[f] = v;
            f += 1;
            if f == fields {
                f = 0;
                if let Err(message) = sink.record(&rec[..fields]) {
                    // The byte loop reports it at the byte after the value.
                    return Err(Fail { at: i + s + len, message });
                }
            }
        }
        if let Some(s) = long {
            break i + s;
        }
        i += end as usize;
    };
    *filled = f;
    Ok(stop)
}

/// Eight bytes of `win` from `at` (`at <= NEED - 8`), first byte lowest.
#[inline(always)]
fn word(win: &[u8; NEED], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&win[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Which values of a window to take: the starts (bit `k`: a value's first digit at byte `k`) of
/// the values before byte `end`, which is the start of the value to go on from (0: none can be
/// taken). Every byte before `end` is in V8's layout, so each of those values is followed by
/// `,` or `\n,` and the next value's first digit, all before `end`.
#[inline(always)]
fn plan(m: &Masks) -> (u64, u32) {
    let (d, c, n) = (m.digit, m.comma, m.newline);
    if d & 1 == 0 {
        return (0, 0);
    }
    // Bytes that break the layout: anything but a digit, comma or newline; a comma not followed
    // by a digit or not preceded by a digit or newline; a newline not followed by a comma or
    // not preceded by a digit. (`>> 1` looks at the next byte, `<< 1` at the previous one.)
    let bad = !(d | c | n) | (c & !(d >> 1)) | (c & !((d | n) << 1)) | (n & !(c >> 1)) | (n & !(d << 1));
    let starts = d & !(d << 1);
    // Starts up to the first bad byte: the values before the last of them are all regular.
    let first_bad = bad.trailing_zeros();
    let usable = if first_bad >= 63 { starts } else { starts & ((2u64 << first_bad) - 1) };
    // `usable` has bit 0, so this is 0..=63.
    let end = 63 - usable.leading_zeros();
    (starts & ((1u64 << end) - 1), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masks_of(text: &[u8]) -> Masks {
        let mut win = [b' '; WINDOW];
        win[..text.len()].copy_from_slice(text);
        masks::swar(&win)
    }

    #[test]
    fn plan_takes_the_regular_values_before_the_last_start() {
        // Starts at 0, 2, 6, 8; the last (8) is where the next window goes on.
        let (todo, end) = plan(&masks_of(b"1,23\n,4,5"));
        assert_eq!((todo, end), (0b100_0101, 8));
        // A space breaks the layout: values up to the start before it.
        let (todo, end) = plan(&masks_of(b"1,2,3 ,4,5,6,7"));
        assert_eq!((todo, end), (0b101, 4));
        // Two commas, a newline without a comma, a leading separator: nothing before the start.
        assert_eq!(plan(&masks_of(b"1,,2,3,4")).1, 0);
        assert_eq!(plan(&masks_of(b"1\n2,3,4")).1, 0);
        assert_eq!(plan(&masks_of(b",1,2,3,4")).1, 0);
        assert_eq!(plan(&masks_of(b"12345678901234567890")).1, 0);
    }
}
