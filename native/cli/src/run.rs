//! `memwatch run SCRIPT.js`: run a script under the memwatch runtime (GC sampling, leak
//! detection, the `memwatch` global), print events, write an export file.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Once;

use memwatch::{Config, MemwatchEvent, PipelineConfig};
use memwatch_core::analyzer::AnalyzerConfig;
use memwatch_runtime::{RunOptions, RunOutcome, RunStatus, Runtime};

use crate::detector_args::DetectorArgs;
use crate::error::{CliError, CliResult};
use crate::render::escape_controls;

/// Smallest `--max-heap-mb` V8 can start a context in.
const MIN_HEAP_MB: u64 = 8;

#[derive(clap::Args)]
pub struct Args {
    /// JavaScript file to run: a classic script, or an ES module (`.mjs` or `--module`).
    pub script: PathBuf,
    /// Write the export file (GC samples, stats, leak events, HeapDiffs) here. An existing file
    /// is replaced only when it is a memwatch export (or with --force); never the script itself.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Let --out replace an existing file that is not a memwatch export.
    #[arg(long)]
    pub force: bool,
    /// Also write HeapDiff and --leak-retainers snapshots to this directory (default: they are
    /// parsed while V8 writes them, and no file is written).
    #[arg(long, value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,
    /// V8 heap limit in MiB; running out ends the run with a clear message and exit status 1
    /// (the export file stays valid and ends with a `near_heap_limit` marker).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(MIN_HEAP_MB..))]
    pub max_heap_mb: Option<u64>,
    /// Attach the N classes that grew most, with the retainer paths of their new objects, to
    /// each leak event. Takes a heap snapshot at the first full GC and at each leak event (pauses
    /// the script; in-process parsing needs about the snapshot's size in memory).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100))]
    pub leak_retainers: Option<u64>,
    /// Sample allocations with V8's sampling heap profiler (one sample every BYTES allocated on
    /// average; default 524288, V8's and Node's) and attach the allocation sites whose live
    /// memory grew to each leak event ("allocated at handleRequest (server.js:41:17): +3.1 mb
    /// live"). Costs a few percent; no heap snapshot. A site is named once it grew by 9
    /// samples since the previous event (~4.5 MB at the default; 131072: ~1.1 MB).
    // `Some(None)`: the flag without a value, i.e. core's `alloc::DEFAULT_SAMPLING_INTERVAL`.
    #[arg(long, value_name = "BYTES", num_args = 0..=1, require_equals = true,
          value_parser = sampling_interval)]
    pub sample_allocations: Option<Option<u64>>,
    /// Record the allocation stack of every object (V8's heap object tracking, as Node's
    /// --track-heap-objects), so each --leak-retainers holder lists where its gained objects were
    /// allocated ("allocated: 500 objects (320 kb) in step (app.js:5:14)"). Slows allocation.
    #[arg(long, requires = "leak_retainers")]
    pub track_allocations: bool,
    /// Write the live sampled allocations at the end of the run to FILE in the pprof format
    /// (gzip'ed protobuf: `go tool pprof`, Pyroscope, speedscope). Implies --sample-allocations.
    #[arg(long, value_name = "FILE")]
    pub pprof_out: Option<PathBuf>,
    /// Print every stats/leak/heapdiff event as one JSON line on stdout (console goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when a leak event fired.
    #[arg(long)]
    pub fail_on_leak: bool,
    /// Do not register the GC callbacks (baseline for the overhead benchmark).
    #[arg(long)]
    pub no_sampling: bool,
    /// Load the script as an ES module even without a `.mjs` extension.
    #[arg(long)]
    pub module: bool,
    /// Arguments for the script (`process.argv.slice(2)`), after `--`.
    #[arg(last = true, value_name = "SCRIPT_ARGS")]
    pub script_args: Vec<String>,
    /// Detector options over the built-in defaults (`--leak-growth-count` is `--growth-count`).
    #[command(flatten)]
    pub detectors: DetectorArgs,

    // --metrics (metrics_server.rs) ---------------------------------------------------------
    /// Serve the run's numbers for Prometheus at http://ADDR/metrics while the script runs
    /// (loopback addresses only, e.g. 127.0.0.1:9464); series carry isolate="main".
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
}

pub fn run(args: Args) -> CliResult {
    let mut opts = run_options(&args)?;
    if !args.script.is_file() {
        return Err(CliError::in_file(&args.script, "no such script file"));
    }
    if let Some(out) = &args.out {
        check_export_path(out, &[&args.script], args.force)?;
    }
    let json = args.json;
    let print_events: Box<dyn FnMut(&MemwatchEvent)> = if json {
        Box::new(print_json_event)
    } else {
        Box::new(|e| {
            if let MemwatchEvent::Leak(l) = e {
                eprintln!("memwatch: leak: {}", escape_controls(&l.reason, false));
                eprint!("{}", crate::render::leak_details(l));
            }
        })
    };
    // --metrics: the server reads the attachment's Metrics handle from another thread, and
    // stops when the run ends.
    let _metrics_server = match args.metrics {
        Some(addr) => {
            let metrics = memwatch::Metrics::new();
            opts.memwatch.labels.insert("isolate".into(), "main".into());
            opts.memwatch.metrics = Some(metrics.clone());
            let server = crate::metrics_server::MetricsServer::start(addr, metrics)?;
            eprintln!("memwatch: metrics at http://{}/metrics", server.addr());
            Some(server)
        }
        None => None,
    };

    let outcome = execute(&opts, print_events)?;
    if !json {
        eprintln!(
            "memwatch: {} GCs, {} stats events, {} leak events{}",
            outcome.gc_count,
            outcome.stats_events,
            outcome.leak_events,
            args.out
                .as_ref()
                .map(|p| format!("; export written to {}", escape_controls(&p.display().to_string(), false)))
                .unwrap_or_default()
        );
    }
    exit_code(&outcome, args.fail_on_leak)
}

pub(crate) fn run_options(args: &Args) -> Result<RunOptions, CliError> {
    let analyzer =
        AnalyzerConfig::default().overlay(args.detectors.overrides()).map_err(|e| CliError::BadInput(e.to_string()))?;
    let target = serde_json::json!({
        "script": args.script.display().to_string(),
        "args": args.script_args,
        "pid": std::process::id(),
        "v8": v8::V8::get_version(),
    });
    Ok(RunOptions {
        script: args.script.clone(),
        source: None,
        module: args.module,
        args: args.script_args.clone(),
        max_heap_mb: args.max_heap_mb,
        sampling: !args.no_sampling,
        memwatch: Config {
            pipeline: PipelineConfig { analyzer, export: args.out.clone(), target },
            snapshot_dir: args.snapshot_dir.clone(),
            leak_retainers: args.leak_retainers.map(|n| n as usize),
            allocation_sampling: match (args.sample_allocations, &args.pprof_out) {
                (Some(Some(bytes)), _) => Some(bytes),
                (Some(None), _) | (None, Some(_)) => Some(memwatch_core::alloc::DEFAULT_SAMPLING_INTERVAL),
                (None, None) => None,
            },
            allocation_tracking: args.track_allocations,
            ..Config::default()
        },
        console_to_stderr: args.json,
        pprof_out: args.pprof_out.clone(),
    })
}

/// Runs the script; `on_event` sees every event as it is produced.
pub(crate) fn execute(opts: &RunOptions, on_event: Box<dyn FnMut(&MemwatchEvent)>) -> Result<RunOutcome, CliError> {
    if let Some(dir) = &opts.memwatch.snapshot_dir {
        std::fs::create_dir_all(dir).map_err(|e| CliError::in_file(dir, e))?;
    }
    remove_temp_snapshots_on_signals();
    let mut rt = Runtime::new(opts).map_err(|e| CliError::BadInput(e.to_string()))?;
    if let Some(mw) = rt.memwatch() {
        mw.on_event(on_event);
    }
    let outcome = rt.run(opts).map_err(|e| CliError::BadInput(e.to_string()))?;
    drop(rt);
    if let Some(e) = &outcome.export_error {
        eprintln!("memwatch: warning: export incomplete: {}", escape_controls(e, false));
    }
    if let Some(e) = &outcome.pprof_error {
        return Err(CliError::BadInput(format!("pprof profile not written: {e}")));
    }
    Ok(outcome)
}

fn print_json_event(e: &MemwatchEvent) {
    let mut out = std::io::stdout().lock();
    if let Ok(line) = serde_json::to_string(e) {
        let _ = writeln!(out, "{line}");
    }
}

/// Maps how the script ended to the exit status as Node does (reports go to stderr): the
/// `process.exit` code or `process.exitCode` modulo 256, 13 for an unsettled top-level await.
pub(crate) fn exit_code(outcome: &RunOutcome, fail_on_leak: bool) -> CliResult {
    // Script-provided text (exception messages, source lines) reaches the terminal escaped.
    let safe = |r: &str| escape_controls(r, true).into_owned();
    match &outcome.status {
        RunStatus::Completed => {
            if let Some(c) = outcome.exit_code.filter(|&c| c & 0xff != 0) {
                return Ok(ExitCode::from((c & 0xff) as u8));
            }
        }
        RunStatus::Exited(c) => return Ok(ExitCode::from((*c & 0xff) as u8)),
        RunStatus::CompileError(r) => return Err(CliError::BadInput(format!("cannot load the script:\n{}", safe(r)))),
        RunStatus::Uncaught(r) => return Err(CliError::Failure(safe(r))),
        RunStatus::UnsettledTopLevelAwait(warning) => {
            eprint!("{}", safe(warning));
            return Ok(ExitCode::from(13));
        }
    }
    if fail_on_leak && outcome.leak_events > 0 {
        return Err(CliError::Failure(format!("{} leak event(s) fired (--fail-on-leak)", outcome.leak_events)));
    }
    Ok(ExitCode::SUCCESS)
}

/// Longest first line read to recognise an export header (headers are a few hundred bytes).
const HEADER_PROBE_BYTES: u64 = 1 << 20;

/// Refuses an export path that would destroy something the user wants: an input of the run
/// (the script: the export is created before the script is read), by any path or hard link, or
/// an existing file that is not a memwatch export unless `force`.
pub(crate) fn check_export_path(out: &Path, inputs: &[&Path], force: bool) -> Result<(), CliError> {
    let Ok(meta) = std::fs::metadata(out) else { return Ok(()) }; // new file (or fails clearly later)
    for input in inputs {
        let same_path = matches!((out.canonicalize(), input.canonicalize()), (Ok(a), Ok(b)) if a == b);
        let same_file = std::fs::metadata(input).is_ok_and(|m| (m.dev(), m.ino()) == (meta.dev(), meta.ino()));
        if same_path || same_file {
            return Err(CliError::in_file(
                out,
                format!("is the same file as the input {}; refusing to write the export over it", input.display()),
            ));
        }
    }
    if !meta.is_file() || meta.len() == 0 || force || is_export(out) {
        return Ok(());
    }
    Err(CliError::in_file(
        out,
        "exists and is not a memwatch export file; refusing to overwrite it (pass --force to replace it)",
    ))
}

/// True when the file's first line is a memwatch export header.
fn is_export(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    let mut line = Vec::new();
    if BufReader::new(file.take(HEADER_PROBE_BYTES)).read_until(b'\n', &mut line).is_err() {
        return false;
    }
    let header: Option<serde_json::Value> = serde_json::from_slice(&line).ok();
    header.is_some_and(|h| h["format"] == memwatch_core::export::FORMAT_NAME)
}

/// On SIGINT or SIGTERM, removes any temporary snapshot the library is writing (HeapDiff and
/// leak-retainer snapshots no longer use files; `temp_snapshots` is what is left) and exits with
/// 128 + the signal, as a shell reports a process killed by it. The export needs nothing: each record is written and flushed whole, and
/// a line cut off by the exit is ignored by the reader.
fn remove_temp_snapshots_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            Ok(s) => s,
            Err(e) => {
                return eprintln!(
                    "memwatch: warning: cannot handle SIGINT/SIGTERM ({e}); temporary snapshots may stay behind"
                )
            }
        };
        let spawned = std::thread::Builder::new().name("memwatch-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                memwatch::temp_snapshots::remove_all();
                // _exit: V8 is still running on the main thread, so no exit handlers or static
                // destructors may run.
                signal_hook::low_level::exit(128 + signal);
            }
        });
        if let Err(e) = spawned {
            eprintln!("memwatch: warning: cannot handle SIGINT/SIGTERM ({e}); temporary snapshots may stay behind");
        }
    });
}

/// `--sample-allocations=BYTES`: core's rule (`alloc::check_sampling_interval`), as for the npm
/// package's `sampleAllocations` and the library's `Config::allocation_sampling`.
fn sampling_interval(s: &str) -> Result<u64, String> {
    let bytes: u64 = s.parse().map_err(|_| format!("expected a whole number of bytes, got {s:?}"))?;
    memwatch_core::alloc::check_sampling_interval(bytes as f64)
}
