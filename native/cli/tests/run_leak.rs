//! Leak detection in `memwatch run`: a growing retained structure gets a `leak` event, a steady
//! heap with heavy churn for as long does not; `--fail-on-leak` turns that into the exit status.

mod common;

use common::{js, run};

#[test]
fn growing_structure_gets_a_leak_event() {
    let r = run(&["run", js("growing.js").to_str().unwrap(), "--json", "--fail-on-leak"]);
    let leaks = r.events("leak");
    assert!(!leaks.is_empty(), "no leak event; stderr: {}", r.stderr);
    let l = &leaks[0];
    assert!(l["growth"].as_i64().unwrap() > 1_000_000, "{l}");
    assert!(l["end"].as_f64().unwrap() > l["start"].as_f64().unwrap());
    assert!(l["reason"].as_str().unwrap().contains("mb/hr"), "{l}");
    assert!(r.events("stats").len() >= 40, "one stats event per full GC");
    assert_eq!(r.code, Some(1), "--fail-on-leak exits 1; stderr: {}", r.stderr);
    assert!(r.stderr.contains("leak event"), "{}", r.stderr);
}

#[test]
fn steady_heap_with_churn_gets_none() {
    let r = run(&["run", js("steady.js").to_str().unwrap(), "--json", "--fail-on-leak"]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    assert!(r.events("leak").is_empty(), "{:?}", r.events("leak"));
    let stats = r.events("stats");
    assert!(stats.len() >= 40, "as many full GCs as the growing script: {}", stats.len());
    assert!(stats.iter().all(|s| s["num_inc_gc"].is_u64() && s["usage_trend"].is_number()));
}

#[test]
fn js_leak_listener_gets_dates() {
    let dir = common::TempDir::new("leakjs");
    let script = dir.write(
        "leak-listener.js",
        &std::fs::read_to_string(js("growing.js")).unwrap().replace(
            "const cache",
            "memwatch.on('leak', (l) => console.log(JSON.stringify({ dates: l.start instanceof Date && l.end instanceof Date, growth: l.growth, reason: l.reason })));\nconst cache",
        ),
    );
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let first = r.stdout.lines().next().expect("listener printed");
    let v: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(v["dates"], true);
    assert!(v["growth"].as_i64().unwrap() > 0);
}

/// Regression (issue 11): with 1 ms between `memwatch.gc()` calls, each call's passes used to
/// merge with the next call's by timing (within 10 ms), so equal-looking pairs reset the classic
/// rule and the growing cache gave no leak event. Passes now carry their call's collection id.
#[test]
fn busy_loop_gc_calls_1ms_apart_still_give_a_leak_event() {
    let r = run(&["run", js("busy-loop-growing.js").to_str().unwrap(), "--json"]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let leaks = r.events("leak");
    assert!(!leaks.is_empty(), "no leak event; stats: {:?}", r.events("stats").len());
    assert!(leaks[0]["growth"].as_i64().unwrap() > 1_000_000, "{}", leaks[0]);
}
