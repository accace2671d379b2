//! Helpers for the CLI tests: the real binary on JS files from tests/js/ (or written to a temp
//! dir) with its exit status, stdout, stderr and exports, and real Node snapshots to read.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_memwatch")
}

pub fn js(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js").join(name)
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `--json` event lines of one kind ("stats", "leak", "heapdiff").
    pub fn events(&self, kind: &str) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["event"] == kind)
            .collect()
    }
}

pub fn run(args: &[&str]) -> Run {
    run_with_env(args, &[])
}

/// `run` with extra environment variables for the child (e.g. `TMPDIR`).
pub fn run_with_env(args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out: Output = cmd.output().expect("run memwatch");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh temporary directory (removed on drop).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("memwatch-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("mkdir");
        TempDir(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Baseline, target and final snapshots of tests/fixtures/leaky-app-snapshots.js written by a
/// real Node process (50, then 500, then 3000 objects per holder); fails the test without node.
pub fn leaky_app_snapshots() -> (tempfile::TempDir, [String; 3]) {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/leaky-app-snapshots.js");
    let dir = tempfile::tempdir().expect("tempdir");
    let st = Command::new("node").arg(&app).arg(dir.path()).args(["50", "500", "3000"]).status();
    let st = st.unwrap_or_else(|e| {
        panic!("could not run `node` ({e}): these tests need Node.js >= 18 on PATH to write real V8 heap snapshots")
    });
    assert!(st.success(), "node failed writing snapshots: {st}");
    let p = |n: &str| dir.path().join(format!("{n}.heapsnapshot")).to_str().expect("utf8 path").to_string();
    let files = [p("baseline"), p("target"), p("final")];
    (dir, files)
}
