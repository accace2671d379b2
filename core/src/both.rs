//! Two independent pieces of work, on two threads when the caller allows more than one.

/// Runs `a` and `b` and returns both results: `b` on the caller's thread and `a` on a second
/// one when `threads > 1`, one after the other otherwise (wasm, `--threads 1`). A panic in `a`
/// is re-raised on the caller's thread (it is a bug, as it would be without the thread).
pub(crate) fn both<A: Send, B>(threads: usize, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if threads > 1 {
        std::thread::scope(|s| {
            let ha = s.spawn(a);
            let rb = b();
            (ha.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), rb)
        })
    } else {
        (a(), b())
    }
}
