'use strict';
// The asynchronous API's declarations (index.d.ts) type a usage file under --strict.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('endAsync, end({ retainers }), leakRetainers, readSnapshot, diffFiles and leakFiles type-check with tsc --strict', () => {
  const tsc = require.resolve('typescript/bin/tsc'); // devDependency: `npm install` in pkg/
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--types', 'node', '--skipLibCheck', 'false', path.join(__dirname, 'support', 'usage-async.mts')],
  { encoding: 'utf8', cwd: path.join(__dirname, '..') });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
