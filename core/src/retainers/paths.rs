//! Shortest retainer paths from the root, with hops named the way a developer reads code.
//!
//! ## Which path
//! One path per node, found by a single shortest-path search from the root (node 0) over the
//! same essential edges as the dominator tree (no weak edges, no shortcuts except the root's).
//! Plain BFS would often pick V8-internal detours — through `(GC roots)` / `(Handle scope)`,
//! feedback vectors, maps and code objects — because they are as short as the path through the
//! user's variables. So edges have small integer costs and the search is Dial's algorithm (a
//! bucket-queue Dijkstra, O(n + m) for bounded integer costs):
//!
//! | edge                                                      | cost |
//! |-----------------------------------------------------------|------|
//! | property, element, context, shortcut from the root        | 1    |
//! | internal (`table`, `context`, `elements`, Map slots, ...) | 2    |
//! | hidden                                                    | 4    |
//! | + target is V8-internal (hidden, code, object shape, synthetic) | +3 |
//! | + source is `(Global handles)` or `(Strong roots)`          | +4 |
//! | source is `(Handle scope)` or `(Identity map)`              | last resort |
//! | a `(Strong roots)` entry registered by C++ (`12 / IdentityMapBase`) | last resort |
//!
//! `(Handle scope)`, `(Identity map)` and the strong roots C++ code registers for a while (the
//! identity map of a compile job's canonical handles) hold whatever that code had a handle to
//! when the snapshot was taken: transient holders that would
//! otherwise win over the user's variable whenever they happen to point at the object. A fixed
//! extra cost is not enough: at +10 they won in about one `memwatch run` corpus run in three,
//! and at +100 still in about one in fifteen, when the handle pointed deep into a chain (an
//! older link of the shared-closure-context leak: every object past it was then "held" by the
//! handle scope). So their edges are followed only after everything else reachable is settled:
//! they name only objects that nothing else reaches.
//! `(Global handles)` and `(Strong roots)` hold what the runtime keeps (an embedder's context,
//! timer callbacks, V8's own tables): a path through them is a detour when a variable of the
//! program also reaches the object. So a path through user-visible edges wins unless it is
//! much longer; where the runtime's handles are the only way in (every path under `memwatch
//! run` starts at a global handle), the extra cost is the same for all paths.
//!
//! ## How a path reads
//! `(global) leakyCache -> Map table -> [k17] -> LeakingClass`,
//! `(global) holderAdd -> add (closure) -> context -> cachedItems -> [3] -> Object`:
//! the root's shortcut to a global object is `(global)` (as is a native context's `global_object`
//! edge, the way embedders' snapshots reach it); property and context-variable edges by
//! name; element edges as `[i]`; internal edges as `Owner edge` (`Map table`); a closure's
//! `context` edge after the closure; a value slot in a `Map`'s backing table as `[key]` with the
//! key read from the slot before it (V8's OrderedHashMap stores key, value, chain), a key slot as
//! `(key)`. Each path also
//! has a normalised form (`[*]` for every index or key) used to group many objects.

use serde::{Deserialize, Serialize};

use crate::snapshot::{EdgeType, HeapSnapshot, NodeType};

use super::dominators::NONE;
use super::essential::EdgeFilter;
use super::sources::Sources;
use crate::sliced;

/// Cost-limited shortest-path tree from the root: for each node, the edge it was reached by.
pub struct RetainerPaths {
    parent_node: Vec<u32>,
    /// Global edge index; `u64::MAX` for the root and unreachable nodes.
    parent_edge: Vec<u64>,
    /// Hash of the normalised path from the root to each node (edge types, index-free edge
    /// names, owner types and names), built parent-first during the search (as each node is
    /// settled) so that grouping costs O(1) per object even when paths are very deep.
    path_hash: Vec<u64>,
    /// Script names, for closures' `name (file:line:col)`.
    sources: Sources,
}

/// One step of a path: the edge from the previous node to `node_index`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "RetainerHop"))]
pub struct Hop {
    /// V8 edge type: `property`, `element`, `context`, `internal`, `hidden`, `shortcut`.
    pub edge_type: String,
    /// The raw edge name (or index, as text).
    pub edge_name: String,
    pub node_index: u32,
    /// V8's object id (stable across snapshots of one isolate; DevTools shows it as `@id`).
    pub node_id: u32,
    /// How the target reads: class name, `add (closure)`, `"k17"`, `(GC roots)`.
    pub node: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct RetainerPath {
    /// From the root's first edge to the object itself; of a very long path only the first and
    /// last 32 hops, the others counted in `omitted_hops`.
    #[cfg_attr(feature = "ts", tsify(type = "RetainerHop[]"))]
    pub hops: Vec<Hop>,
    /// Hops left out of `hops` in the middle of a long path.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted_hops: u64,
    /// `(global) leakyCache -> Map table -> [k17] -> LeakingClass`
    pub text: String,
    /// The same with indices and keys replaced by `[*]`: the grouping key.
    pub normalized: String,
}

/// Largest edge cost: hidden (4) into a V8-internal node (+3) out of a runtime root group (+4).
const MAX_COST: usize = 11;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl RetainerPaths {
    pub fn compute(snap: &HeapSnapshot) -> RetainerPaths {
        Self::compute_with(snap, &EdgeFilter::new(snap))
    }

    pub fn compute_with(snap: &HeapSnapshot, filter: &EdgeFilter) -> RetainerPaths {
        let n = snap.node_count();
        let mut parent_node = vec![NONE; n];
        let mut parent_edge = vec![u64::MAX; n];
        if n == 0 {
            return RetainerPaths { parent_node, parent_edge, path_hash: Vec::new(), sources: Sources::default() };
        }
        let mut dist = vec![u32::MAX; n];
        let mut path_hash = vec![0u64; n];
        let mut buckets: Vec<Vec<u32>> = (0..=MAX_COST).map(|_| Vec::new()).collect();
        dist[0] = 0;
        // Dial's algorithm, one node per step (`sliced`): `current` is bucket `d` being drained.
        // Root groups whose edges cost more or come last (see the module docs).
        let detours: Vec<(u32, Detour)> = (0..n)
            .filter(|&v| snap.node_kind(v) == NodeType::Synthetic)
            .filter_map(|v| detour_of(snap.node_name_str(v)).map(|c| (v as u32, c)))
            .collect();
        let mut d: u32 = 0;
        let mut current: Vec<u32> = vec![0];
        let mut next = 0usize;
        // Nodes queued in `buckets`.
        let mut pending = 0usize;
        // Last-resort groups reached so far, expanded once nothing else is left (`late`).
        let mut deferred: Vec<u32> = Vec::new();
        let mut late = false;
        sliced::run(|| {
            if let Some(&v) = current.get(next) {
                next += 1;
                if dist[v as usize] != d {
                    return true; // settled earlier at a smaller distance
                }
                // `v` is settled: the edge it was last reached by is its path's, and its parent
                // was settled before it (every edge costs at least 1), so both hashes are final.
                // Hashing here rather than at each relaxation hashes every node once.
                let (p, pe) = (parent_node[v as usize], parent_edge[v as usize]);
                if pe != u64::MAX {
                    let (p, pe) = (p as usize, pe as usize);
                    // A hop repeating the one that reached `p` (`next` in a linked chain) keeps
                    // `p`'s hash: chain members at any depth group together.
                    path_hash[v as usize] = match parent_edge[p] {
                        ppe if ppe != u64::MAX && same_hop(snap, parent_node[p] as usize, ppe as usize, p, pe) => {
                            path_hash[p]
                        }
                        _ => hop_hash(snap, path_hash[p], p, pe),
                    };
                }
                // The same for every edge of `v`: looked up once per node, not once per edge.
                let group = detours.iter().find(|d| d.0 == v).map(|d| d.1);
                let detour = match group {
                    None => 0,
                    Some(Detour::Extra(c) | Detour::StrongRoots(c)) => c,
                    Some(Detour::LastResort) if late => 0,
                    Some(Detour::LastResort) => {
                        deferred.push(v);
                        return true;
                    }
                };
                // Registered entries wait for the late phase, which expands the group again.
                let defer_registered = !late && matches!(group, Some(Detour::StrongRoots(_)));
                if defer_registered {
                    deferred.push(v);
                }
                for e in snap.edges_of(v as usize) {
                    if !filter.is_essential(snap, v, e) || (defer_registered && is_registered_root(snap, e)) {
                        continue;
                    }
                    let w = snap.edge_to[e] as usize;
                    let nd = d + edge_cost(snap, e, w) + detour;
                    if nd < dist[w] {
                        dist[w] = nd;
                        parent_node[w] = v;
                        parent_edge[w] = e as u64;
                        // Costs are 1..=MAX_COST, so nothing lands in the bucket being drained.
                        buckets[nd as usize % (MAX_COST + 1)].push(w as u32);
                        pending += 1;
                    }
                }
                return true;
            }
            if pending == 0 {
                if late || deferred.is_empty() {
                    return false;
                }
                // Everything else reachable is settled: what the last-resort groups reach now is
                // reached through them only. Their edges start one step further out.
                late = true;
                d += 1;
                for &v in &deferred {
                    dist[v as usize] = d;
                }
                current = std::mem::take(&mut deferred);
                next = 0;
                return true;
            }
            // Bucket `d` is done: keep its capacity, move on to `d + 1`.
            current.clear();
            let b = d as usize % (MAX_COST + 1);
            if buckets[b].is_empty() {
                buckets[b] = std::mem::take(&mut current);
            }
            d += 1;
            current = std::mem::take(&mut buckets[d as usize % (MAX_COST + 1)]);
            pending -= current.len();
            next = 0;
            true
        });
        RetainerPaths { parent_node, parent_edge, path_hash, sources: Sources::new(snap) }
    }

    pub fn is_reachable(&self, n: u32) -> bool {
        match self.parent_edge.get(n as usize) {
            Some(&e) => n == 0 || e != u64::MAX,
            None => false,
        }
    }

    /// Edges from the root to `n` (empty for the root), as (from node, edge index) pairs, or
    /// `None` when `n` is not reachable. Written into `out` to let callers reuse the buffer.
    pub fn edges_to(&self, n: u32, out: &mut Vec<(u32, usize)>) -> bool {
        out.clear();
        if !self.is_reachable(n) {
            return false;
        }
        // Counted first: a chain's path can be 500,000 hops, and doubling growth would hold
        // up to twice that (plus the copy) at once.
        let (mut x, mut len) = (n as usize, 0usize);
        while x != 0 {
            len += 1;
            x = self.parent_node[x] as usize;
        }
        out.reserve_exact(len);
        x = n as usize;
        while x != 0 {
            out.push((self.parent_node[x], self.parent_edge[x] as usize));
            x = self.parent_node[x] as usize;
        }
        out.reverse();
        true
    }

    /// The node `n` was reached from on its path (`None` for the root and unreachable nodes).
    pub fn parent(&self, n: u32) -> Option<u32> {
        match self.parent_node.get(n as usize) {
            Some(&p) if n != 0 && p != NONE => Some(p),
            _ => None,
        }
    }

    /// The edge `n` was reached by on its path (`None` for the root and unreachable nodes).
    pub fn parent_edge(&self, n: u32) -> Option<usize> {
        match self.parent_edge.get(n as usize) {
            Some(&e) if n != 0 && e != u64::MAX => Some(e as usize),
            _ => None,
        }
    }

    /// Script names for closures' source locations.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// The retainer path of node `n`, or `None` when it is not reachable from the root.
    pub fn path_to(&self, snap: &HeapSnapshot, n: u32) -> Option<RetainerPath> {
        let mut edges = Vec::new();
        if !self.edges_to(n, &mut edges) {
            return None;
        }
        Some(render(snap, &self.sources, &edges, n))
    }

    /// A 64-bit hash of `path_to(n).normalized` without building it (for grouping many nodes);
    /// `None` when unreachable.
    pub fn group_key(&self, snap: &HeapSnapshot, n: u32) -> Option<u64> {
        if !self.is_reachable(n) {
            return None;
        }
        let h = mix(self.path_hash[n as usize], snap.node_type[n as usize] as u64);
        Some(mix(h, group_name_token(snap, n as usize) as u64))
    }
}

#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(0x0100_0000_01b3).rotate_left(17)
}

/// Path hash of the child reached from `from` (whose path hash is `h`) by edge `e`.
#[inline]
fn hop_hash(snap: &HeapSnapshot, h: u64, from: usize, e: usize) -> u64 {
    let h = mix(h, ekind(snap, e) as u64);
    let h = mix(h, edge_name_token(snap, e) as u64);
    let h = mix(h, snap.node_type[from] as u64);
    mix(h, snap.node_name[from] as u64)
}

/// Whether hop `e2` leaving `b` repeats hop `e1` leaving `a` (same edge type and name, owners of
/// the same type and name), as links of a chain do.
#[inline]
fn same_hop(snap: &HeapSnapshot, a: usize, e1: usize, b: usize, e2: usize) -> bool {
    ekind(snap, e1) == ekind(snap, e2)
        && ename(snap, e1) == ename(snap, e2)
        && !ekind(snap, e1).has_index_name()
        && snap.node_type[a] == snap.node_type[b]
        && snap.node_name[a] == snap.node_name[b]
}

/// Edge type, `Unknown` when the snapshot was parsed without edge details (never panics).
#[inline]
fn ekind(snap: &HeapSnapshot, e: usize) -> EdgeType {
    snap.edge_type.get(e).map_or(EdgeType::Unknown, |&t| EdgeType::from_u8(t))
}

/// Edge name string index or element index (`u32::MAX`, which reads as "", without details).
#[inline]
fn ename(snap: &HeapSnapshot, e: usize) -> u32 {
    snap.edge_name_or_index.get(e).copied().unwrap_or(u32::MAX)
}

fn is_v8_internal_node(t: NodeType) -> bool {
    matches!(t, NodeType::Hidden | NodeType::Code | NodeType::ObjectShape | NodeType::Synthetic)
}

/// How the search treats edges out of a root group that holds things for the runtime rather
/// than for the program (see the module docs).
#[derive(Clone, Copy)]
enum Detour {
    /// Long-lived handles: a small extra cost per edge.
    Extra(u32),
    /// Transient C++ handles: followed only to what nothing else reaches.
    LastResort,
    /// `(Strong roots)`: V8's root list costs extra like long-lived handles; the entries C++
    /// code registered for a while (`12 / IdentityMapBase`: a compile job's canonical handles)
    /// are a last resort.
    StrongRoots(u32),
}

fn detour_of(group: &str) -> Option<Detour> {
    match group {
        "(Handle scope)" | "(Identity map)" => Some(Detour::LastResort),
        "(Global handles)" => Some(Detour::Extra(4)),
        "(Strong roots)" => Some(Detour::StrongRoots(4)),
        _ => None,
    }
}

/// A `(Strong roots)` edge named `index / label`: an entry registered by C++ code
/// (`Heap::RegisterStrongRoots`), not a slot of V8's root list (which is named by the root,
/// `empty_fixed_array`).
fn is_registered_root(snap: &HeapSnapshot, e: usize) -> bool {
    if ekind(snap, e).has_index_name() {
        return false; // an element index, not a string
    }
    let name = snap.strings.get(ename(snap, e));
    name.split_once(" / ").is_some_and(|(index, _)| is_digits(index))
}

fn edge_cost(snap: &HeapSnapshot, e: usize, to: usize) -> u32 {
    let base = match ekind(snap, e) {
        EdgeType::Property | EdgeType::Element | EdgeType::Context | EdgeType::Shortcut => 1,
        EdgeType::Internal => 2,
        _ => 4,
    };
    base + if is_v8_internal_node(snap.node_kind(to)) { 3 } else { 0 }
}

/// Grouping token of an edge name: indices and numeric slots all map to one value.
fn edge_name_token(snap: &HeapSnapshot, e: usize) -> u32 {
    match ekind(snap, e) {
        EdgeType::Element | EdgeType::Hidden => u32::MAX,
        EdgeType::Internal if is_digits(snap.strings.get(ename(snap, e))) => u32::MAX,
        _ => ename(snap, e),
    }
}

/// Grouping token of the path's target: its class (string contents don't split groups).
fn group_name_token(snap: &HeapSnapshot, n: usize) -> u32 {
    match snap.node_kind(n) {
        NodeType::Object | NodeType::Native => snap.node_name[n],
        _ => u32::MAX,
    }
}

/// Element, hidden, or numeric internal (array slot) edge.
fn is_index_hop(snap: &HeapSnapshot, e: usize) -> bool {
    edge_name_token(snap, e) == u32::MAX
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// How a node reads in a path (closures without their source location).
pub fn node_label(snap: &HeapSnapshot, n: usize) -> String {
    label(snap, &Sources::default(), n)
}

/// How a node reads in a path: closures as `name (file:line:col)` when the snapshot recorded
/// where they were defined (`(anonymous) (server.js:29:18)`), else `name (closure)`.
fn label(snap: &HeapSnapshot, sources: &Sources, n: usize) -> String {
    let name = snap.node_name_str(n);
    let or = |fallback: &str| {
        if name.is_empty() {
            fallback.to_string()
        } else {
            truncate(name, 60)
        }
    };
    match snap.node_kind(n) {
        NodeType::Object | NodeType::Native => or("Object"),
        NodeType::Closure => {
            let f = if name.is_empty() { "(anonymous)" } else { name };
            match sources.location(snap, n) {
                Some(at) => format!("{} ({at})", truncate(f, 60)),
                None => format!("{} (closure)", truncate(f, 60)),
            }
        }
        NodeType::String | NodeType::ConsString | NodeType::SlicedString => {
            format!("\"{}\"", truncate(name, 40))
        }
        NodeType::Array => or("(array)"),
        NodeType::Hidden => or("(system)"),
        NodeType::Code => or("(compiled code)"),
        NodeType::Synthetic => or("(synthetic)"),
        NodeType::RegExp => format!("/{}/", truncate(name, 40)),
        NodeType::HeapNumber => "(number)".into(),
        NodeType::Symbol => "(symbol)".into(),
        NodeType::BigInt => "(bigint)".into(),
        NodeType::ObjectShape => or("(object shape)"),
        NodeType::Unknown => or("(unknown)"),
    }
}

/// The target's label in the normalised path: strings by type, not contents.
fn node_group_label(snap: &HeapSnapshot, sources: &Sources, n: usize) -> String {
    match snap.node_kind(n) {
        NodeType::String | NodeType::ConsString | NodeType::SlicedString => "(string)".into(),
        _ => label(snap, sources, n),
    }
}

fn edge_name(snap: &HeapSnapshot, e: usize) -> String {
    if ekind(snap, e).has_index_name() {
        ename(snap, e).to_string()
    } else {
        snap.strings.get(ename(snap, e)).to_string()
    }
}

/// Label of slot `slot` of a Map's backing table (V8's OrderedHashMap stores entries as key,
/// value, chain): a value slot reads `[key]`, with the key from the slot before; a key slot
/// (its value in the slot after) reads `(key)`. `None` when neither neighbour is an object.
fn map_slot_label(snap: &HeapSnapshot, sources: &Sources, table: usize, slot: u64) -> Option<String> {
    let slot_edge = |s: u64| {
        let s = s.to_string();
        snap.edges_of(table).find(|&e| ekind(snap, e) == EdgeType::Internal && snap.strings.get(ename(snap, e)) == s)
    };
    if let Some(e) = slot.checked_sub(1).and_then(slot_edge) {
        let k = snap.edge_to[e] as usize;
        return Some(match snap.node_kind(k) {
            NodeType::String | NodeType::ConsString | NodeType::SlicedString => {
                format!("[{}]", truncate(snap.node_name_str(k), 40))
            }
            _ => format!("[{}@{}]", label(snap, sources, k), snap.node_id[k]),
        });
    }
    slot_edge(slot + 1).map(|_| "(key)".to_string())
}

/// Renders the hops `edges` (from the root) ending at `target`.
fn render(snap: &HeapSnapshot, sources: &Sources, edges: &[(u32, usize)], target: u32) -> RetainerPath {
    let mut hops = Vec::with_capacity(edges.len().min(2 * KEEP_HOPS));
    let mut omitted_hops = 0u64;
    // (text, normalized) segments; `glue_space` joins "(global) leakyCache" with a space.
    // Runs collapse as the segments come, so a chain of 500,000 `next` hops holds one segment.
    let mut segs = Runs::default();
    let mut glue_space = false;
    let mut prev_edge: Option<usize> = None;
    // The name string of the previous hop when its segment was just that name (a property,
    // context variable or shortcut): the same name again is the same segment, counted without
    // building it (a 500,000-link chain renders without a string per link).
    let mut named_run: Option<u32> = None;
    for (k, &(a, e)) in edges.iter().enumerate() {
        let a = a as usize;
        let b = snap.edge_to[e] as usize;
        let kind = ekind(snap, e);
        // The hop reads as its edge name: a property, context variable or shortcut of an
        // ordinary object (the root's hops, the global object and root groups read otherwise).
        let by_name = matches!(kind, EdgeType::Property | EdgeType::Context | EdgeType::Shortcut)
            && a != 0
            && !is_global_object_edge(snap, a, e)
            && !(snap.node_kind(a) == NodeType::Synthetic && snap.node_kind(b) == NodeType::Synthetic);
        let kept = k < KEEP_HOPS || k + KEEP_HOPS >= edges.len();
        if by_name && named_run == Some(ename(snap, e)) {
            segs.repeat_last();
            if kept {
                hops.push(hop(snap, sources, kind, edge_name(snap, e), b));
            } else {
                omitted_hops += 1;
            }
            prev_edge = Some(e);
            continue;
        }
        named_run = by_name.then(|| ename(snap, e));
        let name = edge_name(snap, e);
        let seg: Option<(String, String)> = if by_name {
            // After `[i]` the object is anonymous in code: name its class first
            // (`[k17] -> LeakingClass -> payload`).
            if prev_edge.is_some_and(|pe| is_index_hop(snap, pe)) {
                let l = label(snap, sources, a);
                segs.push((l.clone(), node_group_label(snap, sources, a)));
            }
            let t = truncate(&name, 80);
            Some((t.clone(), t))
        } else if a == 0 {
            if kind == EdgeType::Shortcut && snap.node_kind(b) == NodeType::Object {
                glue_space = true;
                Some(("(global)".into(), "(global)".into()))
            } else {
                let l = label(snap, sources, b);
                Some((l.clone(), l))
            }
        } else if is_global_object_edge(snap, a, e) {
            // Embedders' snapshots have no root shortcut to the global object (V8 adds one only
            // for contexts a GC root holds directly); their paths reach it as `(GC roots) ->
            // (Global handles) -> [i] -> system / NativeContext global_object`. Read it as Node's.
            segs.clear();
            glue_space = true;
            Some(("(global)".into(), "(global)".into()))
        } else if snap.node_kind(a) == NodeType::Synthetic && snap.node_kind(b) == NodeType::Synthetic {
            let l = label(snap, sources, b);
            Some((l.clone(), l))
        } else {
            match kind {
                EdgeType::Element => Some((format!("[{name}]"), "[*]".into())),
                EdgeType::Internal if is_digits(&name) => {
                    // A slot of an internal array; in a Map's table, show the entry's key.
                    let in_map_table = prev_edge.is_some_and(|pe| {
                        let owner = edges[k - 1].0 as usize;
                        ekind(snap, pe) == EdgeType::Internal
                            && snap.strings.get(ename(snap, pe)) == "table"
                            && snap.node_name_str(owner) == "Map"
                    });
                    let label = match name.parse::<u64>() {
                        Ok(slot) if in_map_table => map_slot_label(snap, sources, a, slot),
                        _ => None,
                    };
                    Some((label.unwrap_or_else(|| format!("[{name}]")), "[*]".into()))
                }
                EdgeType::Internal if snap.node_kind(a) == NodeType::Closure => {
                    let l = label(snap, sources, a);
                    segs.push((l.clone(), l));
                    Some((name.clone(), name.clone()))
                }
                EdgeType::Internal => {
                    let t = format!("{} {}", label(snap, sources, a), truncate(&name, 80));
                    Some((t.clone(), t))
                }
                _ => {
                    let l = label(snap, sources, a);
                    Some((format!("{l} [{name}]"), format!("{l} [*]")))
                }
            }
        };
        if let Some(s) = seg {
            segs.push(s);
        }
        if kept {
            hops.push(hop(snap, sources, kind, name, b));
        } else {
            omitted_hops += 1;
        }
        prev_edge = Some(e);
    }
    let t = target as usize;
    // Synthetic targets were already named by their hop.
    if edges.is_empty() || snap.node_kind(t) != NodeType::Synthetic {
        segs.push((label(snap, sources, t), node_group_label(snap, sources, t)));
    }
    let segs = shorten(segs.finish());
    let join = |pick: fn(&(String, String)) -> &String| {
        let mut s = String::new();
        for (i, seg) in segs.iter().enumerate() {
            if i > 0 {
                s.push_str(if i == 1 && glue_space { " " } else { " -> " });
            }
            s.push_str(pick(seg));
        }
        s
    };
    RetainerPath { text: join(|s| &s.0), normalized: join(|s| &s.1), hops, omitted_hops }
}

/// Path segments as (text, normalized), with runs of the same hop (`next -> next -> next`, a
/// linked chain) read as one: `next x3` (normalised `next x*`, so members at any depth of a chain
/// share a path).
#[derive(Default)]
struct Runs {
    segs: Vec<((String, String), usize)>,
}

/// The hop to `b` by an edge of `kind` named `name`.
fn hop(snap: &HeapSnapshot, sources: &Sources, kind: EdgeType, name: String, b: usize) -> Hop {
    Hop {
        edge_type: edge_type_name(kind).into(),
        edge_name: name,
        node_index: b as u32,
        node_id: snap.node_id[b],
        node: label(snap, sources, b),
    }
}

impl Runs {
    /// The last segment once more (the caller knows it would be equal).
    fn repeat_last(&mut self) {
        if let Some((_, run)) = self.segs.last_mut() {
            *run += 1;
        }
    }

    fn push(&mut self, seg: (String, String)) {
        match self.segs.last_mut() {
            Some((last, run)) if last.0 == seg.0 => *run += 1,
            _ => self.segs.push((seg, 1)),
        }
    }

    fn clear(&mut self) {
        self.segs.clear();
    }

    fn finish(self) -> Vec<(String, String)> {
        self.segs
            .into_iter()
            .map(|(seg, run)| match run {
                1 => seg,
                _ => (format!("{} x{run}", seg.0), format!("{} x*", seg.1)),
            })
            .collect()
    }
}

/// Paths longer than [`MAX_SEGMENTS`] keep their start and end and say how many segments were
/// left out in between (never cut at the end: the holder is near the start, the object at the end).
fn shorten(segs: Vec<(String, String)>) -> Vec<(String, String)> {
    if segs.len() <= MAX_SEGMENTS {
        return segs;
    }
    let n = segs.len();
    let left_out = n - 2 * KEEP_SEGMENTS;
    let mut out: Vec<(String, String)> = Vec::with_capacity(2 * KEEP_SEGMENTS + 1);
    let mut it = segs.into_iter();
    out.extend(it.by_ref().take(KEEP_SEGMENTS));
    out.push((format!("... ({left_out} hops) ..."), "...".to_string()));
    out.extend(it.skip(left_out));
    out
}

/// Longest rendered path, in segments, before its middle is left out.
const MAX_SEGMENTS: usize = 40;
/// Segments kept at each end of a shortened path.
const KEEP_SEGMENTS: usize = 16;
/// Hops listed at each end of a path's `hops` (JSON); the rest are counted in `omitted_hops`.
const KEEP_HOPS: usize = 32;

/// The native context's edge to its global object.
fn is_global_object_edge(snap: &HeapSnapshot, from: usize, e: usize) -> bool {
    ekind(snap, e) == EdgeType::Internal
        && snap.strings.get(ename(snap, e)) == "global_object"
        && snap.node_name_str(from) == "system / NativeContext"
}

fn edge_type_name(t: EdgeType) -> &'static str {
    match t {
        EdgeType::Context => "context",
        EdgeType::Element => "element",
        EdgeType::Property => "property",
        EdgeType::Internal => "internal",
        EdgeType::Hidden => "hidden",
        EdgeType::Shortcut => "shortcut",
        EdgeType::Weak => "weak",
        EdgeType::Unknown => "unknown",
    }
}
