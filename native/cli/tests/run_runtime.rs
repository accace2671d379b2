//! The runtime of `memwatch run`: event loop order, timers, microtasks, console routing, ES
//! modules, script arguments, and the node-memwatch `once('stats') + gc()` expectation.

mod common;

use common::{js, run, TempDir};

#[test]
fn once_stats_after_gc_is_asynchronous() {
    let r = run(&["run", js("once-stats.js").to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let lines: Vec<serde_json::Value> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "once: exactly one delivery: {}", r.stdout);
    assert_eq!(lines[0]["calledSynchronously"], false);
    let s = &lines[1]["stats"];
    for f in
        ["num_full_gc", "num_inc_gc", "heap_compactions", "usage_trend", "estimated_base", "current_base", "min", "max"]
    {
        assert!(s[f].is_number(), "stats.{f} missing: {s}");
    }
    assert!(s["num_full_gc"].as_u64().unwrap() >= 1);
    assert!(s["current_base"].as_u64().unwrap() > 0);
    // @airbnb/node-memwatch's names for the same numbers, as in the npm package.
    assert_eq!(s["used_heap_size"], s["heap"]["used_heap_size"]);
    assert_eq!(s["gcMarkSweepCompactCount"], s["gc_counts"]["mark_sweep_compact"]);
    assert_eq!(s["gcScavengeTime"], s["gc_pause_ns"]["scavenge"]);
    assert_eq!(s["gc_time"], s["last_gc_pause_ns"]);
    assert!(s["gc_ts"].as_u64().unwrap() > 1_700_000_000_000_000, "gc_ts is epoch microseconds: {s}");
}

#[test]
fn event_loop_order_timers_and_microtasks() {
    let dir = TempDir::new("loop");
    let script = dir.write(
        "order.js",
        r#"
        const out = [];
        setTimeout(() => out.push('timeout 300'), 300);
        const iv = setInterval(() => { out.push('interval'); if (out.filter(x => x === 'interval').length === 3) clearInterval(iv); }, 1);
        const cancelled = setTimeout(() => out.push('never'), 5);
        clearTimeout(cancelled);
        setTimeout((a, b) => out.push(`args ${a} ${b}`), 0, 'x', 'y');
        queueMicrotask(() => out.push('microtask'));
        Promise.resolve().then(() => out.push('promise'));
        out.push('sync');
        setTimeout(() => console.log(out.join(',')), 400);
        "#,
    );
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    assert_eq!(
        r.stdout.trim(),
        // setTimeout(0) is 1 ms as in Node; equal deadlines fire in creation order.
        "sync,microtask,promise,interval,args x y,interval,interval,timeout 300"
    );
}

#[test]
fn console_goes_to_stderr_with_json_and_argv_reaches_the_script() {
    let dir = TempDir::new("console");
    let script = dir.write(
        "c.js",
        "console.log('log', {a: [1, 'two']}); console.info('info %d', 7); console.warn('warn'); console.error('error'); console.log(JSON.stringify(process.argv.slice(2)));",
    );
    let plain = run(&["run", script.to_str().unwrap(), "--", "one", "--two"]);
    assert_eq!(plain.code, Some(0));
    assert_eq!(plain.stdout, "log { a: [ 1, \"two\" ] }\ninfo 7\n[\"one\",\"--two\"]\n");
    assert!(plain.stderr.starts_with("warn\nerror\n"), "{}", plain.stderr);
    let json = run(&["run", script.to_str().unwrap(), "--json"]);
    assert_eq!(json.code, Some(0));
    assert!(json.stdout.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{}", json.stdout);
    assert!(json.stderr.contains("log { a: [ 1, \"two\" ] }\ninfo 7\nwarn\nerror\n"), "{}", json.stderr);
}

#[test]
fn es_modules_with_relative_imports_and_top_level_await() {
    let dir = TempDir::new("esm");
    std::fs::create_dir_all(dir.path("lib")).unwrap();
    dir.write("lib/math.mjs", "export const base = 40;\nexport function inc(x) { return x + 1; }\n");
    dir.write("lib/index.js", "import { base, inc } from './math.mjs';\nexport const answer = inc(inc(base));\n");
    let main = dir.write(
        "main.mjs",
        "import { answer } from './lib/index.js';\nawait new Promise((r) => setTimeout(r, 5));\nconsole.log('answer', answer, typeof memwatch.HeapDiff);\n",
    );
    let r = run(&["run", main.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    assert_eq!(r.stdout, "answer 42 function\n");
    // `--module` for a .js entry point.
    let js_main = dir.write("main2.js", "import { answer } from './lib/index.js';\nconsole.log(answer);\n");
    let r = run(&["run", "--module", js_main.to_str().unwrap()]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "42\n"), "stderr: {}", r.stderr);
}

#[test]
fn process_exit_sets_the_status() {
    let dir = TempDir::new("exit");
    let script = dir.write("e.js", "setInterval(() => {}, 1000); setTimeout(() => process.exit(3), 1);");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(3), "stderr: {}", r.stderr);
}

/// The node-memwatch facade is shared with the npm package (pkg/lib/facade.js): the same misuses
/// give the same errors. pkg/test/facade.test.js checks the package against the same file.
#[test]
fn memwatch_misuse_gives_the_messages_shared_with_the_npm_package() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let r = run(&["run", root.join("facade-misuse.js").to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let got: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON object");
    let want: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("facade-misuse.expected.json")).unwrap()).unwrap();
    assert_eq!(got, want);
}

#[test]
fn configure_is_refused_with_a_clear_message_and_heapdiff_events_arrive() {
    let dir = TempDir::new("facade");
    let script = dir.write(
        "c.js",
        r#"
        memwatch.on('heapdiff', (d) => console.log(JSON.stringify({ heapdiff: typeof d.change.size_bytes })));
        try { memwatch.configure({ classic: { growth_count: 2 } }); } catch (e) { console.log(JSON.stringify({ error: e.message })); }
        new memwatch.HeapDiff().end();
        "#,
    );
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let lines: Vec<serde_json::Value> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(lines[0]["error"].as_str().unwrap().starts_with("memwatch.configure() is not available in `memwatch run`"));
    assert_eq!(lines[1]["heapdiff"], "number");
}
