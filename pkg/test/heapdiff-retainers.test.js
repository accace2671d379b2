'use strict';
// hd.end({ retainers }) and hd.endAsync(): node-memwatch's object plus the engine's growth report
// under `retainers` (the shape of `memwatch diff --json --retainers N`); option checks.
const test = require('node:test');
const assert = require('node:assert/strict');
const memwatch = require('memwatch-wasm');

class LeakingClass {
  constructor(i) {
    this.payload = new Array(8).fill(i);
  }
}
globalThis.leakyCache = new Map();
let k = 0;
function grow(n) {
  for (let i = 0; i < n; i++, k++) leakyCache.set(`k${k}`, new LeakingClass(k));
}

function checkReport(diff, n) {
  const row = diff.change.details.find((d) => d.what === 'LeakingClass');
  assert.equal(row['+'], 500);
  assert.deepEqual(Object.keys(diff), ['before', 'after', 'change', 'retainers']);
  assert.ok(diff.retainers.classes.length <= n && diff.retainers.classes.length > 0);
  assert.ok(diff.retainers.classes.some((c) => c.class === 'LeakingClass' && c.new_objects === 500));
  assert.equal(diff.retainers.holders[0].name, 'leakyCache');
  assert.match(diff.retainers.holders[0].headline, /^leakyCache .*Map \+500 LeakingClass/);
}

test('end({ retainers }) adds the growth report; end() and end({}) do not', () => {
  let hd = new memwatch.HeapDiff();
  grow(500);
  checkReport(hd.end({ retainers: 3 }), 3);
  hd = new memwatch.HeapDiff();
  assert.equal(hd.end({}).retainers, undefined);
  assert.equal(new memwatch.HeapDiff().end().retainers, undefined);
});

test('endAsync({ retainers }) gives the same report shape, analysed in a worker; endAsync() the plain object', async () => {
  let hd = new memwatch.HeapDiff();
  grow(500);
  const pending = hd.endAsync({ retainers: 4 });
  assert.ok(pending instanceof Promise);
  checkReport(await pending, 4);
  hd = new memwatch.HeapDiff();
  grow(500);
  const plain = await hd.endAsync();
  assert.deepEqual(Object.keys(plain), ['before', 'after', 'change']);
  assert.equal(plain.change.details.find((d) => d.what === 'LeakingClass')['+'], 500);
});

test('heapdiff events follow endAsync() too', async () => {
  await new Promise((r) => setImmediate(r)); // the previous test's events are out
  const seen = [];
  memwatch.on('heapdiff', (d) => seen.push(d));
  const diff = await new memwatch.HeapDiff().endAsync({ retainers: 1 });
  await new Promise((r) => setImmediate(r));
  memwatch.removeAllListeners('heapdiff');
  assert.deepEqual(seen, [diff]);
});

test('bad options are TypeErrors naming the option; a second end rejects', async () => {
  const hd = new memwatch.HeapDiff();
  assert.throws(() => hd.end({ retainer: 3 }), { name: 'TypeError', message: "HeapDiff.end: unknown option 'retainer' (expected 'retainers')" });
  assert.throws(() => hd.end({ retainers: 1.5 }), { name: 'TypeError', message: /option 'retainers' must be an integer from 0 to 4294967295, got 1.5/ });
  assert.throws(() => hd.end(5), { name: 'TypeError', message: /options must be an object/ });
  await assert.rejects(hd.endAsync({ retainers: '3' }), { name: 'TypeError', message: /got 3/ });
  // A refused call did not end it.
  assert.ok(hd.end());
  await assert.rejects(hd.endAsync(), /attempt to end\(\) a HeapDiff that was already ended/);
  assert.throws(() => memwatch.configure({ leakRetainers: -1 }), { name: 'TypeError', message: /'leakRetainers' must be an integer/ });
});
