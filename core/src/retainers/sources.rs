//! Source locations of functions: `name (file:line:col)` for closures on retainer paths.
//!
//! The snapshot's `"locations"` give each closure a script id, line and column (0-based); the
//! script's name is in the graph: closure -> `shared` (SharedFunctionInfo) -> `script` (or
//! `script_or_debug_info`, V8 10+) -> the Script node, whose name is the script's URL or path.
//! Paths print 1-based `line:col`, with files below the common directory of the application's
//! scripts shortened to their relative path (`server.js`, `lib/cache.js`); runtime scripts
//! (`node:internal/...`) keep their names.

use std::collections::HashMap;

use crate::snapshot::{EdgeType, HeapSnapshot, NodeType};
use crate::source_files::{app_path, common_root, shown};

/// Script names by script id, shortened for display.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    names: HashMap<u32, String>,
}

impl Sources {
    pub fn new(snap: &HeapSnapshot) -> Sources {
        let mut raw: HashMap<u32, String> = HashMap::new();
        if !snap.has_edge_details() {
            return Sources::default();
        }
        for l in &snap.locations {
            if raw.contains_key(&l.script_id) {
                continue;
            }
            let n = l.node as usize;
            if snap.node_kind(n) != NodeType::Closure {
                continue;
            }
            let Some(name) = script_name(snap, n) else { continue };
            raw.insert(l.script_id, name.to_string());
        }
        let root = common_root(raw.values().filter_map(|s| app_path(s)));
        let names = raw.into_iter().map(|(id, s)| (id, shown(&s, root.as_deref()).to_string())).collect();
        Sources { names }
    }

    /// The shortened name of script `script_id`, if a closure of the snapshot names it.
    pub fn file(&self, script_id: u32) -> Option<&str> {
        self.names.get(&script_id).map(String::as_str)
    }

    /// `file:line:col` (1-based) of node `n`, when the snapshot recorded where it was defined.
    pub fn location(&self, snap: &HeapSnapshot, n: usize) -> Option<String> {
        let l = snap.location_of(n)?;
        let file = self.names.get(&l.script_id).map_or("(unknown script)", String::as_str);
        Some(format!("{file}:{}:{}", u64::from(l.line) + 1, u64::from(l.column) + 1))
    }
}

/// The name of the Script a closure's function belongs to (non-empty), via its
/// SharedFunctionInfo.
fn script_name(snap: &HeapSnapshot, closure: usize) -> Option<&str> {
    let sfi = internal_target(snap, closure, &["shared"])?;
    let script = internal_target(snap, sfi, &["script", "script_or_debug_info"])?;
    // V8 names Script objects by their name; embedders' snapshots (the v8 crate) prefix it.
    let name = snap.node_name_str(script);
    let name = name.strip_prefix("system / Script / ").unwrap_or(name);
    (!name.is_empty()).then_some(name)
}

fn internal_target(snap: &HeapSnapshot, from: usize, names: &[&str]) -> Option<usize> {
    snap.edges_of(from)
        .find(|&e| {
            snap.edge_kind(e) == EdgeType::Internal
                && names.contains(&snap.strings.get(snap.edge_name_or_index[e]))
                && (snap.edge_to[e] as usize) < snap.node_count()
        })
        .map(|e| snap.edge_to[e] as usize)
}
