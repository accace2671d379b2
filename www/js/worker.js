// The engine worker: the only place that touches the wasm module (pkg/, built by
// scripts/build-wasm.sh with wasm-bindgen --target web). It streams files into the parsers,
// keeps parsed snapshots and the loaded export in wasm memory, and answers the requests of
// js/engine.js with plain, structured-cloneable objects.
//
// `../../pkg/` resolves to /pkg/ under `memwatch serve` (www/ at /, pkg/ at /pkg/) and to
// <repo>/pkg/ under a static server rooted at the repository.

import { toTimeline, toStatsSeries, normalizeLeaks, normalizeFinalStats } from './model.js';

const PKG_URL = new URL('../../pkg/wasm/web/memwatch_wasm.js', import.meta.url);
const PROGRESS_EVERY_MS = 50;

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
let loadedExport = null; // { bytes, name }

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

async function readAll(file, id) {
  const out = new Uint8Array(file.size);
  let off = 0;
  await streamFile(file, id, (chunk) => {
    out.set(chunk, off);
    off += chunk.byteLength;
  });
  return off === out.length ? out : out.subarray(0, off);
}

/**
 * Format detection from the first bytes. A V8 heap snapshot is one JSON object whose first key
 * is "snapshot"; a memwatch export is line-delimited JSON whose first line is the header record.
 * Anything else is rejected here with a message naming the file; corrupt files of either kind
 * are reported by the wasm parsers with their positions.
 */
async function sniff(file) {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(await file.slice(0, 4096).arrayBuffer());
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (file.size === 0) throw new Error(`${file.name}: the file is empty`);
  if (/^\{\s*"snapshot"\s*:/.test(text)) return 'snapshot';
  if (text.startsWith('{')) {
    const firstLine = text.split('\n', 1)[0];
    try {
      const header = JSON.parse(firstLine);
      if (header && typeof header === 'object' && isExportHeader(header)) return 'export';
    } catch {
      /* fall through to the generic message */
    }
  }
  throw new Error(
    `${file.name}: neither a V8 heap snapshot (.heapsnapshot) nor a memwatch export file (.jsonl)`,
  );
}

/** The export header line (docs/format.md) names the format ("memwatch-export"); a wrong
 * version or a corrupt record is reported by the wasm reader with its line number. */
function isExportHeader(h) {
  return typeof h.format === 'string' && h.format.startsWith('memwatch');
}

const ops = {
  async sniff({ file }) {
    return sniff(file);
  },

  async loadExport({ file, params }, id) {
    const w = await wasm();
    const bytes = await readAll(file, id);
    postMessage({ id, progress: { loaded: bytes.length, total: bytes.length, phase: 'analyse' } });
    let parsed;
    let analysis;
    try {
      parsed = w.parseExport(bytes);
      // params null: the detector parameters recorded in the header (what `memwatch analyze` uses).
      analysis = w.analyzeExport(bytes, params ?? null);
    } catch (e) {
      throw new Error(`${file.name}: ${e.message ?? e}`);
    }
    loadedExport = { bytes, name: file.name };
    return {
      name: file.name,
      producer: analysis.producer,
      formatVersion: analysis.format_version,
      truncatedLine: analysis.truncated_line ?? null,
      skippedRecords: Number(analysis.skipped_records ?? 0),
      timeline: toTimeline(parsed),
      heapdiffs: analysis.heap_diffs ?? [],
      markers: analysis.markers ?? [],
      snapshots: analysis.snapshots ?? [],
      ...analysisResult(analysis),
    };
  },

  async reanalyze({ params }) {
    if (!loadedExport) throw new Error('no export file loaded');
    const w = await wasm();
    return analysisResult(w.analyzeExport(loadedExport.bytes, params));
  },

  async loadSnapshot({ file }, id) {
    const w = await wasm();
    const parser = new w.SnapshotParser();
    try {
      await streamFile(file, id, (chunk) => parser.push(chunk));
      postMessage({ id, progress: { loaded: file.size, total: file.size, phase: 'index' } });
      const snap = parser.finish();
      const handle = nextHandle++;
      snapshots.set(handle, snap);
      return { handle, name: file.name, bytes: file.size, ...snapshotInfo(snap) };
    } catch (e) {
      parser.free?.();
      throw new Error(`${file.name}: ${e.message ?? e}`);
    }
  },

  async diff({ before, after }) {
    // Both snapshots stay parsed in wasm memory: diffing does not re-read the files.
    return getSnapshot(before).diff(getSnapshot(after));
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

/** The parts of core's ExportAnalysis that change with the detector parameters. */
function analysisResult(a) {
  return {
    config: a.config,
    stats: toStatsSeries(a.stats_events ?? []),
    finalStats: normalizeFinalStats(a.stats ?? null),
    leaks: normalizeLeaks(withRecordedRetainers(a.leaks ?? [], a.recorded_leaks ?? [])),
  };
}

/**
 * Retainer paths exist only for leaks the live run recorded (`memwatch run --leak-retainers`):
 * snapshots cannot be re-taken. A re-analysed leak by the same detector at the same GC is the
 * same event, so it gets the recorded paths; leaks only other parameters find get none.
 */
function withRecordedRetainers(leaks, recorded) {
  const key = (l) => `${l.detector}:${l.gc_seq}`;
  const byKey = new Map(recorded.filter((l) => l.retainers).map((l) => [key(l), l.retainers]));
  return leaks.map((l) => (byKey.has(key(l)) ? { ...l, retainers: byKey.get(key(l)) } : l));
}

/** The typed-array columns of a result move to the page instead of being copied. */
function transferables(result) {
  const out = [];
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
