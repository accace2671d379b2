'use strict';
// Every Node entry that takes options checks them: an unknown key or a value of the wrong type is a
// TypeError naming the key, keys are camelCase, detector bounds are core's (RangeError with core's
// message); and misuse of the engine API says what was expected instead of failing in the glue
// ("null pointer passed to rust", "expected '{' but found byte 0x00", "Reflect.get called on
// non-object").
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const memwatch = require('memwatch-wasm');
const { tempDir, exportFile } = require('./support/helpers.js');

const FIXTURES = path.join(__dirname, '..', '..', 'core', 'tests', 'fixtures');
const tiny = fs.readFileSync(path.join(FIXTURES, 'tiny-before.heapsnapshot'));

function throwsWith(f, name, message) {
  assert.throws(f, (e) => {
    assert.equal(e.name, name, e.stack);
    assert.equal(e.message, message);
    return true;
  });
}

test('configure(): unknown keys and wrong types are TypeErrors naming the key', () => {
  const c = (config) => () => memwatch.configure(config);
  throwsWith(c({ clasic: {} }), 'TypeError',
    "memwatch.configure: unknown option 'clasic' (expected 'classic', 'trend', 'leakRetainers', 'sampleAllocations')");
  throwsWith(c({ classic: { growth_count: 3 } }), 'TypeError',
    "memwatch.configure: unknown option 'classic.growth_count' (did you mean 'growthCount'?) " +
    "(expected 'growthCount', 'noiseFloorBytes', 'noiseFloorPercent')");
  throwsWith(c({ trend: { min_r2: 0.5 } }), 'TypeError',
    "memwatch.configure: unknown option 'trend.min_r2' (did you mean 'minR2'?) " +
    "(expected 'window', 'warmupGcs', 'minR2', 'minGrowthBytes', 'minGrowthPercent')");
  throwsWith(c({ classic: 5 }), 'TypeError',
    "memwatch.configure: option 'classic' must be an object of detector options or null, got a number (5)");
  throwsWith(c({ trend: { window: '8' } }), 'TypeError',
    "memwatch.configure: option 'trend.window' must be a number, got a string (\"8\")");
  throwsWith(c({ leakRetainers: 1.5 }), 'TypeError',
    "memwatch.configure: option 'leakRetainers' must be an integer from 0 to 4294967295 (or null), got a number (1.5)");
  throwsWith(c({ leakRetainers: '3' }), 'TypeError',
    "memwatch.configure: option 'leakRetainers' must be an integer from 0 to 4294967295 (or null), got a string (\"3\")");
  // (The interval's bounds are core's: test/alloc-sites.test.js.)
  throwsWith(c({ sampleAllocations: 'yes' }), 'TypeError',
    "memwatch.configure: option 'sampleAllocations' must be true, false or an interval in bytes, got a string (\"yes\")");
  throwsWith(c(null), 'TypeError', 'memwatch.configure: expected an object like {classic: {...}, trend: {...}}');
});

test('configure(): bounds come from core (RangeError with core\'s message), valid values are accepted', () => {
  // The bounds are core's table, as the engine reports it.
  const window = memwatch.detectorOptions().find((o) => o.detector === 'trend' && o.name === 'window');
  assert.equal(window.js_name, 'window');
  throwsWith(() => memwatch.configure({ trend: { window: window.min - 1 } }), 'RangeError',
    `memwatch.configure: option 'trend.window': invalid detector option trend.window (--trend-window): must be an integer from ${window.min} to ${window.max}, got ${window.min - 1}`);
  throwsWith(() => memwatch.configure({ classic: { noiseFloorPercent: 101 } }), 'RangeError',
    "memwatch.configure: option 'classic.noiseFloorPercent': invalid detector option classic.noise_floor_percent (--noise-floor-percent): must be a number from 0 to 100, got 101");
  for (const o of memwatch.detectorOptions()) {
    assert.equal(memwatch.configure({ [o.detector]: { [o.js_name]: o.max } }), memwatch, `${o.detector}.${o.js_name}`);
  }
  memwatch.configure({ classic: { growthCount: 3 }, trend: null, leakRetainers: 0, sampleAllocations: true });
  memwatch.configure({ sampleAllocations: 32768, leakRetainers: 5, classic: undefined });
  memwatch.configure({ leakRetainers: null });
  throwsWith(() => memwatch.configure({ leakRetainers: 2 ** 32 }), 'TypeError',
    "memwatch.configure: option 'leakRetainers' must be an integer from 0 to 4294967295 (or null), got a number (4294967296)");
  memwatch.configure({});
});

test('record(): path and options are checked before anything is written', (t) => {
  const dir = tempDir(t);
  throwsWith(() => memwatch.record(42), 'TypeError', 'memwatch.record: path must be a string or a file: URL, got a number (42)');
  throwsWith(() => memwatch.record(path.join(dir, 'a.ndjson'), { label: {} }), 'TypeError',
    "memwatch.record: unknown option 'label' (expected 'labels')");
  throwsWith(() => memwatch.record(path.join(dir, 'a.ndjson'), { labels: { service: 1 } }), 'TypeError',
    "memwatch.record: option 'labels' must be an object of strings, got an object");
  throwsWith(() => memwatch.record(path.join(dir, 'a.ndjson'), 'x'), 'TypeError',
    'memwatch.record: options must be an object, got a string ("x")');
  assert.deepEqual(fs.readdirSync(dir), []);
  assert.throws(() => memwatch.record(path.join(dir, 'missing', 'a.ndjson')), /ENOENT.*missing/);
  // A URL works, and a failed record() left no recording open.
  memwatch.record(new URL(`file://${path.join(dir, 'b.ndjson')}`)).close();
  assert.ok(fs.readFileSync(path.join(dir, 'b.ndjson'), 'utf8').startsWith('{"format":"memwatch-export"'));
});

test('metrics.register()/registerMeter(): unknown option keys are TypeErrors', () => {
  throwsWith(() => memwatch.metrics.register(undefined, { lables: { a: 'b' } }), 'TypeError',
    "memwatch.metrics.register: unknown option 'lables' (expected 'labels', 'client')");
  const meter = { createObservableGauge() {}, createHistogram() {} };
  throwsWith(() => memwatch.metrics.registerMeter(meter, { client: {} }), 'TypeError',
    "memwatch.metrics.registerMeter: unknown option 'client' (expected 'labels')");
  throwsWith(() => memwatch.metrics.register(undefined, null), 'TypeError',
    'memwatch.metrics.register: options must be an object, got null');
});

test('engine: a string where bytes are expected names the call and the argument', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'tiny-before.heapsnapshot'), 'utf8');
  const exp = exportFile().toString('utf8');
  const cases = [
    [() => memwatch.parseExport(exp), 'parseExport: bytes'],
    [() => memwatch.analyzeExport(exp), 'analyzeExport: bytes'],
    [() => new memwatch.Export(exp), 'new Export: bytes'],
    [() => new memwatch.ExportParser().push(exp), 'ExportParser.push: chunk'],
    [() => memwatch.detectFileKind(exp), 'detectFileKind: head'],
    [() => memwatch.summarizeSnapshot(text), 'summarizeSnapshot: bytes'],
  ];
  for (const [f, what] of cases) throwsWith(f, 'TypeError', `${what} must be a Uint8Array or an ArrayBuffer (got string)`);
  // The same calls with bytes work (ArrayBuffer too).
  const bytes = Buffer.from(exp);
  assert.equal(memwatch.detectFileKind(bytes), 'export');
  assert.equal(memwatch.detectFileKind(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)), 'export');
  assert.equal(memwatch.parseExport(bytes).header.format, 'memwatch-export');
  const p = new memwatch.ExportParser();
  p.push(bytes.subarray(0, 10));
  p.push(bytes.subarray(10));
  assert.deepEqual(p.analyze(), memwatch.analyzeExport(bytes));
});

test('engine: objects used after free() say so instead of "null pointer passed to rust"', () => {
  const s = memwatch.Snapshot.fromBytes(tiny);
  const freed = memwatch.Snapshot.fromBytes(tiny);
  freed.free();
  throwsWith(() => freed.summarize(), 'Error',
    'Snapshot.summarize: this Snapshot was already freed (free() was called, or an earlier call consumed it); create a new one');
  throwsWith(() => freed.nodeCount, 'Error',
    'Snapshot.nodeCount: this Snapshot was already freed (free() was called, or an earlier call consumed it); create a new one');
  throwsWith(() => s.diff(freed), 'Error', 'Snapshot.diff: argument 1 is a Snapshot that was already freed (free() was called on it)');
  throwsWith(() => memwatch.growthReport(s, freed, 3), 'Error',
    'growthReport: argument 2 is a Snapshot that was already freed (free() was called on it)');
  const a = new memwatch.Analyzer(0);
  a.free();
  throwsWith(() => a.push({}), 'Error',
    'Analyzer.push: this Analyzer was already freed (free() was called, or an earlier call consumed it); create a new one');
  const e = new memwatch.Export(exportFile());
  e.free();
  throwsWith(() => e.analyze(), 'Error',
    'Export.analyze: this Export was already freed (free() was called, or an earlier call consumed it); create a new one');
  throwsWith(() => memwatch.Snapshot.prototype.summarize.call({}), 'TypeError',
    'Snapshot.summarize: called on an object, not on a Snapshot (a method used unbound?)');
  // Live objects are unaffected.
  assert.deepEqual(s.diff(s).change.size_bytes, 0);
  assert.equal(s.nodeCount, 7);
  s.free();
});

test('engine: options that are not objects, and a non-number time origin, are TypeErrors', () => {
  throwsWith(() => new memwatch.Analyzer(0, 'classic'), 'TypeError', 'invalid Analyzer config: expected an object, got a string');
  throwsWith(() => memwatch.analyzeExport(exportFile(), 3), 'TypeError', 'invalid analyzeExport options: expected an object, got a number');
  throwsWith(() => new memwatch.SnapshotParser('fast'), 'TypeError', 'invalid SnapshotParser options: expected an object, got a string');
  throwsWith(() => new memwatch.Analyzer('now'), 'TypeError',
    "new Analyzer: epochMsAtOrigin must be a finite number (Date.now() at the samples' time 0)");
  new memwatch.Analyzer(Date.now(), { trend: null }).free();
});

test('engine: a number where a string is expected, or a bad count, is a TypeError (was a wasm trap or a silent 0)', () => {
  const s = memwatch.Snapshot.fromBytes(tiny);
  throwsWith(() => memwatch.classRetainers(s, 42, 1), 'TypeError', 'classRetainers: class_name must be a string (got number)');
  throwsWith(() => memwatch.classRetainers(s, 'Foo', 'x'), 'TypeError', 'classRetainers: k must be a non-negative integer (got string)');
  throwsWith(() => memwatch.classRetainers(s, 'Foo', -1), 'TypeError', 'classRetainers: k must be a non-negative integer (got -1)');
  throwsWith(() => memwatch.classRetainers(s, 'Foo', 1, 7), 'TypeError', 'classRetainers: scheme must be a string (got number)');
  throwsWith(() => memwatch.classGrowth(s, s, null), 'TypeError', 'classGrowth: class_name must be a string (got null)');
  throwsWith(() => memwatch.growthReport(s, s, 2.5), 'TypeError', 'growthReport: n must be a non-negative integer (got 2.5)');
  throwsWith(() => memwatch.bucketClasses(5), 'TypeError', 'bucketClasses: bucket must be a string (got number)');
  throwsWith(() => memwatch.gcTypeFromV8Name({}), 'TypeError', 'gcTypeFromV8Name: name must be a string (got Object)');
  // The module keeps working, and valid calls are unchanged.
  assert.equal(memwatch.classRetainers(s, 'Foo', 1).class, 'Foo');
  assert.equal(memwatch.classRetainers(s, 'Foo', 1, 'bucket').class, 'Foo');
  assert.deepEqual(memwatch.bucketClasses('Array'), ['(array)', 'Array']);
  assert.equal(memwatch.gcTypeFromV8Name('MarkSweepCompact'), 'mark_sweep_compact');
  assert.equal(memwatch.growthReport(s, s, 3).classes.length, 0);
  s.free();
});
