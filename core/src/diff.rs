//! node-memwatch's HeapDiff of two snapshots. (Algorithm being written: see issue 2.)
//!
//! Output types serialize to exactly node-memwatch's JSON object.

use serde::{Deserialize, Serialize};

/// One side's totals: `nodes` is the snapshot's node count (reachable or not); `size_bytes` the
/// self sizes of the nodes reachable from the root.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiffSide {
    pub nodes: u64,
    pub size_bytes: u64,
    pub size: String,
}

/// One bucket of allocated/freed nodes ("Array", "String", a constructor name, ...).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiffDetail {
    pub what: String,
    pub size_bytes: i64,
    pub size: String,
    #[serde(rename = "+")]
    pub added: u64,
    #[serde(rename = "-")]
    pub removed: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiffChange {
    pub size_bytes: i64,
    pub size: String,
    pub freed_nodes: u64,
    pub allocated_nodes: u64,
    /// Sorted by `what`.
    pub details: Vec<DiffDetail>,
}

/// `hd.end()`'s result.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeapDiff {
    pub before: DiffSide,
    pub after: DiffSide,
    pub change: DiffChange,
}
