'use strict';
// The longest event-loop stall of hd.end() vs hd.endAsync() on a ~100 MB heap, next to the time
// V8 takes to write one snapshot of that heap (issue 12: endAsync's stall must be at most V8's
// snapshot time + 10 %).
//
//   node pkg/bench/loop-stall.js [ROUNDS=3] [RETAINERS]
//
// Each round measures, interleaved: v8.writeHeapSnapshot() alone; `await hd.endAsync()`; and
// `hd.end()` (order alternating between rounds). The stall is perf_hooks' monitorEventLoopDelay
// max (resolution 5 ms) while the call runs; the HeapDiff is created before the monitor starts.
// `snapshot in call` is the duration of the very v8.writeHeapSnapshot() call the adapter makes
// inside end()/endAsync() (this script wraps the function to time it).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');

const writes = [];
const write = v8.writeHeapSnapshot;
v8.writeHeapSnapshot = function timedWrite(...args) {
  const t = performance.now();
  try {
    return write.apply(this, args);
  } finally {
    writes.push(performance.now() - t);
  }
};
const memwatch = require('../index.cjs');

const rounds = Number(process.argv[2] || 3);
const retainers = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const options = retainers === undefined ? undefined : { retainers };

// ~100 MB of live objects: 550k records with a string and a small array each.
globalThis.records = Array.from({ length: 550_000 }, (_, i) => ({ id: i, name: `record ${i}`, tags: [i, i + 1, i + 2] }));

async function stallOf(fn) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await sleep(50);
  const before = writes.length;
  const t = performance.now();
  await fn();
  const took = performance.now() - t;
  await sleep(50);
  h.disable();
  return { stallMs: h.max / 1e6, tookMs: took, snapshotMs: writes.slice(before).reduce((a, b) => a + b, 0) };
}

async function main() {
  memwatch.gc();
  const used = v8.getHeapStatistics().used_heap_size;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-stall-')), 'alone.heapsnapshot');
  console.log(`node ${process.version}, used heap ${(used / 1e6).toFixed(1)} MB, retainers: ${retainers ?? 'no'}`);
  console.log(`load (uptime): ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const rows = [];
  for (let r = 0; r < rounds; r++) {
    const alone = await stallOf(() => v8.writeHeapSnapshot(file));
    const size = fs.statSync(file).size;
    fs.unlinkSync(file);
    const steps = [
      ['endAsync', async () => { const hd = new memwatch.HeapDiff(); return stallOf(() => hd.endAsync(options)); }],
      ['end', async () => { const hd = new memwatch.HeapDiff(); return stallOf(() => hd.end(options)); }],
    ];
    if (r % 2 === 1) steps.reverse();
    const m = {};
    for (const [name, step] of steps) m[name] = await step();
    rows.push({ alone, ...m });
    console.log(
      `round ${r + 1}: snapshot alone ${alone.snapshotMs.toFixed(0)} ms (${(size / 1e6).toFixed(0)} MB file, stall ${alone.stallMs.toFixed(0)} ms) | ` +
        `end(): stall ${m.end.stallMs.toFixed(0)} ms (snapshot in call ${m.end.snapshotMs.toFixed(0)} ms) | ` +
        `endAsync(): stall ${m.endAsync.stallMs.toFixed(0)} ms (snapshot in call ${m.endAsync.snapshotMs.toFixed(0)} ms, ` +
        `result after ${m.endAsync.tookMs.toFixed(0)} ms) | ` +
        `endAsync stall / its snapshot ${(m.endAsync.stallMs / m.endAsync.snapshotMs).toFixed(3)}, / snapshot alone ${(m.endAsync.stallMs / alone.snapshotMs).toFixed(3)}`,
    );
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratio = median(rows.map((r) => r.endAsync.stallMs / r.endAsync.snapshotMs));
  console.log(`median endAsync stall / snapshot time: ${ratio.toFixed(3)} (acceptance: <= 1.10); ` +
    `median end() stall / endAsync stall: ${median(rows.map((r) => r.end.stallMs / r.endAsync.stallMs)).toFixed(2)}`);
  console.log(`load (uptime): ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

main();
