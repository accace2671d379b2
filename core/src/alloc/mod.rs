//! Which code allocates the growth: V8's sampling heap profiler keeps a sample of allocations
//! (one every `interval` bytes on average, with their JS stack) as long as the objects live.
//! Comparing two such profiles gives the allocation sites whose live memory grew — attribution to
//! code without a heap snapshot, at a small cost.
//!
//! - [`SamplingProfile`]: the inspector's `HeapProfiler.getSamplingProfile` result / a
//!   `.heapprofile` file, parsed with a depth check.
//! - [`LiveAllocations`]: the profile flattened into one site per stack.
//! - [`allocation_growth`]: sites whose live bytes grew beyond sampling noise (the samples that
//!   came or went between the two profiles, [`noise_floor_of_changes`]).
//! - [`LeakAllocations`]: what a live `leak` event carries.
//! - [`AllocationTracker`]: when a live run takes a profile, and each one against the previous.
//! - [`pprof`]: the same data as a pprof profile.

pub mod pprof;
mod profile;
mod sites;
mod tracker;

use serde::{Deserialize, Serialize};

pub use profile::{CallFrame, ProfileError, ProfileNode, ProfileSample, SamplingProfile, MAX_DEPTH};
pub use sites::{
    allocation_growth, min_site_growth, noise_floor, noise_floor_of_changes, Frame, GrowthOptions, LiveAllocations,
    LiveSite, SiteGrowth,
};
pub use tracker::{check_sampling_interval, AllocationTracker, MAX_SAMPLING_INTERVAL, MIN_SAMPLING_INTERVAL};

/// Default sampling interval in bytes: 512 KiB, as V8's own default (`StartSamplingHeapProfiler`),
/// Node's `--heap-prof-interval` and the production heap profilers built on them. Its cost stays
/// within 5 % on the GC-heavy benchmark, 128 KiB's does not (V8's per-sample work;
/// docs/benchmarks-native.md, "Allocation sampling"). A site needs 9 new live samples
/// (~4.5 MB) since the previous profile to pass the noise floor ([`min_site_growth`]); smaller
/// leaks need a finer interval (`--sample-allocations=131072`: ~1.1 MB).
pub const DEFAULT_SAMPLING_INTERVAL: u64 = 512 * 1024;

/// The allocation sites whose live bytes grew since the previous profile, attached to a live
/// `leak` event when allocation sampling is on (`memwatch run --sample-allocations`). Like
/// [`LeakRetainers`](crate::leak::LeakRetainers), only a live run can produce it; the export keeps
/// it in `allocation_profile` records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LeakAllocations {
    /// Monotonic time of the previous profile (sampling start or the previous leak event).
    pub since_ns: u64,
    /// Monotonic time of this event's profile.
    pub time_ns: u64,
    /// Sampling interval in bytes.
    pub interval: u64,
    /// Live sampled bytes in the whole profile then and now.
    pub total_bytes_before: u64,
    pub total_bytes_after: u64,
    /// Growing sites, largest growth first.
    pub sites: Vec<SiteGrowth>,
    /// The smallest growth a site new since the previous profile needs to be listed in `sites`
    /// ([`min_site_growth`]: ~9 samples' worth); 0 in records written before 2026-11-28. When
    /// `sites` is empty and the whole profile grew less than this, the leak is too small for
    /// this interval, not absent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_site_growth: u64,
    /// When `sites` is empty and the run has an older profile than the previous one: the sites
    /// grown beyond the noise floor since the run's first profile (`start_ns`), largest first.
    /// A leak that grows less than `min_site_growth` between two events is named here once it
    /// has grown that much in all. Empty otherwise, and in records written before 2026-11-28.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites_since_start: Vec<SiteGrowth>,
    /// Monotonic time of the run's first profile, what `sites_since_start` compares with; 0 when
    /// that comparison was not made.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_ns: u64,
    /// Why `sites` is empty when no profile could be taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl LeakAllocations {
    /// The report for `after` against `before` (`None`: the first profile).
    pub fn between(
        before: Option<(&LiveAllocations, u64)>,
        after: (&LiveAllocations, u64),
        opts: &GrowthOptions,
    ) -> LeakAllocations {
        LeakAllocations {
            since_ns: before.map(|b| b.1).unwrap_or(0),
            time_ns: after.1,
            interval: opts.interval,
            total_bytes_before: before.map(|b| b.0.total_bytes).unwrap_or(0),
            total_bytes_after: after.0.total_bytes,
            sites: allocation_growth(before.map(|b| b.0), after.0, opts),
            min_site_growth: min_site_growth(opts.interval, opts.sigma),
            sites_since_start: Vec::new(),
            start_ns: 0,
            error: None,
        }
    }
}
