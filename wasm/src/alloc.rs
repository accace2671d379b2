//! Allocation sites for the Node adapter (`configure({ sampleAllocations })`): the adapter takes
//! V8's sampling heap profile through `node:inspector` and hands its JSON text here; core parses
//! it (depth-checked) and compares it with the previous one, as the native sampler does.

use memwatch_core::alloc::{check_sampling_interval, AllocationTracker as CoreTracker, DEFAULT_SAMPLING_INTERVAL};
use wasm_bindgen::prelude::*;

use crate::{js_error, to_js};

/// One live run's allocation sampling: when to take a profile, and each profile against the
/// previous one (`LeakAllocations`, the `allocations` of a `leak` event).
#[wasm_bindgen]
pub struct AllocationTracker {
    inner: CoreTracker,
}

#[wasm_bindgen]
impl AllocationTracker {
    /// `interval`: the profiler's sampling interval in bytes (default 524288); a value V8 or core
    /// would refuse (not a whole number, 0, above 1 GiB) throws core's message.
    #[wasm_bindgen(constructor)]
    pub fn new(interval: Option<f64>) -> Result<AllocationTracker, JsValue> {
        let interval = match interval {
            Some(bytes) => check_sampling_interval(bytes).map_err(js_error)?,
            None => DEFAULT_SAMPLING_INTERVAL,
        };
        Ok(AllocationTracker { inner: CoreTracker::new(interval) })
    }

    /// The sampling interval in bytes (pass it to `HeapProfiler.startSampling`).
    #[wasm_bindgen(getter)]
    pub fn interval(&self) -> f64 {
        self.inner.interval() as f64
    }

    /// Whether to take a profile now, after events with a `leak` (`hasLeak`) or a `stats`
    /// (`hasStats`, a full GC): the first full GC gives the baseline, then each leak a profile.
    #[wasm_bindgen(js_name = wantsProfile)]
    pub fn wants_profile(
        &self,
        #[wasm_bindgen(js_name = hasLeak)] has_leak: bool,
        #[wasm_bindgen(js_name = hasStats)] has_stats: bool,
    ) -> bool {
        self.inner.wants_profile(has_leak, has_stats)
    }

    /// `profile`: JSON text of `HeapProfiler.getSamplingProfile`'s result (`{"profile": ...}`),
    /// of its whole reply, or of a `.heapprofile` file; `timeNs`: monotonic time it was taken.
    /// Returns the sites grown since the previous profile; an unreadable profile gives a report
    /// with `error` (the baseline stays).
    #[wasm_bindgen(unchecked_return_type = "LeakAllocations")]
    pub fn observe(
        &mut self,
        profile: &str,
        #[wasm_bindgen(js_name = timeNs)] time_ns: f64,
    ) -> Result<JsValue, JsValue> {
        to_js(&self.inner.observe_json(profile.as_bytes(), ns(time_ns)))
    }

    /// The report for a leak whose profile could not be taken (`message` says why).
    #[wasm_bindgen(unchecked_return_type = "LeakAllocations")]
    pub fn failed(&self, message: &str, #[wasm_bindgen(js_name = timeNs)] time_ns: f64) -> Result<JsValue, JsValue> {
        to_js(&self.inner.failed(message.to_string(), ns(time_ns)))
    }
}

/// JS time in ns (a double) as core's u64; negative or NaN is 0.
fn ns(t: f64) -> u64 {
    if t.is_finite() && t > 0.0 {
        t as u64
    } else {
        0
    }
}
