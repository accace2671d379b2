//! Per-isolate state of the runtime, reachable from native JS functions through an isolate slot.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

use super::modules::ModuleMap;
use super::timers::Timers;
use memwatch::snapshot::HeapDiffStart;

/// A promise rejected with no handler (yet): reported after the microtasks of a turn ran.
pub(crate) struct Rejection {
    pub hash: i32,
    pub promise: v8::Global<v8::Promise>,
    pub reason: v8::Global<v8::Value>,
}

pub(crate) struct State {
    pub start: Instant,
    /// `--json`: console output goes to stderr so stdout carries only events.
    pub console_to_stderr: bool,
    pub argv: Vec<String>,
    pub timers: Timers,
    pub heap_diffs: HashMap<u32, HeapDiffStart>,
    pub next_heap_diff: u32,
    pub rejections: Vec<Rejection>,
    /// An exception reported outside our TryCatch scopes (microtasks): formatted report.
    pub uncaught: Option<String>,
    /// `process.exit(code)` was called.
    pub exit_code: Option<i32>,
    /// `process.exitCode`: the status when the script ends on its own.
    pub exit_code_default: Option<i32>,
    pub modules: ModuleMap,
    /// The constructor of the runtime's `Timeout` objects (see `timers::Timer`), made once.
    pub timeout_ctor: Option<v8::Global<v8::Function>>,
}

pub(crate) type StateRef = Rc<RefCell<State>>;

impl State {
    pub fn new(argv: Vec<String>, console_to_stderr: bool) -> State {
        State {
            start: Instant::now(),
            console_to_stderr,
            argv,
            timers: Timers::default(),
            heap_diffs: HashMap::new(),
            next_heap_diff: 0,
            rejections: Vec::new(),
            uncaught: None,
            exit_code: None,
            exit_code_default: None,
            modules: ModuleMap::default(),
            timeout_ctor: None,
        }
    }

    /// The state of the isolate (set by the runtime before any JS runs).
    pub fn of(isolate: &v8::Isolate) -> Option<StateRef> {
        isolate.get_slot::<StateRef>().cloned()
    }

    /// Drops every V8 handle the state holds (before the isolate goes away).
    pub fn clear_handles(&mut self) {
        self.timers = Timers::default();
        self.rejections.clear();
        self.modules = ModuleMap::default();
        self.heap_diffs.clear();
        self.timeout_ctor = None;
    }
}
