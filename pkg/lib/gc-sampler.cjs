'use strict';
// GC samples from Node's own stable APIs, fed to the wasm Analyzer (which computes every number).
//
// - perf_hooks 'gc' entries give one entry per collection: V8's GC type and callback flags, start
//   time and duration (relative to performance.timeOrigin, which becomes the samples' origin).
// - v8.GCProfiler (Node >= 18.15) records V8's heap statistics right after each collection, the
//   "used heap after GC" node-memwatch's stats are built on. It is drained whenever entries are
//   delivered and paired with them in order; without it (older Node) the heap statistics are read
//   when the entries arrive, a little later than the GC.
// Collections that fall inside a heap-snapshot window (see markSnapshot*) are flagged `snapshot`,
// so the engine records but does not count them, like node-memwatch.

const v8 = require('node:v8');
const { PerformanceObserver, performance } = require('node:perf_hooks');

// v8.GCProfiler's records have no context counts (Node's HeapStatistics there stop at
// externalMemory), so `contexts` (v8.getHeapStatistics(), read when the entry arrives) gives them.
function heapStats(s, contexts) {
  return {
    used_heap_size: s.usedHeapSize ?? s.used_heap_size ?? 0,
    total_heap_size: s.totalHeapSize ?? s.total_heap_size ?? 0,
    total_heap_size_executable: s.totalHeapSizeExecutable ?? s.total_heap_size_executable ?? 0,
    total_physical_size: s.totalPhysicalSize ?? s.total_physical_size ?? 0,
    total_available_size: s.totalAvailableSize ?? s.total_available_size ?? 0,
    heap_size_limit: s.heapSizeLimit ?? s.heap_size_limit ?? 0,
    malloced_memory: s.mallocedMemory ?? s.malloced_memory ?? 0,
    peak_malloced_memory: s.peakMallocedMemory ?? s.peak_malloced_memory ?? 0,
    external_memory: s.externalMemory ?? s.external_memory ?? 0,
    number_of_native_contexts: s.numberOfNativeContexts ?? s.number_of_native_contexts ?? contexts.number_of_native_contexts ?? 0,
    number_of_detached_contexts:
      s.numberOfDetachedContexts ?? s.number_of_detached_contexts ?? contexts.number_of_detached_contexts ?? 0,
  };
}

function spaceStats(list) {
  return list.map((s) => ({
    name: s.spaceName,
    size: s.spaceSize,
    used: s.spaceUsedSize,
    available: s.spaceAvailableSize,
    physical: s.physicalSpaceSize,
  }));
}

// Snapshot windows [start, end] in performance.now() ms, in a preallocated ring so that marking
// one allocates nothing on the JS heap (it happens between a HeapDiff's two snapshots).
const WINDOWS = 64;
const windows = new Float64Array(WINDOWS * 2).fill(-1);
let nextWindow = 0;

function markSnapshotStart() {
  const i = (nextWindow % WINDOWS) * 2;
  windows[i] = performance.now();
  windows[i + 1] = Infinity;
}

function markSnapshotEnd() {
  windows[(nextWindow % WINDOWS) * 2 + 1] = performance.now();
  nextWindow++;
}

function inSnapshotWindow(t) {
  for (let i = 0; i < WINDOWS * 2; i += 2) {
    if (t >= windows[i] && t <= windows[i + 1]) return true;
  }
  return false;
}

/**
 * Starts sampling; `onSample(sample)` is called for every GC, after the GC, from the event loop.
 * `engine`: the wasm engine, whose core maps V8's GC type bits and GCProfiler names (one mapping
 * for this adapter and the native sampler; an unknown kind is kept and marked, never guessed).
 */
function startSampler(engine, onSample) {
  const profiler = typeof v8.GCProfiler === 'function' ? new v8.GCProfiler() : null;
  const pending = []; // GCProfiler statistics not yet paired with a perf entry
  let seq = 0;
  if (profiler) profiler.start();

  function drainProfiler() {
    if (!profiler) return;
    const r = profiler.stop();
    profiler.start();
    if (r && Array.isArray(r.statistics)) pending.push(...r.statistics);
  }

  // Pairs an entry with the oldest profiler record of the same GC type (records of other types
  // before it belong to entries that were never delivered, e.g. before the observer started).
  function takeRecord(gcType) {
    while (pending.length) {
      const rec = pending.shift();
      if (engine.gcTypeFromV8Name(rec.gcType) === gcType) return rec;
    }
    return null;
  }

  const observer = new PerformanceObserver((list) => {
    drainProfiler();
    const contexts = v8.getHeapStatistics();
    for (const entry of list.getEntries()) {
      const detail = entry.detail || {};
      const gcType = engine.gcTypeFromV8Bits(detail.kind ?? entry.kind ?? 0);
      const rec = takeRecord(gcType);
      const start = entry.startTime;
      onSample({
        seq: seq++,
        gc_type: gcType,
        flags: detail.flags ?? entry.flags ?? 0,
        start_ns: Math.max(0, Math.round(start * 1e6)),
        end_ns: Math.max(0, Math.round((start + entry.duration) * 1e6)),
        heap: heapStats(rec ? rec.afterGC.heapStatistics : contexts, contexts),
        spaces: spaceStats(rec ? rec.afterGC.heapSpaceStatistics : v8.getHeapSpaceStatistics()),
        snapshot: inSnapshotWindow(start),
      });
    }
    // Keep the queue bounded if the two sources ever disagree.
    if (pending.length > 1024) pending.splice(0, pending.length - 1024);
  });
  observer.observe({ entryTypes: ['gc'] });
  return { epochMsAtOrigin: performance.timeOrigin };
}

module.exports = { startSampler, markSnapshotStart, markSnapshotEnd };
