//! The one path from GC samples to events, used live (`memwatch run`, the Node adapter) and
//! offline (`memwatch analyze`, the viewer): identical input gives identical events.

use serde::{Deserialize, Serialize};

use crate::leak::{Baseline, ClassicConfig, ClassicDetector, LeakEvent, TrendConfig, TrendDetector};
use crate::sample::Sample;
use crate::stats::{Stats, StatsEngine};

/// Detector parameters. `None` turns a detector off. Both default to on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Stats(Stats),
    Leak(LeakEvent),
}

pub struct Analyzer {
    epoch_ms_at_origin: f64,
    stats: StatsEngine,
    classic: Option<ClassicDetector>,
    trend: Option<TrendDetector>,
}

impl Analyzer {
    /// `epoch_ms_at_origin`: wall-clock ms since the Unix epoch at monotonic time 0 (turns GC
    /// times into the `Date`s of leak events).
    pub fn new(config: AnalyzerConfig, epoch_ms_at_origin: f64) -> Self {
        Analyzer {
            epoch_ms_at_origin,
            stats: StatsEngine::new(),
            classic: config.classic.map(ClassicDetector::new),
            trend: config.trend.map(TrendDetector::new),
        }
    }

    /// Feeds one sample; appends its events (a `stats` event after each full GC, then any leak
    /// events) to `out`. Snapshot-induced GCs produce nothing.
    pub fn push(&mut self, sample: &Sample, out: &mut Vec<Event>) {
        let Some(stats) = self.stats.push(sample) else { return };
        let b = Baseline { seq: sample.seq, time_ns: sample.end_ns, used: stats.current_base };
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
