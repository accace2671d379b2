//! Allocation sites in leak reports: snapshots written by `node --track-heap-objects` carry
//! allocation stacks, and each holder of `memwatch leaks` lists where its gained objects were
//! allocated (`step (map-cache.js:5:14)`: the allocating function where it is defined, 1-based).
//! Without tracking there is no such list. `memwatch run --track-allocations --leak-retainers`
//! does the same in its leak events. Needs `node` on PATH; without it the Node tests fail.

use std::path::Path;
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/leaks");

/// Runs a corpus file under Node (with `flags`) and returns `leaks --json` and `leaks` text.
fn leaks(file: &str, flags: &[&str]) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let st = Command::new("node")
        .args(flags)
        .arg(Path::new(CORPUS).join(file))
        .arg(dir.path())
        .status()
        .expect("`node` must be on PATH to write the snapshots");
    assert!(st.success(), "node {file}");
    let p = |n: &str| dir.path().join(format!("{n}.heapsnapshot")).to_str().expect("utf8").to_string();
    let args = [p("baseline"), p("target"), p("final")];
    let run = |flags: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_memwatch"))
            .arg("leaks")
            .args(flags)
            .args(&args)
            .output()
            .expect("run memwatch");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let json = run(&["--json", "--threads", "1"]);
    // Scanned in pieces on several threads, the trace column of every piece is kept.
    assert!(json == run(&["--json", "--threads", "12"]), "{file}: --threads 12 differs from --threads 1");
    let v = serde_json::from_slice(&json).expect("JSON");
    (v, String::from_utf8(run(&[])).expect("utf8"))
}

#[test]
fn tracked_snapshots_name_the_allocating_function_in_the_first_holder() {
    for (file, holder, site, caller) in [
        ("map-cache.js", "sessionCache", "step (map-cache.js:5:14)", "runUnderNode (map-cache.js:7:22)"),
        ("closure-cache.js", "entries", "step (closure-cache.js:9:14)", "runUnderNode (closure-cache.js:11:22)"),
        ("linked-queue.js", "jobs", "push (linked-queue.js:6:7)", "step (linked-queue.js:10:14)"),
    ] {
        let (v, text) = leaks(file, &["--track-heap-objects"]);
        let first = &v["holders"][0];
        assert_eq!(first["name"], holder, "{file}: {first}");
        let stacks = first["allocations"].as_array().unwrap_or_else(|| panic!("{file}: no allocations in {first}"));
        assert!(!stacks.is_empty() && stacks.len() <= 3, "{file}: {stacks:?}");
        let frames = stacks[0]["frames"].as_array().expect("frames");
        assert_eq!(frames[0], site, "{file}: {frames:?}");
        assert_eq!(frames[1], caller, "{file}: {frames:?}");
        assert!(frames.len() <= 5, "{file}: {frames:?}");
        // The stacks cover the holder's gained objects, the first being the largest.
        let size: u64 = stacks.iter().map(|s| s["retained_size"].as_u64().expect("size")).sum();
        assert!(size <= first["gained_retained_size"].as_u64().expect("gained"), "{file}");
        assert!(stacks[0]["retained_size"].as_u64() >= stacks.last().expect("one")["retained_size"].as_u64());

        // The text report shows the site under the first holder, before the second one.
        let first_holder = text.split("\n#2 ").next().expect("text");
        let first_holder = first_holder.split("By class and retainer path").next().expect("text");
        assert!(first_holder.contains(&format!(") in {site}\n")), "{file}:\n{first_holder}");
        assert!(first_holder.contains(&format!("        from {caller}\n")), "{file}:\n{first_holder}");
    }
}

#[test]
fn untracked_snapshots_list_no_allocation_sites() {
    let (v, text) = leaks("map-cache.js", &[]);
    let first = &v["holders"][0];
    assert_eq!(first["name"], "sessionCache");
    assert!(first.get("allocations").is_none(), "{first}");
    assert!(!text.contains("allocated:"), "{text}");
}

#[test]
fn run_track_allocations_lists_the_allocating_function_under_the_first_holder() {
    let script = Path::new(CORPUS).join("map-cache.js");
    let run = |track: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_memwatch"));
        c.args(["run", "--leak-retainers", "3"]);
        if track {
            c.arg("--track-allocations");
        }
        let out = c.arg(&script).output().expect("run memwatch");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stderr).expect("utf8")
    };
    let text = run(true);
    let first = text.split("  #2 ").next().expect("text");
    assert!(first.contains("  #1  sessionCache "), "{first}");
    assert!(first.contains(") in step (map-cache.js:5:14)\n"), "{first}");
    assert!(!text.contains(") in ?"), "{text}");
    // Without tracking, the same report has no allocation sites.
    let text = run(false);
    assert!(text.contains("  #1  sessionCache "), "{text}");
    assert!(!text.contains("allocated: "), "{text}");
}
