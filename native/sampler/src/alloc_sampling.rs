//! Which code allocates the growth (`Config::allocation_sampling`): V8's sampling heap profiler,
//! started without a forced GC per profile (`sampling_profiler`) and read through V8's own
//! inspector in process (`HeapProfiler.getSamplingProfile`; the `v8` crate has no direct API). At each poll with leak events
//! ([`Memwatch::poll_in`]) the live sampled profile is compared with the previous one (the first
//! full GC's poll for the first event) by `memwatch-core` (`alloc::LeakAllocations`), and the
//! growing allocation sites go into the events and the export.
//!
//! The same session turns on V8's heap object tracking with allocation stacks
//! (`Config::allocation_tracking`, `HeapProfiler.startTrackingHeapObjects {trackAllocations}`):
//! V8 then records the stack that allocated each object, and every heap snapshot of the isolate
//! (`--leak-retainers`) carries them (`trace_tree`), so holders list allocation sites.
//!
//! The inspector and its session live in an isolate slot: V8 requires them to be destroyed
//! before the isolate, and an isolate drops its slots before it is disposed, so no order of
//! drops by the embedder can outlive the isolate with them.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use memwatch_core::alloc::pprof::{to_pprof, write_gzipped};
use memwatch_core::alloc::{AllocationTracker, LiveAllocations, SamplingProfile};
use v8::inspector::{
    Channel, ChannelImpl, StringBuffer, StringView, V8Inspector, V8InspectorClient, V8InspectorClientImpl,
    V8InspectorClientTrustLevel, V8InspectorSession,
};
use v8::UniquePtr;

use super::{sampling_profiler, Error, Memwatch, MemwatchEvent};

/// The inspector's replies arrive synchronously inside `dispatch_protocol_message`.
#[derive(Default)]
struct Replies(Rc<RefCell<Option<(i32, String)>>>);

impl ChannelImpl for Replies {
    fn send_response(&self, call_id: i32, message: UniquePtr<StringBuffer>) {
        if let Some(m) = message.as_ref() {
            *self.0.borrow_mut() = Some((call_id, m.string().to_string()));
        }
    }
    fn send_notification(&self, _message: UniquePtr<StringBuffer>) {}
    fn flush_protocol_notifications(&self) {}
}

struct Client;
impl V8InspectorClientImpl for Client {}

/// The profiler session and what is kept of the previous profile (isolate slot).
struct Sampler {
    // Field order is drop order: the session before the inspector it belongs to.
    session: V8InspectorSession,
    _inspector: V8Inspector,
    reply: Rc<RefCell<Option<(i32, String)>>>,
    next_id: i32,
    /// 0 when sampling is off (only tracking).
    interval: u64,
    /// The sampler when started through V8's C++ API (no forced GC per profile): stopped there
    /// too when dropped, since the inspector's `disable` stops only what the inspector started.
    direct: Option<sampling_profiler::Running>,
    /// The previous profile and when to take the next (core's rule, shared with the Node adapter).
    tracker: AllocationTracker,
}

impl Sampler {
    fn start(isolate: &mut v8::Isolate, interval: Option<u64>, tracking: bool) -> Result<Sampler, Error> {
        let inspector = V8Inspector::create(isolate, V8InspectorClient::new(Box::new(Client)));
        let replies = Replies::default();
        let reply = replies.0.clone();
        let session = inspector.connect(
            1,
            Channel::new(Box::new(replies)),
            StringView::from(&b"{}"[..]),
            V8InspectorClientTrustLevel::FullyTrusted,
        );
        let interval = interval.unwrap_or(0);
        let mut s = Sampler {
            session,
            _inspector: inspector,
            reply,
            next_id: 1,
            interval,
            direct: None,
            tracker: AllocationTracker::new(interval),
        };
        s.call("HeapProfiler.enable", serde_json::json!({}))?;
        if interval > 0 {
            s.direct = sampling_profiler::start(isolate, interval);
            if s.direct.is_none() {
                // Forces a full GC before each profile (see `sampling_profiler`).
                s.call("HeapProfiler.startSampling", serde_json::json!({ "samplingInterval": interval }))?;
            }
        }
        if tracking {
            s.call("HeapProfiler.startTrackingHeapObjects", serde_json::json!({ "trackAllocations": true }))?;
        }
        Ok(s)
    }

    /// One protocol call; returns the reply's JSON text (`{"id":N,"result":...}`). Not parsed
    /// here: a profile nests one level per stack frame, deeper than a generic JSON parse allows.
    fn call(&mut self, method: &str, params: serde_json::Value) -> Result<String, Error> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = serde_json::json!({ "id": id, "method": method, "params": params }).to_string();
        self.reply.borrow_mut().take();
        self.session.dispatch_protocol_message(StringView::from(msg.as_bytes()));
        let err = |message: String| Error::Profiler { message: format!("{method}: {message}") };
        let Some((got, text)) = self.reply.borrow_mut().take() else {
            return Err(err("no reply from V8's inspector".into()));
        };
        if got != id {
            return Err(err(format!("reply to call {got}, expected {id}")));
        }
        // V8 writes `id` first, then `error` or `result`.
        if text.starts_with(&format!("{{\"id\":{id},\"error\"")) {
            return Err(err(text));
        }
        Ok(text)
    }

    fn live(&mut self) -> Result<LiveAllocations, Error> {
        let text = self.call("HeapProfiler.getSamplingProfile", serde_json::json!({}))?;
        let profile =
            SamplingProfile::parse(text.as_bytes()).map_err(|e| Error::Profiler { message: e.to_string() })?;
        Ok(LiveAllocations::from_profile(&profile))
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        // `disable` stops the tracking and a sampler the inspector started (`direct` stops its
        // own when it drops, after this); `stopSampling` would first build the whole profile the
        // caller throws away, and `stopTrackingHeapObjects` would take (and stream) one more
        // heap snapshot.
        let _ = self.call("HeapProfiler.disable", serde_json::json!({}));
    }
}

/// Starts sampling (`interval`: bytes) and/or allocation tracking on `isolate` (at attach).
pub(crate) fn start(isolate: &mut v8::Isolate, interval: Option<u64>, tracking: bool) -> Result<(), Error> {
    let sampler = Sampler::start(isolate, interval, tracking)?;
    isolate.set_slot(sampler);
    Ok(())
}

/// Stops sampling (at detach).
pub(crate) fn stop(isolate: &mut v8::Isolate) {
    isolate.remove_slot::<Sampler>();
}

impl Memwatch {
    /// The sampled allocations live as of the last GC, one entry per stack (needs
    /// `Config::allocation_sampling`). No GC is forced: samples of objects that died since the
    /// last GC are still in it ([`Memwatch::gc`] first for an exact picture).
    pub fn allocation_profile(&self, isolate: &mut v8::Isolate) -> Result<LiveAllocations, Error> {
        let sampler = isolate
            .get_slot_mut::<Sampler>()
            .filter(|s| s.interval > 0)
            .ok_or(Error::Profiler { message: "allocation sampling is off (Config::allocation_sampling)".into() })?;
        sampler.live()
    }

    /// Writes the live sampled allocations (as in [`Memwatch::allocation_profile`]) to `path` in
    /// the pprof format (gzip'ed protobuf),
    /// atomically: a temporary file beside it is renamed over it once complete.
    pub fn write_pprof(&self, isolate: &mut v8::Isolate, path: &Path) -> Result<(), Error> {
        let interval = isolate.get_slot::<Sampler>().map(|s| s.interval).unwrap_or(0);
        let live = self.allocation_profile(isolate)?;
        let io = |source| Error::Io { path: path.to_path_buf(), source };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        write_gzipped(&to_pprof(&live, interval, now_ns), std::io::BufWriter::new(tmp.as_file_mut())).map_err(io)?;
        tmp.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// At a poll with leak events: compare the live profile with the previous one and attach
    /// the growing sites to the events (and the export). The first full GC's poll only takes the
    /// baseline.
    pub(crate) fn attach_allocations(&self, isolate: &mut v8::Isolate, events: &mut [MemwatchEvent]) {
        let has_leak = events.iter().any(|e| matches!(e, MemwatchEvent::Leak(_)));
        let has_stats = events.iter().any(|e| matches!(e, MemwatchEvent::Stats(_)));
        let now_ns = self.0.now_ns();
        let Some(sampler) = isolate.get_slot_mut::<Sampler>().filter(|s| s.interval > 0) else { return };
        if !sampler.tracker.wants_profile(has_leak, has_stats) {
            return;
        }
        let report = match sampler.live() {
            Ok(now) => sampler.tracker.observe(now, now_ns),
            Err(e) => sampler.tracker.failed(e.to_string(), now_ns),
        };
        if !has_leak {
            return;
        }
        let mut pipe = self.0.pipeline.borrow_mut();
        for e in events.iter_mut() {
            if let MemwatchEvent::Leak(l) = e {
                pipe.push_allocation_profile(l, &report);
                l.allocations = Some(Box::new(report.clone()));
            }
        }
    }
}
