//! Allocation sampling through the library API: live profiles on demand, the churn-only control
//! (no site grows beyond the noise floor between two profiles), a real leak (its site grows), a
//! fresh sampler after detach and attach, and the sampler and inspector stopped both when the
//! embedder detaches and when it never does (V8 aborts if a sampler outlives its isolate's heap).

use memwatch::core::alloc::{allocation_growth, GrowthOptions, LiveAllocations, DEFAULT_SAMPLING_INTERVAL};
use memwatch::{Config, Memwatch};

fn eval(isolate: &mut v8::OwnedIsolate, context: &v8::Global<v8::Context>, name: &str, code: &str) {
    v8::scope!(let hs, isolate);
    let ctx = v8::Local::new(hs, context);
    let scope = &mut v8::ContextScope::new(hs, ctx);
    let src = v8::String::new(scope, code).unwrap();
    let resource = v8::String::new(scope, name).unwrap();
    let origin = v8::ScriptOrigin::new(scope, resource.into(), 0, 0, false, 0, None, false, false, false, None);
    let script = v8::Script::compile(scope, src, Some(&origin)).unwrap();
    script.run(scope).unwrap();
}

const APP: &str = r#"
globalThis.cache = new Map();
function handleRequest(id) { cache.set('k' + id, { id, body: 'x'.repeat(400) + id }); }
function churn(id) { const t = []; for (let i = 0; i < 30; i++) t.push({ i, s: 'c' + id + i }); return t.length; }
globalThis.step = function (leak, n) { for (let i = 0; i < n; i++) { if (leak) handleRequest(globalThis.next = (globalThis.next || 0) + 1); churn(i); } };
"#;

fn live(mw: &Memwatch, isolate: &mut v8::OwnedIsolate) -> LiveAllocations {
    Memwatch::gc(isolate);
    mw.allocation_profile(isolate).unwrap()
}

#[test]
fn churn_never_grows_and_a_leak_does() {
    let platform = v8::new_default_platform(0, false).make_shared();
    v8::V8::initialize_platform(platform);
    v8::V8::initialize();

    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    // Core's rule for the interval, as for the CLI and the npm package.
    let bad = Config { allocation_sampling: Some(0), ..Config::default() };
    let err = Memwatch::attach(&mut isolate, bad).err().expect("interval 0 refused").to_string();
    assert!(err.contains("Config::allocation_sampling: sampling interval must be between 1 and"), "{err}");
    let config = Config { allocation_sampling: Some(DEFAULT_SAMPLING_INTERVAL), ..Config::default() };
    let mw = Memwatch::attach(&mut isolate, config).unwrap();
    let context = {
        v8::scope!(let hs, &mut isolate);
        let ctx = v8::Context::new(hs, Default::default());
        v8::Global::new(hs, ctx)
    };
    eval(&mut isolate, &context, "app.js", APP);
    let opts = GrowthOptions::default();

    // Churn only, five rounds: every comparison of consecutive profiles stays under the floor.
    let mut previous = live(&mw, &mut isolate);
    for round in 0..5 {
        eval(&mut isolate, &context, "driver.js", "step(false, 20000)");
        let now = live(&mw, &mut isolate);
        let grown = allocation_growth(Some(&previous), &now, &opts);
        assert!(grown.is_empty(), "churn round {round} reported growth: {grown:#?}");
        previous = now;
    }

    // The leak: its site grows, ranked first, with its script location. Once TurboFan inlines
    // handleRequest into step, V8 attributes its allocations to step (the frame that exists).
    // 40,000 requests cache ~18 MB: ~35 samples at the default interval, over three times the
    // 9 the noise floor asks for.
    eval(&mut isolate, &context, "driver.js", "step(true, 40000)");
    let now = live(&mw, &mut isolate);
    let grown = allocation_growth(Some(&previous), &now, &opts);
    let top = grown.first().map(|g| g.site.to_string()).unwrap_or_default();
    assert!(
        top == "handleRequest (app.js:3:23)" || top == "globalThis.step (app.js:5:28)",
        "top site {top:?}: {grown:#?}"
    );
    assert!(grown[0].growth > 1 << 20, "{grown:#?}");
    assert!(!grown.iter().any(|g| g.stack.iter().any(|f| f.function == "churn")), "{grown:#?}");

    // Detach stops the sampler (V8 would refuse a second start); attaching again samples anew.
    mw.detach(&mut isolate).unwrap();
    let config = Config { allocation_sampling: Some(DEFAULT_SAMPLING_INTERVAL), ..Config::default() };
    let mw = Memwatch::attach(&mut isolate, config).unwrap();
    eval(&mut isolate, &context, "driver.js", "step(true, 20000)");
    let again = live(&mw, &mut isolate);
    assert!(again.total_bytes > 1 << 20, "{again:#?}");

    // Without detach: the isolate drops the sampler and the inspector with its slots (no use
    // after free; V8 aborts when a sampler outlives its heap).
    drop(context);
    drop(isolate);
    drop(mw);

    // With detach: the sampler is stopped there, so disposing the isolate afterwards finds none.
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let config = Config { allocation_sampling: Some(DEFAULT_SAMPLING_INTERVAL), ..Config::default() };
    let mw = Memwatch::attach(&mut isolate, config).unwrap();
    mw.detach(&mut isolate).unwrap();
    drop(isolate);
}
