//! A parsed [`HeapSnapshot`] as one flat byte buffer, so a graph parsed in one place can be
//! used in another without parsing the JSON again: the viewer parses the files of a diff in
//! parallel Web Workers (one wasm instance each) and moves each graph to the engine's worker.
//!
//! The layout is the graph's own columns, little-endian, after a header of lengths; [`decode`]
//! checks every invariant the analyses rely on (lengths, edge ranges, edge targets, string
//! offsets, sorted locations), so a damaged buffer is an error, never a panic later.
//!
//! ```
//! use memwatch_core::snapshot::{transfer, HeapSnapshot};
//! let snap = HeapSnapshot::default(); // normally from the parser
//! let back = transfer::decode(&transfer::encode(&snap)).unwrap();
//! assert_eq!(back.node_count(), 0);
//! assert!(transfer::decode(b"not a graph").is_err());
//! ```

use super::graph::{HeapSnapshot, SourceLocation, StringTable};

const MAGIC: &[u8; 8] = b"MWGRAPH1";

/// Why a buffer is not an encoded graph.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a transferred heap snapshot: {0}")]
pub struct TransferError(String);

fn bad(msg: impl Into<String>) -> TransferError {
    TransferError(msg.into())
}

/// The graph's columns in one buffer (about the graph's own size).
pub fn encode(s: &HeapSnapshot) -> Vec<u8> {
    let n = s.node_count();
    let m = s.edge_count();
    let details = s.has_edge_details() && m > 0;
    let mut out = Vec::with_capacity(
        64 + s.strings.bytes.len() + 8 * s.strings.offsets.len() + n * 26 + m * 9 + 16 * s.locations.len(),
    );
    out.extend_from_slice(MAGIC);
    for len in [
        n,
        m,
        s.strings.bytes.len(),
        s.strings.offsets.len(),
        s.locations.len(),
        usize::from(details),
        usize::from(s.node_detachedness.is_some()),
    ] {
        out.extend_from_slice(&(len as u64).to_le_bytes());
    }
    out.extend_from_slice(&s.strings.bytes);
    put_u64s(&mut out, &s.strings.offsets);
    out.extend_from_slice(&s.node_type);
    put_u32s(&mut out, &s.node_name);
    put_u32s(&mut out, &s.node_id);
    put_u64s(&mut out, &s.node_self_size);
    // A graph without nodes may have no edge ranges at all; the buffer always has n + 1.
    put_u64s(&mut out, if s.first_edge.is_empty() { &[0] } else { &s.first_edge });
    if let Some(d) = &s.node_detachedness {
        out.extend_from_slice(d);
    }
    if details {
        out.extend_from_slice(&s.edge_type);
        put_u32s(&mut out, &s.edge_name_or_index);
    }
    put_u32s(&mut out, &s.edge_to);
    for l in &s.locations {
        put_u32s(&mut out, &[l.node, l.script_id, l.line, l.column]);
    }
    out
}

fn put_u32s(out: &mut Vec<u8>, v: &[u32]) {
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

fn put_u64s(out: &mut Vec<u8>, v: &[u64]) {
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, len: usize, what: &str) -> Result<&'a [u8], TransferError> {
        let end =
            self.at.checked_add(len).filter(|&e| e <= self.buf.len()).ok_or_else(|| bad(format!("{what} cut off")))?;
        let b = &self.buf[self.at..end];
        self.at = end;
        Ok(b)
    }

    fn u32s(&mut self, len: usize, what: &str) -> Result<Vec<u32>, TransferError> {
        let b = self.bytes(len.checked_mul(4).ok_or_else(|| bad(format!("{what}: length overflows")))?, what)?;
        Ok(b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    fn u64s(&mut self, len: usize, what: &str) -> Result<Vec<u64>, TransferError> {
        let b = self.bytes(len.checked_mul(8).ok_or_else(|| bad(format!("{what}: length overflows")))?, what)?;
        Ok(b.chunks_exact(8).map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).collect())
    }

    fn len(&mut self, what: &str) -> Result<usize, TransferError> {
        let v = self.u64s(1, what)?[0];
        usize::try_from(v)
            .ok()
            .filter(|&v| v <= self.buf.len())
            .ok_or_else(|| bad(format!("{what} {v} is larger than the buffer")))
    }
}

/// The graph [`encode`] wrote; any inconsistency is an error.
pub fn decode(buf: &[u8]) -> Result<HeapSnapshot, TransferError> {
    let mut r = Reader { buf, at: 0 };
    if r.bytes(MAGIC.len(), "header")? != MAGIC {
        return Err(bad("wrong header"));
    }
    let n = r.len("node count")?;
    let m = r.len("edge count")?;
    let string_bytes = r.len("string bytes")?;
    let offsets = r.len("string offsets")?;
    let locations = r.len("locations")?;
    let details = r.len("edge details flag")? == 1;
    let detachedness = r.len("detachedness flag")? == 1;

    let bytes = r.bytes(string_bytes, "strings")?.to_vec();
    let offsets = r.u64s(offsets, "string offsets")?;
    if offsets.first().is_some_and(|&o| o != 0)
        || offsets.windows(2).any(|w| w[0] > w[1])
        || offsets.last().is_some_and(|&o| o != bytes.len() as u64)
        || (offsets.is_empty() && !bytes.is_empty())
    {
        return Err(bad("string offsets out of order"));
    }
    let strings = StringTable { bytes, offsets };
    let node_type = r.bytes(n, "node types")?.to_vec();
    let node_name = r.u32s(n, "node names")?;
    let node_id = r.u32s(n, "node ids")?;
    let node_self_size = r.u64s(n, "node sizes")?;
    let first_edge = r.u64s(n + 1, "edge ranges")?;
    if first_edge[0] != 0 || first_edge.windows(2).any(|w| w[0] > w[1]) || first_edge[n] != m as u64 {
        return Err(bad("edge ranges out of order"));
    }
    let node_detachedness = if detachedness { Some(r.bytes(n, "detachedness")?.to_vec()) } else { None };
    let (edge_type, edge_name_or_index) =
        if details { (r.bytes(m, "edge types")?.to_vec(), r.u32s(m, "edge names")?) } else { (Vec::new(), Vec::new()) };
    let edge_to = r.u32s(m, "edge targets")?;
    if edge_to.iter().any(|&t| t as usize >= n) {
        return Err(bad("an edge points past the last node"));
    }
    let raw = r.u32s(locations.checked_mul(4).ok_or_else(|| bad("locations: length overflows"))?, "locations")?;
    let locations: Vec<SourceLocation> =
        raw.chunks_exact(4).map(|c| SourceLocation { node: c[0], script_id: c[1], line: c[2], column: c[3] }).collect();
    if locations.windows(2).any(|w| w[0].node >= w[1].node) || locations.iter().any(|l| l.node as usize >= n) {
        return Err(bad("locations out of order"));
    }
    if r.at != buf.len() {
        return Err(bad("trailing bytes"));
    }
    Ok(HeapSnapshot {
        strings,
        node_type,
        node_name,
        node_id,
        node_self_size,
        first_edge,
        node_detachedness,
        edge_type,
        edge_name_or_index,
        edge_to,
        locations,
        // Allocation traces are not carried across (the viewer's workers do not use them yet).
        node_trace: Vec::new(),
        traces: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::heap_diff;
    use crate::snapshot::parse_bytes;

    const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-after.heapsnapshot");

    fn tiny() -> HeapSnapshot {
        parse_bytes(&std::fs::read(TINY).unwrap()).unwrap()
    }

    #[test]
    fn round_trip_keeps_every_column() {
        let s = tiny();
        let back = decode(&encode(&s)).unwrap();
        assert_eq!(encode(&back), encode(&s));
        assert_eq!(back.node_count(), s.node_count());
        assert_eq!(back.edge_to, s.edge_to);
        assert_eq!(back.edge_type, s.edge_type);
        assert_eq!(back.strings.bytes, s.strings.bytes);
        assert_eq!(back.locations, s.locations);
        assert_eq!(
            serde_json::to_string(&heap_diff(&back, &back)).unwrap(),
            serde_json::to_string(&heap_diff(&s, &s)).unwrap()
        );
    }

    #[test]
    fn damaged_buffers_are_errors_not_panics() {
        let good = encode(&tiny());
        // Every truncation and a flipped byte at every position: an error or a consistent graph.
        for len in 0..good.len() {
            assert!(decode(&good[..len]).is_err(), "cut at {len}");
        }
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0xff;
            if let Ok(s) = decode(&b) {
                let _ = heap_diff(&s, &s); // must not panic
            }
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(decode(&trailing).is_err());
    }
}
