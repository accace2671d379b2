//! HeapDiff's temporary snapshots: each in a private directory (unpredictable name, mode 0700,
//! file created exclusively) under TMPDIR, so a symlink planted at a guessable name cannot make
//! memwatch overwrite its target; and removed when the run is stopped by SIGINT or SIGTERM,
//! which end it with status 128 + signal and a readable export.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, TempDir};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn spawn_run(tmpdir: &Path, args: &[&str]) -> Child {
    Command::new(bin())
        .arg("run")
        .args(args)
        .env("TMPDIR", tmpdir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn memwatch")
}

fn wait_within(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("memwatch still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

#[test]
fn a_symlink_planted_at_the_old_predictable_name_is_not_followed() {
    let dir = TempDir::new("tmp-symlink");
    let tmp = dir.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let victim = dir.write("victim.txt", "precious\n");
    // The script waits before its HeapDiff so the links are in place first.
    let script = dir.write(
        "hd.js",
        "setTimeout(() => {\n  const hd = new memwatch.HeapDiff();\n  const keep = [];\n  \
         for (let i = 0; i < 1000; i++) keep.push({ i });\n  console.log('diff', hd.end().change.allocated_nodes > 0);\n}, 500);\n",
    );
    let mut child = spawn_run(&tmp, &[s(&script)]);
    let pid = child.id();
    for n in 1..=4 {
        for label in ["before", "after"] {
            let link = tmp.join(format!("memwatch-{pid}-{n}-{label}.heapsnapshot"));
            std::os::unix::fs::symlink(&victim, &link).unwrap();
        }
    }
    let status = wait_within(&mut child, Duration::from_secs(60));
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(out.contains("diff true"), "{out}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n", "the link's target was written");
    // Only the planted links remain: the private directories are gone after the diff.
    assert!(entries(&tmp).iter().all(|p| p.is_symlink()), "{:?}", entries(&tmp));
}

/// Starts a script that begins a HeapDiff and then waits; returns once the "before" snapshot is
/// written, with the private directory memwatch made for it.
fn start_waiting_heapdiff(dir: &TempDir, tmp: &Path, out: &Path) -> (Child, PathBuf) {
    let script = dir.write(
        "wait.js",
        "const hd = new memwatch.HeapDiff();\nconsole.log('started');\nsetTimeout(() => hd.end(), 120000);\n",
    );
    let mut child = spawn_run(tmp, &["--out", s(out), s(&script)]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().map(|l| l.unwrap());
    assert_eq!(first.as_deref(), Some("started"));
    let found = entries(tmp);
    assert_eq!(found.len(), 1, "one private directory in TMPDIR, nothing else: {found:?}");
    (child, found[0].clone())
}

#[test]
fn temporary_snapshots_live_in_a_private_directory() {
    let dir = TempDir::new("tmp-private");
    let tmp = dir.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let (mut child, private) = start_waiting_heapdiff(&dir, &tmp, &dir.path("e.ndjson"));
    let meta = std::fs::symlink_metadata(&private).unwrap();
    assert!(meta.is_dir(), "{private:?}");
    assert_eq!(meta.permissions().mode() & 0o777, 0o700, "{private:?}");
    let name = private.file_name().unwrap().to_str().unwrap().to_string();
    assert!(name.starts_with("memwatch-") && !name.contains(&child.id().to_string()), "unpredictable: {name}");
    let files = entries(&private);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].to_str().unwrap().ends_with("-before.heapsnapshot"), "{files:?}");
    assert_eq!(std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777, 0o600);
    let _ = child.kill();
    let _ = child.wait();
}

fn stopped_by(signal: i32, expected: i32) {
    let dir = TempDir::new(&format!("tmp-signal-{signal}"));
    let tmp = dir.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let out = dir.path("e.ndjson");
    let (mut child, private) = start_waiting_heapdiff(&dir, &tmp, &out);
    // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let status = wait_within(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(expected), "{status:?}");
    assert!(!private.exists(), "{private:?} left behind");
    assert!(entries(&tmp).is_empty(), "{:?}", entries(&tmp));
    // The export written so far stays readable.
    let r = common::run(&["analyze", s(&out)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("start"), "{}", r.stdout);
}

#[test]
fn sigterm_removes_the_temporary_snapshots_and_exits_143() {
    stopped_by(libc::SIGTERM, 143);
}

#[test]
fn sigint_removes_the_temporary_snapshots_and_exits_130() {
    stopped_by(libc::SIGINT, 130);
}
