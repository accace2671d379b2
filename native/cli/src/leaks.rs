//! `memwatch leaks BASELINE TARGET FINAL`: objects allocated after BASELINE, present in TARGET
//! and still alive in FINAL, grouped by class and retainer path (memlab's three-snapshot method;
//! the engine is `memwatch_core::retainers`).
//!
//! The three files are parsed at once, sharing `--threads`; BASELINE and TARGET without
//! edge details and reduced to sorted id arrays as soon as they are parsed, so peak memory is the
//! larger of the three parsed snapshots (two of them without edge details) and FINAL with its
//! analysis. The analysis of FINAL and the report use all `--threads` too (retainer paths next
//! to the dominator tree, holders next to the grouping), with the same output for any count.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use indicatif::MultiProgress;
use memwatch_core::render::json_line;
use memwatch_core::render::leaks::{leak_report_text, LeakFiles};
use memwatch_core::retainers::{leak_report_with_threads, AnalysisOptions, IdSet, LeakOptions, SnapshotAnalysis};
use memwatch_core::snapshot::{parse_positional, HeapSnapshot, ParseOptions};

use crate::error::{CliError, CliResult};
use crate::progress::bytes_bar;
use crate::threads::Threads;

#[derive(clap::Args)]
pub struct Args {
    /// Snapshot taken before the action under test (e.g. after warm-up).
    pub baseline: PathBuf,
    /// Snapshot taken after the action.
    pub target: PathBuf,
    /// Snapshot taken after the action was undone / its objects should be gone.
    #[arg(name = "FINAL")]
    pub fin: PathBuf,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also report V8-internal objects (backing stores, code, maps, `system / *`).
    #[arg(long)]
    pub include_internal: bool,
    /// Show at most N groups (0: all).
    #[arg(long, value_name = "N", default_value_t = memwatch_core::retainers::defaults::MAX_GROUPS)]
    pub max_groups: usize,
    /// Exit with status 1 when leaked objects are reported (for CI).
    #[arg(long)]
    pub fail_on_leak: bool,
    /// Print the time of each phase (parse, analysis, report) on stderr.
    #[arg(long)]
    pub timings: bool,
    #[command(flatten)]
    pub threads: Threads,
}

pub fn run(args: Args) -> CliResult {
    crate::memory::return_freed_memory_promptly();
    let opts = LeakOptions { include_internal: args.include_internal, max_groups: args.max_groups };
    let mut clock = Phases::new(args.timings);
    let threads = args.threads.per_file(3);
    let multi = MultiProgress::new();
    // Only ids are needed from the first two: parse them without edge details.
    let ids = |path: &Path, label: &str| load(path, label, false, threads, &multi).map(|s| IdSet::new(&s));
    let (base_ids, target_ids, fin) = std::thread::scope(|s| {
        let base = s.spawn(|| ids(&args.baseline, "baseline"));
        let target = s.spawn(|| ids(&args.target, "target"));
        let fin = load(&args.fin, "final", true, threads, &multi);
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<IdSet, CliError>>| {
            h.join().unwrap_or_else(|_| Err(CliError::Failure("internal error: a parser thread panicked".into())))
        };
        (join(base), join(target), fin)
    });
    let (base_ids, target_ids, fin) = (base_ids?, target_ids?, fin?);
    clock.done(&format!(
        "parse baseline and target (ids only) and final, at once ({threads} thread{} each)",
        if threads == 1 { "" } else { "s" }
    ));
    // The analysis has phases that run at once on two threads: each is timed from the start of
    // its step.
    let all = args.threads.count();
    // The report needs no per-class totals.
    let analysis_opts = AnalysisOptions { threads: all, class_totals: false };
    let analysis = SnapshotAnalysis::with_options(&fin, analysis_opts, &clock.marker())
        .map_err(|e| CliError::in_file(&args.fin, e))?;
    clock.done(&format!("analysis of final ({all} thread{})", if all == 1 { "" } else { "s" }));
    let report = leak_report_with_threads(&base_ids, &target_ids, &fin, &analysis, &opts, all, &clock.marker());
    clock.done("leak report");

    let text = if args.json {
        json_line(&report).map_err(|e| CliError::Failure(format!("cannot serialise the report: {e}")))?
    } else {
        let (baseline, fin) = (args.baseline.display().to_string(), args.fin.display().to_string());
        leak_report_text(&report, LeakFiles { baseline: &baseline, final_snapshot: &fin })
    };
    // A closed pipe (`| head`) is not an error worth a message.
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(CliError::Failure(format!("writing the report: {e}")));
        }
    }
    if args.fail_on_leak && report.reported_objects > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Wall-clock time per phase (and the peak RSS so far, where the OS tells it), printed on stderr
/// when enabled.
struct Phases {
    on: bool,
    last: Instant,
}

impl Phases {
    fn new(on: bool) -> Phases {
        Phases { on, last: Instant::now() }
    }

    fn done(&mut self, what: &str) {
        if self.on {
            eprintln!("{:>8.2} s  {what}{}", self.last.elapsed().as_secs_f64(), peak_rss_note());
        }
        self.last = Instant::now();
    }

    /// A callback for the sub-phases of the next step (called from any of its threads): each
    /// prints the time since the step began.
    fn marker(&self) -> impl Fn(&'static str) + Sync {
        let (on, start) = (self.on, Instant::now());
        move |what| {
            if on {
                eprintln!("{:>8.2} s    {what}{}", start.elapsed().as_secs_f64(), peak_rss_note());
            }
        }
    }
}

/// `  (peak RSS 1.97 GB)` from the kernel's high-water mark (Linux), else nothing.
fn peak_rss_note() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    match kb {
        Some(kb) => format!("  (peak RSS {:.2} GB)", kb as f64 * 1024.0 / 1e9),
        None => String::new(),
    }
}

fn load(
    path: &Path,
    label: &str,
    edge_details: bool,
    threads: usize,
    multi: &MultiProgress,
) -> Result<HeapSnapshot, CliError> {
    let file = File::open(path).map_err(|e| CliError::in_file(path, e))?;
    let size_hint = file.metadata().ok().map(|m| m.len());
    let bar = bytes_bar(size_hint.unwrap_or(0), label);
    // Only visible bars join the group (adding would re-target a hidden one to stderr).
    let bar = if bar.is_hidden() { bar } else { multi.add(bar) };
    let opts = ParseOptions { size_hint, edge_details };
    let result = parse_positional(&file, opts, threads, |n| bar.set_position(n));
    bar.finish_and_clear();
    result.map_err(|e| CliError::in_file(path, e))
}
