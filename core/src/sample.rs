//! One record per V8 garbage collection: what the native sampler captures and the export stores.

use serde::{Deserialize, Serialize};

/// The kind of collection V8 reported to the GC callbacks (V8's `GCType`).
///
/// Serialized as its snake_case name. A name this version does not know (a newer minor version
/// of the export format, or a V8 that added a collection type) is kept as [`GcType::Other`] and
/// written back unchanged: the sample still counts as an application GC (an incremental one, like
/// every collection that is not mark-sweep-compact), only not in a per-type counter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum GcType {
    Scavenge,
    MinorMarkSweep,
    MarkSweepCompact,
    IncrementalMarking,
    WeakCallbacks,
    /// A GC type this version does not know, by the name it was recorded with.
    #[serde(untagged)]
    Other(String),
}

impl GcType {
    /// The types this version knows, in the order of [`PerGcType`](crate::stats::PerGcType)'s
    /// counters (metrics and viewers list them in this order).
    pub const ALL: [GcType; 5] = [
        GcType::Scavenge,
        GcType::MinorMarkSweep,
        GcType::MarkSweepCompact,
        GcType::IncrementalMarking,
        GcType::WeakCallbacks,
    ];

    /// The name as serialised (`"mark_sweep_compact"`, or an unknown type's recorded name).
    pub fn name(&self) -> &str {
        match self {
            GcType::Scavenge => "scavenge",
            GcType::MinorMarkSweep => "minor_mark_sweep",
            GcType::MarkSweepCompact => "mark_sweep_compact",
            GcType::IncrementalMarking => "incremental_marking",
            GcType::WeakCallbacks => "weak_callbacks",
            GcType::Other(name) => name,
        }
    }

    /// Maps V8's `GCType` bit value (1, 2, 4, 8, 16). A combined value picks the most significant
    /// collection (a full GC wins), since each callback reports one collection. A value with none
    /// of these bits (a newer V8) is kept as `Other("v8_gc_type_<bits>")` rather than dropped or
    /// guessed, so it shows in the export and counts as an application GC.
    pub fn from_v8_bits(bits: u32) -> GcType {
        if Self::bits_are_full(bits) {
            GcType::MarkSweepCompact
        } else if bits & 2 != 0 {
            GcType::MinorMarkSweep
        } else if bits & 1 != 0 {
            GcType::Scavenge
        } else if bits & 8 != 0 {
            GcType::IncrementalMarking
        } else if bits & 16 != 0 {
            GcType::WeakCallbacks
        } else {
            GcType::Other(format!("v8_gc_type_{bits}"))
        }
    }

    /// Whether V8's `GCType` bits map to a full GC ([`from_v8_bits`](Self::from_v8_bits) gives
    /// `MarkSweepCompact`), without building the value: for GC callbacks, which must not allocate.
    pub fn bits_are_full(bits: u32) -> bool {
        bits & 4 != 0
    }

    /// Maps the names Node's `v8.GCProfiler` gives collections (`"MarkSweepCompact"`, ...);
    /// `None` for a name that is not one of them.
    pub fn from_v8_name(name: &str) -> Option<GcType> {
        Some(match name {
            "Scavenge" => GcType::Scavenge,
            "MinorMarkSweep" | "MinorMarkCompact" => GcType::MinorMarkSweep,
            "MarkSweepCompact" => GcType::MarkSweepCompact,
            "IncrementalMarking" => GcType::IncrementalMarking,
            "ProcessWeakCallbacks" | "WeakCallbacks" => GcType::WeakCallbacks,
            _ => return None,
        })
    }

    pub fn is_full(&self) -> bool {
        *self == GcType::MarkSweepCompact
    }

    /// False for [`GcType::Other`].
    pub fn is_known(&self) -> bool {
        !matches!(self, GcType::Other(_))
    }
}

/// V8's `GCCallbackFlags` bits that users care about.
pub mod flags {
    pub const CONSTRUCT_RETAINED_OBJECT_INFOS: u32 = 2;
    pub const FORCED: u32 = 4;
    pub const SYNCHRONOUS_PHANTOM_CALLBACK_PROCESSING: u32 = 8;
    pub const COLLECT_ALL_AVAILABLE_GARBAGE: u32 = 16;
    pub const COLLECT_ALL_EXTERNAL_MEMORY: u32 = 32;
    pub const SCHEDULE_IDLE_GARBAGE_COLLECTION: u32 = 64;
}

/// V8's `HeapStatistics`, copied out field by field (64-bit everywhere). `Copy` so the GC
/// callback can store it in a preallocated buffer without allocating.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(default)]
pub struct HeapStats {
    pub used_heap_size: u64,
    pub total_heap_size: u64,
    pub total_heap_size_executable: u64,
    pub total_physical_size: u64,
    pub total_available_size: u64,
    pub heap_size_limit: u64,
    pub malloced_memory: u64,
    pub peak_malloced_memory: u64,
    pub external_memory: u64,
    pub number_of_native_contexts: u64,
    pub number_of_detached_contexts: u64,
}

/// One heap space's usage (V8's `HeapSpaceStatistics`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(default)]
pub struct SpaceStats {
    pub name: String,
    pub size: u64,
    pub used: u64,
    pub available: u64,
    pub physical: u64,
}

/// One garbage collection, as seen by the GC prologue/epilogue callbacks.
///
/// Times are monotonic nanoseconds since the recording's origin (see the export header's
/// `epoch_ms_at_origin` for wall-clock dates).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "GcSample"))]
pub struct Sample {
    pub seq: u64,
    pub gc_type: GcType,
    #[serde(default)]
    pub flags: u32,
    pub start_ns: u64,
    pub end_ns: u64,
    pub heap: HeapStats,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spaces: Option<Vec<SpaceStats>>,
    /// True for collections V8 ran to take a heap snapshot: recorded, but not application GCs,
    /// so the stats engine and leak detectors skip them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub snapshot: bool,
    /// Which forced collection (one `memwatch.gc()` call) this pass belongs to, when the
    /// recorder knows: V8 runs several full passes per call, and passes of the same call count
    /// as one collection for the leak rules. Absent in older exports (then timing decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<u64>,
}

impl Sample {
    pub fn pause_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }

    pub fn forced(&self) -> bool {
        self.flags & flags::FORCED != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v8_bits_map_to_the_most_significant_collection() {
        assert_eq!(GcType::from_v8_bits(1), GcType::Scavenge);
        assert_eq!(GcType::from_v8_bits(2), GcType::MinorMarkSweep);
        assert_eq!(GcType::from_v8_bits(4), GcType::MarkSweepCompact);
        assert_eq!(GcType::from_v8_bits(8), GcType::IncrementalMarking);
        assert_eq!(GcType::from_v8_bits(16), GcType::WeakCallbacks);
        assert_eq!(GcType::from_v8_bits(31), GcType::MarkSweepCompact, "kGCTypeAll: the full GC wins");
        assert_eq!(GcType::from_v8_bits(1 | 8), GcType::Scavenge);
        // No known bit: kept and marked, never guessed (the Node adapter used to say "scavenge",
        // the native sampler dropped the sample).
        assert_eq!(GcType::from_v8_bits(0), GcType::Other("v8_gc_type_0".into()));
        assert_eq!(GcType::from_v8_bits(32), GcType::Other("v8_gc_type_32".into()));
        assert!(!GcType::from_v8_bits(32).is_known());
    }

    #[test]
    fn v8_profiler_names_map_to_the_same_types() {
        assert_eq!(GcType::from_v8_name("MarkSweepCompact"), Some(GcType::MarkSweepCompact));
        assert_eq!(GcType::from_v8_name("MinorMarkCompact"), Some(GcType::MinorMarkSweep));
        assert_eq!(GcType::from_v8_name("ProcessWeakCallbacks"), Some(GcType::WeakCallbacks));
        assert_eq!(GcType::from_v8_name("Nonsense"), None);
    }

    #[test]
    fn unknown_names_round_trip_and_known_ones_stay_known() {
        let t: GcType = serde_json::from_str(r#""mark_sweep_compact""#).expect("known");
        assert_eq!(t, GcType::MarkSweepCompact);
        let t: GcType = serde_json::from_str(r#""concurrent_sweep""#).expect("kept");
        assert_eq!(t, GcType::Other("concurrent_sweep".into()));
        assert_eq!(serde_json::to_string(&t).expect("serializes"), r#""concurrent_sweep""#);
        assert!(serde_json::from_str::<GcType>("7").is_err(), "a GC type is a name");
    }
}
