//! Who retains a live leak (`Config::leak_retainers`): when a poll that can use the isolate
//! ([`Memwatch::poll_in`]) finds leak events, it takes a heap snapshot, compares it with the
//! previous one (`memwatch-core`'s `growth_report`: growing classes and the retainer paths of
//! their new objects) and attaches the result to the events and the export.
//!
//! Snapshot policy: a baseline at the first full GC's poll, then one per poll with leak events,
//! each becoming the next baseline, so every report covers the growth since the previous one.
//! Snapshots pause the process (seconds on big heaps) and parsing them in process needs about
//! the file size in memory, which is why this is off by default.

use std::path::{Path, PathBuf};

use memwatch_core::leak::LeakRetainers;
use memwatch_core::retainers::{growth_report, ClassGrowth};

use super::snapshot::{parse_file, write_heap_snapshot};
use super::{Error, Memwatch, MemwatchEvent};

/// Per-attachment state: how many classes to report and the current baseline snapshot.
pub(crate) struct LeakSnapshots {
    classes: usize,
    baseline: Option<SnapshotFile>,
}

impl LeakSnapshots {
    pub(crate) fn new(classes: usize) -> LeakSnapshots {
        LeakSnapshots { classes, baseline: None }
    }
}

/// A snapshot file on disk; temporary ones (no snapshot directory) are deleted on drop.
struct SnapshotFile {
    path: PathBuf,
    time_ns: u64,
    /// Path as recorded in the export, when the file is kept.
    kept_as: Option<String>,
}

impl Drop for SnapshotFile {
    fn drop(&mut self) {
        if self.kept_as.is_none() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Memwatch {
    /// [`poll`](Self::poll) for callers that can lend the isolate (the event loop, between
    /// tasks): with `Config::leak_retainers` set, it also takes the snapshots described in this
    /// module and fills `LeakEvent::retainers`. Without it, the same as `poll`.
    pub fn poll_in(&self, isolate: &mut v8::Isolate) -> Vec<MemwatchEvent> {
        self.0.drain_into_pipeline();
        self.attach_leak_retainers(isolate);
        self.dispatch_pending()
    }

    fn attach_leak_retainers(&self, isolate: &mut v8::Isolate) {
        let Some(cell) = &self.0.leak_snapshots else { return };
        // A listener re-entering poll_in while a report is computed: leave it to the outer call.
        let Ok(mut state) = cell.try_borrow_mut() else { return };
        let mut events = match self.0.pending.try_borrow_mut() {
            Ok(mut p) => std::mem::take(&mut *p),
            Err(_) => return,
        };
        let has_leak = events.iter().any(|e| matches!(e, MemwatchEvent::Leak(_)));
        if has_leak {
            let report = self.leak_report(isolate, &mut state);
            let mut pipe = self.0.pipeline.borrow_mut();
            for e in &mut events {
                if let MemwatchEvent::Leak(l) = e {
                    pipe.push_leak_retainers(l, &report);
                    l.retainers = Some(Box::new(report.clone()));
                }
            }
        } else if state.baseline.is_none() && events.iter().any(|e| matches!(e, MemwatchEvent::Stats(_))) {
            // Errors here only mean the first report will say there is no baseline.
            state.baseline = self.leak_snapshot(isolate, "leak-baseline").ok();
        }
        // Events queued meanwhile (none expected: snapshots run no JS) go after these.
        let mut pending = self.0.pending.borrow_mut();
        events.append(&mut pending);
        *pending = events;
    }

    /// Takes the event's snapshot, compares it with the baseline, and makes it the new baseline.
    fn leak_report(&self, isolate: &mut v8::Isolate, state: &mut LeakSnapshots) -> LeakRetainers {
        let mut report = LeakRetainers {
            since_ns: 0,
            time_ns: self.0.now_ns(),
            before_snapshot: None,
            after_snapshot: None,
            classes: Vec::new(),
            error: None,
        };
        if self.0.heap_limit_hit.get() {
            report.error = Some("no snapshot taken: the isolate is at its heap limit".into());
            return report;
        }
        let now = match self.leak_snapshot(isolate, "leak") {
            Ok(s) => s,
            Err(e) => {
                report.error = Some(format!("cannot take the heap snapshot: {e}"));
                return report;
            }
        };
        report.time_ns = now.time_ns;
        report.after_snapshot = now.kept_as.clone();
        let before = state.baseline.take();
        match &before {
            None => report.error = Some("no baseline snapshot: the leak came before any full GC was polled".into()),
            Some(b) => {
                report.since_ns = b.time_ns;
                report.before_snapshot = b.kept_as.clone();
                match growth_between(&b.path, &now.path, state.classes) {
                    Ok(classes) => report.classes = classes,
                    Err(e) => report.error = Some(e.to_string()),
                }
            }
        }
        state.baseline = Some(now); // the old baseline's temporary file goes with `before`
        report
    }

    fn leak_snapshot(&self, isolate: &mut v8::Isolate, label: &str) -> Result<SnapshotFile, Error> {
        let (path, keep) = self.next_snapshot_path(label);
        // Delete a temporary file even if writing fails half-way.
        let mut file = SnapshotFile { path, time_ns: self.0.now_ns(), kept_as: None };
        let bytes = write_heap_snapshot(isolate, &file.path)?;
        file.time_ns = self.0.now_ns();
        if keep {
            let mut pipe = self.0.pipeline.borrow_mut();
            pipe.note_snapshot(&file.path, file.time_ns, bytes, &label.replace('-', " "));
            file.kept_as = Some(pipe.export_relative(&file.path));
        }
        Ok(file)
    }
}

/// Parses both snapshots (in parallel: each is a full streaming parse) and ranks the growth.
fn growth_between(before: &Path, after: &Path, classes: usize) -> Result<Vec<ClassGrowth>, Error> {
    let (b, a) = std::thread::scope(|s| {
        let b = s.spawn(|| parse_file(before, true));
        let a = parse_file(after, true);
        (b.join(), a)
    });
    let b = b.map_err(|_| Error::Snapshot { path: before.to_path_buf(), message: "parser thread panicked".into() })??;
    let a = a?;
    growth_report(&b, &a, classes)
        .map(|g| g.classes)
        .map_err(|e| Error::Snapshot { path: after.to_path_buf(), message: e.to_string() })
}
