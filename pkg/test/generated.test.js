'use strict';
// The TypeScript declarations are generated from the Rust types (tsify + wasm-bindgen, by
// scripts/build-wasm.sh, which `npm test` runs first) and committed. A Rust type changed without
// committing the regenerated files fails here, with the diff.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const GENERATED = ['pkg/wasm/node/memwatch_wasm.d.ts', 'pkg/wasm/web/memwatch_wasm.d.ts'];

function git(...args) {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  assert.ifError(r.error); // no git: this check cannot run, so it fails
  return r;
}

test('the generated .d.ts files are committed and match the Rust types', () => {
  for (const file of GENERATED) {
    const tracked = git('ls-files', '--error-unmatch', file);
    assert.equal(tracked.status, 0, `${file} is not committed: run scripts/build-wasm.sh and commit it`);
  }
  const diff = git('diff', '--exit-code', '--', ...GENERATED);
  assert.equal(diff.status, 0,
    'the TypeScript declarations generated from the Rust types differ from the committed ones; ' +
    `review and commit them (scripts/build-wasm.sh regenerated them):\n${diff.stdout}${diff.stderr}`);
});
