'use strict';
// The node-memwatch API for Node, with no native addon: an EventEmitter emitting 'stats' after
// full GCs and 'leak' on sustained growth, gc(), and HeapDiff. Every number comes from the wasm
// engine (Analyzer for stats/leak, heap_diff for HeapDiff); this file only moves data.

const { EventEmitter } = require('node:events');
const v8 = require('node:v8');
const vm = require('node:vm');
const { startSampler } = require('./gc-sampler.cjs');
const { makeHeapDiff } = require('./heap-diff.cjs');
const { createMetricsState, createMetricsApi } = require('./metrics.cjs');

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
  const memwatch = new EventEmitter();
  const fullGc = resolveGc();
  let analyzer = null;
  const metrics = createMetricsState(); // memwatch.metrics (lib/metrics.cjs)

  // Perf entries arrive from the event loop without holding it open; after gc() with listeners
  // waiting, hold it until the collection's sample arrives so `once('stats', cb); gc();` works in
  // a script that does nothing else.
  let keepAlive = null;

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
    for (const ev of events) {
      const { event, ...payload } = ev;
      if (event === 'stats') {
        metrics.onStats(payload);
        memwatch.emit('stats', payload);
      } else if (event === 'leak') {
        metrics.onLeak(payload);
        payload.start = new Date(payload.start);
        payload.end = new Date(payload.end);
        memwatch.emit('leak', payload);
      }
    }
  }

  const { epochMsAtOrigin } = startSampler(engine, onSample);
  analyzer = new engine.Analyzer(epochMsAtOrigin);

  /**
   * Detector parameters for the live analysis (AnalyzerConfig: `{classic: {growth_count,
   * noise_floor_bytes, noise_floor_percent}, trend: {...}}`, `null` disables one). Restarts the
   * stats from the next GC.
   */
  memwatch.configure = function configure(config) {
    const next = new engine.Analyzer(epochMsAtOrigin, config);
    analyzer.free();
    analyzer = next;
    return memwatch;
  };

  /** Forces a full garbage collection; 'stats' for it arrives asynchronously. */
  memwatch.gc = function gc() {
    fullGc();
    if (keepAlive === null && memwatch.listenerCount('stats') + memwatch.listenerCount('leak') > 0) {
      keepAlive = setTimeout(() => {
        keepAlive = null;
      }, 1000);
    }
  };

  memwatch.HeapDiff = makeHeapDiff(engine);
  memwatch.metrics = createMetricsApi(metrics);
  return memwatch;
}

module.exports = { createMemwatch };
