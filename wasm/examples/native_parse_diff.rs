//! The native side of the wasm benchmark: the same core calls the wasm bindings make (4 MiB
//! chunks pushed into `SnapshotParser` without edge details, then `heap_diff`), compiled for the host, so the ratio
//! measures wasm vs native code and nothing else.
//!
//! `cargo run --release -p memwatch-wasm --example native_parse_diff -- BEFORE AFTER [RUNS] [--json]`

use std::fs::File;
use std::io::Read;
use std::time::Instant;

use memwatch_core::diff::heap_diff;
use memwatch_core::snapshot::{HeapSnapshot, ParseOptions, SnapshotParser};

fn parse(path: &str) -> Result<HeapSnapshot, String> {
    let mut file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut buf = vec![0u8; 4 << 20];
    let size_hint = file.metadata().ok().map(|m| m.len());
    // As the Node adapter and diffSnapshots do: a HeapDiff needs no edge names.
    let mut parser = SnapshotParser::with_options(ParseOptions { size_hint, edge_details: false });
    loop {
        let n = file.read(&mut buf).map_err(|e| format!("{path}: {e}"))?;
        if n == 0 {
            break;
        }
        parser.push(&buf[..n]).map_err(|e| format!("{path}: {e}"))?;
    }
    parser.finish().map_err(|e| format!("{path}: {e}"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (Some(before), Some(after)) = (pos.first(), pos.get(1)) else {
        return Err("usage: native_parse_diff BEFORE AFTER [RUNS] [--json]".into());
    };
    let runs: usize = pos.get(2).map(|r| r.parse().map_err(|_| "RUNS must be a number")).transpose()?.unwrap_or(3);
    let (mut parse_ms, mut diff_ms, mut total_ms) = (vec![], vec![], vec![]);
    let mut result = None;
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        let a = parse(before)?;
        let b = parse(after)?;
        let parsed = t0.elapsed().as_secs_f64() * 1e3;
        let t1 = Instant::now();
        let d = heap_diff(&a, &b);
        diff_ms.push(t1.elapsed().as_secs_f64() * 1e3);
        parse_ms.push(parsed);
        total_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        result = Some(d);
    }
    if json {
        println!("{}", serde_json::to_string(&result).map_err(|e| e.to_string())?);
    }
    eprintln!(
        "native parse {:.0} ms, diff {:.0} ms, total {:.0} ms (median of {})",
        median(parse_ms),
        median(diff_ms),
        median(total_ms),
        runs.max(1)
    );
    Ok(())
}
