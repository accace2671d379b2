// Writes a realistic before/after pair of V8 heap snapshots of a chosen size (not in git):
//   node pkg/bench/gen-snapshots.mjs [OUT_DIR=/work/data/wasm-bench] [OBJECTS=1200000]
// The heap: a user/session/order model (classes, nested objects, arrays, Maps, strings, closures)
// of OBJECTS records; "after" adds 10% more records and drops 5% (a cache that grows).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const out = process.argv[2] || '/work/data/wasm-bench';
const objects = Number(process.argv[3] || 1_200_000);
fs.mkdirSync(out, { recursive: true });

const script = `
const v8 = require('v8');
const [out, n] = [process.argv[1], Number(process.argv[2])];
class User { constructor(i) { this.id = i; this.name = 'user-' + i; this.tags = ['t' + (i % 97), 't' + (i % 13)]; } }
class Session { constructor(u, i) { this.user = u; this.started = i * 1000; this.data = { hits: i % 50, path: '/p/' + (i % 1000) }; } }
class Order { constructor(u, i) { this.user = u; this.items = [i % 7, i % 11, i % 13]; this.total = i * 1.5; this.onPaid = () => this.total; } }
const users = new Map();
const sessions = [];
const orders = [];
function add(i) {
  const u = new User(i);
  users.set(i, u);
  sessions.push(new Session(u, i));
  if (i % 2 === 0) orders.push(new Order(u, i));
}
for (let i = 0; i < n; i++) add(i);
v8.writeHeapSnapshot(out + '/before.heapsnapshot');
for (let i = n; i < n + n / 10; i++) add(i);
for (let i = 0; i < n / 20; i++) users.delete(i);
sessions.splice(0, n / 20);
v8.writeHeapSnapshot(out + '/after.heapsnapshot');
`;
const r = spawnSync(process.execPath, ['--max-old-space-size=8192', '-e', script, out, String(objects)], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
for (const f of ['before', 'after']) {
  const p = path.join(out, `${f}.heapsnapshot`);
  console.log(`${p}: ${(fs.statSync(p).size / 1e6).toFixed(1)} MB`);
}
