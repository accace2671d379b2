//! TypeScript declarations of the objects the bindings return, emitted into the generated
//! `.d.ts` by wasm-bindgen. They describe the serde output of the core types, field for field;
//! `pkg/test/types.test.js` checks real results against them so the two cannot drift.
//! Sizes are bytes, `*_ns` monotonic nanoseconds, `start`/`end` epoch milliseconds.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
export interface DiffSide { nodes: number; size_bytes: number; size: string; }
export interface DiffDetail { what: string; size_bytes: number; size: string; "+": number; "-": number; }
export interface DiffChange {
  size_bytes: number; size: string; freed_nodes: number; allocated_nodes: number;
  details: DiffDetail[];
}
/** node-memwatch's `hd.end()` object. */
export interface HeapDiffResult { before: DiffSide; after: DiffSide; change: DiffChange; }

/** `new SnapshotParser(options)`: `sizeHint` = total bytes if known; `edgeDetails: false` skips
 * edge types/names (enough for diffs and summaries; less memory, faster). */
export interface SnapshotParserOptions { sizeHint?: number; edgeDetails?: boolean; }
/** One class of a snapshot summary. */
export interface ClassSummary { what: string; count: number; self_size: number; }

export type GcType = "scavenge" | "minor_mark_sweep" | "mark_sweep_compact" | "incremental_marking" | "weak_callbacks";
export interface HeapStats {
  used_heap_size: number; total_heap_size: number; total_heap_size_executable: number;
  total_physical_size: number; total_available_size: number; heap_size_limit: number;
  malloced_memory: number; peak_malloced_memory: number; external_memory: number;
  number_of_native_contexts: number; number_of_detached_contexts: number;
}
export interface SpaceStats { name: string; size: number; used: number; available: number; physical: number; }
/**
 * One garbage collection. `snapshot: true` marks GCs run for a heap snapshot (not counted);
 * `collection`: the forced collection (one `memwatch.gc()` call) the pass belongs to.
 */
export interface GcSample {
  seq: number; gc_type: GcType; flags: number; start_ns: number; end_ns: number; heap: HeapStats;
  spaces?: SpaceStats[]; snapshot?: boolean; collection?: number;
}
export interface PerGcType {
  scavenge: number; minor_mark_sweep: number; mark_sweep_compact: number;
  incremental_marking: number; weak_callbacks: number;
}
/** The `stats` event: node-memwatch's fields, then the extras. */
export interface Stats {
  num_full_gc: number; num_inc_gc: number; heap_compactions: number; usage_trend: number;
  estimated_base: number; current_base: number; min: number; max: number;
  gc_seq: number; time_ns: number; gc_counts: PerGcType; gc_pause_ns: PerGcType;
  last_gc_pause_ns: number; heap: HeapStats;
}
/** The `leak` event (the Node adapter turns `start`/`end` into `Date`s). */
export interface LeakEvent {
  detector: "classic" | "trend"; start: number; end: number; start_ns: number; end_ns: number;
  growth: number; rate_bytes_per_hour: number; reason: string; gc_seq: number; gc_count: number;
  r2?: number;
  /** Only on leaks recorded live with `memwatch run --leak-retainers N` (never re-analysed ones). */
  retainers?: LeakRetainers;
}
/** Who retains a live leak: growth between two snapshots, with retainer paths of new objects. */
export interface LeakRetainers {
  since_ns: number; time_ns: number; before_snapshot?: string; after_snapshot?: string;
  classes: ClassGrowth[]; holders?: Holder[]; error?: string;
}
export interface ClassicConfig { growth_count: number; noise_floor_bytes: number; noise_floor_percent: number; }
export interface TrendConfig {
  window: number; warmup_gcs: number; min_r2: number; min_growth_bytes: number; min_growth_percent: number;
}
/** Detector parameters; omitted fields take defaults, `null` turns a detector off. */
export interface AnalyzerConfig { classic?: Partial<ClassicConfig> | null; trend?: Partial<TrendConfig> | null; }
export interface StatsEvent extends Stats { event: "stats"; }
export interface LeakEventEntry extends LeakEvent { event: "leak"; }
export type AnalyzerEvent = StatsEvent | LeakEventEntry;

export interface ExportHeader {
  format: string; version: string; producer: string; epoch_ms_at_origin: number;
  analyzer: AnalyzerConfig; target?: unknown;
}
export interface HeapDiffRecord {
  start_ns: number; time_ns: number; label?: string; diff: HeapDiffResult;
  before_snapshot?: string; after_snapshot?: string;
}
export interface SnapshotRef { time_ns: number; path: string; label?: string; bytes?: number; }
export interface Marker { time_ns: number; kind: string; message?: string; }
export interface GcRecord extends GcSample { type: "gc"; }
export interface StatsRecord extends Stats { type: "stats"; }
export interface LeakRecord extends LeakEvent { type: "leak"; }
export interface HeapDiffEntry extends HeapDiffRecord { type: "heapdiff"; }
export interface SnapshotRecord extends SnapshotRef { type: "snapshot"; }
export interface MarkerRecord extends Marker { type: "marker"; }
export interface LeakRetainersRecord {
  type: "leak_retainers"; detector: "classic" | "trend"; gc_seq: number; retainers: LeakRetainers;
}
export type ExportRecord =
  GcRecord | StatsRecord | LeakRecord | HeapDiffEntry | SnapshotRecord | MarkerRecord | LeakRetainersRecord;
/** `parseExport`'s result. `truncated_line`: 1-based line of a cut-off last line that was ignored. */
export interface ExportFile {
  header: ExportHeader; records: ExportRecord[]; truncated_line: number | null; skipped_records: number;
}
/** `analyzeExport`'s result, the same object as `memwatch analyze --json`. */
export interface ExportAnalysis {
  format_version: string; producer: string; epoch_ms_at_origin: number; config: AnalyzerConfig;
  gc_samples: number; stats: Stats | null; stats_events: Stats[]; leaks: LeakEvent[];
  recorded_stats_events: number; recorded_leaks: LeakEvent[]; heap_diffs: HeapDiffRecord[];
  snapshots: SnapshotRef[]; markers: Marker[]; truncated_line: number | null; skipped_records: number;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// A JS `AnalyzerConfig` object (typed parameter; deserialized with serde).
    #[wasm_bindgen(typescript_type = "AnalyzerConfig")]
    pub type AnalyzerConfigJs;
    /// A JS `SnapshotParserOptions` object.
    #[wasm_bindgen(typescript_type = "SnapshotParserOptions")]
    pub type SnapshotParserOptionsJs;
}
