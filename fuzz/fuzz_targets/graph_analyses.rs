//! HeapDiff, retainer analysis (dominators, retained sizes, retainer paths), growth and leak
//! reports on arbitrary small graphs. Structure-aware: the input describes three small valid
//! snapshots (node types, names, ids, sizes, edges of every kind), written as V8 JSON and parsed,
//! so the analyses see real parser output and their own code paths, not parse errors.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use memwatch_core::diff::heap_diff;
use memwatch_core::retainers::{growth_report, leak_report, LeakOptions, SnapshotAnalysis};
use memwatch_core::snapshot::parse_bytes;
use memwatch_core::summary::summarize;
use memwatch_fuzz::{assert_js_safe, check_graph};

const NODE_TYPES: &str = r#"["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"]"#;
const EDGE_TYPES: &str = r#"["context","element","property","internal","hidden","shortcut","weak"]"#;
const NAMES: [&str; 12] = [
    "",
    "(root)",
    "Foo",
    "HeapDiff",
    "Array",
    "WeakMap",
    "system / Context",
    "LeakingClass",
    "(GC roots)",
    "a",
    "b",
    "Window / https://example.com",
];

#[derive(Arbitrary, Debug)]
struct Edge {
    ty: u8,
    name: u8,
    to: u8,
}

#[derive(Arbitrary, Debug)]
struct Node {
    ty: u8,
    name: u8,
    /// Small ids, so the three snapshots share objects.
    id: u8,
    size: u16,
    detached: u8,
    edges: Vec<Edge>,
}

#[derive(Arbitrary, Debug)]
struct Graph {
    nodes: Vec<Node>,
}

impl Graph {
    /// V8's JSON for this graph (node 0 is the root; every edge target exists).
    fn to_json(&self) -> String {
        let n = self.nodes.len().clamp(1, 48);
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        let mut edge_count = 0;
        for (i, node) in self.nodes.iter().take(n).enumerate() {
            let ty = if i == 0 { 9 } else { node.ty % 15 };
            let own: Vec<&Edge> = node.edges.iter().take(6).collect();
            let id = if i == 0 { 1 } else { u32::from(node.id) * 2 + 3 };
            nodes.push(format!(
                "{ty},{},{id},{},{},0,{}",
                node.name as usize % NAMES.len(),
                node.size,
                own.len(),
                node.detached % 3
            ));
            for e in own {
                let ety = e.ty % 7;
                // element and hidden edges carry an index, the others a string.
                let name = if ety == 1 || ety == 4 { usize::from(e.name) } else { usize::from(e.name) % NAMES.len() };
                edges.push(format!("{ety},{name},{}", (usize::from(e.to) % n) * 7));
                edge_count += 1;
            }
        }
        if self.nodes.is_empty() {
            nodes.push("9,1,1,0,0,0,0".into());
        }
        let strings: Vec<String> = NAMES.iter().map(|s| format!("{s:?}")).collect();
        format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[{NODE_TYPES},"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[{EDGE_TYPES},"string_or_number","node"]}},"node_count":{},"edge_count":{edge_count}}},"nodes":[{}],"edges":[{}],"strings":[{}]}}"#,
            nodes.len(),
            nodes.join(","),
            edges.join(","),
            strings.join(",")
        )
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    baseline: Graph,
    target: Graph,
    last: Graph,
    paths: u8,
}

fuzz_target!(|input: Input| {
    let parse = |g: &Graph| {
        let text = g.to_json();
        let s = parse_bytes(text.as_bytes()).unwrap_or_else(|e| panic!("generated snapshot rejected: {e}\n{text}"));
        check_graph(&s);
        s
    };
    let (a, b, c) = (parse(&input.baseline), parse(&input.target), parse(&input.last));

    let diff = heap_diff(&a, &b);
    assert_eq!(diff.before.nodes as usize, a.node_count());
    assert_eq!(diff.change.size_bytes, diff.after.size_bytes as i64 - diff.before.size_bytes as i64);
    assert_js_safe(&serde_json::to_value(&diff).unwrap());
    assert_js_safe(&serde_json::to_value(summarize(&c)).unwrap());

    let analysis = SnapshotAnalysis::new(&c).expect("edge details were kept");
    for class in analysis.classes() {
        let paths = memwatch_core::retainers::class_retainers(
            &c,
            &analysis,
            &class.class,
            memwatch_core::class::Scheme::DevTools,
            usize::from(input.paths % 8),
        );
        assert_js_safe(&serde_json::to_value(&paths).unwrap());
    }
    for v in 0..c.node_count() as u32 {
        let _ = analysis.path_to(&c, v);
    }
    let growth = growth_report(&a, &b, usize::from(input.paths % 8)).expect("edge details were kept");
    assert_js_safe(&serde_json::to_value(&growth).unwrap());
    for include_internal in [false, true] {
        let opts = LeakOptions { include_internal, max_groups: usize::from(input.paths % 4) };
        let report = leak_report(&a, &b, &c, &opts).expect("edge details were kept");
        assert!(report.leaked_objects as usize <= c.node_count());
        assert_js_safe(&serde_json::to_value(&report).unwrap());
    }
});
