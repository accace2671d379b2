//! `memwatch analyze EXPORT_FILE`: re-runs stats and leak detection on an export file.
//!
//! Detector parameters default to the ones recorded in the file's header (which reproduces the
//! live run's events); each option overrides one of them (core's `AnalyzerConfig::overlay`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use memwatch_core::export::{analyze_export, read_export_from};
use memwatch_core::file_kind::{detect_file_kind, FileKind, DETECT_HEAD_BYTES};
use memwatch_core::render::analyze::{export_analysis_text, truncated_line_warning};
use memwatch_core::render::json_line;

use crate::detector_args::DetectorArgs;
use crate::error::{CliError, CliResult};
use crate::progress::open_with_progress;

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
    let file = args.file.display().to_string();
    if let Some(line) = result.truncated_line {
        eprintln!("memwatch: {}", truncated_line_warning(&file, line));
    }
    let text = if args.json {
        json_line(&result).map_err(|e| CliError::Failure(format!("cannot serialise the analysis: {e}")))?
    } else {
        export_analysis_text(&file, &result)
    };
    // A closed pipe (`| head`) is not an error worth a message.
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
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
