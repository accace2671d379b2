'use strict';
// Retainer paths and retained sizes (issue 6) on real Node snapshots: a global Map `leakyCache`
// filled with LeakingClass instances between BEFORE and AFTER, plus TransientClass objects that
// are dropped again before FINAL. With MEMWATCH_BIN set, the results must equal the native CLI's
// (`memwatch diff --json --retainers N`'s "retainers" key, `memwatch leaks --json`).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const memwatch = require('memwatch-wasm');
const { tempDir } = require('./support/helpers.js');

const COUNT = 300;
// Run in a child so the snapshots hold only this script's objects (not the test runner's wasm).
const WRITER = `
const v8 = require('node:v8'), path = require('node:path');
const dir = process.argv[1];
class LeakingClass { constructor(i) { this.payload = new Array(8).fill(i); } }
class TransientClass { constructor(i) { this.i = i; } }
globalThis.leakyCache = new Map();
v8.writeHeapSnapshot(path.join(dir, 'before.heapsnapshot'));
let transient = [];
for (let i = 0; i < ${COUNT}; i++) {
  leakyCache.set('k' + i, new LeakingClass(i));
  transient.push(new TransientClass(i));
}
v8.writeHeapSnapshot(path.join(dir, 'after.heapsnapshot'));
transient = null;
v8.writeHeapSnapshot(path.join(dir, 'final.heapsnapshot'));
`;

function writeSnapshots(t) {
  const dir = tempDir(t);
  const r = spawnSync(process.execPath, ['-e', WRITER, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const file = (name) => path.join(dir, `${name}.heapsnapshot`);
  const load = (name) => {
    const s = memwatch.Snapshot.fromBytes(fs.readFileSync(file(name)));
    t.after(() => s.free());
    return s;
  };
  return { file, before: load('before'), after: load('after'), final: load('final') };
}

function cli(args) {
  const r = spawnSync(process.env.MEMWATCH_BIN, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `memwatch ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('growthReport: LeakingClass grew, held by leakyCache, with a retained-size delta', (t) => {
  const s = writeSnapshots(t);
  const report = memwatch.growthReport(s.before, s.after, 5);
  assert.ok(report.classes.length <= 5);
  const row = report.classes.find((c) => c.class === 'LeakingClass');
  assert.ok(row, `LeakingClass among ${report.classes.map((c) => c.class)}`);
  assert.equal(row.count_after - row.count_before, COUNT);
  assert.equal(row.new_objects, COUNT);
  assert.ok(row.retained_size_delta > row.self_size_after - row.self_size_before,
    'retained size includes the payload arrays');
  assert.equal(row.retained_size_delta, row.retained_size_after - row.retained_size_before);
  assert.match(row.paths[0].path, /leakyCache/);
  assert.match(row.paths[0].example.text, /^.*leakyCache.*LeakingClass$/);
  assert.equal(row.paths.reduce((n, p) => n + p.count, 0), COUNT);

  if (process.env.MEMWATCH_BIN) {
    const native = cli(['diff', '--json', '--retainers', '5', s.file('before'), s.file('after')]);
    assert.deepEqual(report, native.retainers);
  }
});

test('classRetainers: totals and paths of one class in one snapshot', (t) => {
  const s = writeSnapshots(t);
  const r = memwatch.classRetainers(s.after, 'LeakingClass', 3);
  assert.equal(r.class, 'LeakingClass');
  assert.equal(r.count, COUNT);
  assert.ok(r.retained_size > r.self_size && r.self_size > 0);
  assert.ok(r.paths.length >= 1 && r.paths.length <= 3);
  assert.match(r.paths[0].path, /^\(global\) leakyCache -> /);
  assert.equal(r.paths[0].example.hops.at(-1).node, 'LeakingClass');
  assert.equal(r.paths.reduce((n, p) => n + p.count, 0), COUNT);
  assert.equal(r.paths.reduce((n, p) => n + p.retained_size, 0), r.retained_size);

  // Before the loop there were none; an unknown class is empty, not an error.
  assert.deepEqual(memwatch.classRetainers(s.before, 'LeakingClass', 3),
    { class: 'LeakingClass', count: 0, self_size: 0, retained_size: 0, paths: [] });
  assert.equal(memwatch.classRetainers(s.after, 'NoSuchClass', 3).count, 0);
});

test('retainedSizes: every class, largest retained size first, agreeing with classRetainers', (t) => {
  const s = writeSnapshots(t);
  const all = memwatch.retainedSizes(s.after);
  assert.ok(all.length > 10);
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].retained_size >= all[i].retained_size, `sorted at ${i}`);
  const row = all.find((c) => c.class === 'LeakingClass');
  const one = memwatch.classRetainers(s.after, 'LeakingClass', 0);
  assert.deepEqual(row, { class: 'LeakingClass', count: one.count, self_size: one.self_size, retained_size: one.retained_size });
  assert.equal(row.count, COUNT);
  assert.ok(!memwatch.retainedSizes(s.before).some((c) => c.class === 'LeakingClass'));
});

test('leakReport: what AFTER added and FINAL still holds, not the transient objects', (t) => {
  const s = writeSnapshots(t);
  const report = memwatch.leakReport(s.before, s.after, s.final);
  const classes = report.groups.map((g) => g.class);
  const leaking = report.groups.find((g) => g.class === 'LeakingClass');
  assert.ok(leaking, `LeakingClass among ${classes}`);
  assert.match(leaking.path, /leakyCache/);
  assert.equal(leaking.count, COUNT);
  assert.ok(!classes.includes('TransientClass'), `TransientClass was freed: ${classes}`);
  assert.equal(memwatch.leakReport(s.before, s.after, s.final, { max_groups: 1 }).groups.length, 1);

  if (process.env.MEMWATCH_BIN) {
    const native = cli(['leaks', '--json', '--max-groups', '50', s.file('before'), s.file('after'), s.file('final')]);
    assert.deepEqual(report, native);
  }
});

test('the analysis kept in a Snapshot gives the same results on every call', (t) => {
  const s = writeSnapshots(t);
  const first = memwatch.classRetainers(s.after, 'LeakingClass', 3);
  const top3 = memwatch.growthReport(s.before, s.after, 3);
  assert.deepEqual(memwatch.classRetainers(s.after, 'LeakingClass', 3), first);
  assert.deepEqual(memwatch.growthReport(s.before, s.after, 50).classes.slice(0, 3), top3.classes);
  // AFTER analysed as the final snapshot of a leak report, too.
  assert.equal(memwatch.leakReport(s.before, s.after, s.after).groups.find((g) => g.class === 'LeakingClass').count, COUNT);
});

test('bad arguments are JS errors with a message', (t) => {
  const s = writeSnapshots(t);
  assert.throws(() => memwatch.leakReport(s.before, s.after, s.final, { max_groups: 'all' }),
    /invalid leakReport options: /);
  assert.throws(() => memwatch.growthReport(s.before, {}, 3), Error);
  // A parser told to drop edge details (what HeapDiff uses) cannot answer retainer questions.
  const p = new memwatch.SnapshotParser({ edgeDetails: false });
  p.push(fs.readFileSync(s.file('after')));
  const lean = p.finish();
  t.after(() => lean.free());
  assert.throws(() => memwatch.classRetainers(lean, 'LeakingClass', 3), /parsed without edge details/);
  assert.throws(() => memwatch.growthReport(s.before, lean, 3), /parsed without edge details/);
});

test('bucketRetainedSizes and compare: the viewer\'s HeapDiff columns, consistent with diff and classRetainers', (t) => {
  const s = writeSnapshots(t);
  const c = s.before.compare(s.after);
  assert.deepEqual(c.heapdiff, s.before.diff(s.after));
  assert.deepEqual(c.rows.map((r) => r.what), c.heapdiff.change.details.map((d) => d.what));
  c.rows.forEach((r, i) => {
    const d = c.heapdiff.change.details[i];
    assert.deepEqual([r.new_count, r.deleted_count, r.size_delta], [d['+'], d['-'], d.size_bytes], r.what);
    assert.equal(r.alloc_size - r.freed_size, r.size_delta, r.what);
    assert.equal(r.count_delta, r.new_count - r.deleted_count, r.what);
  });
  const leaking = c.rows.find((r) => r.what === 'LeakingClass');
  assert.deepEqual([leaking.new_count, leaking.deleted_count, leaking.freed_size], [COUNT, 0, 0]);

  const buckets = memwatch.bucketRetainedSizes(s.after);
  for (const what of ['LeakingClass', 'Array', 'String', 'Closure', 'Code']) {
    const b = buckets.find((x) => x.what === what);
    assert.ok(b, what);
    const r = memwatch.classRetainers(s.after, what, 0, 'bucket');
    assert.deepEqual([b.count, b.self_size, b.retained_size], [r.count, r.self_size, r.retained_size], what);
  }
});
