//! The parsed heap graph: structure-of-arrays, indices instead of pointers.

/// V8 node types, mapped by name from `snapshot.meta.node_types[0]` (so files whose type list
/// differs in order still parse correctly). `Unknown` keeps forward compatibility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum NodeType {
    Hidden = 0,
    Array,
    String,
    Object,
    Code,
    Closure,
    RegExp,
    HeapNumber,
    Native,
    Synthetic,
    ConsString,
    SlicedString,
    Symbol,
    BigInt,
    ObjectShape,
    Unknown,
}

impl NodeType {
    pub fn from_v8_name(name: &str) -> NodeType {
        match name {
            "hidden" => NodeType::Hidden,
            "array" => NodeType::Array,
            "string" => NodeType::String,
            "object" => NodeType::Object,
            "code" => NodeType::Code,
            "closure" => NodeType::Closure,
            "regexp" => NodeType::RegExp,
            "number" => NodeType::HeapNumber,
            "native" => NodeType::Native,
            "synthetic" => NodeType::Synthetic,
            "concatenated string" => NodeType::ConsString,
            "sliced string" => NodeType::SlicedString,
            "symbol" => NodeType::Symbol,
            "bigint" => NodeType::BigInt,
            "object shape" => NodeType::ObjectShape,
            _ => NodeType::Unknown,
        }
    }

    pub fn from_u8(v: u8) -> NodeType {
        if v <= NodeType::ObjectShape as u8 {
            // A table rather than a transmute (no unsafe): the enum is repr(u8) with contiguous
            // discriminants 0..=15, in this order.
            const TABLE: [NodeType; 16] = [
                NodeType::Hidden,
                NodeType::Array,
                NodeType::String,
                NodeType::Object,
                NodeType::Code,
                NodeType::Closure,
                NodeType::RegExp,
                NodeType::HeapNumber,
                NodeType::Native,
                NodeType::Synthetic,
                NodeType::ConsString,
                NodeType::SlicedString,
                NodeType::Symbol,
                NodeType::BigInt,
                NodeType::ObjectShape,
                NodeType::Unknown,
            ];
            TABLE[v as usize]
        } else {
            NodeType::Unknown
        }
    }
}

/// V8 edge types, mapped by name from `snapshot.meta.edge_types[0]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EdgeType {
    Context = 0,
    Element,
    Property,
    Internal,
    Hidden,
    Shortcut,
    Weak,
    Unknown,
}

impl EdgeType {
    pub fn from_v8_name(name: &str) -> EdgeType {
        match name {
            "context" => EdgeType::Context,
            "element" => EdgeType::Element,
            "property" => EdgeType::Property,
            "internal" => EdgeType::Internal,
            "hidden" => EdgeType::Hidden,
            "shortcut" => EdgeType::Shortcut,
            "weak" => EdgeType::Weak,
            _ => EdgeType::Unknown,
        }
    }

    pub fn from_u8(v: u8) -> EdgeType {
        const TABLE: [EdgeType; 8] = [
            EdgeType::Context,
            EdgeType::Element,
            EdgeType::Property,
            EdgeType::Internal,
            EdgeType::Hidden,
            EdgeType::Shortcut,
            EdgeType::Weak,
            EdgeType::Unknown,
        ];
        TABLE[(v as usize).min(7)]
    }

    /// Element and hidden edges carry an index in `name_or_index`; the others a string index.
    pub fn has_index_name(self) -> bool {
        matches!(self, EdgeType::Element | EdgeType::Hidden)
    }
}

/// All strings of a snapshot in one UTF-8 arena; `offsets[i]..offsets[i+1]` is string `i`.
#[derive(Clone, Debug, Default)]
pub struct StringTable {
    pub bytes: Vec<u8>,
    pub offsets: Vec<u64>,
}

impl StringTable {
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `i`, or "" when out of range (an invalid index is reported by the parser's
    /// validation, never by a panic here).
    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        if i + 1 >= self.offsets.len() {
            return "";
        }
        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        // The parser only stores valid UTF-8 (lone surrogates become U+FFFD).
        std::str::from_utf8(&self.bytes[a..b]).unwrap_or("")
    }

    pub fn push(&mut self, s: &str) -> u32 {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.bytes.extend_from_slice(s.as_bytes());
        self.offsets.push(self.bytes.len() as u64);
        (self.offsets.len() - 2) as u32
    }
}

/// A parsed heap snapshot. Node `i`'s edges are `first_edge[i]..first_edge[i+1]`.
/// Node 0 is V8's synthetic root.
#[derive(Clone, Debug, Default)]
pub struct HeapSnapshot {
    pub strings: StringTable,
    /// `NodeType as u8` per node.
    pub node_type: Vec<u8>,
    /// String index of the node's name (constructor name for objects).
    pub node_name: Vec<u32>,
    /// V8's stable object id (same object, same id across snapshots of one isolate).
    pub node_id: Vec<u32>,
    pub node_self_size: Vec<u64>,
    /// Prefix sums of edge counts; length `node_count + 1`. u32 would cap at 4G edges, which a
    /// 64-bit heap can exceed in principle, so offsets are u64.
    pub first_edge: Vec<u64>,
    /// `detachedness` (0 unknown, 1 attached, 2 detached) when the file has the 7th node field.
    pub node_detachedness: Option<Vec<u8>>,
    /// `EdgeType as u8` per edge.
    pub edge_type: Vec<u8>,
    /// String index (property/context/internal/shortcut/weak) or element index (element/hidden).
    pub edge_name_or_index: Vec<u32>,
    /// Target node index (already divided by the node field count).
    pub edge_to: Vec<u32>,
    /// Where functions were defined (the file's `"locations"`), sorted by node, one per node.
    pub locations: Vec<SourceLocation>,
    /// Each node's `trace_node_id` (the allocation stack that allocated it, 0 when unknown), up
    /// to the last node that has one: nodes past its end have none (empty for most snapshots).
    pub node_trace: Vec<u32>,
    /// The allocation stacks (`trace_function_infos`, `trace_tree`); empty when not recorded.
    pub traces: super::AllocationTraces,
}

/// A `"locations"` record: node `node` (a closure) was defined in script `script_id` at `line`,
/// `column` (both 0-based, as V8 writes them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceLocation {
    pub node: u32,
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

impl HeapSnapshot {
    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    /// False when parsed with `ParseOptions { edge_details: false }`: `edge_type` and
    /// `edge_name_or_index` are then empty (only `edge_to` is kept, enough for a HeapDiff).
    pub fn has_edge_details(&self) -> bool {
        self.edge_type.len() == self.edge_to.len()
    }

    pub fn node_kind(&self, n: usize) -> NodeType {
        NodeType::from_u8(self.node_type[n])
    }

    pub fn node_name_str(&self, n: usize) -> &str {
        self.strings.get(self.node_name[n])
    }

    pub fn edges_of(&self, n: usize) -> std::ops::Range<usize> {
        self.first_edge[n] as usize..self.first_edge[n + 1] as usize
    }

    /// Where node `n` was defined, when the snapshot recorded it.
    pub fn location_of(&self, n: usize) -> Option<&SourceLocation> {
        let i = self.locations.binary_search_by_key(&(n as u32), |l| l.node).ok()?;
        self.locations.get(i)
    }

    /// The allocation-trace tree node (index into `traces.nodes`) that allocated node `n`.
    pub fn trace_of(&self, n: usize) -> Option<usize> {
        match self.node_trace.get(n) {
            Some(&id) if id != 0 => self.traces.node_by_id(id),
            _ => None,
        }
    }

    pub fn edge_kind(&self, e: usize) -> EdgeType {
        EdgeType::from_u8(self.edge_type[e])
    }
}
