//! Attach memwatch to a V8 isolate of your own (see docs/embedding.md).
//!
//! Run: `cargo run --release -p memwatch --example embed` (with RUSTY_V8_ARCHIVE set as for any
//! build). It runs a script that leaks in rounds, forces a GC after each, prints the stats and
//! leak events, diffs the heap around one round, and writes `embed-example.ndjson`.

use memwatch::{Config, Memwatch, MemwatchEvent, PipelineConfig};

/// Runs `code` in `context`, printing an exception if it throws.
fn eval(isolate: &mut v8::OwnedIsolate, context: &v8::Global<v8::Context>, code: &str) {
    v8::scope!(let hs, isolate);
    let ctx = v8::Local::new(hs, context);
    let scope = &mut v8::ContextScope::new(hs, ctx);
    v8::tc_scope!(let tc, scope);
    let ok = v8::String::new(tc, code)
        .and_then(|src| v8::Script::compile(tc, src, None))
        .and_then(|script| script.run(tc))
        .is_some();
    if !ok {
        let msg = tc.exception().map(|e| e.to_rust_string_lossy(tc)).unwrap_or_default();
        eprintln!("script failed: {msg}");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Your program initializes V8 once, as usual.
    let platform = v8::new_default_platform(0, false).make_shared();
    v8::V8::initialize_platform(platform);
    v8::V8::initialize();
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());

    // Attach before running JS so every GC is sampled. The export file is optional.
    let config = Config {
        pipeline: PipelineConfig { export: Some("embed-example.ndjson".into()), ..PipelineConfig::default() },
        ..Config::default()
    };
    let mw = Memwatch::attach(&mut isolate, config)?;
    // Rust listeners run inside `poll()`, i.e. from your event loop, never inside a GC.
    mw.on_event(|e| match e {
        MemwatchEvent::Stats(s) => println!(
            "stats: full GC #{} used after GC {} bytes (trend {}%)",
            s.heap_compactions, s.current_base, s.usage_trend
        ),
        MemwatchEvent::Leak(l) => println!("leak: {}", l.reason),
        _ => {} // HeapDiff (printed below from heap_diff_end's result), and future kinds
    });

    let context = {
        v8::scope!(let hs, &mut isolate);
        let ctx = v8::Context::new(hs, Default::default());
        v8::Global::new(hs, ctx)
    };
    eval(&mut isolate, &context, "globalThis.cache = []; globalThis.Item = class Item {};");

    for round in 0..16 {
        eval(&mut isolate, &context, "for (let i = 0; i < 20000; i++) cache.push({ i, s: 'item' + i });");
        if round == 10 {
            // HeapDiff around one round: snapshots streamed to temporary files, diffed by memwatch-core.
            let start = mw.heap_diff_start(&mut isolate)?;
            eval(&mut isolate, &context, "for (let i = 0; i < 1000; i++) cache.push(new Item());");
            let diff = mw.heap_diff_end(&mut isolate, start)?;
            if let Some(d) = diff.change.details.iter().find(|d| d.what == "Item") {
                println!("heapdiff: Item +{} -{} ({})", d.added, d.removed, d.size);
            }
        }
        Memwatch::gc(&mut isolate); // full collection; its stats arrive through poll()
        mw.poll(); // your event loop's turn: drain samples, compute events, call listeners
    }

    drop(context);
    mw.detach(&mut isolate)?; // callbacks removed, last events delivered, export complete
    println!("export written to embed-example.ndjson");
    Ok(())
}
