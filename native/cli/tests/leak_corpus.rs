//! The leak corpus (tests/leaks/*.js): realistic leak patterns and two non-leaking controls, each
//! run under Node (three snapshots: `leaks` and `diff --retainers`) and under `memwatch run
//! --leak-retainers`. For each leak the first holder must be the true holder, with its class,
//! the leaked class and a file:line:col in the corpus file; controls must report no leak.
//! Needs `node` on PATH; without it the tests fail. Score table: docs/retainers.md.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/leaks").join(format!("{name}.js"))
}

fn memwatch_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_memwatch")).args(args).output().expect("run memwatch");
    assert!(out.status.success(), "memwatch {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// Runs the pattern under Node; returns the directory with the three snapshots.
fn node_snapshots(name: &str) -> (tempfile::TempDir, [String; 3]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let st = Command::new("node")
        .arg(corpus(name))
        .arg(dir.path())
        .status()
        .expect("`node` must be on PATH to run the leak corpus");
    assert!(st.success(), "node {name}");
    let p = |n: &str| dir.path().join(format!("{n}.heapsnapshot")).to_str().expect("utf8").to_string();
    let files = [p("baseline"), p("target"), p("final")];
    (dir, files)
}

/// The first leak event's retainers under `memwatch run --leak-retainers 3 --json`, if any.
fn run_first_leak(name: &str) -> Option<serde_json::Value> {
    let script = corpus(name);
    let out = Command::new(env!("CARGO_BIN_EXE_memwatch"))
        .args(["run", "--leak-retainers", "3", "--json", script.to_str().expect("utf8")])
        .output()
        .expect("run memwatch");
    assert!(out.status.success(), "memwatch run {name}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["retainers"].is_object())
        .map(|e| e["retainers"].clone())
}

struct Expect {
    holder: &'static str,
    class: &'static str,
    leaked: &'static str,
    /// How the representative path past the holder ends, when checked.
    example_ends: Option<&'static str>,
}

fn check_holder(what: &str, h: &serde_json::Value, name: &str, e: &Expect) {
    assert_eq!(h["name"], e.holder, "{what}: {h}");
    assert_eq!(h["class"], e.class, "{what}: {h}");
    assert_eq!(h["classes"][0]["class"], e.leaked, "{what}: {h}");
    let loc = h["location"].as_str().unwrap_or_default();
    assert!(loc.starts_with(&format!("{name}.js:")), "{what}: location {loc:?} in {}", h["headline"]);
    assert!(h["headline"].as_str().unwrap().contains(&format!("({name}.js:")), "{what}: {}", h["headline"]);
}

fn leak(name: &str, e: Expect) {
    let (_dir, [b, t, f]) = node_snapshots(name);
    let r = memwatch_json(&["leaks", "--json", &b, &t, &f]);
    check_holder("leaks", &r["holders"][0], name, &e);
    let d = memwatch_json(&["diff", "--json", "--retainers", "5", &b, &t]);
    check_holder("diff --retainers", &d["retainers"]["holders"][0], name, &e);
    // Under memwatch run the snapshot is taken while V8 may still hold transient roots (a
    // concurrent compile job's handles) that can win the path and hide the closure's location
    // (docs/retainers.md): the holder and classes must be right every time, the location in one
    // of up to three runs.
    let mut located = None;
    for _ in 0..3 {
        let run = run_first_leak(name).unwrap_or_else(|| panic!("{name}: no leak event under memwatch run"));
        let h = &run["holders"][0];
        assert_eq!(h["name"], e.holder, "run --leak-retainers: {h}");
        assert_eq!(h["class"], e.class, "run --leak-retainers: {h}");
        assert_eq!(h["classes"][0]["class"], e.leaked, "run --leak-retainers: {h}");
        if h["location"].as_str().is_some_and(|l| !l.is_empty()) {
            located = Some(h.clone());
            break;
        }
    }
    let run = located.unwrap_or_else(|| panic!("{name}: no run --leak-retainers report located the holder"));
    check_holder("run --leak-retainers", &run, name, &e);
    if let Some(end) = e.example_ends {
        let text = r["holders"][0]["example"]["text"].as_str().unwrap_or_default();
        assert!(text.ends_with(end), "{name}: example {text:?} should end at {end:?}");
    }
}

fn control(name: &str) {
    let (_dir, [b, t, f]) = node_snapshots(name);
    let r = memwatch_json(&["leaks", "--json", &b, &t, &f]);
    assert_eq!(r["reported_objects"], 0, "{name}: {}", r["holders"]);
    assert!(run_first_leak(name).is_none(), "{name}: a leak event under memwatch run");
}

macro_rules! leak_test {
    ($fn:ident, $name:literal, $holder:literal, $class:literal, $leaked:literal) => {
        #[test]
        fn $fn() {
            leak($name, Expect { holder: $holder, class: $class, leaked: $leaked, example_ends: None });
        }
    };
}

leak_test!(module_map_cache, "map-cache", "sessionCache", "Map", "Session");
leak_test!(cache_held_by_a_closure, "closure-cache", "entries", "Array", "Record");
/// The gained objects are listener closures; the example continues to the subscriber they keep.
#[test]
fn listeners_on_a_long_lived_emitter() {
    let e = Expect { holder: "data", class: "Array", leaked: "(closure)", example_ends: Some("-> sub -> Subscriber") };
    leak("emitter-listeners", e);
}
leak_test!(array_in_a_singleton, "singleton-array", "entries", "Array", "AuditEntry");
leak_test!(memo_keyed_by_objects, "memo-object-keys", "memo", "Map", "Rendered");
leak_test!(strings_only, "strings-only", "requestLog", "Array", "(string)");
leak_test!(never_settled_promises, "pending-promises", "pending", "Map", "PendingCall");
leak_test!(set_of_sockets, "socket-set", "openSockets", "Set", "Socket");
leak_test!(error_log, "error-log", "errorLog", "Array", "Error");

#[test]
fn control_bounded_lru() {
    control("control-lru");
}

#[test]
fn control_weakmap_memo() {
    control("control-weakmap-memo");
}
