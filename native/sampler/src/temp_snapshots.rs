//! Where `Memwatch::take_heap_snapshot(isolate, None)` writes when no snapshot directory is
//! configured. (HeapDiff and leak-retainer snapshots write no file at all: they are parsed while
//! V8 serialises them, see `snapshot_stream`.)
//!
//! Each snapshot gets its own directory made by `tempfile` in the system temp directory
//! (`TMPDIR`): an unpredictable name, mode 0700, and the file inside created with `O_EXCL`. So a
//! symlink planted in the shared temp directory at a guessable name cannot redirect the write,
//! and no other user can read the heap's contents.
//!
//! The live directories are also listed in a process-wide registry, so that a host that handles
//! SIGINT/SIGTERM (the `memwatch` CLI) can remove them before exiting: [`remove_all`]. A
//! snapshot is tens of megabytes, and a process killed while writing one would otherwise leave
//! it behind.

use std::fs::{File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tempfile::TempDir;

struct Registry {
    live: Vec<PathBuf>,
    /// Set by [`remove_all`]: the process is going away, create nothing new.
    closed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry { live: Vec::new(), closed: false });

fn registry() -> MutexGuard<'static, Registry> {
    // A panic while holding the lock leaves the list itself consistent (push/retain only).
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// A snapshot file in its private directory; both are removed on drop.
#[derive(Debug)]
pub(crate) struct TempSnapshot {
    dir: Option<TempDir>,
    path: PathBuf,
}

impl TempSnapshot {
    /// Creates `name` (exclusively) in a new private directory and returns it opened for writing.
    pub(crate) fn create(name: &str) -> io::Result<(TempSnapshot, File)> {
        let mut reg = registry();
        if reg.closed {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "the process is exiting on a signal"));
        }
        // The directory is made while the registry is locked, so a concurrent `remove_all`
        // either sees it or makes this call fail: none is left behind.
        let dir = tempfile::Builder::new().prefix("memwatch-").permissions(Permissions::from_mode(0o700)).tempdir()?;
        let path = dir.path().join(name);
        let file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
        reg.live.push(dir.path().to_path_buf());
        Ok((TempSnapshot { dir: Some(dir), path }, file))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps the file and its directory (for a snapshot whose path is handed to the caller).
    pub(crate) fn persist(mut self) {
        if let Some(dir) = self.dir.take() {
            registry().live.retain(|d| d != dir.path());
            let _ = dir.keep();
        }
    }
}

impl Drop for TempSnapshot {
    fn drop(&mut self) {
        let Some(dir) = self.dir.take() else { return };
        let mut reg = registry();
        reg.live.retain(|d| d != dir.path());
        drop(reg);
        let _ = dir.close();
    }
}

/// Removes every temporary snapshot directory of the process and refuses new ones from then on.
/// Meant for a signal-handling thread right before it exits the process; the snapshots being
/// written keep writing into unlinked files until then.
pub fn remove_all() {
    let mut reg = registry();
    reg.closed = true;
    for dir in reg.live.drain(..) {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
