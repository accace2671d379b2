//! What `Config::full_gc_every` costs: a program with a retained heap of N MB that otherwise
//! makes only short-lived garbage runs a fixed workload (rounds of allocation, `poll_in` between
//! rounds), without the option and with it. Prints, per setting, the wall time, the full GCs and
//! their summed and largest pause (from `Memwatch::metrics`). docs/embedding.md quotes its output.
//!
//! Run: `cargo run --release -p memwatch --example full_gc_cost` (RUSTY_V8_ARCHIVE set as for
//! any build).

use std::time::{Duration, Instant};

use memwatch::core::sample::GcType;
use memwatch::doc_support::{context, eval, init_v8};
use memwatch::{Config, Memwatch};

const ROUNDS: u32 = 400;
const ROUND: &str =
    "(() => { let t = []; for (let i = 0; i < 2e4; i++) { t.push({ i }); if (t.length > 100) t = []; } })()";

fn measure(retained_mb: u32, every: Option<Duration>) -> String {
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let ctx = context(&mut isolate);
    let mw = Memwatch::attach(&mut isolate, Config { full_gc_every: every, ..Config::default() }).unwrap();
    // ~100 bytes per object with its string: retained_mb * 10k objects.
    let setup = format!(
        "globalThis.keep = Array.from({{ length: {} }}, (_, i) => ({{ i, s: 'retained ' + i }}))",
        retained_mb * 10_000
    );
    assert!(eval(&mut isolate, &ctx, &setup));
    Memwatch::gc(&mut isolate);
    mw.poll_in(&mut isolate).unwrap();
    let before = mw.metrics().snapshot();
    let t0 = Instant::now();
    for _ in 0..ROUNDS {
        assert!(eval(&mut isolate, &ctx, ROUND));
        mw.poll_in(&mut isolate).unwrap();
    }
    let wall = t0.elapsed();
    let after = mw.metrics().snapshot();
    drop(ctx);
    mw.detach(&mut isolate).unwrap();
    let full = after.gc_counts.mark_sweep_compact - before.gc_counts.mark_sweep_compact;
    let pause =
        after.gc_pause(&GcType::MarkSweepCompact).sum_seconds - before.gc_pause(&GcType::MarkSweepCompact).sum_seconds;
    let heap = after.heap_used_bytes as f64 / 1e6;
    format!(
        "| {retained_mb} MB ({heap:.0} MB used) | {} | {:.2} s | {full} | {:.1} ms | {:.1} ms |",
        every.map_or("off".to_string(), |d| format!("{} ms", d.as_millis())),
        wall.as_secs_f64(),
        pause * 1e3,
        if full > 0 { pause * 1e3 / full as f64 } else { 0.0 },
    )
}

fn main() {
    init_v8();
    println!("| retained heap | full_gc_every | wall time ({ROUNDS} rounds) | full GCs | their pauses, summed | per full GC |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for mb in [50, 200] {
        for every in [None, Some(Duration::from_millis(1000)), Some(Duration::from_millis(100))] {
            println!("{}", measure(mb, every));
        }
    }
}
