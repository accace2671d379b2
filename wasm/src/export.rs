//! Export files (memwatch's line-delimited JSON): parse, and re-run stats + leak detection with
//! caller-chosen detector parameters (the same computation as `memwatch analyze --json`).

use memwatch_core::analyzer::AnalyzerConfig;
use memwatch_core::export::{analyze_export, read_export, Export, Header, Record};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::types::AnalyzerConfigJs;
use crate::{js_error, to_js};

/// `parseExport`'s result. `truncated_line`: 1-based line of a cut-off last line that was ignored.
#[derive(Serialize, tsify::Tsify)]
#[tsify(rename = "ExportFile", missing_as_null)]
struct ExportView<'a> {
    #[tsify(type = "ExportHeader")]
    header: &'a Header,
    #[tsify(type = "ExportRecord[]")]
    records: &'a [Record],
    truncated_line: Option<u64>,
    skipped_records: u64,
}

fn read(bytes: &[u8]) -> Result<Export, JsValue> {
    read_export(bytes).map_err(js_error)
}

/// Parses an export file: `{header, records, truncated_line, skipped_records}`.
#[wasm_bindgen(js_name = parseExport, unchecked_return_type = "ExportFile")]
pub fn parse_export(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let e = read(bytes)?;
    to_js(&ExportView {
        header: &e.header,
        records: &e.records,
        truncated_line: e.truncated_line,
        skipped_records: e.skipped_records,
    })
}

/// Re-analyses an export file, like `memwatch analyze --json`. `options` (`AnalyzerConfig`)
/// override the detector parameters recorded in the file's header field by field, exactly as the
/// CLI's detector flags do: `{classic: {growth_count: 3}}` changes one field and keeps the rest,
/// `{trend: null}` turns a detector off (`--no-trend`), no options reproduce the live run.
#[wasm_bindgen(js_name = analyzeExport, unchecked_return_type = "ExportAnalysis")]
pub fn analyze_export_bytes(bytes: &[u8], options: Option<AnalyzerConfigJs>) -> Result<JsValue, JsValue> {
    let export = read(bytes)?;
    let config = match options {
        Some(o) if !o.is_null() && !o.is_undefined() => {
            let overrides: serde_json::Value = crate::from_js(o.into(), "analyzeExport options")?;
            Some(overlay(&export.header.analyzer, overrides)?)
        }
        _ => None,
    };
    to_js(&analyze_export(&export, config.as_ref()))
}

/// `base` with the detector sections of `overrides` laid over it one field at a time (a `null`
/// section turns that detector off; a section for a detector `base` has off turns it on).
fn overlay(base: &AnalyzerConfig, overrides: serde_json::Value) -> Result<AnalyzerConfig, JsValue> {
    use serde_json::Value;
    let bad = |e: &dyn std::fmt::Display| js_error(format!("invalid analyzeExport options: {e}"));
    let Value::Object(overrides) = overrides else {
        return Err(bad(&"expected an object like {classic: {...}, trend: {...}}"));
    };
    let mut merged = serde_json::to_value(base).map_err(|e| bad(&e))?;
    // Every known section and field, so a misspelt option is an error rather than ignored.
    let known = serde_json::to_value(AnalyzerConfig::default()).map_err(|e| bad(&e))?;
    for (section, value) in overrides {
        let Some(fields) = known.get(section.as_str()) else {
            return Err(bad(&format!("unknown detector {section:?} (expected \"classic\" or \"trend\")")));
        };
        if let Some(unknown) = value.as_object().and_then(|o| o.keys().find(|k| fields.get(k.as_str()).is_none())) {
            return Err(bad(&format!("unknown {section} option {unknown:?}")));
        }
        if merged[section.as_str()].is_null() {
            merged[section.as_str()] = fields.clone();
        }
        let slot = &mut merged[section.as_str()];
        match (slot.as_object_mut(), value) {
            (Some(fields), Value::Object(changes)) => fields.extend(changes),
            (_, value) => *slot = value,
        }
    }
    serde_json::from_value(merged).map_err(|e| bad(&e))
}

/// Collects an export file pushed in chunks (e.g. from `File.stream()`), then parses or analyses
/// it. Export files are small next to snapshots (one line per GC), so the bytes are kept whole.
#[wasm_bindgen]
#[derive(Default)]
pub struct ExportParser {
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl ExportParser {
    #[wasm_bindgen(constructor)]
    pub fn new() -> ExportParser {
        ExportParser::default()
    }

    pub fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
    }

    #[wasm_bindgen(getter, js_name = bytesConsumed)]
    pub fn bytes_consumed(&self) -> f64 {
        self.bytes.len() as f64
    }

    #[wasm_bindgen(unchecked_return_type = "ExportFile")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        parse_export(&std::mem::take(&mut self.bytes))
    }

    #[wasm_bindgen(unchecked_return_type = "ExportAnalysis")]
    pub fn analyze(&mut self, options: Option<AnalyzerConfigJs>) -> Result<JsValue, JsValue> {
        analyze_export_bytes(&std::mem::take(&mut self.bytes), options)
    }
}
