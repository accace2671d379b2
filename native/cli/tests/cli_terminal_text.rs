//! Text from files reaches the terminal escaped: an export whose producer, HeapDiff label, sizes
//! and markers hold escape sequences must not be able to drive the terminal through `memwatch
//! analyze`; nor a script's exception message through `memwatch run`. And options that take a
//! number refuse NaN and infinity.

mod common;

use memwatch_core::diff::HeapDiff;
use memwatch_core::export::{ExportWriter, Header, HeapDiffRecord, Marker, Record};

use common::{run, TempDir};

/// OSC 0 (set the window title), CSI 2J (clear screen), a C1 CSI and a bidi override.
const NASTY: &str = "\x1b]0;pwned\x07\x1b[2J\u{9b}31m\u{202e}";

fn assert_no_control(text: &str) {
    for bad in ['\x1b', '\x07', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(bad), "raw {bad:?} in output: {text:?}");
    }
}

#[test]
fn analyze_escapes_producer_labels_sizes_and_markers() {
    let dir = TempDir::new("escape-analyze");
    let header = Header::new(&format!("producer{NASTY}"), 1_700_000_000_000.0);
    let mut w = ExportWriter::new(Vec::new(), &header).unwrap();
    let mut diff = HeapDiff::default();
    diff.change.size = format!("1 kb{NASTY}");
    w.write(&Record::HeapDiff(HeapDiffRecord {
        start_ns: 1,
        time_ns: 2,
        label: Some(format!("label{NASTY}")),
        diff,
        before_snapshot: None,
        after_snapshot: None,
    }))
    .unwrap();
    w.write(&Record::Marker(Marker {
        time_ns: 3,
        kind: format!("kind{NASTY}"),
        message: Some(format!("message{NASTY}\nsecond line")),
    }))
    .unwrap();
    let f = dir.path("evil.ndjson");
    std::fs::write(&f, w.into_inner()).unwrap();

    let r = run(&["analyze", f.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_no_control(&r.stdout);
    assert_no_control(&r.stderr);
    // Still shown, escaped.
    for shown in ["producer\\u{1b}]0;pwned\\u{7}", "label\\u{1b}", "1 kb\\u{1b}", "kind\\u{1b}", "message\\u{1b}"] {
        assert!(r.stdout.contains(shown), "{shown} missing: {}", r.stdout);
    }
    assert!(r.stdout.contains("\\nsecond line"), "a marker stays on its line: {}", r.stdout);
}

#[test]
fn run_escapes_the_scripts_exception_text() {
    let dir = TempDir::new("escape-run");
    let script = dir.write("t.js", "throw new Error('boom \\x1b]0;pwned\\x07 \\u009b2J \\u202e');\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_no_control(&r.stderr);
    assert!(r.stderr.contains("Error: boom \\u{1b}]0;pwned\\u{7}"), "{}", r.stderr);
    // Multi-line reports keep their lines.
    assert!(r.stderr.contains("\n    at "), "{}", r.stderr);
}

#[test]
fn float_options_refuse_nan_and_infinity() {
    let dir = TempDir::new("finite-floats");
    let f = dir.write("e.ndjson", "");
    for (flag, value) in [
        ("--noise-floor-percent", "NaN"),
        ("--trend-min-r2", "inf"),
        ("--trend-min-growth-percent", "-infinity"),
        ("--trend-min-r2", "nan"),
    ] {
        let r = run(&["analyze", f.to_str().unwrap(), &format!("{flag}={value}")]);
        assert_eq!(r.code, Some(2), "{flag} {value}: {}", r.stderr);
        assert!(r.stderr.contains(flag) && r.stderr.contains("finite"), "{}", r.stderr);
    }
}

/// tiny-after.heapsnapshot with its class `Bar` renamed to carry escape sequences.
fn evil_snapshot(dir: &TempDir) -> std::path::PathBuf {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/tests/fixtures");
    let text = std::fs::read_to_string(fixtures.join("tiny-after.heapsnapshot")).unwrap();
    assert!(text.contains("\"Bar\","));
    let evil = text.replace("\"Bar\",", "\"Bar\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202e\",");
    dir.write("evil.heapsnapshot", &evil)
}

#[test]
fn leaks_and_diff_escape_class_names_from_snapshots() {
    let dir = TempDir::new("escape-leaks");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/tests/fixtures");
    let before = fixtures.join("tiny-before.heapsnapshot");
    let evil = evil_snapshot(&dir);
    let (b, e) = (before.to_str().unwrap(), evil.to_str().unwrap());

    let r = run(&["leaks", b, e, e]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_no_control(&r.stdout);
    assert!(r.stdout.contains("Bar\\u{1b}]0;pwned\\u{7}"), "{}", r.stdout);
    assert!(r.stdout.contains("-> [0] -> Bar\\u{1b}"), "{}", r.stdout);

    let r = run(&["diff", b, e]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_no_control(&r.stdout);
    assert!(r.stdout.contains("Bar\\u{1b}"), "{}", r.stdout);
}
