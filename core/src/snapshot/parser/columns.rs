//! Sinks that distribute the flat `"nodes"` / `"edges"` integers into the snapshot's columns,
//! checking what can be checked per value (type indices, 32-bit fields, to_node alignment).

use super::meta::{EdgeRole, Layout, NodeRole};
use super::numbers::IntSink;
use crate::snapshot::EdgeType;

/// Without a size hint, never reserve more than this many nodes/edges up front because the
/// header said so: a lying header must not make us allocate gigabytes. Vectors still grow.
const DEFAULT_RESERVE_CAP: u64 = 1 << 22;

/// How many records to reserve: the header's count, capped by what the file could hold (each
/// value takes at least two bytes, `0,`) or by [`DEFAULT_RESERVE_CAP`].
pub(crate) fn reserve_count(declared: Option<u64>, fields: usize, size_hint: Option<u64>) -> usize {
    let cap = match size_hint {
        Some(bytes) => bytes / (2 * fields.max(1) as u64),
        None => DEFAULT_RESERVE_CAP,
    };
    let n = declared.unwrap_or(0).min(cap);
    usize::try_from(n).unwrap_or(0)
}

/// Largest total self size accepted: 2^53 - 1 bytes (8 PiB, far above any real heap). Every size
/// derived from a snapshot (reachable and retained sizes, class totals, diffs) is then exact in
/// u64/i64 arithmetic without saturating and in a JavaScript number (docs/format.md).
pub const MAX_TOTAL_SIZE: u64 = (1 << 53) - 1;

/// Columns grow by half their size (less slack than doubling at gigabyte sizes), never by less.
const MIN_GROWTH: usize = 4096;

/// Node and edge indices are 32-bit: no more records than this.
const MAX_RECORDS: u64 = 1 << 32;

/// The next capacity for columns holding `cap` records: `want` first (the declared count), then
/// +50 %.
fn next_capacity(cap: usize, want: usize) -> usize {
    if cap == 0 && want > 0 {
        want
    } else {
        cap.saturating_add((cap / 2).max(MIN_GROWTH))
    }
}

/// Makes room for `cap` elements in `v`, failing (instead of aborting) when memory runs out.
fn ensure<T>(v: &mut Vec<T>, cap: usize) -> Result<(), std::collections::TryReserveError> {
    v.try_reserve_exact(cap.saturating_sub(v.len()))
}

pub(crate) fn out_of_memory(what: &str, count: usize, bytes_each: usize) -> String {
    let bytes = (count as u64).saturating_mul(bytes_each as u64);
    format!("out of memory: could not grow the {what} beyond {count} entries ({} MiB)", bytes >> 20)
}

fn to_u32(v: u64, what: &str) -> Result<u32, String> {
    u32::try_from(v).map_err(|_| format!("{what} {v} does not fit in 32 bits"))
}

/// Positions of the fields we read within a node record.
#[derive(Clone, Copy)]
struct NodePos {
    ty: usize,
    name: usize,
    id: usize,
    self_size: usize,
    edge_count: usize,
    detachedness: Option<usize>,
    trace: Option<usize>,
}

pub(crate) struct NodeSink {
    fields: usize,
    pos: NodePos,
    types: Vec<u8>,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    pub node_self_size: Vec<u64>,
    /// Each node's first edge: the sums of the edge counts before it, plus the total at the
    /// end (`[0, c0, c0 + c1, ...]`). Summed while parsing rather than in a pass of its own.
    pub first_edge: Vec<u64>,
    /// The sum of the edge counts so far (the last entry of `first_edge`), and whether it ever
    /// exceeded 2^64 (an error `finish` reports; the sums are then meaningless).
    pub edge_sum: u64,
    pub edge_sum_overflow: bool,
    pub detachedness: Option<Vec<u8>>,
    /// `trace_node_id` per node, up to the last node with a non-zero one (Node writes the field
    /// in every snapshot, all zeros unless allocations were tracked: those cost nothing).
    pub trace: Vec<u32>,
    /// Largest name index seen, for the range check against the strings once they are known.
    pub max_name: u32,
    /// Values received (to check the array is a whole number of records).
    pub values: u64,
    /// Records the columns have room for (pushes below it never reallocate), and the
    /// reservation asked for first (the header's count, capped by the input size).
    cap: usize,
    want: usize,
    /// `snapshot.node_count`: a longer array fails at the first extra node, not at the end.
    declared: Option<u64>,
    /// Sum of the self sizes so far (at most [`MAX_TOTAL_SIZE`]).
    pub total_size: u64,
}

fn position<R: PartialEq>(roles: &[R], role: R) -> usize {
    // `meta::parse_header` guarantees the required roles exist exactly once.
    roles.iter().position(|r| *r == role).unwrap_or(0)
}

impl NodeSink {
    /// `reserve`: records to make room for at the first node (allocated then, fallibly).
    pub fn new(layout: &Layout, reserve: usize) -> NodeSink {
        let roles = &layout.node_roles;
        NodeSink {
            fields: roles.len(),
            pos: NodePos {
                ty: position(roles, NodeRole::Type),
                name: position(roles, NodeRole::Name),
                id: position(roles, NodeRole::Id),
                self_size: position(roles, NodeRole::SelfSize),
                edge_count: position(roles, NodeRole::EdgeCount),
                detachedness: roles.iter().position(|r| *r == NodeRole::Detachedness),
                trace: roles.iter().position(|r| *r == NodeRole::TraceNodeId),
            },
            types: layout.node_types.clone(),
            node_type: Vec::new(),
            node_name: Vec::new(),
            node_id: Vec::new(),
            node_self_size: Vec::new(),
            first_edge: vec![0],
            edge_sum: 0,
            edge_sum_overflow: false,
            detachedness: layout.has_detachedness.then(Vec::new),
            trace: Vec::new(),
            max_name: 0,
            values: 0,
            cap: 0,
            want: reserve,
            declared: layout.node_count,
            total_size: 0,
        }
    }

    pub fn nodes(&self) -> usize {
        self.node_type.len()
    }

    /// The array held whole records only.
    pub fn whole(&self) -> bool {
        self.values % self.fields.max(1) as u64 == 0
    }

    /// Room for more nodes in every column, or an out-of-memory error. Falls back to small
    /// steps when a large first reservation (a header's count) cannot be had.
    /// The columns never grow past the declared count (or 2^32, node indices being 32-bit), so
    /// reaching that capacity is where a longer array is reported.
    #[cold]
    fn grow(&mut self) -> Result<(), String> {
        let len = self.nodes();
        let limit = self.declared.map_or(MAX_RECORDS, |d| d.min(MAX_RECORDS));
        if len as u64 >= limit {
            return Err(match self.declared {
                Some(d) if d <= MAX_RECORDS => {
                    format!("snapshot.node_count is {d} but the \"nodes\" array holds more nodes")
                }
                _ => "the \"nodes\" array holds more than 2^32 nodes".to_string(),
            });
        }
        let clamp = |c: usize| usize::try_from((c as u64).min(limit)).unwrap_or(usize::MAX);
        let mut cap = clamp(next_capacity(self.cap, self.want));
        if self.cap == 0 && self.try_room(cap).is_err() {
            cap = clamp(MIN_GROWTH);
        }
        if self.try_room(cap).is_err() {
            return Err(out_of_memory("node table", len, 26));
        }
        self.cap = cap;
        Ok(())
    }

    /// Appends the nodes `next` read from the bytes that follow this sink's (the parallel
    /// reader's chunks, in order), with the checks `record` makes across records: the declared
    /// count, 2^32 nodes, the total self size.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn append(&mut self, next: NodeSink) -> Result<(), String> {
        let len = self.nodes() + next.nodes();
        let limit = self.declared.map_or(MAX_RECORDS, |d| d.min(MAX_RECORDS));
        if len as u64 > limit {
            return Err("more nodes than declared".into());
        }
        if len > self.cap {
            let cap = len.max(next_capacity(self.cap, self.want));
            self.try_room(cap).map_err(|_| out_of_memory("node table", len, 26))?;
            self.cap = cap;
        }
        self.total_size = match self.total_size.checked_add(next.total_size) {
            Some(t) if t <= MAX_TOTAL_SIZE => t,
            _ => return Err("total self size too large".into()),
        };
        let base = self.nodes();
        self.node_type.extend_from_slice(&next.node_type);
        self.node_name.extend_from_slice(&next.node_name);
        self.node_id.extend_from_slice(&next.node_id);
        self.node_self_size.extend_from_slice(&next.node_self_size);
        // `next`'s sums start from 0 at its first node. The sums never decrease, so an overflow
        // anywhere shows in the total.
        let edge_base = self.edge_sum;
        self.first_edge.extend(next.first_edge.iter().skip(1).map(|&s| edge_base.wrapping_add(s)));
        let (sum, overflow) = edge_base.overflowing_add(next.edge_sum);
        self.edge_sum = sum;
        self.edge_sum_overflow |= overflow | next.edge_sum_overflow;
        if let (Some(d), Some(n)) = (&mut self.detachedness, &next.detachedness) {
            d.extend_from_slice(n);
        }
        self.max_name = self.max_name.max(next.max_name);
        self.values += next.values;
        // `next.trace` is indexed from its own first node.
        if !next.trace.is_empty() {
            let want = base + next.trace.len();
            if self.trace.try_reserve(want.saturating_sub(self.trace.len())).is_err() {
                return Err(out_of_memory("trace_node_id column", want, 4));
            }
            self.trace.resize(base, 0);
            self.trace.extend_from_slice(&next.trace);
        }
        Ok(())
    }

    /// Records node `node`'s non-zero `trace_node_id` (the nodes before it without one get 0).
    #[cold]
    fn set_trace(&mut self, node: usize, v: u64) -> Result<(), String> {
        let v = to_u32(v, "trace_node_id")?;
        let want = (node + 1).saturating_sub(self.trace.len());
        if self.trace.try_reserve(want.max(self.trace.len() / 2)).is_err() {
            return Err(out_of_memory("trace_node_id column", self.trace.len(), 4));
        }
        self.trace.resize(node, 0);
        self.trace.push(v);
        Ok(())
    }

    fn try_room(&mut self, cap: usize) -> Result<(), std::collections::TryReserveError> {
        ensure(&mut self.node_type, cap)?;
        ensure(&mut self.node_name, cap)?;
        ensure(&mut self.node_id, cap)?;
        ensure(&mut self.node_self_size, cap)?;
        ensure(&mut self.first_edge, cap.saturating_add(1))?;
        if let Some(d) = &mut self.detachedness {
            ensure(d, cap)?;
        }
        Ok(())
    }
}

impl IntSink for NodeSink {
    fn fields(&self) -> usize {
        self.fields
    }

    // Forced into the scanner's value loop: left to itself the compiler kept an out-of-line call
    // per node/edge (register saves and reloads; ~10 % of native parse time, measured).
    #[inline(always)]
    fn record(&mut self, rec: &[u64]) -> Result<(), String> {
        let p = self.pos;
        let node = self.node_type.len();
        if node == self.cap {
            self.grow()?;
        }
        let t = rec[p.ty];
        let ty = match self.types.get(t as usize) {
            Some(&ty) if t <= u64::from(u32::MAX) => ty,
            _ => {
                return Err(format!(
                    "node {node} has type index {t} but snapshot.meta.node_types lists {} types",
                    self.types.len()
                ))
            }
        };
        let name = to_u32(rec[p.name], "node name index")?;
        let id = to_u32(rec[p.id], "node id")?;
        if let (Some(d), Some(col)) = (p.detachedness, &mut self.detachedness) {
            let v = rec[d];
            col.push(u8::try_from(v).map_err(|_| format!("detachedness {v} is not 0, 1 or 2"))?);
        }
        if let Some(t) = p.trace {
            if rec[t] != 0 {
                self.set_trace(node, rec[t])?;
            }
        }
        let size = rec[p.self_size];
        self.total_size = match self.total_size.checked_add(size) {
            Some(t) if t <= MAX_TOTAL_SIZE => t,
            _ => {
                return Err(format!(
                    "node {node} has self_size {size}: the nodes' self sizes add up to more than 2^53-1 bytes \
                     (no real heap is that large)"
                ))
            }
        };
        self.max_name = self.max_name.max(name);
        self.node_type.push(ty);
        self.node_name.push(name);
        self.node_id.push(id);
        self.node_self_size.push(size);
        let (sum, overflow) = self.edge_sum.overflowing_add(rec[p.edge_count]);
        self.edge_sum = sum;
        self.edge_sum_overflow |= overflow;
        self.first_edge.push(sum);
        self.values += self.fields as u64;
        Ok(())
    }

    fn end(&mut self, partial: usize) {
        self.values += partial as u64;
    }
}

/// Division by a constant known to divide (the node field count into `to_node`) without a `div`
/// instruction, which at 10+ cycles was the largest single cost per edge once the scanner stopped
/// making values wait for each other. `d = 2^k * o` with `o` odd divides `x` iff the low `k`
/// bits of `x` are zero and `(x >> k) * o^-1 mod 2^64`, which is then the quotient, is at most
/// `(2^64 - 1) / o` (Granlund and Montgomery's divisibility test).
#[derive(Clone, Copy, Debug)]
struct ExactDiv {
    shift: u32,
    inverse: u64,
    limit: u64,
}

impl ExactDiv {
    fn new(d: u64) -> ExactDiv {
        let d = d.max(1);
        let shift = d.trailing_zeros();
        let odd = d >> shift;
        // Newton's iteration for the inverse mod 2^64: `odd` is its own inverse mod 8 (3 bits),
        // each step doubles the correct bits (6, 12, 24, 48, 96).
        let mut inverse = odd;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inverse)));
        }
        ExactDiv { shift, inverse, limit: u64::MAX / odd }
    }

    /// `x / d` if `d` divides `x`.
    #[inline(always)]
    fn exact(&self, x: u64) -> Option<u64> {
        // `shift` is at most 63 (`d` is a non-zero u64).
        if x & ((1u64 << self.shift) - 1) != 0 {
            return None;
        }
        let q = (x >> self.shift).wrapping_mul(self.inverse);
        (q <= self.limit).then_some(q)
    }
}

pub(crate) struct EdgeSink {
    fields: usize,
    /// Positions of type, name_or_index and to_node in an edge record.
    pos: [usize; 3],
    types: Vec<u8>,
    node_fields: u64,
    to_node: ExactDiv,
    /// Node count when the nodes were parsed first (V8's order): to_node is range-checked at
    /// once, at the byte where it occurs; otherwise `finish` checks it.
    known_nodes: u64,
    keep_details: bool,
    pub edge_type: Vec<u8>,
    pub edge_name_or_index: Vec<u32>,
    pub edge_to: Vec<u32>,
    /// Largest string index used as an edge name (non-element, non-hidden edges) and its edge.
    pub max_name: Option<(u32, u64)>,
    pub values: u64,
    /// As in [`NodeSink`]: room, first reservation, `snapshot.edge_count`.
    cap: usize,
    want: usize,
    declared: Option<u64>,
}

impl EdgeSink {
    pub fn new(layout: &Layout, reserve: usize, known_nodes: Option<u64>, keep_details: bool) -> EdgeSink {
        let roles = &layout.edge_roles;
        EdgeSink {
            fields: roles.len(),
            pos: [
                position(roles, EdgeRole::Type),
                position(roles, EdgeRole::NameOrIndex),
                position(roles, EdgeRole::ToNode),
            ],
            types: layout.edge_types.clone(),
            node_fields: layout.node_fields().max(1) as u64,
            to_node: ExactDiv::new(layout.node_fields().max(1) as u64),
            known_nodes: known_nodes.unwrap_or(u64::MAX),
            keep_details,
            edge_type: Vec::new(),
            edge_name_or_index: Vec::new(),
            edge_to: Vec::new(),
            max_name: None,
            values: 0,
            cap: 0,
            want: reserve,
            declared: layout.edge_count,
        }
    }

    pub fn edges(&self) -> usize {
        self.edge_to.len()
    }

    /// Whether every `to_node` was checked to be below `nodes` while parsing.
    pub fn checked_against(&self, nodes: u64) -> bool {
        self.known_nodes == nodes
    }

    /// The array held whole records only.
    pub fn whole(&self) -> bool {
        self.values % self.fields.max(1) as u64 == 0
    }

    /// See [`NodeSink::grow`].
    #[cold]
    fn grow(&mut self) -> Result<(), String> {
        let len = self.edges();
        let limit = self.declared.map_or(MAX_RECORDS, |d| d.min(MAX_RECORDS));
        if len as u64 >= limit {
            return Err(match self.declared {
                Some(d) if d <= MAX_RECORDS => {
                    format!("snapshot.edge_count is {d} but the \"edges\" array holds more edges")
                }
                _ => "the \"edges\" array holds more than 2^32 edges".to_string(),
            });
        }
        let clamp = |c: usize| usize::try_from((c as u64).min(limit)).unwrap_or(usize::MAX);
        let mut cap = clamp(next_capacity(self.cap, self.want));
        if self.cap == 0 && self.try_room(cap).is_err() {
            cap = clamp(MIN_GROWTH);
        }
        if self.try_room(cap).is_err() {
            return Err(out_of_memory("edge table", len, if self.keep_details { 9 } else { 4 }));
        }
        self.cap = cap;
        Ok(())
    }

    /// See [`NodeSink::append`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn append(&mut self, next: EdgeSink) -> Result<(), String> {
        let base = self.edges();
        let len = base + next.edges();
        let limit = self.declared.map_or(MAX_RECORDS, |d| d.min(MAX_RECORDS));
        if len as u64 > limit {
            return Err("more edges than declared".into());
        }
        if len > self.cap {
            let cap = len.max(next_capacity(self.cap, self.want));
            self.try_room(cap).map_err(|_| out_of_memory("edge table", len, 9))?;
            self.cap = cap;
        }
        self.edge_to.extend_from_slice(&next.edge_to);
        if self.keep_details {
            self.edge_type.extend_from_slice(&next.edge_type);
            self.edge_name_or_index.extend_from_slice(&next.edge_name_or_index);
        }
        // The first edge with the largest name, as `record` keeps it.
        if let Some((m, e)) = next.max_name {
            if self.max_name.is_none_or(|(cur, _)| m > cur) {
                self.max_name = Some((m, base as u64 + e));
            }
        }
        self.values += next.values;
        Ok(())
    }

    fn try_room(&mut self, cap: usize) -> Result<(), std::collections::TryReserveError> {
        ensure(&mut self.edge_to, cap)?;
        if self.keep_details {
            ensure(&mut self.edge_type, cap)?;
            ensure(&mut self.edge_name_or_index, cap)?;
        }
        Ok(())
    }
}

impl IntSink for EdgeSink {
    fn fields(&self) -> usize {
        self.fields
    }

    // Forced into the scanner's value loop: left to itself the compiler kept an out-of-line call
    // per node/edge (register saves and reloads; ~10 % of native parse time, measured).
    #[inline(always)]
    fn record(&mut self, rec: &[u64]) -> Result<(), String> {
        let [pt, pn, pto] = self.pos;
        let edge = self.edge_to.len();
        if edge == self.cap {
            self.grow()?;
        }
        let t = rec[pt];
        let ty = match self.types.get(t as usize) {
            Some(&ty) if t <= u64::from(u32::MAX) => ty,
            _ => {
                return Err(format!(
                    "edge {edge} has type index {t} but snapshot.meta.edge_types lists {} types",
                    self.types.len()
                ))
            }
        };
        let name = to_u32(rec[pn], "edge name_or_index")?;
        let to = rec[pto];
        let Some(node) = self.to_node.exact(to) else {
            return Err(format!(
                "edge {edge} points to node offset {to}, not a multiple of the {} node fields",
                self.node_fields
            ));
        };
        if node >= self.known_nodes {
            return Err(format!("edge {edge} points to node offset {to} outside the {} nodes", self.known_nodes));
        }
        self.edge_to.push(to_u32(node, "edge target node")?);
        if !EdgeType::from_u8(ty).has_index_name() {
            match self.max_name {
                Some((m, _)) if m >= name => {}
                _ => self.max_name = Some((name, edge as u64)),
            }
        }
        if self.keep_details {
            self.edge_type.push(ty);
            self.edge_name_or_index.push(name);
        }
        self.values += self.fields as u64;
        Ok(())
    }

    fn end(&mut self, partial: usize) {
        self.values += partial as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::ExactDiv;

    #[test]
    fn exact_division_agrees_with_div_and_rem() {
        let mut xs: Vec<u64> = (0..2000).collect();
        xs.extend([u64::MAX, u64::MAX - 1, u64::MAX - 6, 1 << 63, (1 << 63) + 7, u64::from(u32::MAX) * 7, 25_811_380]);
        xs.extend((0..64).flat_map(|k| [1u64 << k, (1u64 << k) - 1, (1u64 << k) + 1, (1u64 << k).wrapping_mul(3)]));
        for d in (1..=40).chain([64, 96, 1 << 20, u64::from(u32::MAX), u64::MAX - 1, u64::MAX]) {
            let div = ExactDiv::new(d);
            for &x in &xs {
                let want = (x % d == 0).then(|| x / d);
                assert_eq!(div.exact(x), want, "{x} / {d}");
                let y = x.wrapping_mul(d);
                assert_eq!(div.exact(y), (y % d == 0).then(|| y / d), "{y} / {d}");
            }
        }
    }
}
