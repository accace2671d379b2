//! Heap snapshots: written to a file (`take_heap_snapshot`), or parsed while V8 serialises them
//! (`snapshot_stream`) for node-memwatch's HeapDiff and the leak retainers, with a file only
//! when `Config::snapshot_dir` keeps them.
//!
//! V8 runs full GCs to take a snapshot; the sampler marks every GC recorded while a snapshot is
//! being taken (`Sample::snapshot`), so the stats engine does not count them as application GCs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use memwatch_core::diff::HeapDiff;
use memwatch_core::export::HeapDiffRecord;
use memwatch_core::snapshot::{HeapSnapshot, ParseOptions};

use super::snapshot_stream::{stream_through, SnapshotSink, SnapshotSinkError, StreamError};
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

/// The file of `take_heap_snapshot` without a path: in the snapshot directory, or in a private
/// temporary directory (removed on drop unless persisted).
#[derive(Debug)]
struct SnapshotTarget {
    pub path: PathBuf,
    /// `None` when the file is kept.
    temp: Option<TempSnapshot>,
}

/// The "before" half of a HeapDiff: its snapshot, already parsed (streamed from V8, no file
/// unless `Config::snapshot_dir` keeps one).
pub struct HeapDiffStart {
    before: HeapSnapshot,
    /// The kept file (`Config::snapshot_dir`).
    kept: Option<PathBuf>,
    start_ns: u64,
}

impl std::fmt::Debug for HeapDiffStart {
    // Not the graph: millions of entries.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeapDiffStart")
            .field("before_nodes", &self.before.node_count())
            .field("kept", &self.kept)
            .field("start_ns", &self.start_ns)
            .finish()
    }
}

impl HeapDiffStart {
    /// The "before" snapshot's file when `Config::snapshot_dir` keeps snapshots; `None`
    /// otherwise (it was parsed while V8 wrote it, never stored).
    pub fn before_path(&self) -> Option<&Path> {
        self.kept.as_deref()
    }
}

/// A snapshot taken by [`Memwatch::streamed_snapshot`]: parsed, and kept on disk when the
/// snapshot directory asks for it.
pub(crate) struct Streamed {
    pub snapshot: HeapSnapshot,
    pub kept: Option<PathBuf>,
    /// When the snapshot was complete.
    pub time_ns: u64,
}

impl Memwatch {
    /// Creates the file for memwatch's next snapshot (`label` ends its name): in the snapshot
    /// directory when there is one, else temporary in a private directory.
    fn create_snapshot_file(&self, label: &str) -> Result<(SnapshotTarget, File), Error> {
        let name = self.snapshot_name(label);
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

    fn snapshot_name(&self, label: &str) -> String {
        let n = self.0.snapshot_counter.get() + 1;
        self.0.snapshot_counter.set(n);
        format!("memwatch-{}-{n}-{label}.heapsnapshot", std::process::id())
    }

    /// Takes a snapshot and parses it while V8 serialises it (`edge_details`: keep edge types and
    /// names, which retainer paths need). The JSON goes to a file (named after `file_label`) only
    /// with a snapshot directory; the file is then recorded in the export under `export_label`.
    pub(crate) fn streamed_snapshot(
        &self,
        isolate: &mut v8::Isolate,
        file_label: &str,
        export_label: &str,
        edge_details: bool,
    ) -> Result<Streamed, Error> {
        let kept = match &self.0.snapshot_dir {
            Some(dir) => {
                let path = dir.join(self.snapshot_name(file_label));
                let file = File::create(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
                Some((path, file))
            }
            None => None,
        };
        let (path, file) = match kept {
            Some((p, f)) => (Some(p), Some(f)),
            None => (None, None),
        };
        // The stream is this process's own V8: the header's node and edge counts are exact, so
        // the columns are reserved once at their final size (no 1.5x regrowth and copy).
        let opts = ParseOptions { size_hint: Some(u64::MAX), edge_details };
        let sink = SnapshotSink::new(opts, file);
        let result = self.with_snapshot_mark(isolate, |isolate| {
            stream_through(|chunk| isolate.take_heap_snapshot(|c| c.is_empty() || chunk(c)), sink)
        });
        let time_ns = self.0.now_ns();
        let (snapshot, bytes) = result.map_err(|e| stream_error(e, path.as_deref()))?;
        if let Some(p) = &path {
            self.0.pipeline.borrow_mut().note_snapshot(p, time_ns, bytes, export_label);
        }
        Ok(Streamed { snapshot, kept: path, time_ns })
    }

    /// Runs `f` with the GCs V8 does meanwhile marked as snapshot GCs (`Sample::snapshot`).
    fn with_snapshot_mark<T>(&self, isolate: &mut v8::Isolate, f: impl FnOnce(&mut v8::Isolate) -> T) -> T {
        self.0.in_snapshot.set(true);
        let out = f(isolate);
        self.0.in_snapshot.set(false);
        out
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

    /// Takes the "before" snapshot of a HeapDiff (parsed while V8 writes it).
    pub fn heap_diff_start(&self, isolate: &mut v8::Isolate) -> Result<HeapDiffStart, Error> {
        self.check_isolate(isolate)?;
        let start_ns = self.0.now_ns();
        // A HeapDiff reads no edge types or names: skipping them saves 5 of every 9 bytes per edge.
        let s = self.streamed_snapshot(isolate, "before", "heapdiff before", false)?;
        Ok(HeapDiffStart { before: s.snapshot, kept: s.kept, start_ns })
    }

    /// Takes the "after" snapshot and diffs it with the "before" one through memwatch-core.
    /// The diff is also recorded in the export and returned by the next `poll` as an event.
    pub fn heap_diff_end(&self, isolate: &mut v8::Isolate, start: HeapDiffStart) -> Result<HeapDiff, Error> {
        self.check_isolate(isolate)?;
        let after = self.streamed_snapshot(isolate, "after", "heapdiff after", false)?;
        let diff = memwatch_core::diff::heap_diff(&start.before, &after.snapshot);
        drop(start.before);
        drop(after.snapshot);
        let mut pipe = self.0.pipeline.borrow_mut();
        let record = HeapDiffRecord {
            start_ns: start.start_ns,
            time_ns: after.time_ns,
            label: None,
            diff: diff.clone(),
            before_snapshot: start.kept.as_deref().map(|p| pipe.export_relative(p)),
            after_snapshot: after.kept.as_deref().map(|p| pipe.export_relative(p)),
        };
        let mut pending = self.0.pending.borrow_mut();
        pipe.push_heap_diff(record, &mut pending);
        Ok(diff)
    }
}

/// Names a failed stream: by its kept file when there is one.
fn stream_error(e: StreamError<SnapshotSinkError>, kept: Option<&Path>) -> Error {
    let message = match e {
        StreamError::Consumer(SnapshotSinkError::Write(source)) => {
            let path = kept.map(Path::to_path_buf).unwrap_or_default();
            return Error::Io { path, source };
        }
        StreamError::Consumer(SnapshotSinkError::Parse(e)) => e.to_string(),
        StreamError::Panicked => "the snapshot parser thread panicked".to_string(),
        StreamError::Spawn(e) => format!("cannot start the snapshot parser thread: {e}"),
    };
    match kept {
        Some(path) => Error::Snapshot { path: path.to_path_buf(), message },
        None => Error::SnapshotStream { message },
    }
}
