//! HeapDiff inside `memwatch run`: node-memwatch's LeakingClass test on real V8, with the
//! expected size computed independently from the "after" heap snapshot.

mod common;

use common::{js, run, TempDir};
use serde_json::Value;

/// Self sizes of all `object` nodes named `name`, read straight from the snapshot JSON with
/// serde_json (independent of memwatch-core's parser).
fn self_sizes_of(snapshot: &std::path::Path, name: &str) -> Vec<u64> {
    let text = std::fs::read_to_string(snapshot).expect("read snapshot");
    let v: Value = serde_json::from_str(&text).expect("snapshot is JSON");
    let meta = &v["snapshot"]["meta"];
    let fields: Vec<&str> = meta["node_fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let types: Vec<&str> = meta["node_types"][0].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let pos = |f: &str| fields.iter().position(|x| *x == f).unwrap();
    let (ti, ni, si) = (pos("type"), pos("name"), pos("self_size"));
    let strings = v["strings"].as_array().unwrap();
    let nodes = v["nodes"].as_array().unwrap();
    nodes
        .chunks(fields.len())
        .filter(|n| types[n[ti].as_u64().unwrap() as usize] == "object")
        .filter(|n| strings[n[ni].as_u64().unwrap() as usize] == name)
        .map(|n| n[si].as_u64().unwrap())
        .collect()
}

#[test]
fn leaking_class_between_heapdiff_start_and_end() {
    let dir = TempDir::new("heapdiff");
    let snaps = dir.path("snaps");
    let out = dir.path("export.ndjson");
    let r = run(&[
        "run",
        js("leaking-class.js").to_str().unwrap(),
        "--json",
        "--snapshot-dir",
        snaps.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);

    // The script prints (to stderr in --json mode) the diff hd.end() returned.
    let lines: Vec<Value> = r.stderr.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let diff = &lines[0]["diff"];
    let details = diff["change"]["details"].as_array().expect("details array");
    let lc: Vec<&Value> = details.iter().filter(|d| d["what"] == "LeakingClass").collect();
    assert_eq!(lc.len(), 1, "one LeakingClass bucket: {details:?}");
    assert_eq!(lc[0]["+"], 10000);
    assert_eq!(lc[0]["-"], 0);

    // Instance size as V8 reports it in the after snapshot (kept via --snapshot-dir).
    let after = std::fs::read_dir(&snaps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-after.heapsnapshot"))
        .expect("after snapshot kept");
    let sizes = self_sizes_of(&after, "LeakingClass");
    assert_eq!(sizes.len(), 10000, "10,000 instances in the after snapshot");
    assert!(sizes.iter().all(|&s| s == sizes[0]), "all instances have one size");
    assert_eq!(lc[0]["size_bytes"], 10000 * sizes[0]);

    // The shape of node-memwatch's object.
    for side in ["before", "after"] {
        assert!(diff[side]["nodes"].as_u64().unwrap() > 0);
        assert!(diff[side]["size_bytes"].as_u64().unwrap() > 0);
        assert!(diff[side]["size"].is_string());
    }
    assert!(diff["change"]["allocated_nodes"].as_u64().unwrap() >= 10000);
    assert!(diff["change"]["size_bytes"].is_i64());
    let names: Vec<&str> = details.iter().map(|d| d["what"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "details sorted by name");

    // Second end() and a call without `new` throw like node-memwatch.
    assert_eq!(lines[1]["second"], "attempt to end() a HeapDiff that was already ended");
    assert!(lines[1]["withoutNew"].as_str().unwrap().starts_with("TypeError"), "{:?}", lines[1]);

    // The same diff went to --json and to the export, with the snapshot files referenced.
    let hd = r.events("heapdiff");
    assert_eq!(hd.len(), 1);
    assert_eq!(hd[0]["diff"], *diff);
    let export = memwatch_core::export::read_export(&std::fs::read(&out).unwrap()).expect("valid export");
    let n_diffs = export.records.iter().filter(|r| matches!(r, memwatch_core::export::Record::HeapDiff(_))).count();
    let n_snaps = export.records.iter().filter(|r| matches!(r, memwatch_core::export::Record::Snapshot(_))).count();
    assert_eq!((n_diffs, n_snaps), (1, 2));
}

#[test]
fn snapshot_gcs_are_marked_and_not_counted() {
    let dir = TempDir::new("snapgc");
    let out = dir.path("export.ndjson");
    let r = run(&["run", js("leaking-class.js").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let export = memwatch_core::export::read_export(&std::fs::read(&out).unwrap()).expect("valid export");
    let samples: Vec<_> = export
        .records
        .iter()
        .filter_map(|r| match r {
            memwatch_core::export::Record::Gc(s) => Some(s),
            _ => None,
        })
        .collect();
    let snapshot_gcs = samples.iter().filter(|s| s.snapshot).count();
    assert!(snapshot_gcs >= 2, "V8 collects before each of the two snapshots: {snapshot_gcs}");
    let analysis =
        memwatch_core::export::analyze_export(&export, &Default::default()).expect("recorded parameters are valid");
    let full_app_gcs = samples.iter().filter(|s| !s.snapshot && s.gc_type.is_full()).count() as u64;
    let last = analysis.analysis.stats.clone().unwrap_or_default();
    assert_eq!(last.num_full_gc, full_app_gcs, "snapshot GCs are not counted");
}

/// A snapshot that fails half-way while V8 streams it (here: its kept file hits the file-size
/// limit) stops V8's serialiser and reaches the script as a clear error naming the file; the run
/// goes on and nothing hangs.
#[test]
fn a_snapshot_failing_mid_stream_is_a_clear_error_not_a_hang() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = TempDir::new("heapdiff-efbig");
    let snaps = dir.path("snaps");
    let script = dir.write(
        "hd.js",
        "const keep = [];\nfor (let i = 0; i < 50000; i++) keep.push({ i });\n\
         try { new memwatch.HeapDiff(); console.log('no error'); }\n\
         catch (e) { console.log('caught: ' + e.message); }\nconsole.log('still running');\n",
    );
    // SIGXFSZ ignored (inherited through exec): the write past 512 KiB fails with EFBIG.
    let cmd = format!(
        "trap '' XFSZ; ulimit -f 512; exec '{}' run --snapshot-dir '{}' '{}'",
        common::bin(),
        snaps.display(),
        script.display()
    );
    let mut child = Command::new("bash")
        .args(["-c", &cmd])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bash");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("memwatch hung after a failed snapshot write");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let caught = stdout.lines().find(|l| l.starts_with("caught: ")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(caught.contains("HeapDiff: I/O error on") && caught.contains("-before.heapsnapshot"), "{caught}");
    assert!(caught.to_lowercase().contains("too large"), "the reason (EFBIG): {caught}");
    assert!(stdout.contains("still running"), "{stdout}");
    // V8 stopped at the failure: the file holds what fitted, not a whole snapshot.
    let kept: Vec<_> = std::fs::read_dir(&snaps).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(std::fs::metadata(&kept[0]).unwrap().len() <= 512 * 1024);
}
