//! `memwatch diff BEFORE AFTER [--json]`: node-memwatch's HeapDiff of two `.heapsnapshot` files.
//!
//! Both files are parsed at once (without edge names: a HeapDiff only needs edge targets), each
//! on half the `--threads`, with a progress bar each on stderr for big files. Output on stdout: a
//! table by default, or exactly node-memwatch's JSON object with `--json` (both rendered by core's
//! `render::diff`, as in the npm package's `memwatch-wasm diff`).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::MultiProgress;
use memwatch_core::diff::{heap_diff_of_walked, Walked};
use memwatch_core::render::diff::{heap_diff_json, heap_diff_text};
use memwatch_core::retainers::growth_report;
use memwatch_core::snapshot::{parse_positional, HeapSnapshot, ParseOptions};

use crate::error::{CliError, CliResult};
use crate::progress::bytes_bar;
use crate::threads::Threads;

#[derive(clap::Args)]
pub struct Args {
    /// Snapshot taken first (.heapsnapshot, as written by V8, Node or Chrome DevTools).
    pub before: PathBuf,
    /// Snapshot taken later, of the same process.
    pub after: PathBuf,
    /// Print node-memwatch's HeapDiff JSON object (one line) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print parse and diff times, throughput and sizes to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Also show who retains the N classes that grew most: representative retainer paths and
    /// retained-size deltas (JSON: an extra "retainers" key; node-memwatch's fields unchanged).
    #[arg(long, value_name = "N")]
    pub retainers: Option<usize>,
    #[command(flatten)]
    pub threads: Threads,
}

struct Parsed {
    snapshot: HeapSnapshot,
    /// This file's side of the HeapDiff, computed on its parser thread.
    walked: Walked,
    /// Time of that walk.
    walk: Duration,
    bytes: u64,
    took: Duration,
    /// CPU time of the parsing thread, where the OS tells it (wall time misleads on a busy
    /// machine); with several threads per file, the process's CPU time is shown for both.
    cpu: Option<Duration>,
}

/// This thread's CPU time so far, from Linux's /proc/thread-self/schedstat (nanoseconds on CPU).
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// This process's CPU time so far (all threads), from /proc/self/stat (user + system, in clock
/// ticks of 10 ms on Linux).
fn process_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

pub fn run(args: Args) -> CliResult {
    crate::memory::return_freed_memory_promptly();
    let multi = MultiProgress::new();
    let edge_details = args.retainers.is_some();
    let threads = args.threads.per_file(2);
    let (parse_start, parse_cpu0) = (Instant::now(), process_cpu());
    let (before, after) = std::thread::scope(|s| {
        let b = s.spawn(|| parse_file(&args.before, &multi, edge_details, threads));
        let a = s.spawn(|| parse_file(&args.after, &multi, edge_details, threads));
        (join(b), join(a))
    });
    let (before, after) = (before?, after?);
    let parse_wall = parse_start.elapsed();
    let parse_cpu = process_cpu().zip(parse_cpu0).map(|(b, a)| b.saturating_sub(a));

    let (t, cpu0) = (Instant::now(), thread_cpu());
    let diff = heap_diff_of_walked(&before.snapshot, &before.walked, &after.snapshot, &after.walked).heapdiff;
    let diff_took = t.elapsed();
    let diff_cpu = thread_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    if args.timings {
        for (path, p) in [(&args.before, &before), (&args.after, &after)] {
            let rate = |d: Duration| p.bytes as f64 / 1e6 / d.as_secs_f64().max(1e-9);
            let cpu = p.cpu.map_or(String::new(), |c| format!(", cpu {:.3} s ({:.0} MB/s)", c.as_secs_f64(), rate(c)));
            eprintln!(
                "parse {}: {} bytes, {} nodes, {} edges: wall {:.3} s ({:.0} MB/s){cpu}; then its reachability walk {:.3} s",
                path.display(),
                p.bytes,
                p.snapshot.node_count(),
                p.snapshot.edge_count(),
                p.took.as_secs_f64(),
                rate(p.took),
                p.walk.as_secs_f64(),
            );
        }
        let both = (before.bytes + after.bytes) as f64 / 1e6;
        let cpu = parse_cpu.map_or(String::new(), |c| {
            format!(", cpu {:.3} s ({:.0} MB/s per core)", c.as_secs_f64(), both / c.as_secs_f64().max(1e-9))
        });
        eprintln!(
            "parse and walk both ({threads} thread{} each): wall {:.3} s ({:.0} MB/s){cpu}",
            if threads == 1 { "" } else { "s" },
            parse_wall.as_secs_f64(),
            both / parse_wall.as_secs_f64().max(1e-9)
        );
        let cpu = diff_cpu.map_or(String::new(), |c| format!(", cpu {:.3} s", c.as_secs_f64()));
        eprintln!("diff: wall {:.3} s{cpu}", diff_took.as_secs_f64());
    }
    let growth = match args.retainers {
        Some(n) => Some(
            growth_report(&before.snapshot, &after.snapshot, n)
                .map_err(|e| CliError::BadInput(format!("{}: {e}", args.after.display())))?,
        ),
        None => None,
    };
    drop((before, after));

    let text = if args.json {
        heap_diff_json(&diff, growth.as_ref())
            .map_err(|e| CliError::Failure(format!("cannot serialise the diff: {e}")))?
    } else {
        heap_diff_text(&diff, growth.as_ref())
    };
    // A closed pipe (`memwatch diff a b | head`) is not an error worth reporting.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(CliError::Failure(format!("cannot write to stdout: {e}"))),
    }
}

fn join(h: std::thread::ScopedJoinHandle<'_, Result<Parsed, CliError>>) -> Result<Parsed, CliError> {
    h.join().unwrap_or_else(|_| Err(CliError::Failure("internal error: the parser thread panicked".into())))
}

fn parse_file(path: &Path, multi: &MultiProgress, edge_details: bool, threads: usize) -> Result<Parsed, CliError> {
    let file = File::open(path).map_err(|e| CliError::in_file(path, format!("cannot open: {e}")))?;
    let len = file.metadata().map(|m| m.len()).ok();
    let bar = bytes_bar(len.unwrap_or(0), &path.file_name().unwrap_or_default().to_string_lossy());
    // Only visible bars join the group (adding would re-target a hidden one to stderr).
    let bar = if bar.is_hidden() { bar } else { multi.add(bar) };
    let opts = ParseOptions {
        size_hint: len,
        // Edge types and names are needed only for retainer paths; without them a diff needs
        // far less memory.
        edge_details,
    };
    let (t, cpu0) = (Instant::now(), thread_cpu().filter(|_| threads == 1));
    let result = parse_positional(&file, opts, threads, |n| bar.set_position(n));
    bar.finish_and_clear();
    let snapshot = result.map_err(|e| CliError::in_file(path, e))?;
    let cpu = thread_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    let took = t.elapsed();
    // This file's half of the HeapDiff, while the other file may still be parsing.
    let w = Instant::now();
    let walked = Walked::new(&snapshot);
    Ok(Parsed { snapshot, walked, walk: w.elapsed(), bytes: len.unwrap_or(0), took, cpu })
}
