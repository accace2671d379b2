//! Dominator tree of a heap snapshot (SEMI-NCA, iterative, compact `u32` arrays).
//!
//! Node `d` dominates `v` when every path from the root (node 0) to `v` over essential edges
//! ([`EdgeFilter`]) passes through `d`; the immediate dominator is the closest such node. Freeing
//! `idom(v)` frees `v`, which is what makes retained sizes meaningful.
//!
//! Algorithm: SEMI-NCA (Georgiadis; Lengauer–Tarjan's semidominators, then immediate dominators
//! as nearest common ancestors in the tree built so far). O(m log n), in practice linear, and
//! simpler than full Lengauer–Tarjan. Everything is iterative (explicit stacks); working memory is
//! five `u32` arrays over the reachable nodes plus the predecessor lists (one `u32` per essential
//! edge that is not a tree or forward edge of the depth-first search), all freed before returning.
//!
//! Nodes not reachable from the root over essential edges (only weakly held, or garbage that the
//! snapshot still lists) have no dominator. DevTools instead hangs them under the root; we keep
//! them out so that the root's retained size is exactly the live heap.

use crate::snapshot::HeapSnapshot;

use super::essential::EdgeFilter;
use crate::sliced;

/// "No node": unreachable, or the root's own dominator.
pub const NONE: u32 = u32::MAX;

#[derive(Clone, Debug, Default)]
pub struct DominatorTree {
    /// Immediate dominator per node index; [`NONE`] for the root and for unreachable nodes.
    pub idom: Vec<u32>,
    /// Reachable nodes in depth-first preorder from the root (root first). Every node comes after
    /// its immediate dominator, so iterating this backwards is a valid post-order for sums.
    pub order: Vec<u32>,
}

impl DominatorTree {
    pub fn compute(snap: &HeapSnapshot) -> DominatorTree {
        compute(snap, &EdgeFilter::new(snap))
    }

    /// As [`compute`](Self::compute), reusing an edge filter built for the same snapshot.
    pub fn compute_with(snap: &HeapSnapshot, filter: &EdgeFilter) -> DominatorTree {
        compute(snap, filter)
    }

    pub fn idom(&self, n: u32) -> Option<u32> {
        match self.idom.get(n as usize) {
            Some(&d) if d != NONE => Some(d),
            _ => None,
        }
    }

    /// Reachable from the root over essential edges (the root itself included).
    pub fn is_reachable(&self, n: u32) -> bool {
        n == 0 && !self.order.is_empty() || self.idom(n).is_some()
    }

    pub fn reachable_count(&self) -> usize {
        self.order.len()
    }

    /// Whether `a` dominates `b` (reflexive). O(depth of `b`); meant for tests and spot checks.
    pub fn dominates(&self, a: u32, b: u32) -> bool {
        if !self.is_reachable(a) || !self.is_reachable(b) {
            return false;
        }
        let mut x = b;
        loop {
            if x == a {
                return true;
            }
            match self.idom(x) {
                Some(d) => x = d,
                None => return false,
            }
        }
    }

    /// Children lists of the dominator tree as CSR over preorder numbers: for the node at
    /// `order[i]`, its children are `children[start[i]..start[i+1]]` (preorder numbers).
    pub(crate) fn children_csr(&self) -> (Vec<u32>, Vec<u32>) {
        let r = self.order.len();
        let mut pre = vec![NONE; self.idom.len()];
        for (i, &v) in self.order.iter().enumerate() {
            pre[v as usize] = i as u32;
        }
        let mut start = vec![0u32; r + 1];
        for &v in self.order.iter().skip(1) {
            start[pre[self.idom[v as usize] as usize] as usize + 1] += 1;
        }
        for i in 0..r {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut children = vec![0u32; r.saturating_sub(1)];
        for (i, &v) in self.order.iter().enumerate().skip(1) {
            let p = pre[self.idom[v as usize] as usize] as usize;
            children[fill[p] as usize] = i as u32;
            fill[p] += 1;
        }
        (start, children)
    }
}

fn compute(snap: &HeapSnapshot, filter: &EdgeFilter) -> DominatorTree {
    let n = snap.node_count();
    if n == 0 {
        return DominatorTree::default();
    }
    // 1. Depth-first preorder from the root. `pre[v]` is v's number; `vertex[i]` the node.
    let mut pre = vec![NONE; n];
    let mut vertex: Vec<u32> = Vec::new();
    let mut parent: Vec<u32> = Vec::new();
    {
        let mut stack: Vec<(u32, usize)> = vec![(0, snap.first_edge[0] as usize)];
        pre[0] = 0;
        vertex.push(0);
        parent.push(NONE);
        sliced::run(|| {
            let Some(top) = stack.last_mut() else { return false };
            let (v, cursor) = *top;
            let end = snap.first_edge[v as usize + 1] as usize;
            if cursor >= end {
                stack.pop();
                return true;
            }
            top.1 += 1;
            if !filter.is_essential(snap, v, cursor) {
                return true;
            }
            let w = snap.edge_to[cursor];
            if pre[w as usize] != NONE {
                return true;
            }
            pre[w as usize] = vertex.len() as u32;
            parent.push(pre[v as usize]);
            vertex.push(w);
            stack.push((w, snap.first_edge[w as usize] as usize));
            true
        });
    }
    let r = vertex.len();

    // 2. Semidominator candidates. In step 3 a predecessor numbered below `w` (the tree edge
    //    from w's DFS parent, forward edges) is not yet linked into the forest when w's turn
    //    comes, so EVAL returns it unchanged and it contributes its own number: fold those into
    //    `semi[w]` now. Only predecessors numbered above `w` are stored (by preorder number, one
    //    `u32` each): a heap's tree edges, a third of its essential edges or more, are neither
    //    stored nor evaluated. The same semidominators as with every predecessor stored.
    let mut semi: Vec<u32> = (0..r as u32).collect();
    let (pred_start, preds) = {
        // start[w] counts w's stored predecessors, then (prefix sums) the end of its range,
        // then (filled back to front) its start; start[r] is the total.
        let mut start = vec![0u64; r + 1];
        sliced::for_each(vertex.iter().enumerate(), |(i, &v)| {
            for e in snap.edges_of(v as usize) {
                if filter.is_essential(snap, v, e) {
                    let w = pre[snap.edge_to[e] as usize] as usize;
                    if i < w {
                        semi[w] = semi[w].min(i as u32);
                    } else {
                        start[w] += 1;
                    }
                }
            }
        });
        for i in 1..r {
            start[i] += start[i - 1];
        }
        start[r] = start[r - 1];
        let mut preds = vec![0u32; start[r] as usize];
        // Back to front, so each list ends up in ascending order.
        sliced::for_each(vertex.iter().enumerate().rev(), |(i, &v)| {
            for e in snap.edges_of(v as usize).rev() {
                if filter.is_essential(snap, v, e) {
                    let w = pre[snap.edge_to[e] as usize] as usize;
                    if i >= w {
                        start[w] -= 1;
                        preds[start[w] as usize] = i as u32;
                    }
                }
            }
        });
        (start, preds)
    };
    drop(pre);

    // 3. Semidominators, in reverse preorder, with a path-compressed link-eval forest.
    let mut label: Vec<u32> = (0..r as u32).collect();
    let mut ancestor = vec![NONE; r];
    let mut path: Vec<u32> = Vec::new();
    sliced::for_each((1..r).rev(), |w| {
        let mut s = semi[w];
        for &v in &preds[pred_start[w] as usize..pred_start[w + 1] as usize] {
            let u = eval(v, &mut ancestor, &mut label, &semi, &mut path);
            s = s.min(semi[u as usize]);
        }
        semi[w] = s;
        ancestor[w] = parent[w];
    });
    drop(preds);
    drop(pred_start);
    drop(ancestor);
    drop(label);

    // 4. Immediate dominators: the nearest ancestor of parent(w) in the dominator tree built so far
    //    whose number is <= semi(w). Reuse `parent` as `idom` (both by preorder number).
    let mut idom = parent;
    sliced::for_each(1..r, |w| {
        let mut x = idom[w];
        while x > semi[w] {
            x = idom[x as usize];
        }
        idom[w] = x;
    });
    drop(semi);

    // 5. Back to node indices.
    let mut idom_by_node = vec![NONE; n];
    for w in 1..r {
        idom_by_node[vertex[w] as usize] = vertex[idom[w] as usize];
    }
    DominatorTree { idom: idom_by_node, order: vertex }
}

/// Lengauer–Tarjan's EVAL with path compression, iterative: returns the vertex with the smallest
/// semidominator on the forest path from `v` up to (excluding) its forest root.
#[inline]
fn eval(v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], path: &mut Vec<u32>) -> u32 {
    if ancestor[v as usize] == NONE {
        return v;
    }
    // Collect the nodes whose ancestor is not a forest root, then compress top-down.
    path.clear();
    let mut x = v;
    while ancestor[ancestor[x as usize] as usize] != NONE {
        path.push(x);
        x = ancestor[x as usize];
    }
    while let Some(y) = path.pop() {
        let a = ancestor[y as usize] as usize;
        if semi[label[a] as usize] < semi[label[y as usize] as usize] {
            label[y as usize] = label[a];
        }
        ancestor[y as usize] = ancestor[a];
    }
    label[v as usize]
}
