'use strict';
// `MEMWATCH_OUT=app.ndjson node -r memwatch-wasm/record app.js`: records the program's GC samples,
// stats and leak events to MEMWATCH_OUT (memwatch's export format, as `memwatch run --out`
// writes) without changing its code; `memwatch analyze app.ndjson` or the viewer read the file.
// Only the main thread of the process that was given MEMWATCH_OUT records: the variable is
// removed from process.env, so child processes (fork() passes -r on) and worker threads (they
// inherit -r too) do not truncate the file; they see MEMWATCH_OUT_RECORDED instead.

const { isMainThread } = require('node:worker_threads');

if (isMainThread && process.env.MEMWATCH_OUT_RECORDED === undefined) {
  const out = process.env.MEMWATCH_OUT;
  if (!out) {
    throw new Error('memwatch-wasm/record: set MEMWATCH_OUT to the file to write, e.g. ' +
      '`MEMWATCH_OUT=app.ndjson node -r memwatch-wasm/record app.js`');
  }
  const memwatch = require('./index.cjs');
  memwatch.record(out);
  delete process.env.MEMWATCH_OUT;
  process.env.MEMWATCH_OUT_RECORDED = out;
}
