//! Where the TypeScript declarations come from: nothing here is written by hand.
//!
//! Every object the bindings return or accept is a Rust type with `#[derive(tsify::Tsify)]`: the
//! core's serde types (behind memwatch-core's `ts` feature, which this crate enables) and the few
//! binding-local ones (`ExportView`, `ClassRetainers`, the option structs). The derive emits each
//! declaration into the `.d.ts` that wasm-bindgen generates (pkg/wasm/{node,web}/memwatch_wasm.d.ts),
//! with the Rust doc comments; exports name them with `unchecked_return_type`/`unchecked_param_type`.
//! Those two generated files are committed and `pkg/test/generated.test.js` fails when a rebuild
//! changes them (docs/bindings.md). Sizes are bytes, `*_ns` monotonic nanoseconds, `start`/`end`
//! epoch milliseconds.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A JS `AnalyzerConfig` object (typed parameter; deserialized with serde).
    #[wasm_bindgen(typescript_type = "AnalyzerConfig")]
    pub type AnalyzerConfigJs;
    /// A JS `SnapshotParserOptions` object.
    #[wasm_bindgen(typescript_type = "SnapshotParserOptions")]
    pub type SnapshotParserOptionsJs;
}

#[wasm_bindgen(typescript_custom_section)]
const LIVE_EVENT: &'static str = r#"
/**
 * An event of `Analyzer.push`: core's `AnalyzerEvent`, with @airbnb/node-memwatch's field names
 * (`AirbnbStats`) next to node-memwatch's on `stats` (what the Node adapter's listeners get).
 */
export type LiveEvent = ({ event: "stats" } & Stats & AirbnbStats) | ({ event: "leak" } & LeakEvent);
"#;
