'use strict';
// A steady heap with heavy garbage churn, for as many full GCs as the growing test, gets no
// `leak` event with the default detectors.
const test = require('node:test');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const memwatch = require('memwatch-wasm');

test('a steady heap with churn emits no leak event', async () => {
  const leaks = [];
  const stats = [];
  memwatch.on('leak', (l) => leaks.push(l));
  memwatch.on('stats', (s) => stats.push(s));
  const cache = new Map();
  for (let i = 0; i < 20; i++) {
    // Churn: lots of short-lived garbage, and a bounded cache that replaces its entries.
    let garbage = Array.from({ length: 40_000 }, (_, j) => ({ i, j, s: `item ${j}` }));
    for (let j = 0; j < 200; j++) cache.set(j, { i, payload: new Array(64).fill(i) });
    garbage = null;
    memwatch.gc();
    await sleep(20);
  }
  memwatch.removeAllListeners();
  assert.ok(stats.length >= 20, `expected a stats event per gc(), got ${stats.length}`);
  assert.deepEqual(leaks, []);
});
