//! `memwatch analyze EXPORT_FILE`: re-runs stats and leak detection on an export file.
//!
//! Detector parameters default to the ones recorded in the file's header (which reproduces the
//! live run's events); each option overrides one of them (core's `AnalyzerConfig::overlay`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use memwatch_core::export::{analyze_export, read_export_from, ExportAnalysis};
use memwatch_core::file_kind::{detect_file_kind, FileKind, DETECT_HEAD_BYTES};
use memwatch_core::leak::DetectorKind;
use memwatch_core::size::nice_size;

use crate::detector_args::DetectorArgs;
use crate::error::{CliError, CliResult};
use crate::progress::open_with_progress;
use crate::render::printable;

/// Room for one-line text from the file (producer, labels, marker messages) in the report.
const TEXT_WIDTH: usize = 2000;

#[derive(clap::Args)]
#[command(after_help = "Leak-detector options default to the values recorded in the file's header.")]
pub struct Args {
    /// Export file written by `memwatch run`, `memwatch demo`, the library or the Node adapter.
    pub file: PathBuf,
    /// Print one JSON object (stats events, final stats, leak events, heap diffs) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when a leak event is found (for CI).
    #[arg(long)]
    pub fail_on_leak: bool,
    /// Detector options; each overrides the value recorded in the file's header.
    #[command(flatten)]
    pub detectors: DetectorArgs,
}

pub fn run(args: Args) -> CliResult {
    let overrides = args.detectors.overrides();
    // Bad options are rejected before the (possibly large) file is read.
    overrides.check().map_err(|e| CliError::BadInput(e.to_string()))?;
    let reader = open_with_progress(&args.file, "reading").map_err(|e| CliError::in_file(&args.file, e))?;
    let export = read_export_from(reader).map_err(|e| {
        if is_heap_snapshot(&args.file) {
            CliError::in_file(
                &args.file,
                "a V8 heap snapshot, not a memwatch export file (compare two with `memwatch diff`)",
            )
        } else {
            CliError::in_file(&args.file, e)
        }
    })?;
    // Only the header's own parameters can still be invalid here.
    let result = analyze_export(&export, overrides).map_err(|e| CliError::in_file(&args.file, e))?;
    if let Some(line) = result.truncated_line {
        eprintln!(
            "memwatch: {}: line {line} is cut off (the producer was stopped mid-write); ignored it",
            printable(&args.file.display().to_string(), TEXT_WIDTH)
        );
    }
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer(&mut out, &result).map_err(std::io::Error::from).and_then(|_| writeln!(out))
    } else {
        print_report(&mut out, &args, &result)
    };
    // A closed pipe (`| head`) is not an error worth a message.
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(CliError::Failure(format!("writing output: {e}")));
        }
    }
    if args.fail_on_leak && !result.analysis.leaks.is_empty() {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether core recognises the file as a heap snapshot (for a better message than "not an export").
fn is_heap_snapshot(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(DETECT_HEAD_BYTES);
    let read = std::fs::File::open(path).and_then(|f| f.take(DETECT_HEAD_BYTES as u64).read_to_end(&mut head));
    read.is_ok() && detect_file_kind(&head) == Ok(FileKind::Snapshot)
}

fn print_report(out: &mut impl Write, args: &Args, r: &ExportAnalysis) -> std::io::Result<()> {
    // Everything that comes from the file goes through `printable`: an export must not be able
    // to send escape sequences to the terminal.
    let text = |t: &str| printable(t, TEXT_WIDTH);
    writeln!(
        out,
        "{} (format {}, written by {})",
        text(&args.file.display().to_string()),
        text(&r.format_version),
        text(&r.producer)
    )?;
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
        let detector = match l.detector {
            DetectorKind::Classic => "classic",
            DetectorKind::Trend => "trend",
        };
        writeln!(out, "  [{detector}] at GC #{}: {} (growth {})", l.gc_seq, text(&l.reason), nice_size(l.growth))?;
    }
    if r.recorded_leaks.len() != r.analysis.leaks.len() {
        writeln!(out, "  (the live run recorded {} leak events with its own parameters)", r.recorded_leaks.len())?;
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
