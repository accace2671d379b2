// Types of the Node entry (require/import 'memwatch-wasm' in Node). The engine's types and
// classes are generated from the Rust crates (tsify derives and the #[wasm_bindgen] items, see
// wasm/src/types.rs); this file adds only the node-memwatch facade around them.
import type { EventEmitter } from 'node:events';
import type { AnalyzerConfig, HeapDiffResult, LeakEvent, Stats } from './wasm/node/memwatch_wasm.js';
import * as engine from './wasm/node/memwatch_wasm.js';

export * from './wasm/node/memwatch_wasm.js';

/** `configure()`'s argument: detector parameters and allocation sampling. */
export interface MemwatchConfig extends AnalyzerConfig {
  sampleAllocations?: boolean | number;
}

/** The `leak` event as emitted to listeners: the engine's LeakEvent with `Date`s. */
export interface LeakInfo extends Omit<LeakEvent, 'start' | 'end'> {
  start: Date;
  end: Date;
}

/** node-memwatch's HeapDiff: snapshot now (after a full GC), `end()` snapshots again and diffs. */
export declare class HeapDiff {
  constructor();
  /** Throws "attempt to end() a HeapDiff that was already ended" the second time. */
  end(): HeapDiffResult;
}

export type MemwatchEvent = 'stats' | 'leak' | 'heapdiff';

/** `memwatch.metrics.snapshot()`: the numbers behind the Prometheus metrics (lib/metrics.cjs). */
export interface MetricsSnapshot {
  heapUsedBytes: number;
  stats: Stats | null;
  gcCounts: Record<'scavenge' | 'minor_mark_sweep' | 'mark_sweep_compact' | 'incremental_marking' | 'weak_callbacks', number>;
  leakEvents: { classic: number; trend: number };
  lastLeak: LeakInfo | null;
}

export interface MemwatchMetrics {
  /**
   * Registers memwatch_heap_used_bytes, memwatch_estimated_base_bytes, memwatch_usage_trend_percent,
   * memwatch_gc_total{type}, memwatch_gc_pause_seconds{type}, memwatch_leak_events_total{detector}
   * on a prom-client Registry (prom-client's default registry when omitted). `labels` (default
   * `{ isolate: 'main' }`) go on every series; `client` is the prom-client module to use.
   */
  register(registry?: unknown, options?: { labels?: Record<string, string>; client?: unknown }): unknown;
  /** The same instruments on an OpenTelemetry API Meter (`meterProvider.getMeter(name)`). */
  registerMeter(meter: unknown, options?: { labels?: Record<string, string> }): unknown;
  snapshot(): MetricsSnapshot;
}

/** The engine API: every export of the generated module, also reachable as `memwatch.name`. */
type EngineApi = typeof engine;

export interface Memwatch extends EventEmitter, EngineApi {
  on(event: 'stats', listener: (stats: Stats) => void): this;
  on(event: 'leak', listener: (leak: LeakInfo) => void): this;
  on(event: 'heapdiff', listener: (diff: HeapDiffResult) => void): this;
  once(event: 'stats', listener: (stats: Stats) => void): this;
  once(event: 'leak', listener: (leak: LeakInfo) => void): this;
  once(event: 'heapdiff', listener: (diff: HeapDiffResult) => void): this;
  off(event: 'stats', listener: (stats: Stats) => void): this;
  off(event: 'leak', listener: (leak: LeakInfo) => void): this;
  off(event: 'heapdiff', listener: (diff: HeapDiffResult) => void): this;
  removeListener(event: 'stats', listener: (stats: Stats) => void): this;
  removeListener(event: 'leak', listener: (leak: LeakInfo) => void): this;
  removeListener(event: 'heapdiff', listener: (diff: HeapDiffResult) => void): this;
  removeAllListeners(event?: MemwatchEvent): this;
  /** Forces a full GC; the `stats` event for it arrives asynchronously. */
  gc(): void;
  HeapDiff: typeof HeapDiff;
  /** Live detector parameters (defaults otherwise); restarts the stats from the next GC.
   * `sampleAllocations`: `true` (every 32768 bytes) or an interval in bytes turns V8's sampling
   * heap profiler on, and leak events carry the growing allocation sites (`allocations`); `false`
   * turns it off. Alone, it leaves the stats running.
   * (`memwatch run` refuses: its parameters are fixed for the recording, set by flags.) */
  configure(config: MemwatchConfig): this;
  /** Prometheus metrics on a prom-client registry (prom-client is not a dependency). */
  metrics: MemwatchMetrics;
  memwatch: Memwatch;
}

export declare const memwatch: Memwatch;
export default memwatch;
export declare const on: Memwatch['on'];
export declare const once: Memwatch['once'];
export declare const off: Memwatch['off'];
export declare const removeListener: Memwatch['removeListener'];
export declare const removeAllListeners: Memwatch['removeAllListeners'];
export declare function gc(): void;
export declare function configure(config: MemwatchConfig): Memwatch;
