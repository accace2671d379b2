//! `memwatch run --leak-retainers N`: leak events name who holds the growth (issue 6), the
//! export keeps it, re-analysis does not invent it, and temporary snapshots are cleaned up.

mod common;

use common::{js, run, run_with_env, TempDir};
use memwatch_core::export::{read_export, Record};
use serde_json::Value;

/// The paths of `class` in a leak event's retainers.
fn paths_of<'a>(leak: &'a Value, class: &str) -> Vec<&'a str> {
    leak["retainers"]["classes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["class"] == class)
        .flat_map(|c| c["paths"].as_array().into_iter().flatten())
        .filter_map(|p| p["path"].as_str())
        .collect()
}

#[test]
fn leak_events_name_the_holders() {
    let dir = TempDir::new("leak-retainers");
    let tmp = dir.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let out = dir.path("e.ndjson");
    let script = js("retained-leak.js");
    let args = [
        "run",
        "--json",
        "--leak-growth-count",
        "3",
        "--leak-retainers",
        "5",
        "--out",
        out.to_str().unwrap(),
        script.to_str().unwrap(),
    ];
    let r = run_with_env(&args, &[("TMPDIR", &tmp)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let leaks = r.events("leak");
    assert!(!leaks.is_empty(), "no leak event: {}", r.stdout);
    let first = &leaks[0];
    assert!(first["retainers"]["error"].is_null(), "{}", first["retainers"]);
    let lc = paths_of(first, "LeakingClass");
    assert!(
        lc.iter().any(|p| p.starts_with("(global) leakyCache -> Map table -> [*] -> LeakingClass")),
        "LeakingClass paths: {lc:?}"
    );
    let ci = paths_of(first, "CachedItem");
    assert!(ci.iter().any(|p| p.contains("cachedItems -> [*] -> CachedItem")), "CachedItem paths: {ci:?}");
    // Transient garbage is collected before each snapshot: never reported as growing.
    for l in &leaks {
        assert!(paths_of(l, "TransientThing").is_empty() && !l.to_string().contains("TransientThing"), "{l}");
    }
    // Every report covers the growth since the previous snapshot.
    for w in leaks.windows(2) {
        assert_eq!(w[1]["retainers"]["since_ns"], w[0]["retainers"]["time_ns"]);
    }
    // No snapshot file was written (no --snapshot-dir).
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");

    // The export keeps the reports; `analyze` attaches them to the recorded leaks, and to the
    // re-analysed leaks that are the same events (core's one rule, also the viewer's).
    let export = read_export(&std::fs::read(&out).unwrap()).expect("valid export");
    assert!(export.header.version.starts_with("1."), "{}", export.header.version);
    let records = export.records.iter().filter(|r| matches!(r, Record::LeakRetainers(_))).count();
    assert_eq!(records, leaks.len());
    let a = run(&["analyze", "--json", out.to_str().unwrap()]);
    assert_eq!(a.code, Some(0), "{}", a.stderr);
    let v: Value = serde_json::from_str(&a.stdout).unwrap();
    let recorded = v["recorded_leaks"].as_array().unwrap();
    assert_eq!(recorded.len(), leaks.len());
    assert!(recorded.iter().all(|l| l["retainers"]["classes"].is_array()), "{recorded:?}");
    assert_eq!(v["leaks"], v["recorded_leaks"], "the recorded parameters reproduce the events and their retainers");
}

#[test]
fn kept_snapshots_are_recorded_and_text_output_shows_paths() {
    let dir = TempDir::new("leak-retainers-kept");
    let snaps = dir.path("snaps");
    let out = dir.path("e.ndjson");
    let script = js("retained-leak.js");
    let r = run(&[
        "run",
        "--leak-growth-count",
        "3",
        "--leak-retainers",
        "2",
        "--snapshot-dir",
        snaps.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("memwatch: leak:"), "{}", r.stderr);
    assert!(r.stderr.contains("(global) leakyCache -> Map table -> [k"), "{}", r.stderr);
    let export = read_export(&std::fs::read(&out).unwrap()).unwrap();
    let labels: Vec<&str> = export
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Snapshot(s) => s.label.as_deref(),
            _ => None,
        })
        .collect();
    assert_eq!(labels.first(), Some(&"leak baseline"), "{labels:?}");
    assert!(labels.contains(&"leak"), "{labels:?}");
    for r in &export.records {
        if let Record::LeakRetainers(l) = r {
            let after = l.retainers.after_snapshot.as_deref().expect("kept snapshot named");
            assert!(dir.path("").join(after).is_file(), "{after}");
        }
    }
}

#[test]
fn off_by_default() {
    let r = run(&["run", "--json", "--leak-growth-count", "3", js("retained-leak.js").to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let leaks = r.events("leak");
    assert!(!leaks.is_empty());
    assert!(leaks.iter().all(|l| l.get("retainers").is_none()));
}

#[test]
fn bad_count_is_a_usage_error() {
    let r = run(&["run", "--leak-retainers", "0", js("retained-leak.js").to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--leak-retainers"), "{}", r.stderr);
}

#[test]
fn js_listeners_see_the_retainers() {
    let script = js("retained-leak.js");
    let r = run(&[
        "run",
        "--leak-growth-count",
        "3",
        "--leak-retainers",
        "4",
        script.to_str().unwrap(),
        "--",
        "--print-leaks",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let line = r.stdout.lines().find(|l| l.starts_with("leak holders: ")).unwrap_or_else(|| panic!("{}", r.stdout));
    let top: Vec<String> = serde_json::from_str(&line["leak holders: ".len()..]).unwrap();
    assert!(top.iter().any(|c| c.starts_with("LeakingClass @ (global) leakyCache -> Map table")), "{top:?}");
}
