'use strict';
// Preload for the Node adapter's overhead benchmark (scripts/bench-overhead.sh, COMPARE=node):
// `node -r bench/node-memwatch.cjs bench/gc-heavy.js` runs the workload with the npm package's GC
// sampling and leak detection attached; MEMWATCH_BENCH_SAMPLE_ALLOCATIONS=1 adds V8's sampling
// heap profiler at the default interval (configure({ sampleAllocations: true })), =BYTES (> 1) at
// that interval.
const memwatch = require('../pkg');

const sample = process.env.MEMWATCH_BENCH_SAMPLE_ALLOCATIONS || '0';
if (sample === '1') memwatch.configure({ sampleAllocations: true });
else if (sample !== '0') memwatch.configure({ sampleAllocations: Number(sample) });
let leaks = 0;
memwatch.on('leak', () => leaks++);
process.on('exit', () => {
  if (process.env.MEMWATCH_BENCH_VERBOSE === '1') process.stderr.write(`memwatch: ${leaks} leak events\n`);
});
