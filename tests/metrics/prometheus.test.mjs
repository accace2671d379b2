// End to end with a real Prometheus (Debian's package): `memwatch run --metrics` and the npm
// package's prom-client registry, each running tests/metrics/leaky.js, are scraped every second;
// Prometheus' HTTP API must then report leak events > 0 and a memwatch_gc_total series per GC type
// for both, with the same pause-histogram buckets. Everything started here is killed at the end.
//   MEMWATCH_BIN    the memwatch binary (default target/debug/memwatch)
//   PROMETHEUS_BIN  (default prometheus on PATH)
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const MEMWATCH = process.env.MEMWATCH_BIN || join(root, 'target', 'debug', 'memwatch');
const PROMETHEUS = process.env.PROMETHEUS_BIN || 'prometheus';
const TICKS = '120'; // x 250 ms: the scripts run ~30 s at most (they are killed once checked)
const DEADLINE_MS = 90_000;
const GC_TYPES = ['scavenge', 'minor_mark_sweep', 'mark_sweep_compact', 'incremental_marking', 'weak_callbacks'];

const children = [];
function start(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  children.push(child);
  return child;
}

/** Resolves with the first match of `re` in the child's output (bounded wait). */
async function waitFor(child, re, what) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const m = re.exec(child.output);
    if (m) return m;
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`${what}: not ready (exit ${child.exitCode}); output:\n${child.output}`);
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function query(base, q) {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await r.json();
  if (body.status !== 'success') throw new Error(`${q}: ${JSON.stringify(body)}`);
  return body.data.result.map((x) => ({ labels: x.metric, value: Number(x.value[1]) }));
}

/** What Prometheus has for one job: leak events, GC types with series, and bucket bounds. */
async function observed(base, job) {
  const leaks = await query(base, `sum(max_over_time(memwatch_leak_events_total{job="${job}",isolate="main"}[10m]))`);
  const gcs = await query(base, `max_over_time(memwatch_gc_total{job="${job}",isolate="main"}[10m])`);
  const les = await query(base, `count by (le) (memwatch_gc_pause_seconds_bucket{job="${job}"})`);
  return {
    leakEvents: leaks.length ? leaks[0].value : 0,
    gcByType: Object.fromEntries(gcs.map((s) => [s.labels.type, s.value])),
    buckets: les.map((s) => Number(s.labels.le)).sort((a, b) => a - b),
  };
}

function done(o) {
  return o.leakEvents > 0 && GC_TYPES.every((t) => t in o.gcByType) && o.gcByType.mark_sweep_compact > 0;
}

test('Prometheus scrapes leak events and GC counts from memwatch run and from the npm package', { timeout: 150_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'memwatch-metrics-'));
  t.after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  const run = start(MEMWATCH, ['run', '--metrics', '127.0.0.1:0', join(here, 'leaky.js'), '--', TICKS, '250']);
  const runAddr = (await waitFor(run, /metrics at http:\/\/([\d.:]+)\/metrics/, 'memwatch run --metrics'))[1];
  const node = start(process.execPath, [join(here, 'node-server.cjs'), TICKS, '250']);
  const nodePort = (await waitFor(node, /listening (\d+)/, 'node prom-client server'))[1];

  const promPort = await freePort();
  const config = join(tmp, 'prometheus.yml');
  writeFileSync(config, [
    'global:',
    // The Node target answers between the script's ticks (one thread): allow for a loaded machine.
    '  scrape_interval: 2s',
    '  scrape_timeout: 2s',
    'scrape_configs:',
    '  - job_name: memwatch-run',
    `    static_configs: [{ targets: ["${runAddr}"] }]`,
    '  - job_name: node',
    `    static_configs: [{ targets: ["127.0.0.1:${nodePort}"] }]`,
    '',
  ].join('\n'));
  const prom = start(PROMETHEUS, [
    `--config.file=${config}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    `--storage.tsdb.path=${join(tmp, 'data')}`,
    '--log.level=warn',
  ]);
  const base = `http://127.0.0.1:${promPort}`;

  let runSeen = null;
  let nodeSeen = null;
  const until = Date.now() + DEADLINE_MS;
  while (Date.now() < until) {
    await sleep(1000);
    if (prom.exitCode !== null) throw new Error(`prometheus exited ${prom.exitCode}:\n${prom.output}`);
    try {
      runSeen = await observed(base, 'memwatch-run');
      nodeSeen = await observed(base, 'node');
    } catch (e) {
      continue; // not ready yet
    }
    if (done(runSeen) && done(nodeSeen)) break;
  }
  let targets = '';
  try {
    const t = await (await fetch(`${base}/api/v1/targets`)).json();
    targets = JSON.stringify(t.data.activeTargets.map((x) => [x.labels.job, x.health, x.lastError]));
  } catch (e) {
    targets = String(e);
  }
  const context = `memwatch run: ${JSON.stringify(runSeen)}\nnode: ${JSON.stringify(nodeSeen)}\ntargets: ${targets}\n` +
    `--- memwatch output:\n${run.output}\n--- node output:\n${node.output}`;
  for (const [who, o] of [['memwatch run', runSeen], ['npm package', nodeSeen]]) {
    assert.ok(o, `${who}: nothing from Prometheus\n${context}`);
    assert.ok(o.leakEvents > 0, `${who}: memwatch_leak_events_total > 0\n${context}`);
    for (const type of GC_TYPES) assert.ok(type in o.gcByType, `${who}: memwatch_gc_total{type="${type}"}\n${context}`);
    assert.ok(o.gcByType.mark_sweep_compact > 0 && o.gcByType.scavenge > 0, `${who}: GCs counted\n${context}`);
  }
  assert.deepEqual(nodeSeen.buckets, runSeen.buckets, 'the same pause buckets on both sides');
  assert.equal(runSeen.buckets.length, 13, '12 bounds and +Inf');
});
