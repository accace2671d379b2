// Workload for the cost of `memwatch run --leak-retainers` (docs/benchmarks-retainers.md): grows a
// global Map to about N MB (argument, default 300) in 8 steps with a full GC after each, so the
// leak detectors fire and every leak event takes and analyses a heap snapshot.
//   /usr/bin/time -v target/release/memwatch run --leak-growth-count 3 --leak-retainers 5 \
//     --json bench/leak-retainers-heap.js -- 300
class Record { constructor(i) { this.id = i; this.name = 'record-' + i; this.tags = [i, i + 1, i + 2]; } }
globalThis.store = new Map();
const target = Number(process.argv[2] || 300) * 1024 * 1024;
const perStep = Math.round(target / 8 / 200); // ~200 bytes per record
let n = 0, step = 0;
const t = setInterval(() => {
  for (let k = 0; k < perStep; k++) { store.set(n, new Record(n)); n++; }
  memwatch.gc();
  if (++step === 8) { clearInterval(t); console.log(`records ${n}`); }
}, 1);
