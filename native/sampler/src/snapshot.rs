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

use super::{Error, Memwatch};

/// Writes a `.heapsnapshot` of `isolate` to `path` chunk by chunk (never the whole JSON in
/// memory). Returns the number of bytes written. GCs during the snapshot are marked as such
/// when memwatch is attached.
pub fn write_heap_snapshot(isolate: &mut v8::Isolate, path: &Path) -> Result<u64, Error> {
    let io_err = |source| Error::Io { path: path.to_path_buf(), source };
    let file = File::create(path).map_err(io_err)?;
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

/// The "before" half of a HeapDiff: a snapshot on disk.
#[derive(Debug)]
pub struct HeapDiffStart {
    before: PathBuf,
    keep: bool,
    start_ns: u64,
}

impl HeapDiffStart {
    pub fn before_path(&self) -> &Path {
        &self.before
    }
}

impl Drop for HeapDiffStart {
    /// A HeapDiff that is never ended must not leave temporary files behind.
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.before);
        }
    }
}

impl Memwatch {
    pub(super) fn next_snapshot_path(&self, label: &str) -> (PathBuf, bool) {
        let n = self.0.snapshot_counter.get() + 1;
        self.0.snapshot_counter.set(n);
        let name = format!("memwatch-{}-{n}-{label}.heapsnapshot", std::process::id());
        match &self.0.snapshot_dir {
            Some(dir) => (dir.join(name), true),
            None => (std::env::temp_dir().join(name), false),
        }
    }

    /// Writes a snapshot into the snapshot directory (or `path`) and records it in the export.
    pub fn take_heap_snapshot(&self, isolate: &mut v8::Isolate, path: Option<&Path>) -> Result<PathBuf, Error> {
        self.check_isolate(isolate)?;
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => self.next_snapshot_path("snapshot").0,
        };
        let bytes = write_heap_snapshot(isolate, &path)?;
        let t = self.0.now_ns();
        self.0.pipeline.borrow_mut().note_snapshot(&path, t, bytes, "snapshot");
        Ok(path)
    }

    /// Takes the "before" snapshot of a HeapDiff.
    pub fn heap_diff_start(&self, isolate: &mut v8::Isolate) -> Result<HeapDiffStart, Error> {
        self.check_isolate(isolate)?;
        let (before, keep) = self.next_snapshot_path("before");
        let start = HeapDiffStart { before, keep, start_ns: self.0.now_ns() };
        let bytes = write_heap_snapshot(isolate, &start.before)?;
        if keep {
            self.0.pipeline.borrow_mut().note_snapshot(&start.before, start.start_ns, bytes, "heapdiff before");
        }
        Ok(start)
    }

    /// Takes the "after" snapshot and diffs it with the "before" one through memwatch-core.
    /// The diff is also recorded in the export and returned by the next `poll` as an event.
    pub fn heap_diff_end(&self, isolate: &mut v8::Isolate, start: HeapDiffStart) -> Result<HeapDiff, Error> {
        self.check_isolate(isolate)?;
        let (after, keep) = self.next_snapshot_path("after");
        let written = write_heap_snapshot(isolate, &after);
        let time_ns = self.0.now_ns();
        let result = written.and_then(|bytes| {
            if keep {
                self.0.pipeline.borrow_mut().note_snapshot(&after, time_ns, bytes, "heapdiff after");
            }
            diff_files(&start.before, &after)
        });
        if !keep {
            let _ = std::fs::remove_file(&after);
        }
        let diff = result?;
        let mut pipe = self.0.pipeline.borrow_mut();
        let record = HeapDiffRecord {
            start_ns: start.start_ns,
            time_ns,
            label: None,
            diff: diff.clone(),
            before_snapshot: keep.then(|| pipe.export_relative(&start.before)),
            after_snapshot: keep.then(|| pipe.export_relative(&after)),
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
