//! Parser tests on real V8 snapshots written by Node (`v8.writeHeapSnapshot`) at test time.
//! Fail (never skip) when `node` is not installed.

#[path = "fixtures/support.rs"]
mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

use memwatch_core::snapshot::{parse_bytes, parse_reader, NodeType, ParseOptions};
use support::{assert_same, oracle, parse_in_chunks, run_node, temp_dir};

/// A heap with varied content: escapes, non-ASCII and astral strings, arrays, maps, closures.
const SCRIPT: &str = r#"
const v8 = require('v8');
class Widget { constructor(i) { this.i = i; this.label = 'w\t"' + i + '"\n'; } }
globalThis.keep = {
  widgets: Array.from({ length: 500 }, (_, i) => new Widget(i)),
  text: ['h\u00e9llo w\u00f6rld', '\u4f60\u597d', 'emoji \u{1F600}\u{1F680}', 'back\\slash /'],
  map: new Map(Array.from({ length: 100 }, (_, i) => ['k' + i, { v: i }])),
  fns: Array.from({ length: 50 }, (_, i) => () => i),
  nums: [1.5, 2.5, 3.5],
};
v8.writeHeapSnapshot(process.argv[1] + '/real.heapsnapshot');
"#;

/// The generated file's bytes (fails the test without node).
fn real() -> &'static [u8] {
    static FILE: OnceLock<Vec<u8>> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir: PathBuf = temp_dir("real");
        run_node(SCRIPT, &dir);
        let bytes = std::fs::read(dir.join("real.heapsnapshot")).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        bytes
    })
}

#[test]
fn real_snapshot_matches_serde_json_reading() {
    let bytes = real();
    let ours = parse_reader(bytes).unwrap();
    assert!(ours.node_count() > 10_000, "a Node heap has tens of thousands of nodes");
    assert_same(&ours, &oracle(bytes));
    // Spot-check meaning, not just agreement: our class and strings are there.
    let widgets = (0..ours.node_count())
        .filter(|&n| ours.node_kind(n) == NodeType::Object && ours.node_name_str(n) == "Widget")
        .count();
    assert_eq!(widgets, 500);
    let all: Vec<&str> = (0..ours.strings.len() as u32).map(|i| ours.strings.get(i)).collect();
    // (Astral characters are not checked here: V8 itself writes them as a truncated 4-digit
    // \u escape, e.g. U+1F600 as \uF600; surrogate pairs are covered by the tiny fixtures.)
    for s in ["h\u{e9}llo w\u{f6}rld", "\u{4f60}\u{597d}", "back\\slash /", "w\t\"7\"\n"] {
        assert!(all.contains(&s), "string {s:?} missing");
    }
}

#[test]
fn chunk_size_does_not_change_the_result() {
    let bytes = real();
    let whole = parse_bytes(bytes).unwrap();
    for size in [1, 7, 4096] {
        assert_same(&whole, &parse_in_chunks(bytes, size, ParseOptions::default()));
    }
}

#[test]
fn truncated_real_snapshot_always_errors() {
    let bytes = real();
    let end = bytes.iter().rposition(|&b| b == b'}').unwrap();
    // 16 cuts spread over the file plus cuts right around each section start (each cut is a
    // full debug-mode parse, so the every-byte sweep is left to the tiny fixtures).
    let mut cuts: Vec<usize> = (0..16).map(|k| k * end / 16 + k).collect();
    for key in ["\"nodes\"", "\"edges\"", "\"strings\"", "\"locations\""] {
        let p = bytes.windows(key.len()).position(|w| w == key.as_bytes()).unwrap();
        cuts.extend([p.saturating_sub(1), p + 1, p + key.len() + 1]);
    }
    for cut in cuts.into_iter().filter(|&c| c <= end) {
        let e = parse_bytes(&bytes[..cut]).unwrap_err();
        assert!(e.offset <= cut as u64, "cut {cut}: {e}");
    }
}
