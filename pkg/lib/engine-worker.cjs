'use strict';
// The worker behind every asynchronous call of the package (hd.endAsync, leak retainers,
// readSnapshot, diffFiles, leakFiles): it loads its own copy of the wasm engine, streams snapshot
// files from disk into the engine's push parser in chunks (lib/read-file.cjs, as the bin), and
// answers with the engine's plain result objects. Parsed snapshots live in this worker's wasm
// memory, keyed by a slot number chosen by the caller (lib/engine-client.cjs); the worker decides
// nothing the engine could.
//
// Requests: { id, op, ...args } on parentPort; answers { id, ok: true, value } or
// { id, ok: false, message }. The worker is terminated by its client when done, which also
// returns its wasm memory (it never shrinks while the worker lives).

const { parentPort } = require('node:worker_threads');
const engine = require('../wasm/node/memwatch_wasm.js');
const { InputError, readSnapshot } = require('./read-file.cjs');

const snapshots = new Map();

// `source`: a file path, or bytes (a Uint8Array / ArrayBuffer copied in by postMessage) called
// `name` in errors.
function parse(source, edgeDetails, name) {
  return readSnapshot(engine, source, { edgeDetails, name });
}

function slot(n) {
  const s = snapshots.get(n);
  if (s === undefined) throw new Error(`internal error: no snapshot in slot ${n}`);
  return s;
}

function freeSlot(n) {
  const s = snapshots.get(n);
  if (s !== undefined) {
    snapshots.delete(n);
    s.free();
  }
}

// What a source is called in error messages about it.
function label(source, name) {
  return typeof source === 'string' ? source : `${name} (bytes)`;
}

const ops = {
  // -> { nodeCount, edgeCount }
  parse({ slot: n, source, edgeDetails, name }) {
    freeSlot(n);
    const s = parse(source, edgeDetails !== false, label(source, name ?? 'source'));
    snapshots.set(n, s);
    return { nodeCount: s.nodeCount, edgeCount: s.edgeCount };
  },
  // The node ids of a source (all a leak report needs of its baseline and target): a Uint32Array,
  // moved to the caller (not copied).
  ids({ source, name }) {
    const s = parse(source, false, label(source, name));
    try {
      return s.nodeIds();
    } finally {
      s.free();
    }
  },
  // `memwatch leaks --json` from the ids of baseline and target and the parsed final snapshot.
  leaksFromIds({ slot: n, baselineIds, targetIds, options, name }) {
    return withName(() => engine.leakReportFromIds(baselineIds, targetIds, slot(n), options ?? undefined), name);
  },
  free({ slot: n }) {
    freeSlot(n);
    return null;
  },
  // Calls on parsed snapshots: the engine's functions, arguments passed through.
  summarize({ slot: n }) {
    return slot(n).summarize();
  },
  retainedSizes({ slot: n }) {
    return engine.retainedSizes(slot(n));
  },
  classRetainers({ slot: n, args }) {
    return engine.classRetainers(slot(n), ...args);
  },
  // `memwatch diff --json [--retainers N]` of two sources: node-memwatch's HeapDiff object, plus
  // `retainers` (the engine's growth report) when `retainers` is a number. Both graphs are freed
  // before answering.
  diff({ before, after, retainers, names }) {
    const edgeDetails = retainers !== undefined && retainers !== null;
    const held = [];
    try {
      const b = parse(before, edgeDetails, label(before, names[0]));
      held.push(b);
      const a = parse(after, edgeDetails, label(after, names[1]));
      held.push(a);
      const diff = b.diff(a);
      if (edgeDetails) diff.retainers = withName(() => engine.growthReport(b, a, retainers), label(after, names[1]));
      return diff;
    } finally {
      for (const s of held) s.free();
    }
  },
  // The engine's growth report of two sources (a leak event's `retainers`).
  growth({ before, after, retainers, names }) {
    const held = [];
    try {
      held.push(parse(before, true, label(before, names[0])));
      held.push(parse(after, true, label(after, names[1])));
      return withName(() => engine.growthReport(held[0], held[1], retainers), label(after, names[1]));
    } finally {
      for (const s of held) s.free();
    }
  },
};

// Engine errors about one input name it (parse() errors already do): an InputError, which the
// bin reports with exit code 2.
function withName(fn, name) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(name, String(e && e.message));
  }
}

parentPort.on('message', (req) => {
  let reply;
  try {
    const op = ops[req.op];
    if (op === undefined) throw new Error(`internal error: unknown engine-worker op ${req.op}`);
    reply = { id: req.id, ok: true, value: op(req) };
  } catch (e) {
    reply = { id: req.id, ok: false, message: String(e && e.message), type: e instanceof TypeError ? 'TypeError' : e instanceof InputError ? 'InputError' : 'Error' };
  }
  // Typed arrays made for the caller (node ids) are moved, not copied.
  const transfer = reply.ok && ArrayBuffer.isView(reply.value) ? [reply.value.buffer] : [];
  parentPort.postMessage(reply, transfer);
});
