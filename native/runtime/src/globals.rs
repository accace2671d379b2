//! Native functions behind the runtime's globals: timers, queueMicrotask, and the small
//! `native` object the bootstrap script (bootstrap.js) builds console, process and `memwatch` on.

use std::io::Write;
use std::time::Duration;

use super::state::State;
use super::timers::Timer;
use memwatch::Memwatch;

fn throw(scope: &v8::PinScope<'_, '_>, type_error: bool, msg: &str) {
    if let Some(m) = v8::String::new(scope, msg) {
        let e = if type_error { v8::Exception::type_error(scope, m) } else { v8::Exception::error(scope, m) };
        scope.throw_exception(e);
    }
}

fn set_fn<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    obj: v8::Local<'s, v8::Object>,
    name: &str,
    cb: impl v8::MapFnTo<v8::FunctionCallback>,
) -> Option<()> {
    let f = v8::Function::new(scope, cb)?;
    let key = v8::String::new(scope, name)?;
    f.set_name(key);
    obj.set(scope, key.into(), f.into())?;
    Some(())
}

/// Installs setTimeout & co. on `global` and returns the `native` object for bootstrap.js.
pub(crate) fn install<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    global: v8::Local<'s, v8::Object>,
) -> Option<v8::Local<'s, v8::Object>> {
    set_fn(scope, global, "setTimeout", set_timeout)?;
    set_fn(scope, global, "setInterval", set_interval)?;
    set_fn(scope, global, "setImmediate", set_immediate)?;
    set_fn(scope, global, "clearTimeout", clear_timer)?;
    set_fn(scope, global, "clearInterval", clear_timer)?;
    set_fn(scope, global, "clearImmediate", clear_timer)?;
    set_fn(scope, global, "queueMicrotask", queue_microtask)?;

    let native = v8::Object::new(scope);
    set_fn(scope, native, "print", print)?;
    set_fn(scope, native, "now", now)?;
    set_fn(scope, native, "exit", exit)?;
    set_fn(scope, native, "setExitCode", set_exit_code)?;
    set_fn(scope, native, "memoryUsage", memory_usage)?;
    set_fn(scope, native, "gc", gc)?;
    set_fn(scope, native, "heapDiffStart", heap_diff_start)?;
    set_fn(scope, native, "heapDiffEnd", heap_diff_end)?;
    let argv: Vec<String> = State::of(scope).map(|s| s.borrow().argv.clone()).unwrap_or_default();
    let items: Vec<v8::Local<v8::Value>> =
        argv.iter().filter_map(|a| v8::String::new(scope, a)).map(Into::into).collect();
    let arr = v8::Array::new_with_elements(scope, &items);
    let key = v8::String::new(scope, "argv")?;
    native.set(scope, key.into(), arr.into())?;
    Some(native)
}

fn print(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue) {
    let level = args.get(0).int32_value(scope).unwrap_or(0);
    let text = args.get(1).to_rust_string_lossy(scope);
    let to_stderr = level != 0 || State::of(scope).is_some_and(|s| s.borrow().console_to_stderr);
    // A closed stdout/stderr (e.g. `| head`) must not kill the script.
    if to_stderr {
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(text.as_bytes()).and_then(|_| e.write_all(b"\n"));
    } else {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(text.as_bytes()).and_then(|_| o.write_all(b"\n"));
    }
}

fn now(scope: &mut v8::PinScope, _args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue) {
    if let Some(s) = State::of(scope) {
        rv.set_double(s.borrow().start.elapsed().as_secs_f64() * 1000.0);
    }
}

fn exit(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue) {
    let code = args.get(0).int32_value(scope).unwrap_or(0);
    if let Some(s) = State::of(scope) {
        s.borrow_mut().exit_code = Some(code);
    }
    scope.terminate_execution();
}

/// `process.exitCode = code` (validated by bootstrap.js; `undefined` clears it).
fn set_exit_code(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue) {
    let v = args.get(0);
    let code = if v.is_undefined() { None } else { v.int32_value(scope) };
    if let Some(s) = State::of(scope) {
        s.borrow_mut().exit_code_default = code;
    }
}

fn rss_bytes() -> f64 {
    // /proc/self/statm: size resident ... in pages.
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    pages * 4096.0
}

fn memory_usage(scope: &mut v8::PinScope, _args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue) {
    let h = scope.get_heap_statistics();
    let obj = v8::Object::new(scope);
    let fields = [
        ("rss", rss_bytes()),
        ("heapTotal", h.total_heap_size() as f64),
        ("heapUsed", h.used_heap_size() as f64),
        ("external", h.external_memory() as f64),
        ("arrayBuffers", 0.0),
    ];
    for (k, v) in fields {
        let (Some(key), val) = (v8::String::new(scope, k), v8::Number::new(scope, v)) else { continue };
        obj.set(scope, key.into(), val.into());
    }
    rv.set(obj.into());
}

fn gc(scope: &mut v8::PinScope, _args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue) {
    Memwatch::gc(scope);
}

fn heap_diff_start(scope: &mut v8::PinScope, _args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue) {
    let (Some(mw), Some(state)) = (Memwatch::of(scope), State::of(scope)) else {
        return throw(scope, false, "HeapDiff is not available: memwatch is not attached (--no-sampling?)");
    };
    match mw.heap_diff_start(scope) {
        Ok(start) => {
            let mut st = state.borrow_mut();
            st.next_heap_diff += 1;
            let id = st.next_heap_diff;
            st.heap_diffs.insert(id, start);
            rv.set_uint32(id);
        }
        Err(e) => throw(scope, false, &format!("HeapDiff: {}", memwatch::error::Report(&e))),
    }
}

fn heap_diff_end(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue) {
    let id = args.get(0).uint32_value(scope).unwrap_or(0);
    let (Some(mw), Some(state)) = (Memwatch::of(scope), State::of(scope)) else {
        return throw(scope, false, "HeapDiff is not available: memwatch is not attached");
    };
    let Some(start) = state.borrow_mut().heap_diffs.remove(&id) else {
        return throw(scope, false, "attempt to end() a HeapDiff that was already ended");
    };
    let diff = match mw.heap_diff_end(scope, start) {
        Ok(d) => d,
        Err(e) => return throw(scope, false, &format!("HeapDiff: {}", memwatch::error::Report(&e))),
    };
    let json = serde_json::to_string(&diff).unwrap_or_else(|_| "null".into());
    let Some(s) = v8::String::new(scope, &json) else { return };
    if let Some(v) = v8::json::parse(scope, s) {
        rv.set(v);
    }
}

fn add_timer(
    scope: &mut v8::PinScope,
    args: &v8::FunctionCallbackArguments,
    rv: &mut v8::ReturnValue,
    repeat: bool,
    delay_arg: bool,
) {
    let Ok(cb) = v8::Local::<v8::Function>::try_from(args.get(0)) else {
        return throw(scope, true, "The \"callback\" argument must be of type function");
    };
    let (delay, first_extra) = if delay_arg {
        let d = args.get(1).number_value(scope).unwrap_or(0.0);
        (timer_delay_ms(scope, d), 2)
    } else {
        (0.0, 1)
    };
    let extra = (first_extra..args.length()).map(|i| v8::Global::new(scope, args.get(i))).collect();
    let dur = Duration::from_micros((delay * 1000.0) as u64);
    let Some(timeout) = timeout_object(scope, cb, repeat.then_some(delay)) else { return };
    let timer = Timer { timeout: v8::Global::new(scope, timeout), args: extra, interval: repeat.then_some(dur) };
    if let Some(s) = State::of(scope) {
        let id = s.borrow_mut().timers.add(if delay_arg { dur } else { Duration::ZERO }, timer);
        rv.set_uint32(id);
    }
}

/// The object a timer keeps: `Timeout { _onTimeout: callback, _repeat: interval ms or null }`,
/// as Node's timers are, so a leaked timer reads the same in both runtimes' heap snapshots.
fn timeout_object<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    cb: v8::Local<'_, v8::Function>,
    repeat_ms: Option<f64>,
) -> Option<v8::Local<'s, v8::Object>> {
    let cb = v8::Local::new(scope, cb);
    let state = State::of(scope)?;
    let cached = state.borrow().timeout_ctor.clone();
    let ctor = match cached {
        Some(c) => v8::Local::new(scope, &c),
        None => {
            let t = v8::FunctionTemplate::new(
                scope,
                |_: &mut v8::PinScope, _: v8::FunctionCallbackArguments, _: v8::ReturnValue| {},
            );
            t.set_class_name(v8::String::new(scope, "Timeout")?);
            let f = t.get_function(scope)?;
            state.borrow_mut().timeout_ctor = Some(v8::Global::new(scope, f));
            f
        }
    };
    let obj = ctor.new_instance(scope, &[])?;
    let key = v8::String::new(scope, "_onTimeout")?;
    obj.set(scope, key.into(), cb.into())?;
    let key = v8::String::new(scope, "_repeat")?;
    let repeat: v8::Local<v8::Value> = match repeat_ms {
        Some(ms) => v8::Number::new(scope, ms).into(),
        None => v8::null(scope).into(),
    };
    obj.set(scope, key.into(), repeat)?;
    Some(obj)
}

/// Longest timer delay (ms): V8 and Node keep timers in 32-bit signed integers.
const TIMEOUT_MAX: f64 = 2_147_483_647.0;

/// Node's rule: a delay that is not in 1..=TIMEOUT_MAX becomes 1 ms, and one above the maximum
/// also prints a TimeoutOverflowWarning (instead of waiting forever or firing at once).
fn timer_delay_ms(scope: &mut v8::PinScope, d: f64) -> f64 {
    if (1.0..=TIMEOUT_MAX).contains(&d) {
        return d;
    }
    if d > TIMEOUT_MAX {
        let shown = v8::Number::new(scope, d).to_rust_string_lossy(scope);
        eprintln!(
            "(memwatch:{}) TimeoutOverflowWarning: {shown} does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.",
            std::process::id()
        );
    }
    1.0
}

fn set_timeout(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue) {
    add_timer(scope, &args, &mut rv, false, true);
}

fn set_interval(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue) {
    add_timer(scope, &args, &mut rv, true, true);
}

fn set_immediate(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue) {
    add_timer(scope, &args, &mut rv, false, false);
}

fn clear_timer(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue) {
    let v = args.get(0);
    if !v.is_number() {
        return;
    }
    let id = v.uint32_value(scope).unwrap_or(0);
    if let Some(s) = State::of(scope) {
        s.borrow_mut().timers.clear(id);
    }
}

fn queue_microtask(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue) {
    match v8::Local::<v8::Function>::try_from(args.get(0)) {
        Ok(f) => scope.enqueue_microtask(f),
        Err(_) => throw(scope, true, "The \"callback\" argument must be of type function"),
    }
}
