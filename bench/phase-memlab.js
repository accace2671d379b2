#!/usr/bin/env node
// One phase of memlab (@memlab/core) on snapshot files; prints `RESULT {json}` with the phase's
// wall times. Mirrors bench/driver (memwatch native) phase by phase, through memlab's own API:
//   parse FILE               utils.getSnapshotFromFile (memlab's heap-snapshot loader)
//   summary FILE             parse + per-class node count and self size (snapshot.nodes.forEach)
//   diff BEFORE AFTER        parse both + per-class allocated/freed by node id (node-memwatch's HeapDiff
//                            buckets), ids held in memlab's NumericSet (a JS Set stops at 2^24)
//   dominators FILE          parse + analysis.preparePathFinder: shortest paths, dominators,
//                            retained sizes (what memlab does before reporting leaks)
'use strict';

const memlab = require('@memlab/core');
const { utils, analysis, NumericSet, config } = memlab;

config.verbose = false;
config.muteConsole = true; // memlab prints progress to the terminal; the timings are ours

const now = () => Number(process.hrtime.bigint()) / 1e9;

async function parse(file) {
  const t = now();
  const snap = await utils.getSnapshotFromFile(file, { buildNodeIdIndex: true });
  if (!snap) throw new Error(`${file}: memlab could not parse it`);
  return [snap, now() - t];
}

const classOf = (node) => (node.type === 'object' ? node.name : node.type);

function summarize(snap) {
  const byClass = new Map();
  snap.nodes.forEach((node) => {
    const key = classOf(node);
    const e = byClass.get(key) || byClass.set(key, { count: 0, size: 0 }).get(key);
    e.count++;
    e.size += node.self_size;
  });
  return byClass;
}

function heapDiff(before, after) {
  const idsBefore = new NumericSet();
  before.nodes.forEach((n) => { idsBefore.add(n.id); });
  const idsAfter = new NumericSet();
  after.nodes.forEach((n) => { idsAfter.add(n.id); });
  const buckets = new Map();
  const bucket = (node) => {
    const key = classOf(node);
    return buckets.get(key) || buckets.set(key, { added: 0, removed: 0, size: 0 }).get(key);
  };
  after.nodes.forEach((n) => {
    if (!idsBefore.has(n.id)) { const b = bucket(n); b.added++; b.size += n.self_size; }
  });
  before.nodes.forEach((n) => {
    if (!idsAfter.has(n.id)) { const b = bucket(n); b.removed++; b.size -= n.self_size; }
  });
  return buckets;
}

async function main() {
  const [phase, ...files] = process.argv.slice(2);
  const t0 = now();
  let out;
  if (phase === 'parse') {
    const [snap, tp] = await parse(files[0]);
    out = { parse_s: tp, graph: { nodes: snap.nodes.length, edges: snap.edges.length } };
  } else if (phase === 'summary') {
    const [snap, tp] = await parse(files[0]);
    const t = now();
    const classes = summarize(snap);
    out = { parse_s: tp, summary_s: now() - t, classes: classes.size, graph: { nodes: snap.nodes.length, edges: snap.edges.length } };
  } else if (phase === 'diff') {
    const [a, ta] = await parse(files[0]);
    const [b, tb] = await parse(files[1]);
    const t = now();
    const buckets = heapDiff(a, b);
    out = { parse_s: ta + tb, diff_s: now() - t, details: buckets.size, graph: { nodes: b.nodes.length, edges: b.edges.length } };
  } else if (phase === 'dominators') {
    const [snap, tp] = await parse(files[0]);
    const t = now();
    analysis.preparePathFinder(snap);
    out = { parse_s: tp, analysis_s: now() - t, graph: { nodes: snap.nodes.length, edges: snap.edges.length } };
  } else {
    throw new Error(`unknown phase '${phase}' (parse, summary, diff, dominators)`);
  }
  out.phase = phase;
  out.total_s = now() - t0;
  console.log('RESULT ' + JSON.stringify(out));
}

main().catch((e) => {
  console.error(`phase-memlab: ${e && e.stack || e}`);
  process.exit(2);
});
