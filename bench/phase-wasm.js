#!/usr/bin/env node
// One phase of memwatch's wasm package (pkg/, built by scripts/build-wasm.sh) in Node; prints
// `RESULT {json}`. Files are streamed in chunks into SnapshotParser with the options pkg's HeapDiff
// passes (sizeHint = file size; edge details only where the phase reads them), mirroring the
// native driver (bench/driver), so both columns do the same work.
//   parse FILE | summary FILE | diff BEFORE AFTER | dominators FILE
'use strict';

const fs = require('fs');
const path = require('path');

const mw = require(process.env.MEMWATCH_PKG || path.join(__dirname, '..', 'pkg', 'index.cjs'));
const now = () => Number(process.hrtime.bigint()) / 1e9;

const CHUNK = Number(process.env.MEMWATCH_BENCH_CHUNK || (1 << 20));

function parse(file, edgeDetails) {
  const t = now();
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = fs.openSync(file, 'r');
  const parser = new mw.SnapshotParser({ sizeHint: fs.fstatSync(fd).size, edgeDetails });
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) parser.push(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  const snap = parser.finish();
  parser.free();
  return [snap, now() - t];
}

const graph = (s) => ({ nodes: s.nodeCount, edges: s.edgeCount });

function main() {
  const [phase, ...files] = process.argv.slice(2);
  const t0 = now();
  let out;
  if (phase === 'parse') {
    const [s, tp] = parse(files[0], true);
    out = { parse_s: tp, graph: graph(s) };
  } else if (phase === 'summary') {
    const [s, tp] = parse(files[0], false);
    const t = now();
    const classes = s.summarize();
    out = { parse_s: tp, summary_s: now() - t, classes: classes.length, graph: graph(s) };
  } else if (phase === 'diff') {
    const [a, ta] = parse(files[0], false);
    const [b, tb] = parse(files[1], false);
    const t = now();
    const d = a.diff(b);
    out = { parse_s: ta + tb, diff_s: now() - t, details: d.change.details.length, graph: graph(b) };
  } else if (phase === 'dominators') {
    // Dominator tree, retained sizes and retainer paths (what the native driver's
    // SnapshotAnalysis::new does), then the per-class retained sizes.
    const [s, tp] = parse(files[0], true);
    const t = now();
    const classes = mw.retainedSizes(s);
    out = { parse_s: tp, analysis_s: now() - t, classes: classes.length, graph: graph(s) };
  } else {
    throw new Error(`unknown phase '${phase}' (parse, summary, diff, dominators)`);
  }
  out.phase = phase;
  out.total_s = now() - t0;
  console.log('RESULT ' + JSON.stringify(out));
}

try {
  main();
} catch (e) {
  console.error(`phase-wasm: ${e && e.stack || e}`);
  process.exit(2);
}
