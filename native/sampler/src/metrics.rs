//! Numbers for monitoring: a [`Metrics`] handle that another thread (a `/metrics` endpoint, an
//! OpenTelemetry reader) can read while the isolate runs. The pipeline updates it on every GC
//! sample and event it processes, i.e. during [`Memwatch::poll`](crate::Memwatch::poll) on the
//! isolate's thread, never inside a GC callback; readers take a consistent [`MetricsSnapshot`].
//!
//! The exporters behind cargo features only convert a snapshot: `prometheus` (the
//! `prometheus-client` crate) and `opentelemetry` (the `opentelemetry` crate's metrics API).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use memwatch_core::leak::{DetectorKind, LeakEvent};
use memwatch_core::sample::{GcType, Sample};
use memwatch_core::stats::{PerGcType, Stats};

#[cfg(feature = "opentelemetry")]
pub mod otel;
#[cfg(feature = "prometheus")]
pub mod prometheus;

/// Per-isolate labels (`Config::labels`): attached to every metric and stored in the export
/// header. Keys are Prometheus label names (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`).
pub type Labels = BTreeMap<String, String>;

/// Upper bounds (seconds) of the GC pause histogram buckets; a last `+Inf` bucket is implied.
/// From 100 µs (a small scavenge) to 5 s (a mark-compact of a multi-GB heap).
pub const PAUSE_BUCKETS_SECONDS: [f64; 12] =
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 5.0];

/// Distribution of GC pauses of one GC type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PauseHistogram {
    /// Pauses per bucket (not cumulative): `counts[i]` are those `<= PAUSE_BUCKETS_SECONDS[i]`
    /// and above the previous bound; the last entry counts those above every bound.
    pub counts: [u64; PAUSE_BUCKETS_SECONDS.len() + 1],
    /// Sum of all pauses in seconds.
    pub sum_seconds: f64,
    /// Number of pauses.
    pub count: u64,
}

impl PauseHistogram {
    fn observe(&mut self, seconds: f64) {
        let i = PAUSE_BUCKETS_SECONDS.iter().position(|&b| seconds <= b).unwrap_or(PAUSE_BUCKETS_SECONDS.len());
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        self.sum_seconds += seconds;
        self.count += 1;
    }

    /// `(upper bound, count in this bucket)`, the `+Inf` bucket last (what
    /// `prometheus-client`'s encoder takes; it accumulates them).
    pub fn buckets(&self) -> Vec<(f64, u64)> {
        let bounds = PAUSE_BUCKETS_SECONDS.iter().copied().chain(std::iter::once(f64::INFINITY));
        bounds.zip(self.counts.iter().copied()).collect()
    }

    /// `(upper bound, cumulative count)` per bucket, the `+Inf` bucket last (Prometheus' `le`).
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut acc = 0;
        let bounds = PAUSE_BUCKETS_SECONDS.iter().copied().chain(std::iter::once(f64::INFINITY));
        bounds
            .zip(self.counts.iter())
            .map(|(b, c)| {
                acc += c;
                (b, acc)
            })
            .collect()
    }
}

/// Leak events counted per detector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeakCounts {
    pub classic: u64,
    pub trend: u64,
}

impl LeakCounts {
    pub fn get(&self, d: DetectorKind) -> u64 {
        match d {
            DetectorKind::Classic => self.classic,
            DetectorKind::Trend => self.trend,
        }
    }
}

/// What [`Metrics::snapshot`] returns: a consistent copy of every number.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// The attachment's labels (`Config::labels`).
    pub labels: Labels,
    /// Used heap after the latest application GC of any type (bytes; 0 before the first GC).
    pub heap_used_bytes: u64,
    /// The latest `stats` event (after the latest full GC), if any: `estimated_base`,
    /// `usage_trend`, `current_base`, ...
    pub stats: Option<Stats>,
    /// Application GCs per type (GCs V8 runs for heap snapshots are not counted).
    pub gc_counts: PerGcType,
    /// Pause distribution per GC type, in [`GcType::ALL`] order.
    pub gc_pauses: [PauseHistogram; 5],
    /// Leak events per detector.
    pub leak_events: LeakCounts,
    /// The latest leak event, if any.
    pub last_leak: Option<LeakEvent>,
    /// GC samples lost because the sample buffer was full (see `Config::buffer_capacity`).
    pub samples_dropped: u64,
}

impl MetricsSnapshot {
    /// The pause histogram of one GC type.
    pub fn gc_pause(&self, t: &GcType) -> &PauseHistogram {
        let i = GcType::ALL.iter().position(|x| x == t).unwrap_or(0);
        &self.gc_pauses[i]
    }
}

/// A `Send + Sync` view of one attachment's numbers. Cheap to clone; all clones share the data,
/// which outlives the [`Memwatch`](crate::Memwatch) handle (the last values stay readable).
#[derive(Clone, Default)]
pub struct Metrics(Arc<Inner>);

/// Called with every application GC's type and pause in seconds (from `poll`, on the isolate's
/// thread): how push-style exporters (an OpenTelemetry histogram) see each GC.
pub type PauseObserver = Box<dyn Fn(GcType, f64) + Send + Sync>;

#[derive(Default)]
struct Inner {
    state: Mutex<MetricsSnapshot>,
    pause_observers: Mutex<Vec<PauseObserver>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Metrics").field(&*self.lock()).finish()
    }
}

impl Metrics {
    /// A handle with no data yet, for `Config::metrics` (attach fills it).
    pub fn new() -> Metrics {
        Metrics::default()
    }

    pub(crate) fn set_labels(&self, labels: Labels) {
        self.lock().labels = labels;
    }

    /// A consistent copy of every number (a short lock; the isolate thread never waits long).
    pub fn snapshot(&self) -> MetricsSnapshot {
        self.lock().clone()
    }

    /// The attachment's labels.
    pub fn labels(&self) -> Labels {
        self.lock().labels.clone()
    }

    /// Calls `f` with every later application GC's type and pause (seconds), from `poll`.
    pub fn observe_pauses(&self, f: impl Fn(GcType, f64) + Send + Sync + 'static) {
        self.0.pause_observers.lock().unwrap_or_else(|p| p.into_inner()).push(Box::new(f));
    }

    /// Never panics: a poisoned lock (a panic while it was held) still holds valid counters.
    fn lock(&self) -> MutexGuard<'_, MetricsSnapshot> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn on_sample(&self, sample: &Sample) {
        if sample.snapshot {
            return;
        }
        let mut m = self.lock();
        m.heap_used_bytes = sample.heap.used_heap_size;
        // A type this version does not know is an application GC without a per-type counter.
        let slot = match sample.gc_type {
            GcType::Scavenge => Some(&mut m.gc_counts.scavenge),
            GcType::MinorMarkSweep => Some(&mut m.gc_counts.minor_mark_sweep),
            GcType::MarkSweepCompact => Some(&mut m.gc_counts.mark_sweep_compact),
            GcType::IncrementalMarking => Some(&mut m.gc_counts.incremental_marking),
            GcType::WeakCallbacks => Some(&mut m.gc_counts.weak_callbacks),
            GcType::Other(_) => None,
        };
        if let Some(slot) = slot {
            *slot += 1;
        }
        let seconds = sample.pause_ns() as f64 / 1e9;
        if let Some(i) = GcType::ALL.iter().position(|x| *x == sample.gc_type) {
            m.gc_pauses[i].observe(seconds);
        }
        drop(m); // observers may read the snapshot
        for f in self.0.pause_observers.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            f(sample.gc_type.clone(), seconds);
        }
    }

    pub(crate) fn on_stats(&self, stats: &Stats) {
        self.lock().stats = Some(stats.clone());
    }

    pub(crate) fn on_leak(&self, leak: &LeakEvent) {
        let mut m = self.lock();
        match leak.detector {
            DetectorKind::Classic => m.leak_events.classic += 1,
            DetectorKind::Trend => m.leak_events.trend += 1,
        }
        m.last_leak = Some(leak.clone());
    }

    pub(crate) fn on_dropped(&self, n: u64) {
        self.lock().samples_dropped += n;
    }
}

/// Checks label names against Prometheus' rules (OpenTelemetry accepts them too).
pub(crate) fn check_labels(labels: &Labels) -> Result<(), String> {
    for name in labels.keys() {
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok || !rest_ok || name.starts_with("__") {
            return Err(format!("invalid label name {name:?}: use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __"));
        }
        if name == "type" || name == "detector" || name == "le" {
            return Err(format!("label name {name:?} is used by memwatch's own metrics"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_with_inf_last() {
        let mut h = PauseHistogram::default();
        for s in [0.00005, 0.0003, 0.0003, 7.0] {
            h.observe(s);
        }
        let c = h.cumulative();
        assert_eq!(c.len(), PAUSE_BUCKETS_SECONDS.len() + 1);
        assert_eq!(c[0], (0.0001, 1));
        assert_eq!(c[2], (0.0005, 3));
        assert_eq!(c[c.len() - 2].1, 3, "7 s is above the last bound");
        assert_eq!(c[c.len() - 1], (f64::INFINITY, 4));
        let b = h.buckets();
        assert_eq!((b[0], b[1], b[2]), ((0.0001, 1), (0.00025, 0), (0.0005, 2)));
        assert_eq!(b.iter().map(|x| x.1).sum::<u64>(), 4);
        assert_eq!(h.count, 4);
        assert!((h.sum_seconds - 7.00065).abs() < 1e-9);
    }

    #[test]
    fn label_names_follow_prometheus_rules() {
        let ok: Labels = [("isolate".to_string(), "main".to_string()), ("_x1".into(), "".into())].into();
        assert!(check_labels(&ok).is_ok());
        for bad in ["1a", "a-b", "", "__x", "type", "le"] {
            let l: Labels = [(bad.to_string(), "v".to_string())].into();
            assert!(check_labels(&l).is_err(), "{bad:?} must be refused");
        }
    }
}
