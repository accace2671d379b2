//! Report text, the same for every host: `memwatch diff|leaks|analyze` print it, the wasm
//! bindings return it (`renderHeapDiff`, `renderLeakReport`, `renderExportAnalysis`; the npm
//! package's `memwatch-wasm` bin prints it), and `memwatch run` prints leak retainers and
//! allocation sites with it. Every name that comes from a file or a heap goes through
//! [`printable`] or [`escape_controls`] on its way to a terminal.
//!
//! - [`text`]: sizes with signs, escaping and cutting untrusted names, column widths.
//! - [`retainers`]: holders, growing classes, a leak event's retainers and allocation sites.
//! - [`diff`]: `memwatch diff`'s table (and `--retainers` sections) and its `--json` line.
//! - [`leaks`]: `memwatch leaks`' report.
//! - [`analyze`]: `memwatch analyze`'s summary of an export file.
//!
//! `--json` output is [`json_line`] of the result (one line), except `diff --retainers`, whose
//! `retainers` key is merged into node-memwatch's object ([`diff::heap_diff_json`]).

pub mod analyze;
pub mod diff;
pub mod leaks;
pub mod retainers;
pub mod text;

pub use text::{escape_controls, printable, signed_size, NAME_WIDTH};

/// `value` as one line of JSON followed by a newline: the `--json` output of `memwatch leaks`
/// and `memwatch analyze`.
pub fn json_line<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string(value)?;
    s.push('\n');
    Ok(s)
}
