'use strict';
// The TypeScript declarations (generated from the Rust types by tsify, see wasm/src/types.rs)
// against real results: each result is written into a .mts file as an object literal assigned to
// its declared type and compiled with `tsc --strict --exactOptionalPropertyTypes`. A missing
// required field, an undeclared field (excess property check), a wrong type or an unexpected null
// fails the compile. This catches serde output that the derived declaration does not describe.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const mw = require('memwatch-wasm');
const { tempDir, snapshotPair, exportFile } = require('./support/helpers.js');

const DTS = path.join(__dirname, '..', 'wasm', 'node', 'memwatch_wasm.js');

/** Compiles `const vN: Type = <value>;` for each [label, type, value] in one tsc run; returns
 * { label: [tsc errors] } for the values with errors. */
function typeErrors(dir, checks) {
  const types = [...new Set(checks.map(([, type]) => type.replace(/\[\]$/, '')))];
  const lines = [`import type { ${types.join(', ')} } from ${JSON.stringify(DTS)};`];
  checks.forEach(([, type, value], i) => lines.push(`export const v${i}: ${type} = ${JSON.stringify(value)};`));
  const file = path.join(dir, 'values.mts');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--exactOptionalPropertyTypes', '--target', 'es2022',
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--pretty', 'false', file], { encoding: 'utf8' });
  const errors = {};
  for (const m of (r.stdout + r.stderr).matchAll(/values\.mts\((\d+),\d+\): (error .*)/g)) {
    const label = checks[Number(m[1]) - 2]?.[0] ?? `line ${m[1]}`;
    (errors[label] ??= []).push(m[2]);
  }
  assert.ok(r.status === 0 || Object.keys(errors).length > 0, `tsc failed without errors on values.mts:\n${r.stdout}${r.stderr}`);
  return errors;
}

// Real results of every export that returns an object, and records of every type.
function realResults(t) {
  const dir = tempDir(t);
  const { before, after } = snapshotPair(dir, 10);
  const checks = [
    ['diffSnapshots', 'HeapDiffResult', mw.diffSnapshots(before, after)],
    ['summarizeSnapshot', 'ClassSummary[]', mw.summarizeSnapshot(after).slice(0, 50)],
  ];

  const bytes = exportFile();
  const a = mw.analyzeExport(bytes);
  assert.ok(a.leaks.length > 0 && a.stats_events.length > 0 && a.heap_diffs.length > 0);
  const off = mw.analyzeExport(bytes, { trend: null });
  assert.equal(off.config.trend, null);
  // The test export has no stats/leak records (a live run writes them): add the analysis' own.
  const live = Buffer.concat([bytes, Buffer.from([
    JSON.stringify({ type: 'stats', ...a.stats_events[0] }), JSON.stringify({ type: 'leak', ...a.leaks[0] }), '',
  ].join('\n'))]);
  const e = mw.parseExport(live);
  assert.deepEqual(new Set(e.records.map((r) => r.type)), new Set(['marker', 'gc', 'stats', 'leak', 'snapshot', 'heapdiff']));
  checks.push(['analyzeExport', 'ExportAnalysis', a], ['analyzeExport {trend: null}', 'ExportAnalysis', off], ['parseExport', 'ExportFile', e]);

  const an = new mw.Analyzer(Date.now(), { classic: { growth_count: 2, noise_floor_bytes: 0, noise_floor_percent: 0 } });
  const events = [];
  for (let i = 0; i < 4; i++) {
    events.push(...an.push({ seq: i, gc_type: 'mark_sweep_compact', flags: 0, start_ns: i * 1e9, end_ns: i * 1e9 + 1e6, heap: { used_heap_size: 1e6 * (i + 1) } }));
  }
  assert.ok(events.some((ev) => ev.event === 'leak') && events.some((ev) => ev.event === 'stats'));
  checks.push(['Analyzer.push', 'LiveEvent[]', events], ['Analyzer.stats', 'Stats', an.stats()]);
  an.free();

  const [b, s] = [mw.Snapshot.fromBytes(before), mw.Snapshot.fromBytes(after)];
  const growth = mw.growthReport(b, s, 20);
  assert.ok(growth.classes.some((c) => c.paths.length > 0), 'some class has paths to check');
  const held = mw.classRetainers(s, 'LeakingClass', 3);
  assert.ok(held.paths.length > 0);
  const leaks = mw.leakReport(b, s, s, { max_groups: 20 });
  assert.ok(leaks.groups.length > 0);
  checks.push(
    ['growthReport', 'GrowthReport', growth],
    ['classRetainers', 'ClassRetainers', held],
    ['retainedSizes', 'ClassRetainedSize[]', mw.retainedSizes(s).slice(0, 50)],
    ['leakReport', 'LeakReport', leaks],
  );
  b.free();
  s.free();
  return { dir, checks };
}

// One tsc run (it takes seconds): the real results, and values the types must reject (so the
// check is known to be able to fail).
test('the generated declarations describe every real result, and reject wrong ones', (t) => {
  const { dir, checks } = realResults(t);
  const wrong = [
    ['undeclared field', 'ClassSummary', { what: 'A', count: 1, self_size: 2, extra: 3 }],
    ['missing field', 'ClassSummary', { what: 'A', count: 1 }],
    ['null object', 'HeapDiffResult', { before: null, after: null, change: null }],
    ['wrong record', 'ExportRecord[]', [{ type: 'gc', time_ns: 1, kind: 'start' }]],
  ];
  const errors = typeErrors(dir, [...checks, ...wrong]);
  for (const [label] of checks) assert.equal(errors[label], undefined, `${label}: ${errors[label]?.join('\n')}`);
  for (const [label] of wrong) assert.ok(errors[label], `${label} was accepted`);
});
