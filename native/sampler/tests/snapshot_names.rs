//! Heap snapshots taken by a binary linked with `snapshot_names::LINK_ARGS` (this crate's tests
//! are, build.rs): V8's index names come from `memwatch::snapshot_names`, and the snapshot names
//! its internal edges as V8 does, by the slot's decimal index.

#![cfg(all(target_os = "linux", target_pointer_width = "64"))]

use memwatch::doc_support::{context, eval, init_v8};
use memwatch::snapshot::write_heap_snapshot;
use memwatch::snapshot_names::index_names_made;

#[test]
fn index_names_are_made_here_and_read_as_v8_makes_them() {
    init_v8();
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let ctx = context(&mut isolate);
    // A Map's table is a FixedArray: one internal edge per slot that holds an object.
    assert!(eval(
        &mut isolate,
        &ctx,
        "globalThis.m = new Map(); for (let i = 0; i < 3000; i++) m.set('k' + i, { i });"
    ));
    let before = index_names_made();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("names.heapsnapshot");
    write_heap_snapshot(&mut isolate, &path).unwrap();
    let made = index_names_made() - before;

    let snap: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let meta = &snap["snapshot"]["meta"];
    let edge_fields = meta["edge_fields"].as_array().unwrap().len();
    let internal = meta["edge_types"][0].as_array().unwrap().iter().position(|t| t == "internal").unwrap() as u64;
    let strings = snap["strings"].as_array().unwrap();
    let edges = snap["edges"].as_array().unwrap();
    let mut indices: Vec<u64> = edges
        .chunks(edge_fields)
        .filter(|e| e[0].as_u64() == Some(internal))
        .filter_map(|e| strings[e[1].as_u64().unwrap() as usize].as_str())
        .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
        .map(|name| {
            // Decimal as "%d" writes it: no sign, no leading zero.
            assert!(name == "0" || !name.starts_with('0'), "{name:?}");
            name.parse().unwrap()
        })
        .collect();
    indices.sort_unstable();
    indices.dedup();
    // The table's 3,000 keys and 3,000 values, each at its own slot index.
    assert!(indices.len() >= 6000, "{} distinct index names", indices.len());
    assert!(made >= indices.len() as u64, "{made} index names made here, {} in the snapshot", indices.len());
}
