// Unit tests of the viewer's pure modules (no browser): formatting must match core's rules
// (core/src/size.rs, docs/semantics.md golden vectors) and the export-to-columns model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceSize, formatInt, formatSigned, formatNs } from '../../www/js/format.js';
import { toTimeline, toStatsSeries, normalizeLeaks, GC_TYPES } from '../../www/js/model.js';

test('niceSize follows node-memwatch (golden vectors of the semantics doc)', () => {
  const cases = [
    [1536, '1.5 kb'], [1025, '1 kb'], [1024, '1024 bytes'], [-2120, '-2.07 kb'], [1048577, '1 mb'],
    [1869904, '1.78 mb'], [2119136, '2.02 mb'], [249232, '243.39 kb'], [66688, '65.13 kb'],
    [239952, '234.33 kb'], [0, '0 bytes'], [-1048577, '-1 mb'],
  ];
  for (const [bytes, text] of cases) assert.equal(niceSize(bytes), text, String(bytes));
});

test('numbers and durations', () => {
  assert.equal(formatInt(19469963), '19,469,963');
  assert.equal(formatSigned(10000), '+10,000');
  assert.equal(formatSigned(-78), '-78');
  assert.equal(formatNs(387_000), '387 µs');
  assert.equal(formatNs(6_634_756), '6.63 ms');
  assert.equal(formatNs(104_293_155), '104.3 ms');
  assert.equal(formatNs(2_500_000_000), '2.50 s');
});

test('GC samples become typed columns; unknown GC types are marked, not dropped', () => {
  // What the engine's Export.gcSamples() returns (core keeps an unknown gc_type as recorded).
  const samples = [
    { seq: 1, gc_type: 'scavenge', start_ns: 1_000_000, end_ns: 1_500_000, heap: { used_heap_size: 100 } },
    { seq: 2, gc_type: 'mark_sweep_compact', start_ns: 2e9, end_ns: 2.004e9, heap: { used_heap_size: 90 }, snapshot: true },
    { seq: 3, gc_type: 'from_the_future', start_ns: 3e9, end_ns: 3e9, heap: { used_heap_size: 95 } },
  ];
  const tl = toTimeline(samples);
  assert.deepEqual(Array.from(tl.t), [0.0015, 2.004, 3]);
  assert.deepEqual(Array.from(tl.used), [100, 90, 95]);
  assert.deepEqual(Array.from(tl.type), [GC_TYPES.indexOf('scavenge'), GC_TYPES.indexOf('mark_sweep_compact'), 255]);
  assert.deepEqual(Array.from(tl.pause_ns), [500_000, 4_000_000, 0]);
  assert.deepEqual(Array.from(tl.snapshot), [0, 1, 0]);
  const st = toStatsSeries([{ time_ns: 2.004e9, current_base: 90, estimated_base: 90 }]);
  assert.deepEqual([st.t[0], st.current_base[0], st.estimated_base[0]], [2.004, 90, 90]);
  const [leak] = normalizeLeaks([{ detector: 'classic', start_ns: 1e9, end_ns: 5e9, reason: 'r' }]);
  assert.deepEqual([leak.t_start, leak.t_end, leak.reason], [1, 5, 'r']);
});
