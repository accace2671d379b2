//! node-memwatch's leak rule: after each full GC, a rise above the previous full GC's used size
//! counts as growth, anything else resets; at `growth_count` rises in a row, emit and reset.
//!
//! Fixed defects: the first full GC is not growth (the original compared against 0 and fired
//! during every warm-up), and a rise must exceed a noise floor (the original counted +1 byte, so
//! a steady heap's noise fired it by chance). A floor of 0 reproduces node-memwatch.

use serde::{Deserialize, Serialize};

use super::{bytes_per_hour, elapsed_label, epoch_ms, rate_mb_per_hour, Baseline, DetectorKind, LeakEvent};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(default)]
pub struct ClassicConfig {
    /// Consecutive growing full GCs that make a leak (node-memwatch: 5).
    pub growth_count: u32,
    /// A rise counts only above max(noise_floor_bytes, noise_floor_percent% of the previous size).
    pub noise_floor_bytes: u64,
    pub noise_floor_percent: f64,
}

impl Default for ClassicConfig {
    fn default() -> Self {
        ClassicConfig { growth_count: 5, noise_floor_bytes: 64 * 1024, noise_floor_percent: 0.1 }
    }
}

impl ClassicConfig {
    fn floor(&self, previous: u64) -> u64 {
        let pct = (previous as f64 * self.noise_floor_percent.max(0.0) / 100.0) as u64;
        self.noise_floor_bytes.max(pct)
    }
}

#[derive(Clone, Debug)]
pub struct ClassicDetector {
    config: ClassicConfig,
    previous: Option<u64>,
    streak: u32,
    /// The first grown sample of the current streak.
    start: Option<Baseline>,
}

impl ClassicDetector {
    pub fn new(config: ClassicConfig) -> Self {
        ClassicDetector { config, previous: None, streak: 0, start: None }
    }

    pub fn config(&self) -> &ClassicConfig {
        &self.config
    }

    pub fn push(&mut self, b: Baseline, epoch_ms_at_origin: f64) -> Option<LeakEvent> {
        if b.continues_previous && self.previous.is_some() {
            self.previous = Some(b.used);
            return None;
        }
        let grew = match self.previous {
            Some(prev) => b.used > prev.saturating_add(self.config.floor(prev)),
            None => false,
        };
        self.previous = Some(b.used);
        if !grew {
            self.streak = 0;
            self.start = None;
            return None;
        }
        let start = *self.start.get_or_insert(b);
        self.streak += 1;
        if self.streak < self.config.growth_count.max(1) {
            return None;
        }
        self.streak = 0;
        self.start = None;
        let growth = b.used as i64 - start.used as i64;
        let elapsed = b.time_ns.saturating_sub(start.time_ns);
        let reason = format!(
            "heap growth over {} consecutive GCs ({}) - {} mb/hr",
            self.config.growth_count.max(1),
            elapsed_label(elapsed),
            rate_mb_per_hour(growth, elapsed)
        );
        Some(LeakEvent {
            detector: DetectorKind::Classic,
            start: epoch_ms(epoch_ms_at_origin, start.time_ns),
            end: epoch_ms(epoch_ms_at_origin, b.time_ns),
            start_ns: start.time_ns,
            end_ns: b.time_ns,
            growth,
            rate_bytes_per_hour: bytes_per_hour(growth, elapsed),
            reason,
            gc_seq: b.seq,
            gc_count: u64::from(self.config.growth_count.max(1)),
            r2: None,
            retainers: None,
            allocations: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(config: ClassicConfig, used: &[u64]) -> Vec<LeakEvent> {
        let mut d = ClassicDetector::new(config);
        used.iter()
            .enumerate()
            .filter_map(|(i, &u)| {
                d.push(
                    Baseline { seq: i as u64, time_ns: i as u64 * 5_000_000_000, used: u, continues_previous: false },
                    0.0,
                )
            })
            .collect()
    }

    fn exact() -> ClassicConfig {
        ClassicConfig { growth_count: 5, noise_floor_bytes: 0, noise_floor_percent: 0.0 }
    }

    #[test]
    fn first_gc_is_not_growth() {
        // node-memwatch compared the first GC against 0 and fired after 5 GCs of any warm-up.
        assert!(run(exact(), &[10, 20, 30, 40, 50]).is_empty());
        let ev = run(exact(), &[10, 20, 30, 40, 50, 60]);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].growth, 40, "used now minus used at the first grown sample");
    }

    #[test]
    fn reason_format_matches_node_memwatch() {
        let mb = 1024 * 1024;
        // From the first grown sample (5 s) to the fifth (25 s): 20 s, 4 x 17,000 bytes.
        let used: Vec<u64> = (0..6).map(|i| 100 * mb + i * 17_000).collect();
        let ev = run(exact(), &used);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].reason, "heap growth over 5 consecutive GCs (20s) - 11.67 mb/hr");
        assert_eq!(ev[0].end_ns - ev[0].start_ns, 20_000_000_000);
        assert_eq!(ev[0].growth, 68_000);
    }

    #[test]
    fn resets_after_firing_and_on_shrink() {
        let ev = run(exact(), &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        assert_eq!(ev.len(), 2);
        assert!(run(exact(), &[1, 2, 3, 4, 5, 4, 6, 7, 8, 9]).is_empty());
    }

    #[test]
    fn noise_floor_ignores_small_rises() {
        let used: Vec<u64> = (0..20).map(|i| 50_000_000 + i * 1000).collect();
        assert!(run(ClassicConfig::default(), &used).is_empty());
        assert_eq!(run(exact(), &used).len(), 3);
    }

    #[test]
    fn second_pass_of_a_forced_collection_neither_grows_nor_resets() {
        // memwatch.gc(): each call gives two full GCs, the second with the same used size.
        let mut d = ClassicDetector::new(exact());
        let mut fired = 0;
        for i in 0..6u64 {
            for pass in 0..2u64 {
                let b = Baseline {
                    seq: i * 2 + pass,
                    time_ns: i * 1_000_000_000,
                    used: 1000 + i * 10,
                    continues_previous: pass == 1,
                };
                fired += usize::from(d.push(b, 0.0).is_some());
            }
        }
        assert_eq!(fired, 1);
    }

    #[test]
    fn zero_elapsed_time_does_not_divide_by_zero() {
        let mut d = ClassicDetector::new(ClassicConfig { growth_count: 1, ..exact() });
        let b = |u| Baseline { seq: 0, time_ns: 7, used: u, continues_previous: false };
        assert!(d.push(b(1), 0.0).is_none());
        let ev = d.push(b(2), 0.0).expect("fires");
        assert_eq!(ev.rate_bytes_per_hour, 0.0);
        assert!(ev.reason.ends_with("- 0 mb/hr"), "{}", ev.reason);
    }
}
