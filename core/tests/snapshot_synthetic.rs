//! Parser tests on small hand-written snapshots (tests/fixtures/tiny-*.heapsnapshot): exact
//! decoding, layout flexibility, and bad input (every failure is an error, never a panic).

#[path = "fixtures/support.rs"]
mod support;

use memwatch_core::snapshot::{
    parse_bytes, parse_reader, EdgeType, NodeType, ParseError, ParseOptions, SnapshotParser,
};
use support::{assert_same, parse_in_chunks, read_fixture, u64s};

fn tiny() -> Vec<u8> {
    read_fixture("tiny-before.heapsnapshot")
}

fn tiny_str() -> String {
    String::from_utf8(tiny()).unwrap()
}

fn err(bytes: &[u8]) -> ParseError {
    match parse_bytes(bytes) {
        Ok(_) => panic!("expected an error for {:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(200)])),
        Err(e) => e,
    }
}

/// Replaces exactly one occurrence of `from` in the tiny fixture.
fn tiny_with(from: &str, to: &str) -> Vec<u8> {
    let s = tiny_str();
    assert_eq!(s.matches(from).count(), 1, "fixture edit {from:?} must match once");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn tiny_snapshot_decodes_exactly() {
    let s = parse_bytes(&tiny()).unwrap();
    assert_eq!(s.node_count(), 7);
    assert_eq!(s.edge_count(), 5);
    assert!(s.has_edge_details());
    assert_eq!(s.node_kind(0), NodeType::Synthetic);
    assert_eq!(s.node_name_str(0), "(root)");
    assert_eq!(s.node_kind(1), NodeType::Object);
    assert_eq!(s.node_name_str(1), "Foo");
    assert_eq!(s.node_kind(4), NodeType::Array);
    assert_eq!(s.node_id, vec![1, 3, 5, 7, 9, 11, 13]);
    assert_eq!(s.node_self_size, vec![0, 24, 100, 32, 16, 40, 24]);
    assert_eq!(s.first_edge, vec![0, 3, 4, 5, 5, 5, 5, 5]);
    assert_eq!(s.node_detachedness, Some(vec![0, 1, 0, 0, 0, 0, 0]));
    assert_eq!(s.edges_of(0), 0..3);
    assert_eq!(s.edge_to, vec![1, 2, 4, 3, 5]);
    assert_eq!(s.edge_kind(2), EdgeType::Element);
    assert_eq!(s.edge_name_or_index[2], 0);
    assert_eq!(s.edge_kind(0), EdgeType::Property);
    assert_eq!(s.strings.get(s.edge_name_or_index[0]), "a");
    assert_eq!(s.strings.len(), 14);
    assert_eq!(s.strings.get(0), "");
    assert_eq!(s.strings.get(6), "hello \"w\"\n\t\\/");
    assert_eq!(s.strings.get(9), "\u{1F600} emoji", "surrogate pair");
    assert_eq!(s.strings.get(10), "lone \u{FFFD} high", "lone high surrogate");
    assert_eq!(s.strings.get(13), "lone low \u{FFFD}!", "lone low surrogate");
}

#[test]
fn unknown_keys_of_any_shape_are_skipped() {
    // tiny-after has nested arrays/objects, strings holding brackets and quotes, a float.
    let s = parse_bytes(&read_fixture("tiny-after.heapsnapshot")).unwrap();
    assert_eq!(s.node_count(), 8);
    assert_eq!(s.edge_count(), 7);
}

#[test]
fn every_chunking_gives_the_same_graph() {
    for name in ["tiny-before.heapsnapshot", "tiny-after.heapsnapshot"] {
        let bytes = read_fixture(name);
        let whole = parse_bytes(&bytes).unwrap();
        for size in 1..=17 {
            assert_same(&whole, &parse_in_chunks(&bytes, size, ParseOptions::default()));
        }
        assert_same(&whole, &parse_reader(&bytes[..]).unwrap());
    }
}

#[test]
fn keys_in_any_order_and_six_node_fields() {
    // Re-serialise through serde_json's sorted map: "edges", "nodes", "snapshot", "strings", so
    // the arrays arrive before the header that describes them.
    let base = parse_bytes(&tiny()).unwrap();
    // serde_json rejects lone surrogates: give those two strings plain text first.
    let text = tiny_str().replace(r#""lone \ud800 high""#, "\"x\"").replace(r#""lone low \udc00!""#, "\"y\"");
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sorted = serde_json::to_vec(&v).unwrap();
    assert!(String::from_utf8_lossy(&sorted).starts_with("{\"edges\""));
    let s = parse_bytes(&sorted).unwrap();
    assert_eq!(s.node_id, base.node_id);
    assert_eq!(s.edge_to, base.edge_to);
    assert_eq!(s.first_edge, base.first_edge);
    // Strings before the nodes and edges: only the used ones are kept (renumbered), so names
    // read the same; the unused ones (like "\u{1F600} emoji") are dropped.
    for n in 0..base.node_count() {
        assert_eq!(s.node_name_str(n), base.node_name_str(n), "node {n}");
    }
    for e in [0, 1, 3, 4] {
        assert_eq!(s.strings.get(s.edge_name_or_index[e]), base.strings.get(base.edge_name_or_index[e]), "edge {e}");
    }
    assert_eq!(s.edge_name_or_index[2], 0, "element edges keep their index");
    assert_eq!(s.strings.len(), 8, "the 6 node names, \"a\" and \"b\"");

    // Drop `detachedness` (6 fields, as older V8) and move `id` first: read by name, not position.
    let nodes: Vec<u64> = u64s(&v["nodes"]);
    let mut six = Vec::new();
    for r in nodes.chunks(7) {
        six.extend_from_slice(&[r[2], r[0], r[1], r[3], r[4], r[5]]);
    }
    v["snapshot"]["meta"]["node_fields"] =
        serde_json::json!(["id", "type", "name", "self_size", "edge_count", "trace_node_id"]);
    let types = v["snapshot"]["meta"]["node_types"][0].clone();
    v["snapshot"]["meta"]["node_types"] = serde_json::json!(["number", types, "string", "number", "number", "number"]);
    v["nodes"] = serde_json::json!(six);
    let edges: Vec<u64> = u64s(&v["edges"]);
    let rescaled: Vec<u64> = edges.chunks(3).flat_map(|e| [e[0], e[1], e[2] / 7 * 6]).collect();
    v["edges"] = serde_json::json!(rescaled);
    let s6 = parse_bytes(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(s6.node_detachedness, None);
    assert_eq!(s6.node_id, base.node_id);
    assert_eq!(s6.node_type, base.node_type);
    assert_eq!(s6.node_self_size, base.node_self_size);
    assert_eq!(s6.edge_to, base.edge_to);
}

#[test]
fn without_edge_details_only_targets_are_kept() {
    let opts = ParseOptions { edge_details: false, ..ParseOptions::default() };
    let s = parse_in_chunks(&tiny(), 4096, opts);
    assert!(!s.has_edge_details());
    assert!(s.edge_type.is_empty() && s.edge_name_or_index.is_empty());
    assert_eq!(s.edge_count(), 5);
    assert_eq!(s.edge_to, vec![1, 2, 4, 3, 5]);
}

#[test]
fn without_edge_details_locations_are_skipped() {
    // Closures' locations are read with edge details only (they label retainer paths, which
    // need the details anyway).
    // Node 1 (7 fields per node: object_index 7) was defined at script 2, line 3, column 4.
    let text = String::from_utf8(read_fixture("tiny-after.heapsnapshot")).unwrap();
    let bytes = text.replace("\"locations\":[1,2,3,4]", "\"locations\":[7,2,3,4]").into_bytes();
    let full = parse_in_chunks(&bytes, 4096, ParseOptions::default());
    assert!(!full.locations.is_empty());
    let ids = parse_in_chunks(&bytes, 4096, ParseOptions { edge_details: false, ..ParseOptions::default() });
    assert!(ids.locations.is_empty());
    assert_eq!(ids.node_id, full.node_id);
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    for name in ["tiny-before.heapsnapshot", "tiny-after.heapsnapshot"] {
        let bytes = read_fixture(name);
        // Trailing whitespace after the closing brace is legitimately complete.
        let end = bytes.iter().rposition(|&b| b == b'}').unwrap();
        for cut in 0..=end {
            let e = err(&bytes[..cut]);
            assert!(e.offset <= cut as u64, "{name} cut at {cut}: offset {} beyond input", e.offset);
            if cut > 0 {
                assert!(e.message.contains("truncated") || e.message.contains("has no"), "{name} cut at {cut}: {e}");
            }
        }
    }
}

#[test]
fn truncation_messages_name_the_section() {
    let bytes = tiny();
    let s = tiny_str();
    let cut = s.find("3,2,13").unwrap();
    let e = err(&bytes[..cut]);
    assert_eq!(e.offset, cut as u64);
    assert_eq!(e.message, "unexpected end of file inside the \"nodes\" array (truncated file?)");
    let cut = s.find("2,4,35").unwrap();
    assert!(err(&bytes[..cut]).message.contains("inside the \"edges\" array"));
    let cut = s.find("\"Bar\"").unwrap() + 2;
    assert!(err(&bytes[..cut]).message.contains("inside the \"strings\" array"));
    let cut = s.find("\"samples\":[]").unwrap() + "\"samples\":[".len();
    let e = err(&bytes[..cut]);
    assert_eq!(e.message, "unexpected end of file inside the \"samples\" value (truncated file?)");
    let cut = s.find("\"node_count\"").unwrap();
    assert!(err(&bytes[..cut]).message.contains("inside the \"snapshot\" header"));
}

#[test]
fn empty_and_garbage_input() {
    assert_eq!(err(b"").message, "empty file");
    assert_eq!(err(b"").offset, 0);
    assert_eq!(err(b" \n\t ").message, "empty file");
    let e = err(b"hello");
    assert_eq!(e.offset, 0);
    assert!(e.message.starts_with("not a V8 heap snapshot (expected '{'"), "{e}");
    let e = err(b"\x00\xff\xfe garbage");
    assert!(e.message.starts_with("not a V8 heap snapshot"), "{e}");
    let e = err(b"[1,2,3]");
    assert!(e.message.starts_with("not a V8 heap snapshot"), "{e}");
    let e = err(b"{}");
    assert!(e.message.contains("no \"snapshot\" header"), "{e}");
    let e = err(b"{\"a\":1}");
    assert!(e.message.contains("no \"snapshot\" header"), "{e}");
    let e = err(b"{\"a\" 1}");
    assert!(e.message.contains("expected ':'"), "{e}");
    let e = err(b"{\"nodes\":[1,2,x]}");
    assert_eq!(e.offset, 14);
    assert!(e.message.contains("expected an integer but found 'x'"), "{e}");
    // Random bytes never panic.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for len in [1usize, 2, 10, 100, 1000] {
        let mut junk = vec![b'{'];
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            junk.push(b"{}[],:\"0123456789 nodesgtri\\u"[(x % 29) as usize]);
        }
        let _ = parse_bytes(&junk);
    }
}

#[test]
fn errors_carry_line_and_column() {
    let bytes = tiny_with(",3,2,13,24,0,0,0]", ",3,2,13,24,0,0,0,x]");
    let e = err(&bytes);
    let line = tiny_str().lines().position(|l| l.starts_with(",3,2,13,24")).unwrap() as u64 + 1;
    assert_eq!(e.line, Some(line));
    assert_eq!(e.column, Some(18));
    assert!(e.to_string().starts_with(&format!("at byte {}: ", e.offset)));
    assert!(e.message.ends_with(&format!("(line {line}, column 18)")), "{e}");
    assert_eq!(bytes[e.offset as usize], b'x');
}

#[test]
fn wrong_meta() {
    let e = err(&tiny_with(
        "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"],",
        "",
    ));
    assert!(e.message.contains("snapshot.meta has no node_fields"), "{e}");
    let e = err(&tiny_with("\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],", ""));
    assert!(e.message.contains("snapshot.meta has no edge_fields"), "{e}");
    let e = err(&tiny_with("\"name\",\"id\",\"self_size\"", "\"name\",\"idx\",\"self_size\""));
    assert!(e.message.contains("node_fields has no \"id\" field"), "{e}");
    let e = err(&tiny_with("\"node_types\":[[\"hidden\"", "\"node_types\":[\"x\",[\"hidden\""));
    assert!(e.message.contains("node_types[0] is not a list of type names"), "{e}");
    let e = err(&tiny_with("\"snapshot\":{\"meta\":", "\"snapshot\":{\"meta\":7,\"x\":"));
    assert!(e.message.contains("\"snapshot\" header is not valid"), "{e}");
    // Node type 99 does not exist in node_types.
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", ",99,2,13,24,0,0,0]"));
    assert!(e.message.contains("node 6 has type index 99 but snapshot.meta.node_types lists 15 types"), "{e}");
}

#[test]
fn edge_pointing_out_of_range() {
    let e = err(&tiny_with(",2,4,35]", ",2,4,70]"));
    assert!(e.message.starts_with("edge 4 points to node offset 70 outside the 7 nodes"), "{e}");
    let e = err(&tiny_with(",2,4,35]", ",2,4,36]"));
    assert!(e.message.contains("edge 4 points to node offset 36, not a multiple of the 7 node fields"), "{e}");
}

#[test]
fn counts_must_agree() {
    // A huge declared node_count with few nodes: a clear error, and no huge reservation.
    let e = err(&tiny_with("\"node_count\":7,", "\"node_count\":1000000000000000,"));
    assert!(e.message.contains("snapshot.node_count is 1000000000000000 but the \"nodes\" array holds 7 nodes"), "{e}");
    let e = err(&tiny_with("\"edge_count\":5,", "\"edge_count\":6,"));
    assert!(e.message.contains("snapshot.edge_count is 6"), "{e}");
    // Node 1 claims 2 edges instead of 1.
    let e = err(&tiny_with(",3,2,3,24,1,0,1", ",3,2,3,24,2,0,1"));
    assert!(e.message.contains("edge_count fields add up to 6 edges but the \"edges\" array holds 5"), "{e}");
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", ",3,2,13,24,0,0]"));
    assert!(e.message.contains("holds 48 values, not a multiple of the 7"), "{e}");
    let e = err(&tiny_with(",2,4,35]", ",2,4]"));
    assert!(e.message.contains("holds 14 values, not a multiple of the 3"), "{e}");
}

#[test]
fn strings_must_cover_all_names() {
    let s = tiny_str();
    let start = s.find("\"strings\":[").unwrap() + "\"strings\":".len();
    let empty = format!("{}[]}}", &s[..start]);
    let e = err(empty.as_bytes());
    assert!(e.message.contains("node 0 has name index 1 but the \"strings\" array holds only 0 strings"), "{e}");
    // Node names fit, but property edge name "b" (index 5) does not.
    let few = format!("{}[\"\",\"(root)\",\"Foo\",\"HeapDiff\",\"a\"]}}", &s[..start]);
    let e = parse_bytes(few.replace(",2,6,7,", ",2,4,7,").replace(",3,7,11,", ",3,4,11,").as_bytes()).unwrap_err();
    assert!(e.message.contains("edge 1 has name index 5 but the \"strings\" array holds only 5 strings"), "{e}");
}

#[test]
fn numbers_must_be_plain_non_negative_integers() {
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", ",3,2,13,-24,0,0,0]"));
    assert!(e.message.contains("negative number"), "{e}");
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", ",3,2,13,24.5,0,0,0]"));
    assert!(e.message.contains("fraction or exponent"), "{e}");
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", ",3,2,13,99999999999999999999999,0,0,0]"));
    assert!(e.message.contains("too large for 64 bits"), "{e}");
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", ",3,2,13,24,0,0,0,]"));
    assert!(e.message.contains("expected an integer but found ']'"), "{e}");
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", ",3,2,99999999999,24,0,0,0]"));
    assert!(e.message.contains("node id 99999999999 does not fit in 32 bits"), "{e}");
    // Self sizes above 4 GiB are fine (u64).
    let s = parse_bytes(&tiny_with(",3,2,13,24,0,0,0]", ",3,2,13,8589934592,0,0,0]")).unwrap();
    assert_eq!(s.node_self_size[6], 8_589_934_592);
}

#[test]
fn structural_errors() {
    let e = err(&tiny_with("\"samples\":[],", "\"samples\":[},"));
    assert!(e.message.contains("mismatched '}'"), "{e}");
    // The trace tree is read (allocation stacks), not skipped: its own scanner reports it.
    let e = err(&tiny_with("\"trace_tree\":[],", "\"trace_tree\":[},"));
    assert!(e.message.contains("expected an integer or '[' but found '}'"), "{e}");
    let e = err(&tiny_with("\"samples\":[],", "\"nodes\":[],"));
    assert!(e.message.contains("the key \"nodes\" appears twice"), "{e}");
    let mut b = tiny();
    b.extend_from_slice(b" x");
    assert!(err(&b).message.contains("after the end of the snapshot"));
    let e = err(&tiny_with("\"strings\":[\"\",", "\"strings\":[\"\\q\","));
    assert!(e.message.contains("invalid escape"), "{e}");
    let e = err(&tiny_with("\"strings\":[\"\",", "\"strings\":[\"\\u12G4\","));
    assert!(e.message.contains("not a hex digit"), "{e}");
    let e = err(&tiny_with("\"strings\":[\"\",", "\"strings\":[7,"));
    assert!(e.message.contains("expected a string but found '7'"), "{e}");
}

#[test]
fn deep_nesting_in_skipped_keys_does_not_recurse() {
    let depth = 1_000_000;
    let deep = format!("\"samples\":{}{},", "[".repeat(depth), "]".repeat(depth));
    let s = parse_bytes(&tiny_with("\"samples\":[],", &deep)).unwrap();
    assert_eq!(s.node_count(), 7);
    let unbalanced = format!("\"samples\":{},", "[".repeat(depth));
    assert!(parse_bytes(&tiny_with("\"samples\":[],", &unbalanced)).is_err());
}

#[test]
fn invalid_utf8_in_strings_is_replaced_not_fatal() {
    let mut b = tiny_with("\"Bar\"", "\"B\u{e9}r\"");
    // Break the é (C3 A9) into a lone continuation byte.
    let p = b.windows(2).position(|w| w == [0xC3, 0xA9]).unwrap();
    b[p] = b'x';
    let s = parse_bytes(&b).unwrap();
    assert_eq!(s.strings.get(7), "Bx\u{FFFD}r");
    // A valid multi-byte char split across 1-byte chunks is kept intact.
    let b = tiny_with("\"Bar\"", "\"B\u{e9}\u{1F600}r\"");
    let s = parse_in_chunks(&b, 1, ParseOptions::default());
    assert_eq!(s.strings.get(7), "B\u{e9}\u{1F600}r");
}

#[test]
fn push_after_an_error_keeps_failing() {
    let mut p = SnapshotParser::new();
    let e1 = p.push(b"nope").unwrap_err();
    let e2 = p.push(b"{}").unwrap_err();
    assert_eq!(e1, e2);
    assert_eq!(p.finish().unwrap_err(), e1);
}

#[test]
fn size_hint_caps_reservation_but_not_parsing() {
    // The hint is only a reservation cap: a wrong (too small) hint still parses correctly.
    let opts = ParseOptions { size_hint: Some(3), ..ParseOptions::default() };
    let s = parse_in_chunks(&tiny(), 64, opts);
    assert_same(&s, &parse_bytes(&tiny()).unwrap());
}

#[test]
fn mutated_files_never_panic_and_chunking_agrees() {
    // Deterministic byte mutations of both fixtures: replace, insert or delete a byte (digits
    // and JSON punctuation favoured, so mutants get past the first checks). Whatever the
    // outcome, whole-buffer and 3-byte-chunk parsing must agree, and a HeapDiff of anything
    // that parses must not panic.
    let before = parse_bytes(&tiny()).unwrap();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"0123456789,[]{}\":\\u -";
    let mut parsed = 0;
    for round in 0..3000 {
        let mut b = read_fixture(if round % 2 == 0 { "tiny-before.heapsnapshot" } else { "tiny-after.heapsnapshot" });
        let pos = (next() % b.len() as u64) as usize;
        let byte = alphabet[(next() % alphabet.len() as u64) as usize];
        match next() % 3 {
            0 => b[pos] = byte,
            1 => b.insert(pos, byte),
            _ => {
                b.remove(pos);
            }
        }
        let whole = parse_bytes(&b);
        let mut p = SnapshotParser::new();
        let chunked = b.chunks(3).try_for_each(|c| p.push(c)).and_then(|()| p.finish());
        match (&whole, &chunked) {
            (Ok(a), Ok(c)) => {
                assert_same(a, c);
                let _ = memwatch_core::diff::heap_diff(&before, a);
                let _ = memwatch_core::diff::heap_diff(a, a);
                parsed += 1;
            }
            (Err(a), Err(c)) => assert_eq!(a.message, c.message, "round {round}"),
            _ => panic!("round {round}: whole {whole:?} vs chunked {chunked:?}"),
        }
    }
    assert!(parsed > 100, "some mutants should still be valid snapshots ({parsed})");
}

#[test]
fn progress_callback_reports_bytes_consumed() {
    use memwatch_core::snapshot::parse_reader_with;
    // A reader handing out 100 bytes per read: progress is monotonic and ends at the length.
    struct Slow<'a>(&'a [u8]);
    impl std::io::Read for Slow<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(100);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let bytes = tiny();
    let mut seen = Vec::new();
    let s = parse_reader_with(Slow(&bytes), ParseOptions::default(), |n| seen.push(n)).unwrap();
    assert_eq!(s.node_count(), 7);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert_eq!(seen.last().copied(), Some(bytes.len() as u64));
    assert_eq!(seen.len(), bytes.len().div_ceil(100));
    // A failing reader is a located error, not a panic.
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let e = parse_reader_with(Broken, ParseOptions::default(), |_| {}).unwrap_err();
    assert_eq!(e.to_string(), "at byte 0: read error: disk on fire");
}

#[test]
fn locations_are_read_by_field_name_and_checked() {
    // Node offsets are multiples of the 7 node fields; V8 writes records in node order, these
    // are not (the parser sorts them by node).
    let s = parse_bytes(&tiny_with("\"locations\":[]", "\"locations\":[35,4,20,2,7,3,10,6]")).unwrap();
    let got: Vec<(u32, u32, u32, u32)> = s.locations.iter().map(|l| (l.node, l.script_id, l.line, l.column)).collect();
    assert_eq!(got, vec![(1, 3, 10, 6), (5, 4, 20, 2)]);
    assert_eq!(s.location_of(5).map(|l| l.line), Some(20));
    assert_eq!(s.location_of(2), None);
    // Split anywhere, the same.
    let bytes = tiny_with("\"locations\":[]", "\"locations\":[35,4,20,2,7,3,10,6]");
    assert_eq!(parse_in_chunks(&bytes, 3, ParseOptions::default()).locations, s.locations);

    // Records naming no node are dropped, not fatal (no count depends on them); the others stay.
    let s = parse_bytes(&tiny_with("\"locations\":[]", "\"locations\":[36,4,20,2,70,4,20,2,7,3,10,6,14,9]")).unwrap();
    assert_eq!(s.locations.iter().map(|l| l.node).collect::<Vec<_>>(), vec![1]);
    let e = err(&tiny_with("\"locations\":[]", "\"locations\":[7,4,x]"));
    assert!(e.to_string().contains("expected an integer but found 'x'"), "{e}");
    // Without location_fields in the header, the array is skipped.
    let s = parse_bytes(&tiny_with("\"location_fields\"", "\"x_location_fields\"")).unwrap();
    assert!(s.locations.is_empty());
}

/// Sizes: the nodes' self sizes may add up to at most 2^53-1 bytes, so every size derived from
/// a snapshot is exact (no saturation natively, a plain number in JS); beyond, a located error.
#[test]
fn total_self_size_is_at_most_2_pow_53_minus_1() {
    let max = (1u64 << 53) - 1;
    // The other six nodes' self sizes add up to 212.
    let s = parse_bytes(&tiny_with(",3,2,13,24,0,0,0]", &format!(",3,2,13,{},0,0,0]", max - 212))).unwrap();
    assert_eq!(s.node_self_size.iter().sum::<u64>(), max);
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", &format!(",3,2,13,{},0,0,0]", max - 211)));
    assert!(
        e.message.starts_with(&format!(
            "node 6 has self_size {}: the nodes' self sizes add up to more than 2^53-1 bytes",
            max - 211
        )),
        "{e}"
    );
    let e = err(&tiny_with(",3,2,13,24,0,0,0]", &format!(",3,2,13,{},0,0,0]", u64::MAX)));
    assert!(e.message.contains("add up to more than 2^53-1 bytes"), "{e}");
}
