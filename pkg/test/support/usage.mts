// Compiled by test/typescript.test.js with `tsc --noEmit --strict`: the published declarations
// describe the API as documented (a wrong type or a missing export fails the compile).
import memwatch, { HeapDiff, gc, once, diffSnapshots, analyzeExport, SnapshotParser } from 'memwatch-wasm';
import type { HeapDiffResult, Stats, LeakInfo, ClassSummary, ExportAnalysis, Snapshot } from 'memwatch-wasm';
import { growthReport, classRetainers, leakReport } from 'memwatch-wasm';
import type { GrowthReport, ClassRetainers, LeakReport, ClassRetainedSize, AnalyzerEvent, LeakAllocations } from 'memwatch-wasm';
import type { StatsEvent, Recording, ConfigureOptions } from 'memwatch-wasm';
import { record } from 'memwatch-wasm';
import init, { initSync, summarizeSnapshot } from 'memwatch-wasm/web';

memwatch.on('stats', (s: Stats) => { const n: number = s.num_full_gc + s.current_base + s.usage_trend; void n; });
memwatch.on('heapdiff', (d: HeapDiffResult) => { const n: number = d.change.size_bytes; void n; });
memwatch.on('leak', (l: LeakInfo) => { const d: Date = l.start; const r: string = l.reason; void d; void r; });
once('stats', (s) => s.heap.used_heap_size.toFixed());
gc();
const hd = new HeapDiff();
const diff: HeapDiffResult = hd.end();
const total: number = diff.change.size_bytes + diff.change.details.reduce((n, d) => n + d['+'] - d['-'], 0);
void total;
const bytes = new Uint8Array(0);
const d2: HeapDiffResult = diffSnapshots(bytes, bytes);
const a: ExportAnalysis = analyzeExport(bytes, { classic: { growth_count: 3 }, trend: null });
const b: ExportAnalysis = analyzeExport(bytes);
const p = new SnapshotParser();
p.push(bytes);
const consumed: number = p.bytesConsumed;
const snap: Snapshot = p.finish();
const rows: ClassSummary[] = snap.summarize();
const d3: HeapDiffResult = snap.diff(snap);
const growth: GrowthReport = growthReport(snap, snap, 5);
const held: ClassRetainers = classRetainers(snap, 'LeakingClass', 3);
const leaked: LeakReport = leakReport(snap, snap, snap);
const firstPath: string | undefined = leakReport(snap, snap, snap, { max_groups: 1 }).groups[0]?.example.hops[0]?.edge_name;
void [growth.classes[0]?.retained_size_delta, held.paths[0]?.path, leaked.groups, firstPath];
const sizes: ClassRetainedSize[] = memwatch.retainedSizes(snap);
const events: AnalyzerEvent[] = new memwatch.Analyzer(0).push({ seq: 0, gc_type: 'scavenge', start_ns: 0, end_ns: 1, heap: {} });
const leakEvents = events.filter((e) => e.event === 'leak').map((e) => e.reason);
void [sizes, leakEvents];
snap.free();
memwatch.configure({ trend: { window: 4 } });
memwatch.configure({ sampleAllocations: 16384 });
memwatch.on('leak', (l) => void l.allocations?.sites[0]?.site.function.toUpperCase());
const tracker = new memwatch.AllocationTracker(32768);
const sites: LeakAllocations = tracker.observe('{"head": {}}', 0);
void [sites.sites[0]?.growth, tracker.wantsProfile(true, false)];
// @ts-expect-error: sampleAllocations is a boolean or a number of bytes
memwatch.configure({ sampleAllocations: 'yes' });
const config: ConfigureOptions = { classic: { growthCount: 3, noiseFloorBytes: 0 }, trend: null, leakRetainers: 2, sampleAllocations: 65536 };
memwatch.configure(config);
// @ts-expect-error: detector options are camelCase in the Node API
memwatch.configure({ classic: { growth_count: 3 } });
memwatch.on('stats', (s: StatsEvent) => {
  // @airbnb/node-memwatch's names for the same numbers.
  const n: number = s.used_heap_size + s.gcMarkSweepCompactCount + s.gc_time + s.heap.number_of_detached_contexts;
  void n;
});
const rec: Recording = record('app.ndjson', { labels: { service: 'api' } });
const recPath: string = memwatch.record(new URL('file:///tmp/x.ndjson')).path;
rec.close();
void recPath;
void [d2, a, b, consumed, rows, d3, init, initSync, summarizeSnapshot];
// @ts-expect-error: HeapDiff results have no `leaks`
void diff.leaks;
// @ts-expect-error: details entries are typed
void diff.change.details[0].whatever;
