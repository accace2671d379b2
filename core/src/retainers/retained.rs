//! Retained sizes: per node (self size plus everything it dominates) and per class (over the
//! members that no other member of the same class dominates, so nothing is counted twice).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::snapshot::{HeapSnapshot, NodeType};

use super::classes::Classes;
use super::dominators::DominatorTree;
use crate::sliced;

/// Retained size per node index. Unreachable nodes retain only themselves.
pub fn retained_sizes(snap: &HeapSnapshot, dom: &DominatorTree) -> Vec<u64> {
    let mut retained = snap.node_self_size.clone();
    // Reverse preorder visits every node before its immediate dominator.
    sliced::for_each(dom.order.iter().skip(1).rev(), |&v| {
        let d = dom.idom[v as usize] as usize;
        retained[d] = retained[d].saturating_add(retained[v as usize]);
    });
    retained
}

/// One class's totals over the nodes reachable from the root (synthetic nodes excluded).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "ClassRetainedSize"))]
pub struct ClassRetained {
    pub class: String,
    pub count: u64,
    pub self_size: u64,
    /// Sum of retained sizes of the members not dominated by another member of this class.
    pub retained_size: u64,
}

/// Per-class retained totals plus, per node, whether it is a "top" member of its class (no other member of
/// its class dominates it). Classes sorted by retained size, largest first. The default is empty: no class has
/// a member, no node is a top member.
#[derive(Default)]
pub struct RetainedByClass {
    pub classes: Vec<ClassRetained>,
    /// Class id -> index in `classes` (u32::MAX when the class has no reachable member).
    pub index_of_class: Vec<u32>,
    /// Bit per node: reachable and not dominated by another node of its class.
    pub top_of_class: Vec<u64>,
}

impl RetainedByClass {
    pub fn is_top(&self, n: u32) -> bool {
        self.top_of_class.get(n as usize / 64).is_some_and(|w| w >> (n % 64) & 1 == 1)
    }

    pub fn get(&self, class_id: u32) -> Option<&ClassRetained> {
        let i = *self.index_of_class.get(class_id as usize)?;
        self.classes.get(i as usize)
    }
}

/// Walks the dominator tree depth-first with an explicit stack, keeping per class the number of
/// members on the current root path: a node is its class's top member when that count is 0.
/// O(n) time; memory: the tree as CSR (2 `u32` per reachable node), one `u32` per class id.
pub fn class_retained(
    snap: &HeapSnapshot,
    dom: &DominatorTree,
    retained: &[u64],
    classes: &Classes,
) -> RetainedByClass {
    let ids = classes.id_count();
    let Totals { count, self_size, ret, top_of_class } = totals_by(snap, dom, retained, ids, |v| classes.class_of[v]);
    let mut classes_out = Vec::new();
    let mut index_of_class = vec![u32::MAX; ids];
    for c in 0..ids {
        if count[c] > 0 {
            classes_out.push((
                c as u32,
                ClassRetained {
                    class: classes.name(snap, c as u32).to_string(),
                    count: count[c],
                    self_size: self_size[c],
                    retained_size: ret[c],
                },
            ));
        }
    }
    classes_out.sort_by(|a, b| b.1.retained_size.cmp(&a.1.retained_size).then_with(|| a.1.class.cmp(&b.1.class)));
    for (i, (c, _)) in classes_out.iter().enumerate() {
        index_of_class[*c as usize] = i as u32;
    }
    RetainedByClass { classes: classes_out.into_iter().map(|(_, c)| c).collect(), index_of_class, top_of_class }
}

/// Per-class sums of [`class_retained`] for any dense class id per node.
struct Totals {
    count: Vec<u64>,
    self_size: Vec<u64>,
    ret: Vec<u64>,
    top_of_class: Vec<u64>,
}

/// The walk behind [`class_retained`] and [`bucket_retained`]: `class_of(v)` is a class id below
/// `ids`, or `u32::MAX` for a node the scheme leaves out.
fn totals_by(
    snap: &HeapSnapshot,
    dom: &DominatorTree,
    retained: &[u64],
    ids: usize,
    class_of: impl Fn(usize) -> u32,
) -> Totals {
    let n = snap.node_count();
    let mut count = vec![0u64; ids];
    let mut self_size = vec![0u64; ids];
    let mut ret = vec![0u64; ids];
    let mut top_of_class = vec![0u64; n.div_ceil(64)];
    if !dom.order.is_empty() {
        let (start, children) = dom.children_csr();
        let mut on_path = vec![0u32; ids];
        // The root and the GC-root groups are bookkeeping, not objects: no class totals for them.
        let class = |v: usize| {
            if snap.node_kind(v) == NodeType::Synthetic {
                return None;
            }
            let c = class_of(v) as usize;
            (c < ids).then_some(c)
        };
        // (preorder number, next child cursor); entering pushes, exhausting pops.
        let mut stack: Vec<(u32, u32)> = Vec::new();
        let enter = |i: u32, on_path: &mut [u32], top: &mut [u64], stack: &mut Vec<(u32, u32)>| {
            let v = dom.order[i as usize] as usize;
            if let Some(c) = class(v) {
                count[c] += 1;
                self_size[c] += snap.node_self_size[v];
                if on_path[c] == 0 {
                    ret[c] += retained[v];
                    top[v / 64] |= 1 << (v % 64);
                }
                on_path[c] += 1;
            }
            stack.push((i, start[i as usize]));
        };
        // The closure borrows the sums mutably; keep it in a block so they are readable after.
        let mut enter = enter;
        enter(0, &mut on_path, &mut top_of_class, &mut stack);
        sliced::run(|| {
            let Some(top) = stack.last_mut() else { return false };
            let (i, cursor) = *top;
            if cursor < start[i as usize + 1] {
                top.1 += 1;
                enter(children[cursor as usize], &mut on_path, &mut top_of_class, &mut stack);
            } else {
                stack.pop();
                if let Some(c) = class(dom.order[i as usize] as usize) {
                    on_path[c] -= 1;
                }
            }
            true
        });
    }
    Totals { count, self_size, ret, top_of_class }
}

/// One HeapDiff row's retained totals in one snapshot (the row's `what` under
/// [`crate::class::Scheme::Bucket`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct BucketRetained {
    pub what: String,
    /// Reachable members (synthetic nodes excluded).
    pub count: u64,
    pub self_size: u64,
    /// Sum of retained sizes of the members not dominated by another member of the bucket: what
    /// `classRetainers(snapshot, what, k, "bucket")` reports for the same row.
    pub retained_size: u64,
}

/// Retained totals of every HeapDiff bucket of `snap`, sorted bytewise by `what` like HeapDiff's
/// rows. The viewer's "Retained size change" column is AFTER's row minus BEFORE's.
pub fn bucket_retained(snap: &HeapSnapshot, dom: &DominatorTree, retained: &[u64]) -> Vec<BucketRetained> {
    const TYPES: [NodeType; 7] = [
        NodeType::Array,
        NodeType::String,
        NodeType::Code,
        NodeType::Closure,
        NodeType::RegExp,
        NodeType::HeapNumber,
        NodeType::Native,
    ];
    // One dense id per bucket name: constructor names by the first string index spelling them,
    // a type bucket by the constructor of the same name if there is one (`Array` objects and
    // V8's arrays are one bucket, and a member of either hides the other's members under it).
    let base = snap.strings.len() as u32;
    let mut first: HashMap<&str, u32> = HashMap::new();
    let mut canon = vec![u32::MAX; base as usize];
    for v in 0..snap.node_count() {
        if snap.node_kind(v) == NodeType::Object {
            let s = snap.node_name[v];
            if let Some(c) = canon.get_mut(s as usize).filter(|c| **c == u32::MAX) {
                *c = *first.entry(snap.strings.get(s)).or_insert(s);
            }
        }
    }
    let type_ids: Vec<u32> = TYPES
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let name = crate::class::bucket_of_type(t).unwrap_or("");
            first.get(name).copied().unwrap_or(base + i as u32)
        })
        .collect();
    let ids = base as usize + TYPES.len();
    let t = totals_by(snap, dom, retained, ids, |v| match snap.node_kind(v) {
        NodeType::Object => canon.get(snap.node_name[v] as usize).copied().unwrap_or(u32::MAX),
        k => TYPES.iter().position(|&t| t == k).map_or(u32::MAX, |i| type_ids[i]),
    });
    let mut out: Vec<BucketRetained> = (0..ids)
        .filter(|&c| t.count[c] > 0)
        .map(|c| BucketRetained {
            what: match (c as u32).checked_sub(base) {
                Some(i) => crate::class::bucket_of_type(TYPES[i as usize]).unwrap_or("").to_string(),
                None => snap.strings.get(c as u32).to_string(),
            },
            count: t.count[c],
            self_size: t.self_size[c],
            retained_size: t.ret[c],
        })
        .collect();
    out.sort_by(|a, b| a.what.as_bytes().cmp(b.what.as_bytes()));
    out
}
