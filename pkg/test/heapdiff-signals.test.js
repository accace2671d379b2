'use strict';
// Temporary snapshots go on SIGTERM/SIGINT too, and the signal is not swallowed: the process ends
// by the same signal as it would have without memwatch. A child is killed mid-HeapDiff (while the
// "before" snapshot waits, and while the worker of endAsync() parses both files).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const PKG = path.join(__dirname, '..');

// Runs `script` with its own TMPDIR; `send(child, line)` is called for each stdout line.
function run(t, script, onLine) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-signals-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['-e', script], { cwd: PKG, env: { ...process.env, TMPDIR: tmp } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => {
    out += d;
    const lines = out.split('\n');
    out = lines.pop();
    for (const l of lines) onLine(child, l, tmp);
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, err, left: fs.readdirSync(tmp, { recursive: true }) }));
  });
}

const snapshotsIn = (tmp) => fs.readdirSync(tmp, { recursive: true }).filter((f) => f.endsWith('.heapsnapshot'));

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} while a HeapDiff waits for end(): files removed, process ends by ${signal}`, async (t) => {
    const seen = [];
    const r = await run(t, `
      const memwatch = require('memwatch-wasm');
      globalThis.hd = new memwatch.HeapDiff();
      console.log('ready');
      setInterval(() => {}, 1000);`, (child, line, tmp) => {
      seen.push(snapshotsIn(tmp).length);
      child.kill(signal);
    });
    assert.deepEqual(seen, [1], 'the "before" snapshot existed when the signal was sent');
    assert.equal(r.signal, signal, `exit ${r.code}, stderr: ${r.err}`);
    assert.deepEqual(r.left, []);
  });
}

test('SIGTERM while endAsync() is parsing in its worker: files removed, process ends by SIGTERM', async (t) => {
  const seen = [];
  const r = await run(t, `
    const memwatch = require('memwatch-wasm');
    globalThis.data = Array.from({ length: 200000 }, (_, i) => ({ i, s: 'x' + i }));
    const hd = new memwatch.HeapDiff();
    globalThis.more = Array.from({ length: 1000 }, (_, i) => ({ i }));
    hd.endAsync({ retainers: 3 }).then(() => console.log('finished'));
    console.log('ending');
    setInterval(() => {}, 1000);`, (child, line, tmp) => {
    seen.push([line, snapshotsIn(tmp).length]);
    child.kill('SIGTERM');
  });
  assert.deepEqual(seen, [['ending', 2]], 'both snapshots existed and the analysis had not finished');
  assert.equal(r.signal, 'SIGTERM', `exit ${r.code}, stderr: ${r.err}`);
  assert.deepEqual(r.left, []);
});

test('an application that handles SIGTERM itself decides; the files go when it exits', async (t) => {
  const r = await run(t, `
    const fs = require('fs'), os = require('os');
    const memwatch = require('memwatch-wasm');
    globalThis.hd = new memwatch.HeapDiff();
    process.on('SIGTERM', () => {
      const left = fs.readdirSync(os.tmpdir(), { recursive: true }).filter((f) => f.endsWith('.heapsnapshot')).length;
      console.log('shutting down with ' + left);
      setTimeout(() => process.exit(3), 10);
    });
    console.log('ready');
    setInterval(() => {}, 1000);`, (child, line) => {
    if (line === 'ready') child.kill('SIGTERM');
    else assert.equal(line, 'shutting down with 1');
  });
  assert.equal(r.signal, null);
  assert.equal(r.code, 3, r.err);
  assert.deepEqual(r.left, []);
});

test('no snapshot pending, no signal listener: SIGTERM keeps its default action', async (t) => {
  const r = await run(t, `
    const memwatch = require('memwatch-wasm');
    new memwatch.HeapDiff().end();
    console.log(process.listenerCount('SIGTERM'), process.listenerCount('SIGINT'));
    setInterval(() => {}, 1000);`, (child, line) => {
    assert.equal(line, '0 0');
    child.kill('SIGTERM');
  });
  assert.equal(r.signal, 'SIGTERM');
  assert.deepEqual(r.left, []);
});

test('leakRetainers keeps one baseline snapshot, removed when turned off or on SIGTERM', async (t) => {
  const lines = [];
  const r = await run(t, `
    const fs = require('fs'), os = require('os');
    const memwatch = require('memwatch-wasm');
    const count = () => fs.readdirSync(os.tmpdir(), { recursive: true }).filter((f) => f.endsWith('.heapsnapshot')).length;
    memwatch.configure({ leakRetainers: 3 });
    memwatch.gc();
    setTimeout(() => {
      console.log('baseline ' + count());
      memwatch.configure({});
      setTimeout(() => {
        console.log('off ' + count());
        memwatch.configure({ leakRetainers: 3 });
        memwatch.gc();
        setTimeout(() => console.log('again ' + count()), 500);
      }, 500);
    }, 500);
    setInterval(() => {}, 1000);`, (child, line) => {
    lines.push(line);
    if (line.startsWith('again')) child.kill('SIGTERM');
  });
  assert.deepEqual(lines, ['baseline 1', 'off 0', 'again 1']);
  assert.equal(r.signal, 'SIGTERM', r.err);
  assert.deepEqual(r.left, []);
});
