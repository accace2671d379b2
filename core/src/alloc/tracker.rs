//! The state of allocation sampling in one live run, for every host (the native sampler, the Node
//! adapter through wasm): when to take a profile, and each profile compared with the previous one.

use super::profile::SamplingProfile;
use super::sites::{allocation_growth, GrowthOptions, LiveAllocations};
use super::LeakAllocations;

/// Smallest and largest sampling interval accepted, in bytes. V8 refuses 0; above 1 GiB a leak
/// would need gigabytes of growth to reach the noise floor.
pub const MIN_SAMPLING_INTERVAL: u64 = 1;
pub const MAX_SAMPLING_INTERVAL: u64 = 1 << 30;

/// A sampling interval given by a user (`sampleAllocations: bytes`, `--sample-allocations=BYTES`).
pub fn check_sampling_interval(bytes: f64) -> Result<u64, String> {
    if !(bytes.is_finite() && bytes.fract() == 0.0) {
        return Err(format!("sampling interval must be a whole number of bytes, got {bytes}"));
    }
    if bytes < MIN_SAMPLING_INTERVAL as f64 || bytes > MAX_SAMPLING_INTERVAL as f64 {
        return Err(format!(
            "sampling interval must be between {MIN_SAMPLING_INTERVAL} and {MAX_SAMPLING_INTERVAL} bytes, got {bytes}"
        ));
    }
    Ok(bytes as u64)
}

/// The previous profile of a run and the rule for taking the next one: a baseline at the first
/// full GC (the first `stats` event), then one at each batch of events holding a `leak`, compared
/// with the previous profile. (A profile costs building it, and through Node's inspector a full GC:
/// one is never taken per GC.) When that comparison names no site, the profile is also compared
/// with the run's first one, so a leak too slow for one window is named once it has grown enough
/// over several (`LeakAllocations::sites_since_start`).
#[derive(Clone, Debug)]
pub struct AllocationTracker {
    opts: GrowthOptions,
    first: Option<(LiveAllocations, u64)>,
    previous: Option<(LiveAllocations, u64)>,
}

impl AllocationTracker {
    /// Growth reports for a profiler sampling every `interval` bytes.
    pub fn new(interval: u64) -> AllocationTracker {
        AllocationTracker {
            opts: GrowthOptions { interval: interval.max(1), ..GrowthOptions::default() },
            first: None,
            previous: None,
        }
    }

    pub fn interval(&self) -> u64 {
        self.opts.interval
    }

    /// Whether a host that just produced events (`has_leak`: a `leak` among them; `has_stats`: a
    /// `stats` one, i.e. a full GC) should take a profile now.
    pub fn wants_profile(&self, has_leak: bool, has_stats: bool) -> bool {
        has_leak || (has_stats && self.previous.is_none())
    }

    /// Compares `now` (taken at `now_ns`) with the previous profile and keeps it as the next
    /// one's baseline.
    pub fn observe(&mut self, now: LiveAllocations, now_ns: u64) -> LeakAllocations {
        let before = self.previous.as_ref().map(|(l, t)| (l, *t));
        let mut report = LeakAllocations::between(before, (&now, now_ns), &self.opts);
        match (&self.first, &self.previous) {
            (Some((first, start_ns)), Some((_, previous_ns))) if report.sites.is_empty() && start_ns != previous_ns => {
                report.sites_since_start = allocation_growth(Some(first), &now, &self.opts);
                report.start_ns = *start_ns;
            }
            _ => {}
        }
        if self.first.is_none() {
            self.first = Some((now.clone(), now_ns));
        }
        self.previous = Some((now, now_ns));
        report
    }

    /// [`observe`](Self::observe) on a profile as the inspector sends it (JSON text of
    /// `getSamplingProfile`'s reply or result, parsed with a depth check); a profile that cannot
    /// be read gives a report with `error` and leaves the baseline as it was.
    pub fn observe_json(&mut self, profile: &[u8], now_ns: u64) -> LeakAllocations {
        match SamplingProfile::parse(profile) {
            Ok(p) => self.observe(LiveAllocations::from_profile(&p), now_ns),
            Err(e) => self.failed(e.to_string(), now_ns),
        }
    }

    /// The report when no profile could be taken: no sites, and why.
    pub fn failed(&self, message: String, now_ns: u64) -> LeakAllocations {
        LeakAllocations {
            since_ns: self.previous.as_ref().map(|p| p.1).unwrap_or(0),
            time_ns: now_ns,
            interval: self.opts.interval,
            total_bytes_before: 0,
            total_bytes_after: 0,
            sites: Vec::new(),
            min_site_growth: 0,
            sites_since_start: Vec::new(),
            start_ns: 0,
            error: Some(message),
        }
    }
}
