//! From GC samples to events and export records: the `memwatch-core` analyzer computes stats and
//! leak events, the export writer stores every sample and event, flushed record by record so that
//! a kill leaves a valid file. Nothing here calls V8; the sampler hands in samples.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use memwatch_core::alloc::LeakAllocations;
use memwatch_core::analyzer::{Analyzer, AnalyzerConfig, Event};
use memwatch_core::export::{
    AllocationProfileRecord, ExportWriter, Header, HeapDiffRecord, LeakRetainersRecord, Marker, Record, SnapshotRef,
};
use memwatch_core::leak::{LeakEvent, LeakRetainers};
use memwatch_core::sample::Sample;
use memwatch_core::stats::Stats;

use crate::metrics::{Labels, Metrics};
use crate::Error;

/// What the live analysis emits (to Rust listeners, JS listeners and `--json`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MemwatchEvent {
    /// node-memwatch's `stats` event, after every full GC ([`Stats`]).
    Stats(Stats),
    /// A leak detector fired ([`LeakEvent`]).
    Leak(LeakEvent),
    /// A HeapDiff ended: the export's *HeapDiff record* ([`HeapDiffRecord`]: when it started
    /// and ended, the snapshot files if kept) wrapping the *HeapDiff result* in its `diff` field
    /// (the [`HeapDiff`](memwatch_core::diff::HeapDiff) that `heap_diff_end` returns).
    #[serde(rename = "heapdiff")]
    HeapDiff(HeapDiffRecord),
}

/// Export files open for writing in this process (canonical paths): two attachments writing
/// one file would interleave and corrupt it.
static OPEN_EXPORTS: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

/// A claim on an export path, released on drop.
struct ExportClaim(PathBuf);

impl ExportClaim {
    fn take(path: &Path) -> Result<ExportClaim, Error> {
        let canonical = canonical_target(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        let mut open = OPEN_EXPORTS.lock().unwrap_or_else(|p| p.into_inner());
        if !open.get_or_insert_with(HashSet::new).insert(canonical.clone()) {
            return Err(Error::ExportInUse { path: path.to_path_buf() });
        }
        Ok(ExportClaim(canonical))
    }
}

impl Drop for ExportClaim {
    fn drop(&mut self) {
        let mut open = OPEN_EXPORTS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(set) = open.as_mut() {
            set.remove(&self.0);
        }
    }
}

/// The canonical path `path` names, also before the file exists (its directory must exist).
fn canonical_target(path: &Path) -> std::io::Result<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Ok(p);
    }
    let name = path.file_name().ok_or_else(|| std::io::Error::other("not a file name"))?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(dir.canonicalize()?.join(name))
}

#[derive(Clone, Debug, Default)]
pub struct PipelineConfig {
    pub analyzer: AnalyzerConfig,
    /// Export file to write (created or truncated at attach).
    pub export: Option<PathBuf>,
    /// Free-form description of the target stored in the export header.
    pub target: serde_json::Value,
}

pub(crate) struct Pipeline {
    epoch_ms: u64,
    analyzer: Analyzer,
    export: Option<ExportWriter<BufWriter<File>>>,
    export_path: Option<PathBuf>,
    /// Held while the export is open (see [`OPEN_EXPORTS`]).
    claim: Option<ExportClaim>,
    metrics: Metrics,
    /// First export write error (the export is then abandoned; the run goes on).
    export_error: Option<String>,
    events: Vec<Event>,
}

impl Pipeline {
    /// `producer` is the export header's producer string (names the V8 version); `labels` go
    /// into the export header; `metrics` is updated with every sample and event.
    pub fn new(
        config: PipelineConfig,
        epoch_ms: u64,
        producer: &str,
        labels: &Labels,
        metrics: Metrics,
    ) -> Result<Pipeline, Error> {
        // Checked before anything is written: an export whose header holds a bad parameter could
        // not be re-analysed with its recorded parameters.
        config.analyzer.validate()?;
        let (export, claim) = match &config.export {
            Some(path) => {
                let claim = ExportClaim::take(path)?;
                let io = |source| Error::Io { path: path.clone(), source };
                let file = File::create(path).map_err(io)?;
                let mut header = Header::new(producer, epoch_ms as f64);
                header.analyzer = config.analyzer.clone();
                header.target = config.target.clone();
                header.labels = labels.clone();
                (Some(ExportWriter::new(BufWriter::new(file), &header).map_err(io)?), Some(claim))
            }
            None => (None, None),
        };
        Ok(Pipeline {
            epoch_ms,
            analyzer: Analyzer::new(config.analyzer, epoch_ms as f64),
            export,
            export_path: config.export,
            claim,
            metrics,
            export_error: None,
            events: Vec::new(),
        })
    }

    pub fn epoch_ms(&self) -> u64 {
        self.epoch_ms
    }

    pub fn export_error(&self) -> Option<&str> {
        self.export_error.as_deref()
    }

    /// Ends the export: flushes it and releases its path for other attachments. Later records
    /// are not written.
    pub fn close(&mut self) {
        if let Some(w) = self.export.take() {
            if let Err(e) = w.into_inner().flush() {
                let path = self.export_path.as_deref().unwrap_or(Path::new("export"));
                self.export_error.get_or_insert_with(|| format!("{}: {e}", path.display()));
            }
        }
        self.claim = None;
    }

    fn write(&mut self, record: &Record) {
        if let Some(w) = &mut self.export {
            if let Err(e) = w.write(record) {
                let path = self.export_path.as_deref().unwrap_or(Path::new("export"));
                self.export_error = Some(format!("{}: {e}", path.display()));
                self.export = None;
            }
        }
    }

    /// One GC: record it, analyse it, record and queue its events.
    pub fn push_sample(&mut self, sample: Sample, out: &mut Vec<MemwatchEvent>) {
        self.analyzer.push(&sample, &mut self.events);
        self.metrics.on_sample(&sample);
        self.write(&Record::Gc(sample));
        let events = std::mem::take(&mut self.events);
        for ev in events {
            let (record, event) = match ev {
                Event::Stats(s) => {
                    self.metrics.on_stats(&s);
                    (Record::Stats(s.clone()), MemwatchEvent::Stats(s))
                }
                Event::Leak(l) => {
                    self.metrics.on_leak(&l);
                    (Record::Leak(l.clone()), MemwatchEvent::Leak(l))
                }
            };
            self.write(&record);
            out.push(event);
        }
    }

    pub fn push_heap_diff(&mut self, record: HeapDiffRecord, out: &mut Vec<MemwatchEvent>) {
        self.write(&Record::HeapDiff(record.clone()));
        out.push(MemwatchEvent::HeapDiff(record));
    }

    /// Who retains the growth behind `leak` (already recorded): its own record after the leak's.
    pub fn push_leak_retainers(&mut self, leak: &LeakEvent, retainers: &LeakRetainers) {
        let record = LeakRetainersRecord { detector: leak.detector, gc_seq: leak.gc_seq, retainers: retainers.clone() };
        self.write(&Record::LeakRetainers(record));
    }

    /// Which code allocated the growth behind `leak` (already recorded): its own record after it.
    pub fn push_allocation_profile(&mut self, leak: &LeakEvent, allocations: &LeakAllocations) {
        let record =
            AllocationProfileRecord { detector: leak.detector, gc_seq: leak.gc_seq, allocations: allocations.clone() };
        self.write(&Record::AllocationProfile(record));
    }

    /// A path as stored in the export: relative to the export's directory when inside it.
    pub fn export_relative(&self, path: &Path) -> String {
        let dir = self.export_path.as_deref().and_then(Path::parent).filter(|d| !d.as_os_str().is_empty());
        let rel = dir.and_then(|d| path.strip_prefix(d).ok()).unwrap_or(path);
        rel.display().to_string()
    }

    pub fn note_snapshot(&mut self, path: &Path, time_ns: u64, bytes: u64, label: &str) {
        let r =
            SnapshotRef { time_ns, path: self.export_relative(path), label: Some(label.into()), bytes: Some(bytes) };
        self.write(&Record::Snapshot(r));
    }

    pub fn marker(&mut self, time_ns: u64, kind: &str, message: Option<String>) {
        self.write(&Record::Marker(Marker { time_ns, kind: kind.into(), message }));
    }

    pub fn note_dropped(&mut self, n: u64) {
        self.metrics.on_dropped(n);
        self.marker(0, "samples_dropped", Some(format!("{n} GC samples dropped: the sample buffer was full")));
    }

    pub fn note_heap_limit(&mut self, limit: u64, used: Option<u64>, time_ns: u64) {
        let used = used.map(|u| format!(", {} used", memwatch_core::size::nice_size(u as i64))).unwrap_or_default();
        let msg =
            format!("V8 old-generation heap limit of {} reached{used}", memwatch_core::size::nice_size(limit as i64));
        self.marker(time_ns, "near_heap_limit", Some(msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memwatch_core::leak::TrendConfig;

    /// An embedder's config is checked by core before the export header is written.
    #[test]
    fn bad_detector_options_are_rejected_before_the_export_is_created() {
        let dir = tempfile::tempdir().expect("tempdir");
        let export = dir.path().join("e.ndjson");
        let config = PipelineConfig {
            analyzer: AnalyzerConfig {
                classic: None,
                trend: Some(TrendConfig { window: 1, ..TrendConfig::default() }),
            },
            export: Some(export.clone()),
            target: serde_json::Value::Null,
        };
        let e = Pipeline::new(config, 0, "test", &Labels::new(), Metrics::new()).err().expect("window 1 is rejected");
        assert!(
            e.to_string().contains("trend.window (--trend-window): must be an integer from 2 to 4096, got 1"),
            "{e}"
        );
        assert!(!export.exists(), "nothing written");
        assert!(Pipeline::new(PipelineConfig::default(), 0, "test", &Labels::new(), Metrics::new()).is_ok());
    }
}
