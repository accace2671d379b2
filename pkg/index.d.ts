// Types of the Node entry (require/import 'memwatch-wasm' in Node). The engine's types and
// classes are generated from the Rust crates (tsify derives and the #[wasm_bindgen] items, see
// wasm/src/types.rs); this file adds only the node-memwatch facade around them.
import type { EventEmitter } from 'node:events';
import type {
  AirbnbStats, ClassRetainedSize, ClassRetainers, ClassSummary, GrowthReport, HeapDiffResult, LeakEvent, LeakReport, Stats,
} from './wasm/node/memwatch_wasm.js';
import * as engine from './wasm/node/memwatch_wasm.js';

export * from './wasm/node/memwatch_wasm.js';

/** The `leak` event as emitted to listeners: the engine's LeakEvent with `Date`s. */
export interface LeakInfo extends Omit<LeakEvent, 'start' | 'end'> {
  start: Date;
  end: Date;
}

/** `end({ retainers: N })`: also report who retains the N classes that grew most. */
export interface HeapDiffEndOptions {
  /** Number of classes (0 or more) in the growth report; omit for node-memwatch's object alone. */
  retainers?: number;
}

/** `memwatch diff --json --retainers N`'s object: node-memwatch's HeapDiff plus the engine's growth report. */
export interface HeapDiffWithRetainers extends HeapDiffResult {
  retainers: GrowthReport;
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
  /**
   * Attach who retains the growth (the engine's growth report of the N classes that grew most,
   * 0 to 4294967295) to every leak event as `retainers`, like `memwatch run --leak-retainers N`.
   * Snapshots are written at the first full GC and at each leak; the leak event is emitted once
   * its report is ready. `null`/omitted: off.
   */
  leakRetainers?: number | null;
  /** `true` (every 524288 bytes) or an interval in bytes: leak events carry the growing allocation sites (`allocations`); `false`: off. */
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
  end(options: HeapDiffEndOptions & { retainers: number }): HeapDiffWithRetainers;
  end(options?: HeapDiffEndOptions): HeapDiffResult | HeapDiffWithRetainers;
  /**
   * Like `end()`, but only writing the snapshot blocks the event loop: parsing and analysis run in
   * a worker thread. Rejects with end()'s errors.
   */
  endAsync(): Promise<HeapDiffResult>;
  endAsync(options: HeapDiffEndOptions & { retainers: number }): Promise<HeapDiffWithRetainers>;
  endAsync(options?: HeapDiffEndOptions): Promise<HeapDiffResult | HeapDiffWithRetainers>;
}

/** Former name of `ConfigureOptions`. */
export type MemwatchConfig = ConfigureOptions;

/** A file path, a `file:` URL, or the snapshot's bytes (copied once to the worker). */
export type SnapshotSource = string | URL | ArrayBuffer | Uint8Array;

/** A snapshot parsed by `readSnapshot()`, kept in its own worker thread. */
export interface WorkerSnapshot {
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** Per-class totals, largest self size first (the engine's `Snapshot.summarize()`). */
  summarize(): Promise<ClassSummary[]>;
  /** Every class with count, self and retained size, as the engine computes on a Snapshot (needs edge details). */
  retainedSizes(): Promise<ClassRetainedSize[]>;
  /** One class's totals and retainer paths, as the engine computes on a Snapshot (needs edge details). */
  classRetainers(className: string, maxPaths: number, scheme?: 'bucket' | 'devtools'): Promise<ClassRetainers>;
  /** Ends the worker and frees the snapshot; later calls reject. */
  free(): Promise<void>;
}

export interface ReadSnapshotOptions {
  /** `false`: skip edge types and names (less memory; enough for `summarize()`). Default true. */
  edgeDetails?: boolean;
}

export interface LeakFilesOptions {
  /** Path groups to report, largest retained size first (0: all). Default 20, as `memwatch leaks`. */
  maxGroups?: number;
  /** Also report V8-internal objects. Default false. */
  includeInternal?: boolean;
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
   * `sampleAllocations`: `true` (every 524288 bytes) or an interval in bytes turns V8's sampling
   * heap profiler on, and leak events carry the growing allocation sites (`allocations`); `false`
   * turns it off. Alone, it leaves the stats running. An open recording starts over under the new
   * parameters. (`memwatch run` refuses: its parameters are fixed for the recording, set by flags.) */
  configure(config: ConfigureOptions): this;
  /**
   * Records the live analysis to `path` in memwatch's export format (what `memwatch run --out`
   * writes; `memwatch analyze` and the viewer read it), one flushed line per record, until
   * `close()` or exit. Restarts the stats like configure(); one recording at a time.
   */
  record(path: string | URL, options?: RecordOptions): Recording;
  /** Parses a snapshot in a worker thread, streamed from disk (or from the given bytes). */
  readSnapshot(source: SnapshotSource, options?: ReadSnapshotOptions): Promise<WorkerSnapshot>;
  /** `memwatch diff --json [--retainers N] BEFORE AFTER`, parsed and analysed in a worker thread. */
  diffFiles(before: SnapshotSource, after: SnapshotSource): Promise<HeapDiffResult>;
  diffFiles(before: SnapshotSource, after: SnapshotSource, options: HeapDiffEndOptions & { retainers: number }): Promise<HeapDiffWithRetainers>;
  diffFiles(before: SnapshotSource, after: SnapshotSource, options?: HeapDiffEndOptions): Promise<HeapDiffResult | HeapDiffWithRetainers>;
  /** `memwatch leaks --json BASELINE TARGET FINAL`, parsed and analysed in a worker thread. */
  leakFiles(baseline: SnapshotSource, target: SnapshotSource, final: SnapshotSource, options?: LeakFilesOptions): Promise<LeakReport>;
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
export declare const readSnapshot: Memwatch['readSnapshot'];
export declare const diffFiles: Memwatch['diffFiles'];
export declare const leakFiles: Memwatch['leakFiles'];
