//! `memwatch demo`: the README's main job. Finishes well under 30 s, reports the leak, writes a
//! valid export that `memwatch analyze` reads back with the same leak events.

mod common;

use std::time::{Duration, Instant};

use common::{run, TempDir};

#[test]
fn demo_reports_the_leak_and_writes_an_export() {
    let dir = TempDir::new("demo");
    let out = dir.path("demo.ndjson");
    let t0 = Instant::now();
    let r = run(&["demo", "--out", out.to_str().unwrap()]);
    let elapsed = t0.elapsed();
    assert_eq!(r.code, Some(0), "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(elapsed < Duration::from_secs(30), "demo took {elapsed:?}");
    assert!(r.stdout.contains("LEAK"), "{}", r.stdout);
    assert!(r.stdout.contains("heapdiff") && r.stdout.contains("Session"), "{}", r.stdout);
    assert!(r.stdout.contains("memwatch serve") && r.stdout.contains("memwatch analyze"), "{}", r.stdout);

    let a = run(&["analyze", out.to_str().unwrap(), "--json"]);
    assert_eq!(a.code, Some(0), "{}", a.stderr);
    let v: serde_json::Value = serde_json::from_str(&a.stdout).expect("analyze --json is one object");
    let leaks = v["leaks"].as_array().expect("leaks");
    assert!(!leaks.is_empty());
    assert_eq!(v["recorded_leaks"].as_array().unwrap().len(), leaks.len(), "live and re-analysed leaks agree");
    assert_eq!(v["heap_diffs"].as_array().unwrap().len(), 1);
}
