//! Heap snapshots: a push parser whose result stays in wasm memory (`Snapshot`), node-memwatch's
//! HeapDiff and the per-class summary. Bytes given as one `Uint8Array` (or `ArrayBuffer`) are fed
//! to the streaming parser in 1 MiB slices, so a 500 MB snapshot is never copied into wasm memory
//! whole.
//!
//! Failures are `Error`s (a wrong argument type a `TypeError`) and leave every object usable or
//! freeable: the parser reports running out of memory as an error instead of trapping.

use js_sys::{ArrayBuffer, Uint8Array};
use memwatch_core::diff::{heap_diff, heap_diff_with_comparison};
use memwatch_core::retainers::{RetainersError, SnapshotAnalysis};
use memwatch_core::snapshot::{transfer, HeapSnapshot, ParseError, ParseOptions, SnapshotParser as CoreParser};
use memwatch_core::summary::summarize;
use std::cell::OnceCell;
use wasm_bindgen::prelude::*;

use crate::types::SnapshotParserOptionsJs;
use crate::{from_js, js_error, to_js};

const SLICE: u32 = 1 << 20;

/// Incremental `.heapsnapshot` parser: `push()` chunks as they arrive (e.g. from
/// `File.stream()`), then `finish()`. After an error or `finish()` the parser is spent.
#[wasm_bindgen]
pub struct SnapshotParser {
    inner: Option<CoreParser>,
    consumed: u64,
}

/// `new SnapshotParser({ sizeHint, edgeDetails })`.
#[derive(serde::Deserialize, tsify::Tsify)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[tsify(rename = "SnapshotParserOptions", missing_as_null)]
struct Options {
    /// The input's total size in bytes, if known.
    size_hint: Option<f64>,
    /// `false` skips edge types and names: enough for diffs and summaries, less memory, faster.
    edge_details: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { size_hint: None, edge_details: true }
    }
}

#[wasm_bindgen]
impl SnapshotParser {
    /// `options.sizeHint`: the input's total size, if known (bounds up-front reservations);
    /// `options.edgeDetails: false` drops edge types and names, which a HeapDiff and a summary do
    /// not need (5 of every 9 bytes per edge; faster).
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<SnapshotParserOptionsJs>) -> Result<SnapshotParser, JsValue> {
        let o: Options = match options {
            Some(o) => from_js(o.into(), "SnapshotParser options")?,
            None => Options::default(),
        };
        let opts = ParseOptions { size_hint: o.size_hint.map(|s| s as u64), edge_details: o.edge_details };
        Ok(SnapshotParser { inner: Some(CoreParser::with_options(opts)), consumed: 0 })
    }

    /// Feeds the next chunk (a `Uint8Array` or an `ArrayBuffer`).
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] chunk: JsValue,
    ) -> Result<(), JsValue> {
        let chunk = byte_view(&chunk, "SnapshotParser.push", "chunk")?;
        let parser = self.inner.as_mut().ok_or_else(spent)?;
        let result = feed(parser, &chunk);
        self.consumed += u64::from(chunk.length());
        result.map_err(|e| {
            // Dropping the parser here returns its memory to the allocator at once.
            self.inner = None;
            js_error(e)
        })
    }

    /// Bytes pushed so far (for progress bars).
    #[wasm_bindgen(getter, js_name = bytesConsumed)]
    pub fn bytes_consumed(&self) -> f64 {
        self.consumed as f64
    }

    /// Ends the input and returns the parsed graph, kept in wasm memory until `free()`.
    pub fn finish(&mut self) -> Result<Snapshot, JsValue> {
        let parser = self.inner.take().ok_or_else(spent)?;
        parser.finish().map(Snapshot::new).map_err(js_error)
    }
}

fn spent() -> JsValue {
    js_error("this SnapshotParser already finished or failed; create a new one")
}

/// A parsed heap snapshot held in wasm memory. Call `free()` when done (a FinalizationRegistry
/// frees forgotten ones eventually, but snapshots are big).
#[wasm_bindgen]
pub struct Snapshot {
    graph: HeapSnapshot,
    /// Dominator tree, retained sizes and retainer paths, computed by the first retainer query
    /// (retainers.rs) and kept, so that selecting class after class in the viewer does not
    /// re-analyse the snapshot (costs ~40 bytes per node more until `free()`).
    analysis: OnceCell<SnapshotAnalysis>,
}

impl Snapshot {
    fn new(graph: HeapSnapshot) -> Snapshot {
        Snapshot { graph, analysis: OnceCell::new() }
    }

    /// The parsed graph, for the other binding modules (retainers).
    pub(crate) fn graph(&self) -> &HeapSnapshot {
        &self.graph
    }

    /// The retainer analysis, computed once (fails only without edge details).
    pub(crate) fn analysis(&self) -> Result<&SnapshotAnalysis, RetainersError> {
        if let Some(a) = self.analysis.get() {
            return Ok(a);
        }
        let a = SnapshotAnalysis::new(&self.graph)?;
        Ok(self.analysis.get_or_init(|| a))
    }
}

#[wasm_bindgen]
impl Snapshot {
    /// Parses a whole snapshot held in one `Uint8Array`.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
    ) -> Result<Snapshot, JsValue> {
        let bytes = byte_view(&bytes, "Snapshot.fromBytes", "bytes")?;
        parse_array(&bytes, true).map(Snapshot::new).map_err(js_error)
    }

    /// The parsed graph as one buffer for `Snapshot.fromTransfer` in another wasm instance (a
    /// worker that parsed a file hands its graph to the worker that diffs it), without parsing
    /// the JSON again. About the graph's own size.
    #[wasm_bindgen(js_name = toTransfer)]
    pub fn to_transfer(&self) -> Vec<u8> {
        transfer::encode(&self.graph)
    }

    /// A graph from `toTransfer`'s buffer; a damaged buffer is an error.
    #[wasm_bindgen(js_name = fromTransfer)]
    pub fn from_transfer(bytes: &[u8]) -> Result<Snapshot, JsValue> {
        transfer::decode(bytes).map(Snapshot::new).map_err(js_error)
    }

    #[wasm_bindgen(getter, js_name = nodeCount)]
    pub fn node_count(&self) -> f64 {
        self.graph.node_count() as f64
    }

    #[wasm_bindgen(getter, js_name = edgeCount)]
    pub fn edge_count(&self) -> f64 {
        self.graph.edge_count() as f64
    }

    /// The V8 node id of every node, in snapshot order: what `leakReportFromIds` needs of the
    /// baseline and target snapshots, so they can be parsed elsewhere (another worker) and only
    /// their ids moved (4 bytes per node).
    #[wasm_bindgen(js_name = nodeIds)]
    pub fn node_ids(&self) -> Vec<u32> {
        self.graph.node_id.clone()
    }

    /// Per-class summary, largest self size first.
    #[wasm_bindgen(unchecked_return_type = "ClassSummary[]")]
    pub fn summarize(&self) -> Result<JsValue, JsValue> {
        to_js(&summarize(&self.graph))
    }

    /// node-memwatch's HeapDiff from this snapshot (before) to `after`.
    #[wasm_bindgen(unchecked_return_type = "HeapDiffResult")]
    pub fn diff(&self, after: &Snapshot) -> Result<JsValue, JsValue> {
        to_js(&heap_diff(&self.graph, &after.graph))
    }

    /// `diff(after)` and DevTools' Comparison columns of its rows (# New, # Deleted, # Delta,
    /// Alloc. size, Freed size, Size delta) from the same walk: `{ heapdiff, rows }`.
    #[wasm_bindgen(unchecked_return_type = "DiffComparison")]
    pub fn compare(&self, after: &Snapshot) -> Result<JsValue, JsValue> {
        to_js(&heap_diff_with_comparison(&self.graph, &after.graph))
    }
}

/// node-memwatch's HeapDiff of two snapshots given as bytes (`hd.end()`'s object).
#[wasm_bindgen(js_name = diffSnapshots, unchecked_return_type = "HeapDiffResult")]
pub fn diff_snapshots(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] before: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] after: JsValue,
) -> Result<JsValue, JsValue> {
    let before = byte_view(&before, "diffSnapshots", "before")?;
    let after = byte_view(&after, "diffSnapshots", "after")?;
    let before = parse_array(&before, false).map_err(|e| js_error(format!("before snapshot: {e}")))?;
    let after = parse_array(&after, false).map_err(|e| js_error(format!("after snapshot: {e}")))?;
    to_js(&heap_diff(&before, &after))
}

/// Per-class summary (`[{what, count, self_size}]`, largest self size first) of one snapshot.
#[wasm_bindgen(js_name = summarizeSnapshot, unchecked_return_type = "ClassSummary[]")]
pub fn summarize_snapshot(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
) -> Result<JsValue, JsValue> {
    let bytes = byte_view(&bytes, "summarizeSnapshot", "bytes")?;
    to_js(&summarize(&parse_array(&bytes, false).map_err(js_error)?))
}

/// The bytes of a `Uint8Array` (Node's `Buffer` is one) or an `ArrayBuffer`; for anything else a
/// `TypeError` naming the function and argument (before, an `ArrayBuffer` read as an empty file).
pub(crate) fn byte_view(value: &JsValue, function: &str, arg: &str) -> Result<Uint8Array, JsValue> {
    if let Some(a) = value.dyn_ref::<Uint8Array>() {
        return Ok(a.clone());
    }
    if let Some(b) = value.dyn_ref::<ArrayBuffer>() {
        return Ok(Uint8Array::new(b));
    }
    let got = crate::js_type_name(value);
    Err(js_sys::TypeError::new(&format!("{function}: {arg} must be a Uint8Array or an ArrayBuffer (got {got})")).into())
}

/// Pushes a JS byte array into the parser in [`SLICE`]-sized copies.
fn feed(parser: &mut CoreParser, bytes: &Uint8Array) -> Result<(), ParseError> {
    let len = bytes.length();
    let mut buf = vec![0u8; SLICE.min(len) as usize];
    let mut at = 0u32;
    while at < len {
        let end = at.saturating_add(SLICE).min(len);
        let part = &mut buf[..(end - at) as usize];
        bytes.subarray(at, end).copy_to(part);
        parser.push(part)?;
        at = end;
    }
    Ok(())
}

fn parse_array(bytes: &Uint8Array, edge_details: bool) -> Result<HeapSnapshot, ParseError> {
    let size_hint = Some(u64::from(bytes.length()));
    let mut parser = CoreParser::with_options(ParseOptions { size_hint, edge_details });
    feed(&mut parser, bytes)?;
    parser.finish()
}
