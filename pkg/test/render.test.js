'use strict';
// Report text from core through the package (renderHeapDiff, renderLeakReport,
// renderExportAnalysis, escapeControls): what the `memwatch-wasm` bin prints. That it equals the
// native CLI's output byte for byte is tests/e2e/npm-bin.test.mjs (it needs the native binary).
const test = require('node:test');
const assert = require('node:assert/strict');
const mw = require('memwatch-wasm');
const fs = require('node:fs');
const path = require('node:path');
const { tempDir, snapshotPair, exportFile } = require('./support/helpers.js');

const TINY = ['tiny-before', 'tiny-after'].map((n) => path.join(__dirname, '..', '..', 'core', 'tests', 'fixtures', `${n}.heapsnapshot`));

test('renderHeapDiff: the table, and JSON that parses back to the same object', (t) => {
  const { before, after } = snapshotPair(tempDir(t), 500);
  const diff = mw.diffSnapshots(before, after);
  const text = mw.renderHeapDiff(diff, null, 'text');
  assert.match(text, /^before: \d+ nodes, /);
  assert.match(text, /^LeakingClass +500 +0 +\+/m);
  assert.match(text, /^total /m);
  assert.equal(mw.renderHeapDiff(diff, undefined, undefined), text, 'text is the default');
  const json = mw.renderHeapDiff(diff, null, 'json');
  assert.ok(json.endsWith('}\n') && !json.slice(0, -1).includes('\n'), 'one line');
  assert.deepEqual(JSON.parse(json), diff);
});

test('renderHeapDiff with a growth report: holders and classes; JSON has it under "retainers"', (t) => {
  const { before, after } = snapshotPair(tempDir(t), 500);
  const [b, a] = [mw.Snapshot.fromBytes(before), mw.Snapshot.fromBytes(after)];
  t.after(() => (b.free(), a.free()));
  const growth = mw.growthReport(b, a, 3);
  const text = mw.renderHeapDiff(b.diff(a), growth, 'text');
  assert.match(text, /\nWho holds what grew \(by holder, largest growth first\):\n/);
  assert.match(text, /\nWho retains the growing classes:\n {2}LeakingClass: \d+ -> \d+ objects, retained /);
  assert.deepEqual(JSON.parse(mw.renderHeapDiff(b.diff(a), growth, 'json')), { ...b.diff(a), retainers: growth });
});

test('renderLeakReport shows the given file names, escaped', (t) => {
  const { before, after } = snapshotPair(tempDir(t), 200);
  const [s0, s1] = [mw.Snapshot.fromBytes(before), mw.Snapshot.fromBytes(after)];
  t.after(() => (s0.free(), s1.free()));
  const report = mw.leakReport(s0, s1, s1);
  const text = mw.renderLeakReport(report, 'base\u001b[2J.heapsnapshot', 'final.heapsnapshot', 'text');
  assert.match(text, /^Snapshots: baseline \d+ nodes, target \d+ nodes, final \d+ nodes\n/);
  assert.ok(text.includes('Allocated after base\\u{1b}[2J.heapsnapshot and still alive in final.heapsnapshot: '), text);
  assert.ok(!text.includes('\u001b'), 'no raw ESC reaches the terminal');
  assert.deepEqual(JSON.parse(mw.renderLeakReport(report, 'a', 'b', 'json')), report);
});

test('renderExportAnalysis: the summary of analyzeExport, and its JSON', () => {
  const bytes = exportFile({ n: 14, step: 300_000 });
  const analysis = mw.analyzeExport(bytes);
  const text = mw.renderExportAnalysis(analysis, 'app.ndjson', 'text');
  assert.match(text, /^app\.ndjson \(format 1\.0, written by memwatch-wasm tests\)\nGC samples: \d+\n/);
  assert.match(text, new RegExp(`\\nLeak events: ${analysis.leaks.length}\\n`));
  assert.deepEqual(JSON.parse(mw.renderExportAnalysis(analysis, 'x', 'json')), analysis);
});

test('bad arguments: a TypeError naming what was expected', () => {
  const diff = mw.diffSnapshots(...TINY.map((f) => fs.readFileSync(f)));
  assert.throws(() => mw.renderHeapDiff({ nope: 1 }, null, 'text'), (e) => e instanceof TypeError && /HeapDiffResult/.test(e.message));
  assert.throws(() => mw.renderHeapDiff(diff, null, 'xml'), (e) => e instanceof TypeError && /"xml"/.test(e.message));
  assert.throws(() => mw.renderHeapDiff(diff, { holders: 'no' }, 'text'), (e) => e instanceof TypeError && /GrowthReport/.test(e.message));
  assert.throws(() => mw.renderExportAnalysis('text', 'f', 'text'), TypeError);
});

test('escapeControls and printableText: terminal-safe text', () => {
  assert.equal(mw.escapeControls('a\u001b]0;title\u0007b', false), 'a\\u{1b}]0;title\\u{7}b');
  assert.equal(mw.escapeControls('x\u202ey\nz', true), 'x\\u{202e}y\nz');
  assert.equal(mw.printableText('abcdef', 4), 'abc…');
  assert.equal(mw.printableText('', 4), '(anonymous)');
});
