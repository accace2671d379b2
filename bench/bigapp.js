// Heap for the big three-snapshot leak report (docs/benchmarks-retainers.md).
// Run: node --max-old-space-size=8192 bench/bigapp.js DIR 2000000
const v8 = require('v8');
const N = Number(process.argv[3] || 2000000);
class LeakingClass { constructor(i) { this.id = i; this.name = 'obj' + i; this.child = { v: i, tags: [i, i + 1] }; } }
globalThis.leakyCache = new Map();
function makeHolder() { const cachedItems = []; return function add(x) { cachedItems.push(x); }; }
globalThis.holderAdd = makeHolder();
let k = 0;
function step(n) {
  for (let i = 0; i < n; i++) { leakyCache.set('k' + k, new LeakingClass(k)); if (i % 4 === 0) holderAdd({ item: k }); k++; }
  let garbage = []; for (let i = 0; i < 100000; i++) garbage.push({ g: i }); garbage = null;
}
const dir = process.argv[2];
step(N); v8.writeHeapSnapshot(dir + '/big-baseline.heapsnapshot');
step(N / 4); v8.writeHeapSnapshot(dir + '/big-target.heapsnapshot');
step(N / 8); v8.writeHeapSnapshot(dir + '/big-final.heapsnapshot');
