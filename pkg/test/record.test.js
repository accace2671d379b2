'use strict';
// Recording: memwatch.record(path) and `MEMWATCH_OUT=... node -r memwatch-wasm/record app.js` write
// memwatch's export format; the native `memwatch analyze --json` (built from this workspace,
// MEMWATCH_BIN or target/debug/memwatch) reads it and finds the stats and leak events that the
// program's listeners got live, also when the program was killed with SIGKILL.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const memwatch = require('memwatch-wasm');
const { tempDir } = require('./support/helpers.js');

const PKG = path.join(__dirname, '..');
const SERVER = path.join(__dirname, 'support', 'recorded-server.js');
const BIN = process.env.MEMWATCH_BIN || path.join(PKG, '..', 'target', 'debug', 'memwatch');
// The @airbnb/node-memwatch aliases the live event carries next to the recorded fields.
const AIRBNB = ['gc_ts', 'gcScavengeCount', 'gcScavengeTime', 'gcMarkSweepCompactCount', 'gcMarkSweepCompactTime',
  'gcIncrementalMarkingCount', 'gcIncrementalMarkingTime', 'gcProcessWeakCallbacksCount',
  'gcProcessWeakCallbacksTime', 'total_heap_size', 'total_heap_size_executable', 'total_physical_size',
  'total_available_size', 'used_heap_size', 'heap_size_limit', 'malloced_memory', 'peak_malloced_memory', 'gc_time'];

function analyze(file) {
  assert.ok(fs.existsSync(BIN), `the native CLI is needed: cargo build -p memwatch-cli (or set MEMWATCH_BIN); no ${BIN}`);
  const r = spawnSync(BIN, ['analyze', '--json', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The `stats` records of an export file, read by the engine. */
function recordedStats(file) {
  return memwatch.parseExport(fs.readFileSync(file)).records.filter((r) => r.type === 'stats').map(({ type, ...s }) => s);
}

const withoutAliases = (s) => Object.fromEntries(Object.entries(s).filter(([k]) => !AIRBNB.includes(k)));

function liveEvents(stdout) {
  const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return {
    stats: lines.filter((l) => l.event === 'stats').map((l) => l.payload),
    leaks: lines.filter((l) => l.event === 'leak').map((l) => l.payload),
    rounds: lines.filter((l) => l.event === 'round').length,
  };
}

/** A live leak (dates as JSON) against a recorded or re-analysed one (epoch ms). */
function assertSameLeak(live, recorded) {
  const { start, end, ...rest } = live;
  const { start: rs, end: re, ...rrest } = recorded;
  assert.deepEqual(rest, rrest);
  assert.ok(Math.abs(Date.parse(start) - rs) < 1 && Math.abs(Date.parse(end) - re) < 1, `${start} ${rs}`);
}

test('MEMWATCH_OUT with -r memwatch-wasm/record: memwatch analyze finds the live stats and leaks of a leaking http server', () => {
  const dir = tempDir(test);
  const out = path.join(dir, 'app.ndjson');
  const r = spawnSync(process.execPath, ['-r', 'memwatch-wasm/record', SERVER, '12'], {
    cwd: PKG, encoding: 'utf8', env: { ...process.env, MEMWATCH_OUT: out }, timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const live = liveEvents(r.stdout);
  assert.equal(live.stats.length, 12, r.stdout);
  // ~1 MB more per round: the classic rule fires after its 5 growing GCs (and the trend after 8).
  assert.ok(live.leaks.some((l) => l.detector === 'classic'), `a classic leak event is expected\n${r.stdout}`);

  const a = analyze(out);
  assert.match(a.producer, /^memwatch-wasm .* \(node v/);
  assert.equal(a.truncated_line, null);
  // Re-analysed (core's analyzer on the recorded samples) and recorded stats: the live ones.
  assert.deepEqual(a.stats_events, live.stats.map(withoutAliases));
  assert.equal(a.recorded_stats_events, live.stats.length);
  assert.deepEqual(recordedStats(out), live.stats.map(withoutAliases));
  assert.equal(a.recorded_leaks.length, live.leaks.length);
  assert.equal(a.leaks.length, live.leaks.length);
  live.leaks.forEach((l, i) => {
    assertSameLeak(l, a.recorded_leaks[i]);
    assertSameLeak(l, a.leaks[i]);
  });
  assert.deepEqual(a.markers.map((m) => m.kind), ['start', 'end']);
  assert.ok(a.gc_samples >= 12);
});

test('a recording killed with SIGKILL is a readable export up to the kill', async () => {
  const dir = tempDir(test);
  const out = path.join(dir, 'killed.ndjson');
  const child = spawn(process.execPath, ['-r', 'memwatch-wasm/record', SERVER, '0'], {
    cwd: PKG, env: { ...process.env, MEMWATCH_OUT: out }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 4 rounds in 60 s: ${stdout}`)), 60_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (liveEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).rounds >= 4) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(child.signalCode, 'SIGKILL');
  const live = liveEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1));

  const a = analyze(out);
  const recorded = recordedStats(out);
  assert.ok(recorded.length >= 4, `${recorded.length} stats records`);
  assert.equal(a.recorded_stats_events, recorded.length);
  assert.deepEqual(a.stats_events, recorded);
  // Every stats event the program printed before the kill is in the file.
  assert.deepEqual(recorded.slice(0, live.stats.length), live.stats.map(withoutAliases));
  assert.deepEqual(a.markers.map((m) => m.kind), ['start'], 'no end marker: the process never got to exit');
});

test('-r memwatch-wasm/record without MEMWATCH_OUT says what to set', () => {
  const env = { ...process.env };
  delete env.MEMWATCH_OUT;
  const r = spawnSync(process.execPath, ['-r', 'memwatch-wasm/record', '-e', '0'], { cwd: PKG, encoding: 'utf8', env });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /memwatch-wasm\/record: set MEMWATCH_OUT to the file to write/);
});

test('a child process forked with -r does not record over the parent\'s file', () => {
  const dir = tempDir(test);
  const out = path.join(dir, 'parent.ndjson');
  const script = path.join(dir, 'fork.js');
  fs.writeFileSync(script, `
    const { fork } = require('node:child_process');
    if (process.argv[2] === 'child') {
      console.log(JSON.stringify({ out: process.env.MEMWATCH_OUT ?? null, recorded: process.env.MEMWATCH_OUT_RECORDED }));
    } else {
      fork(__filename, ['child']).on('exit', (code) => { process.exitCode = code; });
    }
  `);
  const r = spawnSync(process.execPath, ['-r', 'memwatch-wasm/record', script], {
    cwd: PKG, encoding: 'utf8', env: { ...process.env, MEMWATCH_OUT: out },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { out: null, recorded: out });
  const a = analyze(out);
  assert.deepEqual(a.markers.map((m) => m.kind), ['start', 'end'], 'the parent\'s recording is whole');
});

test('memwatch.record(): header, records and markers; one recording at a time; configure() starts it over', async () => {
  const dir = tempDir(test);
  const file = path.join(dir, 'rec.ndjson');
  const rec = memwatch.record(file, { labels: { service: 'api' } });
  assert.equal(rec.path, file);
  assert.throws(() => memwatch.record(path.join(dir, 'other.ndjson')), /already recording to .*rec\.ndjson/);
  await new Promise((resolve) => {
    memwatch.once('stats', resolve);
    memwatch.gc();
  });
  assert.ok(memwatch.parseExport(fs.readFileSync(file)).records.some((r) => r.type === 'stats'));
  // New detector parameters: the file starts over under a header that states them.
  memwatch.configure({ classic: { growthCount: 3 }, trend: null });
  assert.deepEqual(memwatch.parseExport(fs.readFileSync(file)).records.map((r) => r.type), ['marker']);
  const live = [];
  const onStats = (s) => live.push(s);
  memwatch.on('stats', onStats);
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => {
      memwatch.once('stats', resolve);
      memwatch.gc();
    });
  }
  rec.close();
  rec.close(); // idempotent
  const size = fs.statSync(file).size;
  await new Promise((resolve) => {
    memwatch.once('stats', resolve);
    memwatch.gc();
  });
  memwatch.off('stats', onStats);
  assert.equal(fs.statSync(file).size, size, 'nothing is written after close()');

  const { header, records, truncated_line } = memwatch.parseExport(fs.readFileSync(file));
  assert.equal(truncated_line, null);
  assert.equal(header.format, 'memwatch-export');
  assert.deepEqual(header.labels, { service: 'api' });
  assert.deepEqual(header.analyzer, memwatch.resolveAnalyzerConfig({ classic: { growth_count: 3 }, trend: null }));
  assert.equal(header.target.pid, process.pid);
  // The recording restarted the analysis: its stats are the live ones from record() on.
  const stats = records.filter((r) => r.type === 'stats').map(({ type, ...s }) => s);
  assert.deepEqual(stats, live.slice(0, 3).map(withoutAliases));
  assert.equal(stats[0].num_full_gc, 1);
  const kinds = records.filter((r) => r.type === 'marker').map((r) => r.kind);
  assert.deepEqual(kinds, ['start', 'end']);
  assert.ok(records.filter((r) => r.type === 'gc').length >= 3);
  // A new recording is allowed after close(), and configure() again.
  memwatch.record(path.join(dir, 'second.ndjson')).close();
  memwatch.configure({});
});
