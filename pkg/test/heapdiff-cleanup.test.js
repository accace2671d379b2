'use strict';
// HeapDiffs never ended leave nothing behind: their snapshot file is deleted when the object is
// collected, and whatever remains at exit is removed with the temp directory.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

function runWithTmp(script) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-cleanup-'));
  try {
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: path.join(__dirname, '..'), env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    return { out: r.stdout, left: fs.readdirSync(tmp, { recursive: true }) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test('a forgotten HeapDiff is cleaned up by the finalizer', () => {
  const { out, left } = runWithTmp(`
    const fs = require('fs'), os = require('os'), path = require('path');
    const memwatch = require('memwatch-wasm');
    const files = () => fs.readdirSync(os.tmpdir(), { recursive: true }).filter((f) => f.endsWith('.heapsnapshot'));
    (function () { new memwatch.HeapDiff(); })();
    const during = files().length;
    setTimeout(() => { memwatch.gc(); setTimeout(() => console.log(during, files().length), 50); }, 10);`);
  const [during, after] = out.trim().split(' ').map(Number);
  assert.equal(during, 1, 'the first snapshot exists while the HeapDiff is alive');
  assert.equal(after, 0, 'deleted once the HeapDiff was collected');
  assert.deepEqual(left, []);
});

test('HeapDiffs alive at exit leave no files', () => {
  const { left } = runWithTmp(`
    const memwatch = require('memwatch-wasm');
    globalThis.kept = [new memwatch.HeapDiff(), new memwatch.HeapDiff()];`);
  assert.deepEqual(left, []);
});
