//! The one class model: what class a heap node belongs to, under two named schemes.
//!
//! - [`Scheme::Bucket`]: node-memwatch's HeapDiff buckets. Objects by constructor name, other
//!   node types as `Array`, `String`, `Code`, `Closure`, `RegExp`, `Number`, `Native`; the other
//!   types (hidden, synthetic, cons/sliced strings, symbol, bigint, object shape) have no bucket.
//!   HeapDiff and the per-snapshot summary use it (the summary names the unbucketed types with
//!   their DevTools class, so it accounts for every node).
//! - [`Scheme::DevTools`]: Chrome DevTools' summary classes, used by the retainer views. Objects
//!   and native objects by constructor name, other types in parentheses: `(array)`, `(string)`
//!   (all string representations), `(closure)`, `(system)`, ...
//!
//! A HeapDiff row names a bucket; [`bucket_classes`] says which DevTools classes its nodes have
//! (the viewer's "Who retains this?" selects a bucket's nodes with [`Scheme::Bucket`]).
//!
//! ```
//! use memwatch_core::class::{bucket_classes, Scheme};
//! assert_eq!(bucket_classes("Array"), vec!["(array)".to_string(), "Array".to_string()]);
//! assert_eq!(bucket_classes("Closure"), vec!["(closure)".to_string(), "Closure".to_string()]);
//! assert_eq!(bucket_classes("Session"), vec!["Session".to_string()]);
//! assert_eq!(Scheme::parse("bucket"), Some(Scheme::Bucket));
//! ```

use serde::{Deserialize, Serialize};

use crate::snapshot::{HeapSnapshot, NodeType};

/// A naming scheme for node classes (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum Scheme {
    /// node-memwatch's HeapDiff buckets (`Array`, `String`, `Closure`, constructor names).
    Bucket,
    /// DevTools classes (`(array)`, `(string)`, `(closure)`, constructor names).
    DevTools,
}

impl Scheme {
    /// `"bucket"` or `"devtools"`.
    pub fn parse(s: &str) -> Option<Scheme> {
        match s {
            "bucket" => Some(Scheme::Bucket),
            "devtools" => Some(Scheme::DevTools),
            _ => None,
        }
    }
}

/// The class of node `n` under `scheme`; `None` for nodes the scheme leaves out (only
/// [`Scheme::Bucket`] leaves any out).
pub fn class_of(snap: &HeapSnapshot, n: usize, scheme: Scheme) -> Option<&str> {
    let kind = snap.node_kind(n);
    match scheme {
        Scheme::Bucket if kind == NodeType::Object => Some(snap.node_name_str(n)),
        Scheme::Bucket => bucket_of_type(kind),
        Scheme::DevTools if matches!(kind, NodeType::Object | NodeType::Native) => Some(snap.node_name_str(n)),
        Scheme::DevTools => Some(TYPE_CLASS_NAMES[type_class(kind)]),
    }
}

/// node-memwatch's bucket for a non-object node type (`None`: not reported by HeapDiff).
pub fn bucket_of_type(kind: NodeType) -> Option<&'static str> {
    Some(match kind {
        NodeType::Array => "Array",
        NodeType::String => "String",
        NodeType::Code => "Code",
        NodeType::Closure => "Closure",
        NodeType::RegExp => "RegExp",
        NodeType::HeapNumber => "Number",
        NodeType::Native => "Native",
        _ => return None,
    })
}

/// The DevTools classes whose nodes a HeapDiff bucket can hold: a type bucket holds its node type
/// and objects of the same constructor name (`Array`: V8's internal arrays and JS arrays); any
/// other bucket is a constructor name. `Native` holds every native object, whatever its name,
/// so it maps to itself only.
pub fn bucket_classes(bucket: &str) -> Vec<String> {
    let of_type = [
        (NodeType::Array, "Array"),
        (NodeType::String, "String"),
        (NodeType::Code, "Code"),
        (NodeType::Closure, "Closure"),
        (NodeType::RegExp, "RegExp"),
        (NodeType::HeapNumber, "Number"),
    ];
    match of_type.iter().find(|(_, b)| *b == bucket) {
        Some(&(t, b)) => vec![TYPE_CLASS_NAMES[type_class(t)].to_string(), b.to_string()],
        None => vec![bucket.to_string()],
    }
}

/// Index of a non-object type's DevTools class in [`TYPE_CLASS_NAMES`].
pub(crate) fn type_class(t: NodeType) -> usize {
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
        // Objects and native objects are named by constructor and never get here.
        NodeType::Object | NodeType::Native | NodeType::Unknown => 11,
    }
}

/// DevTools' names of the type classes, by [`type_class`].
pub(crate) const TYPE_CLASS_NAMES: [&str; 12] = [
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

/// DevTools type classes that are V8's own machinery rather than something user code allocates
/// directly (`(string)` and `(closure)` are user-level; `system / *` objects are internal too).
pub const INTERNAL_TYPE_CLASSES: [&str; 6] =
    ["(system)", "(array)", "(compiled code)", "(synthetic)", "(object shape)", "(unknown)"];

/// Whether a DevTools class name is V8-internal (see [`INTERNAL_TYPE_CLASSES`]).
pub fn is_internal_class(name: &str) -> bool {
    name.starts_with("system / ") || INTERNAL_TYPE_CLASSES.contains(&name)
}

/// Whether node `n` is V8-internal (not something user code allocates directly).
pub fn is_internal_node(snap: &HeapSnapshot, n: usize) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(nodes: &[(NodeType, &str)]) -> HeapSnapshot {
        let mut g = HeapSnapshot::default();
        for &(t, name) in nodes {
            g.node_type.push(t as u8);
            let idx = g.strings.push(name);
            g.node_name.push(idx);
            g.node_id.push(g.node_id.len() as u32 * 2 + 1);
            g.node_self_size.push(8);
        }
        g.first_edge = vec![0; nodes.len() + 1];
        g
    }

    #[test]
    fn both_schemes_name_every_kind() {
        let g = graph(&[
            (NodeType::Object, "Session"),
            (NodeType::Array, ""),
            (NodeType::String, "abc"),
            (NodeType::ConsString, "ab"),
            (NodeType::Closure, "f"),
            (NodeType::Native, "Buffer"),
            (NodeType::Hidden, "system / Map"),
            (NodeType::Object, "Array"),
        ]);
        let bucket: Vec<Option<&str>> = (0..8).map(|n| class_of(&g, n, Scheme::Bucket)).collect();
        assert_eq!(
            bucket,
            [
                Some("Session"),
                Some("Array"),
                Some("String"),
                None,
                Some("Closure"),
                Some("Native"),
                None,
                Some("Array")
            ]
        );
        let dev: Vec<Option<&str>> = (0..8).map(|n| class_of(&g, n, Scheme::DevTools)).collect();
        assert_eq!(
            dev,
            [
                Some("Session"),
                Some("(array)"),
                Some("(string)"),
                Some("(string)"),
                Some("(closure)"),
                Some("Buffer"),
                Some("(system)"),
                Some("Array")
            ]
        );
        // Every bucketed node's DevTools class is among its bucket's classes (Native aside).
        for n in 0..8 {
            if let Some(b) = class_of(&g, n, Scheme::Bucket).filter(|b| *b != "Native") {
                let dev = class_of(&g, n, Scheme::DevTools).unwrap().to_string();
                assert!(bucket_classes(b).contains(&dev), "{b}: {dev}");
            }
        }
    }
}
