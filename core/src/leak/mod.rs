//! Leak detectors: pure functions of the full-GC sample stream and their parameters, so a viewer
//! can re-run them with other settings and get the same events the live run emitted.
//!
//! - [`classic::ClassicDetector`]: node-memwatch's rule (N consecutive growing full GCs), minus its
//!   warm-up bug and with a noise floor.
//! - [`trend::TrendDetector`]: least-squares slope over a window of post-full-GC baselines, with a
//!   minimum fit quality and growth, robust to warm-up and noise.

pub mod classic;
pub mod retainers;
pub mod trend;

use serde::{Deserialize, Serialize};

pub use classic::{ClassicConfig, ClassicDetector};
pub use retainers::LeakRetainers;
pub use trend::{TrendConfig, TrendDetector};

/// Which detector produced a [`LeakEvent`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum DetectorKind {
    Classic,
    Trend,
}

/// A `leak` event. `start`/`end` are wall-clock milliseconds since the Unix epoch (JavaScript
/// `Date` values); `start_ns`/`end_ns` the monotonic times of the GCs that bound the growth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LeakEvent {
    pub detector: DetectorKind,
    pub start: f64,
    pub end: f64,
    pub start_ns: u64,
    pub end_ns: u64,
    /// Used-heap growth in bytes over the event's span (signed: never wraps).
    pub growth: i64,
    /// Growth rate in bytes per hour (0 when the span is 0 s).
    pub rate_bytes_per_hour: f64,
    pub reason: String,
    /// Sequence number of the GC sample that triggered the event.
    pub gc_seq: u64,
    /// Number of full GCs the event covers.
    pub gc_count: u64,
    /// Fit quality (trend detector only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r2: Option<f64>,
    /// Who retains the growth: only from a live run with snapshots enabled ([`LeakRetainers`]);
    /// the detectors never set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retainers: Option<Box<LeakRetainers>>,
    /// Which code allocated the growth: only from a live run with allocation sampling on
    /// ([`LeakAllocations`](crate::alloc::LeakAllocations)); the detectors never set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocations: Option<Box<crate::alloc::LeakAllocations>>,
}

/// A post-full-GC baseline fed to the detectors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Baseline {
    pub seq: u64,
    pub time_ns: u64,
    pub used: u64,
    /// True when this full GC is a further pass of the same forced collection as the previous
    /// baseline (V8's low-memory notification, i.e. `memwatch.gc()`, runs back-to-back full GCs
    /// that all carry `COLLECT_ALL_AVAILABLE_GARBAGE`). Detectors refine the previous baseline
    /// with it instead of counting it as a new point: otherwise the second pass, which finds
    /// nothing more to free, reads as "no growth" and resets every streak.
    pub continues_previous: bool,
}

/// Shared formatting: "11.67 mb/hr" (two decimals, shortest form) and elapsed seconds.
pub(crate) fn rate_mb_per_hour(growth: i64, elapsed_ns: u64) -> f64 {
    if elapsed_ns == 0 {
        return 0.0;
    }
    let hours = elapsed_ns as f64 / 3.6e12;
    let mb = growth as f64 / (1024.0 * 1024.0);
    (mb / hours * 100.0).round() / 100.0
}

pub(crate) fn bytes_per_hour(growth: i64, elapsed_ns: u64) -> f64 {
    if elapsed_ns == 0 {
        0.0
    } else {
        growth as f64 / (elapsed_ns as f64 / 3.6e12)
    }
}

/// Elapsed time as node-memwatch printed it ("20s"), with a decimal below 10 s so short test
/// runs do not all read "0s".
pub(crate) fn elapsed_label(elapsed_ns: u64) -> String {
    let s = elapsed_ns as f64 / 1e9;
    if s < 10.0 {
        format!("{}s", (s * 10.0).round() / 10.0)
    } else {
        format!("{}s", s.round())
    }
}

/// Converts a monotonic time to epoch milliseconds given the recording's origin.
pub(crate) fn epoch_ms(epoch_ms_at_origin: f64, time_ns: u64) -> f64 {
    epoch_ms_at_origin + time_ns as f64 / 1e6
}
