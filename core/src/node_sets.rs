//! Sets over a snapshot's nodes: [`Bits`] by node index (within one snapshot) and [`IdSet`] by V8
//! node id (across snapshots of one isolate, whose ids are stable). The one id set used by the
//! HeapDiff, the growth report and the leak report.

use crate::snapshot::HeapSnapshot;

/// A fixed-size bitset over node indices.
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }

    /// Panics beyond the size given to [`Bits::new`] (indices come from the same snapshot).
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }

    #[inline]
    pub fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// False beyond the size (for ids, which have no upper bound).
    #[inline]
    fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

/// Membership of V8 node ids. V8's heap-object ids are dense odd numbers, so a bitmap over them
/// costs well under a word per node; the few ids far above that range (V8 gives native/embedder
/// nodes large even ids) go to a sorted list.
pub struct IdSet {
    bits: Bits,
    /// Ids beyond `bits`, sorted.
    outliers: Vec<u32>,
    count: u64,
}

impl IdSet {
    /// Every node id of `snap`.
    pub fn new(snap: &HeapSnapshot) -> IdSet {
        IdSet::from_ids(snap.node_id.iter().copied(), snap.node_count())
    }

    /// The ids `ids` yields (`count` of them; iterated twice).
    pub fn from_ids(ids: impl Iterator<Item = u32> + Clone, count: usize) -> IdSet {
        // Cover the dense ids, with at most one bitmap word (8 bytes) per id (or 8 KiB for small
        // heaps); ids above that are the outliers.
        let budget = (count as u64).max(1024).min(u64::from(u32::MAX) / 64 + 1) * 64;
        let dense_max = ids.clone().map(u64::from).filter(|&id| id < budget).max();
        let mut bits = Bits::new(dense_max.map_or(0, |m| m as usize + 1));
        let mut outliers = Vec::new();
        for id in ids {
            if u64::from(id) < budget {
                bits.set(id as usize);
            } else {
                outliers.push(id);
            }
        }
        outliers.sort_unstable();
        outliers.dedup();
        IdSet { bits, outliers, count: count as u64 }
    }

    pub fn contains(&self, id: u32) -> bool {
        self.bits.contains(id as usize) || self.outliers.binary_search(&id).is_ok()
    }

    /// How many ids it was built from (a snapshot's node count for [`IdSet::new`]).
    pub fn node_count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_ids_sparse_outliers_and_absent_ids() {
        let ids = [1u32, 3, 5, 7, 4_000_000_000, 99, 4_000_000_000];
        let set = IdSet::from_ids(ids.iter().copied(), ids.len());
        for id in ids {
            assert!(set.contains(id), "{id}");
        }
        for id in [0u32, 2, 98, 100, 65_536, 3_999_999_999, u32::MAX] {
            assert!(!set.contains(id), "{id}");
        }
        assert_eq!(set.outliers, vec![4_000_000_000]);
        assert_eq!(set.node_count(), 7);
        let empty = IdSet::from_ids(std::iter::empty(), 0);
        assert!(!empty.contains(0));
    }

    #[test]
    fn bits_by_index() {
        let mut b = Bits::new(130);
        b.set(0);
        b.set(129);
        assert!(b.get(0) && b.get(129) && !b.get(64));
        assert!(!b.contains(200));
    }
}
