//! Who retains a live leak (`Config::leak_retainers`): when a poll that can use the isolate
//! ([`Memwatch::poll_in`]) finds leak events, it takes a heap snapshot, compares it with the
//! previous one (`memwatch-core`'s growth report: growing classes and the retainer paths of their
//! new objects) and attaches the result to the events and the export.
//!
//! Snapshot policy: a baseline at the first full GC's poll, then one per poll with leak events,
//! each becoming the next baseline, so every report covers the growth since the previous one.
//! Of the previous snapshot only a [`GrowthBaseline`] is kept (per-class totals and node ids, ~4
//! bytes per node), so each event parses and analyses one snapshot. Snapshots still pause the
//! process and the analysis needs memory in it (docs/benchmarks-retainers.md), which is why this
//! is off by default.

use memwatch_core::leak::LeakRetainers;
use memwatch_core::retainers::{growth_report_since, GrowthBaseline, GrowthOptions, SnapshotAnalysis};

use super::{Error, Memwatch, MemwatchEvent};

/// Per-attachment state: how many classes to report and what is kept of the previous snapshot.
pub(crate) struct LeakSnapshots {
    classes: usize,
    baseline: Option<Baseline>,
}

impl LeakSnapshots {
    pub(crate) fn new(classes: usize) -> LeakSnapshots {
        LeakSnapshots { classes, baseline: None }
    }
}

struct Baseline {
    time_ns: u64,
    kept_as: Option<String>,
    growth: GrowthBaseline,
}

impl Memwatch {
    /// [`poll`](Self::poll) for callers that can lend the isolate (the event loop, between
    /// tasks): with `Config::leak_retainers` set, it also takes the snapshots described in this
    /// module and fills `LeakEvent::retainers`; with `Config::allocation_sampling`, it fills
    /// `LeakEvent::allocations` (see `alloc_sampling`). Without either, the same as `poll`.
    /// `Err(WrongIsolate)` (and nothing done) for another isolate than the attached one.
    pub fn poll_in(&self, isolate: &mut v8::Isolate) -> Result<Vec<MemwatchEvent>, Error> {
        self.check_isolate(isolate)?;
        self.0.drain_into_pipeline();
        self.attach_leak_retainers(isolate);
        if let Ok(mut pending) = self.0.pending.try_borrow_mut() {
            self.attach_allocations(isolate, &mut pending);
        }
        self.request_full_gc_if_due(isolate); // Config::full_gc_every (periodic_gc.rs)
        Ok(self.dispatch_pending())
    }

    fn attach_leak_retainers(&self, isolate: &mut v8::Isolate) {
        let Some(cell) = &self.0.leak_snapshots else { return };
        // A listener re-entering poll_in while a report is computed: leave it to the outer call.
        let Ok(mut state) = cell.try_borrow_mut() else { return };
        let mut events = match self.0.pending.try_borrow_mut() {
            Ok(mut p) => std::mem::take(&mut *p),
            Err(_) => return,
        };
        let has_leak = events.iter().any(|e| matches!(e, MemwatchEvent::Leak(_)));
        if has_leak {
            let report = self.leak_report(isolate, &mut state);
            let mut pipe = self.0.pipeline.borrow_mut();
            for e in &mut events {
                if let MemwatchEvent::Leak(l) = e {
                    pipe.push_leak_retainers(l, &report);
                    l.retainers = Some(Box::new(report.clone()));
                }
            }
        } else if state.baseline.is_none() && events.iter().any(|e| matches!(e, MemwatchEvent::Stats(_))) {
            // Errors here only mean the first report will say there is no baseline.
            state.baseline = self.analysed_snapshot(isolate, "leak-baseline", |_| ()).ok().map(|(b, ())| b);
        }
        // Events queued meanwhile (none expected: snapshots run no JS) go after these.
        let mut pending = self.0.pending.borrow_mut();
        events.append(&mut pending);
        *pending = events;
    }

    /// Takes the event's snapshot, compares it with the baseline, and makes it the new baseline.
    fn leak_report(&self, isolate: &mut v8::Isolate, state: &mut LeakSnapshots) -> LeakRetainers {
        let mut report = LeakRetainers {
            since_ns: 0,
            time_ns: self.0.now_ns(),
            before_snapshot: None,
            after_snapshot: None,
            classes: Vec::new(),
            holders: Vec::new(),
            error: None,
        };
        if self.0.heap_limit_hit.get() {
            report.error = Some("no snapshot taken: the isolate is at its heap limit".into());
            return report;
        }
        let before = state.baseline.take();
        let opts = GrowthOptions::top(state.classes);
        let result = self.analysed_snapshot(isolate, "leak", |(snap, analysis)| {
            before.as_ref().map(|b| growth_report_since(&b.growth, snap, analysis, &opts))
        });
        match result {
            Err(e) => report.error = Some(e.to_string()),
            Ok((now, growth)) => {
                report.time_ns = now.time_ns;
                report.after_snapshot = now.kept_as.clone();
                match (&before, growth) {
                    (Some(b), Some(growth)) => {
                        report.since_ns = b.time_ns;
                        report.before_snapshot = b.kept_as.clone();
                        report.classes = growth.classes;
                        report.holders = growth.holders;
                    }
                    _ => {
                        report.error = Some("no baseline snapshot: the leak came before any full GC was polled".into())
                    }
                }
                state.baseline = Some(now);
            }
        }
        report
    }

    /// Takes a snapshot (parsed while V8 writes it), analyses it, lets `inspect` look at it, and
    /// returns what a later growth report needs of it. The parsed graph is dropped before
    /// returning.
    fn analysed_snapshot<T>(
        &self,
        isolate: &mut v8::Isolate,
        label: &str,
        inspect: impl FnOnce((&memwatch_core::snapshot::HeapSnapshot, &SnapshotAnalysis)) -> T,
    ) -> Result<(Baseline, T), Error> {
        let s = self.streamed_snapshot(isolate, label, &label.replace('-', " "), true)?;
        let kept_as = s.kept.as_deref().map(|p| self.0.pipeline.borrow().export_relative(p));
        let analysis = SnapshotAnalysis::new(&s.snapshot).map_err(|e| match &s.kept {
            Some(path) => Error::Snapshot { path: path.clone(), message: e.to_string() },
            None => Error::SnapshotStream { message: e.to_string() },
        })?;
        let out = inspect((&s.snapshot, &analysis));
        let growth = GrowthBaseline::new(&s.snapshot, &analysis);
        Ok((Baseline { time_ns: s.time_ns, kept_as, growth }, out))
    }
}
