'use strict';
// Files from disk (or bytes) into the engine's push parsers, in 4 MiB chunks read synchronously:
// a 500 MB snapshot is never held in JS memory whole. Errors name the file (core's message after
// it). The one reader of the package: the bin (lib/cli/) and the async APIs' worker
// (lib/engine-worker.cjs) both parse through it.

const fs = require('node:fs');

const CHUNK = 4 << 20;
let readBuf = null; // one read buffer per thread: parses within a thread never overlap

/** `code` of an error about an input (here or from the engine worker): the bin exits with 2. */
const INPUT_ERROR = 'ERR_MEMWATCH_INPUT';

/** An error about one input file: `memwatch-wasm: PATH: message`, exit code 2 (bad input). */
class InputError extends Error {
  constructor(file, message) {
    super(`${file}: ${message}`);
    this.name = 'InputError';
    this.code = INPUT_ERROR;
    this.exitCode = 2;
  }
}

function open(file) {
  try {
    const fd = fs.openSync(file, 'r');
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      fs.closeSync(fd);
      throw new InputError(file, 'cannot open: not a regular file');
    }
    return { fd, size: stat.size };
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, `cannot open: ${e.message}`);
  }
}

/** Calls `push(chunk)` with the bytes of the open file `fd` in order, then closes it. */
function pushAll(file, { fd }, push) {
  if (readBuf === null) readBuf = Buffer.allocUnsafe(CHUNK);
  const buf = readBuf;
  try {
    for (;;) {
      let n;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw new InputError(file, `cannot read: ${e.message}`);
      }
      if (n === 0) break;
      push(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The first `n` bytes of a file (file-kind detection). */
function head(file, n) {
  const { fd } = open(file);
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Parses a `.heapsnapshot` into a `Snapshot` kept in wasm memory (free it when done).
 * `edgeDetails: false` keeps only edge targets (enough for a HeapDiff).
 * `source`: a file path, or the bytes (Uint8Array / ArrayBuffer) of a snapshot called `name`.
 */
function readSnapshot(engine, source, { edgeDetails, name = 'source (bytes)' }) {
  if (typeof source !== 'string') return parseBytes(engine, source, edgeDetails, name);
  const file = source;
  const opened = open(file);
  const parser = new engine.SnapshotParser({ sizeHint: opened.size, edgeDetails });
  // Engine errors (core's message, with the byte position) are about this file.
  const inFile = (f) => {
    try {
      return f();
    } catch (e) {
      throw e instanceof InputError ? e : new InputError(file, e.message);
    }
  };
  try {
    pushAll(file, opened, (chunk) => inFile(() => parser.push(chunk)));
    return inFile(() => parser.finish());
  } finally {
    parser.free();
  }
}

function parseBytes(engine, source, edgeDetails, name) {
  const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
  const parser = new engine.SnapshotParser({ sizeHint: bytes.length, edgeDetails });
  try {
    for (let at = 0; at < bytes.length; at += CHUNK) parser.push(bytes.subarray(at, at + CHUNK));
    return parser.finish();
  } catch (e) {
    throw new InputError(name, e.message);
  } finally {
    parser.free();
  }
}

/** An export file pushed into an `ExportParser` (the caller analyses and frees it). */
function readExport(engine, file) {
  const opened = open(file);
  const parser = new engine.ExportParser();
  try {
    pushAll(file, opened, (chunk) => parser.push(chunk));
  } catch (e) {
    parser.free();
    throw e;
  }
  return parser;
}

module.exports = { INPUT_ERROR, InputError, readSnapshot, readExport, head };
