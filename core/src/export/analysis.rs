//! Re-analysis of an export file: its GC samples through the same [`Analyzer`](crate::analyzer::Analyzer)
//! the live run used, next to what the live run recorded. What `memwatch analyze --json`, the wasm
//! `analyzeExport`/`Export.analyze` and the viewer show.

use serde::{Deserialize, Serialize};

use super::{Export, HeapDiffRecord, Marker, Record, SnapshotRef};
use crate::analyzer::{analyze_samples, Analysis, AnalyzerConfig};
use crate::detector_options::{AnalyzerOverrides, OptionError};
use crate::leak::LeakEvent;

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
    /// recorded leaks carry their `leak_retainers` record as `retainers` and their
    /// `allocation_profile` record as `allocations`.
    pub recorded_stats_events: u64,
    pub recorded_leaks: Vec<LeakEvent>,
    pub heap_diffs: Vec<HeapDiffRecord>,
    pub snapshots: Vec<SnapshotRef>,
    pub markers: Vec<Marker>,
    /// 1-based line number of a cut-off last line that was ignored.
    pub truncated_line: Option<u64>,
    /// Records of types this version does not know (from a newer minor version).
    pub skipped_records: u64,
    /// GC samples whose `gc_type` this version does not know (kept; counted as incremental GCs).
    #[serde(default)]
    pub unknown_gc_types: u64,
}

/// Re-runs stats and leak detection over an export's GC samples with the parameters recorded in
/// its header, with `overrides` laid over them (none: the recorded parameters, which reproduce
/// the live run's events). Fails only on bad options (or bad recorded parameters), naming them.
pub fn analyze_export(export: &Export, overrides: &AnalyzerOverrides) -> Result<ExportAnalysis, OptionError> {
    let config = export.header.analyzer.overlay(overrides)?;
    Ok(analyze_export_with(export, config))
}

/// [`analyze_export`] with a complete, already validated config.
pub fn analyze_export_with(export: &Export, config: AnalyzerConfig) -> ExportAnalysis {
    let analysis = analyze_samples(export.gc_samples(), &config, export.header.epoch_ms_at_origin);
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
        unknown_gc_types: export.gc_samples().filter(|s| !s.gc_type.is_known()).count() as u64,
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
            Record::AllocationProfile(r) => {
                let leak =
                    out.recorded_leaks.iter_mut().rev().find(|l| l.detector == r.detector && l.gc_seq == r.gc_seq);
                if let Some(l) = leak {
                    l.allocations = Some(Box::new(r.allocations.clone()));
                }
            }
            Record::Gc(_) => {}
        }
    }
    attach_recorded_retainers(&mut out.analysis.leaks, &out.recorded_leaks);
    out
}

/// Retainer paths and allocation sites exist only for leaks the live run recorded with
/// snapshots or allocation sampling (`memwatch run --leak-retainers`, `--sample-allocations`):
/// neither can be re-taken. A re-analysed leak by the same detector at the same GC is the same
/// event, so it carries what was recorded; a leak that only other parameters find has neither.
fn attach_recorded_retainers(leaks: &mut [LeakEvent], recorded: &[LeakEvent]) {
    for leak in leaks {
        let Some(same) = recorded.iter().find(|r| r.detector == leak.detector && r.gc_seq == leak.gc_seq) else {
            continue;
        };
        if let Some(retainers) = &same.retainers {
            leak.retainers = Some(retainers.clone());
        }
        if let Some(allocations) = &same.allocations {
            leak.allocations = Some(allocations.clone());
        }
    }
}
