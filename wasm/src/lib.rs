//! wasm-bindgen bindings over `memwatch-core`: the same engine for browsers, bundlers and Node.
//!
//! Every export has one shape: JS values in (`serde_wasm_bindgen::from_value` or bytes), one
//! `memwatch-core` call, a plain JS object out ([`to_js`]); core errors become JS `Error`s with the
//! core's own message ([`js_error`]), the same text the `memwatch` CLI prints after the file name.
//! No analysis happens here.
//!
//! - [`snapshot`]: `SnapshotParser` (push chunks, `finish()` -> `Snapshot` kept in wasm memory),
//!   `diffSnapshots`, `summarizeSnapshot`.
//! - [`export`]: `parseExport`, `analyzeExport`, `ExportParser` (pushed chunks).
//! - [`analyzer`]: `Analyzer`, the live stats/leak engine the Node adapter feeds GC samples to.
//! - [`types`]: the TypeScript declarations of the returned objects.
//!
//! Panics are bugs, not an error path: the hook installed at start-up turns one into a JS `Error`
//! ("memwatch internal error: ...") instead of a bare `unreachable` trap, so the caller sees what
//! happened, but every input-derived failure is a `Result` before it gets there.

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

pub mod analyzer;
mod exact;
pub mod export;
mod retainers;
pub mod snapshot;
pub mod types;

#[wasm_bindgen(start, skip_typescript)]
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // Throwing skips the abort that panic=abort would do next; destructors of the panicking
        // call do not run, so the object it was called on may stay borrowed (later calls on it
        // throw), but the module and other objects stay usable.
        wasm_bindgen::throw_val(js_sys::Error::new(&format!("memwatch internal error: {info}")).into())
    }));
}

/// The package version (same as the crates').
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A core error as a JS `Error` carrying the core's message.
pub(crate) fn js_error(e: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

/// Rust value -> plain JS object, shaped exactly like the CLI's `--json` (maps as objects,
/// `None` as null, integers as numbers).
/// Integers above 2^53 become `BigInt`s (see [`exact`]).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .or_else(|_| exact::to_js_exact(value))
        .map_err(js_error)
}

/// JS value -> Rust value; `undefined`/`null` give the type's default.
pub(crate) fn from_js<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    if !value.is_object() || value.is_function() {
        // serde-wasm-bindgen would say "Reflect.get called on non-object" for a string.
        let got = value.js_typeof().as_string().unwrap_or_default();
        return Err(js_sys::TypeError::new(&format!("invalid {what}: expected an object, got a {got}")).into());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| js_error(format!("invalid {what}: {}", serde_message(e))))
}

/// serde-wasm-bindgen errors wrap a JS `Error`; its `message` is the serde text.
pub(crate) fn serde_message(e: serde_wasm_bindgen::Error) -> String {
    let v: JsValue = e.into();
    match v.dyn_ref::<js_sys::Error>() {
        Some(err) => String::from(err.message()),
        None => format!("{v:?}"),
    }
}
