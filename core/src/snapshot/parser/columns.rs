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
}

pub(crate) struct NodeSink {
    fields: usize,
    pos: NodePos,
    types: Vec<u8>,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    pub node_self_size: Vec<u64>,
    /// Edge counts, shifted by one (`[0, c0, c1, ...]`); turned into prefix sums by `finish`.
    pub first_edge: Vec<u64>,
    pub detachedness: Option<Vec<u8>>,
    /// Largest name index seen, for the range check against the strings once they are known.
    pub max_name: u32,
    /// Values received (to check the array is a whole number of records).
    pub values: u64,
}

fn position<R: PartialEq>(roles: &[R], role: R) -> usize {
    // `meta::parse_header` guarantees the required roles exist exactly once.
    roles.iter().position(|r| *r == role).unwrap_or(0)
}

impl NodeSink {
    pub fn new(layout: &Layout, reserve: usize) -> NodeSink {
        let roles = &layout.node_roles;
        let mut first_edge = Vec::with_capacity(reserve + 1);
        first_edge.push(0);
        NodeSink {
            fields: roles.len(),
            pos: NodePos {
                ty: position(roles, NodeRole::Type),
                name: position(roles, NodeRole::Name),
                id: position(roles, NodeRole::Id),
                self_size: position(roles, NodeRole::SelfSize),
                edge_count: position(roles, NodeRole::EdgeCount),
                detachedness: roles.iter().position(|r| *r == NodeRole::Detachedness),
            },
            types: layout.node_types.clone(),
            node_type: Vec::with_capacity(reserve),
            node_name: Vec::with_capacity(reserve),
            node_id: Vec::with_capacity(reserve),
            node_self_size: Vec::with_capacity(reserve),
            first_edge,
            detachedness: layout.has_detachedness.then(|| Vec::with_capacity(reserve)),
            max_name: 0,
            values: 0,
        }
    }

    pub fn nodes(&self) -> usize {
        self.node_type.len()
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
        let t = rec[p.ty];
        let ty = match self.types.get(t as usize) {
            Some(&ty) if t <= u64::from(u32::MAX) => ty,
            _ => {
                return Err(format!(
                    "node {} has type index {t} but snapshot.meta.node_types lists {} types",
                    self.node_type.len(),
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
        self.max_name = self.max_name.max(name);
        self.node_type.push(ty);
        self.node_name.push(name);
        self.node_id.push(id);
        self.node_self_size.push(rec[p.self_size]);
        self.first_edge.push(rec[p.edge_count]);
        self.values += self.fields as u64;
        Ok(())
    }

    fn end(&mut self, partial: usize) {
        self.values += partial as u64;
    }
}

pub(crate) struct EdgeSink {
    fields: usize,
    /// Positions of type, name_or_index and to_node in an edge record.
    pos: [usize; 3],
    types: Vec<u8>,
    node_fields: u64,
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
}

impl EdgeSink {
    pub fn new(layout: &Layout, reserve: usize, known_nodes: Option<u64>, keep_details: bool) -> EdgeSink {
        let roles = &layout.edge_roles;
        let detail_reserve = if keep_details { reserve } else { 0 };
        EdgeSink {
            fields: roles.len(),
            pos: [
                position(roles, EdgeRole::Type),
                position(roles, EdgeRole::NameOrIndex),
                position(roles, EdgeRole::ToNode),
            ],
            types: layout.edge_types.clone(),
            node_fields: layout.node_fields().max(1) as u64,
            known_nodes: known_nodes.unwrap_or(u64::MAX),
            keep_details,
            edge_type: Vec::with_capacity(detail_reserve),
            edge_name_or_index: Vec::with_capacity(detail_reserve),
            edge_to: Vec::with_capacity(reserve),
            max_name: None,
            values: 0,
        }
    }

    pub fn edges(&self) -> usize {
        self.edge_to.len()
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
        let node = to / self.node_fields;
        if to % self.node_fields != 0 {
            return Err(format!(
                "edge {edge} points to node offset {to}, not a multiple of the {} node fields",
                self.node_fields
            ));
        }
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
