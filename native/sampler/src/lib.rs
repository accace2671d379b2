//! memwatch for Rust programs that embed V8: attach to an isolate, sample every GC, emit
//! node-memwatch's `stats` and `leak` events, take heap snapshots and HeapDiffs, and write the
//! export file that `memwatch analyze` and the viewer read. Every number is computed by
//! [`memwatch-core`](memwatch_core), re-exported as [`core`].
//!
//! GC prologue/epilogue callbacks record one sample per GC into a preallocated buffer;
//! [`Memwatch::poll`] (called by the embedder's event loop, never from a GC callback) moves them
//! through the [`pipeline`] (core's analyzer and export writer) and calls the Rust listeners.
//! Heap snapshots and HeapDiff live in [`snapshot`]; errors in [`error`].
//!
//! - [`Memwatch::attach`] / [`Memwatch::detach`]: the lifecycle;
//! - [`Config`]: what to sample and where the export goes;
//! - [`MemwatchEvent`]: what listeners and [`Memwatch::poll`] hand out;
//! - [`Memwatch::metrics`]: a `Send + Sync` [`Metrics`] handle for monitoring (Prometheus and
//!   OpenTelemetry exporters behind the `prometheus` and `opentelemetry` features).
//!
//! The event payloads are core types, re-exported here: [`Stats`], [`LeakEvent`],
//! [`HeapDiff`] (the result `heap_diff_end` returns) and [`HeapDiffRecord`] (that result with
//! its times and snapshot files, as [`MemwatchEvent::HeapDiff`] and the export carry it).
//! docs/embedding.md describes their fields, the lifecycle rules and threads.
//!
//! # Example: attach, run JavaScript, poll from your own loop
//!
//! ```
//! use memwatch::{Config, Memwatch, MemwatchEvent};
//! # memwatch::doc_support::init_v8();
//! let mut isolate = v8::Isolate::new(v8::CreateParams::default());
//! let mw = Memwatch::attach(&mut isolate, Config::default()).unwrap();
//! let context = memwatch::doc_support::context(&mut isolate);
//! for round in 0..3 {
//!     memwatch::doc_support::eval(&mut isolate, &context, "globalThis.a = (globalThis.a || []).concat(new Array(1e4).fill(1))");
//!     Memwatch::gc(&mut isolate); // a full GC: its stats arrive through the next poll
//!     for event in mw.poll() {
//!         if let MemwatchEvent::Stats(s) = event {
//!             println!("round {round}: {} bytes after full GC #{}", s.current_base, s.heap_compactions);
//!         }
//!     }
//! }
//! assert!(mw.metrics().snapshot().gc_counts.mark_sweep_compact >= 3);
//! drop(context);
//! mw.detach(&mut isolate).unwrap(); // callbacks removed, export complete
//! ```

mod alloc_sampling;
mod callbacks;
#[doc(hidden)]
pub mod doc_support;
/// docs/embedding.md: fields, lifecycle rules, threads, metrics, with examples (compiled and run
/// by `cargo test --doc -p memwatch`).
#[doc = include_str!("../../../docs/embedding.md")]
pub mod guide {}
pub mod error;
mod leak_retainers;
pub mod metrics;
mod periodic_gc;
pub mod pipeline;
mod raw;
mod sampling_profiler;
pub mod snapshot;
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub mod snapshot_names;
mod snapshot_stream;
pub mod temp_snapshots;

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::path::PathBuf;
use std::rc::{Rc, Weak};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub use callbacks::wait_for_heap_limit_writes;
pub use error::Error;
use leak_retainers::LeakSnapshots;
pub use memwatch_core as core;
pub use memwatch_core::diff::HeapDiff;
pub use memwatch_core::export::HeapDiffRecord;
pub use memwatch_core::leak::LeakEvent;
pub use memwatch_core::stats::Stats;
pub use metrics::{Labels, Metrics, MetricsSnapshot};
use pipeline::Pipeline;
pub use pipeline::{MemwatchEvent, PipelineConfig};
use raw::RawSample;

/// How to attach.
#[derive(Clone, Debug)]
pub struct Config {
    /// Record per-heap-space usage in every sample (a few more V8 calls per GC).
    pub per_space: bool,
    /// Samples buffered before a drain is requested; the buffer is preallocated to this size.
    pub buffer_capacity: usize,
    /// Analysis (stats and leak detector parameters) and the optional export file.
    pub pipeline: PipelineConfig,
    /// Where heap snapshots for HeapDiff and leak retainers are also written as files (`None`:
    /// they are parsed while V8 serialises them, and no file is written).
    pub snapshot_dir: Option<PathBuf>,
    /// Attach the N classes that grew most, with their retainer paths, to leak events. Takes a
    /// heap snapshot per leak event (and one baseline), which pauses the isolate: off (`None`) by
    /// default. Needs [`Memwatch::poll_in`], which can use the isolate.
    pub leak_retainers: Option<usize>,
    /// Sample allocations every this many bytes on average with V8's sampling heap profiler, and
    /// attach the allocation sites whose live bytes grew to leak events (`LeakEvent::allocations`;
    /// core's `alloc::DEFAULT_SAMPLING_INTERVAL` is the usual value). Off (`None`) by default.
    /// Needs [`Memwatch::poll_in`].
    pub allocation_sampling: Option<u64>,
    /// Record the allocation stack of every object (V8's heap object tracking, through the
    /// in-process inspector), so the heap snapshots of [`Config::leak_retainers`] carry
    /// allocation traces and each holder lists where its gained objects were allocated. Costly:
    /// every allocation records its stack. Off by default.
    pub allocation_tracking: bool,
    /// Labels of this attachment (e.g. `isolate` = `"worker-1"`): on every metric, in the
    /// export header and in [`Memwatch::labels`]. Names follow Prometheus' rules.
    pub labels: Labels,
    /// Report into this handle instead of a new one (so that a server reading it can start
    /// before the attachment). Its labels are replaced by `labels`; give each attachment its own.
    pub metrics: Option<Metrics>,
    /// Opt-in: when no full GC happened for this long, [`Memwatch::poll_in`] asks V8 for one
    /// (a moderate memory-pressure notification: V8 runs an incremental full GC at its own pace).
    /// For programs whose big heap sees a full GC only every few minutes, so that the leak
    /// detectors get a data point at least this often (docs/embedding.md measures the cost).
    /// Off (`None`) by default; `poll` (without the isolate) never requests one.
    pub full_gc_every: Option<std::time::Duration>,
}

impl Config {
    /// The defaults with the export written to `path`.
    pub fn with_export(path: impl Into<PathBuf>) -> Config {
        let mut c = Config::default();
        c.pipeline.export = Some(path.into());
        c
    }

    /// Adds a label (builder style).
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Config {
        self.labels.insert(name.into(), value.into());
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            per_space: true,
            buffer_capacity: 4096,
            pipeline: PipelineConfig::default(),
            snapshot_dir: None,
            leak_retainers: None,
            allocation_sampling: None,
            allocation_tracking: false,
            labels: Labels::new(),
            metrics: None,
            full_gc_every: None,
        }
    }
}

/// Hard cap on buffered samples when the drain interrupt cannot run (e.g. the embedder holds
/// the pipeline borrowed); beyond it samples are counted as dropped instead of growing forever.
const HARD_CAP_FACTOR: usize = 64;

/// A Rust event listener (`Memwatch::on_event`).
type Listener = Box<dyn FnMut(&MemwatchEvent)>;

/// State shared between the handle and the GC callbacks (see `callbacks` for the soundness
/// argument). Callback-touched fields are `Cell`s or `try_borrow_mut`-only `RefCell`s.
pub(crate) struct Shared {
    me: Weak<Shared>,
    /// The isolate attached to (its address, compared by [`Memwatch::check_isolate`]).
    isolate_addr: usize,
    /// The callbacks' `data`: a leaked `Box<Weak<Shared>>` (see `callbacks`), reclaimed by
    /// `detach` once the callbacks are removed; null after that.
    callback_data: Cell<*mut Weak<Shared>>,
    labels: Labels,
    metrics: Metrics,
    full_gc_every: Option<std::time::Duration>,
    /// End of the latest application full GC, and of the latest request for one (`periodic_gc`).
    last_full_gc_ns: Cell<u64>,
    full_gc_requested_ns: Cell<u64>,
    origin: Instant,
    per_space: bool,
    n_spaces: usize,
    space_names: Vec<String>,
    handle: v8::IsolateHandle,
    snapshot_dir: Option<PathBuf>,

    gc_start_ns: Cell<u64>,
    seq: Cell<u64>,
    in_snapshot: Cell<bool>,
    /// Id of the forced collection ([`Memwatch::gc`]) running now (0: none), and the last id given.
    collection: Cell<u64>,
    collections: Cell<u64>,
    buffer: RefCell<Vec<RawSample>>,
    soft_cap: usize,
    hard_cap: usize,
    dropped: Cell<u64>,
    drain_requested: Cell<bool>,
    heap_limit_hit: Cell<bool>,
    /// Used heap after the latest GC (for the near-heap-limit marker).
    last_used: Cell<u64>,
    /// Callbacks registered (detach is idempotent: V8 asserts on removing an unknown callback).
    attached: Cell<bool>,
    snapshot_counter: Cell<u64>,

    pipeline: RefCell<Pipeline>,
    /// Events produced by drains (possibly inside an interrupt), handed out by `poll`.
    pending: RefCell<Vec<MemwatchEvent>>,
    /// Snapshots for leak retainers (`Config::leak_retainers`), used only by `poll_in`.
    leak_snapshots: Option<RefCell<LeakSnapshots>>,
    listeners: RefCell<Vec<Listener>>,
}

impl Shared {
    fn now_ns(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }

    fn self_weak(&self) -> Weak<Shared> {
        self.me.clone()
    }

    /// Called by the epilogue: bounded work, no allocation until the preallocated buffer is full.
    fn record(&self, raw: RawSample) {
        let Ok(mut buf) = self.buffer.try_borrow_mut() else {
            self.dropped.set(self.dropped.get() + 1);
            return;
        };
        if buf.len() >= self.hard_cap {
            self.dropped.set(self.dropped.get() + 1);
            return;
        }
        self.last_used.set(raw.heap.used_heap_size);
        buf.push(raw);
        let len = buf.len();
        drop(buf);
        if len >= self.soft_cap {
            callbacks::request_drain(self);
        }
    }

    /// Moves buffered samples through the analyzer and export. Skips (leaving them buffered)
    /// when Rust code up the stack holds the pipeline.
    fn drain_into_pipeline(&self) {
        let (Ok(mut buf), Ok(mut pipe), Ok(mut pending)) =
            (self.buffer.try_borrow_mut(), self.pipeline.try_borrow_mut(), self.pending.try_borrow_mut())
        else {
            return;
        };
        let dropped = self.dropped.replace(0);
        if dropped > 0 {
            pipe.note_dropped(dropped);
        }
        for raw in buf.drain(..) {
            pipe.push_sample(raw.to_sample(&self.space_names), &mut pending);
        }
    }

    fn record_heap_limit(&self, limit: u64) {
        let used = self.last_used.get();
        if let Ok(mut pipe) = self.pipeline.try_borrow_mut() {
            pipe.note_heap_limit(limit, (used > 0).then_some(used), self.now_ns());
        }
    }
}

impl Drop for Shared {
    /// The last handle went away (with or without `detach`): process what is buffered and close
    /// the export, so that no recorded GC is lost. Calls no V8 function (the isolate may be
    /// gone); the callbacks, if still registered, find the state gone and do nothing.
    fn drop(&mut self) {
        self.drain_into_pipeline();
        if let Ok(mut p) = self.pipeline.try_borrow_mut() {
            p.close();
        }
    }
}

/// Marks the isolate as attached; `Memwatch::of` finds the state through it. Weak: the state
/// lives as long as the embedder's handles (see `Drop for Shared`). `data` is the callbacks'
/// data pointer, so that a later `attach` can remove callbacks a dropped handle left behind.
struct AttachedSlot {
    state: Weak<Shared>,
    data: *mut Weak<Shared>,
}

/// Removes memwatch's callbacks registered with `data` and frees it.
///
/// # Safety
/// `data` must come from `Box::into_raw` in `attach`, with its callbacks registered on `isolate`
/// and not freed yet.
unsafe fn unregister(isolate: &mut v8::Isolate, data: *mut Weak<Shared>) {
    isolate.remove_gc_prologue_callback(callbacks::gc_prologue, data as *mut c_void);
    isolate.remove_gc_epilogue_callback(callbacks::gc_epilogue, data as *mut c_void);
    isolate.remove_near_heap_limit_callback(callbacks::near_heap_limit, 0);
    // SAFETY: per the contract; no callback that could read it is registered any more.
    drop(unsafe { Box::from_raw(data) });
}

/// The address identifying an isolate while it lives.
fn isolate_addr(isolate: &v8::Isolate) -> usize {
    // SAFETY: only reads the pointer the wrapper holds; nothing is dereferenced.
    let raw = unsafe { isolate.as_raw_isolate_ptr() };
    // SAFETY: `UnsafeRawIsolatePtr` is a `repr(transparent)` wrapper of one raw pointer.
    let ptr: *mut c_void = unsafe { std::mem::transmute(raw) };
    ptr as usize
}

/// A handle to memwatch attached to one isolate. Cheap to clone; all clones share the state.
///
/// Lifecycle: [`attach`](Self::attach) registers callbacks on the isolate; [`poll`](Self::poll)
/// (from the isolate's thread, between tasks) turns recorded GCs into events and export records;
/// [`detach`](Self::detach) removes the callbacks and closes the export. Dropping the last
/// handle without `detach` still processes every recorded GC and closes the export; the
/// callbacks then stay registered, find the state gone and record nothing, and a few bytes stay
/// allocated until the isolate is gone. The handle is neither `Send` nor `Sync` (it belongs to
/// the isolate's thread); [`metrics`](Self::metrics) is the part other threads read.
#[derive(Clone)]
pub struct Memwatch(Rc<Shared>);

impl Memwatch {
    /// Registers the GC callbacks and the near-heap-limit hook on `isolate`.
    pub fn attach(isolate: &mut v8::Isolate, config: Config) -> Result<Memwatch, Error> {
        metrics::check_labels(&config.labels).map_err(Error::InvalidLabel)?;
        if let Some(bytes) = config.allocation_sampling {
            memwatch_core::alloc::check_sampling_interval(bytes as f64)
                .map_err(|message| Error::Profiler { message: format!("Config::allocation_sampling: {message}") })?;
        }
        if let Some(slot) = isolate.get_slot::<AttachedSlot>() {
            if slot.state.strong_count() > 0 {
                return Err(Error::AlreadyAttached);
            }
            // A handle was dropped without detach: its callbacks are still registered (V8
            // refuses a second near-heap-limit callback of the same function). Remove them now.
            let data = slot.data;
            // SAFETY: the slot's `data` is only set by `attach` below and removed with the slot.
            unsafe { unregister(isolate, data) };
            isolate.remove_slot::<AttachedSlot>();
        }
        let space_names = raw::space_names(isolate);
        let origin = Instant::now();
        let epoch_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let producer = format!("memwatch {} (native, V8 {})", env!("CARGO_PKG_VERSION"), v8::V8::get_version());
        let metrics = config.metrics.clone().unwrap_or_default();
        metrics.set_labels(config.labels.clone());
        let pipeline = Pipeline::new(config.pipeline.clone(), epoch_ms, &producer, &config.labels, metrics.clone())?;
        let cap = config.buffer_capacity.max(16);
        let handle = isolate.thread_safe_handle();
        let shared = Rc::new_cyclic(|me| Shared {
            me: me.clone(),
            isolate_addr: isolate_addr(isolate),
            callback_data: Cell::new(std::ptr::null_mut()),
            labels: config.labels.clone(),
            metrics,
            full_gc_every: config.full_gc_every,
            last_full_gc_ns: Cell::new(0),
            full_gc_requested_ns: Cell::new(0),
            origin,
            per_space: config.per_space,
            n_spaces: space_names.len(),
            space_names,
            handle,
            snapshot_dir: config.snapshot_dir.clone(),
            gc_start_ns: Cell::new(0),
            seq: Cell::new(0),
            in_snapshot: Cell::new(false),
            collection: Cell::new(0),
            collections: Cell::new(0),
            buffer: RefCell::new(Vec::with_capacity(cap)),
            soft_cap: cap,
            hard_cap: cap.saturating_mul(HARD_CAP_FACTOR),
            dropped: Cell::new(0),
            drain_requested: Cell::new(false),
            heap_limit_hit: Cell::new(false),
            last_used: Cell::new(0),
            attached: Cell::new(true),
            snapshot_counter: Cell::new(0),
            pipeline: RefCell::new(pipeline),
            pending: RefCell::new(Vec::new()),
            leak_snapshots: config.leak_retainers.filter(|&n| n > 0).map(|n| RefCell::new(LeakSnapshots::new(n))),
            listeners: RefCell::new(Vec::new()),
        });
        if config.allocation_sampling.is_some() || config.allocation_tracking {
            alloc_sampling::start(isolate, config.allocation_sampling, config.allocation_tracking)?;
        }
        let data = Box::into_raw(Box::new(Rc::downgrade(&shared)));
        shared.callback_data.set(data);
        isolate.set_slot(AttachedSlot { state: Rc::downgrade(&shared), data });
        let ptr = data as *mut c_void;
        isolate.add_gc_prologue_callback(callbacks::gc_prologue, ptr, v8::GCType::kGCTypeAll);
        isolate.add_gc_epilogue_callback(callbacks::gc_epilogue, ptr, v8::GCType::kGCTypeAll);
        isolate.add_near_heap_limit_callback(callbacks::near_heap_limit, ptr);
        Ok(Memwatch(shared))
    }

    /// The handle attached to `isolate`, if any (how JS callbacks find it).
    pub fn of(isolate: &v8::Isolate) -> Option<Memwatch> {
        isolate.get_slot::<AttachedSlot>().and_then(|s| s.state.upgrade()).map(Memwatch)
    }

    /// `Err(WrongIsolate)` unless `isolate` is the one this handle was attached to.
    pub(crate) fn check_isolate(&self, isolate: &v8::Isolate) -> Result<(), Error> {
        let same_addr = isolate_addr(isolate) == self.0.isolate_addr;
        // While attached, the slot also tells a new isolate at a reused address apart.
        let ours = !self.0.attached.get()
            || isolate.get_slot::<AttachedSlot>().is_some_and(|s| Weak::ptr_eq(&s.state, &self.0.me));
        if same_addr && ours {
            Ok(())
        } else {
            Err(Error::WrongIsolate)
        }
    }

    /// Removes the callbacks, drains what is buffered and closes the export (its path can then
    /// be used by another attachment). After this no V8 callback holds a pointer to the state.
    /// Idempotent; `Err(WrongIsolate)` (and nothing done) for another isolate.
    pub fn detach(&self, isolate: &mut v8::Isolate) -> Result<Vec<MemwatchEvent>, Error> {
        self.check_isolate(isolate)?;
        if !self.0.attached.replace(false) {
            return Ok(self.poll());
        }
        let data = self.0.callback_data.replace(std::ptr::null_mut());
        isolate.remove_slot::<AttachedSlot>();
        if !data.is_null() {
            // SAFETY: `data` came from `attach` for this isolate (checked above) and is freed
            // only here, once (`attached` was true).
            unsafe { unregister(isolate, data) };
        }
        let events = self.poll();
        alloc_sampling::stop(isolate);
        if let Ok(mut p) = self.0.pipeline.try_borrow_mut() {
            p.close();
        }
        Ok(events)
    }

    /// A `Send + Sync` handle on this attachment's numbers (latest stats, GC counts and pause
    /// histograms by type, leak counts by detector, last leak), for another thread to read.
    /// Updated by [`poll`](Self::poll).
    pub fn metrics(&self) -> Metrics {
        self.0.metrics.clone()
    }

    /// The labels given at attach (`Config::labels`).
    pub fn labels(&self) -> &Labels {
        &self.0.labels
    }

    /// Adds a Rust listener, called from [`poll`](Self::poll) for every event.
    pub fn on_event(&self, f: impl FnMut(&MemwatchEvent) + 'static) {
        self.0.listeners.borrow_mut().push(Box::new(f));
    }

    /// Processes the samples recorded since the last call: returns the new events (after
    /// calling the Rust listeners with each). Call it from the event loop, not from a callback.
    pub fn poll(&self) -> Vec<MemwatchEvent> {
        self.0.drain_into_pipeline();
        self.dispatch_pending()
    }

    /// Hands the queued events to the Rust listeners and returns them.
    fn dispatch_pending(&self) -> Vec<MemwatchEvent> {
        let events = std::mem::take(&mut *self.0.pending.borrow_mut());
        if !events.is_empty() {
            // Take the listeners out so one may add another listener without a borrow clash.
            let mut ls = std::mem::take(&mut *self.0.listeners.borrow_mut());
            for e in &events {
                for l in ls.iter_mut() {
                    l(e);
                }
            }
            let mut cur = self.0.listeners.borrow_mut();
            ls.append(&mut cur);
            *cur = ls;
        }
        events
    }

    /// Forces a full collection (V8's low-memory notification). Stats for it arrive through
    /// the next [`poll`](Self::poll), never from inside this call.
    ///
    /// Every GC pass V8 runs for this call is recorded with the call's collection id
    /// (`Sample::collection`), so the leak rules count the call once however many passes it
    /// takes, and never merge two calls however close together.
    pub fn gc(isolate: &mut v8::Isolate) {
        let mw = Memwatch::of(isolate);
        if let Some(mw) = &mw {
            let id = mw.0.collections.get() + 1;
            mw.0.collections.set(id);
            mw.0.collection.set(id);
        }
        isolate.low_memory_notification();
        if let Some(mw) = &mw {
            mw.0.collection.set(0);
        }
    }

    /// Wall-clock milliseconds at the recording's origin (sample times are relative to it).
    pub fn epoch_ms_at_origin(&self) -> u64 {
        self.0.pipeline.borrow().epoch_ms()
    }

    /// True when samples or events are waiting for the next [`poll`](Self::poll).
    pub fn has_pending(&self) -> bool {
        self.0.buffer.try_borrow().map(|b| !b.is_empty()).unwrap_or(true)
            || self.0.pending.try_borrow().map(|p| !p.is_empty()).unwrap_or(true)
    }

    /// True once the near-heap-limit hook fired.
    pub fn heap_limit_reached(&self) -> bool {
        self.0.heap_limit_hit.get()
    }

    /// Number of GCs recorded so far.
    pub fn gc_count(&self) -> u64 {
        self.0.seq.get()
    }

    /// Records a marker in the export ("uncaught_exception", "end", ...).
    pub fn marker(&self, kind: &str, message: Option<String>) {
        let t = self.0.now_ns();
        if let Ok(mut p) = self.0.pipeline.try_borrow_mut() {
            p.marker(t, kind, message);
        }
    }

    /// The first export write error, if the export had to be abandoned.
    pub fn export_error(&self) -> Option<String> {
        self.0.pipeline.borrow().export_error().map(str::to_owned)
    }

    /// Monotonic ns since the recording's origin.
    pub fn now_ns(&self) -> u64 {
        self.0.now_ns()
    }
}
