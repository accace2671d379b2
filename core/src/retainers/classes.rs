//! Class of a node, as DevTools' summary view groups them: objects and native objects by
//! constructor name, everything else by node type (`(closure)`, `(string)`, `(array)`, ...).
//!
//! Class ids are string indices for named objects (V8 deduplicates strings, so equal names share
//! an index) and `strings.len() + type` for the type classes: one `u32` per node, no hashing.

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

    pub fn name<'a>(&self, snap: &'a HeapSnapshot, class: u32) -> &'a str {
        if class >= self.type_base {
            TYPE_CLASS_NAMES.get((class - self.type_base) as usize).copied().unwrap_or("(unknown)")
        } else {
            snap.strings.get(class)
        }
    }

    /// Whether the class is a V8 internal one (not something user code allocates directly).
    pub fn is_internal(&self, snap: &HeapSnapshot, n: usize) -> bool {
        match snap.node_kind(n) {
            NodeType::Hidden
            | NodeType::Code
            | NodeType::Synthetic
            | NodeType::ObjectShape
            | NodeType::Array
            | NodeType::Unknown => true,
            NodeType::Object | NodeType::Native => snap.node_name_str(n).starts_with("system / "),
            _ => false,
        }
    }
}

fn type_class(t: NodeType) -> usize {
    match t {
        NodeType::Hidden => 0,
        NodeType::Array => 1,
        NodeType::String | NodeType::ConsString | NodeType::SlicedString => 2,
        NodeType::Code => 3,
        NodeType::Closure => 4,
        NodeType::RegExp => 5,
        NodeType::HeapNumber => 6,
        NodeType::Synthetic => 7,
        NodeType::Symbol => 8,
        NodeType::BigInt => 9,
        NodeType::ObjectShape => 10,
        // Object/Native never get here.
        NodeType::Object | NodeType::Native | NodeType::Unknown => 11,
    }
}

const TYPE_CLASS_NAMES: [&str; 12] = [
    "(system)",
    "(array)",
    "(string)",
    "(compiled code)",
    "(closure)",
    "(regexp)",
    "(number)",
    "(synthetic)",
    "(symbol)",
    "(bigint)",
    "(object shape)",
    "(unknown)",
];
