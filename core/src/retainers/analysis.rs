//! Everything the retainer views need about one snapshot, computed once.

use crate::snapshot::HeapSnapshot;

use super::classes::Classes;
use super::dominators::DominatorTree;
use super::essential::EdgeFilter;
use super::paths::{RetainerPath, RetainerPaths};
use super::retained::{class_retained, retained_sizes, ClassRetained, RetainedByClass};
use super::{check, RetainersError};

/// Dominator tree, retained sizes (per node and per class) and retainer paths of a snapshot.
///
/// ```
/// use memwatch_core::retainers::SnapshotAnalysis;
/// use memwatch_core::snapshot::HeapSnapshot;
/// let snap = HeapSnapshot::default(); // normally from snapshot::parse_reader
/// let a = SnapshotAnalysis::new(&snap).unwrap();
/// assert!(a.classes().is_empty());
/// ```
pub struct SnapshotAnalysis {
    pub dominators: DominatorTree,
    /// Retained size per node index.
    pub retained: Vec<u64>,
    pub classes: Classes,
    pub summary: RetainedByClass,
    pub paths: RetainerPaths,
}

impl SnapshotAnalysis {
    /// Fails only for a snapshot parsed without edge details.
    pub fn new(snap: &HeapSnapshot) -> Result<SnapshotAnalysis, RetainersError> {
        check(snap)?;
        let filter = EdgeFilter::new(snap);
        let dominators = DominatorTree::compute_with(snap, &filter);
        let retained = retained_sizes(snap, &dominators);
        let classes = Classes::new(snap);
        let summary = class_retained(snap, &dominators, &retained, &classes);
        let paths = RetainerPaths::compute_with(snap, &filter);
        Ok(SnapshotAnalysis { dominators, retained, classes, summary, paths })
    }

    /// Per-class count, self size and retained size, largest retained first.
    pub fn classes(&self) -> &[ClassRetained] {
        &self.summary.classes
    }

    pub fn path_to(&self, snap: &HeapSnapshot, node: u32) -> Option<RetainerPath> {
        self.paths.path_to(snap, node)
    }
}
