//! A TypeScript-compiler workload with two growing holders (tests/fixtures/ts-two-holders.js:
//! an array of retained compiler programs and a cache Map of small records): `diff --retainers
//! 5` names both holders first, each with the class it gained, instead of five classes inside
//! the bigger one. Needs `node` and bench/'s `typescript` (`cd bench && npm ci`); fails without.

use std::path::Path;
use std::process::Command;

#[test]
fn diff_retainers_names_both_growing_holders() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new("node")
        .arg(root.join("tests/fixtures/ts-two-holders.js"))
        .arg(dir.path())
        .output()
        .expect("`node` must be on PATH");
    assert!(out.status.success(), "ts-two-holders.js: {}", String::from_utf8_lossy(&out.stderr));
    let (before, after) = (dir.path().join("before.heapsnapshot"), dir.path().join("after.heapsnapshot"));
    let out = Command::new(env!("CARGO_BIN_EXE_memwatch"))
        .args(["diff", "--json", "--retainers", "5"])
        .arg(&before)
        .arg(&after)
        .output()
        .expect("run memwatch");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let holders = d["retainers"]["holders"].as_array().expect("holders");
    let lines: Vec<&str> = holders.iter().filter_map(|h| h["headline"].as_str()).collect();
    assert!(holders.len() >= 2, "{lines:#?}");
    // The programs retain megabytes each, the cache 20,000 small records: programs first.
    let (p, c) = (&holders[0], &holders[1]);
    assert_eq!((p["name"].as_str(), p["class"].as_str()), (Some("programs"), Some("Array")), "{lines:#?}");
    assert_eq!(p["classes"][0]["class"], "CompiledProject", "{lines:#?}");
    assert_eq!(p["classes"][0]["count"], 2, "{lines:#?}");
    assert_eq!((c["name"].as_str(), c["class"].as_str()), (Some("cache"), Some("Map")), "{lines:#?}");
    assert_eq!(c["classes"][0]["class"], "CacheRecord", "{lines:#?}");
    assert_eq!(c["classes"][0]["count"], 20000, "{lines:#?}");
    for h in [p, c] {
        let loc = h["location"].as_str().unwrap_or_default();
        assert!(loc.contains("ts-two-holders.js:"), "location {loc:?} in {}", h["headline"]);
    }
}
