//! The JavaScript runtime behind `memwatch run`: one isolate with memwatch attached, a context
//! with console / timers / queueMicrotask / process / the `memwatch` global, classic scripts and
//! ES modules, and an event loop that runs until no timers or pending events remain.
//!
//! Order within one turn of the loop: run one macrotask (the main script, or a due timer), run
//! the microtasks, fail on an uncaught exception or unhandled rejection, then poll memwatch and
//! deliver the new stats/leak events to the JS listeners (so a listener never runs inside a GC,
//! and `once('stats', cb); gc()` calls `cb` on the next turn).

mod address_space;
mod errors;
mod globals;
mod modules;
mod state;
mod timers;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::Instant;

use memwatch::MemwatchEvent;
use memwatch::{Config, Memwatch};
use state::{Rejection, State, StateRef};

const BOOTSTRAP_JS: &str = include_str!("bootstrap.js");
/// The node-memwatch facade shared with the npm package: one source, so the two cannot drift.
const FACADE_JS: &str = include_str!("../../../pkg/lib/facade.js");

/// Initializes V8 once per process (flags must be set before this). `MEMWATCH_V8_FLAGS` (e.g.
/// `--predictable --random-seed=1`) is passed to V8 first: the overhead benchmark counts
/// instructions of deterministic runs with it (scripts/bench-overhead.sh).
pub fn init_v8() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if let Ok(flags) = std::env::var("MEMWATCH_V8_FLAGS") {
            v8::V8::set_flags_from_string(&flags);
        }
        let platform = v8::new_default_platform(0, false).make_shared();
        v8::V8::initialize_platform(platform);
        v8::V8::initialize();
    });
}

/// What to run and how.
pub struct RunOptions {
    pub script: PathBuf,
    /// The script's text when it does not come from `script` (the bundled demo); `script` is
    /// then only its name in stack traces.
    pub source: Option<String>,
    /// Load as an ES module (also implied by a `.mjs` extension).
    pub module: bool,
    /// `process.argv.slice(2)`.
    pub args: Vec<String>,
    /// V8's old-generation limit in MiB (`None`: V8's default).
    pub max_heap_mb: Option<u64>,
    /// Register the GC callbacks (off only for the overhead benchmark's baseline).
    pub sampling: bool,
    pub memwatch: Config,
    /// Console output to stderr (stdout is reserved for `--json` events).
    pub console_to_stderr: bool,
    /// Write the live sampled allocations here in the pprof format when the script ends
    /// (needs `memwatch.allocation_sampling`).
    pub pprof_out: Option<PathBuf>,
}

/// How the script ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    /// No more timers or pending work.
    Completed,
    /// `process.exit(code)`.
    Exited(i32),
    /// The script did not compile (formatted report).
    CompileError(String),
    /// An uncaught exception or unhandled rejection, including one thrown by a listener.
    Uncaught(String),
    /// The main module's top-level `await` never settled and nothing else was left to run
    /// (Node's exit status 13); the text is Node's warning with the stalled location.
    UnsettledTopLevelAwait(String),
}

#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub status: RunStatus,
    /// `process.exitCode` when the script ended: its exit status when it completed on its own.
    pub exit_code: Option<i32>,
    pub leak_events: u64,
    pub stats_events: u64,
    pub gc_count: u64,
    /// Set when the export could not be written completely.
    pub export_error: Option<String>,
    /// Set when `pprof_out` could not be written.
    pub pprof_error: Option<String>,
}

/// Errors before any JS runs.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{path}: {source}")]
    Script { path: PathBuf, source: std::io::Error },
    /// With its sources on one line (memwatch's errors leave the I/O reason to `source()`).
    #[error("{}", memwatch::error::Report(.0))]
    Memwatch(memwatch::Error),
    #[error("V8 could not create the context")]
    Context,
    #[error(transparent)]
    AddressSpace(#[from] address_space::AddressSpaceError),
}

impl From<memwatch::Error> for RunError {
    fn from(e: memwatch::Error) -> RunError {
        RunError::Memwatch(e)
    }
}

enum Turn {
    Ok,
    Exception(String),
    Terminated,
}

pub struct Runtime {
    // Field order matters: V8 handles must be dropped before the isolate.
    context: Option<v8::Global<v8::Context>>,
    dispatch: Option<v8::Global<v8::Function>>,
    /// The main ES module and its evaluation promise (pending while a top-level await waits).
    main_module: Option<(v8::Global<v8::Module>, v8::Global<v8::Promise>)>,
    state: StateRef,
    memwatch: Option<Memwatch>,
    listener_counts: Rc<RefCell<(u64, u64)>>,
    pprof_out: Option<PathBuf>,
    isolate: v8::OwnedIsolate,
}

impl Runtime {
    /// Creates the isolate, attaches memwatch (before any JS runs, so every GC is seen), and
    /// installs the globals.
    pub fn new(opts: &RunOptions) -> Result<Runtime, RunError> {
        // V8 aborts the process when it cannot reserve its address space: say so before.
        address_space::check()?;
        init_v8();
        let mut params = v8::CreateParams::default();
        if let Some(mb) = opts.max_heap_mb {
            let max = (mb as usize).saturating_mul(1 << 20);
            params = params.heap_limits(0, max);
        }
        let mut isolate = v8::Isolate::new(params);
        isolate.set_microtasks_policy(v8::MicrotasksPolicy::Explicit);
        isolate.set_capture_stack_trace_for_uncaught_exceptions(true, 20);
        isolate.set_promise_reject_callback(promise_reject_callback);
        isolate.add_message_listener(message_listener);
        isolate.set_oom_error_handler(oom_handler);
        HEAP_LIMIT_MB.store(opts.max_heap_mb.unwrap_or(0), Ordering::Relaxed);

        let mut argv = vec!["memwatch".to_string(), opts.script.display().to_string()];
        argv.extend(opts.args.iter().cloned());
        let state: StateRef = Rc::new(RefCell::new(State::new(argv, opts.console_to_stderr)));
        isolate.set_slot(state.clone());

        let memwatch = if opts.sampling { Some(Memwatch::attach(&mut isolate, opts.memwatch.clone())?) } else { None };
        let counts = Rc::new(RefCell::new((0u64, 0u64)));
        if let Some(mw) = &memwatch {
            let c = counts.clone();
            mw.on_event(move |e| match e {
                MemwatchEvent::Stats(_) => c.borrow_mut().0 += 1,
                MemwatchEvent::Leak(_) => c.borrow_mut().1 += 1,
                _ => {}
            });
        }

        let (context, dispatch) = {
            v8::scope!(let hs, &mut isolate);
            let ctx = v8::Context::new(hs, Default::default());
            let scope = &mut v8::ContextScope::new(hs, ctx);
            let dispatch = install_globals(scope).ok_or(RunError::Context)?;
            (v8::Global::new(scope, ctx), v8::Global::new(scope, dispatch))
        };
        Ok(Runtime {
            context: Some(context),
            dispatch: Some(dispatch),
            main_module: None,
            state,
            memwatch,
            listener_counts: counts,
            pprof_out: opts.pprof_out.clone(),
            isolate,
        })
    }

    pub fn memwatch(&self) -> Option<&Memwatch> {
        self.memwatch.as_ref()
    }

    /// Runs `opts.script` and the event loop to the end.
    pub fn run(&mut self, opts: &RunOptions) -> Result<RunOutcome, RunError> {
        let source = match &opts.source {
            Some(s) => s.clone(),
            None => std::fs::read_to_string(&opts.script)
                .map_err(|source| RunError::Script { path: opts.script.clone(), source })?,
        };
        let path = opts.script.canonicalize().unwrap_or_else(|_| opts.script.clone());
        let as_module = opts.module || path.extension().is_some_and(|e| e == "mjs");
        if let Some(mw) = &self.memwatch {
            mw.marker("start", Some(format!("{}", path.display())));
        }
        let status = match self.run_main(&path, &source, as_module) {
            Some(status) => status,
            None => match self.event_loop() {
                RunStatus::Completed => self.unsettled_top_level_await().unwrap_or(RunStatus::Completed),
                other => other,
            },
        };
        Ok(self.finish(status))
    }

    fn finish(&mut self, status: RunStatus) -> RunOutcome {
        let mut export_error = None;
        let mut pprof_error = None;
        let mut gc_count = 0;
        if let Some(mw) = self.memwatch.take() {
            let (kind, msg) = match &status {
                RunStatus::Completed => ("end", None),
                RunStatus::Exited(c) => ("end", Some(format!("process.exit({c})"))),
                RunStatus::CompileError(m) => ("compile_error", Some(m.clone())),
                RunStatus::Uncaught(m) => ("uncaught_exception", Some(m.clone())),
                RunStatus::UnsettledTopLevelAwait(m) => ("unsettled_top_level_await", Some(m.clone())),
            };
            if let Some(path) = &self.pprof_out {
                // The profile holds what the last GC left alive: collect the garbage first
                // (before the last poll, which then reports this GC like any other).
                Memwatch::gc(&mut self.isolate);
                pprof_error = mw.write_pprof(&mut self.isolate, path).err().map(|e| e.to_string());
            }
            mw.poll(); // Rust listeners see the last events even when JS can no longer run
            mw.marker(kind, msg);
            let _ = mw.detach(&mut self.isolate); // our own isolate: cannot be `WrongIsolate`
            gc_count = mw.gc_count();
            export_error = mw.export_error();
        }
        let (stats_events, leak_events) = *self.listener_counts.borrow();
        let exit_code = self.state.borrow().exit_code_default;
        RunOutcome { status, exit_code, leak_events, stats_events, gc_count, export_error, pprof_error }
    }

    /// Compiles and runs the main script or module. `Some(status)` when it already failed.
    fn run_main(&mut self, path: &Path, source: &str, as_module: bool) -> Option<RunStatus> {
        let ctx = self.context.clone()?;
        v8::scope!(let hs, &mut self.isolate);
        let ctx = v8::Local::new(hs, &ctx);
        let scope = &mut v8::ContextScope::new(hs, ctx);
        v8::tc_scope!(let tc, scope);
        let result = if as_module {
            run_module(tc, path).map(|(m, p)| Some((v8::Global::new(tc, m), v8::Global::new(tc, p))))
        } else {
            run_script(tc, path, source).map(|()| None)
        };
        match result {
            Ok(main) => {
                self.main_module = main;
                None
            }
            Err(compile) => {
                if tc.has_terminated() {
                    return Some(self_terminated_status(tc));
                }
                let report = match tc.exception() {
                    Some(e) => errors::format_exception(tc, e, tc.message()),
                    None => "unknown error".into(),
                };
                Some(if compile {
                    RunStatus::CompileError(report)
                } else {
                    RunStatus::Uncaught(format!("uncaught exception at {report}"))
                })
            }
        }
    }

    /// Node's exit 13: the main module still waits on a top-level `await` though nothing is
    /// left that could settle it.
    fn unsettled_top_level_await(&mut self) -> Option<RunStatus> {
        let (module, promise) = self.main_module.clone()?;
        let ctx = self.context.clone()?;
        v8::scope!(let hs, &mut self.isolate);
        let ctx = v8::Local::new(hs, &ctx);
        let scope = &mut v8::ContextScope::new(hs, ctx);
        if v8::Local::new(scope, &promise).state() != v8::PromiseState::Pending {
            return None;
        }
        let module = v8::Local::new(scope, &module);
        let mut warning = String::new();
        for (_, message) in module.get_stalled_top_level_await_message(scope) {
            warning.push_str(&errors::stalled_await_warning(scope, message));
        }
        if warning.is_empty() {
            warning.push_str("Warning: Detected unsettled top-level await\n");
        }
        Some(RunStatus::UnsettledTopLevelAwait(warning))
    }

    fn event_loop(&mut self) -> RunStatus {
        loop {
            if let Some(s) = self.after_macrotask() {
                return s;
            }
            let next = self.state.borrow_mut().timers.next_deadline();
            let Some(deadline) = next else {
                // Nothing scheduled: deliver the events still buffered, then stop if none came.
                match self.deliver_events() {
                    Turn::Ok if self.has_pending_events() => continue,
                    Turn::Ok => return RunStatus::Completed,
                    Turn::Exception(r) => return RunStatus::Uncaught(r),
                    Turn::Terminated => return self.terminated_status(),
                }
            };
            let now = Instant::now();
            if deadline > now {
                std::thread::sleep(deadline - now);
            }
            let due = self.state.borrow_mut().timers.pop_due(Instant::now());
            if let Some((_, cb, args)) = due {
                match self.call(&cb, &args) {
                    Turn::Ok => {}
                    Turn::Exception(r) => return RunStatus::Uncaught(r),
                    Turn::Terminated => return self.terminated_status(),
                }
            }
        }
    }

    /// Microtasks, fatal checks, then memwatch events for the JS listeners.
    fn after_macrotask(&mut self) -> Option<RunStatus> {
        // Foreground tasks V8 posted (GC finalization, compile jobs) run between macrotasks.
        let platform = v8::V8::get_current_platform();
        while v8::Platform::pump_message_loop(&platform, &self.isolate, false) {}
        self.isolate.perform_microtask_checkpoint();
        if let Some(s) = self.fatal_status() {
            return Some(s);
        }
        match self.deliver_events() {
            Turn::Ok => self.fatal_status(),
            Turn::Exception(r) => Some(RunStatus::Uncaught(r)),
            Turn::Terminated => Some(self.terminated_status()),
        }
    }

    fn has_pending_events(&self) -> bool {
        // Events produced while delivering (a listener that calls gc()) wait in the sampler.
        self.memwatch.as_ref().is_some_and(|m| m.has_pending())
    }

    fn terminated_status(&mut self) -> RunStatus {
        if let Some(c) = self.state.borrow().exit_code {
            return RunStatus::Exited(c);
        }
        RunStatus::Uncaught("execution terminated".into())
    }

    /// Uncaught exceptions from microtasks, unhandled rejections, process.exit, heap limit.
    fn fatal_status(&mut self) -> Option<RunStatus> {
        if self.isolate.is_execution_terminating() || self.state.borrow().exit_code.is_some() {
            return Some(self.terminated_status());
        }
        if let Some(r) = self.state.borrow_mut().uncaught.take() {
            return Some(RunStatus::Uncaught(r));
        }
        let rejection = {
            let mut st = self.state.borrow_mut();
            if st.rejections.is_empty() {
                None
            } else {
                Some(st.rejections.remove(0))
            }
        };
        let rejection = rejection?;
        let ctx = self.context.clone()?;
        v8::scope!(let hs, &mut self.isolate);
        let ctx = v8::Local::new(hs, &ctx);
        let scope = &mut v8::ContextScope::new(hs, ctx);
        let reason = v8::Local::new(scope, &rejection.reason);
        Some(RunStatus::Uncaught(errors::format_rejection(scope, reason)))
    }

    /// Polls memwatch and calls the JS dispatcher for each stats/leak event.
    fn deliver_events(&mut self) -> Turn {
        let Some(mw) = self.memwatch.clone() else { return Turn::Ok };
        // The runtime's own isolate is the attached one: `WrongIsolate` cannot happen here.
        let events = mw.poll_in(&mut self.isolate).unwrap_or_default();
        if events.is_empty() {
            return Turn::Ok;
        }
        let (Some(ctx), Some(dispatch)) = (self.context.clone(), self.dispatch.clone()) else { return Turn::Ok };
        let epoch_ms = mw.epoch_ms_at_origin() as f64;
        for ev in events {
            let (name, json) = match &ev {
                // With @airbnb/node-memwatch's field names too, as in the npm package.
                MemwatchEvent::Stats(s) => ("stats", serde_json::to_string(&s.with_airbnb(epoch_ms))),
                MemwatchEvent::Leak(l) => ("leak", serde_json::to_string(l)),
                MemwatchEvent::HeapDiff(d) => ("heapdiff", serde_json::to_string(&d.diff)),
                _ => continue,
            };
            let Ok(json) = json else { continue };
            let turn = {
                v8::scope!(let hs, &mut self.isolate);
                let ctx = v8::Local::new(hs, &ctx);
                let scope = &mut v8::ContextScope::new(hs, ctx);
                v8::tc_scope!(let tc, scope);
                let f = v8::Local::new(tc, &dispatch);
                let args = match (v8::String::new(tc, name), v8::String::new(tc, &json)) {
                    (Some(n), Some(j)) => v8::json::parse(tc, j).map(|p| [n.into(), p]),
                    _ => None,
                };
                let undefined = v8::undefined(tc).into();
                match args.and_then(|a| f.call(tc, undefined, &a)) {
                    Some(_) => Turn::Ok,
                    None => turn_failure(tc),
                }
            };
            match turn {
                Turn::Ok => {
                    self.isolate.perform_microtask_checkpoint();
                }
                other => return other,
            }
        }
        Turn::Ok
    }

    /// Calls a timer callback.
    fn call(&mut self, timeout: &v8::Global<v8::Object>, args: &[v8::Global<v8::Value>]) -> Turn {
        let Some(ctx) = self.context.clone() else { return Turn::Ok };
        v8::scope!(let hs, &mut self.isolate);
        let ctx = v8::Local::new(hs, &ctx);
        let scope = &mut v8::ContextScope::new(hs, ctx);
        v8::tc_scope!(let tc, scope);
        // The callback lives on the timer's `Timeout` object (globals.rs), which no script sees.
        let timeout = v8::Local::new(tc, timeout);
        let Some(key) = v8::String::new(tc, "_onTimeout") else { return Turn::Ok };
        let Some(f) = timeout.get(tc, key.into()).and_then(|v| v8::Local::<v8::Function>::try_from(v).ok()) else {
            return Turn::Ok;
        };
        let args: Vec<v8::Local<v8::Value>> = args.iter().map(|a| v8::Local::new(tc, a)).collect();
        let undefined = v8::undefined(tc).into();
        match f.call(tc, undefined, &args) {
            Some(_) => Turn::Ok,
            None => turn_failure(tc),
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.context = None;
        self.dispatch = None;
        self.main_module = None;
        self.state.borrow_mut().clear_handles();
        if let Some(mw) = self.memwatch.take() {
            let _ = mw.detach(&mut self.isolate); // our own isolate: cannot be `WrongIsolate`
        }
        self.isolate.remove_slot::<StateRef>();
    }
}

fn turn_failure(tc: &mut v8::PinnedRef<'_, v8::TryCatch<v8::HandleScope>>) -> Turn {
    if tc.has_terminated() {
        return Turn::Terminated;
    }
    match tc.exception() {
        Some(e) => Turn::Exception(format!("uncaught exception at {}", errors::format_exception(tc, e, tc.message()))),
        None => Turn::Terminated,
    }
}

fn self_terminated_status(tc: &mut v8::PinnedRef<'_, v8::TryCatch<v8::HandleScope>>) -> RunStatus {
    let iso: &v8::Isolate = tc;
    if let Some(c) = State::of(iso).and_then(|s| s.borrow().exit_code) {
        return RunStatus::Exited(c);
    }
    RunStatus::Uncaught("execution terminated".into())
}

/// Runs bootstrap.js (with the facade's factory) and the native installers; returns the event
/// dispatcher.
fn install_globals<'s>(scope: &mut v8::PinScope<'s, '_>) -> Option<v8::Local<'s, v8::Function>> {
    let global = scope.get_current_context().global(scope);
    let native = globals::install(scope, global)?;
    let facade = run_internal_script(scope, FACADE_JS, "memwatch:facade.js")?;
    let bootstrap = run_internal_script(scope, BOOTSTRAP_JS, "memwatch:bootstrap.js")?;
    let undefined = v8::undefined(scope).into();
    let dispatch = bootstrap.call(scope, undefined, &[native.into(), global.into(), facade.into()])?;
    v8::Local::<v8::Function>::try_from(dispatch).ok()
}

/// Compiles and runs one of the runtime's own scripts, whose completion value is a function.
fn run_internal_script<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    source: &str,
    name: &str,
) -> Option<v8::Local<'s, v8::Function>> {
    let src = v8::String::new(scope, source)?;
    let origin = modules::script_origin(scope, Path::new(name), false)?;
    let script = v8::Script::compile(scope, src, Some(&origin))?;
    v8::Local::<v8::Function>::try_from(script.run(scope)?).ok()
}

/// `Err(true)`: compile error; `Err(false)`: runtime exception (pending in `tc`).
fn run_script(tc: &mut v8::PinScope, path: &Path, source: &str) -> Result<(), bool> {
    let src = v8::String::new(tc, source).ok_or(true)?;
    let origin = modules::script_origin(tc, path, false).ok_or(true)?;
    let script = v8::Script::compile(tc, src, Some(&origin)).ok_or(true)?;
    script.run(tc).map(|_| ()).ok_or(false)
}

/// Evaluates the main module; returns it with its evaluation promise (pending while a top-level
/// `await` waits).
fn run_module<'s>(
    tc: &mut v8::PinScope<'s, '_>,
    path: &Path,
) -> Result<(v8::Local<'s, v8::Module>, v8::Local<'s, v8::Promise>), bool> {
    let module = modules::load_module(tc, path).ok_or(true)?;
    module.instantiate_module(tc, modules::resolve_callback).ok_or(true)?;
    let result = module.evaluate(tc).ok_or(false)?;
    // Top-level await: the evaluation promise; a rejection surfaces as an unhandled rejection.
    let p = v8::Local::<v8::Promise>::try_from(result).map_err(|_| false)?;
    if p.state() == v8::PromiseState::Rejected {
        let e = p.result(tc);
        tc.throw_exception(e);
        return Err(false);
    }
    Ok((module, p))
}

extern "C" fn promise_reject_callback(msg: v8::PromiseRejectMessage) {
    // SAFETY: V8 calls this on the isolate thread with a live context.
    v8::callback_scope!(unsafe scope, &msg);
    let Some(state) = State::of(scope) else { return };
    let promise = msg.get_promise();
    let hash = promise.get_identity_hash().get();
    match msg.get_event() {
        v8::PromiseRejectEvent::PromiseRejectWithNoHandler => {
            let reason = msg.get_value().unwrap_or_else(|| v8::undefined(scope).into());
            let r =
                Rejection { hash, promise: v8::Global::new(scope, promise), reason: v8::Global::new(scope, reason) };
            state.borrow_mut().rejections.push(r);
        }
        v8::PromiseRejectEvent::PromiseHandlerAddedAfterReject => {
            let mut st = state.borrow_mut();
            st.rejections.retain(|r| r.hash != hash || v8::Local::new(scope, &r.promise) != promise);
        }
        _ => {}
    }
}

/// Exceptions that escape without a TryCatch of ours (thrown inside microtasks).
extern "C" fn message_listener(message: v8::Local<v8::Message>, exception: v8::Local<v8::Value>) {
    // SAFETY: V8 calls this on the isolate thread while the message is alive.
    v8::callback_scope!(unsafe scope, message);
    v8::scope!(let scope, scope);
    let Some(state) = State::of(scope) else { return };
    let report = format!("uncaught exception at {}", errors::format_exception(scope, exception, Some(message)));
    let mut st = state.borrow_mut();
    if st.uncaught.is_none() {
        st.uncaught = Some(report);
    }
}

/// `--max-heap-mb` of the running script, for the out-of-memory message (0: V8's default).
static HEAP_LIMIT_MB: AtomicU64 = AtomicU64::new(0);

/// V8 ran out of heap. The export is already complete (records are flushed one by one and the
/// near-heap-limit hook drained the last samples and wrote a marker); say so and exit with
/// status 1 instead of V8's abort.
unsafe extern "C" fn oom_handler(location: *const std::ffi::c_char, details: &v8::OomDetails) {
    let what = if location.is_null() {
        String::new()
    } else {
        // SAFETY: V8 passes a NUL-terminated static C string.
        unsafe { std::ffi::CStr::from_ptr(location) }.to_string_lossy().into_owned()
    };
    let kind = if details.is_heap_oom { "JavaScript heap out of memory" } else { "V8 out of memory" };
    let limit = match HEAP_LIMIT_MB.load(Ordering::Relaxed) {
        0 => String::new(),
        mb => format!(" (--max-heap-mb {mb})"),
    };
    // V8 may call this on another thread while the isolate's thread still writes the last
    // samples and the near_heap_limit marker: let it finish, or the export loses them.
    memwatch::wait_for_heap_limit_writes(std::time::Duration::from_secs(5));
    eprintln!("memwatch: {kind}{limit}: {what}; the export file is complete up to this point");
    // SAFETY: _exit ends the process immediately without running destructors, which must not
    // run while V8 is in the middle of a failed allocation.
    unsafe { libc::_exit(1) }
}
