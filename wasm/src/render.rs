//! Report text from core (`memwatch_core::render`): the exact text and `--json` lines of
//! `memwatch diff|leaks|analyze`, for the objects the other exports return (`diffSnapshots`,
//! `growthReport`, `leakReport`, `analyzeExport`). The npm package's `memwatch-wasm` bin prints
//! these; nothing is rendered in JS.

use memwatch_core::diff::HeapDiff;
use memwatch_core::export::ExportAnalysis;
use memwatch_core::render::analyze::{export_analysis_text, truncated_line_warning};
use memwatch_core::render::diff::{heap_diff_json, heap_diff_text};
use memwatch_core::render::leaks::{leak_report_text, LeakFiles};
use memwatch_core::render::{escape_controls, json_line, printable};
use memwatch_core::retainers::{GrowthReport, LeakReport};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::{js_error, serde_message};

/// `"text"` (default) or `"json"`: the CLI's output without or with `--json`.
fn wants_json(format: Option<String>) -> Result<bool, JsValue> {
    match format.as_deref() {
        None | Some("text") => Ok(false),
        Some("json") => Ok(true),
        Some(f) => Err(js_sys::TypeError::new(&format!("unknown format {f:?} (expected \"text\" or \"json\")")).into()),
    }
}

/// A result object handed back (as returned by another export, or parsed from the CLI's JSON).
fn typed<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| js_sys::TypeError::new(&format!("{what} is not a {what} object: {}", serde_message(e))).into())
}

/// `memwatch diff`'s output for a HeapDiff (`diffSnapshots`/`Snapshot.diff`) and, as with
/// `--retainers N`, a `growthReport`: the table, or node-memwatch's JSON line with the growth
/// report under `retainers`. Ends with a newline.
#[wasm_bindgen(js_name = renderHeapDiff)]
pub fn render_heap_diff(
    #[wasm_bindgen(unchecked_param_type = "HeapDiffResult")] diff: JsValue,
    #[wasm_bindgen(unchecked_param_type = "GrowthReport | null | undefined")] retainers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "\"text\" | \"json\" | undefined")] format: Option<String>,
) -> Result<String, JsValue> {
    let json = wants_json(format)?;
    let diff: HeapDiff = typed(diff, "HeapDiffResult")?;
    let growth: Option<GrowthReport> =
        if retainers.is_null() || retainers.is_undefined() { None } else { Some(typed(retainers, "GrowthReport")?) };
    if json {
        heap_diff_json(&diff, growth.as_ref()).map_err(js_error)
    } else {
        Ok(heap_diff_text(&diff, growth.as_ref()))
    }
}

/// `memwatch leaks`' output for a `leakReport`; `baseline` and `final_snapshot` are the names the
/// text shows for those snapshots (the CLI shows the paths as given). Ends with a newline.
#[wasm_bindgen(js_name = renderLeakReport)]
pub fn render_leak_report(
    #[wasm_bindgen(unchecked_param_type = "LeakReport")] report: JsValue,
    baseline: &str,
    final_snapshot: &str,
    #[wasm_bindgen(unchecked_param_type = "\"text\" | \"json\" | undefined")] format: Option<String>,
) -> Result<String, JsValue> {
    let json = wants_json(format)?;
    let report: LeakReport = typed(report, "LeakReport")?;
    if json {
        json_line(&report).map_err(js_error)
    } else {
        Ok(leak_report_text(&report, LeakFiles { baseline, final_snapshot }))
    }
}

/// `memwatch analyze`'s output for an `analyzeExport` result of the export file named `file`.
/// Ends with a newline.
#[wasm_bindgen(js_name = renderExportAnalysis)]
pub fn render_export_analysis(
    #[wasm_bindgen(unchecked_param_type = "ExportAnalysis")] analysis: JsValue,
    file: &str,
    #[wasm_bindgen(unchecked_param_type = "\"text\" | \"json\" | undefined")] format: Option<String>,
) -> Result<String, JsValue> {
    let json = wants_json(format)?;
    let analysis: ExportAnalysis = typed(analysis, "ExportAnalysis")?;
    if json {
        json_line(&analysis).map_err(js_error)
    } else {
        Ok(export_analysis_text(file, &analysis))
    }
}

/// The warning `memwatch analyze` prints on stderr for an export whose last line `line` is cut
/// off (`ExportAnalysis.truncated_line`), without the `memwatch: ` prefix.
#[wasm_bindgen(js_name = truncatedLineWarning)]
pub fn truncated_line_warning_js(file: &str, line: f64) -> String {
    truncated_line_warning(file, line as u64)
}

/// Text from a file or a heap made safe for a terminal: control characters and bidi overrides
/// escaped (`\u{1b}`); `keep_lines` keeps `\n` and `\t`.
#[wasm_bindgen(js_name = escapeControls)]
pub fn escape_controls_js(text: &str, keep_lines: bool) -> String {
    escape_controls(text, keep_lines).into_owned()
}

/// One-line text from a file or a heap for a terminal: escaped as by `escapeControls` (newlines
/// too) and cut to `max` characters (`(anonymous)` when empty).
#[wasm_bindgen(js_name = printableText)]
pub fn printable_js(text: &str, max: u32) -> String {
    printable(text, max as usize)
}
