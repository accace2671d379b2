//! `memwatch analyze EXPORT_FILE`: re-runs stats and leak detection on an export file.
//!
//! Detector parameters default to the ones recorded in the file's header (which reproduces the
//! live run's events); each option overrides one of them.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use memwatch_core::analyzer::AnalyzerConfig;
use memwatch_core::export::{analyze_export, read_export_from, ExportAnalysis};
use memwatch_core::leak::DetectorKind;
use memwatch_core::size::nice_size;

use crate::error::{CliError, CliResult};
use crate::progress::open_with_progress;
use crate::render::printable;

/// Room for one-line text from the file (producer, labels, marker messages) in the report.
const TEXT_WIDTH: usize = 2000;

#[derive(clap::Args)]
pub struct Args {
    /// Export file written by `memwatch run`, `memwatch demo`, the library or the Node adapter.
    pub file: PathBuf,
    /// Print one JSON object (stats events, final stats, leak events, heap diffs) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when a leak event is found (for CI).
    #[arg(long)]
    pub fail_on_leak: bool,
    #[command(flatten)]
    pub detectors: DetectorArgs,
}

/// Detector parameters shared by the commands that run the detectors.
#[derive(clap::Args, Clone, Debug, Default)]
#[command(next_help_heading = "Leak detectors (default: the values recorded in the file)")]
pub struct DetectorArgs {
    /// Classic rule: consecutive growing full GCs that make a leak (node-memwatch: 5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub growth_count: Option<u32>,
    /// Classic rule: a rise counts only above this many bytes (0 with --noise-floor-percent 0
    /// reproduces node-memwatch).
    #[arg(long, value_name = "BYTES")]
    pub noise_floor_bytes: Option<u64>,
    /// Classic rule: ... and above this percentage of the previous used size.
    #[arg(long, value_name = "PERCENT", value_parser = finite_f64)]
    pub noise_floor_percent: Option<f64>,
    /// Turn the classic detector off.
    #[arg(long)]
    pub no_classic: bool,
    /// Trend detector: full-GC baselines in the regression window.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..=4096))]
    pub trend_window: Option<u64>,
    /// Trend detector: full GCs ignored at the start.
    #[arg(long, value_name = "N")]
    pub trend_warmup: Option<u64>,
    /// Trend detector: minimum fit quality r² (0..1).
    #[arg(long, value_name = "R2", value_parser = finite_f64)]
    pub trend_min_r2: Option<f64>,
    /// Trend detector: minimum fitted growth over the window, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub trend_min_growth_bytes: Option<u64>,
    /// Trend detector: minimum fitted growth over the window, in percent of the first baseline.
    #[arg(long, value_name = "PERCENT", value_parser = finite_f64)]
    pub trend_min_growth_percent: Option<f64>,
    /// Turn the trend detector off.
    #[arg(long)]
    pub no_trend: bool,
}

impl DetectorArgs {
    /// Applies the options given on the command line over `base`.
    pub fn apply(&self, base: &AnalyzerConfig) -> AnalyzerConfig {
        let mut classic = base.classic.clone().unwrap_or_default();
        set(&mut classic.growth_count, self.growth_count);
        set(&mut classic.noise_floor_bytes, self.noise_floor_bytes);
        set(&mut classic.noise_floor_percent, self.noise_floor_percent);
        let mut trend = base.trend.clone().unwrap_or_default();
        set(&mut trend.window, self.trend_window.map(|w| w as usize));
        set(&mut trend.warmup_gcs, self.trend_warmup);
        set(&mut trend.min_r2, self.trend_min_r2);
        set(&mut trend.min_growth_bytes, self.trend_min_growth_bytes);
        set(&mut trend.min_growth_percent, self.trend_min_growth_percent);
        let classic_touched =
            self.growth_count.is_some() || self.noise_floor_bytes.is_some() || self.noise_floor_percent.is_some();
        let trend_touched = self.trend_window.is_some()
            || self.trend_warmup.is_some()
            || self.trend_min_r2.is_some()
            || self.trend_min_growth_bytes.is_some()
            || self.trend_min_growth_percent.is_some();
        AnalyzerConfig {
            classic: (!self.no_classic && (base.classic.is_some() || classic_touched)).then_some(classic),
            trend: (!self.no_trend && (base.trend.is_some() || trend_touched)).then_some(trend),
        }
    }
}

/// Float options must be finite: NaN or infinity would make every comparison false (and
/// serialise as `null` in an export header, which does not load back).
fn finite_f64(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|e| format!("{e}"))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("must be a finite number, not {s}"))
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

pub fn run(args: Args) -> CliResult {
    let reader = open_with_progress(&args.file, "reading").map_err(|e| CliError::in_file(&args.file, e))?;
    let export = read_export_from(reader).map_err(|e| CliError::in_file(&args.file, e))?;
    let config = args.detectors.apply(&export.header.analyzer);
    let result = analyze_export(&export, Some(&config));
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
