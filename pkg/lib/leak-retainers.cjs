'use strict';
// `configure({ leakRetainers: N })`: leak events carry who retains the growth, as with
// `memwatch run --leak-retainers N` (native/sampler/src/leak_retainers.rs has the same policy).
//
// A baseline snapshot is written at the first full GC after configure(), and one at each GC with
// leak events, which becomes the next baseline; the engine's growth report of the two (the N
// classes that grew most, their retainer paths, and the holders of the new objects) is computed
// in a worker (lib/engine-worker.cjs). The leak event is emitted once its report is ready, with
// the report as `retainers`; `stats` events are not held back. Writing a snapshot pauses the
// process (as in `memwatch run`); the parse and analysis do not.

const { performance } = require('node:perf_hooks');
const { takeSnapshot, tempSnapshotPath } = require('./heap-diff.cjs');
const { removeFile } = require('./temp-snapshots.cjs');
const { runOnce } = require('./engine-client.cjs');

const nowNs = () => Math.round(performance.now() * 1e6);

/** `emit(payload)` emits one leak event (with `retainers`) to the listeners. */
function createLeakRetainers(emit) {
  let classes = null; // N, or null when off
  let baseline = null; // { file, timeNs }
  // Reports are computed one after the other (each baseline is the previous report's snapshot).
  let chain = Promise.resolve();

  function dropBaseline() {
    if (baseline === null) return;
    const { file } = baseline;
    baseline = null;
    chain = chain.then(() => removeFile(file));
  }

  function snapshot(label) {
    const file = tempSnapshotPath(label);
    const timeNs = nowNs();
    takeSnapshot(file);
    return { file, timeNs };
  }

  /** N classes per report, or undefined/null to turn the reports off. */
  function configure(n) {
    dropBaseline();
    classes = n === undefined || n === null ? null : n;
  }

  /**
   * The engine's events of one GC sample. Returns true when this module took the `leak` events
   * (they are emitted later, with their report); false when they are to be emitted now.
   */
  function onEvents(events) {
    if (classes === null) return false;
    const leaks = events.filter((e) => e.event === 'leak');
    if (leaks.length === 0) {
      if (baseline === null && events.some((e) => e.event === 'stats')) {
        try {
          baseline = snapshot('leak-baseline');
        } catch (e) {
          // The first report will say there is no baseline.
          process.emitWarning(`memwatch: leak retainers: no baseline snapshot: ${e.message}`);
        }
      }
      return false;
    }
    const report = { since_ns: 0, time_ns: nowNs(), classes: [], holders: [] };
    const before = baseline;
    const n = classes;
    let after = null;
    try {
      after = snapshot('leak');
      report.time_ns = after.timeNs;
    } catch (e) {
      report.error = `no snapshot taken: ${e.message}`;
    }
    baseline = after;
    chain = chain.then(async () => {
      if (before === null) {
        if (!report.error) report.error = 'no baseline snapshot: the leak came before any full GC was seen';
      } else if (after !== null) {
        report.since_ns = before.timeNs;
        try {
          const growth = await runOnce('growth', {
            before: before.file, after: after.file, retainers: n, names: ['baseline', 'leak'],
          });
          report.classes = growth.classes;
          report.holders = growth.holders;
        } catch (e) {
          report.error = e.message;
        }
      }
      if (before !== null) removeFile(before.file);
      // Outside the chain: a listener's exception is uncaught, as for every other event.
      setImmediate(() => {
        for (const { event, ...payload } of leaks) emit({ ...payload, retainers: report });
      });
    });
    return true;
  }

  return { configure, onEvents };
}

module.exports = { createLeakRetainers };
