'use strict';
// Shared by the tests: real snapshots written by this Node process, and small export files.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a before/after pair around `count` new instances of a class named `name`. */
function snapshotPair(dir, count = 1000, name = 'LeakingClass') {
  // A declared class name (V8 names instances after the function's own name, which a computed
  // property key does not set).
  const LeakingClass = new Function(`return class ${name} {}`)();
  snapshotPair.keep = null;
  const before = v8.writeHeapSnapshot(path.join(dir, 'before.heapsnapshot'));
  const keep = Array.from({ length: count }, () => new LeakingClass());
  const after = v8.writeHeapSnapshot(path.join(dir, 'after.heapsnapshot'));
  snapshotPair.keep = keep;
  return { before: fs.readFileSync(before), after: fs.readFileSync(after), beforePath: before, afterPath: after };
}

const HEADER = { format: 'memwatch-export', version: '1.0', producer: 'memwatch-wasm tests', epoch_ms_at_origin: 1_700_000_000_000 };

/** An export file with every record type: `n` full GCs growing by `step` bytes, scavenges between. */
function exportFile({ n = 12, step = 300_000, header = HEADER } = {}) {
  const lines = [JSON.stringify(header)];
  let used = 5_000_000;
  let seq = 0;
  lines.push(JSON.stringify({ type: 'marker', time_ns: 0, kind: 'start' }));
  for (let i = 0; i < n; i++) {
    const t = (i + 1) * 2e9;
    lines.push(JSON.stringify({ type: 'gc', seq: seq++, gc_type: 'scavenge', flags: 0, start_ns: t - 1e9, end_ns: t - 1e9 + 2e5, heap: { used_heap_size: used + 100_000 } }));
    used += step;
    lines.push(JSON.stringify({
      type: 'gc', seq: seq++, gc_type: 'mark_sweep_compact', flags: i % 3 === 0 ? 4 : 0, start_ns: t, end_ns: t + 3e6,
      heap: { used_heap_size: used, total_heap_size: used * 2, heap_size_limit: 4e9 },
      spaces: [{ name: 'old_space', size: used, used: used - 1000, available: 1000, physical: used }],
    }));
  }
  lines.push(JSON.stringify({ type: 'gc', seq: seq++, gc_type: 'mark_sweep_compact', flags: 0, start_ns: 9e10, end_ns: 9e10 + 1e6, heap: { used_heap_size: 1 }, snapshot: true }));
  lines.push(JSON.stringify({ type: 'snapshot', time_ns: 9e10, path: 'a.heapsnapshot', label: 'before', bytes: 1234 }));
  lines.push(JSON.stringify({
    type: 'heapdiff', start_ns: 9e10, time_ns: 9.1e10, label: 'request',
    diff: { before: { nodes: 10, size_bytes: 100, size: '100 bytes' }, after: { nodes: 12, size_bytes: 148, size: '148 bytes' },
      change: { size_bytes: 48, size: '48 bytes', freed_nodes: 0, allocated_nodes: 2, details: [{ what: 'LeakingClass', size_bytes: 48, size: '48 bytes', '+': 2, '-': 0 }] } },
  }));
  lines.push(JSON.stringify({ type: 'marker', time_ns: 9.2e10, kind: 'end', message: 'done' }));
  return Buffer.from(lines.join('\n') + '\n');
}

module.exports = { tempDir, snapshotPair, exportFile, HEADER };
