//! The header and record types of the export format, and their analysis.

use serde::{Deserialize, Serialize};

use super::{Export, FORMAT_MAJOR, FORMAT_MINOR, FORMAT_NAME};
use crate::analyzer::{analyze_samples, Analysis, AnalyzerConfig};
use crate::diff::HeapDiff;
use crate::leak::{DetectorKind, LeakEvent, LeakRetainers};
use crate::sample::Sample;
use crate::stats::Stats;

/// First line of every export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "ExportHeader"))]
pub struct Header {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// "MAJOR.MINOR".
    pub version: String,
    /// What wrote the file, e.g. "memwatch 0.1.0 (native)".
    pub producer: String,
    /// Wall-clock ms since the Unix epoch at monotonic time 0 of the recording.
    pub epoch_ms_at_origin: f64,
    /// Detector parameters the live run used (re-analysis defaults to them).
    #[serde(default)]
    pub analyzer: AnalyzerConfig,
    /// Free-form description of the target (script, arguments, V8 version, pid, ...).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    #[cfg_attr(feature = "ts", tsify(type = "unknown"))]
    pub target: serde_json::Value,
}

impl Header {
    pub fn new(producer: &str, epoch_ms_at_origin: f64) -> Header {
        Header {
            format: FORMAT_NAME.to_string(),
            version: format!("{FORMAT_MAJOR}.{FORMAT_MINOR}"),
            producer: producer.to_string(),
            epoch_ms_at_origin,
            analyzer: AnalyzerConfig::default(),
            target: serde_json::Value::Null,
        }
    }
}

/// A HeapDiff taken during the run (`new HeapDiff()` at `start_ns`, `end()` at `time_ns`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct HeapDiffRecord {
    pub start_ns: u64,
    pub time_ns: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[cfg_attr(feature = "ts", tsify(type = "HeapDiffResult"))]
    pub diff: HeapDiff,
    /// Snapshot files the diff was computed from, when they were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_snapshot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_snapshot: Option<String>,
}

/// A heap snapshot file written during the run (path relative to the export file's directory
/// when it is inside it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SnapshotRef {
    pub time_ns: u64,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

/// A point in time worth showing: "start", "end", "near_heap_limit", "uncaught_exception", ...
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Marker {
    pub time_ns: u64,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Who retains the growth behind a recorded `leak` (same `detector` and `gc_seq`), written after
/// it once the live run's snapshots are analysed (format 1.1; 1.0 readers skip it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LeakRetainersRecord {
    pub detector: DetectorKind,
    pub gc_seq: u64,
    pub retainers: LeakRetainers,
}

/// One line after the header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "ExportRecord"))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Gc(#[cfg_attr(feature = "ts", tsify(type = "GcSample"))] Sample),
    Stats(Stats),
    Leak(LeakEvent),
    #[serde(rename = "heapdiff")]
    HeapDiff(HeapDiffRecord),
    Snapshot(SnapshotRef),
    Marker(Marker),
    LeakRetainers(LeakRetainersRecord),
}

impl Record {
    /// The record type names this version knows (others are skipped, see the reader).
    pub const KNOWN_TYPES: [&'static str; 7] =
        ["gc", "stats", "leak", "heapdiff", "snapshot", "marker", "leak_retainers"];
}

/// What `memwatch analyze` (and the wasm `analyzeExport`) report for an export file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ExportAnalysis {
    pub format_version: String,
    pub producer: String,
    pub epoch_ms_at_origin: f64,
    /// Detector parameters used for this analysis.
    pub config: AnalyzerConfig,
    #[serde(flatten)]
    pub analysis: Analysis,
    /// Stats and leak events the producer recorded live (for comparison with the re-analysis);
    /// recorded leaks carry their `leak_retainers` record as `retainers`.
    pub recorded_stats_events: u64,
    pub recorded_leaks: Vec<LeakEvent>,
    pub heap_diffs: Vec<HeapDiffRecord>,
    pub snapshots: Vec<SnapshotRef>,
    pub markers: Vec<Marker>,
    /// 1-based line number of a cut-off last line that was ignored.
    pub truncated_line: Option<u64>,
    /// Records of types this version does not know (from a newer minor version).
    pub skipped_records: u64,
}

/// Re-runs stats and leak detection over an export's GC samples with `config` (default: the
/// parameters recorded in the header, which reproduces the live run's events).
pub fn analyze_export(export: &Export, config: Option<&AnalyzerConfig>) -> ExportAnalysis {
    let config = config.cloned().unwrap_or_else(|| export.header.analyzer.clone());
    let samples = export.records.iter().filter_map(|r| match r {
        Record::Gc(s) => Some(s),
        _ => None,
    });
    let analysis = analyze_samples(samples, &config, export.header.epoch_ms_at_origin);
    let mut out = ExportAnalysis {
        format_version: export.header.version.clone(),
        producer: export.header.producer.clone(),
        epoch_ms_at_origin: export.header.epoch_ms_at_origin,
        config,
        analysis,
        recorded_stats_events: 0,
        recorded_leaks: vec![],
        heap_diffs: vec![],
        snapshots: vec![],
        markers: vec![],
        truncated_line: export.truncated_line,
        skipped_records: export.skipped_records,
    };
    for r in &export.records {
        match r {
            Record::Stats(_) => out.recorded_stats_events += 1,
            Record::Leak(l) => out.recorded_leaks.push(l.clone()),
            Record::HeapDiff(d) => out.heap_diffs.push(d.clone()),
            Record::Snapshot(s) => out.snapshots.push(s.clone()),
            Record::Marker(m) => out.markers.push(m.clone()),
            Record::LeakRetainers(r) => {
                // Written after its leak; one whose leak is missing (hand-edited file) is ignored.
                let leak =
                    out.recorded_leaks.iter_mut().rev().find(|l| l.detector == r.detector && l.gc_seq == r.gc_seq);
                if let Some(l) = leak {
                    l.retainers = Some(Box::new(r.retainers.clone()));
                }
            }
            Record::Gc(_) => {}
        }
    }
    out
}
