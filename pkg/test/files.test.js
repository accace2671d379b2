'use strict';
// readSnapshot / diffFiles / leakFiles: files streamed from disk (or bytes) into the engine in a
// worker give the same objects as the engine called on this thread with the whole file, and
// errors name the file. (tests/agreement/files.test.mjs compares them with the native CLI.)
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const memwatch = require('memwatch-wasm');
const { tempDir } = require('./support/helpers.js');

const LEAKY_APP = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'leaky-app-snapshots.js');
const TINY = path.join(__dirname, '..', '..', 'core', 'tests', 'fixtures');

// baseline/target/final of the committed leaky-app fixture (a Map and a closure's array grow).
function leakyApp(t) {
  const dir = tempDir(t);
  const r = spawnSync(process.execPath, [LEAKY_APP, dir, '100', '500', '2000'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const file = (name) => path.join(dir, `${name}.heapsnapshot`);
  return { dir, baseline: file('baseline'), target: file('target'), final: file('final') };
}

function onThisThread(file, fn) {
  const s = memwatch.Snapshot.fromBytes(fs.readFileSync(file));
  try {
    return fn(s);
  } finally {
    s.free();
  }
}

test('diffFiles equals the engine on this thread, from paths, bytes and file: URLs', async () => {
  const before = path.join(TINY, 'tiny-before.heapsnapshot');
  const after = path.join(TINY, 'tiny-after.heapsnapshot');
  const expected = memwatch.diffSnapshots(fs.readFileSync(before), fs.readFileSync(after));
  assert.ok(expected.change.details.length > 0);
  assert.deepEqual(await memwatch.diffFiles(before, after), expected);
  const bytes = fs.readFileSync(after);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  assert.deepEqual(await memwatch.diffFiles(new Uint8Array(fs.readFileSync(before)), ab), expected);
  assert.deepEqual(await memwatch.diffFiles(new URL(`file://${before}`), after), expected);
});

test('diffFiles with retainers and leakFiles equal the engine on this thread', async (t) => {
  const s = leakyApp(t);
  const diff = await memwatch.diffFiles(s.baseline, s.target, { retainers: 4 });
  const expected = onThisThread(s.baseline, (b) => onThisThread(s.target, (a) => ({ ...b.diff(a), retainers: memwatch.growthReport(b, a, 4) })));
  assert.deepEqual(diff, expected);
  assert.equal(diff.retainers.classes.length, 4);
  assert.match(diff.retainers.holders.map((h) => h.name).join(' '), /leakyCache/);

  const leaks = await memwatch.leakFiles(s.baseline, s.target, s.final, { maxGroups: 3 });
  const all = [s.baseline, s.target, s.final].map((f) => memwatch.Snapshot.fromBytes(fs.readFileSync(f)));
  t.after(() => all.forEach((x) => x.free()));
  assert.deepEqual(leaks, memwatch.leakReport(all[0], all[1], all[2], { max_groups: 3 }));
  assert.equal(leaks.groups.length, 3);
  assert.ok(leaks.groups.some((g) => g.class === 'LeakingClass' && /leakyCache/.test(g.path)));
  assert.deepEqual(await memwatch.leakFiles(s.baseline, s.target, s.final, { includeInternal: true }),
    memwatch.leakReport(all[0], all[1], all[2], { include_internal: true }));
});

test('readSnapshot: a snapshot in a worker, with the engine\'s analyses as promises', async (t) => {
  const s = leakyApp(t);
  const snap = await memwatch.readSnapshot(s.target);
  t.after(() => snap.free());
  const bytes = fs.readFileSync(s.target);
  onThisThread(s.target, (local) => {
    assert.equal(snap.nodeCount, local.nodeCount);
    assert.equal(snap.edgeCount, local.edgeCount);
  });
  const [summary, retained, held] = await Promise.all([
    snap.summarize(), snap.retainedSizes(), snap.classRetainers('LeakingClass', 2),
  ]);
  onThisThread(s.target, (local) => {
    assert.deepEqual(summary, local.summarize());
    assert.deepEqual(retained, memwatch.retainedSizes(local));
    assert.deepEqual(held, memwatch.classRetainers(local, 'LeakingClass', 2));
  });
  assert.equal(held.count, 600);
  // From bytes too; without edge details, retainer questions are refused by the engine.
  const lean = await memwatch.readSnapshot(bytes, { edgeDetails: false });
  t.after(() => lean.free());
  assert.equal(lean.nodeCount, snap.nodeCount);
  await assert.rejects(lean.classRetainers('LeakingClass', 2), /parsed without edge details/);
  // After free() the handle refuses.
  await lean.free();
  await assert.rejects(lean.summarize(), /freed/);
});

test('errors name the input and the position; bad arguments are TypeErrors', async (t) => {
  const dir = tempDir(t);
  const tiny = path.join(TINY, 'tiny-before.heapsnapshot');
  const truncated = path.join(dir, 'truncated.heapsnapshot');
  fs.writeFileSync(truncated, fs.readFileSync(tiny).subarray(0, 600));
  await assert.rejects(memwatch.diffFiles(tiny, truncated), (e) => {
    assert.match(e.message, new RegExp(`^${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: at byte \\d+: `));
    return true;
  });
  await assert.rejects(memwatch.diffFiles(tiny, path.join(dir, 'missing.heapsnapshot')), /missing\.heapsnapshot: cannot open: ENOENT/);
  await assert.rejects(memwatch.diffFiles(tiny, fs.readFileSync(tiny).subarray(0, 600)), /^Error: after \(bytes\): at byte \d+/);
  await assert.rejects(memwatch.readSnapshot(42), { name: 'TypeError', message: /readSnapshot: 'source' must be a file path, a file: URL, an ArrayBuffer or a Uint8Array, got number/ });
  await assert.rejects(memwatch.diffFiles(tiny, tiny, { retainer: 3 }), { name: 'TypeError', message: "diffFiles: unknown option 'retainer' (expected 'retainers')" });
  await assert.rejects(memwatch.diffFiles(tiny, tiny, { retainers: -1 }), { name: 'TypeError', message: /option 'retainers' must be an integer/ });
  await assert.rejects(memwatch.leakFiles(tiny, tiny, tiny, { max_groups: 3 }), { name: 'TypeError', message: /unknown option 'max_groups' \(expected 'maxGroups', 'includeInternal'\)/ });
  await assert.rejects(memwatch.leakFiles(tiny, tiny, null), { name: 'TypeError', message: /'final' must be .* got null/ });
  // leakFiles parses its three inputs in three workers: each names its own.
  const cut = fs.readFileSync(tiny).subarray(0, 600);
  await assert.rejects(memwatch.leakFiles(cut, tiny, tiny), /^Error: baseline \(bytes\): at byte \d+/);
  await assert.rejects(memwatch.leakFiles(tiny, tiny, truncated), new RegExp(`^Error: ${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: at byte`));
  await assert.rejects(memwatch.leakFiles(tiny, path.join(dir, 'nope'), tiny), /nope: cannot open: ENOENT/);
  // Several bad inputs: the first in argument order is reported, not the first to fail (the
  // missing final fails at once, the baseline only at its end, after 21 MB of nodes), as a CLI would.
  const long = path.join(dir, 'long-truncated.heapsnapshot');
  const head = fs.readFileSync(tiny, 'latin1').replace(/"node_count":\d+/, '"node_count":2000000');
  fs.writeFileSync(long, head.slice(0, head.indexOf('"nodes":[') + 9) + '1,'.repeat(7 * 1500000));
  await assert.rejects(memwatch.leakFiles(long, tiny, path.join(dir, 'nope')), (e) => {
    assert.ok(e.message.startsWith(`${long}: at byte 21000`), e.message);
    assert.equal(e.code, 'ERR_MEMWATCH_INPUT');
    return true;
  });
});
