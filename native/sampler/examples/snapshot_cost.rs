//! Where the time of one HeapDiff snapshot goes, on the heap of bench/snapshot-cost.js (a Map of
//! `N` small records; default 1,572,864 ≈ 300 MB of heap): V8 alone (chunks discarded; the time
//! of the first chunk splits V8's graph building from its serialisation), V8 into
//! a file (what HeapDiff did before it streamed), V8 parsed inline on its own thread, and the
//! HeapDiff's "before" snapshot as memwatch takes it (parsed on a thread while V8 writes).
//! Each step in its own process keeps their peak RSS apart (docs/benchmarks-retainers.md):
//!
//!   cargo build --release -p memwatch --example snapshot_cost
//!   for m in v8 file inline heapdiff; do
//!     /usr/bin/time -f "$m %e s %M KB" target/release/examples/snapshot_cost $m 1572864; done

use std::io::Write;
use std::time::Instant;

use memwatch::core::snapshot::{ParseOptions, SnapshotParser};
use memwatch::{Config, Memwatch};

const HEAP_JS: &str =
    "class Record { constructor(i) { this.id = i; this.name = 'record-' + i; this.tags = [i, i + 1, i + 2]; } }\n\
globalThis.store = new Map();\nfor (let n = 0; n < N; n++) store.set(n, new Record(n));";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "heapdiff".into());
    let n: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_572_864);
    memwatch::doc_support::init_v8();
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let mw = Memwatch::attach(&mut isolate, Config::default())?;
    let context = memwatch::doc_support::context(&mut isolate);
    let built = memwatch::doc_support::eval(&mut isolate, &context, &HEAP_JS.replace("N;", &format!("{n};")));
    assert!(built, "the heap script failed");
    let t = Instant::now();
    let bytes = match mode.as_str() {
        "none" => 0,
        "v8" => {
            // The first chunk arrives once V8 has built its snapshot graph: before it is the
            // generation (GCs, graph), after it the JSON serialisation.
            let mut bytes = 0u64;
            let mut first = None;
            isolate.take_heap_snapshot(|c| {
                first.get_or_insert_with(|| t.elapsed());
                bytes += c.len() as u64;
                true
            });
            if let Some(f) = first {
                println!("v8: graph built after {} ms, then serialised", f.as_millis());
            }
            bytes
        }
        "file" => {
            let path = std::env::temp_dir().join(format!("snapshot-cost-{}.heapsnapshot", std::process::id()));
            let bytes = memwatch::snapshot::write_heap_snapshot(&mut isolate, &path)?;
            std::fs::remove_file(&path)?;
            bytes
        }
        "inline" => {
            let mut p = SnapshotParser::with_options(ParseOptions { size_hint: Some(u64::MAX), edge_details: false });
            let mut buf = Vec::with_capacity(1 << 18);
            let mut ok = true;
            isolate.take_heap_snapshot(|c| {
                buf.extend_from_slice(c);
                if buf.len() >= 1 << 18 || c.is_empty() {
                    ok = p.push(&buf).is_ok();
                    buf.clear();
                }
                ok
            });
            let s = p.finish()?;
            s.node_count() as u64
        }
        "heapdiff" => {
            let start = mw.heap_diff_start(&mut isolate)?;
            drop(start);
            0
        }
        other => return Err(format!("unknown mode {other}: none, v8, file, inline or heapdiff").into()),
    };
    let ms = t.elapsed().as_millis();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{mode}: {ms} ms ({bytes} bytes or nodes), {n} records")?;
    drop(context);
    mw.detach(&mut isolate)?;
    Ok(())
}
