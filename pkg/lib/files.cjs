'use strict';
// Snapshots from disk or memory, analysed off the event loop: readSnapshot(), diffFiles(),
// leakFiles() (its three files parsed in parallel). Files are streamed from disk into the engine's
// push parser by the worker (lib/engine-worker.cjs, reading with lib/read-file.cjs) in 4 MiB
// chunks; bytes are copied to it once (postMessage). The results are the engine's objects, the
// same as `memwatch diff --json [--retainers N]` and `memwatch leaks --json` print for the same
// files.

const { fileURLToPath } = require('node:url');
const { EngineWorker, runOnce } = require('./engine-client.cjs');

// A path (string or file: URL), an ArrayBuffer or a Uint8Array (Buffer included).
function source(value, fn, name) {
  if (typeof value === 'string') {
    if (value === '') throw new TypeError(`${fn}: '${name}' is an empty path`);
    return value;
  }
  if (value instanceof URL) return fileURLToPath(value);
  if (value instanceof ArrayBuffer || value instanceof Uint8Array) return value;
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new TypeError(`${fn}: '${name}' must be a file path, a file: URL, an ArrayBuffer or a Uint8Array, got ${got}`);
}

// `options` with only `allowed` keys, each checked by its function (returns the value to use).
function options(value, fn, allowed) {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${fn}: options must be an object`);
  }
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    const check = allowed[key];
    if (check === undefined) {
      throw new TypeError(`${fn}: unknown option '${key}' (expected ${Object.keys(allowed).map((k) => `'${k}'`).join(', ')})`);
    }
    if (v !== undefined) out[key] = check(v, `${fn}: option '${key}'`);
  }
  return out;
}

function count(v, what) {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new TypeError(`${what} must be an integer from 0 to 4294967295, got ${String(v)}`);
  }
  return v;
}

function bool(v, what) {
  if (typeof v !== 'boolean') throw new TypeError(`${what} must be a boolean, got ${typeof v}`);
  return v;
}

/**
 * A snapshot parsed in its own worker: `nodeCount`, `edgeCount`, and the engine's per-snapshot
 * analyses as promises. `free()` ends the worker (its memory goes with it); a handle that is
 * garbage collected is freed too. An idle handle does not keep the process alive.
 */
class WorkerSnapshot {
  #worker;
  constructor(worker, info) {
    this.#worker = worker;
    this.nodeCount = info.nodeCount;
    this.edgeCount = info.edgeCount;
  }
  /** [{ what, count, self_size }], largest first (the engine's `Snapshot.summarize()`). */
  summarize() {
    return this.#worker.request('summarize', { slot: 0 });
  }
  /** Every class with count, self and retained size (the engine's `retainedSizes`). */
  retainedSizes() {
    return this.#worker.request('retainedSizes', { slot: 0 });
  }
  /** The engine's `classRetainers(snapshot, className, maxPaths, scheme)`. */
  classRetainers(className, maxPaths, scheme) {
    const args = scheme === undefined ? [className, maxPaths] : [className, maxPaths, scheme];
    return this.#worker.request('classRetainers', { slot: 0, args });
  }
  free() {
    workers.unregister(this);
    return this.#worker.close();
  }
}

const workers = new FinalizationRegistry((worker) => worker.close());

/** `readSnapshot(path | ArrayBuffer | Uint8Array, { edgeDetails })` -> WorkerSnapshot. */
async function readSnapshot(input, opts) {
  const src = source(input, 'readSnapshot', 'source');
  const o = options(opts, 'readSnapshot', { edgeDetails: bool });
  const worker = new EngineWorker();
  try {
    const info = await worker.request('parse', { slot: 0, source: src, edgeDetails: o.edgeDetails !== false });
    const handle = new WorkerSnapshot(worker, info);
    workers.register(handle, worker, handle);
    return handle;
  } catch (e) {
    worker.close();
    throw e;
  }
}

/** `memwatch diff --json [--retainers N] BEFORE AFTER` as a promise. */
async function diffFiles(before, after, opts) {
  const request = {
    before: source(before, 'diffFiles', 'before'),
    after: source(after, 'diffFiles', 'after'),
    retainers: options(opts, 'diffFiles', { retainers: count }).retainers,
    names: ['before', 'after'], // what bytes are called in errors (a path names itself)
  };
  return runOnce('diff', request);
}

/**
 * `memwatch leaks --json [--max-groups N] [--include-internal] BASELINE TARGET FINAL` as a promise.
 * The three files are parsed at once, one worker each: of BASELINE and TARGET only the node ids
 * are moved to FINAL's worker, which computes the report.
 */
async function leakFiles(baseline, target, final, opts) {
  const o = options(opts, 'leakFiles', { maxGroups: count, includeInternal: bool });
  const src = {
    baseline: source(baseline, 'leakFiles', 'baseline'),
    target: source(target, 'leakFiles', 'target'),
    final: source(final, 'leakFiles', 'final'),
  };
  const worker = new EngineWorker();
  try {
    const parsed = await Promise.allSettled([
      runOnce('ids', { source: src.baseline, name: 'baseline' }),
      runOnce('ids', { source: src.target, name: 'target' }),
      worker.request('parse', { slot: 0, source: src.final, edgeDetails: true, name: 'final' }),
    ]);
    // With several bad inputs, the error of the first in argument order (not the first to fail).
    const failed = parsed.find((p) => p.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const [baselineIds, targetIds] = parsed.map((p) => p.value);
    const request = {
      slot: 0,
      baselineIds,
      targetIds,
      // The engine's option names.
      options: { max_groups: o.maxGroups, include_internal: o.includeInternal },
      name: typeof src.final === 'string' ? src.final : 'final (bytes)',
    };
    return await worker.request('leaksFromIds', request, [baselineIds.buffer, targetIds.buffer]);
  } finally {
    worker.close();
  }
}

module.exports = { readSnapshot, diffFiles, leakFiles, WorkerSnapshot };
