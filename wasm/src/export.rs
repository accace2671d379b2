//! Export files (memwatch's line-delimited JSON): parse, and re-run stats + leak detection with
//! caller-chosen detector parameters (the same computation as `memwatch analyze --json`).

use memwatch_core::analyzer::AnalyzerConfig;
use memwatch_core::export::{analyze_export, read_export, Export, Header, Record};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::types::AnalyzerConfigJs;
use crate::{js_error, to_js};

/// `parseExport`'s result (core's `Export` as a plain object).
#[derive(Serialize)]
struct ExportView<'a> {
    header: &'a Header,
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

/// Re-analyses an export file. `options` are detector parameters (`AnalyzerConfig`); omitted
/// fields take their defaults, `null` turns a detector off, and no options at all reuse the
/// parameters recorded in the file's header (reproducing the live run's events).
#[wasm_bindgen(js_name = analyzeExport, unchecked_return_type = "ExportAnalysis")]
pub fn analyze_export_bytes(
    bytes: &[u8],
    options: Option<AnalyzerConfigJs>,
) -> Result<JsValue, JsValue> {
    let config: Option<AnalyzerConfig> = match options {
        Some(o) if !o.is_null() && !o.is_undefined() => Some(crate::from_js(o.into(), "analyzeExport options")?),
        _ => None,
    };
    let export = read(bytes)?;
    to_js(&analyze_export(&export, config.as_ref()))
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
    pub fn analyze(
        &mut self,
        options: Option<AnalyzerConfigJs>,
    ) -> Result<JsValue, JsValue> {
        analyze_export_bytes(&std::mem::take(&mut self.bytes), options)
    }
}
