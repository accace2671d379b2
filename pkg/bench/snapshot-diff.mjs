// wasm vs native: parse + diff of the same snapshot pair.
//   node pkg/bench/snapshot-diff.mjs BEFORE AFTER [--native BIN] [--runs N]
// wasm: the file streamed in 4 MiB chunks into SnapshotParser (as the Node adapter does), both
// parsed, then Snapshot.diff. native: `memwatch diff --json BEFORE AFTER` wall time (includes
// process start and printing the JSON). Both results must be identical JSON.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';

const require = createRequire(import.meta.url);
const mw = require('../index.cjs');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : dflt;
};
const nativeBin = opt('--native', process.env.MEMWATCH_BIN);
const runs = Number(opt('--runs', 3));
const [beforePath, afterPath] = args;
if (!beforePath || !afterPath) {
  console.error('usage: snapshot-diff.mjs BEFORE AFTER [--native BIN] [--runs N]');
  process.exit(2);
}

function parseFile(file) {
  const buf = Buffer.allocUnsafe(4 << 20);
  const fd = fs.openSync(file, 'r');
  const parser = new mw.SnapshotParser({ sizeHint: fs.fstatSync(fd).size, edgeDetails: false });
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) parser.push(buf.subarray(0, n));
  fs.closeSync(fd);
  const snap = parser.finish();
  parser.free();
  return snap;
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (f) => fs.statSync(f).size / 1e6;
console.log(`files: ${beforePath} (${mb(beforePath).toFixed(1)} MB), ${afterPath} (${mb(afterPath).toFixed(1)} MB)`);

const wasm = { parse: [], diff: [], total: [] };
let wasmDiff;
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  const a = parseFile(beforePath);
  const b = parseFile(afterPath);
  const parsed = ms(t0);
  const t1 = process.hrtime.bigint();
  wasmDiff = a.diff(b);
  wasm.diff.push(ms(t1));
  wasm.parse.push(parsed);
  wasm.total.push(ms(t0));
  a.free();
  b.free();
}
const totalMb = mb(beforePath) + mb(afterPath);
console.log(`wasm   parse ${median(wasm.parse).toFixed(0)} ms (${(totalMb / median(wasm.parse) * 1000).toFixed(0)} MB/s), ` +
  `diff ${median(wasm.diff).toFixed(0)} ms, total ${median(wasm.total).toFixed(0)} ms (median of ${runs}); ` +
  `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

if (nativeBin) {
  const times = [];
  let out;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const p = spawnSync('/usr/bin/time', ['-f', '%M', nativeBin, 'diff', '--json', beforePath, afterPath], { encoding: 'utf8', maxBuffer: 1 << 30 });
    times.push(ms(t0));
    if (p.status !== 0) throw new Error(`native diff failed: ${p.stderr}`);
    out = p;
  }
  const rssKb = Number(out.stderr.trim().split('\n').pop());
  const native = median(times);
  console.log(`native total ${native.toFixed(0)} ms (median of ${runs}); peak RSS ${(rssKb / 1024).toFixed(0)} MB`);
  console.log(`ratio wasm/native: ${(median(wasm.total) / native).toFixed(2)}`);
  const same = JSON.stringify(JSON.parse(out.stdout)) === JSON.stringify(wasmDiff);
  console.log(`identical JSON: ${same}`);
  if (!same) process.exit(1);
}
