//! The live engine: GC samples in, `stats`/`leak` events out (the Node adapter's only source of
//! numbers; the same core path as `memwatch run` and `memwatch analyze`).

use memwatch_core::analyzer::{Analyzer as CoreAnalyzer, AnalyzerConfig, Event};
use memwatch_core::sample::Sample;
use wasm_bindgen::prelude::*;

use crate::to_js;
use crate::types::AnalyzerConfigJs;

#[wasm_bindgen]
pub struct Analyzer {
    inner: CoreAnalyzer,
    events: Vec<Event>,
}

#[wasm_bindgen]
impl Analyzer {
    /// `epochMsAtOrigin`: `Date.now()` at monotonic time 0 of the samples (turns GC times into
    /// leak events' dates); `config`: detector options over the defaults (same shape and checks
    /// as `analyzeExport`'s options; a bad one throws core's message).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = epochMsAtOrigin)] epoch_ms_at_origin: f64,
        config: Option<AnalyzerConfigJs>,
    ) -> Result<Analyzer, JsValue> {
        let overrides = crate::export::overrides_from_js(config, "Analyzer config")?;
        let config = AnalyzerConfig::default().overlay(&overrides).map_err(crate::js_error)?;
        Ok(Analyzer { inner: CoreAnalyzer::new(config, epoch_ms_at_origin), events: Vec::new() })
    }

    /// Feeds one GC sample; returns the events it produced (often none).
    #[wasm_bindgen(unchecked_return_type = "AnalyzerEvent[]")]
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "GcSample")] sample: JsValue,
    ) -> Result<JsValue, JsValue> {
        let sample: Sample = serde_wasm_bindgen::from_value(sample)
            .map_err(|e| crate::js_error(format!("invalid GC sample: {}", crate::serde_message(e))))?;
        self.events.clear();
        self.inner.push(&sample, &mut self.events);
        to_js(&self.events)
    }

    /// The counters after the last sample.
    #[wasm_bindgen(unchecked_return_type = "Stats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.stats())
    }
}
