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
//! - [`MemwatchEvent`]: what listeners and [`Memwatch::poll`] hand out.

mod callbacks;
pub mod error;
mod leak_retainers;
pub mod pipeline;
mod raw;
pub mod snapshot;

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::path::PathBuf;
use std::rc::{Rc, Weak};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub use error::Error;
use leak_retainers::LeakSnapshots;
pub use memwatch_core as core;
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
    /// Where heap snapshots for HeapDiff and leak retainers are kept (`None`: temporary files,
    /// deleted after use).
    pub snapshot_dir: Option<PathBuf>,
    /// Attach the N classes that grew most, with their retainer paths, to leak events. Takes a
    /// heap snapshot per leak event (and one baseline), which pauses the isolate: off (`None`) by
    /// default. Needs [`Memwatch::poll_in`], which can use the isolate.
    pub leak_retainers: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            per_space: true,
            buffer_capacity: 4096,
            pipeline: PipelineConfig::default(),
            snapshot_dir: None,
            leak_retainers: None,
        }
    }
}

/// Hard cap on buffered samples when the drain interrupt cannot run (e.g. the embedder holds
/// the pipeline borrowed); beyond it samples are counted as dropped instead of growing forever.
const HARD_CAP_FACTOR: usize = 64;

/// State shared between the handle and the GC callbacks (see `callbacks` for the soundness
/// argument). Callback-touched fields are `Cell`s or `try_borrow_mut`-only `RefCell`s.
pub(crate) struct Shared {
    me: Weak<Shared>,
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
    listeners: RefCell<Vec<Box<dyn FnMut(&MemwatchEvent)>>>,
}

impl Shared {
    fn now_ns(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }

    fn self_rc(&self) -> Option<Rc<Shared>> {
        self.me.upgrade()
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
            if let Some(sample) = raw.to_sample(&self.space_names) {
                pipe.push_sample(sample, &mut pending);
            }
        }
    }

    fn record_heap_limit(&self, limit: u64) {
        let used = self.last_used.get();
        if let Ok(mut pipe) = self.pipeline.try_borrow_mut() {
            pipe.note_heap_limit(limit, (used > 0).then_some(used), self.now_ns());
        }
    }
}

/// Keeps the shared state alive while the callbacks are registered on an isolate.
struct AttachedSlot(Rc<Shared>);

/// A handle to memwatch attached to one isolate. Cheap to clone; all clones share the state.
#[derive(Clone)]
pub struct Memwatch(Rc<Shared>);

impl Memwatch {
    /// Registers the GC callbacks and the near-heap-limit hook on `isolate`.
    pub fn attach(isolate: &mut v8::Isolate, config: Config) -> Result<Memwatch, Error> {
        if isolate.get_slot::<AttachedSlot>().is_some() {
            return Err(Error::AlreadyAttached);
        }
        let space_names = raw::space_names(isolate);
        let origin = Instant::now();
        let epoch_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let producer = format!("memwatch {} (native, V8 {})", env!("CARGO_PKG_VERSION"), v8::V8::get_version());
        let pipeline = Pipeline::new(config.pipeline.clone(), epoch_ms, &producer)?;
        let cap = config.buffer_capacity.max(16);
        let handle = isolate.thread_safe_handle();
        let shared = Rc::new_cyclic(|me| Shared {
            me: me.clone(),
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
        let data = Rc::as_ptr(&shared) as *mut c_void;
        isolate.set_slot(AttachedSlot(shared.clone()));
        isolate.add_gc_prologue_callback(callbacks::gc_prologue, data, v8::GCType::kGCTypeAll);
        isolate.add_gc_epilogue_callback(callbacks::gc_epilogue, data, v8::GCType::kGCTypeAll);
        isolate.add_near_heap_limit_callback(callbacks::near_heap_limit, data);
        Ok(Memwatch(shared))
    }

    /// The handle attached to `isolate`, if any (how JS callbacks find it).
    pub fn of(isolate: &v8::Isolate) -> Option<Memwatch> {
        isolate.get_slot::<AttachedSlot>().map(|s| Memwatch(s.0.clone()))
    }

    /// Removes the callbacks, drains what is buffered and flushes the export. After this no
    /// V8 callback holds a pointer to the state.
    pub fn detach(&self, isolate: &mut v8::Isolate) -> Vec<MemwatchEvent> {
        if !self.0.attached.replace(false) {
            return self.poll();
        }
        let data = Rc::as_ptr(&self.0) as *mut c_void;
        isolate.remove_gc_prologue_callback(callbacks::gc_prologue, data);
        isolate.remove_gc_epilogue_callback(callbacks::gc_epilogue, data);
        isolate.remove_near_heap_limit_callback(callbacks::near_heap_limit, 0);
        let events = self.poll();
        isolate.remove_slot::<AttachedSlot>();
        events
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
