// The viewer's engine interface. Every computation runs in a Web Worker (js/worker.js) that
// owns the wasm module from pkg/ (snapshots are parsed in extra, short-lived instances of the
// same worker, in parallel); this class only posts messages and returns promises, so the
// page never blocks and a different backend (e.g. `memwatch serve` answering over HTTP) could
// implement the same methods later.
//
// Results are plain objects (structured clones): see docs/viewer.md for their shapes.

/** One worker running js/worker.js: requests by id, progress messages, rejection if it dies. */
class WorkerClient {
  constructor(url, name) {
    this.worker = new Worker(url, { type: 'module', name });
    this.nextId = 1;
    this.pending = new Map();
    this.worker.addEventListener('message', (e) => this.#onMessage(e.data));
    this.worker.addEventListener('error', (e) => {
      // A worker that failed to start (e.g. a module that does not load) rejects everything.
      const err = new Error(`engine worker failed: ${e.message || 'could not start'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  call(op, args, onProgress, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, op, args }, transfer);
    });
  }

  terminate() {
    this.worker.terminate();
  }

  #onMessage(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.progress) {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  }
}

/**
 * Snapshots are parsed in parallel, by default on all cores but one (the page's main thread
 * keeps one; measured on a busy 2-core machine, two parses at once starved it for 0.6 s and
 * were no faster: docs/benchmarks-viewer.md), at most 4: one in the engine's own worker, the
 * others each in a short-lived worker of their own (the same script, its own wasm instance),
 * whose parsed graph then moves to the engine's worker as one transferred buffer.
 */
const DEFAULT_PARSES = Math.max(1, Math.min((navigator.hardwareConcurrency || 2) - 1, 4));

export class Engine {
  /** `parseWorkers`: snapshot parses at once (default: the cores but one, at most 4). */
  constructor(workerUrl = new URL('./worker.js', import.meta.url), { parseWorkers } = {}) {
    this.workerUrl = workerUrl;
    this.parallelParses = parseWorkers > 0 ? Math.floor(parseWorkers) : DEFAULT_PARSES;
    this.main = new WorkerClient(workerUrl, 'memwatch-engine');
    this.worker = this.main.worker;
    this.parsing = 0;
    this.engineParsing = false;
    this.peakParsing = 0;
    this.waiting = []; // resolvers of parses waiting for a slot
  }

  /** How many snapshot parses may run at once, and the most that did (tests, benchmarks). */
  parseStats() {
    return { limit: this.parallelParses, peak: this.peakParsing };
  }

  /** Which format a file holds, from its first bytes: 'export' | 'snapshot' (throws otherwise). */
  sniff(file) {
    return this.#call('sniff', { file });
  }

  /** Core's detector options: [{ detector, name, flag, kind, min, max, default, help }]. */
  detectorOptions() {
    return this.#call('detectorOptions', {});
  }

  /**
   * Loads an export file and analyses it with detector `params`.
   * Resolves to { header, samples, stats, finalStats, leaks, heapdiffs, markers, snapshots, warnings }.
   */
  loadExport(file, params, onProgress) {
    return this.#call('loadExport', { file, params }, onProgress);
  }

  /** Re-runs the leak detectors on the loaded export with new params: { stats, finalStats, leaks }. */
  reanalyze(params) {
    return this.#call('reanalyze', { params });
  }

  /**
   * Parses a .heapsnapshot (streamed into the incremental parser in a worker of its own, in
   * parallel with other files) and keeps it in the engine: resolves to
   * { handle, name, bytes, lastModified, nodes, edges }.
   */
  async loadSnapshot(file, onProgress) {
    await this.#parseSlot();
    if (!this.engineParsing) {
      // The engine's own worker parses one file at a time itself: no graph to move afterwards
      // (a single file costs nothing extra; a pair moves only the second graph).
      this.engineParsing = true;
      try {
        return await this.#call('loadSnapshot', { file }, onProgress);
      } finally {
        this.engineParsing = false;
        this.#releaseSlot();
      }
    }
    const parser = new WorkerClient(this.workerUrl, `memwatch-parse ${file.name}`);
    try {
      const { transfer } = await parser.call('parseToTransfer', { file }, onProgress);
      const args = { name: file.name, bytes: transfer, size: file.size, lastModified: file.lastModified };
      return await this.#call('adoptSnapshot', args, undefined, [transfer.buffer]);
    } finally {
      parser.terminate(); // its wasm memory (the parse's peak) goes with it
      this.#releaseSlot();
    }
  }

  #releaseSlot() {
    this.parsing--;
    this.waiting.shift()?.();
  }

  #parseSlot() {
    const take = () => {
      this.parsing++;
      this.peakParsing = Math.max(this.peakParsing, this.parsing);
    };
    if (this.parsing < this.parallelParses) {
      take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => {
      take();
      resolve();
    }));
  }

  /** node-memwatch HeapDiff object of two loaded snapshots (handles from loadSnapshot). */
  diff(before, after) {
    return this.#call('diff', { before, after });
  }

  /** { heapdiff, rows }: node-memwatch's HeapDiff and DevTools' Comparison columns per row. */
  compare(before, after) {
    return this.#call('compare', { before, after });
  }

  /** { before, after }: BucketRetained[] (count, self and retained size per HeapDiff row) of each. */
  bucketRetained(before, after) {
    return this.#call('bucketRetained', { before, after });
  }

  /**
   * Holders of the new objects: { mode: 'leaks', report: LeakReport } when `target` is given
   * (three snapshots), else { mode: 'growth', report: GrowthReport } of BASELINE -> FINAL.
   */
  suspects(baseline, target, final) {
    return this.#call('suspects', { baseline, target, final });
  }

  /**
   * Retainer paths of class `what` in snapshot `after` and its growth since `before`:
   * { retainers: ClassRetainers, growth: ClassGrowth | null } (pkg's classRetainers/classGrowth, bucket scheme).
   */
  retainers(before, after, what, k = 5) {
    return this.#call('retainers', { before, after, what, k });
  }

  /** Per-class summary of one loaded snapshot: [{ what, count, self_size }]. */
  summary(handle) {
    return this.#call('summary', { handle });
  }

  /** Frees a loaded snapshot's memory in the worker. */
  drop(handle) {
    return this.#call('drop', { handle });
  }

  terminate() {
    this.main.terminate();
  }

  #call(op, args, onProgress, transfer) {
    return this.main.call(op, args, onProgress, transfer);
  }
}
