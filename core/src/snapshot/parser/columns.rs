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

pub(crate) struct NodeSink {
    roles: Vec<NodeRole>,
    types: Vec<u8>,
    field: usize,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    pub node_self_size: Vec<u64>,
    /// Edge counts, shifted by one (`[0, c0, c1, ...]`); turned into prefix sums by `finish`.
    pub first_edge: Vec<u64>,
    pub detachedness: Option<Vec<u8>>,
    /// Largest name index seen, for the range check against the strings once they are known.
    pub max_name: u32,
    /// Values pushed (to check the array is a whole number of records).
    pub values: u64,
}

impl NodeSink {
    pub fn new(layout: &Layout, reserve: usize) -> NodeSink {
        let mut first_edge = Vec::with_capacity(reserve + 1);
        first_edge.push(0);
        NodeSink {
            roles: layout.node_roles.clone(),
            types: layout.node_types.clone(),
            field: 0,
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
    #[inline]
    fn push(&mut self, v: u64) -> Result<(), String> {
        match self.roles[self.field] {
            NodeRole::Type => match self.types.get(v as usize) {
                Some(&t) if v <= u32::MAX as u64 => self.node_type.push(t),
                _ => {
                    return Err(format!(
                        "node {} has type index {v} but snapshot.meta.node_types lists {} types",
                        self.node_type.len(),
                        self.types.len()
                    ))
                }
            },
            NodeRole::Name => {
                let n = to_u32(v, "node name index")?;
                self.max_name = self.max_name.max(n);
                self.node_name.push(n);
            }
            NodeRole::Id => self.node_id.push(to_u32(v, "node id")?),
            NodeRole::SelfSize => self.node_self_size.push(v),
            NodeRole::EdgeCount => self.first_edge.push(v),
            NodeRole::Detachedness => {
                let d =
                    u8::try_from(v).map_err(|_| format!("detachedness {v} is not 0, 1 or 2"))?;
                if let Some(col) = &mut self.detachedness {
                    col.push(d);
                }
            }
            NodeRole::Ignore => {}
        }
        self.values += 1;
        self.field += 1;
        if self.field == self.roles.len() {
            self.field = 0;
        }
        Ok(())
    }
}

pub(crate) struct EdgeSink {
    roles: Vec<EdgeRole>,
    types: Vec<u8>,
    node_fields: u64,
    /// Node count when the nodes were parsed first (V8's order): to_node is range-checked at
    /// once, at the byte where it occurs; otherwise `finish` checks it.
    known_nodes: Option<u64>,
    keep_details: bool,
    field: usize,
    cur_type: u8,
    cur_name: u32,
    pub edge_type: Vec<u8>,
    pub edge_name_or_index: Vec<u32>,
    pub edge_to: Vec<u32>,
    /// Largest string index used as an edge name (non-element, non-hidden edges) and its edge.
    pub max_name: Option<(u32, u64)>,
    pub values: u64,
}

impl EdgeSink {
    pub fn new(
        layout: &Layout,
        reserve: usize,
        known_nodes: Option<u64>,
        keep_details: bool,
    ) -> EdgeSink {
        let detail_reserve = if keep_details { reserve } else { 0 };
        EdgeSink {
            roles: layout.edge_roles.clone(),
            types: layout.edge_types.clone(),
            node_fields: layout.node_fields() as u64,
            known_nodes,
            keep_details,
            field: 0,
            cur_type: 0,
            cur_name: 0,
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
    #[inline]
    fn push(&mut self, v: u64) -> Result<(), String> {
        match self.roles[self.field] {
            EdgeRole::Type => match self.types.get(v as usize) {
                Some(&t) if v <= u32::MAX as u64 => self.cur_type = t,
                _ => {
                    return Err(format!(
                        "edge {} has type index {v} but snapshot.meta.edge_types lists {} types",
                        self.edge_to.len(),
                        self.types.len()
                    ))
                }
            },
            EdgeRole::NameOrIndex => self.cur_name = to_u32(v, "edge name_or_index")?,
            EdgeRole::ToNode => {
                let edge = self.edge_to.len();
                if v % self.node_fields != 0 {
                    return Err(format!(
                        "edge {edge} points to node offset {v}, not a multiple of the {} node fields",
                        self.node_fields
                    ));
                }
                let node = v / self.node_fields;
                if let Some(count) = self.known_nodes {
                    if node >= count {
                        return Err(format!(
                            "edge {edge} points to node offset {v} outside the {count} nodes"
                        ));
                    }
                }
                self.edge_to.push(to_u32(node, "edge target node")?);
            }
            EdgeRole::Ignore => {}
        }
        self.values += 1;
        self.field += 1;
        if self.field == self.roles.len() {
            self.field = 0;
            self.end_record();
        }
        Ok(())
    }
}

impl EdgeSink {
    /// Type and name are only meaningful together, so they are committed per complete record.
    #[inline]
    fn end_record(&mut self) {
        if !EdgeType::from_u8(self.cur_type).has_index_name() {
            let edge = (self.edge_to.len() as u64).saturating_sub(1);
            match self.max_name {
                Some((m, _)) if m >= self.cur_name => {}
                _ => self.max_name = Some((self.cur_name, edge)),
            }
        }
        if self.keep_details {
            self.edge_type.push(self.cur_type);
            self.edge_name_or_index.push(self.cur_name);
        }
    }
}
