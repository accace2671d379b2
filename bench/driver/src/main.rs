//! `memwatch-bench PHASE FILE...`: runs one phase of memwatch-core on snapshot files and prints
//! one JSON line with the phase's wall times and the graph sizes. Peak RSS is measured from the
//! outside (bench/run.js), one process per phase.
//!
//! Phases (each includes parsing its inputs, as a user's command would):
//! - `parse FILE`: streaming parse into the compact graph.
//! - `summary FILE`: parse + per-class counts and self sizes.
//! - `diff BEFORE AFTER`: parse both + node-memwatch's HeapDiff.
//! - `dominators FILE`: parse + `SnapshotAnalysis` (dominator tree, retained sizes per node and per
//!   class, shortest retainer paths): the work memlab's `preparePathFinder` does.

use std::fs::File;
use std::process::ExitCode;
use std::time::Instant;

use memwatch_core::snapshot::{parse_reader_with, HeapSnapshot, ParseOptions};
use serde_json::{json, Value};

fn parse(path: &str, edge_details: bool) -> Result<(HeapSnapshot, f64), String> {
    let t = Instant::now();
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let size = file.metadata().map(|m| m.len()).ok();
    let opts = ParseOptions { size_hint: size, edge_details };
    let snap = parse_reader_with(file, opts, |_| {})
        .map_err(|e| format!("{path}: {e}"))?;
    Ok((snap, t.elapsed().as_secs_f64()))
}

fn graph(s: &HeapSnapshot) -> Value {
    json!({ "nodes": s.node_count(), "edges": s.edge_count() })
}

fn run(phase: &str, files: &[String]) -> Result<Value, String> {
    let t0 = Instant::now();
    let one = || files.first().ok_or_else(|| format!("{phase}: needs a snapshot file"));
    let out = match phase {
        "parse" => {
            let (s, tp) = parse(one()?, true)?;
            json!({ "parse_s": tp, "graph": graph(&s) })
        }
        "summary" => {
            let (s, tp) = parse(one()?, false)?;
            let t = Instant::now();
            let classes = memwatch_core::summary::summarize(&s);
            json!({ "parse_s": tp, "summary_s": t.elapsed().as_secs_f64(), "classes": classes.len(),
                    "graph": graph(&s) })
        }
        "diff" => {
            let [a, b] = files else { return Err("diff: needs BEFORE AFTER".into()) };
            let (sa, ta) = parse(a, false)?;
            let (sb, tb) = parse(b, false)?;
            let t = Instant::now();
            let d = memwatch_core::diff::heap_diff(&sa, &sb);
            json!({ "parse_s": ta + tb, "diff_s": t.elapsed().as_secs_f64(),
                    "details": d.change.details.len(), "graph": graph(&sb) })
        }
        "dominators" => {
            let (s, tp) = parse(one()?, true)?;
            let t = Instant::now();
            let a = memwatch_core::retainers::SnapshotAnalysis::new(&s).map_err(|e| format!("{}: {e}", files[0]))?;
            json!({ "parse_s": tp, "analysis_s": t.elapsed().as_secs_f64(),
                    "reachable": a.dominators.reachable_count(), "classes": a.classes().len(),
                    "graph": graph(&s) })
        }
        _ => return Err(format!("unknown phase '{phase}' (parse, summary, diff, dominators)")),
    };
    let mut out = out;
    out["phase"] = json!(phase);
    out["total_s"] = json!(t0.elapsed().as_secs_f64());
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((phase, files)) = args.split_first() else {
        eprintln!("usage: memwatch-bench parse|summary|diff|dominators FILE [FILE]");
        return ExitCode::from(2);
    };
    match run(phase, files) {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("memwatch-bench: {e}");
            ExitCode::from(2)
        }
    }
}
