//! The library half on its own isolate (no `memwatch run`): the sample buffer's drain interrupt
//! keeps every GC of a long synchronous script, attach/detach rules, and events via poll().

use memwatch::core::export::{read_export, Record};
use memwatch::{Config, Error, Memwatch, MemwatchEvent, PipelineConfig};

fn eval(isolate: &mut v8::OwnedIsolate, context: &v8::Global<v8::Context>, code: &str) {
    v8::scope!(let hs, isolate);
    let ctx = v8::Local::new(hs, context);
    let scope = &mut v8::ContextScope::new(hs, ctx);
    let src = v8::String::new(scope, code).unwrap();
    let script = v8::Script::compile(scope, src, None).unwrap();
    script.run(scope).unwrap();
}

#[test]
fn long_synchronous_script_loses_no_samples() {
    // A small young generation makes scavenges frequent (flags must precede V8's init; this
    // test binary initializes V8 only here).
    v8::V8::set_flags_from_string("--max-semi-space-size=1 --min-semi-space-size=1");
    let platform = v8::new_default_platform(0, false).make_shared();
    v8::V8::initialize_platform(platform);
    v8::V8::initialize();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lib.ndjson");
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let config = Config {
        buffer_capacity: 16, // hard cap 16 x 64 = 1024 samples without draining
        pipeline: PipelineConfig { export: Some(out.clone()), ..PipelineConfig::default() },
        ..Config::default()
    };
    let mw = Memwatch::attach(&mut isolate, config).unwrap();
    assert!(matches!(Memwatch::attach(&mut isolate, Config::default()), Err(Error::AlreadyAttached)));
    let stats_seen = std::rc::Rc::new(std::cell::Cell::new(0));
    let s2 = stats_seen.clone();
    mw.on_event(move |e| {
        if matches!(e, MemwatchEvent::Stats(_)) {
            s2.set(s2.get() + 1)
        }
    });
    let context = {
        v8::scope!(let hs, &mut isolate);
        let ctx = v8::Context::new(hs, Default::default());
        v8::Global::new(hs, ctx)
    };
    // One synchronous run: no poll() until it returns.
    eval(&mut isolate, &context, "let keep = []; for (let i = 0; i < 2e7; i++) { keep.push({ i, t: [i, i] }); if (keep.length > 1000) keep = []; } keep.length");
    let gcs_during = mw.gc_count();
    assert!(gcs_during > 1100, "the script should exceed the hard cap without draining: {gcs_during} GCs");
    Memwatch::gc(&mut isolate);
    let events = mw.poll();
    assert!(events.iter().any(|e| matches!(e, MemwatchEvent::Stats(_))), "gc() gives a stats event");
    assert!(stats_seen.get() >= 1);
    drop(context);
    mw.detach(&mut isolate).unwrap();
    mw.detach(&mut isolate).unwrap(); // idempotent
    let total = mw.gc_count();

    let export = read_export(&std::fs::read(&out).unwrap()).unwrap();
    let samples = export.records.iter().filter(|r| matches!(r, Record::Gc(_))).count() as u64;
    let dropped = export.records.iter().any(|r| matches!(r, Record::Marker(m) if m.kind == "samples_dropped"));
    assert!(!dropped, "no samples dropped");
    assert_eq!(samples, total, "every GC recorded");
    let seqs: Vec<u64> = export
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Gc(s) => Some(s.seq),
            _ => None,
        })
        .collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "in order, no gaps");
}
