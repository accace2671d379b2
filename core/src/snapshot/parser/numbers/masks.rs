//! Classification of 64 input bytes at once into bitmasks (bit `k` = byte `k`): ASCII digits,
//! commas, newlines. Implementations with identical results: SSE2 (baseline on x86_64), AVX2
//! (x86_64 when the CPU has it, chosen at run time), simd128 (wasm32 built with it, as
//! scripts/build-wasm.sh does) and SWAR on `u64` words (any target).

/// Bytes classified at once.
pub(super) const WINDOW: usize = 64;

/// Where the digits, commas and newlines of a 64-byte window are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Masks {
    pub digit: u64,
    pub comma: u64,
    pub newline: u64,
}

/// Portable: eight bytes per `u64`, exact per byte (no borrow or carry crosses a byte).
#[inline(always)]
pub(super) fn swar(win: &[u8; WINDOW]) -> Masks {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    const LOW7: u64 = ONES * 0x7F;
    // High bit of each byte whose low seven bits are zero.
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    // The high bit of byte `k` moved to bit `k` (the multiplier's partial products never overlap).
    let gather = |flags: u64| (flags >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
    let mut m = Masks { digit: 0, comma: 0, newline: 0 };
    for (k, word) in win.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(word);
        let w = u64::from_le_bytes(b);
        let low = w & LOW7;
        // Bytes below 0x80 only: high bit set iff low >= '0', resp. low >= ':'.
        let ge_0 = low + ONES * (0x80 - u64::from(b'0'));
        let ge_colon = low + ONES * (0x80 - u64::from(b':'));
        let digit = ge_0 & !ge_colon & !w & HIGH;
        let comma = zero(w ^ (ONES * u64::from(b','))) & HIGH;
        let newline = zero(w ^ (ONES * u64::from(b'\n'))) & HIGH;
        m.digit |= gather(digit) << (8 * k);
        m.comma |= gather(comma) << (8 * k);
        m.newline |= gather(newline) << (8 * k);
    }
    m
}

/// SSE2, 16 bytes per compare.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn sse2(win: &[u8; WINDOW]) -> Masks {
    use std::arch::x86_64::*;
    let mut m = Masks { digit: 0, comma: 0, newline: 0 };
    // SAFETY: SSE2 is part of the x86_64 baseline (every x86_64 CPU has it, and rustc enables it
    // for the target), so the intrinsics are available; each load reads 16 bytes at offset
    // 16 * k <= 48 of the 64-byte array `win`, in bounds, and `loadu` has no alignment
    // requirement.
    unsafe {
        let zero_char = _mm_set1_epi8(b'0' as i8);
        let nine = _mm_set1_epi8(9);
        let comma = _mm_set1_epi8(b',' as i8);
        let newline = _mm_set1_epi8(b'\n' as i8);
        for k in 0..4 {
            let x = _mm_loadu_si128(win.as_ptr().add(16 * k).cast::<__m128i>());
            // Digits are the bytes with `b - '0'` (wrapping) at most 9 unsigned.
            let t = _mm_sub_epi8(x, zero_char);
            let d = _mm_cmpeq_epi8(_mm_max_epu8(t, nine), nine);
            let shift = 16 * k;
            m.digit |= u64::from(_mm_movemask_epi8(d) as u16) << shift;
            m.comma |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(x, comma)) as u16) << shift;
            m.newline |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(x, newline)) as u16) << shift;
        }
    }
    m
}

/// AVX2, 32 bytes per compare.
///
/// # Safety
/// The CPU must support AVX2 (`is_x86_feature_detected!("avx2")`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) unsafe fn avx2(win: &[u8; WINDOW]) -> Masks {
    use std::arch::x86_64::*;
    let mut m = Masks { digit: 0, comma: 0, newline: 0 };
    // SAFETY: the caller guarantees AVX2; each load reads 32 bytes at offset 32 * k <= 32 of the
    // 64-byte array `win`, in bounds, and `loadu` has no alignment requirement.
    unsafe {
        let zero_char = _mm256_set1_epi8(b'0' as i8);
        let nine = _mm256_set1_epi8(9);
        let comma = _mm256_set1_epi8(b',' as i8);
        let newline = _mm256_set1_epi8(b'\n' as i8);
        for k in 0..2 {
            let x = _mm256_loadu_si256(win.as_ptr().add(32 * k).cast::<__m256i>());
            let t = _mm256_sub_epi8(x, zero_char);
            let d = _mm256_cmpeq_epi8(_mm256_max_epu8(t, nine), nine);
            let shift = 32 * k;
            m.digit |= u64::from(_mm256_movemask_epi8(d) as u32) << shift;
            m.comma |= u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, comma)) as u32) << shift;
            m.newline |= u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, newline)) as u32) << shift;
        }
    }
    m
}

/// wasm32 simd128, 16 bytes per compare (compiled in when the build enables simd128: wasm has no
/// run-time detection, an engine without it rejects the module).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub(super) fn simd128(win: &[u8; WINDOW]) -> Masks {
    use std::arch::wasm32::*;
    let mut m = Masks { digit: 0, comma: 0, newline: 0 };
    let (zero_char, nine, comma, newline) = (u8x16_splat(b'0'), u8x16_splat(9), u8x16_splat(b','), u8x16_splat(b'\n'));
    for k in 0..4 {
        // SAFETY: reads 16 bytes at offset 16 * k <= 48 of the 64-byte array `win`, in bounds;
        // `v128_load` has no alignment requirement.
        let x = unsafe { v128_load(win.as_ptr().add(16 * k).cast::<v128>()) };
        let t = u8x16_sub(x, zero_char);
        let d = u8x16_eq(u8x16_max(t, nine), nine);
        let shift = 16 * k;
        m.digit |= u64::from(u8x16_bitmask(d)) << shift;
        m.comma |= u64::from(u8x16_bitmask(u8x16_eq(x, comma))) << shift;
        m.newline |= u64::from(u8x16_bitmask(u8x16_eq(x, newline))) << shift;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(win: &[u8; WINDOW]) -> Masks {
        let bits = |f: &dyn Fn(u8) -> bool| win.iter().enumerate().fold(0u64, |m, (k, &b)| m | (u64::from(f(b)) << k));
        Masks { digit: bits(&|b| b.is_ascii_digit()), comma: bits(&|b| b == b','), newline: bits(&|b| b == b'\n') }
    }

    /// Every byte value at every position, against a byte-by-byte classification.
    #[test]
    fn every_byte_at_every_position() {
        for b in 0..=255u8 {
            for pos in 0..WINDOW {
                let mut win = [b'5'; WINDOW];
                win[(pos + 1) % WINDOW] = b',';
                win[(pos + 7) % WINDOW] = b'\n';
                win[pos] = b;
                let want = plain(&win);
                assert_eq!(swar(&win), want, "swar, byte {b:#x} at {pos}");
                #[cfg(target_arch = "x86_64")]
                {
                    assert_eq!(sse2(&win), want, "sse2, byte {b:#x} at {pos}");
                    if std::is_x86_feature_detected!("avx2") {
                        // SAFETY: AVX2 was just detected.
                        assert_eq!(unsafe { avx2(&win) }, want, "avx2, byte {b:#x} at {pos}");
                    }
                }
            }
        }
    }
}
