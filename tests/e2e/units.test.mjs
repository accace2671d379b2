// Unit tests of the viewer's pure modules (no browser): formatting must match core's rules
// (core/src/size.rs, docs/semantics.md golden vectors) and the export-to-columns model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  niceSize, formatInt, formatSigned, formatNs, formatBytes, formatBytesSigned, byteTicks, byteTickLabels, middleEllipsis, formatWallClock,
} from '../../www/js/format.js';
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

test('formatBytes: one binary-unit convention for every size the viewer computes', () => {
  const cases = [
    [0, '0 B'], [512, '512 B'], [1023, '1,023 B'], [1024, '1.0 KiB'], [1536, '1.5 KiB'], [249232, '243.4 KiB'],
    [1048576, '1.00 MiB'], [19469963, '18.57 MiB'], [-2120, '-2.1 KiB'], [5 * 2 ** 30, '5.00 GiB'],
  ];
  for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, String(bytes));
  assert.equal(formatBytesSigned(1536), '+1.5 KiB');
  assert.equal(formatBytesSigned(-78), '-78 B');
  assert.equal(formatBytesSigned(0), '0 B');
});

test('byte axis ticks: round values of one unit, labelled in that unit', () => {
  const MiB = 2 ** 20;
  // 6.0 .. 21.3 MiB (the e2e fixture's used heap): every 5 MiB.
  const ticks = byteTicks(6.04 * MiB, 21.3 * MiB, 6);
  assert.deepEqual(ticks.map((t) => t / MiB), [10, 15, 20]);
  assert.deepEqual(byteTickLabels(ticks), ['10 MiB', '15 MiB', '20 MiB']);
  // From zero: the zero tick carries the same unit, never "0 bytes".
  const fromZero = byteTicks(0, 9.5 * MiB, 6);
  assert.deepEqual(byteTickLabels(fromZero), ['0 MiB', '2 MiB', '4 MiB', '6 MiB', '8 MiB']);
  // A narrow range gets decimals, still one unit.
  assert.deepEqual(byteTickLabels(byteTicks(1.01 * MiB, 1.09 * MiB, 5)), ['1.02 MiB', '1.04 MiB', '1.06 MiB', '1.08 MiB']);
  // KiB scale.
  assert.deepEqual(byteTickLabels(byteTicks(100 * 1024, 700 * 1024, 4)), ['200 KiB', '400 KiB', '600 KiB']);
  assert.deepEqual(byteTicks(5, 1, 4), []);
});

test('middleEllipsis keeps both ends of long names', () => {
  assert.equal(middleEllipsis('LeakingClass', 20), 'LeakingClass');
  const long = 'system / Context / (closure) -> leakyCache -> Map table -> [*] -> LeakingClass';
  const short = middleEllipsis(long, 30);
  assert.equal(Array.from(short).length, 30);
  assert.ok(short.startsWith('system / Conte'), short);
  assert.ok(short.endsWith('-> LeakingClass'), short);
  assert.ok(short.includes('…'));
  // Never splits a surrogate pair.
  assert.equal(middleEllipsis('😀'.repeat(10), 5), '😀😀…😀😀');
});

test('formatWallClock prints local date and time with milliseconds', () => {
  const ms = new Date(2025, 10, 24, 16, 0, 5, 123).getTime();
  assert.equal(formatWallClock(ms), '2025-11-24 16:00:05.123');
});
