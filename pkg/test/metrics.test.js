'use strict';
// memwatch.metrics.register(registry): the same metrics as the Rust library's Prometheus
// exposition, on the user's prom-client Registry (own process: node --test runs each file
// separately, so the counters see only this test's GCs).
const test = require('node:test');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const client = require('prom-client');
const memwatch = require('memwatch-wasm');

/** `name{labels} value` lines of the exposition as { 'name{labels, sorted by name}': value }. */
function series(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = m[2] ? m[2].split(/,(?=\w+=")/).sort().join(',') : '';
    out[labels ? `${m[1]}{${labels}}` : m[1]] = Number(m[3]);
  }
  return out;
}

test('a growing heap shows up as GC counts, pauses and leak events on the registry', async () => {
  const registry = new client.Registry();
  memwatch.metrics.register(registry, { labels: { isolate: 'main', app: 'test' } });
  const retained = [];
  for (let i = 0; i < 14 && memwatch.metrics.snapshot().leakEvents.classic === 0; i++) {
    retained.push(Array.from({ length: 40_000 }, (_, j) => ({ i, j, s: `item ${j}` })));
    memwatch.gc();
    await sleep(20); // let the GC's perf entry arrive
  }
  const s = series(await registry.metrics());
  const l = 'app="test",isolate="main"'; // then type= or detector=, sorted after isolate
  assert.ok(s[`memwatch_gc_total{${l},type="mark_sweep_compact"}`] >= 5, JSON.stringify(s));
  assert.ok(s[`memwatch_leak_events_total{app="test",detector="classic",isolate="main"}`] >= 1);
  assert.ok(s[`memwatch_heap_used_bytes{${l}}`] > 5_000_000);
  assert.ok(s[`memwatch_estimated_base_bytes{${l}}`] > 0);
  assert.equal(typeof s[`memwatch_usage_trend_percent{${l}}`], 'number');
  const full = s[`memwatch_gc_total{${l},type="mark_sweep_compact"}`];
  assert.equal(s[`memwatch_gc_pause_seconds_count{${l},type="mark_sweep_compact"}`], full, 'one pause per GC');
  assert.equal(s[`memwatch_gc_pause_seconds_bucket{${l},le="+Inf",type="mark_sweep_compact"}`], full);
  assert.ok(`memwatch_gc_pause_seconds_bucket{${l},le="0.0001",type="scavenge"}` in s, 'every type has its buckets');
  assert.equal(memwatch.metrics.snapshot().lastLeak.detector, 'classic');
  retained.length = 0;
});

test('bad labels are refused with a clear error', () => {
  const registry = new client.Registry();
  assert.throws(() => memwatch.metrics.register(registry, { labels: { 'bad-name': 'x' } }), /invalid label name "bad-name"/);
  assert.throws(() => memwatch.metrics.register(registry, { labels: { type: 'x' } }), /invalid label name "type"/);
  assert.throws(() => memwatch.metrics.register(registry, { labels: { isolate: 1 } }), /must be a string/);
});

test('registerMeter reports the same numbers through an OpenTelemetry SDK', async () => {
  const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
  class Reader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const reader = new Reader();
  const provider = new MeterProvider({ readers: [reader] });
  memwatch.metrics.registerMeter(provider.getMeter('memwatch-test'), { labels: { isolate: 'otel' } });
  const fullBefore = memwatch.metrics.snapshot().gcCounts.mark_sweep_compact;
  for (let i = 0; i < 3; i++) {
    memwatch.gc();
    await sleep(20);
  }
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  const byName = (n) => metrics.find((m) => m.descriptor.name === n) || assert.fail(`no ${n}`);
  const snap = memwatch.metrics.snapshot();
  assert.ok(snap.gcCounts.mark_sweep_compact >= fullBefore + 3);

  const gc = byName('memwatch_gc_total').dataPoints;
  assert.equal(gc.length, 5, 'a series per GC type');
  const full = gc.find((p) => p.attributes.type === 'mark_sweep_compact');
  assert.equal(full.attributes.isolate, 'otel');
  assert.equal(full.value, snap.gcCounts.mark_sweep_compact);
  const heap = byName('memwatch_heap_used_bytes').dataPoints[0];
  assert.equal(heap.value, snap.heapUsedBytes);
  assert.equal(byName('memwatch_leak_events_total').dataPoints.length, 2, 'a series per detector');
  const pause = byName('memwatch_gc_pause_seconds').dataPoints.find((p) => p.attributes.type === 'mark_sweep_compact');
  assert.ok(pause.value.count >= 3, 'pauses recorded since registration');
  assert.deepEqual(pause.value.buckets.boundaries, [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 5.0]);
  await provider.shutdown();
});
