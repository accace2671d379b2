//! The header and record types of the export format.

use serde::{Deserialize, Serialize};

use super::{FORMAT_MAJOR, FORMAT_MINOR, FORMAT_NAME};
use crate::alloc::LeakAllocations;
use crate::analyzer::AnalyzerConfig;
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
    /// Labels the producer gave this recording (e.g. `isolate`), as on its metrics (1.2).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
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
            labels: Default::default(),
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

/// Which code allocated the growth behind a recorded `leak` (same `detector` and `gc_seq`):
/// the growing allocation sites of the sampling heap profiler, written after the leak
/// (format 1.2; older readers skip it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AllocationProfileRecord {
    pub detector: DetectorKind,
    pub gc_seq: u64,
    pub allocations: LeakAllocations,
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
    AllocationProfile(AllocationProfileRecord),
}

impl Record {
    /// The record type names this version knows (others are skipped, see the reader).
    pub const KNOWN_TYPES: [&'static str; 8] =
        ["gc", "stats", "leak", "heapdiff", "snapshot", "marker", "leak_retainers", "allocation_profile"];
}
