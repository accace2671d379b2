//! The export file written by `memwatch run` re-analysed offline gives the same stats and leak
//! events that the run emitted live (`--json`).

mod common;

use common::{js, run, TempDir};
use memwatch_core::export::{analyze_export, read_export, Record};
use serde_json::Value;

fn strip_tag(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("event");
    v
}

#[test]
fn export_reanalysis_matches_live_events() {
    let dir = TempDir::new("export");
    let out = dir.path("run.ndjson");
    let r = run(&["run", js("growing.js").to_str().unwrap(), "--json", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let live_stats: Vec<Value> = r.events("stats").into_iter().map(strip_tag).collect();
    let live_leaks: Vec<Value> = r.events("leak").into_iter().map(strip_tag).collect();
    assert!(!live_stats.is_empty() && !live_leaks.is_empty());

    let export = read_export(&std::fs::read(&out).unwrap()).expect("valid export");
    assert_eq!(export.truncated_line, None);
    let analysis = analyze_export(&export, &Default::default()).expect("recorded parameters are valid");
    // Through JSON text like the live lines, so both sides take the same float parsing path.
    let via_text = |v: String| serde_json::from_str::<Value>(&v).unwrap();
    let offline_stats: Vec<Value> =
        analysis.analysis.stats_events.iter().map(|s| via_text(serde_json::to_string(s).unwrap())).collect();
    let offline_leaks: Vec<Value> =
        analysis.analysis.leaks.iter().map(|l| via_text(serde_json::to_string(l).unwrap())).collect();
    assert_eq!(offline_stats, live_stats);
    assert_eq!(offline_leaks, live_leaks);
    // The live events are recorded in the export too.
    assert_eq!(analysis.recorded_stats_events as usize, live_stats.len());
    assert_eq!(analysis.recorded_leaks.len(), live_leaks.len());
    // `memwatch analyze --json` (the CLI path) gives the same events.
    let a = run(&["analyze", out.to_str().unwrap(), "--json"]);
    assert_eq!(a.code, Some(0), "{}", a.stderr);
    let cli: Value = serde_json::from_str(&a.stdout).expect("one JSON object");
    assert_eq!(cli["stats_events"].as_array().unwrap(), &live_stats);
    assert_eq!(cli["leaks"].as_array().unwrap(), &live_leaks);
    // Markers bracket the run; every sample has heap statistics.
    let kinds: Vec<&str> = analysis.markers.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"start"));
    assert_eq!(kinds.last(), Some(&"end"));
    for rec in &export.records {
        if let Record::Gc(s) = rec {
            assert!(s.heap.used_heap_size > 0 && s.heap.heap_size_limit > 0);
            assert!(s.end_ns >= s.start_ns);
            assert!(s.spaces.as_ref().is_some_and(|sp| !sp.is_empty()), "per-space usage recorded");
        }
    }
}
