'use strict';
// The package's side of node-memwatch's HeapDiff (the class is in lib/facade.js), on Node's own
// APIs: v8.writeHeapSnapshot() to a private temp file at start and at end, then both files
// streamed into the wasm parser and diffed by the engine: on this thread for end(), in a worker
// for endAsync().
//
// Keeping the adapter out of the user's diff: everything the adapter allocates on the JS heap
// between the two snapshots is either reachable only through the HeapDiff object (which the
// engine's walk does not enter, like node-memwatch) or was allocated before the first snapshot:
// both file names (flattened), the state object and the FinalizationRegistry cell are created
// first; the snapshot windows go into a preallocated Float64Array; `end()` is compiled at load time. Parsing
// (wasm memory growth, read buffers) happens only after the second snapshot, so the wasm
// memory's ArrayBuffer is the same object in both snapshots of any later HeapDiff.
// V8 runs full GCs itself before writing a snapshot, so each side is measured after a full GC;
// those GCs are flagged as snapshot GCs and not counted in stats.

const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const { markSnapshotStart, markSnapshotEnd } = require('./gc-sampler.cjs');
const { snapshotDir, writeFile, removeFile } = require('./temp-snapshots.cjs');
const { runOnce } = require('./engine-client.cjs');

const READ_CHUNK = 4 << 20;

let fileCounter = 0;

// A HeapDiff dropped without end() leaves only its first snapshot file; delete it when the object
// is collected (and at exit or on a signal, with the directory: lib/temp-snapshots.cjs).
const forgotten = new FinalizationRegistry(removeFile);

// A flat copy of `s`. path.join() returns cons strings, which V8 flattens (allocating a new
// string) on first native use; doing that here, before the first snapshot, keeps the flattened
// copy of the second file name out of the user's diff. (Not internalized: the string table is a
// root, so internalized names would outlive their HeapDiff in the next diff's "before".)
function flat(s) {
  return Buffer.from(s, 'utf8').toString('utf8');
}

// The per-HeapDiff state, built in its own frame so its temporaries are garbage by the time the
// first snapshot is written (locals of a live frame are GC roots and would show up as freed).
function newState() {
  const dir = snapshotDir();
  const id = `${process.pid}-${fileCounter++}`;
  return {
    before: flat(path.join(dir, `${id}-before.heapsnapshot`)),
    after: flat(path.join(dir, `${id}-after.heapsnapshot`)),
    ended: false,
  };
}

function writeSnapshot(file) {
  markSnapshotStart();
  try {
    v8.writeHeapSnapshot(file);
  } finally {
    markSnapshotEnd();
  }
}

/** Writes a heap snapshot to `file` in the private temp directory (counted until removeFile). */
function takeSnapshot(file) {
  writeFile(file, writeSnapshot);
}

/** A fresh, unpredictable-directory path for a snapshot of the process (leak retainers). */
function tempSnapshotPath(label) {
  return path.join(snapshotDir(), `${process.pid}-${fileCounter++}-${label}.heapsnapshot`);
}

/**
 * The HeapDiff host of the facade (lib/facade.js): `start(owner)` writes the "before" snapshot and
 * returns the diff's state; `end(state, retainers)` writes the "after" snapshot and diffs the two
 * in the wasm engine on this thread; `endAsync(state, retainers)` writes it and leaves parsing and
 * analysis to a worker (lib/engine-worker.cjs). With `retainers` (a number) the result has the
 * engine's growth report under `retainers`, like `memwatch diff --json --retainers N`. Both files
 * are deleted (a forgotten HeapDiff's by the finalizer or at exit).
 */
function makeHeapDiffHost(engine) {
  // Streams a snapshot file into the wasm parser; the parsed graph stays in wasm memory.
  function parseFile(file, buf, edgeDetails) {
    const fd = fs.openSync(file, 'r');
    // Without retainers a HeapDiff needs no edge names: skipping them saves memory and time.
    const parser = new engine.SnapshotParser({ sizeHint: fs.fstatSync(fd).size, edgeDetails });
    try {
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        parser.push(buf.subarray(0, n));
      }
      return parser.finish();
    } catch (e) {
      throw new Error(`${file}: ${e.message}`);
    } finally {
      fs.closeSync(fd);
      parser.free();
    }
  }

  function diffFiles(beforeFile, afterFile, retainers) {
    const withRetainers = retainers !== undefined;
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    const before = parseFile(beforeFile, buf, withRetainers);
    let after = null;
    try {
      after = parseFile(afterFile, buf, withRetainers);
      const diff = before.diff(after);
      if (withRetainers) diff.retainers = engine.growthReport(before, after, retainers);
      return diff;
    } finally {
      before.free();
      if (after) after.free();
    }
  }

  function start(owner) {
    const state = newState();
    forgotten.register(owner, state.before, state);
    takeSnapshot(state.before);
    return state;
  }

  function cleanUp(state) {
    forgotten.unregister(state);
    removeFile(state.before);
    removeFile(state.after);
  }

  // `null`: the warm-up call below.
  function end(state, retainers) {
    if (state === null) return null;
    try {
      takeSnapshot(state.after);
      return diffFiles(state.before, state.after, retainers);
    } finally {
      cleanUp(state);
    }
  }
  // Compile end() now rather than inside the first user's diff (its bytecode would be "Code"
  // allocated between the snapshots).
  end(null);

  // The event loop is blocked only while V8 writes the "after" snapshot. (No closure in this
  // function: its context would be allocated on entry, before the snapshot, and be in the diff.)
  function endAsync(state, retainers) {
    if (state === null) return null;
    try {
      takeSnapshot(state.after);
    } catch (e) {
      cleanUp(state);
      return Promise.reject(e);
    }
    return diffInWorker(state, retainers);
  }
  endAsync(null);

  function diffInWorker(state, retainers) {
    const request = { before: state.before, after: state.after, retainers, names: ['before', 'after'] };
    return runOnce('diff', request).finally(() => cleanUp(state));
  }

  return { start, end, endAsync };
}

module.exports = { makeHeapDiffHost, takeSnapshot, tempSnapshotPath };
