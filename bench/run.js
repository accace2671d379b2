#!/usr/bin/env node
// Side-by-side benchmark: memwatch native, memwatch wasm (in Node) and memlab on the same
// snapshot files, in one run, interleaved (the tool order rotates every repetition so machine
// load hits all of them alike). Each (tool, phase) runs in its own process under
// /usr/bin/time, which gives wall time and peak RSS; the median of --reps runs is reported.
//
//   node bench/run.js --label ts-300m --before A.heapsnapshot --after B.heapsnapshot [--reps 3]
//        [--tools native,cli,wasm,memlab] [--phases parse,summary,diff,dominators]
//
// Writes bench/results/<label>.json and regenerates docs/benchmarks-peers.md from every
// bench/results/*.json (so runs on different files, e.g. the 300 MB pair and the 1 GB pair, end up
// in one document). `node bench/run.js --render` only regenerates the document.
//
// Tools:
//   native  bench/driver (memwatch-core, release build): one process per phase
//   cli     the shipped binary, target/release/memwatch (diff phase: `memwatch diff --json`)
//   wasm    bench/phase-wasm.js over pkg/ (scripts/build-wasm.sh)
//   memlab  bench/phase-memlab.js over @memlab/core (npm, in bench/node_modules)
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync, execSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(__dirname, 'results');
const DOC = path.join(ROOT, 'docs', 'benchmarks-peers.md');
const PHASES = ['parse', 'summary', 'diff', 'dominators'];

function parseArgs(argv) {
  const o = { label: null, before: null, after: null, reps: 3, tools: 'native,cli,wasm,memlab', phases: PHASES.join(','), render: false, memlabHeapMb: 20000 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'render') { o.render = true; continue; }
    const key = k.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in o) || i + 1 >= argv.length) throw new Error(`unknown or incomplete option '${argv[i]}' (see the header of ${__filename})`);
    o[key] = argv[++i];
  }
  o.reps = Number(o.reps);
  o.tools = o.tools.split(',');
  o.phases = o.phases.split(',');
  return o;
}

// The command line of one (tool, phase), or null when the tool has no such phase.
function command(tool, phase, before, after) {
  const files = phase === 'diff' ? [before, after] : [after];
  switch (tool) {
    case 'native':
      return [path.join(__dirname, 'driver', 'target', 'release', 'memwatch-bench'), phase, ...files];
    case 'cli':
      return phase === 'diff' ? [path.join(ROOT, 'target', 'release', 'memwatch'), 'diff', '--json', ...files] : null;
    case 'wasm':
      return ['node', path.join(__dirname, 'phase-wasm.js'), phase, ...files];
    case 'memlab':
      return ['node', `--max-old-space-size=${OPTS.memlabHeapMb}`, path.join(__dirname, 'phase-memlab.js'), phase, ...files];
    default:
      throw new Error(`unknown tool '${tool}' (native, cli, wasm, memlab)`);
  }
}

function loadavg() {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

// Runs one measurement: wall seconds and peak RSS (KiB) from GNU time, the tool's own JSON.
function measure(argv) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', '@@TIME %e %M %U %S', ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /@@TIME ([\d.]+) (\d+)(?: ([\d.]+) ([\d.]+))?/.exec(r.stderr || '');
  if (r.status !== 0 || !m) {
    return { ok: false, error: `exit ${r.status}: ${(r.stderr || '').replace(/@@TIME.*/, '').trim().split('\n').slice(-3).join(' | ')}`, load };
  }
  let own = null;
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('{"'));
  if (line) {
    try { own = JSON.parse(line.replace(/^RESULT /, '')); } catch { own = null; }
  }
  return { ok: true, wall_s: Number(m[1]), rss_kb: Number(m[2]), cpu_s: Number(m[3]) + Number(m[4]), own, load };
}

function fileInfo(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const head = buf.toString('latin1');
  const num = (re) => { const m = re.exec(head); return m ? Number(m[1]) : null; };
  return { path: file, bytes: fs.statSync(file).size, nodes: num(/"node_count":(\d+)/), edges: num(/"edge_count":(\d+)/) };
}

function machine() {
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0].model;
  const sh = (c) => { try { return execSync(c, { encoding: 'utf8' }).trim(); } catch { return '?'; } };
  const memlabPkg = path.join(__dirname, 'node_modules', '@memlab', 'core', 'package.json');
  return {
    nproc: os.cpus().length,
    cpu,
    mem_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    rustc: sh('rustc --version'),
    memlab: fs.existsSync(memlabPkg) ? JSON.parse(fs.readFileSync(memlabPkg, 'utf8')).version : '?',
    commit: sh(`git -C ${ROOT} rev-parse --short HEAD`),
  };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : NaN; };

function run(o) {
  for (const f of [o.before, o.after]) if (!f || !fs.existsSync(f)) throw new Error(`snapshot file '${f}' not found (--before/--after)`);
  const startedAt = new Date().toISOString();
  const runs = []; // { tool, phase, rep, ...measure }
  for (let rep = 0; rep < o.reps; rep++) {
    for (const phase of o.phases) {
      // rotate the tool order each repetition: interleaved, no tool always first after a cold cache
      const tools = o.tools.map((_, i) => o.tools[(i + rep) % o.tools.length]);
      for (const tool of tools) {
        const argv = command(tool, phase, o.before, o.after);
        if (!argv) continue;
        const m = measure(argv);
        runs.push({ tool, phase, rep, ...m });
        console.error(`[${rep + 1}/${o.reps}] ${phase.padEnd(10)} ${tool.padEnd(6)} ` +
          (m.ok ? `${m.wall_s.toFixed(2)} s  ${(m.rss_kb / 1024).toFixed(0)} MiB` : `FAILED ${m.error}`) + `  (load ${m.load})`);
      }
    }
  }
  const result = {
    label: o.label, started_at: startedAt, finished_at: new Date().toISOString(), machine: machine(),
    command: `node bench/run.js ${process.argv.slice(2).join(' ')}`,
    files: { before: fileInfo(o.before), after: fileInfo(o.after) }, reps: o.reps, runs,
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, `${o.label}.json`), JSON.stringify(result, null, 1) + '\n');
  return result;
}

// ---- the document ---------------------------------------------------------------------------

const TOOL_NAMES = { native: 'memwatch native (core, release)', cli: 'memwatch CLI (`memwatch diff`)', wasm: 'memwatch wasm (Node)', memlab: 'memlab (@memlab/core)' };
const MiB = 2 ** 20;

function summarizeRuns(result) {
  const cells = new Map(); // phase -> tool -> stats
  for (const r of result.runs) {
    if (!cells.has(r.phase)) cells.set(r.phase, new Map());
    const byTool = cells.get(r.phase);
    if (!byTool.has(r.tool)) byTool.set(r.tool, { walls: [], rss: [], cpus: [], loads: [], errors: [], own: [] });
    const c = byTool.get(r.tool);
    c.loads.push(r.load);
    if (r.ok) {
      c.walls.push(r.wall_s); c.rss.push(r.rss_kb * 1024); c.own.push(r.own);
      if (Number.isFinite(r.cpu_s)) c.cpus.push(r.cpu_s);
    } else c.errors.push(r.error);
  }
  return cells;
}

function renderResult(result) {
  const cells = summarizeRuns(result);
  const big = Math.max(result.files.before.bytes, result.files.after.bytes);
  const fmtFile = (f) => `\`${path.basename(f.path)}\`: ${(f.bytes / MiB).toFixed(1)} MiB, ${f.nodes} nodes, ${f.edges} edges`;
  const loads = result.runs.map((r) => r.load);
  const out = [];
  out.push(`### ${result.label}`, '');
  out.push(`- Files: ${fmtFile(result.files.before)}; ${fmtFile(result.files.after)}` +
    (result.files.after.nodes > 2 ** 24 ? ` (more than 2^24 = ${2 ** 24} nodes)` : ''));
  out.push(`- Run: ${result.started_at} to ${result.finished_at}, ${result.reps} repetitions, median shown; ` +
    `1-minute load average during the run ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} (2 cores)`);
  const m = result.machine;
  out.push(`- Machine: ${m.nproc} CPUs (${m.cpu}), ${m.mem_gib} GiB RAM, Linux ${m.kernel}; Node ${m.node}; ${m.rustc}; memlab ${m.memlab}; memwatch ${m.commit}`);
  out.push(`- Command: \`${result.command}\``, '');
  out.push('Phases include parsing their inputs (diff: both files), as a user\'s command would. ' +
    '"x memlab" is memlab\'s median divided by the tool\'s (higher is better). CPU is user + system ' +
    'time of the process (all threads): under heavy machine load it is the steadier figure.', '');
  out.push('| phase | tool | wall (s) | range (s) | CPU (s) | peak RSS (MiB) | RSS / larger file | wall x memlab | CPU x memlab | RSS x memlab |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const phase of PHASES) {
    const byTool = cells.get(phase);
    if (!byTool) continue;
    const ml = byTool.get('memlab');
    const mlWall = ml && ml.walls.length ? median(ml.walls) : NaN;
    const mlRss = ml && ml.rss.length ? median(ml.rss) : NaN;
    const mlCpu = ml && ml.cpus.length ? median(ml.cpus) : NaN;
    for (const tool of ['native', 'cli', 'wasm', 'memlab']) {
      const c = byTool.get(tool);
      if (!c) continue;
      if (!c.walls.length) {
        out.push(`| ${phase} | ${TOOL_NAMES[tool]} | failed | | | | | | | |`);
        continue;
      }
      const w = median(c.walls);
      const rss = median(c.rss);
      const cpu = c.cpus.length ? median(c.cpus) : NaN;
      const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && tool !== 'memlab' ? `${(a / b).toFixed(1)}x` : '');
      out.push(`| ${phase} | ${TOOL_NAMES[tool]} | ${w.toFixed(2)} | ${Math.min(...c.walls).toFixed(2)}–${Math.max(...c.walls).toFixed(2)} | ` +
        `${Number.isFinite(cpu) ? cpu.toFixed(2) : ''} | ${(rss / MiB).toFixed(0)} | ${(rss / big).toFixed(2)} | ${ratio(mlWall, w)} | ${ratio(mlCpu, cpu)} | ${ratio(mlRss, rss)} |`);
    }
  }
  const errors = [];
  for (const [phase, byTool] of cells) for (const [tool, c] of byTool) for (const e of c.errors) errors.push(`- ${phase} / ${tool}: ${e}`);
  if (errors.length) out.push('', 'Failures:', ...[...new Set(errors)]);
  out.push('', ...targets(result, cells, big), '');
  return out.join('\n');
}

// The targets, checked on this run's medians.
function targets(result, cells, big) {
  const med = (phase, tool, key = 'walls') => {
    const c = cells.get(phase) && cells.get(phase).get(tool);
    return c && c[key].length ? median(c[key]) : NaN;
  };
  const lines = ['Targets on this run (ratios only between tools measured in this run):', ''];
  const verdict = (ok) => (ok ? 'holds' : 'does NOT hold');
  const kind = (key) => (key === 'walls' ? 'wall' : 'CPU');
  for (const tool of ['native', 'cli']) {
    for (const key of ['walls', 'cpus']) {
      const nd = med('diff', tool, key);
      const md = med('diff', 'memlab', key);
      if (Number.isFinite(nd) && Number.isFinite(md)) {
        lines.push(`- ${tool} parse+diff >= 10x faster than memlab (${kind(key)} time): ${(md / nd).toFixed(1)}x, ${verdict(md / nd >= 10)}`);
      }
    }
  }
  for (const tool of ['native', 'cli']) {
    const rss = Math.max(...PHASES.filter((p) => p !== 'dominators').map((p) => med(p, tool, 'rss')).filter(Number.isFinite));
    if (Number.isFinite(rss)) {
      lines.push(`- ${tool} peak RSS (parse/summary/diff) <= 1.5x the larger file: ${(rss / big).toFixed(2)}x, ${verdict(rss / big <= 1.5)}`);
    }
  }
  for (const phase of PHASES) {
    for (const key of ['walls', 'cpus']) {
      const n = med(phase, 'native', key);
      const w = med(phase, 'wasm', key);
      if (Number.isFinite(n) && Number.isFinite(w)) lines.push(`- wasm within 2x of native (${phase}, ${kind(key)} time): ${(w / n).toFixed(2)}x, ${verdict(w / n <= 2)}`);
    }
  }
  const nodes = result.files.after.nodes;
  if (nodes > 2 ** 24) {
    // Only phases this run measured count: a parse-only run says nothing about diff.
    const ran = ['parse', 'diff'].filter((p) => cells.has(p) && cells.get(p).has('native'));
    const ok = ran.every((p) => Number.isFinite(med(p, 'native')));
    if (ran.length) lines.push(`- ${nodes} nodes (> 2^24) ${ran.join(' and ')} natively without error: ${verdict(ok)}`);
  }
  return lines;
}

function render() {
  const files = fs.existsSync(RESULTS) ? fs.readdirSync(RESULTS).filter((f) => f.endsWith('.json')).sort() : [];
  const results = files.map((f) => JSON.parse(fs.readFileSync(path.join(RESULTS, f), 'utf8')));
  const intro = fs.readFileSync(path.join(__dirname, 'benchmarks-peers.intro.md'), 'utf8');
  const doc = [intro.trim(), '', '## Results', '', ...results.map(renderResult)].join('\n');
  fs.writeFileSync(DOC, doc.trimEnd() + '\n');
  console.error(`wrote ${path.relative(process.cwd(), DOC)} from ${files.length} result file(s)`);
}

let OPTS;
try {
  OPTS = parseArgs(process.argv.slice(2));
  if (!OPTS.render) {
    if (!OPTS.label) throw new Error('--label NAME is required (names bench/results/NAME.json)');
    run(OPTS);
  }
  render();
} catch (e) {
  console.error(`bench/run.js: ${e.message}`);
  process.exit(2);
}
