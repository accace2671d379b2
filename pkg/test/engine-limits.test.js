'use strict';
// The engine on hostile or large input: argument types (ArrayBuffer accepted, a TypeError
// naming the argument otherwise), and large streamed snapshots (no panic, no trap: a result or
// an Error, after which the parser can be freed and the module keeps working).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const mw = require('memwatch-wasm');

const FIXTURES = path.join(__dirname, '..', '..', 'core', 'tests', 'fixtures');
const tinyBefore = fs.readFileSync(path.join(FIXTURES, 'tiny-before.heapsnapshot'));
const tinyAfter = fs.readFileSync(path.join(FIXTURES, 'tiny-after.heapsnapshot'));

/** A copy of a Buffer's bytes as a standalone ArrayBuffer. */
const arrayBuffer = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);

const HEADER = (counts = '') =>
  '"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id"],' +
  '"node_types":[["hidden","object"],"string","number","number","number","number"],' +
  '"edge_fields":["type","name_or_index","to_node"],' +
  `"edge_types":[["context","element","property"],"string_or_number","node"]}${counts}}`;

/** `count` copies of `unit` as one Uint8Array. */
const repeated = (unit, count) => Buffer.from(unit.repeat(count));

test('diffSnapshots, summarizeSnapshot, Snapshot.fromBytes and push take an ArrayBuffer like a Uint8Array', () => {
  const want = mw.diffSnapshots(tinyBefore, tinyAfter);
  assert.equal(want.before.nodes, 7);
  assert.deepEqual(mw.diffSnapshots(arrayBuffer(tinyBefore), arrayBuffer(tinyAfter)), want);
  assert.deepEqual(mw.diffSnapshots(tinyBefore, arrayBuffer(tinyAfter)), want);
  assert.deepEqual(mw.summarizeSnapshot(arrayBuffer(tinyAfter)), mw.summarizeSnapshot(tinyAfter));
  const a = mw.Snapshot.fromBytes(arrayBuffer(tinyBefore));
  const p = new mw.SnapshotParser();
  p.push(arrayBuffer(tinyAfter.subarray(0, 100)));
  p.push(tinyAfter.subarray(100));
  const b = p.finish();
  assert.equal(p.bytesConsumed, tinyAfter.length);
  assert.deepEqual(a.diff(b), want);
  a.free();
  b.free();
  p.free();
});

test('anything but a Uint8Array or an ArrayBuffer is a TypeError naming the argument', () => {
  const cases = [
    [() => mw.diffSnapshots('snapshot text', tinyAfter), 'diffSnapshots: before', 'string'],
    [() => mw.diffSnapshots(tinyBefore, [1, 2, 3]), 'diffSnapshots: after', 'Array'],
    [() => mw.diffSnapshots(tinyBefore, new Uint16Array(4)), 'diffSnapshots: after', 'Uint16Array'],
    [() => mw.diffSnapshots(tinyBefore), 'diffSnapshots: after', 'undefined'],
    [() => mw.summarizeSnapshot(null), 'summarizeSnapshot: bytes', 'null'],
    [() => mw.Snapshot.fromBytes(42), 'Snapshot.fromBytes: bytes', 'number'],
    [() => new mw.SnapshotParser().push({ length: 3 }), 'SnapshotParser.push: chunk', 'Object'],
  ];
  for (const [call, what, got] of cases) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof TypeError, `${what}: ${e}`);
      assert.equal(e.message, `${what} must be a Uint8Array or an ArrayBuffer (got ${got})`);
      return true;
    });
  }
  // A parser given a wrong chunk type is still usable.
  const p = new mw.SnapshotParser();
  assert.throws(() => p.push('text'), TypeError);
  p.push(tinyBefore);
  const s = p.finish();
  assert.equal(s.nodeCount, 7);
  s.free();
});

test('256 MB of nodes before the header parse (was a "capacity overflow" panic)', () => {
  // 22.4 million 6-field nodes of 12 bytes each, pushed in 1 MiB chunks; V8 writes the header
  // first, other writers may not.
  const perChunk = Math.floor((1 << 20) / 12);
  const chunks = 256;
  const nodes = perChunk * chunks;
  const p = new mw.SnapshotParser();
  p.push(Buffer.from('{"nodes":['));
  const chunk = repeated('1,0,9,0,0,0,', perChunk);
  for (let i = 0; i < chunks; i++) p.push(chunk);
  p.push(Buffer.from(`1,0,9,0,0,0],"edges":[],"strings":["root"],${HEADER()}}`));
  const s = p.finish();
  assert.equal(s.nodeCount, nodes + 1);
  s.free();
  p.free();
});

test('a huge declared node_count reserves what the input allows (was a "capacity overflow" panic)', () => {
  const p = new mw.SnapshotParser({ sizeHint: 1e12 });
  p.push(Buffer.from(`{${HEADER(',"node_count":400000000,"edge_count":0')},"nodes":[1,0,9,0,0,0`));
  assert.throws(() => { p.push(Buffer.from('],"edges":[],"strings":["root"]}')); p.finish(); }, (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /snapshot\.node_count is 400000000 but the "nodes" array holds 1 nodes/);
    return true;
  });
  p.free();
});

test('running out of wasm memory is an Error; the parser can be freed and the module keeps working', () => {
  // One endless string: its bytes go to one arena, which cannot pass 2 GiB on wasm32 (the old
  // code trapped or panicked there; now growing it fails as an error after about 1 GiB).
  const p = new mw.SnapshotParser();
  p.push(Buffer.from('{"strings":["'));
  const chunk = Buffer.alloc(16 << 20, 'x');
  let error;
  for (let i = 0; i < 200 && !error; i++) {
    try {
      p.push(chunk);
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error instanceof Error, `no error after ${p.bytesConsumed} bytes`);
  assert.match(error.message, /^at byte \d+: out of memory: could not grow the string table beyond 10\d\d MiB of text/);
  assert.throws(() => p.push(chunk), /already finished or failed/);
  const failedAt = p.bytesConsumed;
  p.free();
  // The module keeps working, and the memory went back to the allocator: the same again fails
  // the same way, not earlier.
  const s = mw.Snapshot.fromBytes(tinyBefore);
  assert.equal(s.nodeCount, 7);
  s.free();
  assert.equal(mw.diffSnapshots(tinyBefore, tinyAfter).before.nodes, 7);
  const again = new mw.SnapshotParser();
  again.push(Buffer.from('{"strings":["'));
  let consumed;
  for (let i = 0; i < 200; i++) {
    try {
      again.push(chunk);
    } catch (e) {
      consumed = again.bytesConsumed;
      break;
    }
  }
  assert.equal(consumed, failedAt);
  again.free();
});
