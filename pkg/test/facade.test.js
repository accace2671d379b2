'use strict';
// The node-memwatch facade (lib/facade.js) is shared with `memwatch run`: the same misuses give
// the same errors on both hosts (native/cli/tests/run_runtime.rs checks the runtime against the
// same expected file), and the package's host delivers the same events.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures');

test('misuses give the messages shared with `memwatch run`', () => {
  const r = spawnSync(process.execPath, [path.join(FIXTURES, 'facade-misuse.js'), path.join(__dirname, '..')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'facade-misuse.expected.json'), 'utf8'));
  assert.deepEqual(JSON.parse(r.stdout), want);
});

test('configure() validates (types here, bounds in the engine); heapdiff events arrive after end(), outside it', async () => {
  const memwatch = require('memwatch-wasm');
  assert.throws(() => memwatch.configure({ classic: { growthCount: 'x' } }), {
    name: 'TypeError', message: 'memwatch.configure: option \'classic.growthCount\' must be a number, got a string ("x")',
  });
  assert.equal(memwatch.configure({ classic: { growthCount: 3 } }), memwatch);
  memwatch.configure({});
  let inside = true;
  const got = new Promise((resolve) => memwatch.once('heapdiff', (d) => resolve({ d, inside })));
  const diff = new memwatch.HeapDiff().end();
  inside = false;
  const { d, inside: wasInside } = await got;
  assert.equal(wasInside, false);
  assert.equal(d, diff);
});
