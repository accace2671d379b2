//! Retainer engine on hand-built graphs: dominators and retained sizes against an independent
//! O(n^2) reference, DevTools' edge rules, path naming, and the three-snapshot leak set.

use std::collections::HashMap;

use memwatch_core::retainers::{
    class_retained, leak_report, leak_report_with, leak_report_with_threads, retained_sizes, AnalysisOptions, Classes,
    DominatorTree, IdSet, LeakOptions, RetainerPaths, SnapshotAnalysis,
};
use memwatch_core::snapshot::{EdgeType, HeapSnapshot, NodeType};

/// Builds a `HeapSnapshot` the way the parser lays it out.
#[derive(Default)]
struct Builder {
    snap: HeapSnapshot,
    interned: HashMap<String, u32>,
    out: Vec<Vec<(EdgeType, u32, u32)>>,
}

impl Builder {
    fn new() -> Builder {
        let mut b = Builder::default();
        b.node(NodeType::Synthetic, "", 0);
        b
    }
    fn s(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.interned.get(s) {
            return i;
        }
        let i = self.snap.strings.push(s);
        self.interned.insert(s.to_string(), i);
        i
    }
    /// Adds a node; its id is `2 * index + 1` unless set with `node_with_id`.
    fn node(&mut self, t: NodeType, name: &str, size: u64) -> u32 {
        let i = self.snap.node_type.len() as u32;
        self.node_with_id(t, name, size, 2 * i + 1)
    }
    fn node_with_id(&mut self, t: NodeType, name: &str, size: u64, id: u32) -> u32 {
        let name = self.s(name);
        self.snap.node_type.push(t as u8);
        self.snap.node_name.push(name);
        self.snap.node_id.push(id);
        self.snap.node_self_size.push(size);
        self.out.push(Vec::new());
        self.snap.node_type.len() as u32 - 1
    }
    fn edge(&mut self, from: u32, t: EdgeType, name: &str, to: u32) {
        let n = if t.has_index_name() { name.parse().unwrap() } else { self.s(name) };
        self.out[from as usize].push((t, n, to));
    }
    fn build(mut self) -> HeapSnapshot {
        self.snap.first_edge.push(0);
        for es in &self.out {
            for &(t, n, to) in es {
                self.snap.edge_type.push(t as u8);
                self.snap.edge_name_or_index.push(n);
                self.snap.edge_to.push(to);
            }
            let len = self.snap.edge_type.len() as u64;
            self.snap.first_edge.push(len);
        }
        if self.snap.strings.offsets.is_empty() {
            self.snap.strings.offsets.push(0);
        }
        self.snap
    }
}

fn essential(snap: &HeapSnapshot, from: usize, e: usize) -> bool {
    let t = snap.edge_kind(e);
    t != EdgeType::Weak && (t != EdgeType::Shortcut || from == 0) && snap.edge_to[e] as usize != from
}

/// Reference: `d` dominates `v` iff `v` is unreachable once `d` is removed.
fn reference_idom(snap: &HeapSnapshot) -> Vec<Option<u32>> {
    let n = snap.node_count();
    let reach = |skip: Option<usize>| {
        let mut seen = vec![false; n];
        if skip == Some(0) {
            return seen;
        }
        let mut stack = vec![0usize];
        seen[0] = true;
        while let Some(v) = stack.pop() {
            for e in snap.edges_of(v) {
                let w = snap.edge_to[e] as usize;
                if essential(snap, v, e) && !seen[w] && Some(w) != skip {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen
    };
    let all = reach(None);
    // doms[v] = strict dominators of v
    let mut doms: Vec<Vec<usize>> = vec![Vec::new(); n];
    for d in 0..n {
        if !all[d] {
            continue;
        }
        let r = reach(Some(d));
        for v in 0..n {
            if v != d && all[v] && !r[v] {
                doms[v].push(d);
            }
        }
    }
    (0..n)
        .map(|v| {
            if v == 0 || !all[v] {
                return None;
            }
            // The immediate dominator is the strict dominator with the most dominators itself.
            doms[v].iter().copied().max_by_key(|&d| doms[d].len()).map(|d| d as u32)
        })
        .collect()
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, m: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % m
    }
}

fn random_graph(seed: u64, n: u32, m: u32) -> HeapSnapshot {
    let mut rng = Lcg(seed);
    let mut b = Builder::new();
    let classes = ["A", "B", "C"];
    for i in 1..n {
        let c = classes[rng.next(3) as usize];
        b.node(NodeType::Object, c, 8 + rng.next(100));
        // Keep most nodes reachable: an edge from some earlier node.
        if rng.next(10) < 8 {
            let from = rng.next(i as u64) as u32;
            b.edge(from, EdgeType::Property, "p", i);
        }
    }
    let types = [
        EdgeType::Property,
        EdgeType::Element,
        EdgeType::Internal,
        EdgeType::Weak,
        EdgeType::Shortcut,
        EdgeType::Context,
    ];
    for _ in 0..m {
        let (a, t, to) = (rng.next(n as u64) as u32, types[rng.next(6) as usize], rng.next(n as u64) as u32);
        let name = if t.has_index_name() { "3" } else { "q" };
        b.edge(a, t, name, to);
    }
    b.build()
}

#[test]
fn dominators_match_reference_on_random_graphs() {
    for seed in 0..300u64 {
        let n = 2 + (seed % 40) as u32;
        let snap = random_graph(seed, n, n * 2);
        let dom = DominatorTree::compute(&snap);
        let want = reference_idom(&snap);
        for v in 0..snap.node_count() as u32 {
            assert_eq!(dom.idom(v), want[v as usize], "seed {seed} node {v}");
        }
    }
}

#[test]
fn retained_sizes_match_reference() {
    for seed in 1000..1150u64 {
        let n = 2 + (seed % 30) as u32;
        let snap = random_graph(seed, n, n * 3);
        let dom = DominatorTree::compute(&snap);
        let retained = retained_sizes(&snap, &dom);
        let classes = Classes::new(&snap);
        let summary = class_retained(&snap, &dom, &retained, &classes);
        let nn = snap.node_count() as u32;
        for d in 0..nn {
            let want: u64 = if dom.is_reachable(d) {
                (0..nn).filter(|&v| dom.dominates(d, v)).map(|v| snap.node_self_size[v as usize]).sum()
            } else {
                snap.node_self_size[d as usize]
            };
            assert_eq!(retained[d as usize], want, "seed {seed} node {d}");
        }
        // Class retained: members not strictly dominated by another member of the class.
        for c in &summary.classes {
            let members: Vec<u32> =
                (1..nn).filter(|&v| dom.is_reachable(v) && snap.node_name_str(v as usize) == c.class).collect();
            let want: u64 = members
                .iter()
                .filter(|&&v| !members.iter().any(|&u| u != v && dom.dominates(u, v)))
                .map(|&v| retained[v as usize])
                .sum();
            assert_eq!(c.retained_size, want, "seed {seed} class {}", c.class);
            assert_eq!(c.count, members.len() as u64);
        }
    }
}

#[test]
fn textbook_graph_has_known_dominators() {
    // Lengauer–Tarjan's example shape: R -> A, B; A -> C; B -> C, D; C -> E; D -> E; E -> R.
    let mut b = Builder::new();
    let [a, bb, c, d, e] = ["A", "B", "C", "D", "E"].map(|n| b.node(NodeType::Object, n, 10));
    b.edge(0, EdgeType::Property, "a", a);
    b.edge(0, EdgeType::Property, "b", bb);
    b.edge(a, EdgeType::Property, "c", c);
    b.edge(bb, EdgeType::Property, "c", c);
    b.edge(bb, EdgeType::Property, "d", d);
    b.edge(c, EdgeType::Property, "e", e);
    b.edge(d, EdgeType::Property, "e", e);
    b.edge(e, EdgeType::Property, "back", 0);
    let snap = b.build();
    let dom = DominatorTree::compute(&snap);
    assert_eq!(dom.idom(a), Some(0));
    assert_eq!(dom.idom(c), Some(0));
    assert_eq!(dom.idom(d), Some(bb));
    assert_eq!(dom.idom(e), Some(0));
    let r = retained_sizes(&snap, &dom);
    assert_eq!(r[bb as usize], 20);
    assert_eq!(r[0], 50);
}

#[test]
fn devtools_edge_rules() {
    let mut b = Builder::new();
    let holder = b.node(NodeType::Object, "Holder", 10);
    let weakly = b.node(NodeType::Object, "WeakOnly", 100);
    let short = b.node(NodeType::Object, "ViaShortcut", 7);
    let global = b.node(NodeType::Object, "global", 5);
    let table = b.node(NodeType::Array, "", 16);
    let key = b.node(NodeType::Object, "Key", 4);
    let value = b.node(NodeType::Object, "Value", 1000);
    b.edge(0, EdgeType::Shortcut, "1", global); // root shortcuts count
    b.edge(global, EdgeType::Property, "holder", holder);
    b.edge(holder, EdgeType::Weak, "w", weakly);
    b.edge(holder, EdgeType::Property, "self", holder);
    b.edge(global, EdgeType::Property, "s", short);
    b.edge(holder, EdgeType::Shortcut, "bound", short); // non-root shortcut ignored
                                                        // WeakMap: table -> value and key -> value ephemeron edges; only the key's counts.
    b.edge(global, EdgeType::Property, "wm_table", table);
    b.edge(global, EdgeType::Property, "key", key);
    let tid = b.snap.node_id[table as usize];
    let kid = b.snap.node_id[key as usize];
    let vid = b.snap.node_id[value as usize];
    let ephemeron = format!("1 / part of key (Key @{kid}) -> value (Value @{vid}) pair in WeakMap (table @{tid})");
    b.edge(table, EdgeType::Internal, &ephemeron, value);
    b.edge(key, EdgeType::Internal, &ephemeron, value);
    let snap = b.build();
    let dom = DominatorTree::compute(&snap);
    assert_eq!(dom.idom(global), Some(0));
    assert!(!dom.is_reachable(weakly), "weak edges do not retain");
    assert_eq!(dom.idom(short), Some(global), "non-root shortcut ignored");
    assert_eq!(dom.idom(value), Some(key), "WeakMap value is retained by its key, not the table");
    let r = retained_sizes(&snap, &dom);
    assert_eq!(r[weakly as usize], 100, "unreachable nodes retain themselves");
    assert_eq!(r[key as usize], 1004);
    assert_eq!(r[0], 5 + 10 + 7 + 16 + 4 + 1000);
}

#[test]
fn deep_chain_does_not_overflow_the_stack() {
    let mut b = Builder::new();
    let mut prev = 0;
    for _ in 0..1_000_000 {
        let v = b.node(NodeType::Object, "Link", 16);
        b.edge(prev, EdgeType::Property, "next", v);
        prev = v;
    }
    let snap = b.build();
    let a = SnapshotAnalysis::new(&snap).unwrap();
    assert_eq!(a.retained[1], 16_000_000);
    assert_eq!(a.classes()[0].retained_size, 16_000_000);
    let p = a.path_to(&snap, prev).unwrap();
    // Bounded: 32 hops at each end, the million-link run collapsed in the text.
    assert_eq!(p.hops.len() as u64 + p.omitted_hops, 1_000_000);
    assert_eq!(p.hops.len(), 64);
    assert_eq!(p.text, "Link -> next x999999 -> Link");
}

/// A global Map `leakyCache` (with a backing table), and a closure holding an array.
fn app(b: &mut Builder, leaking: u32, transient: u32) {
    let global = b.node_with_id(NodeType::Object, "global", 40, 3);
    b.edge(0, EdgeType::Shortcut, "1", global);
    let gcroots = b.node_with_id(NodeType::Synthetic, "(GC roots)", 0, 5);
    b.edge(0, EdgeType::Element, "1", gcroots);
    let handles = b.node_with_id(NodeType::Synthetic, "(Global handles)", 0, 7);
    b.edge(gcroots, EdgeType::Element, "1", handles);
    // A V8-internal detour: equally short by hop count, must lose to the global path.
    b.edge(handles, EdgeType::Element, "1", global);

    let map = b.node_with_id(NodeType::Object, "Map", 32, 9);
    b.edge(global, EdgeType::Property, "leakyCache", map);
    let table = b.node_with_id(NodeType::Array, "", 1000, 11 + 1000 * leaking);
    b.edge(map, EdgeType::Internal, "table", table);
    let closure = b.node_with_id(NodeType::Closure, "add", 64, 13);
    b.edge(global, EdgeType::Property, "holderAdd", closure);
    let ctx = b.node_with_id(NodeType::Object, "system / Context", 40, 15);
    b.edge(closure, EdgeType::Internal, "context", ctx);
    let arr = b.node_with_id(NodeType::Object, "Array", 32, 17);
    b.edge(ctx, EdgeType::Context, "cachedItems", arr);
    for i in 0..leaking {
        let key = b.node_with_id(NodeType::String, &format!("k{i}"), 24, 1001 + 10 * i);
        let obj = b.node_with_id(NodeType::Object, "LeakingClass", 40, 1003 + 10 * i);
        let payload = b.node_with_id(NodeType::Object, "Array", 96, 1005 + 10 * i);
        b.edge(table, EdgeType::Internal, &(3 + 3 * i).to_string(), key);
        b.edge(table, EdgeType::Internal, &(4 + 3 * i).to_string(), obj);
        b.edge(obj, EdgeType::Property, "payload", payload);
        let item = b.node_with_id(NodeType::Object, "Object", 40, 1007 + 10 * i);
        b.edge(arr, EdgeType::Element, &i.to_string(), item);
    }
    for i in 0..transient {
        // Garbage the snapshot still lists: not reachable.
        b.node_with_id(NodeType::Object, "TransientThing", 64, 900_001 + 2 * i);
    }
}

#[test]
fn paths_read_like_code() {
    let mut b = Builder::new();
    app(&mut b, 20, 0);
    let snap = b.build();
    let a = SnapshotAnalysis::new(&snap).unwrap();
    let find = |name: &str, k: usize| {
        (0..snap.node_count() as u32).filter(|&v| snap.node_name_str(v as usize) == name).nth(k).unwrap()
    };
    let leak = find("LeakingClass", 17);
    let p = a.path_to(&snap, leak).unwrap();
    assert_eq!(p.text, "(global) leakyCache -> Map table -> [k17] -> LeakingClass");
    assert_eq!(p.normalized, "(global) leakyCache -> Map table -> [*] -> LeakingClass");
    assert_eq!(p.hops.last().unwrap().node_id, snap.node_id[leak as usize]);
    let item = find("Object", 3);
    let p = a.path_to(&snap, item).unwrap();
    assert_eq!(p.text, "(global) holderAdd -> add (closure) -> context -> cachedItems -> [3] -> Object");
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.contains("\"edge_type\":\"context\""), "{json}");
    assert!(RetainerPaths::compute(&snap).path_to(&snap, 0).is_some());
}

#[test]
fn embedder_snapshot_reads_global_through_native_context() {
    // rusty_v8 embedders' snapshots: no root shortcut; the global object hangs off the native
    // context a global handle holds.
    let mut b = Builder::new();
    let gcroots = b.node(NodeType::Synthetic, "(GC roots)", 0);
    b.edge(0, EdgeType::Element, "1", gcroots);
    let handles = b.node(NodeType::Synthetic, "(Global handles)", 0);
    b.edge(gcroots, EdgeType::Element, "1", handles);
    let ctx = b.node(NodeType::Hidden, "system / NativeContext", 40);
    b.edge(handles, EdgeType::Element, "1", ctx);
    let global = b.node(NodeType::Object, "Object", 40);
    b.edge(ctx, EdgeType::Internal, "global_object", global);
    let map = b.node(NodeType::Object, "Map", 32);
    b.edge(global, EdgeType::Property, "leakyCache", map);
    let table = b.node(NodeType::Array, "", 100);
    b.edge(map, EdgeType::Internal, "table", table);
    let key = b.node(NodeType::String, "k0", 24);
    let obj = b.node(NodeType::Object, "LeakingClass", 40);
    b.edge(table, EdgeType::Internal, "3", key);
    b.edge(table, EdgeType::Internal, "4", obj);
    let snap = b.build();
    let a = SnapshotAnalysis::new(&snap).unwrap();
    let p = a.path_to(&snap, obj).unwrap();
    assert_eq!(p.text, "(global) leakyCache -> Map table -> [k0] -> LeakingClass");
    assert_eq!(p.normalized, "(global) leakyCache -> Map table -> [*] -> LeakingClass");
    assert_eq!(p.hops.len(), 7, "hops keep the whole route: {:?}", p.hops);
}

#[test]
fn three_snapshot_leak_set() {
    // Same isolate: ids persist. baseline: 2 items; target: 10; final: 15 (+ transient garbage).
    let snaps: Vec<HeapSnapshot> = [(2, 0), (10, 50), (15, 0)]
        .iter()
        .map(|&(n, t)| {
            let mut b = Builder::new();
            app(&mut b, n, t);
            b.build()
        })
        .collect();
    let report = leak_report(&snaps[0], &snaps[1], &snaps[2], &LeakOptions::default()).unwrap();
    let classes: Vec<(&str, &str, u64)> =
        report.groups.iter().map(|g| (g.class.as_str(), g.path.as_str(), g.count)).collect();
    // 8 objects of each kind were created between baseline and target and survive.
    assert!(
        classes.contains(&("LeakingClass", "(global) leakyCache -> Map table -> [*] -> LeakingClass", 8)),
        "{classes:?}"
    );
    assert!(
        classes.contains(&(
            "Object",
            "(global) holderAdd -> add (closure) -> context -> cachedItems -> [*] -> Object",
            8
        )),
        "{classes:?}"
    );
    assert!(classes.contains(&("(string)", "(global) leakyCache -> Map table -> [*] -> (string)", 8)), "{classes:?}");
    // The payload arrays are dominated by their LeakingClass: counted in its retained size.
    assert!(!classes.iter().any(|c| c.0 == "Array"), "{classes:?}");
    assert!(!classes.iter().any(|c| c.0 == "TransientThing"));
    let lc = report.groups.iter().find(|g| g.class == "LeakingClass").unwrap();
    assert_eq!((lc.self_size, lc.retained_size), (8 * 40, 8 * (40 + 96)));
    assert_eq!(report.groups[0].class, "LeakingClass", "largest retained first");
    // (The table's id changes with every size in `app`: the final one is newer than TARGET.)
    assert_eq!(report.leaked_objects, 8 * 4);
    assert_eq!(report.reported_objects, 24);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["groups"][0]["example"]["text"].as_str().unwrap().split(" -> ").count(), 4);
}

/// The analysis and the leak report split their work over threads (paths next to dominators,
/// holders next to grouping): the same results for 1, 2 and 4 threads, and without the
/// per-class totals everything else is unchanged.
#[test]
fn analysis_and_leak_report_are_the_same_for_any_thread_count() {
    let mut graphs: Vec<[HeapSnapshot; 3]> = (0..40u64)
        .map(|seed| {
            let n = 2 + (seed * 7 % 200) as u32;
            // Ids persist across the three (random_graph numbers nodes the same way).
            [random_graph(seed, n / 2 + 1, n), random_graph(seed, n * 3 / 4 + 1, 2 * n), random_graph(seed, n, 3 * n)]
        })
        .collect();
    graphs.push([(2, 0), (10, 50), (15, 0)].map(|(n, t)| {
        let mut b = Builder::new();
        app(&mut b, n, t);
        b.build()
    }));
    for (g, [base, target, fin]) in graphs.iter().enumerate() {
        let one = SnapshotAnalysis::new(fin).unwrap();
        let (base_ids, target_ids) = (IdSet::new(base), IdSet::new(target));
        for max_groups in [0, 2] {
            let opts = LeakOptions { include_internal: true, max_groups };
            let want = leak_report_with(&base_ids, &target_ids, fin, &one, &opts);
            for threads in [1, 2, 4] {
                for class_totals in [true, false] {
                    let a = SnapshotAnalysis::with_options(fin, AnalysisOptions { threads, class_totals }, &|_| {})
                        .unwrap();
                    let at = format!("graph {g}, {threads} threads, class totals {class_totals}");
                    assert_eq!(a.dominators.idom, one.dominators.idom, "{at}");
                    assert_eq!(a.dominators.order, one.dominators.order, "{at}");
                    assert_eq!(a.retained, one.retained, "{at}");
                    assert_eq!(a.classes.class_of, one.classes.class_of, "{at}");
                    assert_eq!(a.classes(), if class_totals { one.classes() } else { &[] }, "{at}");
                    for v in 0..fin.node_count() as u32 {
                        assert_eq!(a.path_to(fin, v), one.path_to(fin, v), "{at}, node {v}");
                        assert_eq!(a.paths.group_key(fin, v), one.paths.group_key(fin, v), "{at}, node {v}");
                    }
                    let got = leak_report_with_threads(&base_ids, &target_ids, fin, &a, &opts, threads, &|_| {});
                    assert_eq!(got, want, "{at}, max_groups {max_groups}");
                }
            }
        }
    }
}

#[test]
fn growth_report_ranks_classes_and_names_holders() {
    let mk = |n| {
        let mut b = Builder::new();
        app(&mut b, n, 0);
        b.build()
    };
    let (before, after) = (mk(5), mk(25));
    let g = memwatch_core::retainers::growth_report(&before, &after, 2).unwrap();
    let names: Vec<&str> = g.classes.iter().map(|c| c.class.as_str()).collect();
    // Self-size growth: 20 payload arrays (96 B) > 20 LeakingClass (40 B) = 20 items (40 B).
    assert_eq!(names, ["Array", "LeakingClass"]);
    assert_eq!(
        g.classes[0].paths[0].path,
        "(global) leakyCache -> Map table -> [*] -> LeakingClass -> payload -> Array"
    );
    let lc = &g.classes[1];
    assert_eq!(lc.retained_size_delta, 20 * 136);
    assert_eq!(lc.new_objects, 20);
    assert_eq!(lc.paths[0].path, "(global) leakyCache -> Map table -> [*] -> LeakingClass");
    assert_eq!(lc.paths[0].count, 20);
}

#[test]
fn empty_and_root_only_snapshots() {
    let empty = HeapSnapshot { first_edge: vec![0], ..HeapSnapshot::default() };
    let a = SnapshotAnalysis::new(&empty).unwrap();
    assert!(a.classes().is_empty());
    let root = Builder::new().build();
    let a = SnapshotAnalysis::new(&root).unwrap();
    assert_eq!(a.retained, vec![0]);
    let r = leak_report(&root, &root, &root, &LeakOptions::default()).unwrap();
    assert!(r.groups.is_empty());
}

#[test]
fn out_of_range_edge_targets_are_ignored() {
    let mut b = Builder::new();
    let x = b.node(NodeType::Object, "X", 8);
    b.edge(0, EdgeType::Property, "x", x);
    let mut snap = b.build();
    snap.edge_to.push(99);
    snap.edge_type.push(EdgeType::Property as u8);
    snap.edge_name_or_index.push(0);
    *snap.first_edge.last_mut().unwrap() += 1;
    let a = SnapshotAnalysis::new(&snap).unwrap();
    assert_eq!(a.retained[0], 8);
}

#[test]
fn snapshots_without_edge_details_are_refused_not_misread() {
    let mut b = Builder::new();
    app(&mut b, 3, 0);
    let mut snap = b.build();
    snap.edge_type.clear();
    snap.edge_name_or_index.clear();
    assert_eq!(SnapshotAnalysis::new(&snap).err(), Some(memwatch_core::retainers::RetainersError::MissingEdgeDetails));
    // The low-level pieces still never panic on such input.
    let dom = DominatorTree::compute(&snap);
    assert!(dom.reachable_count() > 1);
    let p = RetainerPaths::compute(&snap);
    let last = snap.node_count() as u32 - 1;
    assert!(p.path_to(&snap, last).is_some());
}

#[test]
fn deep_paths_with_many_leak_roots_stay_linear() {
    // A doubly linked list held at both ends: no node dominates another, so every new node is a
    // leak root with a path up to 100k hops long. Grouping must not walk each path.
    let build = |len: u32| {
        let mut b = Builder::new();
        let global = b.node_with_id(NodeType::Object, "global", 8, 3);
        b.edge(0, EdgeType::Shortcut, "1", global);
        let ids: Vec<u32> = (0..len).map(|i| b.node_with_id(NodeType::Object, "ListNode", 32, 101 + 2 * i)).collect();
        b.edge(global, EdgeType::Property, "head", ids[0]);
        b.edge(global, EdgeType::Property, "tail", ids[len as usize - 1]);
        for w in ids.windows(2) {
            b.edge(w[0], EdgeType::Property, "next", w[1]);
            b.edge(w[1], EdgeType::Property, "prev", w[0]);
        }
        b.build()
    };
    let (base, target) = (build(10), build(200_000));
    let t = std::time::Instant::now();
    let r = leak_report(&base, &target, &target, &LeakOptions::default()).unwrap();
    assert_eq!(r.reported_objects, 199_990);
    assert!(t.elapsed().as_secs() < 60, "took {:?}", t.elapsed());
}

/// root -(shortcut)-> global -property "list"-> JS Array -internal "elements"-> (array) backing
/// -> `n` closures `handler`, each with a string `name`; plus a String wrapper object.
fn bucket_graph(n: u32) -> HeapSnapshot {
    let mut b = Builder::new();
    let global = b.node(NodeType::Object, "Window", 10);
    b.edge(0, EdgeType::Shortcut, "global", global);
    let list = b.node(NodeType::Object, "Array", 16);
    b.edge(global, EdgeType::Property, "list", list);
    let backing = b.node(NodeType::Array, "", 8 + 8 * n as u64);
    b.edge(list, EdgeType::Internal, "elements", backing);
    for i in 0..n {
        let f = b.node_with_id(NodeType::Closure, "handler", 32, 1001 + 2 * i);
        b.edge(backing, EdgeType::Element, &i.to_string(), f);
        let s = b.node_with_id(NodeType::String, &format!("name{i}"), 20, 5001 + 2 * i);
        b.edge(f, EdgeType::Property, "name", s);
    }
    let wrapper = b.node(NodeType::Object, "String", 12);
    b.edge(global, EdgeType::Property, "boxed", wrapper);
    b.build()
}

#[test]
fn bucket_scheme_selects_what_heapdiff_counts() {
    use memwatch_core::class::Scheme;
    use memwatch_core::retainers::{class_growth, class_retainers, growth_report};
    let (before, after) = (bucket_graph(2), bucket_graph(5));
    let (ab, aa) = (SnapshotAnalysis::new(&before).unwrap(), SnapshotAnalysis::new(&after).unwrap());

    // `Array` bucket: the JS array and its backing store; the JS array dominates the store.
    let arr = class_retainers(&after, &aa, "Array", Scheme::Bucket, 5);
    assert_eq!((arr.count, arr.self_size), (2, 16 + 48));
    assert_eq!(arr.retained_size, 16 + 48 + 5 * 52);
    assert_eq!(arr.paths[0].path, "(global) list -> Array");
    // DevTools' `Array` class is only the JS array.
    assert_eq!(class_retainers(&after, &aa, "Array", Scheme::DevTools, 5).count, 1);

    // `Closure` (no DevTools class of that name) and `String` (strings plus the wrapper).
    let clo = class_retainers(&after, &aa, "Closure", Scheme::Bucket, 5);
    assert_eq!((clo.count, clo.retained_size), (5, 5 * 52));
    assert_eq!(clo.paths[0].path, "(global) list -> Array elements -> [*] -> handler (closure)");
    assert_eq!(class_retainers(&after, &aa, "Closure", Scheme::DevTools, 5).count, 0);
    assert_eq!(class_retainers(&after, &aa, "String", Scheme::Bucket, 5).count, 6);

    let g = class_growth(&before, &ab, &after, &aa, "Closure", Scheme::Bucket, 3).expect("closures grew");
    assert_eq!((g.count_before, g.count_after, g.new_objects), (2, 5, 3));
    assert_eq!(g.retained_size_delta, 3 * 52);
    assert_eq!(g.paths.iter().map(|p| p.count).sum::<u64>(), 3);
    assert!(class_growth(&before, &ab, &after, &aa, "Window", Scheme::Bucket, 3).is_none());

    // For a DevTools class, class_growth is growth_report's row.
    let report = growth_report(&before, &after, 10).unwrap();
    let row = report.classes.iter().find(|c| c.class == "(closure)").expect("(closure) grew");
    assert_eq!(class_growth(&before, &ab, &after, &aa, "(closure)", Scheme::DevTools, 3).as_ref(), Some(row));
}

#[test]
fn bucket_retained_equals_class_retainers_for_every_bucket() {
    use memwatch_core::class::Scheme;
    use memwatch_core::retainers::{bucket_retained, class_retainers};
    let after = bucket_graph(5);
    let a = SnapshotAnalysis::new(&after).unwrap();
    let rows = bucket_retained(&after, &a.dominators, &a.retained);
    let names: Vec<&str> = rows.iter().map(|r| r.what.as_str()).collect();
    assert!(names.contains(&"Array") && names.contains(&"Closure") && names.contains(&"String"), "{names:?}");
    let mut sorted = names.clone();
    sorted.sort_by(|x, y| x.as_bytes().cmp(y.as_bytes()));
    assert_eq!(names, sorted, "rows in HeapDiff's order");
    for r in &rows {
        let c = class_retainers(&after, &a, &r.what, Scheme::Bucket, 0);
        assert_eq!((r.count, r.self_size, r.retained_size), (c.count, c.self_size, c.retained_size), "{}", r.what);
    }
    // The JS array dominates its backing store: the `Array` bucket counts the store once.
    let arr = rows.iter().find(|r| r.what == "Array").unwrap();
    assert_eq!(arr.retained_size, 16 + 48 + 5 * 52);
}

/// A 5,000-link chain `(global) queue -> head -> next -> ... -> Item`: paths collapse the run,
/// keep a bounded hop list, and every link groups under one path.
#[test]
fn chains_collapse_and_paths_stay_bounded() {
    let mut b = Builder::new();
    let global = b.node(NodeType::Object, "Window", 10);
    b.edge(0, EdgeType::Shortcut, "global", global);
    let queue = b.node(NodeType::Object, "Queue", 10);
    b.edge(global, EdgeType::Property, "queue", queue);
    let mut prev = b.node(NodeType::Object, "Item", 20);
    b.edge(queue, EdgeType::Property, "head", prev);
    for _ in 1..5000 {
        let next = b.node(NodeType::Object, "Item", 20);
        b.edge(prev, EdgeType::Property, "next", next);
        prev = next;
    }
    let snap = b.build();
    let a = SnapshotAnalysis::new(&snap).unwrap();
    let p = a.path_to(&snap, prev).unwrap();
    assert_eq!(p.text, "(global) queue -> head -> next x4999 -> Item");
    assert_eq!(p.normalized, "(global) queue -> head -> next x* -> Item");
    assert_eq!(p.hops.len(), 64);
    assert_eq!(p.omitted_hops, 5002 - 64);
    assert_eq!(p.hops.last().map(|h| h.node_id), Some(snap.node_id[prev as usize]));
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.len() < 16_000, "{} bytes", json.len());
    // Every link after the first shares one group.
    let members = (4..snap.node_count() as u32).collect::<Vec<_>>();
    let (groups, _) =
        memwatch_core::retainers::group_by_path(&snap, &a.classes, &a.paths, &a.retained, members.into_iter(), 0);
    assert_eq!(groups.len(), 1, "{:?}", groups.iter().map(|g| &g.path).collect::<Vec<_>>());
    assert_eq!(groups[0].count, 4999);
}

/// Paths with many different hops keep their start and end and count what is left out.
#[test]
fn long_paths_are_shortened_in_the_middle() {
    let mut b = Builder::new();
    let global = b.node(NodeType::Object, "Window", 10);
    b.edge(0, EdgeType::Shortcut, "global", global);
    let mut prev = global;
    for i in 0..100 {
        let next = b.node(NodeType::Object, "Obj", 20);
        b.edge(prev, EdgeType::Property, &format!("p{i}"), next);
        prev = next;
    }
    let snap = b.build();
    let a = SnapshotAnalysis::new(&snap).unwrap();
    let p = a.path_to(&snap, prev).unwrap();
    assert!(p.text.starts_with("(global) p0 -> p1 -> "), "{}", p.text);
    assert!(p.text.ends_with(" -> p99 -> Obj"), "{}", p.text);
    assert!(p.text.contains(" -> ... (70 hops) ... -> "), "{}", p.text);
}

/// A queue of `links` links under a global `jobs` (ids fixed by position, so two builds of one
/// queue share the ids of their common links) and `timers` Timeouts in a runtime list, each
/// with a callback whose context keeps a `Job`.
fn queue_and_timers(links: u32, timers: u32) -> HeapSnapshot {
    let mut b = Builder::new();
    let global = b.node_with_id(NodeType::Object, "global", 10, 3);
    b.edge(0, EdgeType::Shortcut, "", global);
    let queue = b.node_with_id(NodeType::Object, "JobQueue", 20, 5);
    b.edge(global, EdgeType::Property, "jobs", queue);
    let mut prev = queue;
    for i in 0..links {
        let l = b.node_with_id(NodeType::Object, "QueueNode", 40, 1001 + 2 * i);
        b.edge(prev, EdgeType::Property, if i == 0 { "head" } else { "next" }, l);
        prev = l;
    }
    let list = b.node_with_id(NodeType::Object, "TimersList", 30, 7);
    b.edge(global, EdgeType::Property, "timerList", list);
    // One function (SharedFunctionInfo) behind every callback closure, as in V8.
    let sfi = b.node_with_id(NodeType::Code, "system / SharedFunctionInfo", 40, 9);
    b.edge(global, EdgeType::Internal, "code", sfi);
    for i in 0..timers {
        let t = b.node_with_id(NodeType::Object, "Timeout", 50, 100_001 + 8 * i);
        b.edge(list, EdgeType::Element, &i.to_string(), t);
        let f = b.node_with_id(NodeType::Closure, "poll", 32, 100_003 + 8 * i);
        b.edge(t, EdgeType::Property, "_onTimeout", f);
        b.edge(f, EdgeType::Internal, "shared", sfi);
        let ctx = b.node_with_id(NodeType::Hidden, "system / Context", 24, 100_005 + 8 * i);
        b.edge(f, EdgeType::Internal, "context", ctx);
        let job = b.node_with_id(NodeType::Object, "Job", 200, 100_007 + 8 * i);
        b.edge(ctx, EdgeType::Context, "job", job);
    }
    b.build()
}

#[test]
fn chain_links_count_under_the_chain_holder_and_timers_under_their_callback() {
    let (before, after) = (queue_and_timers(10, 2), queue_and_timers(60, 12));
    let g = memwatch_core::retainers::growth_report(&before, &after, 5).unwrap();
    let q = g.holders.iter().find(|h| h.class == "JobQueue").expect("the queue holds its links");
    assert_eq!(q.name, "jobs");
    assert_eq!((q.classes[0].class.as_str(), q.classes[0].count), ("QueueNode", 50));
    assert_eq!(q.gained_objects, 50);
    assert!(!g.holders.iter().any(|h| h.class == "QueueNode"), "an old link is no holder: {:?}", g.holders);
    let t = g.holders.iter().find(|h| h.class == "Timeout").expect("timers grouped by callback");
    // No `_repeat` edge: an interval (Node stores a small integer there).
    assert_eq!(t.name, "setInterval callback poll");
    assert_eq!((t.classes[0].class.as_str(), t.classes[0].count), ("Job", 10));
    assert!(t.headline.contains("poll -> context -> job [Job] +10 Job"), "{}", t.headline);
}

/// A global `queue` holding a chain of `links` Items (`head`, then `next`), and `(GC roots)`:
/// returns (the root groups' parent, the Items in chain order).
fn queue_app(b: &mut Builder, links: usize) -> (u32, Vec<u32>) {
    let global = b.node(NodeType::Object, "Window", 10);
    b.edge(0, EdgeType::Shortcut, "global", global);
    let gcroots = b.node(NodeType::Synthetic, "(GC roots)", 0);
    b.edge(0, EdgeType::Element, "1", gcroots);
    let queue = b.node(NodeType::Object, "Queue", 10);
    b.edge(global, EdgeType::Property, "queue", queue);
    let mut items = vec![b.node(NodeType::Object, "Item", 20)];
    b.edge(queue, EdgeType::Property, "head", items[0]);
    for i in 1..links {
        let next = b.node(NodeType::Object, "Item", 20);
        b.edge(items[i - 1], EdgeType::Property, "next", next);
        items.push(next);
    }
    (gcroots, items)
}

/// A C++ handle (`(Handle scope)`) pointing deep into a chain that a variable also reaches:
/// the links past it are the variable's, however long its route; what only the handle
/// reaches keeps a path through it.
#[test]
fn handle_scopes_are_the_last_resort() {
    let mut b = Builder::new();
    let (gcroots, items) = queue_app(&mut b, 600);
    let scope = b.node(NodeType::Synthetic, "(Handle scope)", 0);
    b.edge(gcroots, EdgeType::Element, "1", scope);
    b.edge(scope, EdgeType::Element, "48", items[300]);
    let orphan = b.node(NodeType::Object, "Orphan", 20);
    b.edge(scope, EdgeType::Element, "49", orphan);
    let snap = b.build();
    let a = SnapshotAnalysis::new(&snap).unwrap();
    let p = a.path_to(&snap, items[599]).unwrap();
    assert_eq!(p.text, "(global) queue -> head -> next x599 -> Item");
    let p = a.path_to(&snap, orphan).unwrap();
    assert!(p.text.contains("(Handle scope)"), "{}", p.text);
    assert!(p.text.ends_with("[49] -> Orphan"), "{}", p.text);
}

/// The identity map of a compile job's canonical handles is registered as a strong root
/// (`(Strong roots)` edge `12 / IdentityMapBase`): it names an object only when nothing else
/// reaches it. V8's own root list (`empty_fixed_array`) keeps its small extra cost.
#[test]
fn registered_strong_roots_are_the_last_resort() {
    let mut b = Builder::new();
    // The program's path is long (a deep chain), the registered entry points straight at it.
    let (gcroots, items) = queue_app(&mut b, 40);
    let last = items[39];
    let list = b.node(NodeType::Synthetic, "(Strong roots)", 0);
    b.edge(gcroots, EdgeType::Element, "1", list);
    let registered = b.node(NodeType::Synthetic, "(Strong roots)", 0);
    b.edge(gcroots, EdgeType::Element, "2", registered);
    let links = b.node(NodeType::Object, "NodeLinks", 20);
    b.edge(last, EdgeType::Property, "links", links);
    b.edge(registered, EdgeType::Internal, "137 / IdentityMapBase", links);
    let orphan = b.node(NodeType::Object, "Orphan", 20);
    b.edge(registered, EdgeType::Internal, "138 / IdentityMapBase", orphan);
    let table = b.node(NodeType::Object, "Table", 20);
    b.edge(list, EdgeType::Internal, "string_split_cache", table);
    b.edge(last, EdgeType::Property, "cache", table);
    let snap = b.build();
    let a = SnapshotAnalysis::new(&snap).unwrap();
    let p = a.path_to(&snap, links).unwrap();
    assert_eq!(p.text, "(global) queue -> head -> next x39 -> links -> NodeLinks");
    let p = a.path_to(&snap, orphan).unwrap();
    assert!(p.text.ends_with("(Strong roots) 138 / IdentityMapBase -> Orphan"), "{}", p.text);
    // The root list is no last resort: its short path still wins over the 41-hop chain.
    let p = a.path_to(&snap, table).unwrap();
    assert!(p.text.contains("string_split_cache"), "{}", p.text);
}
