//! Helpers for the crate's documentation examples (hidden from the docs): the V8 set-up every
//! embedder already has, kept out of the examples so they show memwatch's part.

use std::sync::Once;

/// Initializes V8 once per process with the default platform.
pub fn init_v8() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let platform = v8::new_default_platform(0, false).make_shared();
        v8::V8::initialize_platform(platform);
        v8::V8::initialize();
    });
}

/// A new context on `isolate`.
pub fn context(isolate: &mut v8::Isolate) -> v8::Global<v8::Context> {
    v8::scope!(let hs, isolate);
    let ctx = v8::Context::new(hs, Default::default());
    v8::Global::new(hs, ctx)
}

/// Runs `code` in `context`; `false` if it did not compile or threw.
pub fn eval(isolate: &mut v8::Isolate, context: &v8::Global<v8::Context>, code: &str) -> bool {
    v8::scope!(let hs, isolate);
    let ctx = v8::Local::new(hs, context);
    let scope = &mut v8::ContextScope::new(hs, ctx);
    v8::tc_scope!(let tc, scope);
    v8::String::new(tc, code).and_then(|src| v8::Script::compile(tc, src, None)).and_then(|s| s.run(tc)).is_some()
}
