//! Integers beyond 2^53 in results: exact, as `BigInt` (docs/format.md, "Numbers").
//!
//! serde-wasm-bindgen refuses a `u64`/`i64` a JS number cannot hold exactly, which made a whole
//! call throw. Such values come only from export files (a snapshot's sizes are capped at 2^53-1
//! by the parser); the CLI prints them as exact JSON integers. Here a result holding one is
//! converted through `serde_json::Value`: every integer JS numbers hold stays a `number`, only the
//! larger ones become `BigInt`, so results without them look exactly as before.

use serde::Serialize;
use wasm_bindgen::JsValue;

const MAX_SAFE: u64 = (1 << 53) - 1;

pub(crate) fn to_js_exact<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    let v = serde_json::to_value(value).map_err(|e| e.to_string())?;
    convert(&v)
}

fn convert(v: &serde_json::Value) -> Result<JsValue, String> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if u <= MAX_SAFE {
                    JsValue::from_f64(u as f64)
                } else {
                    js_sys::BigInt::from(u).into()
                }
            } else if let Some(i) = n.as_i64() {
                if i.unsigned_abs() <= MAX_SAFE {
                    JsValue::from_f64(i as f64)
                } else {
                    js_sys::BigInt::from(i).into()
                }
            } else {
                JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => {
            let a = js_sys::Array::new_with_length(items.len() as u32);
            for (i, item) in items.iter().enumerate() {
                a.set(i as u32, convert(item)?);
            }
            a.into()
        }
        Value::Object(map) => {
            let o = js_sys::Object::new();
            for (k, item) in map {
                js_sys::Reflect::set(&o, &JsValue::from_str(k), &convert(item)?)
                    .map_err(|_| format!("could not set {k:?}"))?;
            }
            o.into()
        }
    })
}
