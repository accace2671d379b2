'use strict';
// Code written for @airbnb/node-memwatch reads its `stats` fields (src/memwatch.cc there:
// gcScavengeCount, used_heap_size, gc_time, ...): the same numbers under those names, next to
// node-memwatch's unchanged fields. Context counts come from v8.getHeapStatistics() (GCProfiler's
// records have none, so they were always 0).
const test = require('node:test');
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const memwatch = require('memwatch-wasm');

function nextStats() {
  return new Promise((resolve) => {
    memwatch.once('stats', resolve);
    memwatch.gc();
  });
}

test("the stats event carries @airbnb/node-memwatch's fields, with the same numbers as node-memwatch's", async () => {
  const before = Date.now();
  const s = await nextStats();
  // node-memwatch's fields are unchanged.
  for (const k of ['num_full_gc', 'num_inc_gc', 'heap_compactions', 'usage_trend', 'estimated_base', 'current_base', 'min', 'max']) {
    assert.equal(typeof s[k], 'number', k);
  }
  // Every field of @airbnb/node-memwatch's stats object, and what it is.
  const want = {
    gcScavengeCount: s.gc_counts.scavenge,
    gcScavengeTime: s.gc_pause_ns.scavenge,
    gcMarkSweepCompactCount: s.gc_counts.mark_sweep_compact,
    gcMarkSweepCompactTime: s.gc_pause_ns.mark_sweep_compact,
    gcIncrementalMarkingCount: s.gc_counts.incremental_marking,
    gcIncrementalMarkingTime: s.gc_pause_ns.incremental_marking,
    gcProcessWeakCallbacksCount: s.gc_counts.weak_callbacks,
    gcProcessWeakCallbacksTime: s.gc_pause_ns.weak_callbacks,
    total_heap_size: s.heap.total_heap_size,
    total_heap_size_executable: s.heap.total_heap_size_executable,
    total_physical_size: s.heap.total_physical_size,
    total_available_size: s.heap.total_available_size,
    used_heap_size: s.heap.used_heap_size,
    heap_size_limit: s.heap.heap_size_limit,
    malloced_memory: s.heap.malloced_memory,
    peak_malloced_memory: s.heap.peak_malloced_memory,
    gc_time: s.last_gc_pause_ns,
  };
  for (const [k, v] of Object.entries(want)) assert.equal(s[k], v, k);
  assert.ok(s.gcMarkSweepCompactCount >= 1);
  assert.ok(s.used_heap_size > 1_000_000 && s.used_heap_size === s.current_base);
  assert.ok(s.heap_size_limit > s.total_heap_size && s.total_heap_size >= s.used_heap_size);
  assert.ok(s.gc_time > 0 && s.gcMarkSweepCompactTime >= s.gc_time);
  // gc_ts: microseconds since the epoch at the GC's end.
  assert.ok(s.gc_ts >= before * 1000 - 1000 && s.gc_ts <= Date.now() * 1000 + 1000, `${s.gc_ts} vs ${before * 1000}`);
});

test('native and detached context counts come from v8.getHeapStatistics()', async () => {
  const s1 = await nextStats();
  const live = v8.getHeapStatistics();
  assert.ok(s1.heap.number_of_native_contexts >= 1, 'the main context at least (was always 0)');
  assert.equal(s1.heap.number_of_detached_contexts, live.number_of_detached_contexts);
  const contexts = Array.from({ length: 3 }, () => vm.createContext({}));
  const s2 = await nextStats();
  assert.equal(s2.heap.number_of_native_contexts, s1.heap.number_of_native_contexts + 3);
  assert.equal(contexts.length, 3);
});
