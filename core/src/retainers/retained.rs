//! Retained sizes: per node (self size plus everything it dominates) and per class (over the
//! members that no other member of the same class dominates, so nothing is counted twice).

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
/// its class dominates it). Classes sorted by retained size, largest first.
pub struct RetainedByClass {
    pub classes: Vec<ClassRetained>,
    /// Class id -> index in `classes` (u32::MAX when the class has no reachable member).
    pub index_of_class: Vec<u32>,
    /// Bit per node: reachable and not dominated by another node of its class.
    pub top_of_class: Vec<u64>,
}

impl RetainedByClass {
    pub fn is_top(&self, n: u32) -> bool {
        self.top_of_class[n as usize / 64] >> (n % 64) & 1 == 1
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
    let n = snap.node_count();
    let ids = classes.id_count();
    let mut count = vec![0u64; ids];
    let mut self_size = vec![0u64; ids];
    let mut ret = vec![0u64; ids];
    let mut top_of_class = vec![0u64; n.div_ceil(64)];
    if !dom.order.is_empty() {
        let (start, children) = dom.children_csr();
        let mut on_path = vec![0u32; ids];
        // The root and the GC-root groups are bookkeeping, not objects: no class totals for them.
        let counted = |v: usize| snap.node_kind(v) != NodeType::Synthetic;
        // (preorder number, next child cursor); entering pushes, exhausting pops.
        let mut stack: Vec<(u32, u32)> = Vec::new();
        let enter = |i: u32, on_path: &mut [u32], top: &mut [u64], stack: &mut Vec<(u32, u32)>| {
            let v = dom.order[i as usize] as usize;
            if counted(v) {
                let c = classes.class_of[v] as usize;
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
                let v = dom.order[i as usize] as usize;
                if counted(v) {
                    on_path[classes.class_of[v] as usize] -= 1;
                }
            }
            true
        });
    }
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
