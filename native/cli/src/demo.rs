//! `memwatch demo`: runs a bundled app-like script with a leak (a session cache that is never
//! evicted, plus a HeapDiff around a batch of requests), prints the events as they come, writes
//! an export file and says what to do with it next.

use std::cell::Cell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

use memwatch::{Config, MemwatchEvent, PipelineConfig};
use memwatch_core::alloc::LeakAllocations;
use memwatch_core::detector_options::detector_name;
use memwatch_core::leak::LeakRetainers;
use memwatch_core::size::nice_size;
use memwatch_runtime::RunOptions;

use crate::error::{CliError, CliResult};
use crate::render::{printable, NAME_WIDTH};
use crate::run::{check_export_path, execute, exit_code};

const DEMO_NAME: &str = "memwatch:demo/leaky-app.js";
const DEMO_JS: &str = include_str!("../demo/leaky-app.js");
/// `memwatch run --sample-allocations=131072`: a quarter of the default interval, so the demo's
/// small leak passes the noise floor at most of its leak events.
const DEMO_SAMPLING_INTERVAL: u64 = 128 * 1024;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the export file.
    #[arg(long, value_name = "FILE", default_value = "memwatch-demo.ndjson")]
    pub out: PathBuf,
    /// Let --out replace an existing file that is not a memwatch export.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> CliResult {
    check_export_path(&args.out, &[], args.force)?;
    println!("memwatch demo: a small app whose session cache is never evicted (a leak).");
    println!("Events from memwatch are marked 'stats', 'LEAK' and 'heapdiff'; lines from the app '[app]'.\n");
    let opts = RunOptions {
        script: PathBuf::from(DEMO_NAME),
        source: Some(DEMO_JS.to_string()),
        module: false,
        args: vec![],
        max_heap_mb: None,
        sampling: true,
        memwatch: Config {
            pipeline: PipelineConfig {
                export: Some(args.out.clone()),
                target: serde_json::json!({ "script": DEMO_NAME, "demo": true }),
                ..PipelineConfig::default()
            },
            // The headline: each leak event names who holds the growth (a snapshot per event;
            // the demo's heap is small, so the pauses are short).
            leak_retainers: Some(3),
            // ... and which code allocated it (V8's sampling heap profiler). The demo's cache
            // grows ~3 MB between leak events, under the ~4.5 MB a site needs at the default
            // interval, so the demo samples 4x finer (its cost does not matter in a 2 s run).
            allocation_sampling: Some(DEMO_SAMPLING_INTERVAL),
            ..Config::default()
        },
        console_to_stderr: false,
        pprof_out: None,
    };
    let leaks = Rc::new(Cell::new(0u64));
    let outcome = execute(&opts, Box::new(printer(leaks.clone())))?;
    let code = exit_code(&outcome, false)?;
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let out = args.out.display();
    println!(
        "\nDone: {} GCs sampled, {} stats events, {} leak events. Export written to {out}",
        outcome.gc_count, outcome.stats_events, outcome.leak_events
    );
    println!("\nNext:");
    println!("  memwatch analyze {out}");
    println!("      re-runs the stats and leak detectors on the recording (--json for machines)");
    println!("  memwatch serve");
    println!("      then open the printed URL in a browser and drop {out} into the page");
    if outcome.leak_events == 0 {
        return Err(CliError::Failure("the demo's leak was not detected".into()));
    }
    Ok(ExitCode::SUCCESS)
}

/// The classes that grew most since the previous snapshot, each with its biggest holder.
fn print_top_retainers(r: &LeakRetainers) {
    if let Some(e) = &r.error {
        println!("          (no retainer paths: {e})");
    }
    for h in r.holders.iter().take(3) {
        println!("          {}", printable(&h.headline, 160));
        println!("            held at {}", printable(&h.path.text, 160));
    }
    if r.holders.is_empty() {
        for c in r.classes.iter().take(3) {
            let growth = c.count_after as i64 - c.count_before as i64;
            let held_by = c.paths.first().map(|p| p.path.as_str()).unwrap_or("(no path)");
            println!(
                "          {:+} {:<14} held by {}",
                growth,
                printable(&c.class, NAME_WIDTH),
                printable(held_by, 160)
            );
        }
    }
}

/// The allocation sites whose live memory grew most since the previous profile, or when none
/// did, since sampling started.
fn print_top_allocations(a: &LeakAllocations) {
    if let Some(e) = &a.error {
        println!("          (no allocation sites: {})", printable(e, 160));
    }
    let (sites, since) =
        if a.sites.is_empty() { (&a.sites_since_start, " since sampling started") } else { (&a.sites, "") };
    for site in sites.iter().take(2) {
        println!(
            "          allocated at {}: +{} live{since}",
            printable(&site.site.to_string(), 160),
            nice_size(site.growth)
        );
    }
}

/// Prints events readably: every 5th stats event (they come after each full GC), every leak,
/// and the top growing classes of each HeapDiff.
fn printer(leaks: Rc<Cell<u64>>) -> impl FnMut(&MemwatchEvent) {
    move |e| match e {
        MemwatchEvent::Stats(s) if s.heap_compactions % 5 == 0 => println!(
            "stats     full GC #{:<3} heap after GC {:>9}  estimated base {:>9}  trend {:+.1}%  pause {:.1} ms",
            s.heap_compactions,
            nice_size(s.current_base as i64),
            nice_size(s.estimated_base as i64),
            s.usage_trend,
            s.last_gc_pause_ns as f64 / 1e6
        ),
        MemwatchEvent::Stats(_) => {}
        MemwatchEvent::Leak(l) => {
            leaks.set(leaks.get() + 1);
            println!("LEAK      {} ({} detector, +{})", l.reason, detector_name(l.detector), nice_size(l.growth));
            if let Some(r) = &l.retainers {
                print_top_retainers(r);
            }
            if let Some(a) = &l.allocations {
                print_top_allocations(a);
            }
        }
        MemwatchEvent::HeapDiff(d) => {
            let c = &d.diff.change;
            println!(
                "heapdiff  {} -> {} ({} change, {} nodes allocated, {} freed); top growth:",
                d.diff.before.size, d.diff.after.size, c.size, c.allocated_nodes, c.freed_nodes
            );
            let mut top: Vec<_> = c.details.iter().filter(|x| x.size_bytes > 0).collect();
            top.sort_by_key(|x| std::cmp::Reverse(x.size_bytes));
            for x in top.iter().take(5) {
                println!("          {:<24} +{:<7} -{:<7} {:>10}", x.what, x.added, x.removed, x.size);
            }
        }
        _ => {}
    }
}
