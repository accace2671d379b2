//! The entry points of the wasm package, through the same core calls its bindings make
//! (wasm/src/snapshot.rs, export.rs): `diffSnapshots`, `summarizeSnapshot`, `Snapshot.fromBytes`
//! + retainer queries, `parseExport`/`analyzeExport` with option overrides. Never a panic, and
//! every snapshot-derived number is exact in a JS number (so no call can throw over one).
//! Input: a selector byte, then the operation's bytes (two snapshots split at a position given
//! by two more bytes; an export optionally preceded by a JSON config line).
#![no_main]

use libfuzzer_sys::fuzz_target;
use memwatch_core::detector_options::AnalyzerOverrides;
use memwatch_core::diff::heap_diff;
use memwatch_core::export::{analyze_export, read_export};
use memwatch_core::retainers::SnapshotAnalysis;
use memwatch_core::summary::summarize;
use memwatch_fuzz::{assert_js_safe, check_graph, parse_like_wasm};

fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data {
        [hi, lo, rest @ ..] => {
            let at = (usize::from(*hi) << 8 | usize::from(*lo)).min(rest.len());
            rest.split_at(at)
        }
        _ => (data, &[]),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&op, rest)) = data.split_first() else { return };
    match op % 4 {
        // diffSnapshots(before, after)
        0 => {
            let (before, after) = split(rest);
            if let (Ok(a), Ok(b)) = (parse_like_wasm(before, false), parse_like_wasm(after, false)) {
                check_graph(&a);
                assert_js_safe(&serde_json::to_value(heap_diff(&a, &b)).unwrap());
            }
        }
        // summarizeSnapshot(bytes)
        1 => {
            if let Ok(s) = parse_like_wasm(rest, false) {
                assert_js_safe(&serde_json::to_value(summarize(&s)).unwrap());
            }
        }
        // Snapshot.fromBytes(bytes) then retainedSizes / classRetainers
        2 => {
            if let Ok(s) = parse_like_wasm(rest, true) {
                check_graph(&s);
                let a = SnapshotAnalysis::new(&s).expect("edge details were kept");
                assert_js_safe(&serde_json::to_value(a.classes()).unwrap());
                if let Some(class) = a.classes().first() {
                    assert_js_safe(
                        &serde_json::to_value(memwatch_core::retainers::class_retainers(
                            &s,
                            &a,
                            &class.class,
                            memwatch_core::class::Scheme::DevTools,
                            3,
                        ))
                        .unwrap(),
                    );
                }
            }
        }
        // parseExport / analyzeExport(bytes, options): the first line may be an options object.
        _ => {
            let (config, export) = match rest.iter().position(|&b| b == b'\n') {
                Some(nl) if rest.first() == Some(&b'{') => {
                    (serde_json::from_slice::<AnalyzerOverrides>(&rest[..nl]).ok(), &rest[nl + 1..])
                }
                _ => (None, rest),
            };
            if let Ok(e) = read_export(export) {
                let _ = serde_json::to_value(&e.records).unwrap();
                // As the wasm `analyzeExport`: options over the recorded parameters; a bad one
                // is an error (a JS Error there), never a panic.
                if let Ok(a) = analyze_export(&e, &config.unwrap_or_default()) {
                    let _ = serde_json::to_value(a).unwrap();
                }
            }
        }
    }
});
