//! Per-class summary of one heap snapshot: how many nodes of each class and their total self
//! size, largest first (the viewer's and `summarizeSnapshot`'s "what is in this heap" table).
//!
//! Classes are HeapDiff's buckets ([`crate::class::Scheme::Bucket`]: "Array", "String", the
//! constructor name for objects, "Code", "Closure", "RegExp", "Number", "Native"); node types that
//! HeapDiff leaves unbucketed are listed under their DevTools class ("(system)", "(string)" for
//! concatenated and sliced strings, ...) so the summary accounts for every node and byte of the
//! file. Unreachable nodes count too.
//!
//! ```
//! use memwatch_core::{snapshot::HeapSnapshot, summary::summarize};
//! assert!(summarize(&HeapSnapshot::default()).is_empty());
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::class::{class_of, Scheme};
use crate::snapshot::HeapSnapshot;

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

/// The HeapDiff bucket (so a summary row and a diff row of the same class match); nodes HeapDiff
/// leaves out get their DevTools class (`(system)`, `(string)` for cons/sliced strings, ...).
fn class_name(snapshot: &HeapSnapshot, n: usize) -> &str {
    class_of(snapshot, n, Scheme::Bucket).or_else(|| class_of(snapshot, n, Scheme::DevTools)).unwrap_or("(unknown)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::NodeType;

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
                ("(system)", 1, 40),
                ("String", 1, 20),
                ("Zed", 1, 20),
                ("(synthetic)", 1, 0),
            ]
        );
        assert_eq!(s.iter().map(|c| c.self_size).sum::<u64>(), 228, "every byte accounted for");
    }
}
