#!/usr/bin/env node
// Generates realistic V8 heap snapshots for the benchmarks: a process that holds several
// type-checked TypeScript programs (a language-service-like workload: ASTs, symbols, types,
// many small objects and strings) plus a growing cache of records (the "leak"). Snapshots are
// written with v8.writeHeapSnapshot, i.e. exactly what `node --heapsnapshot-signal` or DevTools
// would give a user.
//
//   node --expose-gc --max-old-space-size=8192 bench/gen-workload.js \
//        --size 300M --count 2 --growth 0.10 --out /work/data/bench/ts-300m
//
// writes /work/data/bench/ts-300m-1.heapsnapshot at about --size, then grows the cache by
// --growth (fraction of the first file's size) and writes -2, -3, ... (a pair for diff, a
// triple for leaks). Sizes are reached by estimate (heap used x bytes-per-heap-byte, calibrated
// below), so files land within ~15% of the target; the real sizes and node counts are printed.
//
// Options:
//   --size N[K|M|G]   target size of the first snapshot (default 100M)
//   --count N         number of snapshots (default 2)
//   --growth F        cache growth between snapshots, as a fraction of --size (default 0.10)
//   --programs N      TypeScript programs held (default: one per 150 MB of target, 1..4)
//   --modules N       synthetic modules per program (default 20)
//   --compact F       fraction of cache records that are compact (one short string each):
//                     raises nodes per byte, used to pass 2^24 nodes at ~1 GB (default 0)
//   --ratio R         snapshot bytes per used heap byte, for the size estimate (default 1.3)
//   --out PREFIX      output prefix (default /work/data/bench/ts-<size>)
'use strict';

const fs = require('fs');
const path = require('path');
const v8 = require('v8');

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)B?$/i.exec(String(s));
  if (!m) throw new Error(`bad size '${s}' (expected e.g. 300M, 1.2G)`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()];
  return Math.round(Number(m[1]) * mult);
}

function parseArgs(argv) {
  const opts = { size: '100M', count: 2, modules: 20, growth: 0.1, programs: null, compact: 0, ratio: 1.3, out: null };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opts) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete option '${argv[i]}' (see the header of ${__filename})`);
    }
    opts[key] = argv[++i];
  }
  opts.bytes = parseSize(opts.size);
  opts.count = Number(opts.count);
  opts.modules = Number(opts.modules);
  opts.growth = Number(opts.growth);
  opts.compact = Number(opts.compact);
  opts.ratio = Number(opts.ratio);
  opts.programs = opts.programs === null
    ? Math.max(1, Math.min(4, Math.round(opts.bytes / (150 * 1024 ** 2))))
    : Number(opts.programs);
  opts.out = opts.out || `/work/data/bench/ts-${String(opts.size).toLowerCase()}`;
  if (!(opts.count >= 1) || !(opts.growth >= 0) || !(opts.compact >= 0 && opts.compact <= 1)) {
    throw new Error('--count must be >= 1, --growth >= 0, --compact in [0, 1]');
  }
  return opts;
}

// ---- TypeScript programs -------------------------------------------------------------------

let ts;
try {
  ts = require('typescript');
} catch (e) {
  throw new Error(`'typescript' not installed: run 'npm install' in ${__dirname} (${e.message})`);
}
// V8's snapshot writer records each function's line/column; for a script whose line-end table
// was never built (typescript.js: 9 MB) it rescans the source for every function, which makes
// writeHeapSnapshot take hours. Formatting a stack trace through typescript.js builds that table.
ts.forEach([0], () => new Error('init line ends').stack);

// A deterministic pseudo-random generator, so runs with the same options give the same heap shape.
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

// Source of one synthetic module: interfaces, generic classes, unions, overloads: what a real
// service's code looks like to the checker (it builds symbols and types for all of it).
function moduleSource(p, m, modules, rand) {
  const lines = [];
  const dep = (m + 1) % modules;
  lines.push(`import { Entity${dep}, make${dep} } from './mod${dep}';`);
  lines.push(`export interface Entity${m} { id: number; name: string; tags: string[]; parent?: Entity${dep}; meta: Record<string, ${rand() < 0.5 ? 'number' : 'string'}>; }`);
  for (let k = 0; k < 12; k++) {
    lines.push(`export type U${m}_${k} = ${['"a"', '"b"', '"c"', `Entity${m}`, 'number[]', `Map<string, Entity${dep}>`].slice(0, 2 + (k % 5)).join(' | ')};`);
    lines.push(`export class Service${m}_${k}<T extends { id: number }> {`);
    lines.push(`  private items = new Map<number, T>();`);
    lines.push(`  constructor(readonly label: string = "svc${p}_${m}_${k}") {}`);
    lines.push(`  add(item: T): this { this.items.set(item.id, item); return this; }`);
    lines.push(`  find(pred: (t: T) => boolean): T | undefined { for (const v of this.items.values()) if (pred(v)) return v; return undefined; }`);
    lines.push(`  map<R>(f: (t: T, i: number) => R): R[] { return [...this.items.values()].map(f); }`);
    lines.push(`  summary(): { count: number; label: string; kind: U${m}_${k} | null } { return { count: this.items.size, label: this.label, kind: null }; }`);
    lines.push('}');
    lines.push(`export function fn${m}_${k}(a: Entity${m}, b: Partial<Entity${dep}> = {}): string { const s = new Service${m}_${k}<Entity${m}>(); s.add(a); return \`\${a.name}:\${b.name ?? ''}:\${s.summary().count}\`; }`);
  }
  lines.push(`export function make${m}(id: number): Entity${m} { return { id, name: 'e' + id, tags: [], meta: {} }; }`);
  lines.push(`export const table${m} = [${Array.from({ length: 40 }, (_, i) => `make${dep}(${i})`).join(', ')}];`);
  return lines.join('\n');
}

// One type-checked program over `modules` synthetic files plus the real lib .d.ts files,
// each program parsing its own copies (separate projects in one language service).
function buildProgram(p, modules) {
  const rand = rng(p * 7919 + 17);
  const files = new Map();
  for (let m = 0; m < modules; m++) files.set(`/p${p}/mod${m}.ts`, moduleSource(p, m, modules, rand));
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true, noEmit: true, lib: ['lib.es2022.d.ts'] };
  const host = ts.createCompilerHost(options);
  const baseGet = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) => files.has(name)
    ? ts.createSourceFile(name, files.get(name), lang, true)
    : baseGet(name, lang, onError);
  host.fileExists = (name) => files.has(name) || ts.sys.fileExists(name);
  host.readFile = (name) => files.get(name) ?? ts.sys.readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program); // forces binding and full type checking
  return { program, checker: program.getTypeChecker(), diagnostics };
}

// ---- the growing cache ---------------------------------------------------------------------

class CacheEntry {
  constructor(key, seq, text) {
    this.key = key;
    this.seq = seq;
    this.createdAt = Date.now() + seq;
    this.hits = 0;
    this.payload = { text, tokens: [seq, seq * 3, seq * 7, seq % 97], source: 'request' };
    this.onEvict = () => this.hits++; // a closure retaining its entry, as listeners do
  }
}

const LEAK = { cache: new Map(), compactKeys: [], seq: 0 };

function growCache(records, compactFraction) {
  for (let i = 0; i < records; i++) {
    const seq = LEAK.seq++;
    if (compactFraction > 0 && (seq % 1000) < compactFraction * 1000) {
      LEAK.compactKeys.push(`k${seq.toString(36)}`); // one node per record: a short string
    } else {
      const key = `req:/api/items/${seq}?user=${seq % 5000}`;
      LEAK.cache.set(key, new CacheEntry(key, seq, `response body #${seq} `.repeat(1 + (seq % 4))));
    }
  }
}

function heapUsed() {
  if (global.gc) global.gc();
  return v8.getHeapStatistics().used_heap_size;
}

// Grows the cache until the estimated snapshot size reaches `bytes`.
function growTo(bytes, opts) {
  const batch = 20000;
  while (heapUsed() * opts.ratio < bytes) growCache(batch, opts.compact);
}

function countNodes(file) {
  // The header (first ~1 KB) has node_count / edge_count in snapshot.meta-independent fields.
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const head = buf.toString('latin1');
  const n = /"node_count":(\d+)/.exec(head);
  const e = /"edge_count":(\d+)/.exec(head);
  return { nodes: n ? Number(n[1]) : NaN, edges: e ? Number(e[1]) : NaN };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!global.gc) throw new Error('run node with --expose-gc (the size estimate needs a settled heap)');
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  const t0 = Date.now();
  const programs = [];
  for (let p = 0; p < opts.programs; p++) programs.push(buildProgram(p, opts.modules));
  global.__programs = programs; // keep them reachable
  console.error(`programs: ${opts.programs}, heap used ${(heapUsed() / 2 ** 20).toFixed(0)} MiB after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const files = [];
  for (let i = 1; i <= opts.count; i++) {
    growTo(opts.bytes * (1 + opts.growth * (i - 1)), opts);
    const file = `${opts.out}-${i}.heapsnapshot`;
    const t1 = Date.now();
    v8.writeHeapSnapshot(file);
    const { nodes, edges } = countNodes(file);
    const size = fs.statSync(file).size;
    files.push(file);
    console.error(`${file}: ${(size / 2 ** 20).toFixed(1)} MiB, ${nodes} nodes, ${edges} edges, cache ${LEAK.cache.size} + ${LEAK.compactKeys.length} compact, written in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  }
  console.log(files.join('\n'));
}

try {
  main();
} catch (e) {
  console.error(`gen-workload: ${e.message}`);
  process.exit(2);
}
