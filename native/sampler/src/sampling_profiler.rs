//! Starts and stops V8's sampling heap profiler without `kSamplingForceGC`.
//!
//! V8's inspector starts the sampler with `kSamplingForceGC` (hard-coded in its
//! `HeapProfiler.startSampling`), and that flag makes every `getSamplingProfile` run a full
//! mark-compact first. memwatch takes its profiles at polls that follow a full GC (the baseline
//! at the first one, then one per leak event), when the sampler's weak callbacks have just
//! dropped the samples of dead objects, so the forced GC only repeats the one that just ran:
//! on `bench/gc-heavy.js` it was most of what sampling cost without samples (3.6 % of CPU time,
//! docs/benchmarks-native.md). So the sampler is started here through V8's C++ API with no
//! flags, and the inspector still reads it (`getSamplingProfile` reads whatever sampler runs;
//! it only refuses when none does).
//!
//! The `v8` crate binds neither function, so they are declared by their Itanium-mangled names.
//! That mangling (and `uint64_t` being `unsigned long`, the `m` below) holds on 64-bit Linux;
//! elsewhere [`start`] returns `false` and the caller uses the inspector's start instead.

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
use std::ffi::c_int;
use std::ffi::c_void;

/// `v8::HeapProfiler::kSamplingNoFlags`.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
const NO_FLAGS: c_int = 0;
/// What V8's inspector passes: stacks up to 128 frames.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
const STACK_DEPTH: c_int = 128;

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
unsafe extern "C" {
    /// `v8::HeapProfiler* v8::Isolate::GetHeapProfiler()`
    #[link_name = "_ZN2v87Isolate15GetHeapProfilerEv"]
    fn v8_isolate_get_heap_profiler(isolate: *mut c_void) -> *mut c_void;
    /// `bool v8::HeapProfiler::StartSamplingHeapProfiler(uint64_t, int, SamplingFlags)`
    #[link_name = "_ZN2v812HeapProfiler25StartSamplingHeapProfilerEmiNS0_13SamplingFlagsE"]
    fn v8_heap_profiler_start_sampling(profiler: *mut c_void, interval: u64, depth: c_int, flags: c_int) -> bool;
    /// `void v8::HeapProfiler::StopSamplingHeapProfiler()`
    #[link_name = "_ZN2v812HeapProfiler24StopSamplingHeapProfilerEv"]
    fn v8_heap_profiler_stop_sampling(profiler: *mut c_void);
}

/// The isolate's `v8::HeapProfiler*` (never null: V8 creates it with the isolate).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn heap_profiler(isolate: &mut v8::Isolate) -> *mut c_void {
    // SAFETY: `UnsafeRawIsolatePtr` is `repr(transparent)` over the C++ `v8::Isolate*`, which
    // `&mut Isolate` keeps alive and entered on this thread for the call. `GetHeapProfiler` is a
    // plain (non-virtual) member function: under the Itanium C++ ABI it is a C function taking
    // `this` first, and it only reads the isolate's profiler field.
    unsafe {
        let raw: *mut c_void =
            std::mem::transmute::<v8::UnsafeRawIsolatePtr, *mut c_void>(isolate.as_raw_isolate_ptr());
        v8_isolate_get_heap_profiler(raw)
    }
}

/// A sampler started by [`start`]; dropping it stops the sampler. It must not outlive the
/// isolate's heap profiler: V8 aborts when a sampler still runs at isolate disposal (its
/// destructor then unregisters from a heap already torn down), so it lives in an isolate slot,
/// and slots are dropped before the isolate is disposed.
// Only constructed where the direct start exists.
#[cfg_attr(not(all(target_os = "linux", target_pointer_width = "64")), allow(dead_code))]
pub(crate) struct Running {
    profiler: *mut c_void,
}

/// Starts sampling every `interval` bytes (on average) without forcing a GC per profile;
/// `None` when this platform has no direct start (or V8 refused it).
pub(crate) fn start(isolate: &mut v8::Isolate, interval: u64) -> Option<Running> {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        let profiler = heap_profiler(isolate);
        // SAFETY: `profiler` is the live isolate's `v8::HeapProfiler` (above), the call is
        // non-virtual with C-compatible arguments (`this`, `uint64_t`, `int`, an `int`-sized
        // unscoped enum) and returns `bool`; it runs on the isolate's thread.
        let started = !profiler.is_null()
            && unsafe { v8_heap_profiler_start_sampling(profiler, interval, STACK_DEPTH, NO_FLAGS) };
        started.then_some(Running { profiler })
    }
    #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
    {
        let _ = (isolate, interval);
        None
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
        // SAFETY: the profiler outlives this value (see `Running`), the call is non-virtual with
        // only `this`, and slots are dropped on the isolate's thread.
        unsafe {
            v8_heap_profiler_stop_sampling(self.profiler)
        }
    }
}
