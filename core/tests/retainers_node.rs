//! Acceptance on real V8 snapshots: Node writes three snapshots of a leaking app (a global Map
//! `leakyCache` of LeakingClass instances, a closure's `cachedItems` array, transient garbage
//! between snapshots) and the leak report must name both holders and not the garbage.
//!
//! Needs `node` on PATH; without it the tests fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use memwatch_core::retainers::{growth_report, leak_report, LeakOptions, SnapshotAnalysis};
use memwatch_core::snapshot::HeapSnapshot;

/// The app (tests/fixtures/leaky-app-snapshots.js): 100 objects per holder, then 1000, then 1000.
const APP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/leaky-app-snapshots.js");

/// Writes the three snapshots once per test binary run (fails the test without node).
fn snapshots() -> PathBuf {
    static DIR: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    let written = DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("retainers-node");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let st = Command::new("node").args([Path::new(APP), &dir]).args(["100", "1000", "5000"]).status();
        match st {
            Ok(st) if st.success() => Ok(dir),
            Ok(st) => Err(format!("node failed writing snapshots: {st}")),
            Err(e) => Err(format!("could not run `node` ({e}): these tests need Node.js >= 18 on PATH to write real V8 heap snapshots; install it (scripts/test.sh does)")),
        }
    });
    written.clone().unwrap_or_else(|e| panic!("{e}"))
}

fn load(path: &Path) -> HeapSnapshot {
    let f = std::fs::File::open(path).unwrap();
    memwatch_core::snapshot::parse_reader(std::io::BufReader::new(f)).unwrap()
}

#[test]
fn leak_report_names_both_holders_and_not_the_garbage() {
    let dir = snapshots();
    let [b, t, f] = ["baseline", "target", "final"].map(|n| load(&dir.join(format!("{n}.heapsnapshot"))));
    let report = leak_report(&b, &t, &f, &LeakOptions::default()).unwrap();
    let text: Vec<String> = report
        .groups
        .iter()
        .map(|g| format!("{} x{} {} | {}", g.class, g.count, g.retained_size, g.example.text))
        .collect();
    let dump = text.join("\n");
    let lc = report
        .groups
        .iter()
        .find(|g| g.class == "LeakingClass")
        .unwrap_or_else(|| panic!("no LeakingClass group:\n{dump}"));
    assert_eq!(lc.count, 1000, "{dump}");
    assert!(lc.path.contains("leakyCache") && lc.path.contains("Map table"), "{dump}");
    assert!(lc.example.text.starts_with("(global) leakyCache -> Map table -> [k"), "{dump}");
    let items = report
        .groups
        .iter()
        .find(|g| g.path.contains("cachedItems") && g.class == "Object")
        .unwrap_or_else(|| panic!("no cachedItems group:\n{dump}"));
    assert_eq!(items.count, 1000, "{dump}");
    // The closure prints with where it was defined (1-based line:column of its parameter list).
    assert!(items.path.contains("add (leaky-app-snapshots.js:11:68) -> context -> cachedItems"), "{dump}");
    assert!(!dump.contains("TransientThing"), "transient garbage reported:\n{dump}");
    // Largest groups first, and the two holders' groups are the biggest.
    assert!(report.groups.windows(2).all(|w| w[0].retained_size >= w[1].retained_size));
    let top2: Vec<&str> = report.groups[..2].iter().map(|g| g.class.as_str()).collect();
    assert!(top2.contains(&"LeakingClass"), "{dump}");
}

#[test]
fn growth_report_on_real_snapshots() {
    let dir = snapshots();
    let [b, t] = ["baseline", "target"].map(|n| load(&dir.join(format!("{n}.heapsnapshot"))));
    let g = growth_report(&b, &t, 5).unwrap();
    let lc = g.classes.iter().find(|c| c.class == "LeakingClass").expect("LeakingClass grows");
    assert_eq!(lc.count_after - lc.count_before, 1000);
    assert!(lc.retained_size_delta > 0);
    assert!(lc.paths[0].path.contains("leakyCache"), "{:?}", lc.paths);
}

#[test]
fn class_retained_sizes_are_consistent() {
    let dir = snapshots();
    let f = load(&dir.join("final.heapsnapshot"));
    let a = SnapshotAnalysis::new(&f).unwrap();
    let lc = a.classes().iter().find(|c| c.class == "LeakingClass").unwrap();
    assert_eq!(lc.count, 2100);
    // Each LeakingClass holds its own payload array (JSArray + elements store).
    assert!(lc.retained_size > lc.self_size, "{lc:?}");
    // The root retains exactly the reachable heap.
    let reachable: u64 = a.dominators.order.iter().map(|&v| f.node_self_size[v as usize]).sum();
    assert_eq!(a.retained[0], reachable);
}

/// Cross-check against memlab's dominators (an independent implementation, DevTools-derived):
/// every node's retained size must be equal. Runs when `MEMWATCH_MEMLAB_CORE` points at an
/// installed `@memlab/core` (e.g. `npm install @memlab/core` with PUPPETEER_SKIP_DOWNLOAD=1, then
/// `MEMWATCH_MEMLAB_CORE=$PWD/node_modules/@memlab/core`); see docs/retainers.md.
#[test]
fn retained_sizes_equal_memlabs() {
    let Ok(memlab) = std::env::var("MEMWATCH_MEMLAB_CORE") else {
        eprintln!("note: MEMWATCH_MEMLAB_CORE not set; memlab comparison not run");
        return;
    };
    let dir = snapshots();
    let snap_path = dir.join("final.heapsnapshot");
    let out = dir.join("final.memlab.txt");
    let script = dir.join("memlab-dump.js");
    std::fs::write(
        &script,
        format!(
            "const {{getFullHeapFromFile}} = require({:?});
             (async () => {{
               const heap = await getFullHeapFromFile(process.argv[2]);
               const out = [];
               heap.nodes.forEach(n => out.push(n.id + ' ' + n.retainedSize));
               require('fs').writeFileSync(process.argv[3], out.join('\\n') + '\\n');
             }})();",
            format!("{memlab}/dist/__tests__/lib/TestUtils.js")
        ),
    )
    .unwrap();
    let st = Command::new("node").arg(&script).arg(&snap_path).arg(&out).output().unwrap();
    assert!(st.status.success(), "memlab failed: {}", String::from_utf8_lossy(&st.stderr));
    let f = load(&snap_path);
    let a = SnapshotAnalysis::new(&f).unwrap();
    let ours: std::collections::HashMap<u32, u64> =
        (0..f.node_count()).map(|v| (f.node_id[v], a.retained[v])).collect();
    let text = std::fs::read_to_string(&out).unwrap();
    let (mut equal, mut differ) = (0, Vec::new());
    for line in text.lines() {
        let mut it = line.split(' ');
        let id: u32 = it.next().unwrap().parse().unwrap();
        let theirs: u64 = it.next().unwrap().parse().unwrap();
        if ours.get(&id) == Some(&theirs) {
            equal += 1;
        } else {
            differ.push((id, ours.get(&id).copied(), theirs));
        }
    }
    eprintln!("memlab comparison: {equal} nodes equal, {} differ", differ.len());
    assert!(differ.is_empty(), "first differences (id, ours, memlab): {:?}", &differ[..differ.len().min(10)]);
    assert_eq!(equal, f.node_count());
}

/// Holders first: the Map behind `leakyCache` and the closure's `cachedItems` array head the
/// report, with the leaked class and the closure's source location.
#[test]
fn holders_name_the_map_and_the_closure_variable() {
    let dir = snapshots();
    let [b, t, f] = ["baseline", "target", "final"].map(|n| load(&dir.join(format!("{n}.heapsnapshot"))));
    let report = leak_report(&b, &t, &f, &LeakOptions::default()).unwrap();
    let dump: Vec<&str> = report.holders.iter().map(|h| h.headline.as_str()).collect();
    assert!(report.holders.len() >= 2, "{dump:?}");
    let first = &report.holders[0];
    assert_eq!((first.name.as_str(), first.class.as_str()), ("leakyCache", "Map"), "{dump:?}");
    assert_eq!(first.classes[0].class, "LeakingClass");
    assert_eq!(first.classes[0].count, 1000);
    assert!(first.headline.starts_with("leakyCache Map +1000 LeakingClass, +"), "{dump:?}");
    assert!(first.example.text.starts_with("(global) leakyCache -> Map table -> [k"), "{}", first.example.text);
    let second = &report.holders[1];
    assert_eq!(second.location.as_deref(), Some("leaky-app-snapshots.js:11:68"), "{dump:?}");
    assert!(
        second.headline.starts_with("cachedItems (leaky-app-snapshots.js:11:68) Array +1000 Object, +"),
        "{dump:?}"
    );
    assert!(report.holders.windows(2).all(|w| w[0].gained_retained_size >= w[1].gained_retained_size));

    // The same holders between two snapshots (diff --retainers).
    let g = growth_report(&b, &t, 5).unwrap();
    let names: Vec<&str> = g.holders.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(&names[..2], ["leakyCache", "cachedItems"], "{:?}", g.holders);
}

/// The viewer's "Retained size change" column: every HeapDiff bucket of a real snapshot has the
/// totals "Who retains this?" (`class_retainers` under the bucket scheme) shows for its row.
#[test]
fn bucket_retained_matches_class_retainers_on_a_real_snapshot() {
    use memwatch_core::class::Scheme;
    use memwatch_core::retainers::{bucket_retained, class_retainers};
    let dir = snapshots();
    let f = load(&dir.join("final.heapsnapshot"));
    let a = SnapshotAnalysis::new(&f).unwrap();
    let rows = bucket_retained(&f, &a.dominators, &a.retained);
    for what in ["Array", "String", "Code", "Closure", "Number", "LeakingClass", "Map"] {
        let r = rows.iter().find(|r| r.what == what).unwrap_or_else(|| panic!("no {what} row"));
        let c = class_retainers(&f, &a, what, Scheme::Bucket, 0);
        assert_eq!((r.count, r.self_size, r.retained_size), (c.count, c.self_size, c.retained_size), "{what}");
        assert!(r.retained_size >= r.self_size.min(1), "{what}");
    }
}
