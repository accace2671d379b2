//! Per-class summary of one heap snapshot: how many nodes of each class and their total self
//! size, largest first (the viewer's and `summarizeSnapshot`'s "what is in this heap" table).
//!
//! Classes are named like HeapDiff's buckets ("Array", "String", the constructor name for
//! objects, "Code", "Closure", "RegExp", "Number", "Native"); node types that HeapDiff leaves
//! unbucketed are listed under their V8 type in parentheses ("(hidden)", "(concatenated string)",
//! ...) so the summary accounts for every node and byte of the file. Unreachable nodes count too.
//!
//! ```
//! use memwatch_core::{snapshot::HeapSnapshot, summary::summarize};
//! assert!(summarize(&HeapSnapshot::default()).is_empty());
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::snapshot::{HeapSnapshot, NodeType};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ClassSummary {
    pub what: String,
    pub count: u64,
    pub self_size: u64,
}

/// The summary, sorted by self size (descending), then count (descending), then name.
pub fn summarize(snapshot: &HeapSnapshot) -> Vec<ClassSummary> {
    let mut by_class: HashMap<&str, (u64, u64)> = HashMap::new();
    for n in 0..snapshot.node_count() {
        let entry = by_class.entry(class_name(snapshot, n)).or_default();
        entry.0 += 1;
        entry.1 += snapshot.node_self_size[n];
    }
    let mut out: Vec<ClassSummary> = by_class
        .into_iter()
        .map(|(what, (count, self_size))| ClassSummary { what: what.to_string(), count, self_size })
        .collect();
    out.sort_by(|a, b| b.self_size.cmp(&a.self_size).then(b.count.cmp(&a.count)).then_with(|| a.what.cmp(&b.what)));
    out
}

/// HeapDiff's bucket names, so a summary row and a diff row of the same class match; the types
/// HeapDiff leaves out get a parenthesised name here.
fn class_name(snapshot: &HeapSnapshot, n: usize) -> &str {
    let kind = snapshot.node_kind(n);
    if kind == NodeType::Object {
        return snapshot.node_name_str(n);
    }
    if let Some(bucket) = crate::diff::bucket_of(kind) {
        return bucket;
    }
    match kind {
        NodeType::Hidden => "(hidden)",
        NodeType::Synthetic => "(synthetic)",
        NodeType::ConsString => "(concatenated string)",
        NodeType::SlicedString => "(sliced string)",
        NodeType::Symbol => "(symbol)",
        NodeType::BigInt => "(bigint)",
        NodeType::ObjectShape => "(object shape)",
        _ => "(unknown)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(nodes: &[(NodeType, &str, u64)]) -> HeapSnapshot {
        let mut g = HeapSnapshot::default();
        for &(t, name, size) in nodes {
            g.node_type.push(t as u8);
            let idx = g.strings.push(name);
            g.node_name.push(idx);
            g.node_id.push(g.node_id.len() as u32 * 2 + 1);
            g.node_self_size.push(size);
        }
        g.first_edge = vec![0; nodes.len() + 1];
        g
    }

    #[test]
    fn groups_by_class_and_sorts_by_self_size() {
        let g = graph(&[
            (NodeType::Synthetic, "", 0),
            (NodeType::Object, "LeakingClass", 24),
            (NodeType::Object, "LeakingClass", 24),
            (NodeType::Array, "", 100),
            (NodeType::String, "hello", 20),
            (NodeType::Object, "Zed", 20),
            (NodeType::Hidden, "system / Map", 40),
        ]);
        let s = summarize(&g);
        let rows: Vec<(&str, u64, u64)> = s.iter().map(|c| (c.what.as_str(), c.count, c.self_size)).collect();
        assert_eq!(
            rows,
            vec![
                ("Array", 1, 100),
                ("LeakingClass", 2, 48),
                ("(hidden)", 1, 40),
                ("String", 1, 20),
                ("Zed", 1, 20),
                ("(synthetic)", 1, 0),
            ]
        );
        assert_eq!(s.iter().map(|c| c.self_size).sum::<u64>(), 228, "every byte accounted for");
    }
}
