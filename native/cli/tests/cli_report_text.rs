//! The report text of `memwatch diff` and `memwatch analyze` on committed inputs, byte for byte.
//! The expected files were written by the CLI before its rendering moved into core
//! (`memwatch_core::render`, also behind the npm package's `memwatch-wasm` bin), so a change of
//! the text shows here. After an intended change, regenerate them from the repository root:
//!   memwatch diff core/tests/fixtures/tiny-before.heapsnapshot core/tests/fixtures/tiny-after.heapsnapshot > native/cli/tests/golden/diff-tiny.txt
//!   memwatch analyze --growth-count 2 --noise-floor-bytes 0 --noise-floor-percent 0 fuzz/seeds/export_reader/every-record-type.jsonl > native/cli/tests/golden/analyze-every-record-type.txt

use std::path::Path;
use std::process::Command;

/// Runs the CLI from the workspace root (the reports show paths as given).
fn stdout_of(args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_memwatch")).current_dir(root).args(args).output().expect("run memwatch");
    assert!(out.status.success(), "memwatch {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn diff_table_of_the_tiny_fixtures() {
    let got = stdout_of(&[
        "diff",
        "core/tests/fixtures/tiny-before.heapsnapshot",
        "core/tests/fixtures/tiny-after.heapsnapshot",
    ]);
    assert_eq!(got, include_str!("golden/diff-tiny.txt"));
}

#[test]
fn analyze_summary_of_an_export_with_every_record_type() {
    let got = stdout_of(&[
        "analyze",
        "--growth-count",
        "2",
        "--noise-floor-bytes",
        "0",
        "--noise-floor-percent",
        "0",
        "fuzz/seeds/export_reader/every-record-type.jsonl",
    ]);
    assert_eq!(got, include_str!("golden/analyze-every-record-type.txt"));
}
