//! `--threads N` / `MEMWATCH_THREADS` on the commands that parse snapshots: the output is the
//! same bytes for every thread count, and bad counts are usage errors (exit 2). Uses snapshots
//! written by a real Node process (several MiB, so the node and edge arrays are cut into many
//! pieces); without `node` on PATH the tests fail.

use std::process::{Command, Output};

mod common;

fn memwatch(args: &[&str], threads_env: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_memwatch"));
    cmd.args(args).env_remove("MEMWATCH_THREADS");
    if let Some(t) = threads_env {
        cmd.env("MEMWATCH_THREADS", t);
    }
    cmd.output().expect("run memwatch")
}

fn ok(out: Output) -> Vec<u8> {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn diff_and_leaks_give_identical_bytes_for_any_thread_count() {
    let (_dir, [b, t, f]) = common::leaky_app_snapshots();
    let size = std::fs::metadata(&f).expect("final").len();
    assert!(size > 2 << 20, "final snapshot only {size} bytes: too small to be cut into pieces");
    // `leaks` also splits its analysis over threads (paths next to dominators, holders next to
    // grouping): every group and holder, internal objects included, must come out the same.
    let runs: [&[&str]; 5] = [
        &["diff", &b, &f, "--json"],
        &["diff", &t, &f, "--retainers", "3"],
        &["leaks", &b, &t, &f, "--json"],
        &["leaks", &b, &t, &f],
        &["leaks", &b, &t, &f, "--json", "--max-groups", "0", "--include-internal"],
    ];
    for args in runs {
        let one = ok(memwatch(&[args, &["--threads", "1"]].concat(), None));
        assert!(!one.is_empty());
        // Threads are shared by the files parsed at once: 6 gives leaks two per file.
        for n in ["2", "4", "6"] {
            let got = ok(memwatch(&[args, &["--threads", n]].concat(), None));
            assert!(got == one, "{args:?} with {n} threads differs from 1 thread");
            let got = ok(memwatch(args, Some(n)));
            assert!(got == one, "{args:?} with MEMWATCH_THREADS={n} differs from 1 thread");
        }
        // The default (the core count) too.
        assert!(ok(memwatch(args, None)) == one, "{args:?} with the default thread count");
    }
}

#[test]
fn bad_thread_counts_are_usage_errors() {
    let (_dir, [b, t, f]) = common::leaky_app_snapshots();
    for bad in ["0", "-2", "many", "1.5", "100000"] {
        for args in [vec!["diff", &b, &t], vec!["leaks", &b, &t, &f]] {
            let flag = format!("--threads={bad}");
            let out = memwatch(&[&args[..], &[flag.as_str()]].concat(), None);
            assert_eq!(out.status.code(), Some(2), "--threads {bad}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("--threads") && err.contains("from 1 to 1024"), "{err}");
            assert!(out.stdout.is_empty());
            let out = memwatch(&args, Some(bad));
            assert_eq!(out.status.code(), Some(2), "MEMWATCH_THREADS={bad}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("from 1 to 1024"));
        }
    }
}

/// A bad file gives the same located error (byte, line, column) with one thread and several.
#[test]
fn errors_are_the_same_for_any_thread_count() {
    let (dir, [b, _, f]) = common::leaky_app_snapshots();
    let text = std::fs::read(&f).expect("read");
    let at = text.len() / 2;
    let mut bad = text.clone();
    bad[at] = b'x';
    let bad_path = dir.path().join("bad.heapsnapshot");
    std::fs::write(&bad_path, &bad).expect("write");
    let bad_path = bad_path.to_str().expect("utf8").to_string();
    let one = memwatch(&["diff", &b, &bad_path, "--threads", "1"], None);
    assert_eq!(one.status.code(), Some(2));
    let err = String::from_utf8_lossy(&one.stderr).to_string();
    assert!(err.contains("bad.heapsnapshot") && err.contains("line"), "{err}");
    for n in ["2", "4", "6"] {
        let out = memwatch(&["diff", &b, &bad_path, "--threads", n], None);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&out.stderr), err, "{n} threads");
    }
}
