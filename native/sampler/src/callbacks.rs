//! The `extern "C"` functions V8 calls: GC prologue/epilogue, the drain interrupt and the
//! near-heap-limit hook.
//!
//! Soundness of the `data` pointer: it is a `Box<Weak<Shared>>` leaked by `attach` and freed only
//! by `detach`, after it removed the callbacks; so whenever V8 calls one of these functions the
//! box is alive. The `Weak` does not keep the state alive: the state lives as long as the
//! embedder's [`Memwatch`](super::Memwatch) handles, and a callback that fires after the last one
//! was dropped without `detach` (a `Drop` has no isolate to remove callbacks with), or during the
//! isolate's teardown GC (which `OwnedIsolate::drop` runs after dropping its slots), fails to
//! upgrade it and returns. An upgraded `Rc` keeps the state alive for the call. V8 calls these
//! functions on the isolate's own thread, synchronously, never re-entrantly (V8 does not start a
//! GC inside a GC callback), so the `Rc` (not `Send`) stays on one thread and every field the
//! callbacks touch is a `Cell` or is reached through `RefCell::try_borrow_mut`, which fails
//! instead of aliasing when Rust code further up the stack holds a borrow.
//!
//! None of these functions may panic (a panic across `extern "C"` aborts the process): they use
//! no `unwrap`, no indexing that can fail, and no JS.

use std::ffi::c_void;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::raw::{read_heap, RawSample};
use super::Shared;

/// Recovers the shared state from the callback's data pointer: `None` once every handle was
/// dropped.
///
/// # Safety
/// `data` must be a pointer registered by `Memwatch::attach` whose callbacks are still installed
/// (see the module docs for why the box is then alive).
unsafe fn shared(data: *mut c_void) -> Option<Rc<Shared>> {
    // SAFETY: see the function contract; null is checked. Only a shared reference is formed
    // (`detach`, the only writer, frees the box after removing the callbacks).
    let weak = unsafe { (data as *const Weak<Shared>).as_ref() }?;
    weak.upgrade()
}

pub(super) unsafe extern "C" fn gc_prologue(
    _isolate: v8::UnsafeRawIsolatePtr,
    _ty: v8::GCType,
    _flags: v8::GCCallbackFlags,
    data: *mut c_void,
) {
    // SAFETY: data was registered by attach together with this callback.
    if let Some(s) = unsafe { shared(data) } {
        s.gc_start_ns.set(s.now_ns());
    }
}

pub(super) unsafe extern "C" fn gc_epilogue(
    isolate: v8::UnsafeRawIsolatePtr,
    ty: v8::GCType,
    flags: v8::GCCallbackFlags,
    data: *mut c_void,
) {
    // SAFETY: data was registered by attach together with this callback.
    let Some(s) = (unsafe { shared(data) }) else { return };
    let end_ns = s.now_ns();
    let seq = s.seq.get() + 1;
    s.seq.set(seq);
    let mut raw = RawSample {
        seq,
        gc_type_bits: ty.0,
        flags: flags.0,
        start_ns: s.gc_start_ns.get().min(end_ns),
        end_ns,
        snapshot: s.in_snapshot.get(),
        collection: s.collection.get(),
        ..RawSample::default()
    };
    if memwatch_core::sample::GcType::bits_are_full(ty.0) && !raw.snapshot {
        s.last_full_gc_ns.set(end_ns);
    }
    // SAFETY: V8 passes the isolate that is running this GC; it is alive for the call. The
    // `Isolate` value is a non-owning pointer wrapper (no Drop), used only for statistics reads.
    let mut iso = unsafe { v8::Isolate::from_raw_isolate_ptr_unchecked(isolate) };
    raw.heap = read_heap(&mut iso);
    if s.per_space {
        raw.read_spaces(&mut iso, s.n_spaces);
    }
    s.record(raw);
}

/// Runs on the isolate thread at a safe point (not inside a GC, no JS allowed): moves buffered
/// samples into the analyzer and export so that a long synchronous script does not overflow the
/// buffer. `data` is a `Weak<Shared>` leaked by [`request_drain`] and reclaimed here (weak: an
/// interrupt that never runs, because the isolate goes away first, must not keep the state from
/// being dropped and its export from being completed).
unsafe extern "C" fn drain_interrupt(_isolate: v8::UnsafeRawIsolatePtr, data: *mut c_void) {
    if data.is_null() {
        return;
    }
    // SAFETY: `data` came from `Weak::into_raw` in `request_drain`, reclaimed exactly once here.
    let weak = unsafe { Weak::from_raw(data as *const Shared) };
    if let Some(s) = weak.upgrade() {
        s.drain_requested.set(false);
        s.drain_into_pipeline();
    }
}

/// Asks V8 to call [`drain_interrupt`] soon. Called from the epilogue when the buffer fills up.
pub(super) fn request_drain(s: &Shared) {
    if s.drain_requested.replace(true) {
        return;
    }
    let ptr = Weak::into_raw(s.self_weak()) as *mut c_void;
    if !s.handle.request_interrupt(drain_interrupt, ptr) {
        // The isolate is gone: take the reference back so it is not leaked.
        // SAFETY: `ptr` came from `Weak::into_raw` just above and was not handed to V8.
        drop(unsafe { Weak::from_raw(ptr as *const Shared) });
        s.drain_requested.set(false);
    }
}

/// V8 is about to run out of heap: record the buffered samples and a marker so the export is
/// complete, then return the same limit (V8 then dies with its out-of-memory error, or calls the
/// embedder's OOM handler). Stopping the script instead was tried: a termination requested here
/// does not take effect while V8 retries the failing allocation, so the heap just kept growing.
pub(super) unsafe extern "C" fn near_heap_limit(
    data: *mut c_void,
    current_heap_limit: usize,
    _initial_heap_limit: usize,
) -> usize {
    // SAFETY: data was registered by attach together with this callback.
    let Some(s) = (unsafe { shared(data) }) else { return current_heap_limit };
    if s.heap_limit_hit.replace(true) {
        return current_heap_limit;
    }
    HEAP_LIMIT_WRITES.fetch_add(1, Ordering::SeqCst);
    s.drain_into_pipeline();
    s.record_heap_limit(current_heap_limit as u64);
    HEAP_LIMIT_WRITES.fetch_sub(1, Ordering::SeqCst);
    current_heap_limit
}

/// Near-heap-limit hooks still writing their samples and marker, process-wide. V8 may report the
/// out-of-memory (and call the embedder's OOM handler) on another thread while the isolate's
/// thread is still in [`near_heap_limit`]; a handler that ends the process must wait for this to
/// reach 0 first, or the export loses its last records ([`wait_for_heap_limit_writes`]).
static HEAP_LIMIT_WRITES: AtomicUsize = AtomicUsize::new(0);

/// For OOM handlers (any thread): waits until no near-heap-limit hook is writing the export, at
/// most `max`. Allocation-free, so it is safe where the process is out of memory.
pub fn wait_for_heap_limit_writes(max: Duration) {
    let deadline = Instant::now() + max;
    while HEAP_LIMIT_WRITES.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}
