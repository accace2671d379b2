//! The `"snapshot"` header: field layout and type names from `snapshot.meta`, declared counts.
//!
//! The header is small, so its raw bytes are captured and parsed with serde_json; everything
//! else is read by position from the layout derived here (by field NAME, never by index).

use serde::Deserialize;

use super::super::{EdgeType, NodeType};
use super::numbers::MAX_FIELDS;

/// What a node field means to us; unknown fields are read and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeRole {
    Type,
    Name,
    Id,
    SelfSize,
    EdgeCount,
    Detachedness,
    TraceNodeId,
    Ignore,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EdgeRole {
    Type,
    NameOrIndex,
    ToNode,
    Ignore,
}

/// Everything the array scanners need from the header.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub node_roles: Vec<NodeRole>,
    pub edge_roles: Vec<EdgeRole>,
    /// `node_types[0][i]` mapped to `NodeType as u8`.
    pub node_types: Vec<u8>,
    /// `edge_types[0][i]` mapped to `EdgeType as u8`.
    pub edge_types: Vec<u8>,
    pub has_detachedness: bool,
    pub node_count: Option<u64>,
    pub edge_count: Option<u64>,
    /// `meta.location_fields` (V8: object_index, script_id, line, column); empty when absent.
    pub location_fields: Vec<String>,
    /// `meta.trace_function_info_fields` and `meta.trace_node_fields`; empty when absent.
    pub trace_function_info_fields: Vec<String>,
    pub trace_node_fields: Vec<String>,
}

impl Layout {
    pub fn node_fields(&self) -> usize {
        self.node_roles.len()
    }

    pub fn edge_fields(&self) -> usize {
        self.edge_roles.len()
    }
}

#[derive(Deserialize)]
struct Header {
    meta: Option<Meta>,
    node_count: Option<u64>,
    edge_count: Option<u64>,
}

#[derive(Deserialize)]
struct Meta {
    node_fields: Option<Vec<String>>,
    node_types: Option<Vec<serde_json::Value>>,
    edge_fields: Option<Vec<String>>,
    edge_types: Option<Vec<serde_json::Value>>,
    location_fields: Option<Vec<String>>,
    trace_function_info_fields: Option<Vec<String>>,
    trace_node_fields: Option<Vec<String>>,
}

/// Parses the captured `"snapshot"` value. Errors are plain messages; the caller locates them.
pub(crate) fn parse_header(raw: &[u8]) -> Result<Layout, String> {
    let header: Header =
        serde_json::from_slice(raw).map_err(|e| format!("the \"snapshot\" header is not valid: {e}"))?;
    let meta = header.meta.ok_or("the \"snapshot\" header has no meta")?;
    let node_fields = meta.node_fields.ok_or("snapshot.meta has no node_fields")?;
    let edge_fields = meta.edge_fields.ok_or("snapshot.meta has no edge_fields")?;

    for (fields, what) in [(&node_fields, "node_fields"), (&edge_fields, "edge_fields")] {
        if fields.len() > MAX_FIELDS {
            return Err(format!("snapshot.meta.{what} lists {} fields, more than {MAX_FIELDS}", fields.len()));
        }
    }
    let node_roles: Vec<NodeRole> = node_fields
        .iter()
        .map(|f| match f.as_str() {
            "type" => NodeRole::Type,
            "name" => NodeRole::Name,
            "id" => NodeRole::Id,
            "self_size" => NodeRole::SelfSize,
            "edge_count" => NodeRole::EdgeCount,
            "detachedness" => NodeRole::Detachedness,
            "trace_node_id" => NodeRole::TraceNodeId,
            _ => NodeRole::Ignore,
        })
        .collect();
    for (role, name) in [
        (NodeRole::Type, "type"),
        (NodeRole::Name, "name"),
        (NodeRole::Id, "id"),
        (NodeRole::SelfSize, "self_size"),
        (NodeRole::EdgeCount, "edge_count"),
    ] {
        match node_roles.iter().filter(|r| **r == role).count() {
            1 => {}
            0 => return Err(format!("snapshot.meta.node_fields has no \"{name}\" field")),
            _ => return Err(format!("snapshot.meta.node_fields lists \"{name}\" twice")),
        }
    }
    let edge_roles: Vec<EdgeRole> = edge_fields
        .iter()
        .map(|f| match f.as_str() {
            "type" => EdgeRole::Type,
            "name_or_index" => EdgeRole::NameOrIndex,
            "to_node" => EdgeRole::ToNode,
            _ => EdgeRole::Ignore,
        })
        .collect();
    for (role, name) in
        [(EdgeRole::Type, "type"), (EdgeRole::NameOrIndex, "name_or_index"), (EdgeRole::ToNode, "to_node")]
    {
        match edge_roles.iter().filter(|r| **r == role).count() {
            1 => {}
            0 => return Err(format!("snapshot.meta.edge_fields has no \"{name}\" field")),
            _ => return Err(format!("snapshot.meta.edge_fields lists \"{name}\" twice")),
        }
    }

    let node_types = type_names(meta.node_types, &node_fields, "node_types")?
        .iter()
        .map(|n| NodeType::from_v8_name(n) as u8)
        .collect();
    let edge_types = type_names(meta.edge_types, &edge_fields, "edge_types")?
        .iter()
        .map(|n| EdgeType::from_v8_name(n) as u8)
        .collect();
    let has_detachedness = node_roles.contains(&NodeRole::Detachedness);
    Ok(Layout {
        node_roles,
        edge_roles,
        node_types,
        edge_types,
        has_detachedness,
        node_count: header.node_count,
        edge_count: header.edge_count,
        location_fields: meta.location_fields.unwrap_or_default(),
        trace_function_info_fields: meta.trace_function_info_fields.unwrap_or_default(),
        trace_node_fields: meta.trace_node_fields.unwrap_or_default(),
    })
}

/// `meta.node_types` / `meta.edge_types` list one entry per field; the entry of the `type` field
/// is the list of type names (V8 puts it first, but we look it up by the field's position).
fn type_names(types: Option<Vec<serde_json::Value>>, fields: &[String], what: &str) -> Result<Vec<String>, String> {
    let types = types.ok_or_else(|| format!("snapshot.meta has no {what}"))?;
    let pos = fields.iter().position(|f| f == "type").unwrap_or(0);
    let list = types
        .get(pos)
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("snapshot.meta.{what}[{pos}] is not a list of type names"))?;
    list.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("snapshot.meta.{what}[{pos}] holds a non-string type name"))
        })
        .collect()
}
