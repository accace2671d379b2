'use strict';
// memwatch's numbers as prom-client metrics, the same names, types and buckets as the Rust
// library's Prometheus exposition (native/sampler/src/metrics/prometheus.rs):
//   memwatch_heap_used_bytes, memwatch_estimated_base_bytes, memwatch_usage_trend_percent (gauges),
//   memwatch_gc_total{type}, memwatch_leak_events_total{detector} (counters),
//   memwatch_gc_pause_seconds{type} (histogram), each with the labels given at registration.
// prom-client is the user's (no dependency of this package): `register(registry)` uses the
// prom-client that `require` finds from the application, or `{ client }`. `registerMeter(meter)`
// creates the same instruments on an OpenTelemetry API Meter (whatever SDK the application set up).

const { metricsOptions } = require('./options.cjs');

// Keep in step with PAUSE_BUCKETS_SECONDS in native/sampler/src/metrics.rs (tests/metrics checks
// both expose the same buckets).
const PAUSE_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 5.0];
const GC_TYPES = ['scavenge', 'minor_mark_sweep', 'mark_sweep_compact', 'incremental_marking', 'weak_callbacks'];
const DETECTORS = ['classic', 'trend'];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED = new Set(['type', 'detector', 'le']);

/** The numbers the adapter keeps up to date (fed by memwatch.cjs: every GC sample and event). */
function createMetricsState() {
  const state = {
    heapUsedBytes: 0,
    stats: null,
    gcCounts: Object.fromEntries(GC_TYPES.map((t) => [t, 0])),
    leakEvents: Object.fromEntries(DETECTORS.map((d) => [d, 0])),
    lastLeak: null,
    pauseObservers: [],
  };
  return {
    state,
    onSample(sample) {
      if (sample.snapshot) return; // GCs V8 runs for heap snapshots are not application GCs
      state.heapUsedBytes = sample.heap ? sample.heap.used_heap_size : state.heapUsedBytes;
      if (sample.gc_type in state.gcCounts) state.gcCounts[sample.gc_type] += 1;
      const seconds = Math.max(0, sample.end_ns - sample.start_ns) / 1e9;
      for (const observe of state.pauseObservers) observe(sample.gc_type, seconds);
    },
    onStats(stats) {
      state.stats = stats;
    },
    onLeak(leak) {
      if (leak.detector in state.leakEvents) state.leakEvents[leak.detector] += 1;
      state.lastLeak = leak;
    },
  };
}

function checkLabels(labels, fn) {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new TypeError(`memwatch.metrics.${fn}: options.labels must be an object of label names to strings`);
  }
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || RESERVED.has(name)) {
      throw new TypeError(`memwatch.metrics.${fn}: invalid label name ${JSON.stringify(name)}`);
    }
    if (typeof value !== 'string') {
      throw new TypeError(`memwatch.metrics.${fn}: label ${name} must be a string`);
    }
  }
}

const HELP = {
  heapUsed: 'Used V8 heap after the latest GC.',
  estimatedBase: "node-memwatch's estimated_base: moving average of the used heap after full GCs.",
  usageTrend: "node-memwatch's usage_trend: recent vs long-running base, in percent.",
  gcTotal: 'Application garbage collections by V8 GC type.',
  leakTotal: "Leak events by detector (classic: node-memwatch's rule; trend: regression over full GCs).",
  pause: 'GC pauses (prologue to epilogue) by V8 GC type.',
};

function loadClient(client) {
  if (client) return client;
  try {
    return require('prom-client');
  } catch (e) {
    throw new Error('memwatch.metrics.register: prom-client is not installed (npm install prom-client), or pass { client }');
  }
}

/** The public `memwatch.metrics`: `register(registry, { labels, client })`, `snapshot()`. */
function createMetricsApi(metricsState) {
  const { state } = metricsState;
  return {
    /**
     * Registers memwatch's metrics on a prom-client Registry (`client.register` when omitted).
     * `labels` (default `{ isolate: 'main' }`) go on every series. Returns the metrics.
     */
    register(registry, options = {}) {
      metricsOptions('register', options);
      const client = loadClient(options.client);
      const labels = options.labels === undefined ? { isolate: 'main' } : options.labels;
      checkLabels(labels, 'register');
      const registers = [registry || client.register];
      const names = Object.keys(labels);
      const heapUsed = new client.Gauge({
        name: 'memwatch_heap_used_bytes', help: HELP.heapUsed, labelNames: names, registers,
        collect() { this.set(labels, state.heapUsedBytes); },
      });
      const estimatedBase = new client.Gauge({
        name: 'memwatch_estimated_base_bytes',
        help: HELP.estimatedBase,
        labelNames: names, registers,
        collect() { this.set(labels, state.stats ? state.stats.estimated_base : 0); },
      });
      const usageTrend = new client.Gauge({
        name: 'memwatch_usage_trend_percent',
        help: HELP.usageTrend,
        labelNames: names, registers,
        collect() { this.set(labels, state.stats ? state.stats.usage_trend : 0); },
      });
      // Counters hold absolute totals kept by the adapter: reset, then add the total.
      const gcTotal = new client.Counter({
        name: 'memwatch_gc_total', help: HELP.gcTotal,
        labelNames: [...names, 'type'], registers,
        collect() {
          this.reset();
          for (const type of GC_TYPES) this.inc({ ...labels, type }, state.gcCounts[type]);
        },
      });
      const leakTotal = new client.Counter({
        name: 'memwatch_leak_events_total',
        help: HELP.leakTotal,
        labelNames: [...names, 'detector'], registers,
        collect() {
          this.reset();
          for (const detector of DETECTORS) this.inc({ ...labels, detector }, state.leakEvents[detector]);
        },
      });
      const pause = new client.Histogram({
        name: 'memwatch_gc_pause_seconds', help: HELP.pause,
        labelNames: [...names, 'type'], buckets: PAUSE_BUCKETS_SECONDS, registers,
      });
      for (const type of GC_TYPES) pause.zero({ ...labels, type });
      state.pauseObservers.push((type, seconds) => pause.observe({ ...labels, type }, seconds));
      return { heapUsed, estimatedBase, usageTrend, gcTotal, leakTotal, pause };
    },

    /**
     * Creates the same instruments on an OpenTelemetry Meter (`@opentelemetry/api`): observable
     * gauges and counters read at each collection, the pause histogram recorded per GC.
     */
    registerMeter(meter, options = {}) {
      if (!meter || typeof meter.createObservableGauge !== 'function' || typeof meter.createHistogram !== 'function') {
        throw new TypeError('memwatch.metrics.registerMeter: expected an OpenTelemetry Meter (meterProvider.getMeter(name))');
      }
      metricsOptions('registerMeter', options);
      const labels = options.labels === undefined ? { isolate: 'main' } : options.labels;
      checkLabels(labels, 'registerMeter');
      const gauge = (name, description, unit, value) => {
        const g = meter.createObservableGauge(name, { description, unit });
        g.addCallback((r) => r.observe(value(), labels));
        return g;
      };
      const heapUsed = gauge('memwatch_heap_used_bytes', HELP.heapUsed, 'By', () => state.heapUsedBytes);
      const estimatedBase = gauge('memwatch_estimated_base_bytes', HELP.estimatedBase, 'By',
        () => (state.stats ? state.stats.estimated_base : 0));
      const usageTrend = gauge('memwatch_usage_trend_percent', HELP.usageTrend, '%',
        () => (state.stats ? state.stats.usage_trend : 0));
      const gcTotal = meter.createObservableCounter('memwatch_gc_total', { description: HELP.gcTotal });
      gcTotal.addCallback((r) => {
        for (const type of GC_TYPES) r.observe(state.gcCounts[type], { ...labels, type });
      });
      const leakTotal = meter.createObservableCounter('memwatch_leak_events_total', { description: HELP.leakTotal });
      leakTotal.addCallback((r) => {
        for (const detector of DETECTORS) r.observe(state.leakEvents[detector], { ...labels, detector });
      });
      const pause = meter.createHistogram('memwatch_gc_pause_seconds', {
        description: HELP.pause, unit: 's', advice: { explicitBucketBoundaries: PAUSE_BUCKETS_SECONDS },
      });
      state.pauseObservers.push((type, seconds) => pause.record(seconds, { ...labels, type }));
      return { heapUsed, estimatedBase, usageTrend, gcTotal, leakTotal, pause };
    },

    /** A copy of the numbers: heapUsedBytes, stats, gcCounts, leakEvents, lastLeak. */
    snapshot() {
      const { pauseObservers, ...rest } = state;
      return structuredClone(rest);
    },
  };
}

module.exports = { createMetricsState, createMetricsApi, PAUSE_BUCKETS_SECONDS };
