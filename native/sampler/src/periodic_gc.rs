//! Opt-in periodic full GC (`Config::full_gc_every`): the stats engine and both leak detectors
//! only learn from full (mark-sweep-compact) GCs, and a program with a big, slowly changing heap
//! may see one only every few minutes, so a leak takes many minutes to be reported. With the
//! option, [`Memwatch::poll_in`] asks V8 for one when none happened for the interval: a
//! *moderate* memory-pressure notification, on which V8 starts incremental marking and finishes
//! it at its own pace as the program allocates (a low-priority full GC; no synchronous pause from
//! the call itself). The resulting GC is an ordinary application GC for the detectors.

use std::time::Duration;

use super::Memwatch;

impl Memwatch {
    /// Called by `poll_in`: requests a full GC when the last one (or the last request) is older
    /// than `Config::full_gc_every`.
    pub(crate) fn request_full_gc_if_due(&self, isolate: &mut v8::Isolate) {
        let Some(every) = self.0.full_gc_every else { return };
        let now = self.0.now_ns();
        let last = self.0.last_full_gc_ns.get().max(self.0.full_gc_requested_ns.get());
        if now.saturating_sub(last) < duration_ns(every) {
            return;
        }
        self.0.full_gc_requested_ns.set(now);
        isolate.memory_pressure_notification(v8::MemoryPressureLevel::Moderate);
        if let Ok(mut p) = self.0.pipeline.try_borrow_mut() {
            let msg = format!("no full GC for {} ms: moderate memory pressure signalled", (now - last) / 1_000_000);
            p.marker(now, "full_gc_requested", Some(msg));
        }
    }
}

fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
