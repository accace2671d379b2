//! The `memwatch` command line: thin glue over `memwatch-core` and the native V8 sampler.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod analyze;
mod demo;
mod detector_args;
mod diff;
mod error;
mod leaks;
mod memory;
mod metrics_server;
mod progress;
mod render;
mod run;
mod serve;
mod threads;

/// Find memory leaks in JavaScript running on V8.
///
/// Run a script with GC sampling and leak detection (`run`, `demo`), diff heap snapshots
/// (`diff`, `leaks`), re-analyse export files (`analyze`) and view them in a browser (`serve`).
#[derive(Parser)]
#[command(name = "memwatch", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Diff two .heapsnapshot files by class (node-memwatch's HeapDiff).
    Diff(diff::Args),
    /// Re-run stats and leak detection on an export file written by `memwatch run`.
    Analyze(analyze::Args),
    /// Run a JavaScript file with the `memwatch` global, GC sampling and leak detection.
    Run(run::Args),
    /// Run the bundled leaking demo app and write an export file.
    Demo(demo::Args),
    /// Find leaked objects and who retains them from three snapshots (baseline, target, final).
    Leaks(leaks::Args),
    /// Serve the web viewer on 127.0.0.1.
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout with exit 0, usage errors to stderr with 2.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match cli.command {
        Command::Diff(a) => diff::run(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Run(a) => run::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Leaks(a) => leaks::run(a),
        Command::Serve(a) => serve::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("memwatch: {e}");
            e.exit_code()
        }
    }
}
