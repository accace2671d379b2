use std::time::Instant;
fn count_newlines(bytes: &[u8]) -> u64 {
    let mut total = 0u64;
    for block in bytes.chunks(255 * 16) {
        let mut lanes = [0u8; 16];
        let mut it = block.chunks_exact(16);
        for c in &mut it {
            for k in 0..16 {
                lanes[k] += u8::from(c[k] == b'\n');
            }
        }
        total += lanes.iter().map(|&l| u64::from(l)).sum::<u64>();
        total += it.remainder().iter().filter(|&&b| b == b'\n').count() as u64;
    }
    total
}
// SWAR: exact count of 0x0a bytes, 8 bytes per step, no SIMD intrinsics, no unsafe.
fn count_newlines_swar(bytes: &[u8]) -> u64 {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const NL: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut it = bytes.chunks_exact(8);
    let mut total = 0u64;
    for c in &mut it {
        let t = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) ^ NL;
        // high bit of each byte set iff that byte of t is zero
        let y = !(((t & LO7) + LO7) | t | LO7);
        total += u64::from(y.count_ones());
    }
    total + it.remainder().iter().filter(|&&b| b == b'\n').count() as u64
}
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let data = std::fs::read(path).unwrap();
    let data = &data[..data.len().min(300 << 20)];
    for (name, f) in [("current", count_newlines as fn(&[u8]) -> u64), ("swar", count_newlines_swar)] {
        let t = Instant::now();
        let mut n = 0;
        // the parser calls it per 256 KiB chunk
        for c in data.chunks(256 * 1024) { n += f(c); }
        println!("{name}: {n} newlines in {:.3} s ({:.0} MB/s)", t.elapsed().as_secs_f64(), data.len() as f64 / t.elapsed().as_secs_f64() / 1e6);
    }
}
