/* tslint:disable */
/* eslint-disable */
/**
 * The `stats` fields of @airbnb/node-memwatch (its `src/memwatch.cc`), derived from [`Stats`]
 * so code written for that fork reads numbers instead of `undefined`. JS hosts put them next to
 * node-memwatch's fields in the live `stats` event ([`StatsEvent`]); recordings and `--json`
 * keep [`Stats`] only. Times are nanoseconds, as there.
 */
export interface AirbnbStats {
    /**
     * Wall-clock time of the GC's end, microseconds since the Unix epoch.
     */
    gc_ts: number;
    gcScavengeCount: number;
    gcScavengeTime: number;
    gcMarkSweepCompactCount: number;
    gcMarkSweepCompactTime: number;
    gcIncrementalMarkingCount: number;
    gcIncrementalMarkingTime: number;
    gcProcessWeakCallbacksCount: number;
    gcProcessWeakCallbacksTime: number;
    total_heap_size: number;
    total_heap_size_executable: number;
    total_physical_size: number;
    total_available_size: number;
    used_heap_size: number;
    heap_size_limit: number;
    malloced_memory: number;
    peak_malloced_memory: number;
    /**
     * Pause of the GC that produced the event (`last_gc_pause_ns`).
     */
    gc_time: number;
}

/**
 * Which code allocated the growth behind a recorded `leak` (same `detector` and `gc_seq`):
 * the growing allocation sites of the sampling heap profiler, written after the leak
 * (format 1.2; older readers skip it).
 */
export interface AllocationProfileRecord {
    detector: DetectorKind;
    gc_seq: number;
    allocations: LeakAllocations;
}

/**
 * Gained objects allocated by one stack.
 */
export interface AllocationStack {
    /**
     * `fn (file:line:col)`, the allocating function first, at most [`FRAMES_PER_STACK`].
     */
    frames: string[];
    /**
     * Frames of the stack not listed (callers further out).
     */
    frames_left_out?: number;
    /**
     * Gained objects it allocated, and their retained size.
     */
    count: number;
    retained_size: number;
}

/**
 * The result of analysing a whole sample stream.
 */
export interface Analysis {
    /**
     * GC samples read (including snapshot-induced ones).
     */
    gc_samples: number;
    /**
     * The counters after the last sample (null when there were no samples).
     */
    stats: Stats | null;
    /**
     * Every `stats` event, in order.
     */
    stats_events: Stats[];
    leaks: LeakEvent[];
}

/**
 * Detector parameters. `None` turns a detector off. Both default to on.
 */
export interface AnalyzerConfig {
    classic?: ClassicConfig | null;
    trend?: TrendConfig | null;
}

/**
 * What one GC sample produced.
 */
export type AnalyzerEvent = ({ event: "stats" } & Stats) | ({ event: "leak" } & LeakEvent);

/**
 * One HeapDiff row's retained totals in one snapshot (the row's `what` under
 * [`crate::class::Scheme::Bucket`]).
 */
export interface BucketRetained {
    what: string;
    /**
     * Reachable members (synthetic nodes excluded).
     */
    count: number;
    self_size: number;
    /**
     * Sum of retained sizes of the members not dominated by another member of the bucket: what
     * `classRetainers(snapshot, what, k, "bucket")` reports for the same row.
     */
    retained_size: number;
}

/**
 * Gained objects of one class under a holder.
 */
export interface ClassCount {
    class: string;
    count: number;
    retained_size: number;
}

export interface ClassGrowth {
    class: string;
    count_before: number;
    count_after: number;
    self_size_before: number;
    self_size_after: number;
    retained_size_before: number;
    retained_size_after: number;
    retained_size_delta: number;
    /**
     * Members of the class in AFTER whose id is not in BEFORE.
     */
    new_objects: number;
    /**
     * Where the new top-of-class members are held, largest first (at most `paths_per_class`).
     */
    paths: PathGroup[];
}

/**
 * One class's totals over the nodes reachable from the root (synthetic nodes excluded).
 */
export interface ClassRetainedSize {
    class: string;
    count: number;
    self_size: number;
    /**
     * Sum of retained sizes of the members not dominated by another member of this class.
     */
    retained_size: number;
}

/**
 * A class's totals in one snapshot and where its top members are held (`classRetainers`).
 */
export interface ClassRetainers {
    class: string;
    count: number;
    self_size: number;
    /**
     * Sum of retained sizes of the members no other member dominates.
     */
    retained_size: number;
    /**
     * Path groups of those members, largest retained size first.
     */
    paths: PathGroup[];
}

export interface ClassSummary {
    what: string;
    count: number;
    self_size: number;
}

export interface ClassicConfig {
    /**
     * Consecutive growing full GCs that make a leak (node-memwatch: 5).
     */
    growth_count?: number;
    /**
     * A rise counts only above max(noise_floor_bytes, noise_floor_percent% of the previous size).
     */
    noise_floor_bytes?: number;
    noise_floor_percent?: number;
}

/**
 * DevTools' Comparison columns for one HeapDiff row: the same new and deleted nodes as
 * node-memwatch's `+` and `-` (reached ids only in AFTER / only in BEFORE, bucketed by `what`),
 * with the self sizes of the new and of the deleted nodes kept apart (node-memwatch's
 * `size_bytes` is `alloc_size - freed_size`).
 */
export interface ComparisonRow {
    /**
     * node-memwatch's bucket (the HeapDiff row's `what`).
     */
    what: string;
    /**
     * DevTools' `# New`.
     */
    new_count: number;
    /**
     * DevTools' `# Deleted`.
     */
    deleted_count: number;
    /**
     * DevTools' `# Delta`: `new_count - deleted_count`.
     */
    count_delta: number;
    /**
     * DevTools' `Alloc. Size`: self sizes of the new nodes.
     */
    alloc_size: number;
    /**
     * DevTools' `Freed Size`: self sizes of the deleted nodes.
     */
    freed_size: number;
    /**
     * DevTools' `Size Delta`: `alloc_size - freed_size` (node-memwatch's `size_bytes`).
     */
    size_delta: number;
}

/**
 * Which detector produced a [`LeakEvent`].
 */
export type DetectorKind = "classic" | "trend";

/**
 * What a viewer or script needs to know of an option (the serializable part of
 * [`DetectorOption`], with its default).
 */
export interface DetectorOptionInfo {
    detector: DetectorKind;
    name: string;
    /**
     * The name in the npm package's camelCase Node options ([`DetectorOption::js_name`]).
     */
    js_name: string;
    flag: string;
    kind: ValueKind;
    min: number;
    max: number;
    default: number;
    help: string;
}

export interface DiffChange {
    size_bytes: number;
    size: string;
    freed_nodes: number;
    allocated_nodes: number;
    /**
     * Sorted by `what`.
     */
    details: DiffDetail[];
}

/**
 * A HeapDiff with DevTools' Comparison columns for each of its rows.
 */
export interface DiffComparison {
    /**
     * node-memwatch's object, unchanged.
     */
    heapdiff: HeapDiffResult;
    /**
     * One row per `heapdiff.change.details` entry, in the same order.
     */
    rows: ComparisonRow[];
}

/**
 * One bucket of allocated/freed nodes ("Array", "String", a constructor name, ...).
 */
export interface DiffDetail {
    what: string;
    size_bytes: number;
    size: string;
    "+": number;
    "-": number;
}

/**
 * One side's totals: `nodes` is the snapshot's node count (reachable or not); `size_bytes` the
 * self sizes of the nodes reachable from the root.
 */
export interface DiffSide {
    nodes: number;
    size_bytes: number;
    size: string;
}

/**
 * What `memwatch analyze` (and the wasm `analyzeExport`) report for an export file.
 */
export interface ExportAnalysis extends Analysis {
    format_version: string;
    producer: string;
    epoch_ms_at_origin: number;
    /**
     * Detector parameters used for this analysis.
     */
    config: AnalyzerConfig;
    /**
     * Stats and leak events the producer recorded live (for comparison with the re-analysis);
     * recorded leaks carry their `leak_retainers` record as `retainers` and their
     * `allocation_profile` record as `allocations`.
     */
    recorded_stats_events: number;
    recorded_leaks: LeakEvent[];
    heap_diffs: HeapDiffRecord[];
    snapshots: SnapshotRef[];
    markers: Marker[];
    /**
     * 1-based line number of a cut-off last line that was ignored.
     */
    truncated_line: number | null;
    /**
     * Records of types this version does not know (from a newer minor version).
     */
    skipped_records: number;
    /**
     * GC samples whose `gc_type` this version does not know (kept; counted as incremental GCs).
     */
    unknown_gc_types?: number;
}

/**
 * `parseExport`'s result. `truncated_line`: 1-based line of a cut-off last line that was ignored.
 */
export interface ExportFile {
    header: ExportHeader;
    records: ExportRecord[];
    truncated_line: number | null;
    skipped_records: number;
}

/**
 * First line of every export.
 */
export interface ExportHeader {
    /**
     * Always [`FORMAT_NAME`].
     */
    format: string;
    /**
     * "MAJOR.MINOR".
     */
    version: string;
    /**
     * What wrote the file, e.g. "memwatch 0.1.0 (native)".
     */
    producer: string;
    /**
     * Wall-clock ms since the Unix epoch at monotonic time 0 of the recording.
     */
    epoch_ms_at_origin: number;
    /**
     * Detector parameters the live run used (re-analysis defaults to them).
     */
    analyzer?: AnalyzerConfig;
    /**
     * Free-form description of the target (script, arguments, V8 version, pid, ...).
     */
    target?: unknown;
    /**
     * Labels the producer gave this recording (e.g. `isolate`), as on its metrics (1.2).
     */
    labels?: Map<string, string>;
}

/**
 * One line after the header.
 */
export type ExportRecord = ({ type: "gc" } & GcSample) | ({ type: "stats" } & Stats) | ({ type: "leak" } & LeakEvent) | ({ type: "heapdiff" } & HeapDiffRecord) | ({ type: "snapshot" } & SnapshotRef) | ({ type: "marker" } & Marker) | ({ type: "leak_retainers" } & LeakRetainersRecord) | ({ type: "allocation_profile" } & AllocationProfileRecord);

export type FileKind = "snapshot" | "export";

/**
 * One stack frame for people: 1-based line and column of the function's start (V8 records where
 * the allocating function begins, not the allocating statement).
 */
export interface Frame {
    /**
     * Function name; empty for an anonymous function.
     */
    function: string;
    /**
     * Script URL or file name as the script was compiled (empty when V8 has none).
     */
    url: string;
    /**
     * 1-based; 0 when unknown.
     */
    line: number;
    /**
     * 1-based; 0 when unknown.
     */
    column: number;
}

/**
 * One garbage collection, as seen by the GC prologue/epilogue callbacks.
 *
 * Times are monotonic nanoseconds since the recording's origin (see the export header's
 * `epoch_ms_at_origin` for wall-clock dates).
 */
export interface GcSample {
    seq: number;
    gc_type: GcType;
    flags?: number;
    start_ns: number;
    end_ns: number;
    heap: HeapStats;
    spaces?: SpaceStats[];
    /**
     * True for collections V8 ran to take a heap snapshot: recorded, but not application GCs,
     * so the stats engine and leak detectors skip them.
     */
    snapshot?: boolean;
    /**
     * Which forced collection (one `memwatch.gc()` call) this pass belongs to, when the
     * recorder knows: V8 runs several full passes per call, and passes of the same call count
     * as one collection for the leak rules. Absent in older exports (then timing decides).
     */
    collection?: number;
}

/**
 * The kind of collection V8 reported to the GC callbacks (V8's `GCType`).
 *
 * Serialized as its snake_case name. A name this version does not know (a newer minor version
 * of the export format, or a V8 that added a collection type) is kept as [`GcType::Other`] and
 * written back unchanged: the sample still counts as an application GC (an incremental one, like
 * every collection that is not mark-sweep-compact), only not in a per-type counter.
 */
export type GcType = "scavenge" | "minor_mark_sweep" | "mark_sweep_compact" | "incremental_marking" | "weak_callbacks" | { other: string };

export interface GrowthReport {
    /**
     * Growing classes (self size or count grew), largest self-size growth first.
     */
    classes: ClassGrowth[];
    /**
     * The new objects grouped by the object holding them (existing before), largest gained
     * retained size first (at most `max_classes`).
     */
    holders?: Holder[];
}

/**
 * A HeapDiff taken during the run (`new HeapDiff()` at `start_ns`, `end()` at `time_ns`).
 */
export interface HeapDiffRecord {
    start_ns: number;
    time_ns: number;
    label?: string;
    diff: HeapDiffResult;
    /**
     * Snapshot files the diff was computed from, when they were kept.
     */
    before_snapshot?: string;
    after_snapshot?: string;
}

/**
 * `hd.end()`'s result.
 */
export interface HeapDiffResult {
    before: DiffSide;
    after: DiffSide;
    change: DiffChange;
}

/**
 * V8's `HeapStatistics`, copied out field by field (64-bit everywhere). `Copy` so the GC
 * callback can store it in a preallocated buffer without allocating.
 */
export interface HeapStats {
    used_heap_size?: number;
    total_heap_size?: number;
    total_heap_size_executable?: number;
    total_physical_size?: number;
    total_available_size?: number;
    heap_size_limit?: number;
    malloced_memory?: number;
    peak_malloced_memory?: number;
    external_memory?: number;
    number_of_native_contexts?: number;
    number_of_detached_contexts?: number;
}

/**
 * One holder and what it gained.
 */
export interface Holder {
    /**
     * The report's line: `name (file:line:col) Class +count TopClass, +size`.
     */
    headline: string;
    /**
     * The variable, property or key it is reached by (`leakyCache`, `cachedItems`, `[3]`).
     */
    name: string;
    /**
     * Its class (DevTools scheme: `Map`, `Array`, `system / Context`, ...).
     */
    class: string;
    /**
     * `file:line:col` of the nearest closure on its path (whose variable it is), if any.
     */
    location?: string;
    node_id: number;
    /**
     * From a GC root to the holder.
     */
    path: RetainerPath;
    /**
     * Gained objects under it (those no other gained object holds).
     */
    gained_objects: number;
    /**
     * Their retained size: what the holder grew by.
     */
    gained_retained_size: number;
    /**
     * The holder's own retained size now.
     */
    retained_size: number;
    /**
     * The gained objects by class, user classes first, then by retained size (at most 5).
     */
    classes: ClassCount[];
    /**
     * A path past the holder to its largest gained object of a user class.
     */
    example: RetainerPath;
    /**
     * Where the gained objects were allocated, when the snapshot recorded allocation stacks
     * (at most 3 stacks of 5 frames; absent otherwise).
     */
    allocations?: AllocationStack[];
}

/**
 * The allocation sites whose live bytes grew since the previous profile, attached to a live
 * `leak` event when allocation sampling is on (`memwatch run --sample-allocations`). Like
 * [`LeakRetainers`](crate::leak::LeakRetainers), only a live run can produce it; the export keeps
 * it in `allocation_profile` records.
 */
export interface LeakAllocations {
    /**
     * Monotonic time of the previous profile (sampling start or the previous leak event).
     */
    since_ns: number;
    /**
     * Monotonic time of this event's profile.
     */
    time_ns: number;
    /**
     * Sampling interval in bytes.
     */
    interval: number;
    /**
     * Live sampled bytes in the whole profile then and now.
     */
    total_bytes_before: number;
    total_bytes_after: number;
    /**
     * Growing sites, largest growth first.
     */
    sites: SiteGrowth[];
    /**
     * The smallest growth a site new since the previous profile needs to be listed in `sites`
     * ([`min_site_growth`]: ~9 samples' worth); 0 in records written before 2026-11-28. When
     * `sites` is empty and the whole profile grew less than this, the leak is too small for
     * this interval, not absent.
     */
    min_site_growth?: number;
    /**
     * When `sites` is empty and the run has an older profile than the previous one: the sites
     * grown beyond the noise floor since the run's first profile (`start_ns`), largest first.
     * A leak that grows less than `min_site_growth` between two events is named here once it
     * has grown that much in all. Empty otherwise, and in records written before 2026-11-28.
     */
    sites_since_start?: SiteGrowth[];
    /**
     * Monotonic time of the run's first profile, what `sites_since_start` compares with; 0 when
     * that comparison was not made.
     */
    start_ns?: number;
    /**
     * Why `sites` is empty when no profile could be taken.
     */
    error?: string;
}

/**
 * A `leak` event. `start`/`end` are wall-clock milliseconds since the Unix epoch (JavaScript
 * `Date` values); `start_ns`/`end_ns` the monotonic times of the GCs that bound the growth.
 */
export interface LeakEvent {
    detector: DetectorKind;
    start: number;
    end: number;
    start_ns: number;
    end_ns: number;
    /**
     * Used-heap growth in bytes over the event's span (signed: never wraps).
     */
    growth: number;
    /**
     * Growth rate in bytes per hour (0 when the span is 0 s).
     */
    rate_bytes_per_hour: number;
    reason: string;
    /**
     * Sequence number of the GC sample that triggered the event.
     */
    gc_seq: number;
    /**
     * Number of full GCs the event covers.
     */
    gc_count: number;
    /**
     * Fit quality (trend detector only).
     */
    r2?: number;
    /**
     * Who retains the growth: only from a live run with snapshots enabled ([`LeakRetainers`]);
     * the detectors never set it.
     */
    retainers?: LeakRetainers;
    /**
     * Which code allocated the growth: only from a live run with allocation sampling on
     * ([`LeakAllocations`](crate::alloc::LeakAllocations)); the detectors never set it.
     */
    allocations?: LeakAllocations;
}

export interface LeakReport {
    baseline_nodes: number;
    target_nodes: number;
    final_nodes: number;
    /**
     * Objects in `(target \ baseline) ∩ final` reachable in FINAL, internal ones included.
     */
    leaked_objects: number;
    /**
     * Their total self size in FINAL.
     */
    leaked_self_size: number;
    /**
     * Leak roots counted in `groups` (before `max_groups` truncation).
     */
    reported_objects: number;
    /**
     * Sum of the leak roots' retained sizes in FINAL.
     */
    reported_retained_size: number;
    /**
     * Groups not shown because of `max_groups` (smaller path groups are counted without being
     * rendered, so this is an upper bound when hash groups would have merged).
     */
    omitted_groups: number;
    /**
     * By class and normalised retainer path, largest retained size first.
     */
    groups: PathGroup[];
    /**
     * The leak roots grouped by the object holding them (existing since BASELINE), largest
     * gained retained size first (at most `max_groups`): the report's first lines.
     */
    holders?: Holder[];
}

/**
 * Options with every field optional (core's `LeakOptions` requires all).
 */
export interface LeakReportOptions {
    /**
     * Also report V8-internal objects (hidden, code, ...); default false.
     */
    include_internal?: boolean | null;
    /**
     * Path groups to report (0: all), largest retained size first; default: core's, as
     * `leakReportDefaults().max_groups` gives it.
     */
    max_groups?: number | null;
}

export interface LeakRetainers {
    /**
     * Monotonic time of the baseline snapshot (the first full GC's poll, or the previous leak
     * event's snapshot).
     */
    since_ns: number;
    /**
     * Monotonic time of the snapshot taken for this event.
     */
    time_ns: number;
    /**
     * The two snapshot files, when they were kept (`--snapshot-dir`), as in `snapshot` records.
     */
    before_snapshot?: string;
    after_snapshot?: string;
    /**
     * Growing classes, largest self-size growth first, each with representative retainer paths
     * of its new objects (`retainers::growth_report`).
     */
    classes: ClassGrowth[];
    /**
     * The new objects by holder (`retainers::GrowthReport::holders`), largest growth first.
     */
    holders?: Holder[];
    /**
     * Why `classes` is empty when the snapshots could not be taken or read.
     */
    error?: string;
}

/**
 * Who retains the growth behind a recorded `leak` (same `detector` and `gc_seq`), written after
 * it once the live run's snapshots are analysed (format 1.1; 1.0 readers skip it).
 */
export interface LeakRetainersRecord {
    detector: DetectorKind;
    gc_seq: number;
    retainers: LeakRetainers;
}

/**
 * A profile flattened into sites, largest live bytes first.
 */
export interface LiveAllocations {
    sites: LiveSite[];
    total_bytes: number;
    total_samples: number;
}

/**
 * An event of `Analyzer.push`: core's `AnalyzerEvent`, with @airbnb/node-memwatch's field names
 * (`AirbnbStats`) next to node-memwatch's on `stats` (what the Node adapter's listeners get).
 */
export type LiveEvent = ({ event: "stats" } & Stats & AirbnbStats) | ({ event: "leak" } & LeakEvent);

/**
 * Live sampled bytes allocated by one stack.
 */
export interface LiveSite {
    /**
     * Innermost frame first.
     */
    stack: Frame[];
    bytes: number;
    /**
     * Sampled objects still alive (unscaled count).
     */
    samples: number;
}

/**
 * A point in time worth showing: "start", "end", "near_heap_limit", "uncaught_exception", ...
 */
export interface Marker {
    time_ns: number;
    kind: string;
    message?: string;
}

/**
 * Objects of one class held through the same (normalised) retainer path.
 */
export interface PathGroup {
    class: string;
    /**
     * Normalised path (`[*]` for indices and keys), e.g.
     * `(global) leakyCache -> Map table -> [*] -> LeakingClass`.
     */
    path: string;
    /**
     * One member's full path, with real indices, keys and node ids.
     */
    example: RetainerPath;
    count: number;
    self_size: number;
    /**
     * Sum of the members' retained sizes (members never dominate each other, see callers).
     */
    retained_size: number;
}

/**
 * Per-GC-type counters (counts or nanoseconds), one field per [`GcType`].
 */
export interface PerGcType {
    scavenge: number;
    minor_mark_sweep: number;
    mark_sweep_compact: number;
    incremental_marking: number;
    weak_callbacks: number;
}

/**
 * One step of a path: the edge from the previous node to `node_index`.
 */
export interface RetainerHop {
    /**
     * V8 edge type: `property`, `element`, `context`, `internal`, `hidden`, `shortcut`.
     */
    edge_type: string;
    /**
     * The raw edge name (or index, as text).
     */
    edge_name: string;
    node_index: number;
    /**
     * V8's object id (stable across snapshots of one isolate; DevTools shows it as `@id`).
     */
    node_id: number;
    /**
     * How the target reads: class name, `add (closure)`, `"k17"`, `(GC roots)`.
     */
    node: string;
}

export interface RetainerPath {
    /**
     * From the root's first edge to the object itself; of a very long path only the first and
     * last 32 hops, the others counted in `omitted_hops`.
     */
    hops: RetainerHop[];
    /**
     * Hops left out of `hops` in the middle of a long path.
     */
    omitted_hops?: number;
    /**
     * `(global) leakyCache -> Map table -> [k17] -> LeakingClass`
     */
    text: string;
    /**
     * The same with indices and keys replaced by `[*]`: the grouping key.
     */
    normalized: string;
}

/**
 * A naming scheme for node classes (see the module docs).
 */
export type Scheme = "bucket" | "dev_tools";

/**
 * A site whose live bytes grew between two profiles.
 */
export interface SiteGrowth {
    /**
     * The allocating code: the innermost frame with a script (runtime builtins such as
     * `String.prototype.repeat` have none), else the innermost frame.
     */
    site: Frame;
    /**
     * From `site` outward (innermost first), at most [`GrowthOptions::max_frames`] frames.
     * Builtin frames `site` called are not listed: what they allocated counts for `site`.
     */
    stack: Frame[];
    /**
     * Frames left out of `stack`.
     */
    frames_omitted?: number;
    bytes_before: number;
    bytes_after: number;
    samples_before: number;
    samples_after: number;
    growth: number;
}

/**
 * `new SnapshotParser({ sizeHint, edgeDetails })`.
 */
export interface SnapshotParserOptions {
    /**
     * The input's total size in bytes, if known.
     */
    sizeHint?: number | null;
    /**
     * `false` skips edge types and names: enough for diffs and summaries, less memory, faster.
     */
    edgeDetails?: boolean;
}

/**
 * A heap snapshot file written during the run (path relative to the export file's directory
 * when it is inside it).
 */
export interface SnapshotRef {
    time_ns: number;
    path: string;
    label?: string;
    bytes?: number;
}

/**
 * One heap space's usage (V8's `HeapSpaceStatistics`).
 */
export interface SpaceStats {
    name?: string;
    size?: number;
    used?: number;
    available?: number;
    physical?: number;
}

/**
 * The payload of a `stats` event: node-memwatch's fields first, then the extras users asked for.
 */
export interface Stats {
    num_full_gc: number;
    num_inc_gc: number;
    heap_compactions: number;
    usage_trend: number;
    estimated_base: number;
    current_base: number;
    min: number;
    max: number;
    /**
     * Sequence number of the GC sample that produced this event.
     */
    gc_seq: number;
    /**
     * Monotonic end time of that GC, ns since the recording's origin.
     */
    time_ns: number;
    gc_counts: PerGcType;
    gc_pause_ns: PerGcType;
    last_gc_pause_ns: number;
    /**
     * Always complete here (`HeapStats` fields default to 0 only when read from input).
     */
    heap: Required<HeapStats>;
}

export interface TrendConfig {
    /**
     * Number of full-GC baselines in the regression window.
     */
    window?: number;
    /**
     * Full GCs ignored at the start of the recording.
     */
    warmup_gcs?: number;
    /**
     * Minimum coefficient of determination of the fit (0..1).
     */
    min_r2?: number;
    /**
     * Fitted growth over the window must exceed both of these.
     */
    min_growth_bytes?: number;
    min_growth_percent?: number;
}

/**
 * Whether an option takes whole numbers only.
 */
export type ValueKind = "integer" | "number";


/**
 * One live run's allocation sampling: when to take a profile, and each profile against the
 * previous one (`LeakAllocations`, the `allocations` of a `leak` event).
 */
export class AllocationTracker {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The report for a leak whose profile could not be taken (`message` says why).
     */
    failed(message: string, timeNs: number): LeakAllocations;
    /**
     * `interval`: the profiler's sampling interval in bytes (default 524288); a value V8 or core
     * would refuse (not a whole number, 0, above 1 GiB) throws core's message.
     */
    constructor(interval?: number | null);
    /**
     * `profile`: JSON text of `HeapProfiler.getSamplingProfile`'s result (`{"profile": ...}`),
     * of its whole reply, or of a `.heapprofile` file; `timeNs`: monotonic time it was taken.
     * Returns the sites grown since the previous profile; an unreadable profile gives a report
     * with `error` (the baseline stays).
     */
    observe(profile: string, timeNs: number): LeakAllocations;
    /**
     * Whether to take a profile now, after events with a `leak` (`hasLeak`) or a `stats`
     * (`hasStats`, a full GC): the first full GC gives the baseline, then each leak a profile.
     */
    wantsProfile(hasLeak: boolean, hasStats: boolean): boolean;
    /**
     * The sampling interval in bytes (pass it to `HeapProfiler.startSampling`).
     */
    readonly interval: number;
}

export class Analyzer {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * `epochMsAtOrigin`: `Date.now()` at monotonic time 0 of the samples (turns GC times into
     * leak events' dates); `config`: detector options over the defaults (same shape and checks
     * as `analyzeExport`'s options; a bad one throws core's message).
     */
    constructor(epochMsAtOrigin: number, config?: AnalyzerConfig | null);
    /**
     * Feeds one GC sample; returns the events it produced (often none). `stats` events carry
     * @airbnb/node-memwatch's field names too (`AirbnbStats`). While recording, the sample and
     * its events are appended to the recording (see `takeRecorded`).
     */
    push(sample: GcSample): LiveEvent[];
    /**
     * Appends a `marker` record (`start`, `end`, ...) to the recording.
     */
    recordMarker(timeNs: number, kind: string, message?: string | null): void;
    /**
     * Starts an export recording of this analyzer's samples and events: writes the header (with
     * this analyzer's detector parameters, so re-analysis reproduces its events) to the buffer
     * `takeRecorded()` drains. `options`: `{producer, target, labels}` of the header.
     */
    startRecording(options: { producer?: string; target?: unknown; labels?: Record<string, string> }): void;
    /**
     * The counters after the last sample.
     */
    stats(): Stats;
    /**
     * Ends the recording (what was not taken yet is dropped: take it first).
     */
    stopRecording(): void;
    /**
     * The recorded bytes not taken yet (whole lines), emptying the buffer; empty when not
     * recording.
     */
    takeRecorded(): Uint8Array;
    /**
     * Whether a recording is on.
     */
    readonly recording: boolean;
}

/**
 * A parsed export file held in wasm memory: parse once, then read its parts or re-analyse it
 * with other detector options without parsing again. Call `free()` when done.
 */
export class Export {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Re-runs stats and leak detection with `options` over the recorded parameters, like
     * `analyzeExport(bytes, options)` and `memwatch analyze --json`.
     */
    analyze(options?: AnalyzerConfig | null): ExportAnalysis;
    /**
     * The GC samples (`gc` records) only, in file order.
     */
    gcSamples(): GcSample[];
    /**
     * The header line.
     */
    header(): ExportHeader;
    /**
     * Parses a whole export file (throws core's message, with the line, on a bad file).
     */
    constructor(bytes: Uint8Array | ArrayBuffer);
    /**
     * Every record after the header, in file order (unknown record types are skipped).
     */
    records(): ExportRecord[];
    /**
     * `{header, records, truncated_line, skipped_records}`, as `parseExport` returns.
     */
    toJSON(): ExportFile;
    /**
     * Records of types this version does not know (a newer minor version), skipped.
     */
    readonly skippedRecords: number;
    /**
     * 1-based line number of a cut-off last line that was ignored, or null.
     */
    readonly truncatedLine: number | null;
}

/**
 * Collects an export file pushed in chunks (e.g. from `File.stream()`), then parses or analyses
 * it. Export files are small next to snapshots (one line per GC), so the bytes are kept whole.
 */
export class ExportParser {
    free(): void;
    [Symbol.dispose](): void;
    analyze(options?: AnalyzerConfig | null): ExportAnalysis;
    /**
     * Ends the input and returns the parsed file as an `Export` handle.
     */
    finishExport(): Export;
    finish(): ExportFile;
    constructor();
    push(chunk: Uint8Array | ArrayBuffer): void;
    readonly bytesConsumed: number;
}

/**
 * A parsed heap snapshot held in wasm memory. Call `free()` when done (a FinalizationRegistry
 * frees forgotten ones eventually, but snapshots are big).
 */
export class Snapshot {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * `diff(after)` and DevTools' Comparison columns of its rows (# New, # Deleted, # Delta,
     * Alloc. size, Freed size, Size delta) from the same walk: `{ heapdiff, rows }`.
     */
    compare(after: Snapshot): DiffComparison;
    /**
     * node-memwatch's HeapDiff from this snapshot (before) to `after`.
     */
    diff(after: Snapshot): HeapDiffResult;
    /**
     * Parses a whole snapshot held in one `Uint8Array`.
     */
    static fromBytes(bytes: Uint8Array | ArrayBuffer): Snapshot;
    /**
     * A graph from `toTransfer`'s buffer; a damaged buffer is an error.
     */
    static fromTransfer(bytes: Uint8Array | number[]): Snapshot;
    /**
     * The V8 node id of every node, in snapshot order: what `leakReportFromIds` needs of the
     * baseline and target snapshots, so they can be parsed elsewhere (another worker) and only
     * their ids moved (4 bytes per node).
     */
    nodeIds(): Uint32Array;
    /**
     * Per-class summary, largest self size first.
     */
    summarize(): ClassSummary[];
    /**
     * The parsed graph as one buffer for `Snapshot.fromTransfer` in another wasm instance (a
     * worker that parsed a file hands its graph to the worker that diffs it), without parsing
     * the JSON again. About the graph's own size.
     */
    toTransfer(): Uint8Array;
    readonly edgeCount: number;
    readonly nodeCount: number;
}

/**
 * Incremental `.heapsnapshot` parser: `push()` chunks as they arrive (e.g. from
 * `File.stream()`), then `finish()`. After an error or `finish()` the parser is spent.
 */
export class SnapshotParser {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Ends the input and returns the parsed graph, kept in wasm memory until `free()`.
     */
    finish(): Snapshot;
    /**
     * `options.sizeHint`: the input's total size, if known (bounds up-front reservations);
     * `options.edgeDetails: false` drops edge types and names, which a HeapDiff and a summary do
     * not need (5 of every 9 bytes per edge; faster).
     */
    constructor(options?: SnapshotParserOptions | null);
    /**
     * Feeds the next chunk (a `Uint8Array` or an `ArrayBuffer`).
     */
    push(chunk: Uint8Array | ArrayBuffer): void;
    /**
     * Bytes pushed so far (for progress bars).
     */
    readonly bytesConsumed: number;
}

/**
 * Re-analyses an export file, like `memwatch analyze --json`. `options` override the detector
 * parameters recorded in the file's header field by field, exactly as the CLI's detector flags
 * do: `{classic: {growth_count: 3}}` changes one field and keeps the rest, `{trend: null}` turns
 * a detector off (`--no-trend`), no options reproduce the live run. A bad option throws core's
 * message (the one the CLI prints). To analyse one file several times, parse it once with
 * `new Export(bytes)`.
 */
export function analyzeExport(bytes: Uint8Array | ArrayBuffer, options?: AnalyzerConfig | null): ExportAnalysis;

/**
 * The DevTools classes (`retainedSizes`, `growthReport`) whose objects a HeapDiff bucket holds:
 * `"Array"` -> `["(array)", "Array"]`, `"Closure"` -> `["(closure)", "Closure"]`, a constructor
 * name -> itself.
 */
export function bucketClasses(bucket: string): string[];

/**
 * Count, self size and retained size of every HeapDiff bucket (`Array`, `String`, a
 * constructor name, ...) of `snapshot`, sorted like HeapDiff's rows; each equals
 * `classRetainers(snapshot, what, 0, "bucket")`'s totals. The first call computes the dominator tree.
 */
export function bucketRetainedSizes(snapshot: Snapshot): BucketRetained[];

/**
 * How class `class_name` (under `scheme`, as for `classRetainers`) changed from `before` to
 * `after`: counts, self and retained sizes, new objects and up to 3 path groups of the new
 * objects (the paths of `growthReport`); `null` when it did not grow.
 */
export function classGrowth(before: Snapshot, after: Snapshot, class_name: string, scheme?: string | null): ClassGrowth | null;

/**
 * Count, self and retained size of class `class_name` in `snapshot`, and up to `k` retainer
 * path groups of its members that no other member dominates (largest retained size first).
 * `scheme`: `"devtools"` (default; the classes of `retainedSizes` and `growthReport`) or
 * `"bucket"` (a HeapDiff row's name: `Array`, `String`, `Closure`, a constructor name).
 * A class with no reachable member gives zeros and no paths.
 */
export function classRetainers(snapshot: Snapshot, class_name: string, k: number, scheme?: string | null): ClassRetainers;

/**
 * Which format a file holds, from its first bytes (up to 4096; the whole file when shorter):
 * `"snapshot"` (a V8 `.heapsnapshot`) or `"export"` (a memwatch export). Throws "the file is
 * empty" or "neither a V8 heap snapshot (.heapsnapshot) nor a memwatch export file (.jsonl)".
 */
export function detectFileKind(head: Uint8Array | ArrayBuffer): "snapshot" | "export";

/**
 * Core's detector options (names, CLI flags, inclusive bounds, defaults, help), e.g. for a form.
 */
export function detectorOptions(): DetectorOptionInfo[];

/**
 * node-memwatch's HeapDiff of two snapshots given as bytes (`hd.end()`'s object).
 */
export function diffSnapshots(before: Uint8Array | ArrayBuffer, after: Uint8Array | ArrayBuffer): HeapDiffResult;

/**
 * Text from a file or a heap made safe for a terminal: control characters and bidi overrides
 * escaped (`\u{1b}`); `keep_lines` keeps `\n` and `\t`.
 */
export function escapeControls(text: string, keep_lines: boolean): string;

/**
 * Core's memwatch GC type for V8's `GCType` bits (a perf_hooks `gc` entry's `detail.kind`); an
 * unknown bit pattern gives `"v8_gc_type_<bits>"` (kept and marked, never guessed).
 */
export function gcTypeFromV8Bits(bits: number): GcType;

/**
 * Core's memwatch GC type for a `v8.GCProfiler` collection name (`"MarkSweepCompact"`, ...), or
 * null for a name it does not know.
 */
export function gcTypeFromV8Name(name: string): GcType | null;

/**
 * The `n` classes whose self size grew most from `before` to `after`, with retained sizes,
 * retained-size deltas and up to 3 retainer paths of their new objects.
 */
export function growthReport(before: Snapshot, after: Snapshot, n: number): GrowthReport;

/**
 * Three-snapshot leak report (baseline, target after the action, final after cleanup; all of
 * one isolate), as `memwatch leaks --json`.
 */
export function leakReport(baseline: Snapshot, target: Snapshot, final_snapshot: Snapshot, options?: LeakReportOptions | null): LeakReport;

/**
 * Core's leak-report options when none are given (`{ include_internal, max_groups }`): what an
 * omitted `LeakReportOptions` field means, e.g. for a `--max-groups` help text.
 */
export function leakReportDefaults(): { include_internal: boolean; max_groups: number };

/**
 * `leakReport` with the baseline and target given by their node ids (`Snapshot.nodeIds()`),
 * e.g. parsed in other workers: the same report.
 */
export function leakReportFromIds(baselineIds: Uint32Array | number[], targetIds: Uint32Array | number[], final_snapshot: Snapshot, options?: LeakReportOptions | null): LeakReport;

/**
 * Parses an export file: `{header, records, truncated_line, skipped_records}`.
 */
export function parseExport(bytes: Uint8Array | ArrayBuffer): ExportFile;

/**
 * One-line text from a file or a heap for a terminal: escaped as by `escapeControls` (newlines
 * too) and cut to `max` characters (`(anonymous)` when empty).
 */
export function printableText(text: string, max: number): string;

/**
 * `memwatch analyze`'s output for an `analyzeExport` result of the export file named `file`.
 * Ends with a newline.
 */
export function renderExportAnalysis(analysis: ExportAnalysis, file: string, format: "text" | "json" | undefined): string;

/**
 * `memwatch diff`'s output for a HeapDiff (`diffSnapshots`/`Snapshot.diff`) and, as with
 * `--retainers N`, a `growthReport`: the table, or node-memwatch's JSON line with the growth
 * report under `retainers`. Ends with a newline.
 */
export function renderHeapDiff(diff: HeapDiffResult, retainers: GrowthReport | null | undefined, format: "text" | "json" | undefined): string;

/**
 * `memwatch leaks`' output for a `leakReport`; `baseline` and `final_snapshot` are the names the
 * text shows for those snapshots (the CLI shows the paths as given). Ends with a newline.
 */
export function renderLeakReport(report: LeakReport, baseline: string, final_snapshot: string, format: "text" | "json" | undefined): string;

/**
 * The detector parameters `options` give over the built-in defaults (what `Analyzer` uses),
 * validated; throws core's message for a bad option.
 */
export function resolveAnalyzerConfig(options?: AnalyzerConfig | null): AnalyzerConfig;

/**
 * Count, self size and retained size of every class (members not dominated by another member
 * of the class), largest retained size first: the first call computes the dominator tree.
 */
export function retainedSizes(snapshot: Snapshot): ClassRetainedSize[];

/**
 * Per-class summary (`[{what, count, self_size}]`, largest self size first) of one snapshot.
 */
export function summarizeSnapshot(bytes: Uint8Array | ArrayBuffer): ClassSummary[];

/**
 * The warning `memwatch analyze` prints on stderr for an export whose last line `line` is cut
 * off (`ExportAnalysis.truncated_line`), without the `memwatch: ` prefix.
 */
export function truncatedLineWarning(file: string, line: number): string;

/**
 * The package version (same as the crates').
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_allocationtracker_free: (a: number, b: number) => void;
    readonly __wbg_analyzer_free: (a: number, b: number) => void;
    readonly __wbg_export_free: (a: number, b: number) => void;
    readonly __wbg_exportparser_free: (a: number, b: number) => void;
    readonly __wbg_snapshot_free: (a: number, b: number) => void;
    readonly __wbg_snapshotparser_free: (a: number, b: number) => void;
    readonly allocationtracker_failed: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly allocationtracker_interval: (a: number) => number;
    readonly allocationtracker_new: (a: number, b: number) => [number, number, number];
    readonly allocationtracker_observe: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly allocationtracker_wantsProfile: (a: number, b: number, c: number) => number;
    readonly analyzeExport: (a: any, b: number) => [number, number, number];
    readonly analyzer_new: (a: number, b: number) => [number, number, number];
    readonly analyzer_push: (a: number, b: any) => [number, number, number];
    readonly analyzer_recordMarker: (a: number, b: number, c: any, d: any) => [number, number];
    readonly analyzer_recording: (a: number) => number;
    readonly analyzer_startRecording: (a: number, b: any) => [number, number];
    readonly analyzer_stats: (a: number) => [number, number, number];
    readonly analyzer_stopRecording: (a: number) => void;
    readonly analyzer_takeRecorded: (a: number) => [number, number];
    readonly bucketClasses: (a: any) => [number, number, number, number];
    readonly bucketRetainedSizes: (a: number) => [number, number, number];
    readonly classGrowth: (a: number, b: number, c: any, d: any) => [number, number, number];
    readonly classRetainers: (a: number, b: any, c: any, d: any) => [number, number, number];
    readonly detectFileKind: (a: any) => [number, number, number];
    readonly detectorOptions: () => [number, number, number];
    readonly diffSnapshots: (a: any, b: any) => [number, number, number];
    readonly escapeControls: (a: number, b: number, c: number) => [number, number];
    readonly export_analyze: (a: number, b: number) => [number, number, number];
    readonly export_gcSamples: (a: number) => [number, number, number];
    readonly export_header: (a: number) => [number, number, number];
    readonly export_new: (a: any) => [number, number, number];
    readonly export_records: (a: number) => [number, number, number];
    readonly export_skippedRecords: (a: number) => number;
    readonly export_toJSON: (a: number) => [number, number, number];
    readonly export_truncatedLine: (a: number) => any;
    readonly exportparser_analyze: (a: number, b: number) => [number, number, number];
    readonly exportparser_bytesConsumed: (a: number) => number;
    readonly exportparser_finish: (a: number) => [number, number, number];
    readonly exportparser_finishExport: (a: number) => [number, number, number];
    readonly exportparser_new: () => number;
    readonly exportparser_push: (a: number, b: any) => [number, number];
    readonly gcTypeFromV8Bits: (a: number) => [number, number, number];
    readonly gcTypeFromV8Name: (a: any) => [number, number, number];
    readonly growthReport: (a: number, b: number, c: any) => [number, number, number];
    readonly install_panic_hook: () => void;
    readonly leakReport: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly leakReportDefaults: () => [number, number, number];
    readonly leakReportFromIds: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number];
    readonly parseExport: (a: any) => [number, number, number];
    readonly printableText: (a: number, b: number, c: number) => [number, number];
    readonly renderExportAnalysis: (a: any, b: number, c: number, d: number, e: number) => [number, number, number, number];
    readonly renderHeapDiff: (a: any, b: any, c: number, d: number) => [number, number, number, number];
    readonly renderLeakReport: (a: any, b: number, c: number, d: number, e: number, f: number, g: number) => [number, number, number, number];
    readonly resolveAnalyzerConfig: (a: number) => [number, number, number];
    readonly retainedSizes: (a: number) => [number, number, number];
    readonly snapshot_compare: (a: number, b: number) => [number, number, number];
    readonly snapshot_diff: (a: number, b: number) => [number, number, number];
    readonly snapshot_edgeCount: (a: number) => number;
    readonly snapshot_fromBytes: (a: any) => [number, number, number];
    readonly snapshot_fromTransfer: (a: number, b: number) => [number, number, number];
    readonly snapshot_nodeCount: (a: number) => number;
    readonly snapshot_nodeIds: (a: number) => [number, number];
    readonly snapshot_summarize: (a: number) => [number, number, number];
    readonly snapshot_toTransfer: (a: number) => [number, number];
    readonly snapshotparser_bytesConsumed: (a: number) => number;
    readonly snapshotparser_finish: (a: number) => [number, number, number];
    readonly snapshotparser_new: (a: number) => [number, number, number];
    readonly snapshotparser_push: (a: number, b: any) => [number, number];
    readonly summarizeSnapshot: (a: any) => [number, number, number];
    readonly truncatedLineWarning: (a: number, b: number, c: number) => [number, number];
    readonly version: () => [number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __externref_drop_slice: (a: number, b: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
