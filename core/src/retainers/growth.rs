//! Retained-size growth by class between two snapshots, with representative retainer paths of
//! the new objects: the data behind `memwatch diff A B --retainers N`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::snapshot::HeapSnapshot;

use super::analysis::SnapshotAnalysis;
use super::grouping::{group_by_path, render_budget, PathGroup};
use super::holders::{holders, Holder};
use super::retained::ClassRetained;
use super::RetainersError;
use crate::node_sets::{Bits, IdSet};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ClassGrowth {
    pub class: String,
    pub count_before: u64,
    pub count_after: u64,
    pub self_size_before: u64,
    pub self_size_after: u64,
    pub retained_size_before: u64,
    pub retained_size_after: u64,
    pub retained_size_delta: i64,
    /// Members of the class in AFTER whose id is not in BEFORE.
    pub new_objects: u64,
    /// Where the new top-of-class members are held, largest first (at most `paths_per_class`).
    pub paths: Vec<PathGroup>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GrowthReport {
    /// Growing classes (self size or count grew), largest self-size growth first.
    pub classes: Vec<ClassGrowth>,
    /// The new objects grouped by the object holding them (existing before), largest gained
    /// retained size first (at most `max_classes`).
    #[serde(default)]
    pub holders: Vec<Holder>,
}

#[derive(Clone, Debug)]
pub struct GrowthOptions {
    pub max_classes: usize,
    pub paths_per_class: usize,
    /// Also rank V8-internal classes (`(array)`, `(system)`, `(compiled code)`, `system / *`).
    pub include_internal: bool,
}

impl GrowthOptions {
    /// The `n` classes that grew most, with the default number of paths, user classes only.
    pub fn top(n: usize) -> GrowthOptions {
        GrowthOptions { max_classes: n, paths_per_class: super::defaults::PATHS_PER_CLASS, include_internal: false }
    }
}

/// The `n` classes whose total self size grew most from `before` to `after` (ties: count growth,
/// then name), each with its retained-size delta and up to 3 representative retainer paths of
/// its new members.
pub fn growth_report(before: &HeapSnapshot, after: &HeapSnapshot, n: usize) -> Result<GrowthReport, RetainersError> {
    let opts = GrowthOptions::top(n);
    let ab = SnapshotAnalysis::new(before)?;
    let aa = SnapshotAnalysis::new(after)?;
    Ok(growth_report_with(before, &ab, after, &aa, &opts))
}

/// What a growth report needs of the earlier snapshot: per-class totals and the set of node ids
/// (about 4 bytes per node). A live run keeps this between leak events instead of the earlier
/// snapshot, so each report parses and analyses one snapshot, not two.
pub struct GrowthBaseline {
    classes: HashMap<String, ClassRetained>,
    ids: IdSet,
}

impl GrowthBaseline {
    pub fn new(snap: &HeapSnapshot, analysis: &SnapshotAnalysis) -> GrowthBaseline {
        let classes = analysis.classes().iter().map(|c| (c.class.clone(), c.clone())).collect();
        GrowthBaseline { classes, ids: IdSet::new(snap) }
    }
}

pub fn growth_report_with(
    before: &HeapSnapshot,
    ab: &SnapshotAnalysis,
    after: &HeapSnapshot,
    aa: &SnapshotAnalysis,
    opts: &GrowthOptions,
) -> GrowthReport {
    growth_report_since(&GrowthBaseline::new(before, ab), after, aa, opts)
}

/// [`growth_report_with`] from a kept [`GrowthBaseline`].
pub fn growth_report_since(
    base: &GrowthBaseline,
    after: &HeapSnapshot,
    aa: &SnapshotAnalysis,
    opts: &GrowthOptions,
) -> GrowthReport {
    let old = &base.classes;
    let mut rows: Vec<ClassGrowth> = aa
        .classes()
        .iter()
        .filter(|c| opts.include_internal || !crate::class::is_internal_class(&c.class))
        .filter_map(|c| {
            let (cb, sb, rb) = old.get(c.class.as_str()).map_or((0, 0, 0), |o| (o.count, o.self_size, o.retained_size));
            let delta = c.retained_size as i64 - rb as i64;
            (c.self_size > sb || c.count > cb).then(|| ClassGrowth {
                class: c.class.clone(),
                count_before: cb,
                count_after: c.count,
                self_size_before: sb,
                self_size_after: c.self_size,
                retained_size_before: rb,
                retained_size_after: c.retained_size,
                retained_size_delta: delta,
                new_objects: 0,
                paths: Vec::new(),
            })
        })
        .collect();
    // Rank by what is being allocated (self-size growth, as DevTools' comparison view and
    // HeapDiff do): ranking by retained growth would put every container first (`global`
    // dominates the whole leak).
    let self_delta = |c: &ClassGrowth| c.self_size_after as i64 - c.self_size_before as i64;
    let count_delta = |c: &ClassGrowth| c.count_after as i64 - c.count_before as i64;
    rows.sort_by(|a, b| {
        self_delta(b).cmp(&self_delta(a)).then(count_delta(b).cmp(&count_delta(a))).then_with(|| a.class.cmp(&b.class))
    });
    rows.truncate(opts.max_classes);
    if rows.is_empty() {
        return GrowthReport { classes: rows, holders: Vec::new() };
    }

    let before_ids = &base.ids;
    let holders = growth_holders(before_ids, after, aa, opts);
    // Class id (in AFTER) -> row.
    let mut row_of_class: HashMap<u32, usize> = HashMap::new();
    for c in 0..aa.classes.id_count() as u32 {
        if let Some(r) = aa.summary.get(c) {
            if let Some(i) = rows.iter().position(|row| row.class == r.class) {
                row_of_class.insert(c, i);
            }
        }
    }
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); rows.len()];
    for &v in aa.dominators.order.iter().skip(1) {
        let Some(&i) = row_of_class.get(&aa.classes.class_of[v as usize]) else {
            continue;
        };
        if before_ids.contains(after.node_id[v as usize]) {
            continue;
        }
        rows[i].new_objects += 1;
        if aa.summary.is_top(v) {
            members[i].push(v);
        }
    }
    for (row, m) in rows.iter_mut().zip(members) {
        let (mut g, _) = group_by_path(
            after,
            &aa.classes,
            &aa.paths,
            &aa.retained,
            m.into_iter(),
            render_budget(opts.paths_per_class),
        );
        g.truncate(opts.paths_per_class);
        row.paths = g;
    }
    GrowthReport { classes: rows, holders }
}

/// New objects (user-level unless `include_internal`) that no other such new object dominates,
/// grouped by holder.
fn growth_holders(
    before_ids: &IdSet,
    after: &HeapSnapshot,
    aa: &SnapshotAnalysis,
    opts: &GrowthOptions,
) -> Vec<Holder> {
    let n = after.node_count();
    let dom = &aa.dominators;
    let mut gained_bits = Bits::new(n);
    let mut covered = Bits::new(n);
    let mut gained: Vec<u32> = Vec::new();
    for &v in dom.order.iter().skip(1) {
        let v = v as usize;
        let d = dom.idom[v] as usize;
        if covered.get(d) || gained_bits.get(d) {
            covered.set(v);
        }
        let internal = !opts.include_internal && crate::class::is_internal_node(after, v);
        if internal || before_ids.contains(after.node_id[v]) {
            continue;
        }
        gained_bits.set(v);
        if !covered.get(v) {
            gained.push(v as u32);
        }
    }
    holders(after, aa, &gained, |x| before_ids.contains(after.node_id[x]), |x| gained_bits.get(x), opts.max_classes)
}
