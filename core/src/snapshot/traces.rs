//! Allocation traces: where V8 says each object was allocated, when the snapshot was taken with
//! heap object tracking on (Node's `--track-heap-objects`, DevTools' "allocation
//! instrumentation", `memwatch run --track-allocations`).
//!
//! The file carries `trace_function_infos` (one record per function seen on an allocation stack:
//! name and script name as string indices, script id, line, column) and `trace_tree` (the tree of
//! allocation stacks: each node a function called from its parent, the top node being V8's
//! `(root)`); each heap node's `trace_node_id` names the stack that allocated it (0: unknown).
//! Lines and columns are 1-based as V8 writes them here (unlike `"locations"`), 0 when unknown.

/// One `trace_function_infos` record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceFunction {
    /// String index of the function's name (empty for anonymous functions).
    pub name: u32,
    /// String index of its script's name (URL or path).
    pub script_name: u32,
    pub script_id: u32,
    /// 1-based; 0 when V8 did not know.
    pub line: u32,
    /// 1-based; 0 when V8 did not know.
    pub column: u32,
}

/// One `trace_tree` node: `function` (an index into [`AllocationTraces::functions`]) called from
/// the node `parent` (an index into [`AllocationTraces::nodes`], [`NO_PARENT`] for a top node).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceNode {
    pub id: u32,
    pub function: u32,
    pub parent: u32,
}

/// Parent of the tree's top node(s).
pub const NO_PARENT: u32 = u32::MAX;

/// The allocation stacks of a snapshot; empty when it recorded none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllocationTraces {
    pub functions: Vec<TraceFunction>,
    /// In file order: a parent always comes before its children.
    pub nodes: Vec<TraceNode>,
    /// `(id, index in nodes)` sorted by id, for [`AllocationTraces::node_by_id`].
    by_id: Vec<(u32, u32)>,
}

impl AllocationTraces {
    /// Assembles validated parts (every `function` and `parent` in range, parents first).
    pub fn new(functions: Vec<TraceFunction>, nodes: Vec<TraceNode>) -> AllocationTraces {
        let mut by_id: Vec<(u32, u32)> = nodes.iter().enumerate().map(|(i, n)| (n.id, i as u32)).collect();
        by_id.sort_unstable();
        AllocationTraces { functions, nodes, by_id }
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The tree node with trace node id `id` (what a heap node's `trace_node_id` holds).
    pub fn node_by_id(&self, id: u32) -> Option<usize> {
        let i = self.by_id.binary_search_by_key(&id, |x| x.0).ok()?;
        Some(self.by_id[i].1 as usize)
    }

    /// The functions of tree node `node`'s stack, innermost (the allocating function) first,
    /// without the tree's top node (V8's synthetic `(root)`), at most `max`.
    pub fn stack(&self, node: usize, max: usize) -> Vec<&TraceFunction> {
        let mut out = Vec::new();
        let mut x = node;
        // Parents come before children (checked when parsing), so this ends.
        while let Some(n) = self.nodes.get(x) {
            if n.parent == NO_PARENT || out.len() == max {
                break;
            }
            if let Some(f) = self.functions.get(n.function as usize) {
                out.push(f);
            }
            x = n.parent as usize;
        }
        out
    }
}
