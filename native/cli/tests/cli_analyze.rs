//! `memwatch analyze` driven as a user would: output, JSON, options and exit codes.

use std::path::Path;
use std::process::{Command, Output};

use memwatch_core::analyzer::AnalyzerConfig;
use memwatch_core::export::{ExportWriter, Header, Record};
use memwatch_core::leak::TrendConfig;
use memwatch_core::sample::{GcType, HeapStats, Sample};

const MB: u64 = 1024 * 1024;

fn memwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_memwatch")).args(args).output().expect("run memwatch")
}

/// An export whose full GCs grow by `step` bytes each (scavenges in between).
fn write_export(path: &Path, step: u64, trailing_garbage: &[u8]) {
    let mut header = Header::new("cli-test", 1_700_000_000_000.0);
    header.analyzer = AnalyzerConfig { classic: Some(Default::default()), trend: Some(TrendConfig::default()) };
    let mut w = ExportWriter::new(Vec::new(), &header).expect("header");
    for i in 0..40u64 {
        let full = i % 2 == 1;
        w.write(&Record::Gc(Sample {
            seq: i,
            gc_type: if full { GcType::MarkSweepCompact } else { GcType::Scavenge },
            flags: 0,
            start_ns: i * 100_000_000,
            end_ns: i * 100_000_000 + 2_000_000,
            heap: HeapStats { used_heap_size: if full { 20 * MB + i * step } else { 25 * MB }, ..Default::default() },
            spaces: None,
            snapshot: false,
            collection: None,
        }))
        .expect("write");
    }
    let mut bytes = w.into_inner();
    bytes.extend_from_slice(trailing_garbage);
    std::fs::write(path, bytes).expect("write file");
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.stderr.is_empty() || out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

#[test]
fn growing_heap_reports_leaks_and_fail_flag_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("grow.ndjson");
    write_export(&f, MB, b"");
    let f = f.to_str().expect("utf8 path");

    let out = memwatch(&["analyze", f]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("num_full_gc      20"), "{text}");
    assert!(text.contains("heap growth over 5 consecutive GCs"), "{text}");

    let v = json(&memwatch(&["analyze", "--json", f]));
    assert_eq!(v["stats"]["num_full_gc"], 20);
    assert_eq!(v["stats"]["num_inc_gc"], 20);
    assert_eq!(v["stats_events"].as_array().map(Vec::len), Some(20));
    let leaks = v["leaks"].as_array().expect("leaks array");
    assert!(leaks.iter().any(|l| l["detector"] == "classic"));
    assert!(leaks.iter().any(|l| l["detector"] == "trend"));

    assert_eq!(memwatch(&["analyze", "--fail-on-leak", f]).status.code(), Some(1));
}

#[test]
fn detector_options_change_the_verdict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("small.ndjson");
    // 32 KiB per full GC: below the default noise floor, a leak for node-memwatch's exact rule.
    write_export(&f, 32 * 1024, b"");
    let f = f.to_str().expect("utf8 path");
    let v = json(&memwatch(&["analyze", "--json", f]));
    assert_eq!(v["leaks"].as_array().map(Vec::len), Some(0));
    let v = json(&memwatch(&[
        "analyze",
        "--json",
        "--noise-floor-bytes",
        "0",
        "--noise-floor-percent",
        "0",
        "--no-trend",
        f,
    ]));
    assert_eq!(v["leaks"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["config"]["trend"], serde_json::Value::Null);
    assert_eq!(memwatch(&["analyze", "--fail-on-leak", f]).status.code(), Some(0));
}

#[test]
fn cut_off_file_is_analysed_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("killed.ndjson");
    write_export(&f, MB, br#"{"type":"gc","seq":40,"gc_ty"#);
    let out = memwatch(&["analyze", "--json", f.to_str().expect("utf8")]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 42 is cut off"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["truncated_line"], 42);
    assert_eq!(v["gc_samples"], 40);
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.ndjson");
    let out = memwatch(&["analyze", missing.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.ndjson"));

    let garbage = dir.path().join("garbage.ndjson");
    std::fs::write(&garbage, b"\x00\x01garbage").expect("write");
    let out = memwatch(&["analyze", garbage.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("garbage.ndjson: line 1: not a memwatch export"), "{err}");
    assert!(out.stdout.is_empty());

    let v2 = dir.path().join("v2.ndjson");
    std::fs::write(&v2, br#"{"format":"memwatch-export","version":"2.1","producer":"x","epoch_ms_at_origin":0}"#)
        .expect("write");
    let out = memwatch(&["analyze", v2.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("version 2.1 is not supported"));

    assert_eq!(memwatch(&["analyze"]).status.code(), Some(2));
    assert_eq!(memwatch(&["analyze", "--trend-window", "1", "x"]).status.code(), Some(2));
}

/// Bounds come from core's option table and are checked by core, before the file is read: the
/// message names the option (as config path and flag) and the value, exit 2.
#[test]
fn bad_detector_options_exit_2_with_core_s_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("grow.ndjson");
    write_export(&f, MB, b"");
    let f = f.to_str().expect("utf8 path");
    let cases: [(&[&str], &str); 5] = [
        (&["--trend-window", "1"], "trend.window (--trend-window): must be an integer from 2 to 4096, got 1"),
        (
            &["--growth-count", "0"],
            "classic.growth_count (--growth-count): must be an integer from 1 to 4294967295, got 0",
        ),
        (&["--growth-count", "2.5"], "classic.growth_count (--growth-count): must be an integer"),
        (&["--trend-min-r2", "NaN"], "trend.min_r2 (--trend-min-r2): must be a finite number from 0 to 1, got NaN"),
        (
            &["--noise-floor-percent", "inf"],
            "classic.noise_floor_percent (--noise-floor-percent): must be a finite number",
        ),
    ];
    for (flags, message) in cases {
        let out = memwatch(&[&["analyze", "--json"], flags, &[f]].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.starts_with("memwatch: invalid detector option "), "{flags:?}: {stderr}");
        assert!(stderr.contains(message), "{flags:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    // Checked before reading: a missing file with a bad option reports the option.
    let out = memwatch(&["analyze", "--growth-count", "0", "missing.ndjson"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("classic.growth_count"));
    // `run` takes the same options and the same checks (its old `--leak-growth-count` is an alias).
    let out = memwatch(&["run", "--leak-growth-count", "0", "missing.js"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("classic.growth_count (--growth-count): must be an integer from 1"), "{stderr}");
}

/// A newer minor version with a GC type this version does not know: kept, counted, reported.
#[test]
fn unknown_gc_types_are_kept_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("future.ndjson");
    std::fs::write(
        &f,
        br#"{"format":"memwatch-export","version":"1.9","producer":"x","epoch_ms_at_origin":0}
{"type":"gc","seq":0,"gc_type":"concurrent_sweep","start_ns":0,"end_ns":10,"heap":{"used_heap_size":5}}
{"type":"gc","seq":1,"gc_type":"mark_sweep_compact","start_ns":20,"end_ns":30,"heap":{"used_heap_size":5}}
"#,
    )
    .expect("write");
    let f = f.to_str().expect("utf8 path");
    let v = json(&memwatch(&["analyze", "--json", f]));
    assert_eq!(v["gc_samples"], 2);
    assert_eq!(v["unknown_gc_types"], 1);
    assert_eq!(v["stats"]["num_inc_gc"], 1);
    let out = memwatch(&["analyze", f]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 of a GC type this memwatch does not know"));
}

/// Core's file-kind detection turns "not an export" into what the file is.
#[test]
fn a_heap_snapshot_is_named_as_one() {
    let snap = concat!(env!("CARGO_MANIFEST_DIR"), "/../../core/tests/fixtures/tiny-before.heapsnapshot");
    let out = memwatch(&["analyze", snap]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tiny-before.heapsnapshot: a V8 heap snapshot, not a memwatch export file"), "{stderr}");
}
