//! Everything the retainer views need about one snapshot, computed once.

use crate::both::both;
use crate::snapshot::HeapSnapshot;

use super::classes::Classes;
use super::dominators::DominatorTree;
use super::essential::EdgeFilter;
use super::paths::{RetainerPath, RetainerPaths};
use super::retained::{class_retained, retained_sizes, ClassRetained, RetainedByClass};
use super::{check, RetainersError};

/// How [`SnapshotAnalysis::with_options`] runs and what it leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// Threads to use (1: all on the caller's thread).
    pub threads: usize,
    /// Compute the per-class retained totals ([`SnapshotAnalysis::classes`], `summary`): a walk
    /// of the dominator tree that the leak report does not need. Without them `classes()` is
    /// empty.
    pub class_totals: bool,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions { threads: 1, class_totals: true }
    }
}

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
    /// Fails only for a snapshot parsed without edge details. One thread, everything computed.
    pub fn new(snap: &HeapSnapshot) -> Result<SnapshotAnalysis, RetainersError> {
        Self::with_options(snap, AnalysisOptions::default(), &|_| {})
    }

    /// As [`new`](Self::new), with a choice of threads and of the per-class totals: with two or
    /// more threads, the retainer-path search runs on a second thread while this one builds the
    /// dominator tree and the retained sizes (the two are independent walks over the same edges
    /// and take similar time). The result is the same for any thread count. `phase_done(name)`
    /// is called (from the thread that ran it) as each phase ends, for `--timings`.
    pub fn with_options(
        snap: &HeapSnapshot,
        opts: AnalysisOptions,
        phase_done: &(dyn Fn(&'static str) + Sync),
    ) -> Result<SnapshotAnalysis, RetainersError> {
        check(snap)?;
        let filter = EdgeFilter::new(snap);
        let sizes = || {
            let dominators = DominatorTree::compute_with(snap, &filter);
            phase_done("dominator tree");
            let retained = retained_sizes(snap, &dominators);
            let classes = Classes::new(snap);
            let summary = if opts.class_totals {
                class_retained(snap, &dominators, &retained, &classes)
            } else {
                RetainedByClass::default()
            };
            phase_done(if opts.class_totals { "retained sizes (per node and per class)" } else { "retained sizes" });
            (dominators, retained, classes, summary)
        };
        let paths = || {
            let paths = RetainerPaths::compute_with(snap, &filter);
            phase_done("retainer paths");
            paths
        };
        let (paths, (dominators, retained, classes, summary)) = both(opts.threads, paths, sizes);
        Ok(SnapshotAnalysis { dominators, retained, classes, summary, paths })
    }

    /// Per-class count, self size and retained size, largest retained first (empty when
    /// analysed without [`AnalysisOptions::class_totals`]).
    pub fn classes(&self) -> &[ClassRetained] {
        &self.summary.classes
    }

    pub fn path_to(&self, snap: &HeapSnapshot, node: u32) -> Option<RetainerPath> {
        self.paths.path_to(snap, node)
    }
}
