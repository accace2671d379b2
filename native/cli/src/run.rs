//! `memwatch run SCRIPT.js`: run a script under the memwatch runtime (GC sampling, leak
//! detection, the `memwatch` global), print events, write an export file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use memwatch::{Config, MemwatchEvent, PipelineConfig};
use memwatch_core::analyzer::AnalyzerConfig;
use memwatch_runtime::{RunOptions, RunOutcome, RunStatus, Runtime};

use crate::error::{CliError, CliResult};

/// Smallest `--max-heap-mb` V8 can start a context in.
const MIN_HEAP_MB: u64 = 8;

#[derive(clap::Args)]
pub struct Args {
    /// JavaScript file to run: a classic script, or an ES module (`.mjs` or `--module`).
    pub script: PathBuf,
    /// Write the export file (GC samples, stats, leak events, HeapDiffs) here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Keep HeapDiff snapshots in this directory (default: temporary files, deleted).
    #[arg(long, value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,
    /// V8 heap limit in MiB; running out ends the run with a clear message and exit status 1
    /// (the export file stays valid and ends with a `near_heap_limit` marker).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(MIN_HEAP_MB..))]
    pub max_heap_mb: Option<u64>,
    /// Classic leak rule: consecutive growing full GCs that make a leak (node-memwatch: 5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub leak_growth_count: Option<u32>,
    /// Attach the N classes that grew most, with the retainer paths of their new objects, to
    /// each leak event. Takes a heap snapshot at the first full GC and at each leak event (pauses
    /// the script; in-process parsing needs about the snapshot's size in memory).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100))]
    pub leak_retainers: Option<u64>,
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

    // --metrics (metrics_server.rs) ---------------------------------------------------------
    /// Serve the run's numbers for Prometheus at http://ADDR/metrics while the script runs
    /// (loopback addresses only, e.g. 127.0.0.1:9464); series carry isolate="main".
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
}

pub fn run(args: Args) -> CliResult {
    if !args.script.is_file() {
        return Err(CliError::in_file(&args.script, "no such script file"));
    }
    let json = args.json;
    let print_events: Box<dyn FnMut(&MemwatchEvent)> = if json {
        Box::new(print_json_event)
    } else {
        Box::new(|e| {
            if let MemwatchEvent::Leak(l) = e {
                eprintln!("memwatch: leak: {}", l.reason);
                if let Some(r) = &l.retainers {
                    eprint!("{}", crate::render::leak_retainers(r));
                }
            }
        })
    };
    let mut opts = run_options(&args);

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
            args.out.as_ref().map(|p| format!("; export written to {}", p.display())).unwrap_or_default()
        );
    }
    exit_code(&outcome, args.fail_on_leak)
}

pub(crate) fn run_options(args: &Args) -> RunOptions {
    let mut analyzer = AnalyzerConfig::default();
    if let (Some(n), Some(c)) = (args.leak_growth_count, analyzer.classic.as_mut()) {
        c.growth_count = n;
    }
    let target = serde_json::json!({
        "script": args.script.display().to_string(),
        "args": args.script_args,
        "pid": std::process::id(),
        "v8": v8::V8::get_version(),
    });
    RunOptions {
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
            ..Config::default()
        },
        console_to_stderr: args.json,
    }
}

/// Runs the script; `on_event` sees every event as it is produced.
pub(crate) fn execute(opts: &RunOptions, on_event: Box<dyn FnMut(&MemwatchEvent)>) -> Result<RunOutcome, CliError> {
    if let Some(dir) = &opts.memwatch.snapshot_dir {
        std::fs::create_dir_all(dir).map_err(|e| CliError::in_file(dir, e))?;
    }
    let mut rt = Runtime::new(opts).map_err(|e| CliError::BadInput(e.to_string()))?;
    if let Some(mw) = rt.memwatch() {
        mw.on_event(on_event);
    }
    let outcome = rt.run(opts).map_err(|e| CliError::BadInput(e.to_string()))?;
    drop(rt);
    if let Some(e) = &outcome.export_error {
        eprintln!("memwatch: warning: export incomplete: {e}");
    }
    Ok(outcome)
}

fn print_json_event(e: &MemwatchEvent) {
    let mut out = std::io::stdout().lock();
    if let Ok(line) = serde_json::to_string(e) {
        let _ = writeln!(out, "{line}");
    }
}

/// Maps how the script ended to the exit status (reports go to stderr).
pub(crate) fn exit_code(outcome: &RunOutcome, fail_on_leak: bool) -> CliResult {
    match &outcome.status {
        RunStatus::Completed => {}
        RunStatus::Exited(c) => return Ok(ExitCode::from((*c).clamp(0, 255) as u8)),
        RunStatus::CompileError(r) => return Err(CliError::BadInput(format!("cannot load the script:\n{r}"))),
        RunStatus::Uncaught(r) => return Err(CliError::Failure(r.clone())),
    }
    if fail_on_leak && outcome.leak_events > 0 {
        return Err(CliError::Failure(format!("{} leak event(s) fired (--fail-on-leak)", outcome.leak_events)));
    }
    Ok(ExitCode::SUCCESS)
}
