//! Which edges retain their target, following Chrome DevTools' "essential edge" rules.
//!
//! DevTools (`HeapSnapshot.ts`, `isEssentialEdge` / `buildPostOrderIndex`) builds its dominator
//! tree over all edges except:
//! 1. weak edges (they do not keep the target alive);
//! 2. shortcut edges, except those leaving the root (V8 uses root shortcuts to mark the user's
//!    global objects; elsewhere shortcuts duplicate a real path, e.g. bound function -> target);
//! 3. the WeakMap ephemeron edge from the *table* to a value: V8 names both the key->value and the
//!    table->value edge `"N / part of key (K @k) -> value (V @v) pair in WeakMap (table @T)"`;
//!    either one alone would not keep the value alive, and DevTools keeps the one from the key.
//!
//! We also drop self edges (they never change dominance) and edges whose target is out of range
//! (a corrupt file must not panic a traversal). A snapshot parsed without edge details
//! (`ParseOptions::edge_details = false`) has no edge types: every edge then counts; the
//! high-level entry points refuse such snapshots instead ([`super::RetainersError`]).
//!
//! DevTools' browser-only rule — ignore edges from non-page-owned to page-owned nodes — needs the `Window` objects of a page and has no effect on
//! Node snapshots, so it is not implemented (see docs/retainers.md).

use std::collections::HashMap;

use crate::snapshot::{EdgeType, HeapSnapshot};

/// Precomputed per-snapshot data for [`EdgeFilter::is_essential`].
pub struct EdgeFilter {
    /// Edge-name string index -> WeakMap table id, for names of V8's ephemeron edges.
    weakmap_table_of_name: HashMap<u32, u32>,
    /// Bit per string index: is it a key of `weakmap_table_of_name` (keeps the hash lookup off
    /// the hot path: internal edges are a third of a heap's edges).
    is_weakmap_name: Vec<u64>,
    node_count: u32,
}

impl EdgeFilter {
    pub fn new(snap: &HeapSnapshot) -> EdgeFilter {
        let mut weakmap_table_of_name = HashMap::new();
        let mut is_weakmap_name = vec![0u64; snap.strings.len().div_ceil(64)];
        for i in 0..snap.strings.len() as u32 {
            if let Some(t) = parse_weakmap_table_id(snap.strings.get(i)) {
                weakmap_table_of_name.insert(i, t);
                is_weakmap_name[i as usize / 64] |= 1 << (i % 64);
            }
        }
        EdgeFilter { weakmap_table_of_name, is_weakmap_name, node_count: snap.node_count() as u32 }
    }

    /// Whether edge `e` leaving node `from` keeps its target alive (see the module docs).
    #[inline]
    pub fn is_essential(&self, snap: &HeapSnapshot, from: u32, e: usize) -> bool {
        let to = snap.edge_to[e];
        if to == from || to >= self.node_count {
            return false;
        }
        let Some(&t) = snap.edge_type.get(e) else {
            return true; // parsed without edge details: every edge retains
        };
        match EdgeType::from_u8(t) {
            EdgeType::Weak => false,
            EdgeType::Shortcut => from == 0,
            EdgeType::Internal => {
                let name = snap.edge_name_or_index.get(e).copied().unwrap_or(u32::MAX) as usize;
                let flagged = self.is_weakmap_name.get(name / 64).is_some_and(|w| w >> (name % 64) & 1 == 1);
                if !flagged {
                    return true;
                }
                match self.weakmap_table_of_name.get(&(name as u32)) {
                    Some(&table_id) => snap.node_id[from as usize] != table_id,
                    None => true,
                }
            }
            _ => true,
        }
    }
}

/// `"12 / part of key (Object @5) -> value (Foo @7) pair in WeakMap (table @9)"` -> `Some(9)`.
fn parse_weakmap_table_id(name: &str) -> Option<u32> {
    const TAIL: &str = " pair in WeakMap (table @";
    let rest = name.strip_suffix(')')?;
    let at = rest.rfind(TAIL)?;
    if !name.contains(" / part of key (") {
        return None;
    }
    rest[at + TAIL.len()..].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v8_ephemeron_edge_names() {
        assert_eq!(
            parse_weakmap_table_id("3 / part of key (Object @61) -> value (Array @63) pair in WeakMap (table @59)"),
            Some(59)
        );
        assert_eq!(parse_weakmap_table_id("table"), None);
        assert_eq!(parse_weakmap_table_id("pair in WeakMap (table @x)"), None);
    }
}
