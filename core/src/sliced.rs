//! Hot loops run as repeated calls of a small non-inlined function, a slice of iterations each.
//!
//! Why: V8 runs a WebAssembly function in its baseline compiler (Liftoff) until the function is
//! *called again* after its optimised (TurboFan) code is ready; a frame already running never
//! switches (no on-stack replacement for wasm). A snapshot analysis or a HeapDiff's reachability
//! walk is one call from JS, and LTO inlines every stage into it, so without this every loop of
//! it ran in baseline code: the retainer analysis of a 362 MB snapshot took 3.5-5.3 s instead of
//! 2.4 s (`node --no-liftoff`; bench/phase-wasm.js dominators). With the loop bodies in functions
//! called once per slice, V8 tiers them up after the first slices (2.8 s). Natively the extra call
//! per few thousand iterations costs nothing measurable. scripts/build-wasm.sh tells wasm-opt not
//! to inline these functions back (`--no-inline='*sliced*'`).

/// Iterations per call: small enough that V8's tier-up (after ~1-2 M instructions of a function)
/// happens early in a loop of millions, large enough that the call costs nothing.
const SLICE: usize = 4096;

/// `for x in iter { f(x) }`, a slice per call.
pub(crate) fn for_each<I: Iterator>(mut iter: I, mut f: impl FnMut(I::Item)) {
    while for_slice(&mut iter, &mut f) {}
}

#[inline(never)]
fn for_slice<I: Iterator, F: FnMut(I::Item)>(iter: &mut I, f: &mut F) -> bool {
    for _ in 0..SLICE {
        match iter.next() {
            Some(x) => f(x),
            None => return false,
        }
    }
    true
}

/// `while step() {}`, a slice of steps per call (for loops driven by an explicit stack or queue).
pub(crate) fn run(mut step: impl FnMut() -> bool) {
    while steps(&mut step) {}
}

#[inline(never)]
fn steps<F: FnMut() -> bool>(step: &mut F) -> bool {
    for _ in 0..SLICE {
        if !step() {
            return false;
        }
    }
    true
}
