'use strict';
// Time of the Node adapter's synchronous HeapDiff on this process's heap, split into V8's
// snapshot writing and the wasm parse + diff:  node pkg/bench/heapdiff-time.js [RUNS=3]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const memwatch = require('../index.cjs');

const runs = Number(process.argv[2] || 3);
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const hd = new memwatch.HeapDiff();
  const t1 = performance.now();
  hd.end();
  const t2 = performance.now();
  console.log(`HeapDiff: constructor ${(t1 - t0).toFixed(0)} ms, end() ${(t2 - t1).toFixed(0)} ms`);
}
const file = path.join(os.tmpdir(), `memwatch-bench-${process.pid}.heapsnapshot`);
let t = performance.now();
v8.writeHeapSnapshot(file);
console.log(`v8.writeHeapSnapshot: ${(performance.now() - t).toFixed(0)} ms, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
t = performance.now();
const snap = memwatch.Snapshot.fromBytes(fs.readFileSync(file));
console.log(`read + parse: ${(performance.now() - t).toFixed(0)} ms`);
t = performance.now();
snap.diff(snap);
console.log(`diff: ${(performance.now() - t).toFixed(0)} ms`);
snap.free();
fs.unlinkSync(file);
