//! Heap snapshots streamed to a file, and node-memwatch's HeapDiff between two of them.
//!
//! V8 runs full GCs to take a snapshot; the sampler marks every GC recorded while a snapshot is
//! being taken (`Sample::snapshot`), so the stats engine does not count them as application GCs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use memwatch_core::diff::HeapDiff;
use memwatch_core::export::HeapDiffRecord;
use memwatch_core::snapshot::{parse_reader_with, HeapSnapshot, ParseOptions};

use super::temp_snapshots::TempSnapshot;
use super::{Error, Memwatch};

/// Writes a `.heapsnapshot` of `isolate` to `path` chunk by chunk (never the whole JSON in
/// memory). Returns the number of bytes written. GCs during the snapshot are marked as such
/// when memwatch is attached.
pub fn write_heap_snapshot(isolate: &mut v8::Isolate, path: &Path) -> Result<u64, Error> {
    let file = File::create(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    write_snapshot_to(isolate, file, path)
}

/// [`write_heap_snapshot`] into a file already opened for writing (`path` names it in errors).
pub(crate) fn write_snapshot_to(isolate: &mut v8::Isolate, file: File, path: &Path) -> Result<u64, Error> {
    let io_err = |source| Error::Io { path: path.to_path_buf(), source };
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut written = 0u64;
    let mut failure: Option<std::io::Error> = None;
    let mw = Memwatch::of(isolate);
    if let Some(m) = &mw {
        m.0.in_snapshot.set(true);
    }
    isolate.take_heap_snapshot(|chunk| {
        if chunk.is_empty() {
            return true;
        }
        match out.write_all(chunk) {
            Ok(()) => {
                written += chunk.len() as u64;
                true
            }
            Err(e) => {
                failure = Some(e);
                false // stop the serializer
            }
        }
    });
    if let Some(m) = &mw {
        m.0.in_snapshot.set(false);
    }
    if let Some(e) = failure {
        return Err(io_err(e));
    }
    out.flush().map_err(io_err)?;
    Ok(written)
}

/// A snapshot file being written by memwatch itself: in the snapshot directory (kept, recorded
/// in the export), or temporary in a private directory (removed on drop).
#[derive(Debug)]
pub(crate) struct SnapshotTarget {
    pub path: PathBuf,
    /// `None` when the file is kept.
    temp: Option<TempSnapshot>,
}

impl SnapshotTarget {
    pub fn kept(&self) -> bool {
        self.temp.is_none()
    }
}

/// The "before" half of a HeapDiff: a snapshot on disk. A HeapDiff that is never ended leaves no temporary file behind (dropping it removes the file).
#[derive(Debug)]
pub struct HeapDiffStart {
    before: SnapshotTarget,
    start_ns: u64,
}

impl HeapDiffStart {
    pub fn before_path(&self) -> &Path {
        &self.before.path
    }
}

impl Memwatch {
    /// Creates the file for memwatch's next snapshot (`label` ends its name): in the snapshot
    /// directory when there is one, else temporary in a private directory.
    pub(super) fn create_snapshot_file(&self, label: &str) -> Result<(SnapshotTarget, File), Error> {
        let n = self.0.snapshot_counter.get() + 1;
        self.0.snapshot_counter.set(n);
        let name = format!("memwatch-{}-{n}-{label}.heapsnapshot", std::process::id());
        match &self.0.snapshot_dir {
            Some(dir) => {
                let path = dir.join(name);
                let file = File::create(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
                Ok((SnapshotTarget { path, temp: None }, file))
            }
            None => {
                let (temp, file) = TempSnapshot::create(&name)
                    .map_err(|source| Error::Io { path: std::env::temp_dir().join(&name), source })?;
                Ok((SnapshotTarget { path: temp.path().to_path_buf(), temp: Some(temp) }, file))
            }
        }
    }

    /// Writes a snapshot into the snapshot directory (or `path`) and records it in the export.
    pub fn take_heap_snapshot(&self, isolate: &mut v8::Isolate, path: Option<&Path>) -> Result<PathBuf, Error> {
        self.check_isolate(isolate)?;
        let (path, bytes) = match path {
            Some(p) => (p.to_path_buf(), write_heap_snapshot(isolate, p)?),
            None => {
                // Only the path is handed out: the file must outlive this call, so it is
                // never temporary here (`Config::snapshot_dir` or the temp dir, kept).
                let (target, file) = self.create_snapshot_file("snapshot")?;
                let path = target.path.clone();
                let bytes = write_snapshot_to(isolate, file, &path)?;
                if let Some(t) = target.temp {
                    t.persist();
                }
                (path, bytes)
            }
        };
        let t = self.0.now_ns();
        self.0.pipeline.borrow_mut().note_snapshot(&path, t, bytes, "snapshot");
        Ok(path)
    }

    /// Takes the "before" snapshot of a HeapDiff.
    pub fn heap_diff_start(&self, isolate: &mut v8::Isolate) -> Result<HeapDiffStart, Error> {
        self.check_isolate(isolate)?;
        let (before, file) = self.create_snapshot_file("before")?;
        let start = HeapDiffStart { before, start_ns: self.0.now_ns() };
        let bytes = write_snapshot_to(isolate, file, &start.before.path)?;
        if start.before.kept() {
            self.0.pipeline.borrow_mut().note_snapshot(&start.before.path, start.start_ns, bytes, "heapdiff before");
        }
        Ok(start)
    }

    /// Takes the "after" snapshot and diffs it with the "before" one through memwatch-core.
    /// The diff is also recorded in the export and returned by the next `poll` as an event.
    pub fn heap_diff_end(&self, isolate: &mut v8::Isolate, start: HeapDiffStart) -> Result<HeapDiff, Error> {
        self.check_isolate(isolate)?;
        let (after, file) = self.create_snapshot_file("after")?;
        let written = write_snapshot_to(isolate, file, &after.path);
        let time_ns = self.0.now_ns();
        let keep = after.kept();
        let after_path = after.path.clone();
        let result = written.and_then(|bytes| {
            if keep {
                self.0.pipeline.borrow_mut().note_snapshot(&after.path, time_ns, bytes, "heapdiff after");
            }
            diff_files(&start.before.path, &after.path)
        });
        drop(after); // a temporary "after" snapshot is removed here, the "before" one with `start`
        let diff = result?;
        let mut pipe = self.0.pipeline.borrow_mut();
        let record = HeapDiffRecord {
            start_ns: start.start_ns,
            time_ns,
            label: None,
            diff: diff.clone(),
            before_snapshot: start.before.kept().then(|| pipe.export_relative(&start.before.path)),
            after_snapshot: keep.then(|| pipe.export_relative(&after_path)),
        };
        let mut pending = self.0.pending.borrow_mut();
        pipe.push_heap_diff(record, &mut pending);
        Ok(diff)
    }
}

/// Parses both snapshots (streaming) and diffs them with memwatch-core.
fn diff_files(before: &Path, after: &Path) -> Result<HeapDiff, Error> {
    // A HeapDiff reads no edge types or names: skipping them saves 5 of every 9 bytes per edge.
    let before = parse_file(before, false)?;
    let after = parse_file(after, false)?;
    Ok(memwatch_core::diff::heap_diff(&before, &after))
}

/// Streams a snapshot file into memwatch-core's compact graph (`edge_details`: keep edge types
/// and names, which retainer paths need).
pub(super) fn parse_file(path: &Path, edge_details: bool) -> Result<HeapSnapshot, Error> {
    let file = File::open(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    let size_hint = file.metadata().ok().map(|m| m.len());
    let opts = ParseOptions { size_hint, edge_details };
    parse_reader_with(file, opts, |_| {})
        .map_err(|e| Error::Snapshot { path: path.to_path_buf(), message: e.to_string() })
}
