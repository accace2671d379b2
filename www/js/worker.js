// The engine worker: the only place that touches the wasm module (pkg/, built by
// scripts/build-wasm.sh with wasm-bindgen --target web). It streams files into the parsers,
// keeps parsed snapshots and the loaded export in wasm memory, and answers the requests of
// js/engine.js with plain, structured-cloneable objects. Every format and policy decision (which
// file kind, option bounds, which leaks keep retainers) is the engine's; this file only calls.
//
// `../../pkg/` resolves to /pkg/ under `memwatch serve` (www/ at /, pkg/ at /pkg/) and to
// <repo>/pkg/ under a static server rooted at the repository.

import { toTimeline, toStatsSeries, normalizeLeaks } from './model.js';

const PKG_URL = new URL('../../pkg/wasm/web/memwatch_wasm.js', import.meta.url);
const PROGRESS_EVERY_MS = 50;
/** Growing classes the two-snapshot suspects report lists (as `memwatch diff --retainers 10`). */
const SUSPECT_CLASSES = 10;

let wasmPromise = null;
/** Loads and instantiates the wasm package once. */
function wasm() {
  wasmPromise ??= (async () => {
    let mod;
    try {
      mod = await import(PKG_URL.href);
    } catch (e) {
      throw new Error(
        `the wasm engine is not available at ${PKG_URL.pathname} (build it with scripts/build-wasm.sh): ${e.message}`,
      );
    }
    await mod.default();
    return mod;
  })();
  wasmPromise.catch(() => (wasmPromise = null)); // allow a retry after a failed load
  return wasmPromise;
}

const snapshots = new Map(); // handle -> parsed snapshot (wasm object)
let nextHandle = 1;
let loadedExport = null; // the parsed export (wasm Export handle)

/** Reads a File as a stream, calling onChunk(Uint8Array) and posting throttled progress. */
async function streamFile(file, id, onChunk) {
  const total = file.size;
  let loaded = 0;
  let last = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onChunk(value);
    loaded += value.byteLength;
    const now = performance.now();
    if (now - last >= PROGRESS_EVERY_MS) {
      last = now;
      postMessage({ id, progress: { loaded, total, phase: 'read' } });
    }
  }
  postMessage({ id, progress: { loaded, total, phase: 'read' } });
}

/** Which format a file holds: core decides from its first bytes (`detectFileKind`). */
async function fileKind(file) {
  const w = await wasm();
  // Core reads at most its first 4 KiB (DETECT_HEAD_BYTES).
  const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
  try {
    return w.detectFileKind(head);
  } catch (e) {
    throw new Error(`${file.name}: ${e.message ?? e}`);
  }
}

const ops = {
  async sniff({ file }) {
    return fileKind(file);
  },

  /** Core's detector options (names, bounds, defaults) for the parameters form. */
  async detectorOptions() {
    return (await wasm()).detectorOptions();
  },

  async loadExport({ file, params }, id) {
    const w = await wasm();
    const parser = new w.ExportParser();
    let exp;
    let analysis;
    try {
      await streamFile(file, id, (chunk) => parser.push(chunk));
      postMessage({ id, progress: { loaded: file.size, total: file.size, phase: 'analyse' } });
      exp = parser.finishExport();
      // params null: the detector parameters recorded in the header (what `memwatch analyze` uses).
      analysis = exp.analyze(params ?? null);
    } catch (e) {
      exp?.free();
      throw new Error(`${file.name}: ${e.message ?? e}`);
    } finally {
      parser.free();
    }
    // Parsed once and kept: re-analysis with other parameters does not read the file again.
    loadedExport?.free();
    loadedExport = exp;
    return {
      name: file.name,
      producer: analysis.producer,
      formatVersion: analysis.format_version,
      truncatedLine: analysis.truncated_line,
      skippedRecords: analysis.skipped_records,
      unknownGcTypes: analysis.unknown_gc_types,
      timeline: toTimeline(exp.gcSamples()),
      heapdiffs: analysis.heap_diffs,
      markers: analysis.markers,
      snapshots: analysis.snapshots,
      ...analysisResult(analysis),
    };
  },

  async reanalyze({ params }) {
    if (!loadedExport) throw new Error('no export file loaded');
    return analysisResult(loadedExport.analyze(params));
  },

  /** Streams a .heapsnapshot into the parser and keeps it: { handle, name, bytes, lastModified, nodes, edges }. */
  async loadSnapshot({ file }, id) {
    const w = await wasm();
    const parser = new w.SnapshotParser();
    try {
      await streamFile(file, id, (chunk) => parser.push(chunk));
      postMessage({ id, progress: { loaded: file.size, total: file.size, phase: 'index' } });
      const snap = parser.finish();
      const handle = nextHandle++;
      snapshots.set(handle, snap);
      return { handle, name: file.name, bytes: file.size, lastModified: file.lastModified, ...snapshotInfo(snap) };
    } catch (e) {
      parser.free?.();
      throw new Error(`${file.name}: ${e.message ?? e}`);
    }
  },

  /**
   * Parse-only: streams a .heapsnapshot into the parser and returns the graph as a transfer
   * buffer (`Snapshot.toTransfer`) for the engine's worker, then frees it. The page runs this in
   * short-lived extra instances of this worker, one per file, so the files of a diff are parsed
   * on several cores at once.
   */
  async parseToTransfer({ file }, id) {
    const w = await wasm();
    const parser = new w.SnapshotParser();
    let snap;
    try {
      await streamFile(file, id, (chunk) => parser.push(chunk));
      postMessage({ id, progress: { loaded: file.size, total: file.size, phase: 'index' } });
      snap = parser.finish();
      return { transfer: snap.toTransfer(), nodes: snap.nodeCount, edges: snap.edgeCount };
    } catch (e) {
      parser.free?.();
      throw new Error(`${file.name}: ${e.message ?? e}`);
    } finally {
      snap?.free();
    }
  },

  /** Keeps a graph parsed by another worker (`parseToTransfer`'s buffer): { handle, nodes, edges }. */
  async adoptSnapshot({ name, bytes, size, lastModified }) {
    const w = await wasm();
    let snap;
    try {
      snap = w.Snapshot.fromTransfer(bytes);
    } catch (e) {
      throw new Error(`${name}: ${e.message ?? e}`);
    }
    const handle = nextHandle++;
    snapshots.set(handle, snap);
    return { handle, name, bytes: size, lastModified, ...snapshotInfo(snap) };
  },

  async diff({ before, after }) {
    // Both snapshots stay parsed in wasm memory: diffing does not re-read the files.
    return getSnapshot(before).diff(getSnapshot(after));
  },

  /** node-memwatch's HeapDiff and DevTools' Comparison columns of its rows: { heapdiff, rows }. */
  async compare({ before, after }) {
    return getSnapshot(before).compare(getSnapshot(after));
  },

  /**
   * Retained totals of every HeapDiff bucket in BEFORE and AFTER (`bucketRetainedSizes`; the
   * first call per snapshot computes its dominator tree): { before: BucketRetained[], after }.
   */
  async bucketRetained({ before, after }) {
    const w = await wasm();
    return { before: w.bucketRetainedSizes(getSnapshot(before)), after: w.bucketRetainedSizes(getSnapshot(after)) };
  },

  /**
   * The engine's suspects: with three snapshots core's leak report (allocated after BASELINE,
   * still alive in FINAL, TARGET between them), with two its growth report (new in AFTER);
   * both rank the holders of the new objects by the retained size they gained.
   */
  async suspects({ baseline, target, final }) {
    const w = await wasm();
    if (target != null) {
      const r = w.leakReport(getSnapshot(baseline), getSnapshot(target), getSnapshot(final));
      return { mode: 'leaks', report: r };
    }
    return { mode: 'growth', report: w.growthReport(getSnapshot(baseline), getSnapshot(final), SUSPECT_CLASSES) };
  },

  /**
   * Who retains HeapDiff row `what` (a bucket: `Array`, `String`, `Closure` or a constructor name):
   * its retainer paths and retained size in AFTER (`classRetainers`), and how it grew from BEFORE
   * (`classGrowth`: retained-size delta, paths of the new objects; null when it did not grow).
   * Both select the row's objects with the engine's bucket scheme, the classes HeapDiff counted.
   */
  async retainers({ before, after, what, k }) {
    const w = await wasm();
    const b = getSnapshot(before);
    const a = getSnapshot(after);
    return {
      retainers: w.classRetainers(a, what, k, 'bucket'),
      growth: w.classGrowth(b, a, what, 'bucket') ?? null,
    };
  },

  async summary({ handle }) {
    return getSnapshot(handle).summarize();
  },

  async drop({ handle }) {
    snapshots.get(handle)?.free?.();
    snapshots.delete(handle);
    return true;
  },
};

function getSnapshot(handle) {
  const s = snapshots.get(handle);
  if (!s) throw new Error(`snapshot #${handle} is not loaded`);
  return s;
}

function snapshotInfo(snap) {
  return { nodes: snap.nodeCount, edges: snap.edgeCount };
}

/** The parts of core's ExportAnalysis that change with the detector parameters (core decides
 * which re-analysed leaks carry recorded retainers). */
function analysisResult(a) {
  return {
    config: a.config,
    stats: toStatsSeries(a.stats_events),
    finalStats: a.stats,
    leaks: normalizeLeaks(a.leaks),
  };
}

/** The typed-array columns of a result (and a graph buffer) move instead of being copied. */
function transferables(result) {
  const out = [];
  if (result?.transfer instanceof Uint8Array) out.push(result.transfer.buffer);
  for (const group of [result?.timeline, result?.stats]) {
    for (const v of Object.values(group ?? {})) {
      if (ArrayBuffer.isView(v)) out.push(v.buffer);
    }
  }
  return out;
}

self.addEventListener('message', async (e) => {
  const { id, op, args } = e.data;
  try {
    const fn = ops[op];
    if (!fn) throw new Error(`unknown engine operation ${op}`);
    const result = await fn(args, id);
    postMessage({ id, ok: true, result }, transferables(result));
  } catch (err) {
    postMessage({ id, ok: false, error: String(err?.message ?? err) });
  }
});
