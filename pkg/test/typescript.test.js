'use strict';
// The .d.ts files compile and type a realistic usage file (test/support/usage.mts) under --strict.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('index.d.ts and web.d.ts type-check a usage file with tsc --strict', () => {
  const tsc = require.resolve('typescript/bin/tsc'); // devDependency: `npm install` in pkg/
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--types', 'node', '--skipLibCheck', 'false', path.join(__dirname, 'support', 'usage.mts')],
  { encoding: 'utf8', cwd: path.join(__dirname, '..') });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
