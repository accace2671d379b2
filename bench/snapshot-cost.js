// Time of one V8 heap snapshot of the heap bench/leak-retainers-heap.js ends with (a global Map of
// 1.57 M small objects, ~300 MB; the first argument changes the count): what each leak event of
// `memwatch run --leak-retainers` pays, next to Node's own `v8.writeHeapSnapshot()` of the same
// heap (docs/benchmarks-retainers.md). Under memwatch the snapshot is also parsed (streamed into
// the parser while V8 writes it, no file); under Node it is only written.
//   /usr/bin/time -f "%e s %M KB" target/release/memwatch run bench/snapshot-cost.js [records]
//   /usr/bin/time -f "%e s %M KB" node bench/snapshot-cost.js [records]
// With `none` as second argument it only builds the heap (the RSS of the heap itself).
class Record { constructor(i) { this.id = i; this.name = 'record-' + i; this.tags = [i, i + 1, i + 2]; } }
globalThis.store = new Map();
const records = Number(process.argv[2] || 1572864);
for (let n = 0; n < records; n++) store.set(n, new Record(n));
const t = Date.now();
if (process.argv[3] === 'none') {
  // the heap alone
} else if (typeof memwatch !== 'undefined') {
  new memwatch.HeapDiff(); // its "before" snapshot, parsed while V8 writes it
} else {
  const fs = require('fs'), os = require('os'), path = require('path');
  const file = path.join(os.tmpdir(), `snapshot-cost-${process.pid}.heapsnapshot`);
  require('v8').writeHeapSnapshot(file);
  fs.unlinkSync(file);
}
console.log(`one heap snapshot: ${Date.now() - t} ms`);
