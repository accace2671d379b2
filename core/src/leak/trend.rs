//! Trend detector: least-squares fit of used heap against time over the last `window` post-full-GC
//! baselines. It fires when the fitted growth over the window is both large (absolute and
//! relative) and consistent (coefficient of determination r² at least `min_r2`), so one-off
//! spikes and a sawtooth around a steady level do not fire, and the first `warmup_gcs` full GCs
//! (start-up allocation) are ignored. After firing the window restarts, so a steady leak reports
//! once per window rather than after every GC.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{bytes_per_hour, elapsed_label, epoch_ms, rate_mb_per_hour, Baseline, DetectorKind, LeakEvent};
use crate::detector_options::{TREND_WINDOW_MAX, TREND_WINDOW_MIN};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(default)]
pub struct TrendConfig {
    /// Number of full-GC baselines in the regression window.
    pub window: usize,
    /// Full GCs ignored at the start of the recording.
    pub warmup_gcs: u64,
    /// Minimum coefficient of determination of the fit (0..1).
    pub min_r2: f64,
    /// Fitted growth over the window must exceed both of these.
    pub min_growth_bytes: u64,
    pub min_growth_percent: f64,
}

impl Default for TrendConfig {
    fn default() -> Self {
        TrendConfig { window: 8, warmup_gcs: 2, min_r2: 0.8, min_growth_bytes: 1024 * 1024, min_growth_percent: 1.0 }
    }
}

/// Result of a least-squares fit: slope in bytes per second and r².
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub slope: f64,
    pub r2: f64,
}

/// Ordinary least squares of `used` over time (seconds from the first point). `None` when all
/// points share one time (no slope can be fitted).
pub fn fit(points: &[Baseline]) -> Option<Fit> {
    let first = points.first()?;
    let n = points.len() as f64;
    let xs = points.iter().map(|p| p.time_ns.saturating_sub(first.time_ns) as f64 / 1e9);
    let mean_x = xs.clone().sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.used as f64).sum::<f64>() / n;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (x, p) in xs.zip(points) {
        let (dx, dy) = (x - mean_x, p.used as f64 - mean_y);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx == 0.0 {
        return None;
    }
    let r2 = if syy == 0.0 { 0.0 } else { (sxy * sxy) / (sxx * syy) };
    Some(Fit { slope: sxy / sxx, r2 })
}

#[derive(Clone, Debug)]
pub struct TrendDetector {
    config: TrendConfig,
    seen: u64,
    window: VecDeque<Baseline>,
}

impl TrendDetector {
    pub fn new(config: TrendConfig) -> Self {
        let cap = config.window.clamp(TREND_WINDOW_MIN, TREND_WINDOW_MAX);
        TrendDetector { config, seen: 0, window: VecDeque::with_capacity(cap) }
    }

    pub fn config(&self) -> &TrendConfig {
        &self.config
    }

    pub fn push(&mut self, b: Baseline, epoch_ms_at_origin: f64) -> Option<LeakEvent> {
        if b.continues_previous && self.seen > 0 {
            // A further pass of the same collection refines the last point (if it is in the
            // window) rather than adding a second point at the same moment.
            if let Some(last) = self.window.back_mut() {
                *last = b;
            }
            return None;
        }
        self.seen += 1;
        if self.seen <= self.config.warmup_gcs {
            return None;
        }
        let size = self.config.window.max(TREND_WINDOW_MIN);
        if self.window.len() == size {
            self.window.pop_front();
        }
        self.window.push_back(b);
        if self.window.len() < size {
            return None;
        }
        let points = self.window.make_contiguous();
        let fit = fit(points)?;
        let (first, last) = (points[0], points[points.len() - 1]);
        let span_ns = last.time_ns.saturating_sub(first.time_ns);
        let growth = (fit.slope * span_ns as f64 / 1e9).round() as i64;
        let relative_floor = first.used as f64 * self.config.min_growth_percent.max(0.0) / 100.0;
        let big_enough = growth > 0 && growth as u64 >= self.config.min_growth_bytes && growth as f64 >= relative_floor;
        if !big_enough || fit.r2 < self.config.min_r2 {
            return None;
        }
        self.window.clear();
        let reason = format!(
            "heap growth trend over {} full GCs ({}) - {} mb/hr, r2 {:.2}",
            size,
            elapsed_label(span_ns),
            rate_mb_per_hour(growth, span_ns),
            fit.r2
        );
        Some(LeakEvent {
            detector: DetectorKind::Trend,
            start: epoch_ms(epoch_ms_at_origin, first.time_ns),
            end: epoch_ms(epoch_ms_at_origin, last.time_ns),
            start_ns: first.time_ns,
            end_ns: last.time_ns,
            growth,
            rate_bytes_per_hour: bytes_per_hour(growth, span_ns),
            reason,
            gc_seq: last.seq,
            gc_count: size as u64,
            r2: Some(fit.r2),
            retainers: None,
            allocations: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(config: TrendConfig, used: &[u64]) -> Vec<LeakEvent> {
        let mut d = TrendDetector::new(config);
        used.iter()
            .enumerate()
            .filter_map(|(i, &u)| {
                d.push(
                    Baseline { seq: i as u64, time_ns: i as u64 * 1_000_000_000, used: u, continues_previous: false },
                    0.0,
                )
            })
            .collect()
    }

    const MB: u64 = 1024 * 1024;

    #[test]
    fn steady_linear_growth_fires_once_per_window() {
        let used: Vec<u64> = (0..18).map(|i| 20 * MB + i * MB / 2).collect();
        let ev = run(TrendConfig::default(), &used);
        // 2 warm-up GCs, then windows of 8: fires at points 9 and 17.
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].gc_seq, 9);
        assert_eq!(ev[0].growth, (7 * MB / 2) as i64);
        assert!(ev[0].r2.expect("r2") > 0.999);
        assert!(ev[0].reason.starts_with("heap growth trend over 8 full GCs (7s) - 1800 mb/hr"), "{}", ev[0].reason);
    }

    #[test]
    fn noisy_steady_heap_does_not_fire() {
        // Deterministic pseudo-noise of +-2 MB around 50 MB.
        let mut x: u64 = 12345;
        let used: Vec<u64> = (0..200)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                50 * MB + (x >> 33) % (4 * MB) - 2 * MB
            })
            .collect();
        assert!(run(TrendConfig::default(), &used).is_empty());
    }

    #[test]
    fn warmup_growth_is_ignored() {
        // Start-up allocation then a flat heap.
        let mut used = vec![5 * MB, 15 * MB, 30 * MB];
        used.extend(std::iter::repeat_n(30 * MB, 30));
        assert!(run(TrendConfig::default(), &used).is_empty());
    }

    #[test]
    fn single_spike_is_not_a_trend() {
        let mut used = vec![40 * MB; 20];
        used[12] = 60 * MB;
        assert!(run(TrendConfig::default(), &used).is_empty());
    }

    #[test]
    fn small_growth_below_floor_does_not_fire() {
        let used: Vec<u64> = (0..30).map(|i| 100 * MB + i * 1000).collect();
        assert!(run(TrendConfig::default(), &used).is_empty());
    }

    #[test]
    fn fit_of_identical_times_is_none() {
        let p = [
            Baseline { seq: 0, time_ns: 5, used: 1, continues_previous: false },
            Baseline { seq: 1, time_ns: 5, used: 9, continues_previous: false },
        ];
        assert!(fit(&p).is_none());
    }
}
