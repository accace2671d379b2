// Package entry points: `import` and `require()` in Node give the same synchronously-ready module,
// with the node-memwatch API usable destructured; the "browser"/default condition maps to web.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import memwatch, { HeapDiff, gc, once, diffSnapshots, analyzeExport } from 'memwatch-wasm';

const require = createRequire(import.meta.url);

test('ESM default export is the CommonJS module', () => {
  assert.equal(memwatch, require('memwatch-wasm'));
  assert.equal(HeapDiff, memwatch.HeapDiff);
  assert.equal(diffSnapshots, memwatch.diffSnapshots);
  assert.equal(typeof analyzeExport, 'function');
});

test('destructured once/gc work (bound to the emitter)', async () => {
  const stats = await new Promise((resolve) => {
    once('stats', resolve);
    gc();
  });
  assert.ok(stats.num_full_gc >= 1);
});

test('require() in a plain CommonJS script is synchronous: no await, no init()', () => {
  const script = `
    const memwatch = require('memwatch-wasm');
    class LeakingClass {}
    memwatch.gc();
    const hd = new memwatch.HeapDiff();
    const keep = []; for (let i = 0; i < 50; i++) keep.push(new LeakingClass());
    const d = hd.end();
    process.stdout.write(JSON.stringify(d.change.details.find((x) => x.what === 'LeakingClass')));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const row = JSON.parse(r.stdout);
  assert.equal(row['+'], 50);
});

test('package.json maps browsers and bundlers to the web build', () => {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url)));
  const root = pkg.exports['.'];
  assert.equal(root.default, './web.mjs');
  assert.equal(root.node.require, './index.cjs');
  assert.equal(root.node.import, './index.mjs');
  for (const f of ['./web.mjs', './index.cjs', './index.mjs', './index.d.ts', './web.d.ts']) {
    assert.ok(fs.existsSync(new URL(`.${f.slice(1)}`, new URL('../', import.meta.url))), f);
  }
});

test('every entry point exposes every export of the generated engine module, and nothing is listed by hand', async () => {
  const engine = Object.keys(require('../wasm/node/memwatch_wasm.js')).filter((n) => n !== 'install_panic_hook');
  assert.ok(engine.includes('diffSnapshots') && engine.includes('SnapshotParser') && engine.length >= 13, engine.join());
  const cjs = require('memwatch-wasm');
  const esm = await import('memwatch-wasm');
  const web = await import('memwatch-wasm/web');
  for (const name of engine) {
    assert.equal(cjs[name], require('../wasm/node/memwatch_wasm.js')[name], `require(): ${name}`);
    assert.equal(esm[name], cjs[name], `import (node): ${name}`);
    assert.equal(typeof web[name], typeof cjs[name], `import (web): ${name}`);
  }
  for (const f of ['../index.cjs', '../index.mjs', '../web.mjs', '../index.d.ts', '../web.d.ts']) {
    // Methods of the readSnapshot() handle (promise-returning, one per line) are not re-exports.
    const text = fs.readFileSync(new URL(f, import.meta.url), 'utf8').replace(/^ +\w+\(.*\): Promise<.*>;$/gm, '');
    for (const name of ['summarizeSnapshot', 'growthReport', 'retainedSizes']) {
      assert.ok(!text.includes(name), `${f} names the engine export ${name}: the list lives only in the generated module`);
    }
  }
});
