// The npm package's asynchronous file API (readSnapshot, diffFiles, leakFiles: files streamed from
// disk into the engine in worker threads) gives the same JSON as the native CLI on the committed
// fixtures: `diff --json [--retainers N]` and `leaks --json [--max-groups N] [--include-internal]`.
// Needs MEMWATCH_BIN (fails without it, never skips).
//   scripts/build-wasm.sh && MEMWATCH_BIN=target/debug/memwatch node --test tests/agreement/
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const mw = require(path.join(ROOT, 'pkg', 'index.cjs'));
const BIN = process.env.MEMWATCH_BIN;
const TINY = path.join(ROOT, 'core', 'tests', 'fixtures');

function cliJson(...args) {
  assert.ok(BIN, 'set MEMWATCH_BIN to the native memwatch binary (e.g. MEMWATCH_BIN=target/debug/memwatch)');
  const r = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `memwatch ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-agreement-files-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
const leaky = {};
test.before(() => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tests', 'fixtures', 'leaky-app-snapshots.js'), dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['baseline', 'target', 'final']) leaky[name] = path.join(dir, `${name}.heapsnapshot`);
});

test('diffFiles = diff --json (tiny fixtures)', async () => {
  const [b, a] = ['tiny-before', 'tiny-after'].map((n) => path.join(TINY, `${n}.heapsnapshot`));
  assert.deepEqual(await mw.diffFiles(b, a), cliJson('diff', '--json', b, a));
});

for (const n of [0, 3]) {
  test(`diffFiles({ retainers: ${n} }) = diff --json --retainers ${n} (leaky app)`, async () => {
    const native = cliJson('diff', '--json', '--retainers', String(n), leaky.baseline, leaky.target);
    assert.deepEqual(await mw.diffFiles(leaky.baseline, leaky.target, { retainers: n }), native);
  });
}

for (const [flags, options] of [[[], undefined], [['--max-groups', '2', '--include-internal'], { maxGroups: 2, includeInternal: true }]]) {
  test(`leakFiles(${JSON.stringify(options)}) = leaks --json ${flags.join(' ')} (leaky app)`, async () => {
    const native = cliJson('leaks', '--json', ...flags, leaky.baseline, leaky.target, leaky.final);
    assert.deepEqual(await mw.leakFiles(leaky.baseline, leaky.target, leaky.final, options), native);
  });
}

test('readSnapshot: retained sizes and class retainers as the engine on the same file', async () => {
  const s = await mw.readSnapshot(leaky.final);
  try {
    const local = mw.Snapshot.fromBytes(fs.readFileSync(leaky.final));
    try {
      assert.deepEqual(await s.retainedSizes(), mw.retainedSizes(local));
      assert.deepEqual(await s.classRetainers('LeakingClass', 3), mw.classRetainers(local, 'LeakingClass', 3));
    } finally {
      local.free();
    }
  } finally {
    await s.free();
  }
});
