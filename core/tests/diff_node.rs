//! HeapDiff between real snapshots written by Node at test time (fail, never skip, when `node`
//! is not installed).

#[path = "fixtures/support.rs"]
mod support;

use memwatch_core::diff::heap_diff;
use memwatch_core::size::nice_size;
use memwatch_core::snapshot::{parse_reader, HeapSnapshot, NodeType};
use support::{run_node, temp_dir};

/// Runs `script` (which writes before/after.heapsnapshot into argv[1]) and parses both.
fn snapshots(tag: &str, script: &str) -> (HeapSnapshot, HeapSnapshot) {
    let dir = temp_dir(tag);
    run_node(script, &dir);
    let parse = |name: &str| parse_reader(std::fs::File::open(dir.join(name)).unwrap()).unwrap();
    let pair = (parse("before.heapsnapshot"), parse("after.heapsnapshot"));
    let _ = std::fs::remove_dir_all(&dir);
    pair
}

#[test]
fn ten_thousand_leaking_class_instances() {
    let script = r#"
const v8 = require('v8');
const dir = process.argv[1];
class LeakingClass {}
globalThis.leaks = [];
v8.writeHeapSnapshot(dir + '/before.heapsnapshot');
for (let i = 0; i < 10000; i++) leaks.push(new LeakingClass());
v8.writeHeapSnapshot(dir + '/after.heapsnapshot');
"#;
    let (before, after) = snapshots("leak", script);
    let d = heap_diff(&before, &after);

    // The instance size V8 reports in the after snapshot (all instances alike).
    let sizes: Vec<u64> = (0..after.node_count())
        .filter(|&n| after.node_kind(n) == NodeType::Object && after.node_name_str(n) == "LeakingClass")
        .map(|n| after.node_self_size[n])
        .collect();
    assert_eq!(sizes.len(), 10_000);
    assert!(sizes.iter().all(|&s| s == sizes[0] && s > 0));

    let leak = d.change.details.iter().find(|x| x.what == "LeakingClass").expect("LeakingClass bucket");
    let json = serde_json::to_value(leak).unwrap();
    assert_eq!(json["+"], 10_000);
    assert_eq!(json["-"], 0);
    assert_eq!(leak.size_bytes, 10_000 * sizes[0] as i64);
    assert_eq!(leak.size, nice_size(leak.size_bytes));

    // The shape users rely on (seed example): totals, counts and sorted details.
    assert_eq!(d.before.nodes, before.node_count() as u64);
    assert_eq!(d.after.nodes, after.node_count() as u64);
    assert!(d.after.size_bytes > d.before.size_bytes);
    assert_eq!(d.change.size_bytes, d.after.size_bytes as i64 - d.before.size_bytes as i64);
    assert!(d.change.allocated_nodes >= 10_000);
    let added: u64 = d.change.details.iter().map(|x| x.added).sum();
    let removed: u64 = d.change.details.iter().map(|x| x.removed).sum();
    assert!(added <= d.change.allocated_nodes && removed <= d.change.freed_nodes);
    assert!(d.change.details.windows(2).all(|w| w[0].what < w[1].what), "details sorted by what");
    let v = serde_json::to_value(&d).unwrap();
    let keys = |o: &serde_json::Value| o.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&v), ["after", "before", "change"]);
    assert_eq!(keys(&v["change"]), ["allocated_nodes", "details", "freed_nodes", "size", "size_bytes"]);
}

#[test]
fn deep_linked_list_diffs_without_stack_overflow() {
    let script = r#"
const v8 = require('v8');
const dir = process.argv[1];
v8.writeHeapSnapshot(dir + '/before.heapsnapshot');
class Link { constructor(next) { this.next = next; } }
let head = null;
for (let i = 0; i < 200000; i++) head = new Link(head);
globalThis.list = head;
v8.writeHeapSnapshot(dir + '/after.heapsnapshot');
"#;
    let (before, after) = snapshots("deep", script);
    // Runs on the test thread's small stack: a recursive walk would overflow here.
    let d = heap_diff(&before, &after);
    let link = d.change.details.iter().find(|x| x.what == "Link").expect("Link bucket");
    assert_eq!((link.added, link.removed), (200_000, 0));
}
