//! `memwatch-bench PHASE FILE...`: runs one phase of memwatch-core on snapshot files and prints
//! one JSON line with the phase's wall times and the graph sizes. Peak RSS is measured from the
//! outside (bench/run.js), one process per phase.
//!
//! Phases (each includes parsing its inputs, as a user's command would):
//! - `parse FILE`: parse into the compact graph (`parse_positional` on MEMWATCH_THREADS threads,
//!   default 1: the streaming parser alone, the single-threaded figure the wasm column is
//!   compared with).
//! - `scan FILE`: the same without edge details (what `diff` reads).
//!
//! `parse` and `scan` also report the parse's CPU time: `cpu_s` for the process (10 ms ticks),
//! `thread_cpu_s` for the calling thread (ns; with `MEMWATCH_THREADS=1` it is the whole parse),
//! and `mib_per_cpu_s` = file MiB / `thread_cpu_s` with one thread (`cpu_s` otherwise): the
//! single-core scanner throughput.
//! - `summary FILE`: parse + per-class counts and self sizes.
//! - `diff BEFORE AFTER`: parse both + node-memwatch's HeapDiff.
//! - `dominators FILE`: parse + `SnapshotAnalysis` (dominator tree, retained sizes per node and per
//!   class, shortest retainer paths): the work memlab's `preparePathFinder` does.

use std::fs::File;
use std::process::ExitCode;
use std::time::Instant;

use memwatch_core::snapshot::{parse_positional, HeapSnapshot, ParseOptions, ScanKernel};
use serde_json::{json, Value};

fn parse(path: &str, edge_details: bool) -> Result<(HeapSnapshot, f64), String> {
    let t = Instant::now();
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let size = file.metadata().map(|m| m.len()).ok();
    let opts = ParseOptions { size_hint: size, edge_details };
    let snap = parse_positional(&file, opts, threads(), |_| {}).map_err(|e| format!("{path}: {e}"))?;
    Ok((snap, t.elapsed().as_secs_f64()))
}

/// `MEMWATCH_SCAN_KERNEL=bytes|swar|sse2|avx2`: the integer scanner to use (A/B comparisons of
/// the kernels in one binary; default: the fastest the CPU has).
fn kernel() -> Result<Option<ScanKernel>, String> {
    let Ok(name) = std::env::var("MEMWATCH_SCAN_KERNEL") else { return Ok(None) };
    let k = ScanKernel::available().into_iter().find(|k| format!("{k:?}").eq_ignore_ascii_case(&name));
    k.map(Some).ok_or_else(|| format!("MEMWATCH_SCAN_KERNEL={name}: not one of {:?}", ScanKernel::available()))
}

fn threads() -> usize {
    std::env::var("MEMWATCH_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(1)
}

/// This process's CPU time (user + system) in seconds, from /proc/self/stat (Linux).
fn cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let f: Vec<&str> = s[s.rfind(')')? + 1..].split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The calling thread's CPU time in seconds, from /proc/thread-self/schedstat (ns, Linux).
fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<u64>().ok()? as f64 / 1e9)
}

/// Parses one file and reports its parse time, CPU times and throughput per CPU second.
fn timed_parse(path: &str, edge_details: bool) -> Result<(HeapSnapshot, Value), String> {
    let (cpu0, thread0) = (cpu_s(), thread_cpu_s());
    let (s, tp) = parse(path, edge_details)?;
    let cpu = cpu_s().zip(cpu0).map(|(b, a)| b - a);
    let thread = thread_cpu_s().zip(thread0).map(|(b, a)| b - a);
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64;
    let per = if threads() == 1 { thread } else { cpu };
    let v = json!({ "parse_s": tp, "cpu_s": cpu, "thread_cpu_s": thread, "threads": threads(),
                    "mib_per_cpu_s": per.map(|c| bytes / 1048576.0 / c.max(1e-9)), "graph": graph(&s) });
    Ok((s, v))
}

fn graph(s: &HeapSnapshot) -> Value {
    json!({ "nodes": s.node_count(), "edges": s.edge_count() })
}

fn run(phase: &str, files: &[String]) -> Result<Value, String> {
    let t0 = Instant::now();
    let one = || files.first().ok_or_else(|| format!("{phase}: needs a snapshot file"));
    let out = match phase {
        "parse" => timed_parse(one()?, true)?.1,
        "scan" => timed_parse(one()?, false)?.1,
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
        _ => return Err(format!("unknown phase '{phase}' (parse, scan, summary, diff, dominators)")),
    };
    let mut out = out;
    out["phase"] = json!(phase);
    out["total_s"] = json!(t0.elapsed().as_secs_f64());
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((phase, files)) = args.split_first() else {
        eprintln!("usage: memwatch-bench parse|scan|summary|diff|dominators FILE [FILE]");
        return ExitCode::from(2);
    };
    let result = match kernel() {
        Ok(Some(k)) => ScanKernel::force(k, || run(phase, files)),
        Ok(None) => run(phase, files),
        Err(e) => Err(e),
    };
    match result {
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
