//! Shared by the fuzz targets: parsing the way each host does, and the invariants checked on
//! every result.

use memwatch_core::snapshot::{HeapSnapshot, ParseError, ParseOptions, SnapshotParser};

/// Parses `bytes` pushed in chunks whose sizes come from `seed` (1 byte to 64 KiB, so values,
/// escapes and UTF-8 sequences are split at every kind of place).
pub fn parse_chunked(bytes: &[u8], seed: u8, opts: ParseOptions) -> Result<HeapSnapshot, ParseError> {
    let mut p = SnapshotParser::with_options(opts);
    let mut rng = u64::from(seed) * 0x9E37_79B9_7F4A_7C15 + 1;
    let mut at = 0;
    while at < bytes.len() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let size = match rng % 4 {
            0 => 1 + (rng >> 8) as usize % 3,
            1 => 1 + (rng >> 8) as usize % 17,
            2 => 1 + (rng >> 8) as usize % 4096,
            _ => 1 + (rng >> 8) as usize % 65536,
        };
        let end = (at + size).min(bytes.len());
        p.push(&bytes[at..end])?;
        at = end;
    }
    p.finish()
}

/// What the wasm bindings do with a `Uint8Array` (`wasm/src/snapshot.rs`, `parse_array`): the
/// length as size hint, pushed in 1 MiB slices.
pub fn parse_like_wasm(bytes: &[u8], edge_details: bool) -> Result<HeapSnapshot, ParseError> {
    let opts = ParseOptions { size_hint: Some(bytes.len() as u64), edge_details };
    let mut p = SnapshotParser::with_options(opts);
    for part in bytes.chunks(1 << 20) {
        p.push(part)?;
    }
    p.finish()
}

/// Column-by-column equality of two parses.
pub fn assert_same(a: &HeapSnapshot, b: &HeapSnapshot) {
    assert_eq!(a.node_type, b.node_type);
    assert_eq!(a.node_name, b.node_name);
    assert_eq!(a.node_id, b.node_id);
    assert_eq!(a.node_self_size, b.node_self_size);
    assert_eq!(a.first_edge, b.first_edge);
    assert_eq!(a.node_detachedness, b.node_detachedness);
    assert_eq!(a.edge_type, b.edge_type);
    assert_eq!(a.edge_name_or_index, b.edge_name_or_index);
    assert_eq!(a.edge_to, b.edge_to);
    assert_eq!(a.strings.bytes, b.strings.bytes);
    assert_eq!(a.strings.offsets, b.strings.offsets);
}

/// What the parser guarantees about an accepted snapshot, which the analyses rely on to index
/// without checks.
pub fn check_graph(s: &HeapSnapshot) {
    let n = s.node_count();
    assert!(n >= 1);
    assert_eq!(s.first_edge.len(), n + 1);
    assert_eq!(s.first_edge[n] as usize, s.edge_count());
    assert!(s.first_edge.windows(2).all(|w| w[0] <= w[1]));
    assert!(s.edge_to.iter().all(|&t| (t as usize) < n));
    assert!(s.node_self_size.iter().try_fold(0u64, |a, &b| a.checked_add(b)).is_some_and(|t| t < 1 << 53));
    for v in 0..n {
        let _ = s.strings.get(s.node_name[v]);
    }
}

/// Every integer in a result derived from snapshots is exact in a JS number (the wasm bindings'
/// fast path; docs/format.md "Numbers").
pub fn assert_js_safe(v: &serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                assert!(u < 1 << 53, "{u} is not exact in a JS number");
            } else if let Some(i) = n.as_i64() {
                assert!(i.unsigned_abs() < 1 << 53, "{i} is not exact in a JS number");
            }
        }
        Value::Array(a) => a.iter().for_each(assert_js_safe),
        Value::Object(o) => o.values().for_each(assert_js_safe),
        _ => {}
    }
}
