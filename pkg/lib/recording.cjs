'use strict';
// memwatch.record(path): the export file of the live analysis (docs/format.md), the one
// `memwatch run --out` writes. The wasm Analyzer writes it with core's export writer (header with
// its detector parameters, then each GC sample and the events it produced, one line each); this
// file only moves those bytes to disk with one fs.writeSync per sample, so a process killed at
// any point leaves every line before the last complete (readers ignore a cut last line).

const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const { recordOptions, describe } = require('./options.cjs');

/** Monotonic ns since performance.timeOrigin, the samples' origin. */
const nowNs = () => Math.round(performance.now() * 1e6);

/**
 * Opens `file` and starts recording on `analyzer` (a fresh engine Analyzer that the caller makes
 * the live one). Returns { path, flush(analyzer), restart(analyzer), close(analyzer) }.
 */
function openRecording(engine, analyzer, file, options) {
  if (typeof file !== 'string' && !(file instanceof URL)) {
    throw new TypeError(`memwatch.record: path must be a string or a file: URL, got ${describe(file)}`);
  }
  const { labels } = recordOptions(options);
  const header = {
    producer: `memwatch-wasm ${engine.version()} (node ${process.version})`,
    target: {
      script: process.argv[1] ?? null,
      argv: process.argv.slice(2),
      node: process.version,
      v8: process.versions.v8,
      pid: process.pid,
    },
    labels,
  };
  const fd = fs.openSync(file, 'w');
  const path = String(file);
  let offset = 0; // positioned writes: restart() truncates and writes from 0 again
  const writeAll = (bytes) => {
    let at = 0;
    while (at < bytes.length) {
      const n = fs.writeSync(fd, bytes, at, bytes.length - at, offset);
      at += n;
      offset += n;
    }
  };
  // The header (with `a`'s detector parameters) and the `start` marker.
  const begin = (a) => {
    a.startRecording(header);
    a.recordMarker(nowNs(), 'start', path);
    writeAll(a.takeRecorded());
  };
  try {
    begin(analyzer);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  let open = true;
  return {
    path,
    get open() {
      return open;
    },
    /** Writes what the analyzer recorded since the last flush; a failed write ends the recording. */
    flush(a) {
      if (!open) return;
      const bytes = a.takeRecorded();
      if (bytes.length === 0) return;
      try {
        writeAll(bytes);
      } catch (e) {
        this.close(a, false);
        process.emitWarning(`memwatch: recording to ${path} stopped: ${e.message}`);
      }
    },
    /**
     * Starts the file over with `a` (new detector parameters: one recording holds one set, the
     * header's, and re-analysis must reproduce the live events).
     */
    restart(a) {
      fs.ftruncateSync(fd, 0);
      offset = 0;
      begin(a);
    },
    /** Writes the `end` marker (unless `marker` is false) and closes the file. */
    close(a, marker = true) {
      if (!open) return;
      open = false;
      try {
        if (marker) {
          a.recordMarker(nowNs(), 'end', null);
          writeAll(a.takeRecorded());
        }
      } finally {
        a.stopRecording();
        fs.closeSync(fd);
      }
    },
  };
}

module.exports = { openRecording };
