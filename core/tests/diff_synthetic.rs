//! HeapDiff on the hand-written tiny pair (tests/fixtures/tiny-{before,after}.heapsnapshot),
//! whose graphs are small enough to work out the expected result by hand:
//!
//! before: root -> Foo#3 -> "hello"#7; root -> HeapDiff#5 -> Bar#11 (not entered);
//!         root -[element]-> Array#9; Foo#13 unreachable.  Reached: 0+24+32+16 = 72 bytes.
//! after:  root -> Foo#3; root -[weak]-> Foo#15 -> hidden#19; root -> Array#17 -> Bar#21,
//!         closure#23 -> code#25.  All 8 reached: 292 bytes.
//! allocated: 15,17,19,21,23,25 (hidden #19 gets no bucket); freed: "hello"#7, Array#9.

#[path = "fixtures/support.rs"]
mod support;

use memwatch_core::diff::{heap_diff, heap_diff_with_comparison, ComparisonRow};
use memwatch_core::snapshot::parse_bytes;
use support::read_fixture;

#[test]
fn tiny_pair_diffs_exactly_as_worked_out_by_hand() {
    let before = parse_bytes(&read_fixture("tiny-before.heapsnapshot")).unwrap();
    let after = parse_bytes(&read_fixture("tiny-after.heapsnapshot")).unwrap();
    let d = heap_diff(&before, &after);
    let expected = r#"{"before":{"nodes":7,"size_bytes":72,"size":"72 bytes"},"after":{"nodes":8,"size_bytes":292,"size":"292 bytes"},"change":{"size_bytes":220,"size":"220 bytes","freed_nodes":2,"allocated_nodes":6,"details":[{"what":"Array","size_bytes":48,"size":"48 bytes","+":1,"-":1},{"what":"Bar","size_bytes":40,"size":"40 bytes","+":1,"-":0},{"what":"Closure","size_bytes":32,"size":"32 bytes","+":1,"-":0},{"what":"Code","size_bytes":100,"size":"100 bytes","+":1,"-":0},{"what":"Foo","size_bytes":24,"size":"24 bytes","+":1,"-":0},{"what":"String","size_bytes":-32,"size":"-32 bytes","+":0,"-":1}]}}"#;
    assert_eq!(serde_json::to_string(&d).unwrap(), expected);
}

#[test]
fn comparison_columns_split_node_memwatchs_rows_into_allocated_and_freed() {
    let before = parse_bytes(&read_fixture("tiny-before.heapsnapshot")).unwrap();
    let after = parse_bytes(&read_fixture("tiny-after.heapsnapshot")).unwrap();
    let c = heap_diff_with_comparison(&before, &after);
    // The HeapDiff inside is node-memwatch's object, byte for byte.
    assert_eq!(
        serde_json::to_string(&c.heapdiff).unwrap(),
        serde_json::to_string(&heap_diff(&before, &after)).unwrap()
    );
    let row = |what: &str| c.rows.iter().find(|r| r.what == what).unwrap().clone();
    // Array: Array#17 (64 bytes) new, Array#9 (16 bytes) deleted; node-memwatch shows +48 only.
    let array = ComparisonRow {
        what: "Array".into(),
        new_count: 1,
        deleted_count: 1,
        count_delta: 0,
        alloc_size: 64,
        freed_size: 16,
        size_delta: 48,
    };
    assert_eq!(row("Array"), array);
    let string = row("String");
    assert_eq!((string.new_count, string.deleted_count, string.count_delta), (0, 1, -1));
    assert_eq!((string.alloc_size, string.freed_size, string.size_delta), (0, 32, -32));
    // One row per detail, same order, same counts and net size.
    assert_eq!(c.rows.len(), c.heapdiff.change.details.len());
    for (r, d) in c.rows.iter().zip(&c.heapdiff.change.details) {
        assert_eq!((&r.what, r.new_count, r.deleted_count, r.size_delta), (&d.what, d.added, d.removed, d.size_bytes));
        assert_eq!(r.size_delta, r.alloc_size as i64 - r.freed_size as i64);
    }
}

#[test]
fn diff_of_a_snapshot_with_itself_is_empty() {
    let s = parse_bytes(&read_fixture("tiny-after.heapsnapshot")).unwrap();
    let d = heap_diff(&s, &s);
    assert_eq!(d.before, d.after);
    assert_eq!(d.change.size_bytes, 0);
    assert_eq!(d.change.size, "0 bytes");
    assert_eq!((d.change.allocated_nodes, d.change.freed_nodes), (0, 0));
    assert!(d.change.details.is_empty());
    // The reverse diff mirrors the forward one.
    let before = parse_bytes(&read_fixture("tiny-before.heapsnapshot")).unwrap();
    let back = heap_diff(&s, &before);
    assert_eq!(back.change.size_bytes, -220);
    assert_eq!((back.change.allocated_nodes, back.change.freed_nodes), (2, 6));
    let string = back.change.details.iter().find(|d| d.what == "String").unwrap();
    assert_eq!((string.added, string.removed, string.size_bytes), (1, 0, 32));
}

#[test]
fn seed_example_round_trips_through_the_output_types() {
    // The semantics doc's seed example: our types must (de)serialise it byte for byte.
    let seed = r#"{"before":{"nodes":11625,"size_bytes":1869904,"size":"1.78 mb"},"after":{"nodes":21435,"size_bytes":2119136,"size":"2.02 mb"},"change":{"size_bytes":249232,"size":"243.39 kb","freed_nodes":197,"allocated_nodes":10007,"details":[{"what":"Array","size_bytes":66688,"size":"65.13 kb","+":4,"-":78},{"what":"LeakingClass","size_bytes":239952,"size":"234.33 kb","+":9998,"-":0}]}}"#;
    let d: memwatch_core::diff::HeapDiff = serde_json::from_str(seed).unwrap();
    assert_eq!(serde_json::to_string(&d).unwrap(), seed);
}

#[test]
fn ids_far_outside_the_dense_range_still_match() {
    // V8 gives native nodes huge ids; give the kept Foo (id 3) one in both snapshots.
    let fix = |name: &str| {
        let s = String::from_utf8(read_fixture(name)).unwrap();
        assert_eq!(s.matches(",3,2,3,24,").count(), 1);
        parse_bytes(s.replace(",3,2,3,24,", ",3,2,4000000001,24,").as_bytes()).unwrap()
    };
    let d = heap_diff(&fix("tiny-before.heapsnapshot"), &fix("tiny-after.heapsnapshot"));
    let plain = heap_diff(
        &parse_bytes(&read_fixture("tiny-before.heapsnapshot")).unwrap(),
        &parse_bytes(&read_fixture("tiny-after.heapsnapshot")).unwrap(),
    );
    assert_eq!(d, plain);
}

/// The reachability walk against a plain depth-first search from the root, on random graphs
/// whose edges point forwards and backwards (the walk scans nodes in index order and follows
/// targets it has passed at once, so backward chains are what could go wrong).
#[test]
fn reachability_matches_a_plain_search_on_random_graphs() {
    use memwatch_core::diff::Reached;
    use memwatch_core::snapshot::{EdgeType, HeapSnapshot, NodeType};

    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |m: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    for round in 0..200 {
        let n = 1 + next(300) as usize;
        let mut s = HeapSnapshot::default();
        s.strings.offsets.push(0);
        let mut out: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (v, targets) in out.iter_mut().enumerate() {
            s.node_type.push(NodeType::Object as u8);
            s.node_name.push(0);
            s.node_id.push(2 * v as u32 + 1);
            s.node_self_size.push(1 + next(100));
            // Sparse enough that some nodes stay unreachable.
            for _ in 0..next(3) {
                targets.push(next(n as u64) as u32);
            }
        }
        s.first_edge.push(0);
        for targets in &out {
            for &t in targets {
                s.edge_type.push(EdgeType::Property as u8);
                s.edge_name_or_index.push(0);
                s.edge_to.push(t);
            }
            s.first_edge.push(s.edge_to.len() as u64);
        }

        let mut seen = vec![false; n];
        let mut stack = vec![0usize];
        seen[0] = true;
        while let Some(v) = stack.pop() {
            for &t in &out[v] {
                if !std::mem::replace(&mut seen[t as usize], true) {
                    stack.push(t as usize);
                }
            }
        }
        let r = Reached::walk(&s);
        for (v, &want) in seen.iter().enumerate() {
            assert_eq!(r.contains(v), want, "round {round}, node {v} of {n}");
        }
        let size: u64 = (0..n).filter(|&v| seen[v]).map(|v| s.node_self_size[v]).sum();
        assert_eq!((r.count, r.size), (seen.iter().filter(|&&b| b).count() as u64, size), "round {round}");
    }
}
