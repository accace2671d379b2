//! The floor under `memwatch diff` on this machine: each file read once through a 1 MiB buffer
//! (as the streaming parser reads it) and one vectorised pass counting its commas (about one per
//! integer), one thread per file, nothing tokenised or stored. Whatever the parser does, `diff`
//! cannot finish before this does.
//!
//! `cargo run --release -p memwatch-core --example read_floor -- BEFORE AFTER`

use std::io::Read;
use std::time::Instant;

fn count_commas(path: &str) -> std::io::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            return Ok(n);
        }
        // Per 255-byte block in u8 lanes, which compiles to 16-byte SIMD compares even without
        // target-cpu flags (a u64 per byte would make the floor slower than it is).
        for block in buf[..k].chunks(255) {
            n += u64::from(block.iter().fold(0u8, |a, &b| a + u8::from(b == b',')));
        }
    }
}

fn main() -> std::process::ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: read_floor FILE...");
        return std::process::ExitCode::from(2);
    }
    let t = Instant::now();
    let counts = std::thread::scope(|s| {
        let threads: Vec<_> = paths.iter().map(|p| s.spawn(move || count_commas(p))).collect();
        threads
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(std::io::Error::other("thread panicked"))))
            .collect::<Vec<_>>()
    });
    let wall = t.elapsed().as_secs_f64();
    for (p, c) in paths.iter().zip(&counts) {
        match c {
            Ok(n) => println!("{p}: {n} commas"),
            Err(e) => {
                eprintln!("{p}: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    println!("all files read and scanned once: {wall:.3} s wall");
    std::process::ExitCode::SUCCESS
}
