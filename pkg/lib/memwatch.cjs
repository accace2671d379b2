'use strict';
// The node-memwatch API for Node, with no native addon: the shared facade (lib/facade.js, also
// behind `memwatch run`) on this package's host: GC samples from Node's perf hooks fed to the wasm
// Analyzer (stats/leak events), HeapDiff on v8.writeHeapSnapshot + the wasm diff, and the
// facade's `memwatch` object is a Node EventEmitter. Every number comes from the wasm engine.

const { EventEmitter } = require('node:events');
const v8 = require('node:v8');
const vm = require('node:vm');
const { createMemwatch: createFacade } = require('./facade.js');
const { createAllocationSampling } = require('./alloc-sampling.cjs');
const { startSampler } = require('./gc-sampler.cjs');
const { makeHeapDiffHost } = require('./heap-diff.cjs');
const { createLeakRetainers } = require('./leak-retainers.cjs');
const { readSnapshot, diffFiles, leakFiles } = require('./files.cjs');
const { createMetricsState, createMetricsApi } = require('./metrics.cjs');
const { configureOptions } = require('./options.cjs');
const { openRecording } = require('./recording.cjs');

// gc(): the exposed V8 gc function (a full, forced mark-sweep-compact). Without --expose-gc on the
// command line, turn the flag on and fetch gc from a fresh context, the documented way to get it
// at run time; the flag is turned off again so user contexts are unchanged.
function resolveGc() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  v8.setFlagsFromString('--expose-gc');
  try {
    return vm.runInNewContext('gc');
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

function createMemwatch(engine) {
  const fullGc = resolveGc();
  const heapDiff = makeHeapDiffHost(engine);
  let analyzer = null;
  let analyzerConfig = undefined; // the last configure()'s detector parameters (engine names)
  let recording = null; // memwatch.record()'s open file (lib/recording.cjs)
  let epochMsAtOrigin = 0;
  const metrics = createMetricsState(); // memwatch.metrics (lib/metrics.cjs)
  const allocations = createAllocationSampling(engine); // sampleAllocations (lib/alloc-sampling.cjs)

  // Perf entries arrive from the event loop without holding it open; after gc() with listeners
  // waiting, hold it until the collection's sample arrives so `once('stats', cb); gc();` works in
  // a script that does nothing else.
  let keepAlive = null;

  const { memwatch, dispatch } = createFacade({
    emitter: new EventEmitter(),
    gc() {
      fullGc();
      if (keepAlive === null && memwatch.listenerCount('stats') + memwatch.listenerCount('leak') > 0) {
        keepAlive = setTimeout(() => {
          keepAlive = null;
        }, 1000);
      }
    },
    heapDiffStart: heapDiff.start,
    heapDiffEnd(state, retainers) {
      const diff = heapDiff.end(state, retainers);
      emitLater('heapdiff', diff);
      return diff;
    },
    heapDiffEndAsync(state, retainers) {
      return heapDiff.endAsync(state, retainers).then((diff) => {
        emitLater('heapdiff', diff);
        return diff;
      });
    },
    heapDiffRetainers: true,
    // Keys and types are checked by lib/options.cjs, the detector parameters by the engine.
    // Detector parameters restart the stats from the next GC; `leakRetainers`
    // (lib/leak-retainers.cjs) and `sampleAllocations` (lib/alloc-sampling.cjs) are this
    // adapter's, and `sampleAllocations` alone leaves the analysis running.
    configure(config) {
      const { analyzer: detectors, leakRetainers: n, sampleAllocations } = configureOptions(engine, config);
      const restart = sampleAllocations === undefined || n !== undefined || Object.keys(detectors).length > 0;
      const next = restart ? new engine.Analyzer(epochMsAtOrigin, detectors) : null;
      try {
        if (sampleAllocations !== undefined) allocations.configure(sampleAllocations);
        // An open recording starts over with the new parameters (its header states them).
        if (next && recording !== null) recording.restart(next);
      } catch (e) {
        if (next) next.free();
        throw e;
      }
      if (next) {
        analyzer.free();
        analyzer = next;
        analyzerConfig = detectors;
      }
      leakRetainers.configure(n);
    },
  });
  const leakRetainers = createLeakRetainers((payload) => dispatch('leak', payload));

  // Like `memwatch run`: after the call and outside it. (Not a closure inside heapDiffEnd: its
  // context would be allocated between the two snapshots and show up in the user's diff.)
  function emitLater(event, payload) {
    setImmediate(() => dispatch(event, payload));
  }

  function onSample(sample) {
    if (keepAlive !== null && sample.gc_type === 'mark_sweep_compact' && !sample.snapshot) {
      clearTimeout(keepAlive);
      keepAlive = null;
    }
    metrics.onSample(sample);
    let events;
    try {
      events = analyzer.push(sample);
    } catch (e) {
      // A malformed sample is a bug in this adapter; never take the process down for it.
      process.emitWarning(`memwatch: dropped a GC sample: ${e.message}`);
      return;
    }
    allocations.onEvents(events);
    // With leakRetainers, leak events wait for their report (lib/leak-retainers.cjs).
    const leaksLater = leakRetainers.onEvents(events);
    if (recording !== null) recording.flush(analyzer);
    for (const ev of events) {
      const { event, ...payload } = ev;
      if (event === 'stats') metrics.onStats(payload);
      else if (event === 'leak') metrics.onLeak(payload);
      if (!(leaksLater && event === 'leak')) dispatch(event, payload);
    }
  }

  ({ epochMsAtOrigin } = startSampler(engine, onSample));
  analyzer = new engine.Analyzer(epochMsAtOrigin);
  memwatch.metrics = createMetricsApi(metrics);
  // Off the event loop, in workers (lib/files.cjs).
  memwatch.readSnapshot = readSnapshot;
  memwatch.diffFiles = diffFiles;
  memwatch.leakFiles = leakFiles;

  /**
   * Records the live analysis to `file` in memwatch's export format until `close()` (or exit):
   * the file `memwatch analyze` and the viewer read. Starts a fresh analysis, as configure()
   * does, so the file's events are exactly those the listeners get from now on (a configure()
   * while recording starts the file over with the new parameters).
   */
  memwatch.record = function record(file, options) {
    if (recording !== null) {
      throw new Error(`memwatch.record: already recording to ${recording.path}; close() that recording first`);
    }
    const next = new engine.Analyzer(epochMsAtOrigin, analyzerConfig);
    let rec;
    try {
      rec = openRecording(engine, next, file, options);
    } catch (e) {
      next.free();
      throw e;
    }
    analyzer.free();
    analyzer = next;
    recording = rec;
    const close = () => {
      if (recording !== rec) return;
      process.removeListener('exit', close);
      recording = null;
      rec.close(analyzer);
    };
    process.on('exit', close);
    return { path: rec.path, close };
  };
  return memwatch;
}

module.exports = { createMemwatch };
