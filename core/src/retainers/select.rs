//! One class's members under a chosen [`Scheme`]: totals, retainer paths and growth.
//!
//! The viewer selects a HeapDiff row, whose name is a bucket ([`Scheme::Bucket`]: `Array` is
//! V8's internal arrays plus JS arrays, `Closure` every function); the retainer summaries are by
//! DevTools class. Selecting by scheme makes both work on the same engine: the members are the
//! reachable nodes whose [`class_of`] under the scheme is the name, and the totals count members
//! that no other member dominates (as [`super::ClassRetained`] does for DevTools classes).

use serde::{Deserialize, Serialize};

use crate::class::{class_of, Scheme};
use crate::snapshot::{HeapSnapshot, NodeType};

use super::analysis::SnapshotAnalysis;
use super::grouping::{group_by_path, render_budget, PathGroup};
use super::growth::ClassGrowth;
use crate::node_sets::{Bits, IdSet};

/// A class's totals in one snapshot and where its top members are held (`classRetainers`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ClassRetainers {
    pub class: String,
    pub count: u64,
    pub self_size: u64,
    /// Sum of retained sizes of the members no other member dominates.
    pub retained_size: u64,
    /// Path groups of those members, largest retained size first.
    pub paths: Vec<PathGroup>,
}

/// Reachable members of `name` under `scheme`, with the top ones (no other member dominates).
struct Members {
    count: u64,
    self_size: u64,
    retained_size: u64,
    top: Vec<u32>,
    all: Vec<u32>,
}

fn members(snap: &HeapSnapshot, a: &SnapshotAnalysis, name: &str, scheme: Scheme) -> Members {
    let n = snap.node_count();
    let dom = &a.dominators;
    let mut is_member = Bits::new(n);
    let mut covered = Bits::new(n);
    let mut m = Members { count: 0, self_size: 0, retained_size: 0, top: Vec::new(), all: Vec::new() };
    // Preorder: a node's immediate dominator comes before it.
    for &v in dom.order.iter().skip(1) {
        let v = v as usize;
        let d = dom.idom[v] as usize;
        if covered.get(d) || is_member.get(d) {
            covered.set(v);
        }
        if snap.node_kind(v) == NodeType::Synthetic || class_of(snap, v, scheme) != Some(name) {
            continue;
        }
        is_member.set(v);
        m.count += 1;
        m.self_size += snap.node_self_size[v];
        m.all.push(v as u32);
        if !covered.get(v) {
            m.retained_size += a.retained[v];
            m.top.push(v as u32);
        }
    }
    m
}

/// Totals of class `name` (under `scheme`) in `snap` and up to `k` path groups of its members
/// that no other member dominates. A class with no reachable member gives zeros and no paths.
pub fn class_retainers(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    name: &str,
    scheme: Scheme,
    k: usize,
) -> ClassRetainers {
    let m = members(snap, a, name, scheme);
    let (mut paths, _) = group_by_path(snap, &a.classes, &a.paths, &a.retained, m.top.into_iter(), render_budget(k));
    paths.truncate(k);
    ClassRetainers {
        class: name.to_string(),
        count: m.count,
        self_size: m.self_size,
        retained_size: m.retained_size,
        paths,
    }
}

/// How class `name` (under `scheme`) changed from `before` to `after`, with up to `k` path
/// groups of its new top members; `None` when neither its count nor its self size grew (the
/// rule of [`super::growth_report`], which this equals for a DevTools class it lists).
pub fn class_growth(
    before: &HeapSnapshot,
    ab: &SnapshotAnalysis,
    after: &HeapSnapshot,
    aa: &SnapshotAnalysis,
    name: &str,
    scheme: Scheme,
    k: usize,
) -> Option<ClassGrowth> {
    let b = members(before, ab, name, scheme);
    let m = members(after, aa, name, scheme);
    if m.self_size <= b.self_size && m.count <= b.count {
        return None;
    }
    let before_ids = IdSet::new(before);
    let is_new = |v: &u32| !before_ids.contains(after.node_id[*v as usize]);
    let new_objects = m.all.iter().filter(|v| is_new(v)).count() as u64;
    let new_top = m.top.into_iter().filter(is_new);
    let (mut paths, _) = group_by_path(after, &aa.classes, &aa.paths, &aa.retained, new_top, render_budget(k));
    paths.truncate(k);
    Some(ClassGrowth {
        class: name.to_string(),
        count_before: b.count,
        count_after: m.count,
        self_size_before: b.self_size,
        self_size_after: m.self_size,
        retained_size_before: b.retained_size,
        retained_size_after: m.retained_size,
        retained_size_delta: m.retained_size as i64 - b.retained_size as i64,
        new_objects,
        paths,
    })
}
