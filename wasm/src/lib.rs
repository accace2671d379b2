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
//! - [`render`]: `renderHeapDiff`, `renderLeakReport`, `renderExportAnalysis`: the CLI's report text
//!   and `--json` lines, from core.
//! - [`alloc`]: `AllocationTracker`, allocation sites from the Node adapter's sampling profiles.
//! - [`types`]: the TypeScript declarations of the returned objects.
//!
//! Panics are bugs, not an error path: the hook installed at start-up turns one into a JS `Error`
//! ("memwatch internal error: ...") instead of a bare `unreachable` trap, so the caller sees what
//! happened, but every input-derived failure is a `Result` before it gets there.

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

pub mod alloc;
pub mod analyzer;
mod exact;
pub mod export;
pub mod render;
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

/// What a JS value is, for argument errors: `string`, `null`, `Array`, `Uint16Array`, `number`.
pub(crate) fn js_type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_string()
    } else if value.is_object() {
        js_sys::Reflect::get(value, &"constructor".into())
            .ok()
            .and_then(|c| js_sys::Reflect::get(&c, &"name".into()).ok())
            .and_then(|n| n.as_string())
            .unwrap_or_else(|| "object".to_string())
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

/// A string argument, or a `TypeError` naming the call and the argument: wasm-bindgen's glue for
/// a `&str` parameter given a number traps ("memory access out of bounds").
pub(crate) fn string_arg(value: &JsValue, function: &str, arg: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        js_sys::TypeError::new(&format!("{function}: {arg} must be a string (got {})", js_type_name(value))).into()
    })
}

/// A count argument (a non-negative integer), or a `TypeError` naming the call and the argument:
/// wasm-bindgen's `u32` conversion would read `'x'` as 0 and `-1` as 4294967295.
pub(crate) fn count_arg(value: &JsValue, function: &str, arg: &str) -> Result<usize, JsValue> {
    match value.as_f64() {
        Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => Ok(v as usize),
        _ => {
            let got = value.as_f64().map_or_else(|| js_type_name(value), |v| v.to_string());
            Err(js_sys::TypeError::new(&format!("{function}: {arg} must be a non-negative integer (got {got})")).into())
        }
    }
}

/// An optional string argument (`undefined`/`null`: `None`), checked like [`string_arg`].
pub(crate) fn optional_string_arg(value: &JsValue, function: &str, arg: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string_arg(value, function, arg).map(Some)
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
