'use strict';
// A heap that keeps growing across full GCs gets a `leak` event (own process: node --test runs
// each file separately, so the live analyzer sees only this test's GCs).
const test = require('node:test');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const memwatch = require('memwatch-wasm');

test('a growing heap emits leak events with node-memwatch payloads', async () => {
  const leaks = [];
  memwatch.on('leak', (l) => leaks.push(l));
  const retained = [];
  for (let i = 0; i < 14 && leaks.length === 0; i++) {
    // ~1.6 MB of retained objects per step: far above the classic rule's noise floor.
    retained.push(Array.from({ length: 40_000 }, (_, j) => ({ i, j, s: `item ${j}` })));
    memwatch.gc();
    await sleep(20); // let the GC's perf entry arrive
  }
  memwatch.removeAllListeners('leak');
  assert.ok(leaks.length >= 1, 'no leak event for a heap growing by ~1.6 MB per full GC');
  const leak = leaks[0];
  assert.ok(leak.start instanceof Date && leak.end instanceof Date);
  assert.ok(leak.end >= leak.start);
  assert.ok(leak.growth > 5_000_000, `growth ${leak.growth}`);
  assert.equal(typeof leak.reason, 'string');
  const classic = leaks.find((l) => l.detector === 'classic');
  if (classic) assert.match(classic.reason, /^heap growth over 5 consecutive GCs \([\d.]+s\) - [\d.]+ mb\/hr$/);
});
