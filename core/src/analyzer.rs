//! The one path from GC samples to events, used live (`memwatch run`, the Node adapter) and
//! offline (`memwatch analyze`, the viewer): identical input gives identical events.

use serde::{Deserialize, Serialize};

use crate::leak::{Baseline, ClassicConfig, ClassicDetector, LeakEvent, TrendConfig, TrendDetector};
use crate::sample::{flags, Sample};
use crate::stats::{Stats, StatsEngine};

/// Detector parameters. `None` turns a detector off. Both default to on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(default)]
pub struct AnalyzerConfig {
    pub classic: Option<ClassicConfig>,
    pub trend: Option<TrendConfig>,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig { classic: Some(ClassicConfig::default()), trend: Some(TrendConfig::default()) }
    }
}

/// What one GC sample produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "AnalyzerEvent"))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Stats(Stats),
    Leak(LeakEvent),
}

#[derive(Clone, Copy)]
struct PreviousFull {
    seq: u64,
    flags: u32,
    end_ns: u64,
    collection: Option<u64>,
}

/// For samples without a recorded collection id (older exports): back-to-back passes of one
/// forced collection start within this time of the previous pass's end (V8 runs them in one
/// loop, no JavaScript in between). Recorders that mark collections (`Sample::collection`) are
/// never judged by timing: two `memwatch.gc()` calls 1 ms apart are two collections.
const SAME_COLLECTION_GAP_NS: u64 = 10_000_000;

pub struct Analyzer {
    epoch_ms_at_origin: f64,
    stats: StatsEngine,
    classic: Option<ClassicDetector>,
    trend: Option<TrendDetector>,
    /// The previous application GC when it was a full one.
    last_full: Option<PreviousFull>,
}

impl Analyzer {
    /// `epoch_ms_at_origin`: wall-clock ms since the Unix epoch at monotonic time 0 (turns GC
    /// times into the `Date`s of leak events). Hosts pass a config from
    /// [`AnalyzerConfig::overlay`] (validated); the detectors only guard against values that
    /// would break them (a window below 2, a growth count of 0) in configs built in code.
    pub fn new(config: AnalyzerConfig, epoch_ms_at_origin: f64) -> Self {
        Analyzer {
            epoch_ms_at_origin,
            stats: StatsEngine::new(),
            classic: config.classic.map(ClassicDetector::new),
            trend: config.trend.map(TrendDetector::new),
            last_full: None,
        }
    }

    /// Feeds one sample; appends its events (a `stats` event after each full GC, then any leak
    /// events) to `out`. Snapshot-induced GCs produce nothing.
    pub fn push(&mut self, sample: &Sample, out: &mut Vec<Event>) {
        if sample.snapshot {
            return;
        }
        let previous_full = self.last_full.take();
        let Some(stats) = self.stats.push(sample) else { return };
        self.last_full = Some(PreviousFull {
            seq: sample.seq,
            flags: sample.flags,
            end_ns: sample.end_ns,
            collection: sample.collection,
        });
        let all_garbage = |f: u32| f & flags::COLLECT_ALL_AVAILABLE_GARBAGE != 0;
        let continues_previous = previous_full.is_some_and(|p| match (p.collection, sample.collection) {
            (None, None) => {
                p.seq + 1 == sample.seq
                    && all_garbage(p.flags)
                    && all_garbage(sample.flags)
                    && sample.start_ns.saturating_sub(p.end_ns) <= SAME_COLLECTION_GAP_NS
            }
            (a, b) => a == b,
        });
        let b = Baseline { seq: sample.seq, time_ns: sample.end_ns, used: stats.current_base, continues_previous };
        out.push(Event::Stats(stats));
        if let Some(c) = &mut self.classic {
            if let Some(ev) = c.push(b, self.epoch_ms_at_origin) {
                out.push(Event::Leak(ev));
            }
        }
        if let Some(t) = &mut self.trend {
            if let Some(ev) = t.push(b, self.epoch_ms_at_origin) {
                out.push(Event::Leak(ev));
            }
        }
    }

    pub fn stats(&self) -> &Stats {
        self.stats.current()
    }
}

/// The result of analysing a whole sample stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Analysis {
    /// GC samples read (including snapshot-induced ones).
    pub gc_samples: u64,
    /// The counters after the last sample (null when there were no samples).
    pub stats: Option<Stats>,
    /// Every `stats` event, in order.
    pub stats_events: Vec<Stats>,
    pub leaks: Vec<LeakEvent>,
}

pub fn analyze_samples<'a>(
    samples: impl IntoIterator<Item = &'a Sample>,
    config: &AnalyzerConfig,
    epoch_ms_at_origin: f64,
) -> Analysis {
    let mut analyzer = Analyzer::new(config.clone(), epoch_ms_at_origin);
    let mut result = Analysis::default();
    let mut events = Vec::new();
    for s in samples {
        result.gc_samples += 1;
        analyzer.push(s, &mut events);
        for ev in events.drain(..) {
            match ev {
                Event::Stats(st) => result.stats_events.push(st),
                Event::Leak(l) => result.leaks.push(l),
            }
        }
    }
    if result.gc_samples > 0 {
        result.stats = Some(analyzer.stats().clone());
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leak::ClassicConfig;
    use crate::sample::{GcType, HeapStats};

    /// Pairs of GCs: seq 2k at 100k ms, seq 2k+1 right after it.
    fn full(seq: u64, used: u64, flags: u32) -> Sample {
        let start_ns = (seq / 2) * 100_000_000 + (seq % 2) * 2_000_000;
        Sample {
            seq,
            gc_type: GcType::MarkSweepCompact,
            flags,
            start_ns,
            end_ns: start_ns + 1_000_000,
            heap: HeapStats { used_heap_size: used, ..Default::default() },
            spaces: None,
            snapshot: false,
            collection: None,
        }
    }

    /// `memwatch.gc()` on a growing heap: each call is two back-to-back full GCs flagged
    /// COLLECT_ALL_AVAILABLE_GARBAGE with equal used size. The classic rule must still fire.
    #[test]
    fn forced_double_collections_count_once_for_the_classic_rule() {
        let config = AnalyzerConfig { classic: Some(ClassicConfig::default()), trend: None };
        let flags = flags::FORCED | flags::COLLECT_ALL_AVAILABLE_GARBAGE;
        let samples: Vec<Sample> = (0..8u64)
            .flat_map(|i| {
                let used = 10_000_000 + i * 1_000_000;
                [full(i * 2, used, flags), full(i * 2 + 1, used, flags)]
            })
            .collect();
        let a = analyze_samples(&samples, &config, 0.0);
        assert_eq!(a.stats_events.len(), 16, "every full GC still gives a stats event");
        assert_eq!(a.leaks.len(), 1);
        assert_eq!(a.leaks[0].growth, 4_000_000);

        // Unflagged back-to-back full GCs keep node-memwatch's rule: equal size resets.
        let plain: Vec<Sample> = samples.iter().map(|s| Sample { flags: 0, ..s.clone() }).collect();
        assert!(analyze_samples(&plain, &config, 0.0).leaks.is_empty());
    }

    /// A busy loop calling `memwatch.gc()` every millisecond on a growing cache: each call's two
    /// passes carry the call's collection id, so calls 1 ms apart are separate collections (by
    /// timing alone they merged into one and the leak went unseen).
    #[test]
    fn collection_ids_decide_over_timing() {
        let config = AnalyzerConfig { classic: Some(ClassicConfig::default()), trend: None };
        let flags = flags::FORCED | flags::COLLECT_ALL_AVAILABLE_GARBAGE;
        let pass = |seq: u64, used: u64, collection: Option<u64>| {
            // 1 ms per pass, no gap: every pass starts right where the previous one ended.
            let start_ns = seq * 1_000_000;
            Sample { start_ns, end_ns: start_ns + 900_000, collection, ..full(seq, used, flags) }
        };
        let calls = |ids: bool| -> Vec<Sample> {
            (0..8u64)
                .flat_map(|i| {
                    let used = 10_000_000 + i * 1_000_000;
                    let id = ids.then_some(i + 1);
                    [pass(i * 2, used, id), pass(i * 2 + 1, used, id)]
                })
                .collect()
        };
        let with_ids = analyze_samples(&calls(true), &config, 0.0);
        assert_eq!(with_ids.leaks.len(), 1, "8 growing collections, classic rule of 5");
        assert_eq!(with_ids.leaks[0].growth, 4_000_000);
        // Without ids (an older export), passes this close are read as one collection.
        assert!(analyze_samples(&calls(false), &config, 0.0).leaks.is_empty());
    }
}
