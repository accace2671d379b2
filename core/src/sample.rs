//! One record per V8 garbage collection: what the native sampler captures and the export stores.

use serde::{Deserialize, Serialize};

/// The kind of collection V8 reported to the GC callbacks (V8's `GCType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GcType {
    Scavenge,
    MinorMarkSweep,
    MarkSweepCompact,
    IncrementalMarking,
    WeakCallbacks,
}

impl GcType {
    pub const ALL: [GcType; 5] = [
        GcType::Scavenge,
        GcType::MinorMarkSweep,
        GcType::MarkSweepCompact,
        GcType::IncrementalMarking,
        GcType::WeakCallbacks,
    ];

    /// Maps V8's `GCType` bit value (1, 2, 4, 8, 16). A combined value picks the most significant
    /// collection (a full GC wins), since each callback reports one collection.
    pub fn from_v8_bits(bits: u32) -> Option<GcType> {
        if bits & 4 != 0 {
            Some(GcType::MarkSweepCompact)
        } else if bits & 2 != 0 {
            Some(GcType::MinorMarkSweep)
        } else if bits & 1 != 0 {
            Some(GcType::Scavenge)
        } else if bits & 8 != 0 {
            Some(GcType::IncrementalMarking)
        } else if bits & 16 != 0 {
            Some(GcType::WeakCallbacks)
        } else {
            None
        }
    }

    pub fn is_full(self) -> bool {
        self == GcType::MarkSweepCompact
    }

    pub fn name(self) -> &'static str {
        match self {
            GcType::Scavenge => "scavenge",
            GcType::MinorMarkSweep => "minor_mark_sweep",
            GcType::MarkSweepCompact => "mark_sweep_compact",
            GcType::IncrementalMarking => "incremental_marking",
            GcType::WeakCallbacks => "weak_callbacks",
        }
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
