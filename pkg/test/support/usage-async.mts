// Compiled by test/typescript-async.test.js with `tsc --noEmit --strict`: the asynchronous API
// (endAsync, end({ retainers }), leakRetainers, readSnapshot, diffFiles, leakFiles) is typed
// with the engine's generated report types.
import memwatch, { HeapDiff, readSnapshot, diffFiles, leakFiles, configure } from 'memwatch-wasm';
import type { HeapDiffResult, HeapDiffWithRetainers, GrowthReport, LeakReport, LeakInfo, LeakRetainers, WorkerSnapshot, ClassRetainers } from 'memwatch-wasm';

const plain: HeapDiffResult = new HeapDiff().end();
const withRetainers: HeapDiffWithRetainers = new HeapDiff().end({ retainers: 5 });
const holderName: string | undefined = withRetainers.retainers.holders?.[0]?.name;
const asyncPlain: HeapDiffResult = await new HeapDiff().endAsync();
const asyncGrowth: GrowthReport = (await new HeapDiff().endAsync({ retainers: 3 })).retainers;
configure({ leakRetainers: 5, classic: { growthCount: 3 } });
memwatch.configure({ leakRetainers: null });
memwatch.on('leak', (l: LeakInfo) => {
  const r: LeakRetainers | undefined = l.retainers;
  const first: string | undefined = r?.holders?.[0]?.headline;
  void first;
});
const snap: WorkerSnapshot = await readSnapshot('a.heapsnapshot', { edgeDetails: false });
const n: number = snap.nodeCount + snap.edgeCount;
const held: ClassRetainers = await snap.classRetainers('Session', 3, 'bucket');
const top: string | undefined = (await snap.summarize())[0]?.what;
await snap.free();
const fromBytes: WorkerSnapshot = await memwatch.readSnapshot(new Uint8Array(0));
const d: HeapDiffResult = await diffFiles('a.heapsnapshot', new URL('file:///b.heapsnapshot'));
const dr: HeapDiffWithRetainers = await diffFiles(new ArrayBuffer(0), 'b', { retainers: 2 });
const lr: LeakReport = await leakFiles('a', 'b', 'c', { maxGroups: 5, includeInternal: false });
void [plain, holderName, asyncPlain, asyncGrowth, n, held, top, fromBytes, d, dr, lr];
// @ts-expect-error: the engine's snake_case names are not the JS options
void leakFiles('a', 'b', 'c', { max_groups: 5 });
// @ts-expect-error: retainers is a number
void diffFiles('a', 'b', { retainers: true });
// @ts-expect-error: a plain end() has no retainers
void plain.retainers;
