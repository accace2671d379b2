//! HeapDiff's snapshots without `--snapshot-dir`: parsed while V8 writes them, so no file
//! appears anywhere (TMPDIR, the working directory), a symlink planted at the old predictable
//! name is never followed, and a run stopped by SIGINT or SIGTERM in the middle of a HeapDiff
//! ends with status 128 + signal, a readable export and nothing left behind.

mod common;

use std::io::{BufRead, BufReader};
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
    // Only the planted links are there: the HeapDiff wrote no file.
    assert!(entries(&tmp).iter().all(|p| p.is_symlink()), "{:?}", entries(&tmp));
}

/// Starts a script that begins a HeapDiff and then waits; returns once the "before" snapshot is
/// taken, checking that it left nothing in TMPDIR.
fn start_waiting_heapdiff(dir: &TempDir, tmp: &Path, out: &Path) -> Child {
    let script = dir.write(
        "wait.js",
        "const hd = new memwatch.HeapDiff();\nconsole.log('started');\nsetTimeout(() => hd.end(), 120000);\n",
    );
    let mut child = spawn_run(tmp, &["--out", s(out), s(&script)]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().map(|l| l.unwrap());
    assert_eq!(first.as_deref(), Some("started"));
    assert!(entries(tmp).is_empty(), "nothing in TMPDIR: {:?}", entries(tmp));
    child
}

#[test]
fn no_file_appears_during_a_heapdiff_without_snapshot_dir() {
    let dir = TempDir::new("tmp-none");
    let tmp = dir.path("tmp");
    let cwd = dir.path("cwd");
    std::fs::create_dir(&tmp).unwrap();
    std::fs::create_dir(&cwd).unwrap();
    // A heap big enough for each snapshot to take a while, watched throughout.
    let script = dir.write(
        "hd.js",
        "const keep = [];\nfor (let i = 0; i < 200000; i++) keep.push({ i, s: 'x' + i });\n\
         const hd = new memwatch.HeapDiff();\nconst more = [];\n\
         for (let i = 0; i < 5000; i++) more.push(new (class Grown {})());\n\
         const d = hd.end();\n\
         console.log('grown', d.change.details.find((x) => x.what === 'Grown')['+']);\n",
    );
    let mut child = Command::new(bin())
        .args(["run", s(&script)])
        .current_dir(&cwd)
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn memwatch");
    let start = Instant::now();
    let mut looks = 0u64;
    let status = loop {
        let seen: Vec<PathBuf> = entries(&tmp).into_iter().chain(entries(&cwd)).collect();
        assert!(seen.is_empty(), "a file appeared during the HeapDiff: {seen:?}");
        looks += 1;
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "memwatch still running");
        std::thread::sleep(Duration::from_millis(2));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("grown 5000"), "{stdout}");
    assert!(looks > 10, "the directories were watched while the run lasted ({looks} looks)");
}

fn stopped_by(signal: i32, expected: i32) {
    let dir = TempDir::new(&format!("tmp-signal-{signal}"));
    let tmp = dir.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let out = dir.path("e.ndjson");
    let mut child = start_waiting_heapdiff(&dir, &tmp, &out);
    // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let status = wait_within(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(expected), "{status:?}");
    assert!(entries(&tmp).is_empty(), "{:?}", entries(&tmp));
    // The export written so far stays readable.
    let r = common::run(&["analyze", s(&out)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("start"), "{}", r.stdout);
}

#[test]
fn sigterm_during_a_heapdiff_exits_143_leaving_nothing() {
    stopped_by(libc::SIGTERM, 143);
}

#[test]
fn sigint_during_a_heapdiff_exits_130_leaving_nothing() {
    stopped_by(libc::SIGINT, 130);
}
