// Times the retainer bindings on a snapshot pair (the viewer's "Who retains this?" cost):
//   node bench/retainers.mjs BEFORE.heapsnapshot AFTER.heapsnapshot [CLASS]
// Prints wall and CPU seconds per call (CPU: this process, the machine may be shared).
import fs from 'node:fs';
import mw from 'memwatch-wasm';

const [beforePath, afterPath, cls] = process.argv.slice(2);
if (!afterPath) {
  console.error('usage: node bench/retainers.mjs BEFORE AFTER [CLASS]');
  process.exit(2);
}
function time(label, fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = fn();
  const cpu = process.cpuUsage(c0);
  console.log(`${label.padEnd(44)} wall ${((performance.now() - t0) / 1000).toFixed(2)} s  cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`);
  return r;
}
const b = time(`parse ${beforePath}`, () => mw.Snapshot.fromBytes(fs.readFileSync(beforePath)));
const a = time(`parse ${afterPath}`, () => mw.Snapshot.fromBytes(fs.readFileSync(afterPath)));
console.log(`nodes ${b.nodeCount} -> ${a.nodeCount}`);
const top = time('growthReport(before, after, 10)', () => mw.growthReport(b, a, 10));
const all = time('growthReport(before, after, all)', () => mw.growthReport(b, a, 0xffffffff));
const name = cls ?? top.classes[0]?.class;
const held = time(`classRetainers(after, ${JSON.stringify(name)}, 5)`, () => mw.classRetainers(a, name, 5));
console.log(`growing classes ${all.classes.length}; ${name}: ${held.count} objects, retained ${held.retained_size} bytes, ${held.paths.length} path groups`);
console.log(`first path: ${held.paths[0]?.path}`);
