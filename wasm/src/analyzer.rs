//! The live engine: GC samples in, `stats`/`leak` events out (the Node adapter's only source of
//! numbers; the same core path as `memwatch run` and `memwatch analyze`), and optionally the
//! export file of the run, written by core's export writer into a buffer the host drains into the
//! file after each sample (`memwatch.record()`): the same header and records, in the same order,
//! as `memwatch run --out` writes.

use memwatch_core::analyzer::{Analyzer as CoreAnalyzer, AnalyzerConfig, Event};
use memwatch_core::export::{ExportWriter, Header, Marker, Record};
use memwatch_core::leak::LeakEvent;
use memwatch_core::sample::Sample;
use memwatch_core::stats::StatsEvent;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::types::AnalyzerConfigJs;
use crate::{from_js, js_error, to_js};

#[wasm_bindgen]
pub struct Analyzer {
    inner: CoreAnalyzer,
    config: AnalyzerConfig,
    epoch_ms_at_origin: f64,
    events: Vec<Event>,
    recording: Option<ExportWriter<Vec<u8>>>,
}

/// An event as JS listeners get it: `stats` with @airbnb/node-memwatch's aliases next to its
/// fields (core's [`StatsEvent`]).
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum LiveEvent<'a> {
    Stats(StatsEvent<'a>),
    Leak(&'a LeakEvent),
}

/// `startRecording`'s options.
#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct RecordingOptions {
    producer: Option<String>,
    target: serde_json::Value,
    /// `Option`: an `undefined` value must read as absent, not as a map.
    labels: Option<std::collections::BTreeMap<String, String>>,
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
        if !epoch_ms_at_origin.is_finite() {
            return Err(js_sys::TypeError::new(
                "new Analyzer: epochMsAtOrigin must be a finite number (Date.now() at the samples' time 0)",
            )
            .into());
        }
        let overrides = crate::export::overrides_from_js(config, "Analyzer config")?;
        let config = AnalyzerConfig::default().overlay(&overrides).map_err(crate::js_error)?;
        Ok(Analyzer {
            inner: CoreAnalyzer::new(config.clone(), epoch_ms_at_origin),
            config,
            epoch_ms_at_origin,
            events: Vec::new(),
            recording: None,
        })
    }

    /// Feeds one GC sample; returns the events it produced (often none). `stats` events carry
    /// @airbnb/node-memwatch's field names too (`AirbnbStats`). While recording, the sample and
    /// its events are appended to the recording (see `takeRecorded`).
    #[wasm_bindgen(unchecked_return_type = "LiveEvent[]")]
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "GcSample")] sample: JsValue,
    ) -> Result<JsValue, JsValue> {
        let sample: Sample = serde_wasm_bindgen::from_value(sample)
            .map_err(|e| crate::js_error(format!("invalid GC sample: {}", crate::serde_message(e))))?;
        self.events.clear();
        self.inner.push(&sample, &mut self.events);
        // Same order as the native pipeline: the GC, then the events it produced.
        let mut write_error = None;
        if let Some(w) = &mut self.recording {
            let records = std::iter::once(Record::Gc(sample)).chain(self.events.iter().map(|e| match e {
                Event::Stats(s) => Record::Stats(s.clone()),
                Event::Leak(l) => Record::Leak(l.clone()),
            }));
            for r in records {
                if let Err(e) = w.write(&r) {
                    write_error = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = write_error {
            self.recording = None;
            return Err(js_error(format!("recording stopped: {e}")));
        }
        let epoch = self.epoch_ms_at_origin;
        let live: Vec<LiveEvent> = self
            .events
            .iter()
            .map(|e| match e {
                Event::Stats(s) => LiveEvent::Stats(s.with_airbnb(epoch)),
                Event::Leak(l) => LiveEvent::Leak(l),
            })
            .collect();
        to_js(&live)
    }

    /// The counters after the last sample.
    #[wasm_bindgen(unchecked_return_type = "Stats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.stats())
    }

    /// Starts an export recording of this analyzer's samples and events: writes the header (with
    /// this analyzer's detector parameters, so re-analysis reproduces its events) to the buffer
    /// `takeRecorded()` drains. `options`: `{producer, target, labels}` of the header.
    #[wasm_bindgen(js_name = startRecording)]
    pub fn start_recording(
        &mut self,
        #[wasm_bindgen(
            unchecked_param_type = "{ producer?: string; target?: unknown; labels?: Record<string, string> }"
        )]
        options: JsValue,
    ) -> Result<(), JsValue> {
        let o: RecordingOptions = from_js(options, "recording options")?;
        let producer = o.producer.unwrap_or_else(|| format!("memwatch-wasm {}", env!("CARGO_PKG_VERSION")));
        let mut header = Header::new(&producer, self.epoch_ms_at_origin);
        header.analyzer = self.config.clone();
        header.target = o.target;
        header.labels = o.labels.unwrap_or_default();
        self.recording = Some(ExportWriter::new(Vec::new(), &header).map_err(js_error)?);
        Ok(())
    }

    /// Whether a recording is on.
    #[wasm_bindgen(getter)]
    pub fn recording(&self) -> bool {
        self.recording.is_some()
    }

    /// The recorded bytes not taken yet (whole lines), emptying the buffer; empty when not
    /// recording.
    #[wasm_bindgen(js_name = takeRecorded)]
    pub fn take_recorded(&mut self) -> Vec<u8> {
        self.recording.as_mut().map(|w| std::mem::take(w.get_mut())).unwrap_or_default()
    }

    /// Appends a `marker` record (`start`, `end`, ...) to the recording.
    #[wasm_bindgen(js_name = recordMarker)]
    pub fn record_marker(
        &mut self,
        #[wasm_bindgen(js_name = timeNs)] time_ns: f64,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] message: JsValue,
    ) -> Result<(), JsValue> {
        let kind = crate::string_arg(&kind, "Analyzer.recordMarker", "kind")?;
        let message = crate::optional_string_arg(&message, "Analyzer.recordMarker", "message")?;
        let record = Record::Marker(Marker { time_ns: ns(time_ns), kind, message });
        self.write(&record)
    }

    /// Ends the recording (what was not taken yet is dropped: take it first).
    #[wasm_bindgen(js_name = stopRecording)]
    pub fn stop_recording(&mut self) {
        self.recording = None;
    }
}

impl Analyzer {
    fn write(&mut self, record: &Record) -> Result<(), JsValue> {
        match &mut self.recording {
            Some(w) => w.write(record).map_err(js_error),
            None => Err(js_error("not recording: call startRecording() first")),
        }
    }
}

/// A JS time in ns (a float) as the format's u64: negative or NaN gives 0.
fn ns(t: f64) -> u64 {
    if t.is_finite() && t > 0.0 {
        t.round() as u64
    } else {
        0
    }
}
