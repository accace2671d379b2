//! node-memwatch's `stats` event, computed in 64-bit.
//!
//! The rules (see `docs/semantics.md`): every application GC counts as full (mark-sweep-compact)
//! or incremental (everything else); after each full GC the base estimates are updated:
//! `estimated_base` is an EMA of period 10 seeded with the raw value for the first 9
//! compactions, the "ancient" base a running mean over at most 120 compactions, and
//! `usage_trend` their relative difference in percent with one decimal. node-memwatch did this in
//! u32 and wrapped above ~477 MB; here the bases are u64 and the trend is a signed f64.

use serde::{Deserialize, Serialize};

use crate::sample::{GcType, HeapStats, Sample};

/// Period of the `estimated_base` moving average.
const RECENT_PERIOD: u64 = 10;
/// Maximum divisor of the long-running ("ancient") mean.
const ANCIENT_PERIOD: u64 = 120;

/// Per-GC-type counters (counts or nanoseconds), one field per [`GcType`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PerGcType {
    pub scavenge: u64,
    pub minor_mark_sweep: u64,
    pub mark_sweep_compact: u64,
    pub incremental_marking: u64,
    pub weak_callbacks: u64,
}

impl PerGcType {
    /// `None` for a GC type this version does not know (it has no counter).
    fn slot(&mut self, t: &GcType) -> Option<&mut u64> {
        Some(match t {
            GcType::Scavenge => &mut self.scavenge,
            GcType::MinorMarkSweep => &mut self.minor_mark_sweep,
            GcType::MarkSweepCompact => &mut self.mark_sweep_compact,
            GcType::IncrementalMarking => &mut self.incremental_marking,
            GcType::WeakCallbacks => &mut self.weak_callbacks,
            GcType::Other(_) => return None,
        })
    }

    /// 0 for a GC type this version does not know.
    pub fn get(&self, t: &GcType) -> u64 {
        match t {
            GcType::Scavenge => self.scavenge,
            GcType::MinorMarkSweep => self.minor_mark_sweep,
            GcType::MarkSweepCompact => self.mark_sweep_compact,
            GcType::IncrementalMarking => self.incremental_marking,
            GcType::WeakCallbacks => self.weak_callbacks,
            GcType::Other(_) => 0,
        }
    }
}

/// The payload of a `stats` event: node-memwatch's fields first, then the extras users asked for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Stats {
    pub num_full_gc: u64,
    pub num_inc_gc: u64,
    pub heap_compactions: u64,
    pub usage_trend: f64,
    pub estimated_base: u64,
    pub current_base: u64,
    pub min: u64,
    pub max: u64,
    /// Sequence number of the GC sample that produced this event.
    pub gc_seq: u64,
    /// Monotonic end time of that GC, ns since the recording's origin.
    pub time_ns: u64,
    pub gc_counts: PerGcType,
    pub gc_pause_ns: PerGcType,
    pub last_gc_pause_ns: u64,
    /// Always complete here (`HeapStats` fields default to 0 only when read from input).
    #[cfg_attr(feature = "ts", tsify(type = "Required<HeapStats>"))]
    pub heap: HeapStats,
}

/// The `stats` fields of @airbnb/node-memwatch (its `src/memwatch.cc`), derived from [`Stats`]
/// so code written for that fork reads numbers instead of `undefined`. JS hosts put them next to
/// node-memwatch's fields in the live `stats` event ([`StatsEvent`]); recordings and `--json`
/// keep [`Stats`] only. Times are nanoseconds, as there.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AirbnbStats {
    /// Wall-clock time of the GC's end, microseconds since the Unix epoch.
    pub gc_ts: u64,
    #[serde(rename = "gcScavengeCount")]
    pub gc_scavenge_count: u64,
    #[serde(rename = "gcScavengeTime")]
    pub gc_scavenge_time: u64,
    #[serde(rename = "gcMarkSweepCompactCount")]
    pub gc_mark_sweep_compact_count: u64,
    #[serde(rename = "gcMarkSweepCompactTime")]
    pub gc_mark_sweep_compact_time: u64,
    #[serde(rename = "gcIncrementalMarkingCount")]
    pub gc_incremental_marking_count: u64,
    #[serde(rename = "gcIncrementalMarkingTime")]
    pub gc_incremental_marking_time: u64,
    #[serde(rename = "gcProcessWeakCallbacksCount")]
    pub gc_process_weak_callbacks_count: u64,
    #[serde(rename = "gcProcessWeakCallbacksTime")]
    pub gc_process_weak_callbacks_time: u64,
    pub total_heap_size: u64,
    pub total_heap_size_executable: u64,
    pub total_physical_size: u64,
    pub total_available_size: u64,
    pub used_heap_size: u64,
    pub heap_size_limit: u64,
    pub malloced_memory: u64,
    pub peak_malloced_memory: u64,
    /// Pause of the GC that produced the event (`last_gc_pause_ns`).
    pub gc_time: u64,
}

impl Stats {
    /// The @airbnb/node-memwatch names for these numbers; `epoch_ms_at_origin` turns `time_ns`
    /// into the wall-clock `gc_ts`.
    pub fn airbnb(&self, epoch_ms_at_origin: f64) -> AirbnbStats {
        let h = &self.heap;
        let gc_ts = epoch_ms_at_origin * 1000.0 + self.time_ns as f64 / 1000.0;
        AirbnbStats {
            // A negative or non-finite origin (hand-made input) saturates instead of wrapping.
            gc_ts: gc_ts.round() as u64,
            gc_scavenge_count: self.gc_counts.scavenge,
            gc_scavenge_time: self.gc_pause_ns.scavenge,
            gc_mark_sweep_compact_count: self.gc_counts.mark_sweep_compact,
            gc_mark_sweep_compact_time: self.gc_pause_ns.mark_sweep_compact,
            gc_incremental_marking_count: self.gc_counts.incremental_marking,
            gc_incremental_marking_time: self.gc_pause_ns.incremental_marking,
            gc_process_weak_callbacks_count: self.gc_counts.weak_callbacks,
            gc_process_weak_callbacks_time: self.gc_pause_ns.weak_callbacks,
            total_heap_size: h.total_heap_size,
            total_heap_size_executable: h.total_heap_size_executable,
            total_physical_size: h.total_physical_size,
            total_available_size: h.total_available_size,
            used_heap_size: h.used_heap_size,
            heap_size_limit: h.heap_size_limit,
            malloced_memory: h.malloced_memory,
            peak_malloced_memory: h.peak_malloced_memory,
            gc_time: self.last_gc_pause_ns,
        }
    }

    /// The live `stats` event of the JS hosts: these fields plus [`AirbnbStats`].
    pub fn with_airbnb(&self, epoch_ms_at_origin: f64) -> StatsEvent<'_> {
        StatsEvent { stats: self, airbnb: self.airbnb(epoch_ms_at_origin) }
    }
}

/// [`Stats`] with the [`AirbnbStats`] aliases in one flat object (no field names collide).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatsEvent<'a> {
    #[serde(flatten)]
    pub stats: &'a Stats,
    #[serde(flatten)]
    pub airbnb: AirbnbStats,
}

/// Accumulates samples into [`Stats`]. Pure: the same samples always give the same events.
#[derive(Clone, Debug, Default)]
pub struct StatsEngine {
    stats: Stats,
    /// Running mean over at most [`ANCIENT_PERIOD`] compactions (node-memwatch's `base_ancient`).
    ancient_base: u64,
}

impl StatsEngine {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one GC sample. Returns the `stats` event when the sample is a full GC.
    /// Snapshot-induced GCs are ignored entirely (they are not application GCs).
    pub fn push(&mut self, sample: &Sample) -> Option<Stats> {
        if sample.snapshot {
            return None;
        }
        let s = &mut self.stats;
        let pause = sample.pause_ns();
        if let Some(count) = s.gc_counts.slot(&sample.gc_type) {
            *count += 1;
        }
        if let Some(total) = s.gc_pause_ns.slot(&sample.gc_type) {
            *total += pause;
        }
        s.last_gc_pause_ns = pause;
        s.gc_seq = sample.seq;
        s.time_ns = sample.end_ns;
        s.heap = sample.heap;
        if !sample.gc_type.is_full() {
            s.num_inc_gc += 1;
            return None;
        }
        s.num_full_gc += 1;
        s.heap_compactions += 1;
        let n = s.heap_compactions;
        let current = sample.heap.used_heap_size;
        s.current_base = current;

        if n < RECENT_PERIOD {
            s.estimated_base = current;
            self.ancient_base = current;
        } else {
            // u128 intermediates: the products cannot overflow even for multi-terabyte heaps.
            s.estimated_base = ((s.estimated_base as u128 * (RECENT_PERIOD as u128 - 1) + current as u128)
                / RECENT_PERIOD as u128) as u64;
            let div = n.min(ANCIENT_PERIOD) as u128;
            self.ancient_base = ((self.ancient_base as u128 * (div - 1) + current as u128) / div) as u64;
        }

        if n >= 3 {
            if n == 3 || current < s.min {
                s.min = current;
            }
            if n == 3 || current > s.max {
                s.max = current;
            }
        }

        s.usage_trend = usage_trend(s.estimated_base, self.ancient_base);
        Some(s.clone())
    }

    /// The latest counters, whether or not the last sample was a full GC.
    pub fn current(&self) -> &Stats {
        &self.stats
    }
}

/// Percent difference of the recent and ancient bases, one decimal, 0 when ancient is 0.
fn usage_trend(recent: u64, ancient: u64) -> f64 {
    if ancient == 0 {
        return 0.0;
    }
    let t = ((recent as f64 - ancient as f64) / ancient as f64 * 1000.0).round() / 10.0;
    if t == 0.0 {
        0.0 // normalise -0.0 so JSON prints 0
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::HeapStats;

    fn full(seq: u64, used: u64) -> Sample {
        Sample {
            seq,
            gc_type: GcType::MarkSweepCompact,
            flags: 0,
            start_ns: seq * 1_000_000,
            end_ns: seq * 1_000_000 + 500,
            heap: HeapStats { used_heap_size: used, ..Default::default() },
            spaces: None,
            snapshot: false,
            collection: None,
        }
    }

    /// The golden vector of the semantics document: 5.0M, 5.1M, ..., 6.1M, then 5.0M, 4.0M.
    fn golden() -> Vec<Stats> {
        let mut used: Vec<u64> = (0..12).map(|i| 5_000_000 + i * 100_000).collect();
        used.push(5_000_000);
        used.push(4_000_000);
        let mut engine = StatsEngine::new();
        used.iter()
            .enumerate()
            .map(|(i, &u)| engine.push(&full(i as u64 + 1, u)).expect("full GC gives stats"))
            .collect()
    }

    #[test]
    fn airbnb_aliases_name_the_same_numbers() {
        let mut engine = StatsEngine::new();
        let mut scavenge = full(1, 4_000_000);
        scavenge.gc_type = GcType::Scavenge;
        scavenge.end_ns = scavenge.start_ns + 700;
        engine.push(&scavenge);
        let mut s2 = full(2, 5_000_000);
        s2.heap.total_heap_size = 9_000_000;
        s2.heap.heap_size_limit = 1 << 31;
        s2.heap.peak_malloced_memory = 1234;
        let stats = engine.push(&s2).expect("full GC");
        let a = stats.airbnb(1_000.5);
        assert_eq!((a.gc_scavenge_count, a.gc_scavenge_time), (1, 700));
        assert_eq!((a.gc_mark_sweep_compact_count, a.gc_mark_sweep_compact_time), (1, 500));
        assert_eq!((a.gc_incremental_marking_count, a.gc_process_weak_callbacks_count), (0, 0));
        assert_eq!((a.used_heap_size, a.total_heap_size, a.heap_size_limit), (5_000_000, 9_000_000, 1 << 31));
        assert_eq!((a.peak_malloced_memory, a.gc_time), (1234, 500));
        // 1000.5 ms + 2_000_500 ns = 1_000_500 us + 2000.5 us.
        assert_eq!(a.gc_ts, 1_002_501);
        let json = serde_json::to_value(stats.with_airbnb(1_000.5)).expect("serialize");
        assert_eq!(json["num_full_gc"], 1);
        assert_eq!(json["gcMarkSweepCompactCount"], 1);
        assert_eq!(json["used_heap_size"], 5_000_000);
        assert_eq!(json["heap"]["used_heap_size"], 5_000_000);
    }

    #[test]
    fn golden_vector_compactions_10_to_12() {
        let g = golden();
        assert_eq!((g[9].estimated_base, g[9].usage_trend), (5_810_000, 0.0));
        assert_eq!((g[10].estimated_base, g[10].usage_trend), (5_829_000, 0.0));
        assert_eq!((g[11].estimated_base, g[11].usage_trend), (5_856_100, 0.1));
    }

    #[test]
    fn ancient_base_matches_golden_vector() {
        let mut used: Vec<u64> = (0..12).map(|i| 5_000_000 + i * 100_000).collect();
        used.push(5_000_000);
        let mut engine = StatsEngine::new();
        let mut ancients = vec![];
        for (i, u) in used.iter().enumerate() {
            engine.push(&full(i as u64 + 1, *u));
            ancients.push(engine.ancient_base);
        }
        assert_eq!(&ancients[9..12], &[5_810_000, 5_827_272, 5_849_999]);
    }

    #[test]
    fn trend_is_signed_where_node_memwatch_wrapped() {
        let g = golden();
        assert_eq!(g[12].heap_compactions, 13);
        assert_eq!(g[12].usage_trend, -0.2);
        assert!(g[13].usage_trend < g[12].usage_trend);
    }

    #[test]
    fn first_nine_compactions_track_current_base() {
        let g = golden();
        for s in &g[..9] {
            assert_eq!(s.estimated_base, s.current_base);
            assert_eq!(s.usage_trend, 0.0);
        }
    }

    #[test]
    fn min_max_start_at_third_compaction() {
        let g = golden();
        assert_eq!((g[0].min, g[0].max), (0, 0));
        assert_eq!((g[1].min, g[1].max), (0, 0));
        assert_eq!((g[2].min, g[2].max), (5_200_000, 5_200_000));
        assert_eq!((g[11].min, g[11].max), (5_200_000, 6_100_000));
        assert_eq!((g[13].min, g[13].max), (4_000_000, 6_100_000));
    }

    #[test]
    fn counts_incremental_and_skips_snapshot_gcs() {
        let mut e = StatsEngine::new();
        let mut s = full(1, 100);
        s.gc_type = GcType::Scavenge;
        assert!(e.push(&s).is_none());
        let mut snap = full(2, 100);
        snap.snapshot = true;
        assert!(e.push(&snap).is_none());
        let st = e.push(&full(3, 100)).expect("stats");
        assert_eq!((st.num_full_gc, st.num_inc_gc, st.heap_compactions), (1, 1, 1));
        assert_eq!(st.gc_counts.scavenge, 1);
        assert_eq!(st.gc_pause_ns.mark_sweep_compact, 500);
    }

    #[test]
    fn no_overflow_on_huge_heaps() {
        let mut e = StatsEngine::new();
        let mut last = None;
        for i in 1..=200 {
            last = e.push(&full(i, 8_000_000_000_000 + i * 1_000_000));
        }
        let s = last.expect("stats");
        assert!(s.estimated_base > 8_000_000_000_000);
        assert!(s.usage_trend >= 0.0 && s.usage_trend < 1.0);
    }
}
