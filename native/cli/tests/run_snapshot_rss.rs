//! One HeapDiff snapshot taken and parsed inside `memwatch run` costs less peak RSS than Node's
//! own `v8.writeHeapSnapshot()` of the same heap (issue 16): bench/snapshot-cost.js, a Map of
//! 131,072 records. The Map's table gives the snapshot ~130,000 distinct index names; V8 15.2
//! keeps a 4 KiB buffer for each unless the binary routes them through
//! native/sampler/src/snapshot_names.rs (736 MB against Node's 394 MB before, 291 MB after).

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `program args` to its end; its exit status and peak RSS in KiB (`wait4`'s `ru_maxrss`,
/// this child's alone: other tests' children do not count).
// The child is reaped by `wait4` (std has no way to get its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn peak_rss_kib(program: &str, args: &[&str]) -> (i32, i64) {
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let mut status = 0;
    // SAFETY: all-zero is a valid `rusage` (plain integers and timevals).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `child.id()` is our unwaited child; `status` and `usage` are valid for writes.
    // `Child` is not waited afterwards (dropping it does not wait), so the pid is reaped once.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4: {}", std::io::Error::last_os_error());
    assert!(libc::WIFEXITED(status), "{program} ended by a signal: {status}");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

#[test]
fn a_snapshot_in_run_needs_less_rss_than_nodes_write_heap_snapshot() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/snapshot-cost.js");
    let script = script.to_str().unwrap();
    let (code, ours) = peak_rss_kib(env!("CARGO_BIN_EXE_memwatch"), &["run", script, "--", "131072"]);
    assert_eq!(code, 0, "memwatch run {script} failed");
    let (code, node) = peak_rss_kib("node", &[script, "131072"]);
    assert_eq!(code, 0, "node {script} failed");
    assert!(ours < node, "memwatch run: {ours} KiB peak RSS, node: {node} KiB");
}
