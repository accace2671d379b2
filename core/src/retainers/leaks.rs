//! Three-snapshot leak finding (memlab's method): objects allocated after BASELINE that are
//! still alive in FINAL although the action that created them had ended by then,
//! `(target \ baseline) ∩ final` by V8 object id.
//!
//! Reported are the *leak roots*: leaked objects that no other reported leaked object dominates
//! in FINAL (a leaked `LeakingClass` is reported, not also its leaked `payload` array, which its
//! retained size already covers). V8-internal objects (backing stores, maps, code, `system / *`)
//! are leaked along with user objects but are not reported by default; they do not hide the user
//! objects they hold, because only reported objects make others non-roots.

use serde::{Deserialize, Serialize};

use crate::both::both;
use crate::snapshot::HeapSnapshot;

use super::analysis::SnapshotAnalysis;
use super::grouping::{group_by_path, render_budget, PathGroup};
use super::holders::{holders, Holder};
use super::RetainersError;
use crate::node_sets::{Bits, IdSet};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakOptions {
    /// Also report V8-internal objects (hidden, arrays, code, object shapes, `system / *`).
    pub include_internal: bool,
    /// Keep at most this many groups (0: all).
    pub max_groups: usize,
}

impl Default for LeakOptions {
    fn default() -> Self {
        LeakOptions { include_internal: false, max_groups: super::defaults::MAX_GROUPS }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LeakReport {
    pub baseline_nodes: u64,
    pub target_nodes: u64,
    pub final_nodes: u64,
    /// Objects in `(target \ baseline) ∩ final` reachable in FINAL, internal ones included.
    pub leaked_objects: u64,
    /// Their total self size in FINAL.
    pub leaked_self_size: u64,
    /// Leak roots counted in `groups` (before `max_groups` truncation).
    pub reported_objects: u64,
    /// Sum of the leak roots' retained sizes in FINAL.
    pub reported_retained_size: u64,
    /// Groups not shown because of `max_groups` (smaller path groups are counted without being
    /// rendered, so this is an upper bound when hash groups would have merged).
    pub omitted_groups: u64,
    /// By class and normalised retainer path, largest retained size first.
    pub groups: Vec<PathGroup>,
    /// The leak roots grouped by the object holding them (existing since BASELINE), largest
    /// gained retained size first (at most `max_groups`): the report's first lines.
    #[serde(default)]
    pub holders: Vec<Holder>,
}

/// Leak report over three snapshots of one isolate (ids must come from the same process).
pub fn leak_report(
    baseline: &HeapSnapshot,
    target: &HeapSnapshot,
    fin: &HeapSnapshot,
    opts: &LeakOptions,
) -> Result<LeakReport, RetainersError> {
    let base_ids = IdSet::new(baseline);
    let target_ids = IdSet::new(target);
    let analysis = SnapshotAnalysis::new(fin)?;
    Ok(leak_report_with(&base_ids, &target_ids, fin, &analysis, opts))
}

/// The same over precomputed parts, so callers can drop BASELINE and TARGET before analysing
/// FINAL (peak memory: one parsed snapshot plus two id arrays).
pub fn leak_report_with(
    base_ids: &IdSet,
    target_ids: &IdSet,
    fin: &HeapSnapshot,
    a: &SnapshotAnalysis,
    opts: &LeakOptions,
) -> LeakReport {
    leak_report_with_threads(base_ids, target_ids, fin, a, opts, 1, &|_| {})
}

/// As [`leak_report_with`] on up to `threads` threads: with two or more, the holders are found
/// on a second thread while this one groups the leak roots by path. The report is the same for
/// any thread count. `phase_done(name)` is called as each phase ends (for `--timings`).
pub fn leak_report_with_threads(
    base_ids: &IdSet,
    target_ids: &IdSet,
    fin: &HeapSnapshot,
    a: &SnapshotAnalysis,
    opts: &LeakOptions,
    threads: usize,
    phase_done: &(dyn Fn(&'static str) + Sync),
) -> LeakReport {
    let n = fin.node_count();
    let dom = &a.dominators;
    let mut leaked_objects = 0u64;
    let mut leaked_self_size = 0u64;
    let mut reported = Bits::new(n);
    for &v in dom.order.iter().skip(1) {
        let v = v as usize;
        let id = fin.node_id[v];
        if target_ids.contains(id) && !base_ids.contains(id) {
            leaked_objects += 1;
            leaked_self_size += fin.node_self_size[v];
            if opts.include_internal || !a.classes.is_internal(fin, v) {
                reported.set(v);
            }
        }
    }
    // covered(v): a strict dominator of v is reported. Preorder visits idom(v) before v.
    let mut covered = Bits::new(n);
    let mut roots: Vec<u32> = Vec::new();
    for &v in dom.order.iter().skip(1) {
        let d = dom.idom[v as usize] as usize;
        if covered.get(d) || reported.get(d) {
            covered.set(v as usize);
        } else if reported.get(v as usize) {
            roots.push(v);
        }
    }
    drop(covered);
    phase_done("leak set and leak roots");
    let reported_retained_size = roots.iter().map(|&v| a.retained[v as usize]).sum();
    let reported_objects = roots.len() as u64;
    let find_holders = || {
        let h = holders(fin, a, &roots, |n| base_ids.contains(fin.node_id[n]), |n| reported.get(n), opts.max_groups);
        phase_done("holders");
        h
    };
    let group = || {
        let g = group_by_path(
            fin,
            &a.classes,
            &a.paths,
            &a.retained,
            roots.iter().copied(),
            render_budget(opts.max_groups),
        );
        phase_done("grouping by retainer path");
        g
    };
    let (holders, (mut groups, unrendered)) = both(threads, find_holders, group);
    let mut omitted_groups = unrendered;
    if opts.max_groups > 0 && groups.len() > opts.max_groups {
        omitted_groups += (groups.len() - opts.max_groups) as u64;
        groups.truncate(opts.max_groups);
    }
    LeakReport {
        baseline_nodes: base_ids.node_count(),
        target_nodes: target_ids.node_count(),
        final_nodes: n as u64,
        leaked_objects,
        leaked_self_size,
        reported_objects,
        reported_retained_size,
        omitted_groups,
        groups,
        holders,
    }
}
