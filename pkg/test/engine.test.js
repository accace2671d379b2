'use strict';
// The wasm engine API through the package: snapshots (bytes, pushed chunks, handles), summary,
// export files, and bad input (a clear Error, and the module keeps working afterwards).
const test = require('node:test');
const assert = require('node:assert/strict');
const mw = require('memwatch-wasm');
const { tempDir, snapshotPair, exportFile, HEADER } = require('./support/helpers.js');

function parseInChunks(bytes, size) {
  const p = new mw.SnapshotParser();
  for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
  assert.equal(p.bytesConsumed, bytes.length);
  return p.finish();
}

test('diffSnapshots, SnapshotParser handles and chunking all give the same HeapDiff', (t) => {
  const { before, after } = snapshotPair(tempDir(t), 1000);
  const diff = mw.diffSnapshots(before, after);
  const row = diff.change.details.find((d) => d.what === 'LeakingClass');
  assert.deepEqual([row['+'], row['-']], [1000, 0]);
  assert.deepEqual(diff.change.details.map((d) => d.what), diff.change.details.map((d) => d.what).sort());
  for (const size of [1, 4093, 1 << 20]) {
    if (size === 1 && before.length > 3e6) continue; // byte-at-a-time is slow on big heaps
    const a = parseInChunks(before, size);
    const b = parseInChunks(after, size);
    assert.deepEqual(a.diff(b), diff, `chunk size ${size}`);
    assert.ok(a.nodeCount === diff.before.nodes && b.nodeCount === diff.after.nodes);
    a.free();
    b.free();
  }
  const fromBytes = mw.Snapshot.fromBytes(before);
  assert.equal(fromBytes.nodeCount, diff.before.nodes);
  fromBytes.free();
});

test('summarizeSnapshot counts classes, largest self size first', (t) => {
  const { after } = snapshotPair(tempDir(t), 2000, 'SummarizedClass');
  const summary = mw.summarizeSnapshot(after);
  const row = summary.find((c) => c.what === 'SummarizedClass');
  assert.equal(row.count, 2000);
  for (let i = 1; i < summary.length; i++) assert.ok(summary[i - 1].self_size >= summary[i].self_size);
  const snap = mw.Snapshot.fromBytes(after);
  assert.deepEqual(snap.summarize(), summary);
  assert.equal(summary.reduce((n, c) => n + c.count, 0), snap.nodeCount, 'every node is in one class');
  snap.free();
});

test('analyzeExport re-runs the detectors with the recorded or overridden parameters', () => {
  const bytes = exportFile({ n: 12, step: 300_000 });
  const a = mw.analyzeExport(bytes);
  assert.equal(a.gc_samples, 25);
  assert.equal(a.stats.num_full_gc, 12, 'the snapshot GC is recorded but not counted');
  assert.equal(a.stats_events.length, 12);
  assert.ok(a.leaks.length >= 1);
  assert.equal(a.heap_diffs.length, 1);
  assert.equal(a.snapshots.length, 1);
  assert.equal(a.markers.length, 2);
  const classicOnly3 = mw.analyzeExport(bytes, { classic: { growth_count: 3 }, trend: null });
  assert.equal(classicOnly3.config.trend, null);
  assert.equal(classicOnly3.config.classic.growth_count, 3);
  assert.equal(classicOnly3.config.classic.noise_floor_bytes, a.config.classic.noise_floor_bytes, 'other fields kept');
  assert.equal(classicOnly3.leaks.length, 3, '11 rises: events at rises 3, 6 and 9');
  assert.ok(classicOnly3.leaks.every((l) => l.detector === 'classic'));
  const none = mw.analyzeExport(bytes, { classic: null, trend: null });
  assert.deepEqual(none.leaks, []);
  assert.equal(none.stats_events.length, 12);
});

test('analyzeExport defaults to the parameters recorded in the header', () => {
  const header = { ...HEADER, analyzer: { classic: { growth_count: 2, noise_floor_bytes: 0, noise_floor_percent: 0 }, trend: null } };
  const a = mw.analyzeExport(exportFile({ header }));
  assert.equal(a.config.classic.growth_count, 2);
  assert.equal(a.leaks.length, 5, '11 rises, an event every 2nd');
});

test('parseExport returns the header and records; ExportParser takes chunks', () => {
  const bytes = exportFile();
  const e = mw.parseExport(bytes);
  assert.equal(e.header.format, 'memwatch-export');
  assert.deepEqual(new Set(e.records.map((r) => r.type)), new Set(['gc', 'marker', 'snapshot', 'heapdiff']));
  assert.equal(e.truncated_line, null);
  const p = new mw.ExportParser();
  for (let i = 0; i < bytes.length; i += 100) p.push(bytes.subarray(i, i + 100));
  assert.equal(p.bytesConsumed, bytes.length);
  assert.deepEqual(p.finish(), e);
  // A killed producer leaves a cut-off last line: reported, not fatal.
  const cut = bytes.subarray(0, bytes.length - 20);
  assert.equal(mw.parseExport(cut).truncated_line, e.records.length + 1);
});

function assertError(fn, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, `threw ${typeof e}: ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('bad input throws a clear Error and the module stays usable', (t) => {
  const { before, after } = snapshotPair(tempDir(t), 10);
  const good = mw.diffSnapshots(before, after);
  // Truncated snapshot (various cut points), garbage, empty input.
  for (const cut of [10, Math.floor(before.length / 3), before.length - 5]) {
    assertError(() => mw.diffSnapshots(before.subarray(0, cut), after), /^before snapshot: at byte \d+: .*(end of (file|input)|truncated)/i);
    assertError(() => mw.summarizeSnapshot(after.subarray(0, cut)), /at byte \d+/);
  }
  assertError(() => mw.diffSnapshots(before, Buffer.from('\x00\xffnot json at all')), /^after snapshot: at byte 0: not a V8 heap snapshot/);
  assertError(() => mw.summarizeSnapshot(new Uint8Array(0)), /at byte 0/);
  assertError(() => mw.summarizeSnapshot(Buffer.from('{"snapshot":{"meta":{"node_fields":["type"]}},"nodes":[1,2,3]}')), /at byte \d+/);
  // The parser is spent after an error.
  const p = new mw.SnapshotParser();
  assertError(() => p.push(Buffer.from('garbage')), /not a V8 heap snapshot/);
  assertError(() => p.push(before), /already finished or failed/);
  assertError(() => p.finish(), /already finished or failed/);
  // Export files: wrong format version, garbage, not an export, a corrupt record, bad options.
  const v2 = Buffer.from(JSON.stringify({ ...HEADER, version: '2.0' }) + '\n');
  assertError(() => mw.analyzeExport(v2), /^line 1: export format version 2\.0 is not supported/);
  assertError(() => mw.parseExport(Buffer.from([0xff, 0x00, 0x13])), /^line 1: not a memwatch export file/);
  assertError(() => mw.parseExport(Buffer.from('{"format":"other"}\n')), /not a memwatch export file \(format is "other"/);
  const corrupt = Buffer.concat([exportFile({ n: 2 }).subarray(0, 200), Buffer.from('\n{"type":"gc","seq":"x"}\n{"type":"marker","time_ns":1,"kind":"end"}\n')]);
  assertError(() => mw.parseExport(corrupt), /^line \d+: invalid/);
  assertError(() => mw.analyzeExport(exportFile(), { classic: { growth_count: 'five' } }), /invalid analyzeExport options/);
  assertError(() => mw.analyzeExport(exportFile(), { clasic: {} }), /unknown detector "clasic"/);
  assertError(() => mw.analyzeExport(exportFile(), { trend: { windw: 3 } }), /unknown trend option "windw"/);
  assertError(() => new mw.Analyzer(0, { classic: 5 }), /invalid Analyzer config/);
  assertError(() => new mw.Analyzer(0).push({ seq: 1 }), /invalid GC sample/);
  // Still usable: same results as before the errors.
  assert.deepEqual(mw.diffSnapshots(before, after), good);
  assert.equal(mw.analyzeExport(exportFile()).stats.num_full_gc, 12);
});

test('HeapDiff objects from the engine have finite sizes and array details', (t) => {
  const { before } = snapshotPair(tempDir(t), 1);
  const same = mw.diffSnapshots(before, before);
  assert.equal(same.change.size_bytes, 0);
  assert.deepEqual(same.change.details, []);
  assert.equal(same.change.allocated_nodes + same.change.freed_nodes, 0);
});

test('an Export handle parses once and re-analyses like analyzeExport', () => {
  const bytes = exportFile({ n: 12, step: 300_000 });
  const e = new mw.Export(bytes);
  try {
    assert.deepEqual(e.toJSON(), mw.parseExport(bytes));
    assert.deepEqual(e.header(), mw.parseExport(bytes).header);
    assert.deepEqual(e.records(), mw.parseExport(bytes).records);
    assert.deepEqual(e.gcSamples(), mw.parseExport(bytes).records.filter((r) => r.type === 'gc').map(({ type, ...s }) => s));
    assert.equal(e.truncatedLine, null);
    assert.equal(e.skippedRecords, 0);
    for (const options of [undefined, null, {}, { classic: { growth_count: 3 }, trend: null }, { classic: null, trend: { window: 4 } }]) {
      assert.deepEqual(e.analyze(options), mw.analyzeExport(bytes, options), JSON.stringify(options));
    }
    // A bad option throws core's message and leaves the handle usable.
    assertError(() => e.analyze({ trend: { min_r2: NaN } }), /^invalid detector option trend\.min_r2 \(--trend-min-r2\): must be a finite number from 0 to 1, got NaN$/);
    assertError(() => e.analyze({ classic: { growth_count: Infinity } }), /classic\.growth_count .*must be a finite number/);
    assertError(() => e.analyze({ classic: { growth_count: 2.5 } }), /must be an integer from 1 to 4294967295, got 2\.5$/);
    assertError(() => e.analyze({ classic: { growth_count: 'five' } }), /^invalid Export\.analyze options/);
    assert.deepEqual(e.analyze(), mw.analyzeExport(bytes));
  } finally {
    e.free();
  }
  const p = new mw.ExportParser();
  p.push(bytes);
  const fromChunks = p.finishExport();
  assert.deepEqual(fromChunks.analyze(), mw.analyzeExport(bytes));
  fromChunks.free();
  assertError(() => new mw.Export(Buffer.from('{"format":"other"}\n')), /^line 1: not a memwatch export file/);
});

test('the detector options come from core with their bounds and defaults', () => {
  const options = mw.detectorOptions();
  assert.deepEqual(options.map((o) => `${o.detector}.${o.name}`), [
    'classic.growth_count', 'classic.noise_floor_bytes', 'classic.noise_floor_percent',
    'trend.window', 'trend.warmup_gcs', 'trend.min_r2', 'trend.min_growth_bytes', 'trend.min_growth_percent',
  ]);
  const window = options.find((o) => o.name === 'window');
  assert.deepEqual([window.flag, window.kind, window.min, window.max, window.default], ['trend-window', 'integer', 2, 4096, 8]);
  const defaults = mw.resolveAnalyzerConfig();
  for (const o of options) assert.equal(defaults[o.detector][o.name], o.default, o.name);
  assert.deepEqual(mw.resolveAnalyzerConfig({ trend: null }).trend, null);
  // The live Analyzer takes the same options with the same checks.
  assertError(() => new mw.Analyzer(0, { trend: { window: 1 } }), /^invalid detector option trend\.window \(--trend-window\): must be an integer from 2 to 4096, got 1$/);
});

test('file kind detection is core\'s: snapshot, export, or a clear error', (t) => {
  const { before } = snapshotPair(tempDir(t), 1);
  assert.equal(mw.detectFileKind(before.subarray(0, 4096)), 'snapshot');
  assert.equal(mw.detectFileKind(exportFile().subarray(0, 4096)), 'export');
  assertError(() => mw.detectFileKind(new Uint8Array(0)), /^the file is empty$/);
  assertError(() => mw.detectFileKind(Buffer.from('hello')), /^neither a V8 heap snapshot \(\.heapsnapshot\) nor a memwatch export file \(\.jsonl\)$/);
});

test('GC types: one mapping in core for V8 bits and GCProfiler names; unknown kinds kept and marked', () => {
  assert.equal(mw.gcTypeFromV8Bits(4), 'mark_sweep_compact');
  assert.equal(mw.gcTypeFromV8Bits(1), 'scavenge');
  assert.equal(mw.gcTypeFromV8Bits(8), 'incremental_marking');
  assert.equal(mw.gcTypeFromV8Bits(31), 'mark_sweep_compact');
  // The adapter used to call an unknown kind "scavenge"; core keeps it as what it is.
  assert.equal(mw.gcTypeFromV8Bits(64), 'v8_gc_type_64');
  assert.equal(mw.gcTypeFromV8Name('MinorMarkCompact'), 'minor_mark_sweep');
  assert.equal(mw.gcTypeFromV8Name('NoSuchGc'), null);
  // And the Analyzer accepts such a sample: an application GC that is not a full one.
  const an = new mw.Analyzer(0);
  an.push({ seq: 0, gc_type: 'v8_gc_type_64', flags: 0, start_ns: 0, end_ns: 5, heap: {} });
  assert.equal(an.stats().num_inc_gc, 1);
  an.free();
});
