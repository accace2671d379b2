//! Export files (memwatch's line-delimited JSON): parse once into an [`Export`] handle kept in
//! wasm memory, then re-run stats + leak detection with caller-chosen detector options as often
//! as needed (the same computation as `memwatch analyze --json`). Options are overlaid and
//! validated by core (`memwatch_core::detector_options`); nothing is decided here.

use memwatch_core::analyzer::AnalyzerConfig;
use memwatch_core::detector_options::{option_infos, AnalyzerOverrides};
use memwatch_core::export::{analyze_export, read_export, Export as CoreExport, Header, Record};
use memwatch_core::file_kind::{detect_file_kind, DETECT_HEAD_BYTES};
use memwatch_core::sample::GcType;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::snapshot::byte_view;
use crate::types::AnalyzerConfigJs;
use crate::{from_js, js_error, to_js};

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

fn read(bytes: &[u8]) -> Result<CoreExport, JsValue> {
    read_export(bytes).map_err(js_error)
}

/// The bytes of a `Uint8Array` or `ArrayBuffer` argument, copied into wasm memory (export files
/// are small), or a `TypeError` naming the call and argument: a string would otherwise arrive as
/// zero bytes ("expected '{' but found byte 0x00") and other objects fail inside the glue code.
fn bytes_arg(value: &JsValue, function: &str, arg: &str) -> Result<Vec<u8>, JsValue> {
    Ok(byte_view(value, function, arg)?.to_vec())
}

fn view(e: &CoreExport) -> Result<JsValue, JsValue> {
    to_js(&ExportView {
        header: &e.header,
        records: &e.records,
        truncated_line: e.truncated_line,
        skipped_records: e.skipped_records,
    })
}

/// JS options (`{classic: {growth_count: 3}, trend: null}`) as core overrides; `what` names the
/// call in type errors. Names and values are checked by core, with core's messages.
pub(crate) fn overrides_from_js(options: Option<AnalyzerConfigJs>, what: &str) -> Result<AnalyzerOverrides, JsValue> {
    match options {
        Some(o) => from_js(o.into(), what),
        None => Ok(AnalyzerOverrides::default()),
    }
}

fn analyze(export: &CoreExport, options: Option<AnalyzerConfigJs>, what: &str) -> Result<JsValue, JsValue> {
    let overrides = overrides_from_js(options, what)?;
    to_js(&analyze_export(export, &overrides).map_err(js_error)?)
}

/// Parses an export file: `{header, records, truncated_line, skipped_records}`.
#[wasm_bindgen(js_name = parseExport, unchecked_return_type = "ExportFile")]
pub fn parse_export(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
) -> Result<JsValue, JsValue> {
    view(&read(&bytes_arg(&bytes, "parseExport", "bytes")?)?)
}

/// Re-analyses an export file, like `memwatch analyze --json`. `options` override the detector
/// parameters recorded in the file's header field by field, exactly as the CLI's detector flags
/// do: `{classic: {growth_count: 3}}` changes one field and keeps the rest, `{trend: null}` turns
/// a detector off (`--no-trend`), no options reproduce the live run. A bad option throws core's
/// message (the one the CLI prints). To analyse one file several times, parse it once with
/// `new Export(bytes)`.
#[wasm_bindgen(js_name = analyzeExport, unchecked_return_type = "ExportAnalysis")]
pub fn analyze_export_bytes(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
    options: Option<AnalyzerConfigJs>,
) -> Result<JsValue, JsValue> {
    analyze(&read(&bytes_arg(&bytes, "analyzeExport", "bytes")?)?, options, "analyzeExport options")
}

/// A parsed export file held in wasm memory: parse once, then read its parts or re-analyse it
/// with other detector options without parsing again. Call `free()` when done.
#[wasm_bindgen]
pub struct Export {
    inner: CoreExport,
}

#[wasm_bindgen]
impl Export {
    /// Parses a whole export file (throws core's message, with the line, on a bad file).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
    ) -> Result<Export, JsValue> {
        Ok(Export { inner: read(&bytes_arg(&bytes, "new Export", "bytes")?)? })
    }

    /// The header line.
    #[wasm_bindgen(unchecked_return_type = "ExportHeader")]
    pub fn header(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.header)
    }

    /// Every record after the header, in file order (unknown record types are skipped).
    #[wasm_bindgen(unchecked_return_type = "ExportRecord[]")]
    pub fn records(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.records)
    }

    /// The GC samples (`gc` records) only, in file order.
    #[wasm_bindgen(js_name = gcSamples, unchecked_return_type = "GcSample[]")]
    pub fn gc_samples(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.gc_samples().collect::<Vec<_>>())
    }

    /// `{header, records, truncated_line, skipped_records}`, as `parseExport` returns.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ExportFile")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        view(&self.inner)
    }

    /// 1-based line number of a cut-off last line that was ignored, or null.
    #[wasm_bindgen(getter, js_name = truncatedLine, unchecked_return_type = "number | null")]
    pub fn truncated_line(&self) -> JsValue {
        self.inner.truncated_line.map_or(JsValue::NULL, |l| JsValue::from_f64(l as f64))
    }

    /// Records of types this version does not know (a newer minor version), skipped.
    #[wasm_bindgen(getter, js_name = skippedRecords)]
    pub fn skipped_records(&self) -> f64 {
        self.inner.skipped_records as f64
    }

    /// Re-runs stats and leak detection with `options` over the recorded parameters, like
    /// `analyzeExport(bytes, options)` and `memwatch analyze --json`.
    #[wasm_bindgen(unchecked_return_type = "ExportAnalysis")]
    pub fn analyze(&self, options: Option<AnalyzerConfigJs>) -> Result<JsValue, JsValue> {
        analyze(&self.inner, options, "Export.analyze options")
    }
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

    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] chunk: JsValue,
    ) -> Result<(), JsValue> {
        let chunk = byte_view(&chunk, "ExportParser.push", "chunk")?;
        let at = self.bytes.len();
        self.bytes.resize(at + chunk.length() as usize, 0);
        chunk.copy_to(&mut self.bytes[at..]);
        Ok(())
    }

    #[wasm_bindgen(getter, js_name = bytesConsumed)]
    pub fn bytes_consumed(&self) -> f64 {
        self.bytes.len() as f64
    }

    #[wasm_bindgen(unchecked_return_type = "ExportFile")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        view(&read(&std::mem::take(&mut self.bytes))?)
    }

    /// Ends the input and returns the parsed file as an `Export` handle.
    #[wasm_bindgen(js_name = finishExport)]
    pub fn finish_export(&mut self) -> Result<Export, JsValue> {
        Ok(Export { inner: read(&std::mem::take(&mut self.bytes))? })
    }

    #[wasm_bindgen(unchecked_return_type = "ExportAnalysis")]
    pub fn analyze(&mut self, options: Option<AnalyzerConfigJs>) -> Result<JsValue, JsValue> {
        analyze(&read(&std::mem::take(&mut self.bytes))?, options, "ExportParser.analyze options")
    }
}

/// Which format a file holds, from its first bytes (up to 4096; the whole file when shorter):
/// `"snapshot"` (a V8 `.heapsnapshot`) or `"export"` (a memwatch export). Throws "the file is
/// empty" or "neither a V8 heap snapshot (.heapsnapshot) nor a memwatch export file (.jsonl)".
#[wasm_bindgen(js_name = detectFileKind, unchecked_return_type = "\"snapshot\" | \"export\"")]
pub fn detect_file_kind_js(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] head: JsValue,
) -> Result<JsValue, JsValue> {
    let head = byte_view(&head, "detectFileKind", "head")?;
    // Only the first bytes decide: copy no more (a caller may pass the whole file).
    let head = head.subarray(0, head.length().min(DETECT_HEAD_BYTES as u32)).to_vec();
    to_js(&detect_file_kind(&head).map_err(js_error)?)
}

/// Core's detector options (names, CLI flags, inclusive bounds, defaults, help), e.g. for a form.
#[wasm_bindgen(js_name = detectorOptions, unchecked_return_type = "DetectorOptionInfo[]")]
pub fn detector_options() -> Result<JsValue, JsValue> {
    to_js(&option_infos())
}

/// The detector parameters `options` give over the built-in defaults (what `Analyzer` uses),
/// validated; throws core's message for a bad option.
#[wasm_bindgen(js_name = resolveAnalyzerConfig, unchecked_return_type = "AnalyzerConfig")]
pub fn resolve_analyzer_config(options: Option<AnalyzerConfigJs>) -> Result<JsValue, JsValue> {
    let overrides = overrides_from_js(options, "detector options")?;
    to_js(&AnalyzerConfig::default().overlay(&overrides).map_err(js_error)?)
}

/// Core's memwatch GC type for V8's `GCType` bits (a perf_hooks `gc` entry's `detail.kind`); an
/// unknown bit pattern gives `"v8_gc_type_<bits>"` (kept and marked, never guessed).
#[wasm_bindgen(js_name = gcTypeFromV8Bits, unchecked_return_type = "GcType")]
pub fn gc_type_from_v8_bits(bits: u32) -> Result<JsValue, JsValue> {
    to_js(&GcType::from_v8_bits(bits))
}

/// Core's memwatch GC type for a `v8.GCProfiler` collection name (`"MarkSweepCompact"`, ...), or
/// null for a name it does not know.
#[wasm_bindgen(js_name = gcTypeFromV8Name, unchecked_return_type = "GcType | null")]
pub fn gc_type_from_v8_name(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&GcType::from_v8_name(&crate::string_arg(&name, "gcTypeFromV8Name", "name")?))
}
