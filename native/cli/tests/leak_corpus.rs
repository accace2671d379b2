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
    /// How many objects of the leaked class the holder gained in the Node reports (500 steps
    /// between snapshots), when checked.
    count: Option<u64>,
    /// A piece of every report's headline, when checked.
    headline_has: Option<&'static str>,
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
    // Under memwatch run the holder, its class and location must be right on every run.
    let run = run_first_leak(name).unwrap_or_else(|| panic!("{name}: no leak event under memwatch run"));
    check_holder("run --leak-retainers", &run["holders"][0], name, &e);
    if let Some(n) = e.count {
        for (what, h) in [("leaks", &r["holders"][0]), ("diff --retainers", &d["retainers"]["holders"][0])] {
            assert_eq!(h["classes"][0]["count"], n, "{what}: {}", h["headline"]);
        }
    }
    if let Some(part) = e.headline_has {
        for (what, h) in
            [("leaks", &r["holders"][0]), ("diff", &d["retainers"]["holders"][0]), ("run", &run["holders"][0])]
        {
            let line = h["headline"].as_str().unwrap_or_default();
            assert!(line.contains(part), "{what}: headline {line:?} should contain {part:?}");
        }
    }
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
            let e = Expect {
                holder: $holder,
                class: $class,
                leaked: $leaked,
                example_ends: None,
                count: None,
                headline_has: None,
            };
            leak($name, e);
        }
    };
}

leak_test!(module_map_cache, "map-cache", "sessionCache", "Map", "Session");
leak_test!(cache_held_by_a_closure, "closure-cache", "entries", "Array", "Record");
/// The gained objects are listener closures; the example continues to the subscriber they keep.
#[test]
fn listeners_on_a_long_lived_emitter() {
    let e = Expect {
        holder: "data",
        class: "Array",
        leaked: "(closure)",
        example_ends: Some("-> sub -> Subscriber"),
        count: None,
        headline_has: None,
    };
    leak("emitter-listeners", e);
}
leak_test!(array_in_a_singleton, "singleton-array", "entries", "Array", "AuditEntry");
leak_test!(memo_keyed_by_objects, "memo-object-keys", "memo", "Map", "Rendered");
/// 500 concatenated strings: their parts are not more gained strings (+500, not +3500).
#[test]
fn strings_only() {
    let e = Expect {
        holder: "requestLog",
        class: "Array",
        leaked: "(string)",
        example_ends: None,
        count: Some(500),
        headline_has: None,
    };
    leak("strings-only", e);
}
leak_test!(never_settled_promises, "pending-promises", "pending", "Map", "PendingCall");
leak_test!(set_of_sockets, "socket-set", "openSockets", "Set", "Socket");
leak_test!(error_log, "error-log", "errorLog", "Array", "Error");

/// Each job's `setInterval` keeps it: Node's timer list (and `memwatch run`'s timer handles)
/// hold `Timeout`s; the report names the callback and what it keeps, not the list.
#[test]
fn interval_never_cleared() {
    let e = Expect {
        holder: "setInterval callback pollUploadStatus",
        class: "Timeout",
        leaked: "UploadJob",
        example_ends: Some("-> context -> job -> UploadJob"),
        count: Some(500),
        headline_has: Some("pollUploadStatus (interval-never-cleared.js:4:40) -> context -> job [UploadJob] +"),
    };
    leak("interval-never-cleared", e);
}

/// Each new value is kept by the previous one's closure context: a chain from `current` whose
/// members count under the variable (+500), not as one object under the newest link.
#[test]
fn shared_closure_context() {
    let e = Expect {
        holder: "current",
        class: "Object",
        leaked: "Object",
        example_ends: None,
        count: Some(500),
        headline_has: None,
    };
    leak("shared-context", e);
}

/// A queue's new links hang from its old tail: the holder is the queue (`jobs`), +500 links.
#[test]
fn growing_linked_queue() {
    let e = Expect {
        holder: "jobs",
        class: "JobQueue",
        leaked: "QueueNode",
        example_ends: Some("-> head -> next x50 -> QueueNode"),
        count: Some(500),
        headline_has: None,
    };
    leak("linked-queue", e);
}

#[test]
fn control_bounded_lru() {
    control("control-lru");
}

#[test]
fn control_weakmap_memo() {
    control("control-weakmap-memo");
}
