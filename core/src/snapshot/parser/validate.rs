//! End-of-input checks and assembly: every cross-reference the graph code relies on is
//! verified here, so later code can index the columns without further checks.

use super::columns::{EdgeSink, NodeSink};
use super::error::ParseError;
use super::locations::LocationSink;
use super::meta::Layout;
use super::numbers::{replay, IntSink};
use super::strings::{compact, count_lengths};
use super::traces::{FunctionSink, TreeScanner};
use super::{Ints, ParseOptions};
use crate::snapshot::{AllocationTraces, EdgeType, HeapSnapshot, StringTable, TraceFunction, TraceNode};

/// Where each section's value started, for locating errors found after the fact.
#[derive(Clone, Debug, Default)]
pub(super) struct Offsets {
    pub header: Option<u64>,
    pub nodes: Option<u64>,
    pub edges: Option<u64>,
    pub strings: Option<u64>,
    pub locations: Option<u64>,
    pub trace_functions: Option<u64>,
    pub trace_tree: Option<u64>,
}

pub(super) struct Parts {
    pub layout: Option<Layout>,
    pub nodes: Option<Ints<NodeSink>>,
    pub edges: Option<Ints<EdgeSink>>,
    pub strings: Option<StringTable>,
    pub locations: Option<LocationSink>,
    pub trace_functions: Option<FunctionSink>,
    pub trace_tree: Option<TreeScanner>,
    pub string_lengths: Option<Vec<u8>>,
    pub at: Offsets,
    /// Offset of the end of input.
    pub end: u64,
    pub opts: ParseOptions,
}

/// The string indices the nodes and named edges use, sorted and distinct.
/// `functions`: the allocation traces' functions, whose name and script name are strings too.
fn used_strings(nodes: &NodeSink, edges: &EdgeSink, functions: &[TraceFunction]) -> Result<Vec<u32>, String> {
    let named = edges.edge_type.iter().zip(&edges.edge_name_or_index);
    let named = named.filter(|(&t, _)| !EdgeType::from_u8(t).has_index_name()).map(|(_, &n)| n);
    let named = named.chain(functions.iter().flat_map(|f| [f.name, f.script_name]));
    let mut used = Vec::new();
    used.try_reserve_exact(nodes.node_name.len()).map_err(|_| "out of memory listing the used strings")?;
    used.extend_from_slice(&nodes.node_name);
    used.sort_unstable();
    used.dedup();
    let mut more: Vec<u32> = Vec::new();
    for n in named {
        if used.binary_search(&n).is_err() {
            more.try_reserve(1).map_err(|_| "out of memory listing the used strings")?;
            more.push(n);
        }
    }
    used.try_reserve_exact(more.len()).map_err(|_| "out of memory listing the used strings")?;
    used.extend(more);
    used.sort_unstable();
    used.dedup();
    Ok(used)
}

fn missing(end: u64, what: &str) -> ParseError {
    ParseError::at(end, format!("the file has no {what} (not a complete V8 heap snapshot)"))
}

pub(super) fn assemble(p: Parts) -> Result<HeapSnapshot, ParseError> {
    let end = p.end;
    let layout = p.layout.ok_or_else(|| missing(end, "\"snapshot\" header"))?;
    let (nodes_at, edges_at) = match (p.at.nodes, p.at.edges, p.at.strings) {
        (Some(n), Some(e), Some(_)) => (n, e),
        (None, _, _) => return Err(missing(end, "\"nodes\" array")),
        (_, None, _) => return Err(missing(end, "\"edges\" array")),
        (_, _, None) => return Err(missing(end, "\"strings\" array")),
    };
    let nfc = layout.node_fields() as u64;
    let efc = layout.edge_fields() as u64;

    // Nodes.
    let mut nodes = match p.nodes {
        Some(Ints::Columns(s)) => s,
        Some(Ints::Raw(raw)) => {
            let mut s = NodeSink::new(&layout, raw.len() / nfc as usize);
            replay(raw, &mut s).map_err(|m| ParseError::at(nodes_at, m))?;
            s
        }
        None => return Err(missing(end, "\"nodes\" array")),
    };
    if nodes.values % nfc != 0 {
        return Err(ParseError::at(
            nodes_at,
            format!(
                "the \"nodes\" array holds {} values, not a multiple of the {nfc} fields in snapshot.meta.node_fields",
                nodes.values
            ),
        ));
    }
    let node_count = nodes.nodes() as u64;
    if node_count == 0 {
        return Err(ParseError::at(nodes_at, "the \"nodes\" array is empty (a V8 snapshot always has a root node)"));
    }
    if let Some(declared) = layout.node_count {
        if declared != node_count {
            return Err(ParseError::at(
                nodes_at,
                format!("snapshot.node_count is {declared} but the \"nodes\" array holds {node_count} nodes"),
            ));
        }
    }

    // Edges.
    let mut edges = match p.edges {
        Some(Ints::Columns(s)) => {
            // Range-checked while parsing only if the nodes came first.
            let checked = s.checked_against(node_count);
            let outside = || s.edge_to.iter().position(|&t| u64::from(t) >= node_count);
            if let Some(e) = if checked { None } else { outside() } {
                let offset = u64::from(s.edge_to[e]) * nfc;
                return Err(ParseError::at(
                    edges_at,
                    format!("edge {e} points to node offset {offset} outside the {node_count} nodes"),
                ));
            }
            s
        }
        Some(Ints::Raw(raw)) => {
            let reserve = raw.len() / efc as usize;
            let mut s = EdgeSink::new(&layout, reserve, Some(node_count), p.opts.edge_details);
            replay(raw, &mut s).map_err(|m| ParseError::at(edges_at, m))?;
            s
        }
        None => return Err(missing(end, "\"edges\" array")),
    };
    if edges.values % efc != 0 {
        return Err(ParseError::at(
            edges_at,
            format!(
                "the \"edges\" array holds {} values, not a multiple of the {efc} fields in snapshot.meta.edge_fields",
                edges.values
            ),
        ));
    }
    let edge_count = edges.edges() as u64;
    if let Some(declared) = layout.edge_count {
        if declared != edge_count {
            return Err(ParseError::at(
                edges_at,
                format!("snapshot.edge_count is {declared} but the \"edges\" array holds {edge_count} edges"),
            ));
        }
    }

    // first_edge: the prefix sums of the edge counts, which must end at the number of edges.
    if nodes.edge_sum_overflow {
        return Err(ParseError::at(nodes_at, "the nodes' edge_count fields add up to more than 2^64 edges"));
    }
    let sum = nodes.edge_sum;
    if sum != edge_count {
        return Err(ParseError::at(
            nodes_at,
            format!("the nodes' edge_count fields add up to {sum} edges but the \"edges\" array holds {edge_count}"),
        ));
    }

    // Strings.
    let mut strings = p.strings.ok_or_else(|| missing(end, "\"strings\" array"))?;
    if strings.offsets.is_empty() {
        strings.offsets.push(0);
    }
    let string_count = match &p.string_lengths {
        Some(lengths) => count_lengths(lengths),
        None => strings.len() as u64,
    };
    if u64::from(nodes.max_name) >= string_count {
        let n = nodes.node_name.iter().position(|&s| u64::from(s) >= string_count).unwrap_or(0);
        return Err(ParseError::at(
            nodes_at,
            format!(
                "node {n} has name index {} but the \"strings\" array holds only {string_count} strings",
                nodes.node_name[n]
            ),
        ));
    }
    if let Some((name, e)) = edges.max_name {
        if u64::from(name) >= string_count {
            return Err(ParseError::at(
                edges_at,
                format!("edge {e} has name index {name} but the \"strings\" array holds only {string_count} strings"),
            ));
        }
    }
    let (mut functions, trace_nodes) = trace_parts(p.trace_functions, p.trace_tree, &p.at, string_count)?;
    if let Some(lengths) = p.string_lengths {
        let used = used_strings(&nodes, &edges, &functions).map_err(|m| ParseError::at(end, m))?;
        strings = compact(strings.bytes, &lengths, &used).map_err(|m| ParseError::at(end, m))?;
        drop(lengths);
        // The names now index the kept strings; `used` is sorted and holds every name.
        let renumber = |s: &mut u32| *s = used.binary_search(s).map_or(0, |k| k as u32);
        nodes.node_name.iter_mut().for_each(renumber);
        for f in &mut functions {
            renumber(&mut f.name);
            renumber(&mut f.script_name);
        }
        for (&t, name) in edges.edge_type.iter().zip(edges.edge_name_or_index.iter_mut()) {
            if !EdgeType::from_u8(t).has_index_name() {
                renumber(name);
            }
        }
    }
    strings.bytes.shrink_to_fit();
    strings.offsets.shrink_to_fit();

    // Locations: records naming no node are dropped (see `locations`), a partial record too.
    let locations = match p.locations {
        Some(l) => super::locations::by_node(l.locations, node_count),
        None => Vec::new(),
    };

    Ok(HeapSnapshot {
        strings,
        node_type: nodes.node_type,
        node_name: nodes.node_name,
        node_id: nodes.node_id,
        node_self_size: nodes.node_self_size,
        first_edge: nodes.first_edge,
        node_detachedness: nodes.detachedness,
        edge_type: edges.edge_type,
        edge_name_or_index: edges.edge_name_or_index,
        edge_to: edges.edge_to,
        locations,
        node_trace: nodes.trace,
        traces: AllocationTraces::new(functions, trace_nodes),
    })
}

/// The allocation traces, checked: whole function records whose strings exist, tree nodes
/// naming existing functions. Absent or skipped parts give empty lists.
fn trace_parts(
    functions: Option<FunctionSink>,
    tree: Option<TreeScanner>,
    at: &Offsets,
    string_count: u64,
) -> Result<(Vec<TraceFunction>, Vec<TraceNode>), ParseError> {
    let functions = match functions {
        Some(f) => {
            let offset = at.trace_functions.unwrap_or(0);
            let fields = f.fields() as u64;
            if f.values % fields.max(1) != 0 {
                return Err(ParseError::at(
                    offset,
                    format!(
                        "the \"trace_function_infos\" array holds {} values, not a multiple of the {fields} fields \
                         in snapshot.meta.trace_function_info_fields",
                        f.values
                    ),
                ));
            }
            if u64::from(f.max_string) >= string_count && !f.functions.is_empty() {
                return Err(ParseError::at(
                    offset,
                    format!(
                        "a trace function names string {} but the \"strings\" array holds only {string_count} strings",
                        f.max_string
                    ),
                ));
            }
            f.functions
        }
        None => Vec::new(),
    };
    let mut nodes = tree.map(|t| t.nodes).unwrap_or_default();
    if let Some((i, n)) = nodes.iter().enumerate().find(|(_, n)| n.function as usize >= functions.len()) {
        return Err(ParseError::at(
            at.trace_tree.unwrap_or(0),
            format!(
                "trace_tree node {i} (id {}) names function {} but \"trace_function_infos\" holds {} functions",
                n.id,
                n.function,
                functions.len()
            ),
        ));
    }
    nodes.shrink_to_fit();
    Ok((functions, nodes))
}
