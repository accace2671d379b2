//! `memwatch analyze`'s summary of an export file: header, stats after the last GC, leak events,
//! recorded heap diffs and markers.

use std::fmt::Write as _;

use super::retainers::leak_details;
use super::text::printable;
use crate::detector_options::detector_name;
use crate::export::ExportAnalysis;
use crate::size::nice_size;

/// Room for one-line text from the file (producer, labels, marker messages) in the report.
pub const TEXT_WIDTH: usize = 2000;

/// The readable report of an [`ExportAnalysis`] of the export file named `file` (as the user gave it).
pub fn export_analysis_text(file: &str, r: &ExportAnalysis) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = print_report(&mut out, file, r);
    out
}

/// The warning for a cut-off last line (the producer was stopped mid-write), for stderr.
pub fn truncated_line_warning(file: &str, line: u64) -> String {
    format!("{}: line {line} is cut off (the producer was stopped mid-write); ignored it", printable(file, TEXT_WIDTH))
}

fn print_report(out: &mut String, file: &str, r: &ExportAnalysis) -> std::fmt::Result {
    // Everything that comes from the file goes through `printable`: an export must not be able
    // to send escape sequences to the terminal.
    let text = |t: &str| printable(t, TEXT_WIDTH);
    writeln!(out, "{} (format {}, written by {})", text(file), text(&r.format_version), text(&r.producer))?;
    writeln!(out, "GC samples: {}", r.analysis.gc_samples)?;
    if r.unknown_gc_types > 0 {
        writeln!(
            out,
            "  {} of a GC type this memwatch does not know (newer format or V8): counted as incremental GCs",
            r.unknown_gc_types
        )?;
    }
    match &r.analysis.stats {
        None => writeln!(out, "No garbage collections recorded.")?,
        Some(s) => {
            writeln!(out, "\nStats after the last GC:")?;
            writeln!(out, "  num_full_gc      {}", s.num_full_gc)?;
            writeln!(out, "  num_inc_gc       {}", s.num_inc_gc)?;
            writeln!(out, "  heap_compactions {}", s.heap_compactions)?;
            writeln!(out, "  usage_trend      {}%", s.usage_trend)?;
            writeln!(out, "  current_base     {} ({})", s.current_base, nice_size(s.current_base as i64))?;
            writeln!(out, "  estimated_base   {} ({})", s.estimated_base, nice_size(s.estimated_base as i64))?;
            writeln!(out, "  min / max        {} / {}", nice_size(s.min as i64), nice_size(s.max as i64))?;
            writeln!(out, "  GCs by type      scavenge {}, minor mark-sweep {}, mark-sweep-compact {}, incremental marking {}, weak callbacks {}",
                s.gc_counts.scavenge, s.gc_counts.minor_mark_sweep, s.gc_counts.mark_sweep_compact,
                s.gc_counts.incremental_marking, s.gc_counts.weak_callbacks)?;
            let total_pause: u64 = [
                s.gc_pause_ns.scavenge,
                s.gc_pause_ns.minor_mark_sweep,
                s.gc_pause_ns.mark_sweep_compact,
                s.gc_pause_ns.incremental_marking,
                s.gc_pause_ns.weak_callbacks,
            ]
            .iter()
            .sum();
            writeln!(
                out,
                "  GC pause total   {:.1} ms (full GCs {:.1} ms)",
                total_pause as f64 / 1e6,
                s.gc_pause_ns.mark_sweep_compact as f64 / 1e6
            )?;
        }
    }
    writeln!(out, "\nLeak events: {}", r.analysis.leaks.len())?;
    for l in &r.analysis.leaks {
        writeln!(
            out,
            "  [{}] at GC #{}: {} (growth {})",
            detector_name(l.detector),
            l.gc_seq,
            text(&l.reason),
            nice_size(l.growth)
        )?;
    }
    if r.recorded_leaks.len() != r.analysis.leaks.len() {
        writeln!(out, "  (the live run recorded {} leak events with its own parameters)", r.recorded_leaks.len())?;
    }
    // Who held the growth and which code allocated it exist only in the live run's records
    // (`--leak-retainers`, `--sample-allocations`): shown as the run printed them.
    let detailed: Vec<_> =
        r.recorded_leaks.iter().filter(|l| l.retainers.is_some() || l.allocations.is_some()).collect();
    if !detailed.is_empty() {
        writeln!(out, "\nRecorded by the live run: who holds the growth, which code allocated it")?;
        for l in detailed {
            writeln!(out, "  [{}] at GC #{}: {}", detector_name(l.detector), l.gc_seq, text(&l.reason))?;
            for line in leak_details(l).lines() {
                writeln!(out, "  {line}")?;
            }
        }
    }
    if !r.heap_diffs.is_empty() {
        writeln!(out, "\nHeap diffs recorded: {}", r.heap_diffs.len())?;
        for d in &r.heap_diffs {
            let c = &d.diff.change;
            writeln!(
                out,
                "  {}: {} ({} allocated, {} freed nodes)",
                text(d.label.as_deref().unwrap_or("HeapDiff")),
                text(&c.size),
                c.allocated_nodes,
                c.freed_nodes
            )?;
        }
    }
    if !r.markers.is_empty() {
        writeln!(out, "\nMarkers:")?;
        for m in &r.markers {
            writeln!(
                out,
                "  {:>10.3} s  {}{}",
                m.time_ns as f64 / 1e9,
                text(&m.kind),
                m.message.as_deref().map(|t| format!(": {}", text(t))).unwrap_or_default()
            )?;
        }
    }
    Ok(())
}
