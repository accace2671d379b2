//! Class ids of nodes for the retainer views: [`crate::class::Scheme::DevTools`] classes as one
//! `u32` per node, so per-class sums are dense arrays (no hashing per node).
//!
//! Class ids are string indices for named objects (V8 deduplicates strings, so equal names share
//! an index) and `strings.len() + type` for the type classes.

use crate::class::{type_class, TYPE_CLASS_NAMES};
use crate::snapshot::{HeapSnapshot, NodeType};

pub struct Classes {
    /// Class id per node.
    pub class_of: Vec<u32>,
    type_base: u32,
}

impl Classes {
    pub fn new(snap: &HeapSnapshot) -> Classes {
        let type_base = snap.strings.len() as u32;
        let class_of = (0..snap.node_count())
            .map(|n| match snap.node_kind(n) {
                NodeType::Object | NodeType::Native => snap.node_name[n],
                t => type_base + type_class(t) as u32,
            })
            .collect();
        Classes { class_of, type_base }
    }

    /// Number of distinct class ids (for dense per-class arrays).
    pub fn id_count(&self) -> usize {
        self.type_base as usize + TYPE_CLASS_NAMES.len()
    }

    /// The class's name: equals `crate::class::class_of(snap, n, Scheme::DevTools)` for its nodes.
    pub fn name<'a>(&self, snap: &'a HeapSnapshot, class: u32) -> &'a str {
        if class >= self.type_base {
            TYPE_CLASS_NAMES.get((class - self.type_base) as usize).copied().unwrap_or("(unknown)")
        } else {
            snap.strings.get(class)
        }
    }

    /// Whether the node is V8-internal (see [`crate::class::is_internal_node`]).
    pub fn is_internal(&self, snap: &HeapSnapshot, n: usize) -> bool {
        crate::class::is_internal_node(snap, n)
    }
}
