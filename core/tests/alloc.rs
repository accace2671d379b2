//! Allocation sites from sampling heap profiles: flattening, growth above the noise floor, pprof.

use memwatch_core::alloc::pprof::{read_gzipped, to_pprof, write_gzipped};
use memwatch_core::alloc::{
    allocation_growth, check_sampling_interval, min_site_growth, noise_floor, AllocationTracker, GrowthOptions,
    LeakAllocations, LiveAllocations, SamplingProfile, DEFAULT_SAMPLING_INTERVAL,
};
use serde_json::{json, Value};

/// The profiles below are scaled to the default interval, which the growth options use.
const I: u64 = DEFAULT_SAMPLING_INTERVAL;

fn frame(name: &str, line: i64) -> Value {
    json!({ "functionName": name, "scriptId": "7", "url": "file:///srv/app/server.js", "lineNumber": line, "columnNumber": 16 })
}

/// (root) -> main -> { handleRequest (leaky), churn (transient), (anonymous) }, with `n_*`
/// sampled objects of 100 bytes each scaled to `I` bytes (as V8 scales small objects).
fn profile_json(n_leak: u64, n_churn: u64, n_anon: u64) -> String {
    let mut samples = Vec::new();
    let mut ord = 0;
    for (node, n) in [(3, n_leak), (4, n_churn), (5, n_anon)] {
        for _ in 0..n {
            ord += 1;
            samples.push(json!({ "size": 100, "nodeId": node, "ordinal": ord }));
        }
    }
    let v = json!({
        "head": { "callFrame": { "functionName": "(root)", "scriptId": "0", "url": "", "lineNumber": -1, "columnNumber": -1 },
          "selfSize": 0, "id": 1, "children": [
            { "callFrame": frame("main", 0), "selfSize": 0, "id": 2, "children": [
              { "callFrame": frame("handleRequest", 40), "selfSize": n_leak * I, "id": 3, "children": [] },
              { "callFrame": frame("churn", 60), "selfSize": n_churn * I, "id": 4, "children": [] },
              { "callFrame": frame("", 28), "selfSize": n_anon * I, "id": 5, "children": [] }
            ]}
          ]},
        "samples": samples
    });
    v.to_string()
}

fn profile(n_leak: u64, n_churn: u64, n_anon: u64) -> SamplingProfile {
    SamplingProfile::parse(profile_json(n_leak, n_churn, n_anon).as_bytes()).unwrap()
}

#[test]
fn sites_are_stacks_innermost_first_with_one_based_locations() {
    let live = LiveAllocations::from_profile(&profile(20, 5, 3));
    assert_eq!(live.sites.len(), 3);
    assert_eq!(live.total_samples, 28);
    assert_eq!(live.total_bytes, 28 * I);
    let top = &live.sites[0];
    assert_eq!(top.stack.len(), 2);
    assert_eq!(top.stack[0].to_string(), "handleRequest (server.js:41:17)");
    assert_eq!(top.stack[1].to_string(), "main (server.js:1:17)");
    assert!(live.sites.iter().any(|s| s.stack[0].to_string() == "(anonymous) (server.js:29:17)"));
}

#[test]
fn the_leaking_site_grows_and_churn_stays_under_the_noise_floor() {
    let before = LiveAllocations::from_profile(&profile(20, 12, 1));
    let after = LiveAllocations::from_profile(&profile(200, 15, 3));
    let grown = allocation_growth(Some(&before), &after, &GrowthOptions::default());
    assert_eq!(grown.len(), 1, "{grown:#?}");
    assert_eq!(grown[0].site.to_string(), "handleRequest (server.js:41:17)");
    assert_eq!(grown[0].growth, (180 * I) as i64);
    assert_eq!((grown[0].samples_before, grown[0].samples_after), (20, 200));
}

#[test]
fn a_new_site_is_named_from_min_site_growth_on_and_the_text_gives_it() {
    assert_eq!(min_site_growth(I, 3.0), 9 * I);
    let opts = GrowthOptions::default();
    let empty = LiveAllocations::from_profile(&profile(0, 0, 0));
    let report =
        |n| LeakAllocations::between(Some((&empty, 1)), (&LiveAllocations::from_profile(&profile(n, 0, 0)), 2), &opts);
    assert!(report(8).sites.is_empty());
    assert_eq!(report(9).sites.len(), 1);
    assert_eq!(report(9).sites[0].growth, (9 * I) as i64);
    // With no site named, the text says what this interval can name.
    let small = report(3);
    assert_eq!(small.min_site_growth, 9 * I);
    let text = memwatch_core::render::retainers::leak_allocations(&small);
    assert!(text.contains("no allocation site grew beyond sampling noise"), "{text}");
    assert!(
        text.contains("(sampled live memory +1.5 mb in all; at one sample per 512 kb a site needs ~4.5 mb"),
        "{text}"
    );
    // Records written before the field existed say nothing about it.
    let old = LeakAllocations { min_site_growth: 0, ..small };
    assert!(!memwatch_core::render::retainers::leak_allocations(&old).contains("sample more often"));
}

#[test]
fn a_leak_too_slow_for_one_window_is_named_since_the_start() {
    // 5 new samples per window: under the floor (9) each time, 10 since the first profile.
    let mut tracker = AllocationTracker::new(I);
    let _baseline = tracker.observe(LiveAllocations::from_profile(&profile(0, 2, 0)), 10);
    let first_event = tracker.observe(LiveAllocations::from_profile(&profile(5, 2, 0)), 20);
    assert!(first_event.sites.is_empty());
    // The previous profile is the first one: nothing older to compare with.
    assert!(first_event.sites_since_start.is_empty() && first_event.start_ns == 0, "{first_event:?}");
    let second_event = tracker.observe(LiveAllocations::from_profile(&profile(10, 2, 0)), 30);
    assert!(second_event.sites.is_empty(), "{second_event:?}");
    assert_eq!(second_event.start_ns, 10);
    let named: Vec<String> = second_event.sites_since_start.iter().map(|s| s.site.to_string()).collect();
    assert_eq!(named, ["handleRequest (server.js:41:17)"]);
    assert_eq!(second_event.sites_since_start[0].growth, (10 * I) as i64);
    let text = memwatch_core::render::retainers::leak_allocations(&second_event);
    assert!(text.contains("  since sampling started (0.0s before this profile):\n  allocated at handleRequest (server.js:41:17): +5 mb live (0 -> 10 samples)\n"), "{text}");
    // When the window itself names a site, the whole-run comparison is not made.
    let third_event = tracker.observe(LiveAllocations::from_profile(&profile(30, 2, 0)), 40);
    assert_eq!(third_event.sites.len(), 1);
    assert!(third_event.sites_since_start.is_empty() && third_event.start_ns == 0);
}

#[test]
fn noise_floor_is_three_sigma_of_poisson_counts() {
    // 100 samples in all: sd = 10 samples' worth; 3 sigma = 30 intervals.
    assert_eq!(noise_floor(100 * I, 100, I, 3.0), (30 * I) as f64);
    // A new site needs more than a few samples to count.
    assert!(noise_floor(2 * I, 2, I, 3.0) > (2 * I) as f64);
    // Large objects weigh their own size.
    assert_eq!(noise_floor(4 * 1024 * 1024, 4, I, 3.0), 3.0 * 1024.0 * 1024.0 * 2.0);
    // Growth of exactly one new sampled object never counts.
    let before = LiveAllocations::from_profile(&profile(0, 0, 0));
    let after = LiveAllocations::from_profile(&profile(1, 0, 0));
    assert!(allocation_growth(Some(&before), &after, &GrowthOptions::default()).is_empty());
}

#[test]
fn first_profile_reports_growth_from_zero_and_caps_sites_and_frames() {
    let after = LiveAllocations::from_profile(&profile(200, 100, 50));
    let opts = GrowthOptions { max_sites: 2, max_frames: 1, ..GrowthOptions::default() };
    let report = LeakAllocations::between(None, (&after, 5), &opts);
    assert_eq!(report.sites.len(), 2);
    assert_eq!(report.sites[0].stack.len(), 1);
    assert_eq!(report.sites[0].frames_omitted, 1);
    assert_eq!(report.total_bytes_after, 350 * I);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["sites"][0]["stack"][0]["function"], "handleRequest");
    assert_eq!(json["sites"][0]["stack"][0]["line"], 41);
}

#[test]
fn pprof_round_trip_keeps_totals_and_names() {
    let live = LiveAllocations::from_profile(&profile(20, 5, 3));
    let mut gz = Vec::new();
    write_gzipped(&to_pprof(&live, I, 1), &mut gz).unwrap();
    assert_eq!(&gz[..2], &[0x1f, 0x8b], "gzip magic");
    let p = read_gzipped(&gz).unwrap();
    assert_eq!(p.string_table[0], "");
    let name = |i: i64| p.string_table[i as usize].as_str();
    assert_eq!(
        p.sample_type.iter().map(|t| (name(t.r#type), name(t.unit))).collect::<Vec<_>>(),
        [("objects", "count"), ("space", "bytes")]
    );
    let bytes: i64 = p.sample.iter().map(|s| s.value[1]).sum();
    let objects: i64 = p.sample.iter().map(|s| s.value[0]).sum();
    assert_eq!((objects, bytes), (28, (28 * I) as i64));
    assert_eq!(p.period, I as i64);
    // Every sample's stack resolves to functions by name; "main" is shared, so interned once.
    let fn_names: Vec<&str> = p.function.iter().map(|f| name(f.name)).collect();
    assert_eq!(fn_names.iter().filter(|n| **n == "main").count(), 1);
    assert!(fn_names.contains(&"handleRequest") && fn_names.contains(&"(anonymous)"));
    for s in &p.sample {
        for id in &s.location_id {
            assert!(p.location.iter().any(|l| l.id == *id));
        }
    }
    assert!(read_gzipped(b"not gzip").is_err());
}

#[test]
fn tracker_takes_a_baseline_at_the_first_full_gc_then_one_per_leak() {
    let mut t = AllocationTracker::new(I);
    assert!(!t.wants_profile(false, false));
    assert!(t.wants_profile(false, true), "first full GC: baseline");
    assert!(t.wants_profile(true, false));
    let first = t.observe_json(profile_json(20, 12, 1).as_bytes(), 1_000);
    assert_eq!((first.since_ns, first.time_ns, first.interval), (0, 1_000, I));
    assert!(!t.wants_profile(false, true), "baseline taken: stats alone take no profile");
    assert!(t.wants_profile(true, true));
    // The inspector's whole reply is accepted as is.
    let reply = format!(r#"{{"id":9,"result":{{"profile":{}}}}}"#, profile_json(200, 15, 3));
    let second = t.observe_json(reply.as_bytes(), 5_000);
    assert_eq!((second.since_ns, second.time_ns), (1_000, 5_000));
    assert_eq!(second.total_bytes_before, 33 * I);
    assert_eq!(second.total_bytes_after, 218 * I);
    assert_eq!(second.sites.len(), 1, "{second:#?}");
    assert_eq!(second.sites[0].site.to_string(), "handleRequest (server.js:41:17)");
    assert_eq!(second.error, None);
}

#[test]
fn tracker_reports_an_unreadable_profile_and_keeps_its_baseline() {
    let mut t = AllocationTracker::new(I);
    t.observe_json(profile_json(20, 12, 1).as_bytes(), 1_000);
    let bad = t.observe_json(b"{\"head\": 12}", 2_000);
    assert!(bad.sites.is_empty());
    assert!(bad.error.as_deref().unwrap_or("").contains("at byte"), "{bad:?}");
    assert_eq!(bad.since_ns, 1_000);
    let next = t.observe_json(profile_json(200, 12, 1).as_bytes(), 3_000);
    assert_eq!(next.since_ns, 1_000, "the failed profile did not replace the baseline");
    assert_eq!(next.sites[0].bytes_before, 20 * I);
}

#[test]
fn sampling_interval_bounds() {
    assert_eq!(check_sampling_interval(32768.0), Ok(32768));
    assert_eq!(check_sampling_interval(1.0), Ok(1));
    for bad in [0.0, -5.0, 1.5, f64::NAN, f64::INFINITY, (1u64 << 31) as f64] {
        assert!(check_sampling_interval(bad).is_err(), "{bad}");
    }
}

/// handleRequest's and churn's live samples, by ordinal (V8's sample id: an object sampled once
/// keeps it in every later profile); `with_ordinals: false` leaves them out, as old files may.
fn profile_of(leak: &[u64], churn: &[u64], with_ordinals: bool) -> LiveAllocations {
    let mut samples = Vec::new();
    for (node, ordinals) in [(3, leak), (4, churn)] {
        for &o in ordinals {
            let mut s = json!({ "size": 100, "nodeId": node });
            if with_ordinals {
                s["ordinal"] = json!(o);
            }
            samples.push(s);
        }
    }
    let v = json!({
        "head": { "callFrame": { "functionName": "(root)", "scriptId": "0", "url": "", "lineNumber": -1, "columnNumber": -1 },
          "selfSize": 0, "id": 1, "children": [
            { "callFrame": frame("handleRequest", 40), "selfSize": leak.len() as u64 * I, "id": 3, "children": [] },
            { "callFrame": frame("churn", 60), "selfSize": churn.len() as u64 * I, "id": 4, "children": [] }
          ]},
        "samples": samples
    });
    LiveAllocations::from_profile(&SamplingProfile::parse(v.to_string().as_bytes()).unwrap())
}

fn ordinals(r: std::ops::RangeInclusive<u64>) -> Vec<u64> {
    r.collect()
}

#[test]
fn samples_still_alive_add_no_noise() {
    // A cache of 100 sampled entries gains 15: as independent counts the floor would be
    // 3 * sqrt(215) = 44 samples; only the 15 new samples are uncertain (floor 3 * sqrt(15)).
    let cache = ordinals(1..=100);
    let grown = [cache.clone(), ordinals(501..=515)].concat();
    let before = profile_of(&cache, &[], true);
    let after = profile_of(&grown, &[], true);
    let g = allocation_growth(Some(&before), &after, &GrowthOptions::default());
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!((g[0].site.function.as_str(), g[0].growth), ("handleRequest", (15 * I) as i64));
    assert_eq!((g[0].samples_before, g[0].samples_after), (100, 115));
    // The same counts without ordinals: independent estimates, under the floor.
    let before = profile_of(&cache, &[], false);
    let after = profile_of(&grown, &[], false);
    assert!(allocation_growth(Some(&before), &after, &GrowthOptions::default()).is_empty());
}

#[test]
fn replaced_samples_are_noise_not_growth() {
    // An LRU cache: 40 of 100 entries replaced, then 45 replaced by 50 (+5 net): every sample
    // that came or went counts (85 or more), so a small net change stays under the floor.
    let lru = ordinals(1..=100);
    let replaced = [ordinals(41..=100), ordinals(601..=640)].concat();
    let grown = [ordinals(46..=100), ordinals(601..=650)].concat();
    let opts = GrowthOptions::default();
    let before = profile_of(&lru, &[], true);
    assert!(allocation_growth(Some(&before), &profile_of(&replaced, &[], true), &opts).is_empty());
    assert!(allocation_growth(Some(&before), &profile_of(&grown, &[], true), &opts).is_empty());
    // Churn: short-lived samples, a different handful alive at each profile.
    let before = profile_of(&lru, &ordinals(200..=205), true);
    let after = profile_of(&lru, &ordinals(700..=708), true);
    assert!(allocation_growth(Some(&before), &after, &opts).is_empty());
}

#[test]
fn builtins_count_for_the_code_that_called_them() {
    // handleRequest allocates directly and through `String.prototype.repeat` (a frame without a
    // script): one site, handleRequest's, with both, and its stack starts there.
    let live = |direct: u64, via_repeat: u64| {
        let builtin =
            json!({ "functionName": "repeat", "scriptId": "0", "url": "", "lineNumber": -1, "columnNumber": -1 });
        let mut samples = Vec::new();
        for i in 0..direct + via_repeat {
            samples.push(json!({ "size": 100, "nodeId": if i < direct { 3 } else { 4 }, "ordinal": i + 1 }));
        }
        let v = json!({
            "head": { "callFrame": { "functionName": "(root)", "scriptId": "0", "url": "", "lineNumber": -1, "columnNumber": -1 },
              "selfSize": 0, "id": 1, "children": [
                { "callFrame": frame("main", 0), "selfSize": 0, "id": 2, "children": [
                  { "callFrame": frame("handleRequest", 40), "selfSize": direct * I, "id": 3, "children": [
                    { "callFrame": builtin, "selfSize": via_repeat * I, "id": 4, "children": [] }
                  ]}
                ]}
              ]},
            "samples": samples
        });
        LiveAllocations::from_profile(&SamplingProfile::parse(v.to_string().as_bytes()).unwrap())
    };
    let (before, after) = (live(2, 1), live(40, 12));
    assert_eq!(after.sites.len(), 2, "the profile keeps both stacks (pprof shows the builtin)");
    let g = allocation_growth(Some(&before), &after, &GrowthOptions::default());
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!(g[0].site.to_string(), "handleRequest (server.js:41:17)");
    assert_eq!(g[0].stack[0].function, "handleRequest");
    assert_eq!((g[0].samples_before, g[0].samples_after, g[0].growth), (3, 52, (49 * I) as i64));
}
