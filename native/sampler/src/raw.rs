//! The fixed-size record the GC callbacks write. Plain `Copy` data so that recording a GC never
//! allocates: names of heap spaces are read once at attach time and joined back when the raw
//! record is turned into a [`memwatch_core::sample::Sample`] outside the callback.

use memwatch_core::sample::{GcType, HeapStats, Sample, SpaceStats};

/// V8 15 has 9 heap spaces; room for a few more keeps a future V8 from losing data silently.
pub(crate) const MAX_SPACES: usize = 16;

#[derive(Clone, Copy, Default)]
pub(crate) struct RawSpace {
    pub size: u64,
    pub used: u64,
    pub available: u64,
    pub physical: u64,
}

/// Copies V8's heap statistics out (no allocation: safe inside the GC epilogue).
pub(crate) fn read_heap(iso: &mut v8::Isolate) -> HeapStats {
    let h = iso.get_heap_statistics();
    HeapStats {
        used_heap_size: h.used_heap_size() as u64,
        total_heap_size: h.total_heap_size() as u64,
        total_heap_size_executable: h.total_heap_size_executable() as u64,
        total_physical_size: h.total_physical_size() as u64,
        total_available_size: h.total_available_size() as u64,
        heap_size_limit: h.heap_size_limit() as u64,
        malloced_memory: h.malloced_memory() as u64,
        peak_malloced_memory: h.peak_malloced_memory() as u64,
        external_memory: h.external_memory() as u64,
        number_of_native_contexts: h.number_of_native_contexts() as u64,
        number_of_detached_contexts: h.number_of_detached_contexts() as u64,
    }
}

/// One GC as the epilogue saw it.
#[derive(Clone, Copy, Default)]
pub(crate) struct RawSample {
    pub seq: u64,
    pub gc_type_bits: u32,
    pub flags: u32,
    pub start_ns: u64,
    pub end_ns: u64,
    pub snapshot: bool,
    /// Id of the `memwatch.gc()` call running this GC (0: none).
    pub collection: u64,
    pub heap: HeapStats,
    /// Number of valid entries in `spaces` (0 when per-space sampling is off).
    pub n_spaces: u8,
    pub spaces: [RawSpace; MAX_SPACES],
}

impl RawSample {
    /// Reads per-space usage for at most `n` spaces (bounded, no allocation).
    pub fn read_spaces(&mut self, iso: &mut v8::Isolate, n: usize) {
        let n = n.min(MAX_SPACES);
        let mut k = 0;
        for i in 0..n {
            if let Some(s) = iso.get_heap_space_statistics(i) {
                self.spaces[k] = RawSpace {
                    size: s.space_size() as u64,
                    used: s.space_used_size() as u64,
                    available: s.space_available_size() as u64,
                    physical: s.physical_space_size() as u64,
                };
                k += 1;
            }
        }
        self.n_spaces = k as u8;
    }

    /// The core sample (core maps the GC type bits; an unknown pattern is kept and marked).
    pub fn to_sample(self, space_names: &[String]) -> Sample {
        let gc_type = GcType::from_v8_bits(self.gc_type_bits);
        let spaces = (self.n_spaces > 0).then(|| {
            self.spaces[..self.n_spaces as usize]
                .iter()
                .enumerate()
                .map(|(i, s)| SpaceStats {
                    name: space_names.get(i).cloned().unwrap_or_else(|| format!("space_{i}")),
                    size: s.size,
                    used: s.used,
                    available: s.available,
                    physical: s.physical,
                })
                .collect()
        });
        Sample {
            seq: self.seq,
            gc_type,
            flags: self.flags,
            start_ns: self.start_ns,
            end_ns: self.end_ns,
            heap: self.heap,
            spaces,
            snapshot: self.snapshot,
            collection: (self.collection != 0).then_some(self.collection),
        }
    }
}

/// Names of the heap spaces, in V8's index order.
pub(crate) fn space_names(iso: &mut v8::Isolate) -> Vec<String> {
    let n = iso.number_of_heap_spaces().min(MAX_SPACES);
    (0..n)
        .filter_map(|i| iso.get_heap_space_statistics(i))
        .map(|s| s.space_name().to_string_lossy().into_owned())
        .collect()
}
