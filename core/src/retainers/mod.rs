//! Who retains what: dominator tree, retained sizes, retainer paths and leak finding.
//!
//! - [`DominatorTree`]: immediate dominators over DevTools' essential edges (SEMI-NCA, iterative,
//!   `u32` arrays; see [`essential`] for the edge rules).
//! - [`retained_sizes`] / [`class_retained`]: retained size per node and per class (members not
//!   dominated by another member of the class).
//! - [`RetainerPaths`]: one readable path per object from the root, preferring user-visible edges:
//!   `(global) leakyCache -> Map table -> [k17] -> LeakingClass`.
//! - [`SnapshotAnalysis`]: all of the above for one snapshot, plus per-class path groups.
//! - [`leak_report`]: three-snapshot leak set `(target \ baseline) ∩ final`, grouped by class and
//!   retainer path.
//! - [`growth_report`]: classes whose retained size grew between two snapshots, with paths.
//! - [`class_retainers`] / [`class_growth`]: one class under a [`crate::class::Scheme`] (the
//!   viewer selects HeapDiff buckets such as `Array` or `Closure`).
//!
//! High-level entry points fail only with [`RetainersError`]. Every result type is `serde`-serialisable for the CLI's `--json`, wasm and the viewer.
//! No recursion anywhere: heap graphs are deep (a 1M-element linked list is a 1M-deep path).

mod allocations;
mod analysis;
mod classes;
pub mod defaults;
pub mod dominators;
pub mod essential;
mod grouping;
mod growth;
mod holders;
mod leaks;
pub mod paths;
mod retained;
mod select;
mod sources;

pub use crate::node_sets::IdSet;
pub use allocations::{AllocationStack, FRAMES_PER_STACK, STACKS_PER_HOLDER};
pub use analysis::{AnalysisOptions, SnapshotAnalysis};
pub use classes::Classes;
pub use dominators::DominatorTree;
pub use essential::EdgeFilter;
pub use grouping::{group_by_path, PathGroup};
pub use growth::{
    growth_report, growth_report_since, growth_report_with, ClassGrowth, GrowthBaseline, GrowthOptions, GrowthReport,
};
pub use holders::{holders, ClassCount, Holder};
pub use leaks::{leak_report, leak_report_with, leak_report_with_threads, LeakOptions, LeakReport};
pub use paths::{Hop, RetainerPath, RetainerPaths};
pub use retained::{bucket_retained, class_retained, retained_sizes, BucketRetained, ClassRetained, RetainedByClass};
pub use select::{class_growth, class_retainers, ClassRetainers};
pub use sources::Sources;

/// Why a snapshot cannot be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetainersError {
    /// Parsed with `ParseOptions { edge_details: false, .. }`: no edge types or names, so the
    /// essential-edge rules and readable paths are impossible.
    #[error("the snapshot was parsed without edge details (edge types and names); parse it with `edge_details: true`")]
    MissingEdgeDetails,
}

fn check(snap: &crate::snapshot::HeapSnapshot) -> Result<(), RetainersError> {
    if snap.has_edge_details() {
        Ok(())
    } else {
        Err(RetainersError::MissingEdgeDetails)
    }
}
