// Types of the Node entry (require/import 'memwatch-wasm' in Node). The engine's types and
// classes are generated from the Rust crates (tsify derives and the #[wasm_bindgen] items, see
// wasm/src/types.rs); this file adds only the node-memwatch facade around them.
import type { EventEmitter } from 'node:events';
import type { AirbnbStats, HeapDiffResult, LeakEvent, Stats } from './wasm/node/memwatch_wasm.js';
import * as engine from './wasm/node/memwatch_wasm.js';

export * from './wasm/node/memwatch_wasm.js';

/** The `leak` event as emitted to listeners: the engine's LeakEvent with `Date`s. */
export interface LeakInfo extends Omit<LeakEvent, 'start' | 'end'> {
  start: Date;
  end: Date;
}

/**
 * The `stats` event: node-memwatch's fields (`Stats`) and, under @airbnb/node-memwatch's names,
 * the same numbers again (`AirbnbStats`: `used_heap_size`, `gcMarkSweepCompactCount`, `gc_time`, ...).
 */
export type StatsEvent = Stats & AirbnbStats;

/** `memwatch.configure()`'s classic detector options (core's table, camelCase). */
export interface ClassicOptions {
  growthCount?: number;
  noiseFloorBytes?: number;
  noiseFloorPercent?: number;
}

/** `memwatch.configure()`'s trend detector options (core's table, camelCase). */
export interface TrendOptions {
  window?: number;
  warmupGcs?: number;
  minR2?: number;
  minGrowthBytes?: number;
  minGrowthPercent?: number;
}

/**
 * `memwatch.configure()`: detector options (`null` turns a detector off; a detector left out gets
 * its defaults). Unknown keys and wrong types throw a TypeError naming the key, values outside
 * core's bounds a RangeError.
 */
export interface ConfigureOptions {
  classic?: ClassicOptions | null;
  trend?: TrendOptions | null;
  /** Retainer groups to attach to leak events (0 to 4294967295; null: off). */
  leakRetainers?: number | null;
  /** Allocation sampling: true, false or the sampling interval in bytes. */
  sampleAllocations?: boolean | number;
}

/** `memwatch.record()`'s options. */
export interface RecordOptions {
  /** String labels stored in the export header. */
  labels?: Record<string, string>;
}

/** An open recording (`memwatch.record()`). */
export interface Recording {
  readonly path: string;
  /** Writes the `end` marker and closes the file (also done at exit); idempotent. */
  close(): void;
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
  stats: StatsEvent | null;
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
  on(event: 'stats', listener: (stats: StatsEvent) => void): this;
  on(event: 'leak', listener: (leak: LeakInfo) => void): this;
  on(event: 'heapdiff', listener: (diff: HeapDiffResult) => void): this;
  once(event: 'stats', listener: (stats: StatsEvent) => void): this;
  once(event: 'leak', listener: (leak: LeakInfo) => void): this;
  once(event: 'heapdiff', listener: (diff: HeapDiffResult) => void): this;
  off(event: 'stats', listener: (stats: StatsEvent) => void): this;
  off(event: 'leak', listener: (leak: LeakInfo) => void): this;
  off(event: 'heapdiff', listener: (diff: HeapDiffResult) => void): this;
  removeListener(event: 'stats', listener: (stats: StatsEvent) => void): this;
  removeListener(event: 'leak', listener: (leak: LeakInfo) => void): this;
  removeListener(event: 'heapdiff', listener: (diff: HeapDiffResult) => void): this;
  removeAllListeners(event?: MemwatchEvent): this;
  /** Forces a full GC; the `stats` event for it arrives asynchronously. */
  gc(): void;
  HeapDiff: typeof HeapDiff;
  /** Live detector parameters (defaults otherwise); restarts the stats from the next GC.
   * An open recording starts over under the new parameters. (`memwatch run` refuses: its
   * parameters are fixed for the recording, set by flags.) */
  configure(config: ConfigureOptions): this;
  /**
   * Records the live analysis to `path` in memwatch's export format (what `memwatch run --out`
   * writes; `memwatch analyze` and the viewer read it), one flushed line per record, until
   * `close()` or exit. Restarts the stats like configure(); one recording at a time.
   */
  record(path: string | URL, options?: RecordOptions): Recording;
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
export declare function configure(config: ConfigureOptions): Memwatch;
export declare function record(path: string | URL, options?: RecordOptions): Recording;
