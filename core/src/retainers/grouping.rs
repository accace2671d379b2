//! Grouping many objects by (class, normalised retainer path), one representative path each.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::snapshot::HeapSnapshot;

use super::classes::Classes;
use super::paths::{RetainerPath, RetainerPaths};

/// Objects of one class held through the same (normalised) retainer path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PathGroup {
    pub class: String,
    /// Normalised path (`[*]` for indices and keys), e.g.
    /// `(global) leakyCache -> Map table -> [*] -> LeakingClass`.
    pub path: String,
    /// One member's full path, with real indices, keys and node ids.
    pub example: RetainerPath,
    pub count: u64,
    pub self_size: u64,
    /// Sum of the members' retained sizes (members never dominate each other, see callers).
    pub retained_size: u64,
}

#[derive(Default)]
struct Acc {
    count: u64,
    self_size: u64,
    retained: u64,
    example: u32,
}

/// Groups `members` (node indices, none dominating another) by class and path. Unreachable
/// members are skipped. Sorted by retained size, then count, largest first.
///
/// Rendering a path costs its length, and distinct paths can be as many as the members (a
/// doubly linked list held at both ends: every node has its own path length), so only the
/// `render_limit` largest path-hash groups are rendered (0: all); the second value is the
/// number of hash groups left out.
pub fn group_by_path(
    snap: &HeapSnapshot,
    classes: &Classes,
    paths: &RetainerPaths,
    retained: &[u64],
    members: impl Iterator<Item = u32>,
    render_limit: usize,
) -> (Vec<PathGroup>, u64) {
    // Hash first (no strings per object), render one path per hash group, then merge groups
    // whose rendered normalised paths coincide (the hash is finer than the text).
    let mut by_key: HashMap<(u32, u64), Acc> = HashMap::new();
    for v in members {
        let Some(key) = paths.group_key(snap, v) else {
            continue;
        };
        let acc = by_key.entry((classes.class_of[v as usize], key)).or_insert(Acc { example: v, ..Acc::default() });
        acc.count += 1;
        acc.self_size += snap.node_self_size[v as usize];
        acc.retained += retained[v as usize];
    }
    let mut merged: HashMap<(u32, String), PathGroup> = HashMap::new();
    let mut keys: Vec<_> = by_key.into_iter().collect();
    // Largest first; the example breaks ties deterministically.
    keys.sort_by(|(_, a), (_, b)| {
        b.retained.cmp(&a.retained).then(b.count.cmp(&a.count)).then(a.example.cmp(&b.example))
    });
    let mut unrendered = 0u64;
    if render_limit > 0 && keys.len() > render_limit {
        unrendered = (keys.len() - render_limit) as u64;
        keys.truncate(render_limit);
    }
    for ((class, _), acc) in keys {
        let Some(example) = paths.path_to(snap, acc.example) else {
            continue;
        };
        let g = merged.entry((class, example.normalized.clone())).or_insert_with(|| PathGroup {
            class: classes.name(snap, class).to_string(),
            path: example.normalized.clone(),
            example,
            count: 0,
            self_size: 0,
            retained_size: 0,
        });
        g.count += acc.count;
        g.self_size += acc.self_size;
        g.retained_size += acc.retained;
    }
    let mut out: Vec<PathGroup> = merged.into_values().collect();
    out.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.class.cmp(&b.class))
            .then_with(|| a.path.cmp(&b.path))
    });
    (out, unrendered)
}

/// How many hash groups to render to fill `shown` groups after merging.
pub(crate) fn render_budget(shown: usize) -> usize {
    if shown == 0 {
        0
    } else {
        shown.saturating_mul(4).saturating_add(16)
    }
}
