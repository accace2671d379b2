// Time of one V8 heap snapshot of the heap bench/leak-retainers-heap.js ends with (a global Map of
// 1.57 M small objects, ~300 MB): what each leak event of `memwatch run --leak-retainers` pays,
// next to Node's own `v8.writeHeapSnapshot()` of the same heap (docs/benchmarks-retainers.md).
//   /usr/bin/time -f "%e s %M KB" target/release/memwatch run bench/snapshot-cost.js
//   /usr/bin/time -f "%e s %M KB" node bench/snapshot-cost.js
class Record { constructor(i) { this.id = i; this.name = 'record-' + i; this.tags = [i, i + 1, i + 2]; } }
globalThis.store = new Map();
for (let n = 0; n < 1572864; n++) store.set(n, new Record(n));
const t = Date.now();
if (typeof memwatch !== 'undefined') {
  new memwatch.HeapDiff(); // its "before" snapshot, streamed to a temporary file
} else {
  const fs = require('fs'), os = require('os'), path = require('path');
  const file = path.join(os.tmpdir(), `snapshot-cost-${process.pid}.heapsnapshot`);
  require('v8').writeHeapSnapshot(file);
  fs.unlinkSync(file);
}
console.log(`one heap snapshot: ${Date.now() - t} ms`);
