// Native CLI and wasm package agree: the same export files and snapshots analysed by the CLI
// (`analyze --json`, `diff --json [--retainers N]`, `leaks --json`) and by every wasm export that
// returns numbers (analyzeExport, ExportParser, diffSnapshots, Snapshot.diff, growthReport,
// leakReport, retainedSizes, classRetainers, summarizeSnapshot) give identical JSON, and bad input
// gives the same message. Needs the native binary: MEMWATCH_BIN=/path/to/memwatch; without it,
// or without a fixture, the suite fails (it never skips).
//   scripts/build-wasm.sh && MEMWATCH_BIN=target/debug/memwatch node --test tests/agreement/
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const mw = require(path.join(ROOT, 'pkg', 'index.cjs'));
const { exportFile, HEADER } = require(path.join(ROOT, 'pkg', 'test', 'support', 'helpers.js'));

const BIN = process.env.MEMWATCH_BIN;
const FIXTURES = {
  tinyBefore: path.join(ROOT, 'core', 'tests', 'fixtures', 'tiny-before.heapsnapshot'),
  tinyAfter: path.join(ROOT, 'core', 'tests', 'fixtures', 'tiny-after.heapsnapshot'),
  leakyApp: path.join(ROOT, 'tests', 'fixtures', 'leaky-app-snapshots.js'),
};

test('the native binary and every fixture are there (the suite never skips)', () => {
  assert.ok(BIN, 'set MEMWATCH_BIN to the native memwatch binary (e.g. MEMWATCH_BIN=target/debug/memwatch)');
  const r = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
  assert.ifError(r.error);
  assert.equal(r.status, 0, `${BIN} --version: ${r.stderr}`);
  for (const f of Object.values(FIXTURES)) assert.ok(fs.existsSync(f), `missing fixture ${f}`);
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-agreement-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  return r;
}

function cliJson(...args) {
  const r = cli(...args);
  assert.equal(r.status, 0, `memwatch ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function write(name, bytes) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

// Export files x detector options, as CLI flags and as analyzeExport options.
const EXPORTS = {
  growing: exportFile({ n: 14, step: 300_000 }),
  steady: exportFile({ n: 14, step: 0 }),
  recorded_params: exportFile({ header: { ...HEADER, analyzer: { classic: { growth_count: 2, noise_floor_bytes: 0, noise_floor_percent: 0 }, trend: null } } }),
  truncated_last_line: exportFile({ n: 6 }).subarray(0, -25),
};
const OPTIONS = [
  [[], undefined],
  [['--growth-count', '3'], { classic: { growth_count: 3 } }],
  [['--no-trend', '--noise-floor-bytes', '0', '--noise-floor-percent', '0'], { trend: null, classic: { noise_floor_bytes: 0, noise_floor_percent: 0 } }],
  [['--no-classic', '--trend-window', '4', '--trend-min-r2', '0.5'], { classic: null, trend: { window: 4, min_r2: 0.5 } }],
];

for (const [name, bytes] of Object.entries(EXPORTS)) {
  for (const [flags, options] of OPTIONS) {
    test(`analyze ${name} ${flags.join(' ') || '(recorded parameters)'}`, () => {
      const file = write(`${name}.jsonl`, bytes);
      const native = cliJson('analyze', '--json', ...flags, file);
      const wasm = mw.analyzeExport(bytes, options);
      assert.deepEqual(wasm, native);
      // The pushed-chunks parser gives the same analysis.
      const p = new mw.ExportParser();
      for (let i = 0; i < bytes.length; i += 100) p.push(bytes.subarray(i, i + 100));
      assert.deepEqual(p.analyze(options), native);
      p.free();
    });
  }
}

// Exports with recorded leak retainers and with a GC type from a newer format: the CLI and the
// wasm Export handle (parsed once, analysed with each option set) give the same object.
function withRecordedRetainers() {
  const bytes = exportFile({ n: 14, step: 300_000 });
  const recorded = mw.analyzeExport(bytes).leaks;
  assert.ok(recorded.length >= 2, 'the fixture leaks more than once');
  const lines = recorded.map((l) => JSON.stringify({ type: 'leak', ...l }));
  const target = recorded[recorded.length - 1];
  lines.push(JSON.stringify({
    type: 'leak_retainers', detector: target.detector, gc_seq: target.gc_seq,
    retainers: { since_ns: 1, time_ns: 2, after_snapshot: 'leak.heapsnapshot', classes: [], error: 'test' },
  }));
  return Buffer.concat([bytes, Buffer.from(lines.join('\n') + '\n')]);
}
const HANDLE_EXPORTS = {
  leak_retainers: withRecordedRetainers(),
  unknown_gc_type: Buffer.from(exportFile({ n: 10 }).toString().replace('"gc_type":"scavenge"', '"gc_type":"concurrent_sweep"')),
};
for (const [name, bytes] of Object.entries(HANDLE_EXPORTS)) {
  test(`analyze ${name}: native equals the wasm Export handle for every option set`, () => {
    const file = write(`${name}.jsonl`, bytes);
    const handle = new mw.Export(bytes);
    try {
      for (const [flags, options] of OPTIONS) {
        const native = cliJson('analyze', '--json', ...flags, file);
        assert.deepEqual(handle.analyze(options), native, flags.join(' '));
        if (name === 'leak_retainers') {
          // One rule (core's): a re-analysed leak that is the recorded one keeps its retainers.
          const kept = native.leaks.filter((l) => l.retainers);
          const recorded = native.recorded_leaks.filter((l) => l.retainers);
          assert.equal(recorded.length, 1);
          for (const l of kept) assert.deepEqual([l.detector, l.gc_seq], [recorded[0].detector, recorded[0].gc_seq]);
          if (flags.length === 0) assert.equal(kept.length, 1, 'the recorded parameters find the recorded leak');
        } else {
          assert.equal(native.unknown_gc_types, 1);
        }
      }
    } finally {
      handle.free();
    }
  });
}

// Bad detector options: the CLI (exit 2) and the package reject them with core's one message.
const BAD_OPTIONS = [
  [['--growth-count', '0'], { classic: { growth_count: 0 } }],
  [['--growth-count', '2.5'], { classic: { growth_count: 2.5 } }],
  [['--trend-window', '1'], { trend: { window: 1 } }],
  [['--trend-window', '5000'], { trend: { window: 5000 } }],
  [['--trend-min-r2', 'NaN'], { trend: { min_r2: NaN } }],
  [['--noise-floor-percent', 'inf'], { classic: { noise_floor_percent: Infinity } }],
  [['--trend-min-growth-bytes', '-1'], { trend: { min_growth_bytes: -1 } }],
];
test('bad detector options: same message from the CLI and the wasm package', () => {
  const bytes = exportFile();
  const file = write('options.jsonl', bytes);
  const handle = new mw.Export(bytes);
  try {
    for (const [flags, options] of BAD_OPTIONS) {
      const messages = [];
      for (const call of [() => handle.analyze(options), () => mw.analyzeExport(bytes, options), () => new mw.Analyzer(0, options)]) {
        assert.throws(call, (e) => { messages.push(e.message); return e instanceof Error; });
      }
      const r = cli('analyze', '--json', ...flags, file);
      assert.equal(r.status, 2, `${flags.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(messages[0], /^invalid detector option /);
      assert.equal(r.stderr, `memwatch: ${messages[0]}\n`, flags.join(' '));
      assert.deepEqual(messages, [messages[0], messages[0], messages[0]]);
    }
  } finally {
    handle.free();
  }
});

// Snapshot pairs: the committed tiny fixtures and a real pair written by a Node process.
function nodeSnapshotPair() {
  const script = `
    const v8 = require('v8');
    class LeakingClass {}
    const garbage = Array.from({ length: 5000 }, (_, i) => ({ i }));
    v8.writeHeapSnapshot(process.argv[1]);
    garbage.length = 0;
    globalThis.keep = Array.from({ length: 10000 }, () => new LeakingClass());
    globalThis.strings = Array.from({ length: 2000 }, (_, i) => 'str' + i);
    v8.writeHeapSnapshot(process.argv[2]);`;
  const a = path.join(dir, 'node-before.heapsnapshot');
  const b = path.join(dir, 'node-after.heapsnapshot');
  const r = spawnSync(process.execPath, ['-e', script, a, b], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return [a, b];
}

test('diff: committed tiny fixtures', () => {
  const [a, b] = [FIXTURES.tinyBefore, FIXTURES.tinyAfter];
  assert.deepEqual(mw.diffSnapshots(fs.readFileSync(a), fs.readFileSync(b)), cliJson('diff', '--json', a, b));
});

test('diff: real Node snapshots around 10,000 new LeakingClass()', () => {
  const [a, b] = nodeSnapshotPair();
  const wasm = mw.diffSnapshots(fs.readFileSync(a), fs.readFileSync(b));
  assert.deepEqual(wasm, cliJson('diff', '--json', a, b));
  const row = wasm.change.details.find((d) => d.what === 'LeakingClass');
  assert.deepEqual([row['+'], row['-']], [10000, 0]);
  // And the reverse direction.
  assert.deepEqual(mw.diffSnapshots(fs.readFileSync(b), fs.readFileSync(a)), cliJson('diff', '--json', b, a));
});

test('bad input: same message from the CLI (exit 2) and the package', () => {
  const [a] = nodeSnapshotPair();
  const full = fs.readFileSync(a);
  const cases = [
    ['truncated.heapsnapshot', full.subarray(0, Math.floor(full.length / 2))],
    ['garbage.heapsnapshot', Buffer.from('\x00\x01garbage')],
    ['empty.heapsnapshot', Buffer.alloc(0)],
  ];
  for (const [name, bytes] of cases) {
    const file = write(name, bytes);
    let message;
    assert.throws(() => mw.diffSnapshots(full, bytes), (e) => { message = e.message; return e instanceof Error; });
    const r = cli('diff', '--json', a, file);
    assert.equal(r.status, 2, `${name}: exit ${r.status}, stderr ${r.stderr}`);
    assert.equal(r.stdout, '');
    // The package prefixes the side ("after snapshot: "), the CLI the file name.
    const core = message.replace(/^after snapshot: /, '');
    assert.ok(r.stderr.includes(file) && r.stderr.includes(core), `${name}:\n CLI:  ${r.stderr}\n wasm: ${message}`);
  }
  const v2 = write('v2.jsonl', Buffer.from(JSON.stringify({ ...HEADER, version: '2.0' }) + '\n'));
  let message;
  assert.throws(() => mw.analyzeExport(fs.readFileSync(v2)), (e) => { message = e.message; return true; });
  const r = cli('analyze', '--json', v2);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.includes(message), `CLI: ${r.stderr}\nwasm: ${message}`);
});

// Three snapshots of the leaking app (tests/fixtures/leaky-app-snapshots.js), written once.
let leaky = null;
function leakySnapshots() {
  if (leaky) return leaky;
  const out = path.join(dir, 'leaky');
  fs.mkdirSync(out);
  const r = spawnSync(process.execPath, [FIXTURES.leakyApp, out, '50', '500', '3000'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = ['baseline', 'target', 'final'].map((n) => path.join(out, `${n}.heapsnapshot`));
  leaky = { files, snaps: files.map((f) => mw.Snapshot.fromBytes(fs.readFileSync(f))) };
  return leaky;
}
test.after(() => leaky?.snaps.forEach((s) => s.free()));

test('growth report: diff --json --retainers N equals diff + growthReport', () => {
  const { files: [b, t], snaps: [sb, st] } = leakySnapshots();
  for (const n of ['1', '5']) {
    const native = cliJson('diff', '--json', '--retainers', n, b, t);
    const { retainers, ...diff } = native;
    assert.deepEqual(sb.diff(st), diff);
    assert.deepEqual(mw.growthReport(sb, st, Number(n)), retainers);
    assert.ok(retainers.classes.length >= 1 && retainers.classes.length <= Number(n));
    if (n === '5') assert.ok(retainers.classes.some((c) => c.class === 'LeakingClass' && c.paths.length > 0));
  }
});

test('retained sizes and class retainers: the same numbers as the CLI growth report', () => {
  const { files: [b, t], snaps: [sb, st] } = leakySnapshots();
  const { retainers } = cliJson('diff', '--json', '--retainers', '10', b, t);
  const [before, after] = [mw.retainedSizes(sb), mw.retainedSizes(st)];
  const row = (rows, cls) => rows.find((r) => r.class === cls) ?? { count: 0, self_size: 0, retained_size: 0 };
  assert.ok(retainers.classes.length >= 2);
  for (const c of retainers.classes) {
    const [rb, ra] = [row(before, c.class), row(after, c.class)];
    assert.deepEqual([rb.count, rb.self_size, rb.retained_size], [c.count_before, c.self_size_before, c.retained_size_before], c.class);
    assert.deepEqual([ra.count, ra.self_size, ra.retained_size], [c.count_after, c.self_size_after, c.retained_size_after], c.class);
    const held = mw.classRetainers(st, c.class, 3);
    assert.deepEqual([held.count, held.self_size, held.retained_size], [c.count_after, c.self_size_after, c.retained_size_after], c.class);
  }
});

test('summaries: summarizeSnapshot counts the instances the CLI growth report counts', () => {
  // The CLI has no summary command: its growth report's per-class counts are the reference
  // (every LeakingClass of the app is reachable, so both count all 550 = 50 + 500).
  const { files: [b, t], snaps: [, st] } = leakySnapshots();
  const summary = mw.summarizeSnapshot(fs.readFileSync(t));
  assert.deepEqual(st.summarize(), summary);
  const { retainers } = cliJson('diff', '--json', '--retainers', '10', b, t);
  const native = retainers.classes.find((c) => c.class === 'LeakingClass');
  const wasm = summary.find((c) => c.what === 'LeakingClass');
  assert.deepEqual([wasm.count, wasm.self_size], [native.count_after, native.self_size_after]);
  assert.equal(wasm.count, 550);
});

test('leak report: leaks --json equals leakReport, with the same options', () => {
  const { files: [b, t, f], snaps: [sb, st, sf] } = leakySnapshots();
  const cases = [
    [[], { max_groups: 20 }],
    [['--max-groups', '2'], { max_groups: 2 }],
    [['--max-groups', '0'], { max_groups: 0 }],
    [['--include-internal', '--max-groups', '5'], { include_internal: true, max_groups: 5 }],
  ];
  for (const [flags, options] of cases) {
    const native = cliJson('leaks', '--json', ...flags, b, t, f);
    assert.deepEqual(mw.leakReport(sb, st, sf, options), native, flags.join(' '));
  }
  assert.ok(mw.leakReport(sb, st, sf, { max_groups: 20 }).groups.some((g) => g.class === 'LeakingClass'));
});

test('bad input to leaks: the same message from the CLI (exit 2) and the package', () => {
  const { files: [b, t] } = leakySnapshots();
  const full = fs.readFileSync(t);
  const cut = write('cut.heapsnapshot', full.subarray(0, Math.floor(full.length / 3)));
  let message;
  assert.throws(() => mw.Snapshot.fromBytes(fs.readFileSync(cut)), (e) => { message = e.message; return e instanceof Error; });
  const r = cli('leaks', '--json', b, t, cut);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(cut) && r.stderr.includes(message), `CLI: ${r.stderr}\nwasm: ${message}`);
});

// Integers beyond 2^53 (docs/format.md, "Numbers"): exact everywhere. The CLI prints exact JSON
// integers; the package gives a number up to 2^53-1 and a BigInt beyond. Node 20's JSON.parse
// cannot read such integers exactly, so they are marked as strings first and revived as BigInts.
const MAX_SAFE = 2n ** 53n - 1n;
function parseExact(text) {
  const marked = text.replace(/([:[,])(-?\d{16,})(?=[,\]}])/g, (m, before, digits) => {
    const v = BigInt(digits);
    return v > MAX_SAFE || v < -MAX_SAFE ? `${before}"\\u0000big:${digits}"` : m;
  });
  return JSON.parse(marked, (_, v) => (typeof v === 'string' && v.startsWith('\u0000big:') ? BigInt(v.slice(5)) : v));
}

test('export values beyond 2^53: exact JSON integers natively, BigInt in the package', () => {
  const big = 2n ** 60n + 3n;
  const lines = exportFile({ n: 3 }).toString().trimEnd().split('\n');
  lines.push(`{"type":"gc","seq":99,"gc_type":"mark_sweep_compact","flags":0,"start_ns":${2n ** 54n + 1n},` +
    `"end_ns":${2n ** 54n + 5n},"heap":{"used_heap_size":${big},"total_heap_size":${big * 2n}}}`);
  lines.push(`{"type":"snapshot","time_ns":${2n ** 55n + 7n},"path":"x.heapsnapshot","bytes":18446744073709551615}`);
  const bytes = Buffer.from(lines.join('\n') + '\n');
  const file = write('beyond-2-53.jsonl', bytes);
  const r = cli('analyze', '--json', file);
  assert.equal(r.status, 0, r.stderr);
  const native = parseExact(r.stdout);
  const wasm = mw.analyzeExport(bytes);
  assert.deepEqual(wasm, native);
  // Exact, not saturated or rounded; values a number holds stay numbers.
  assert.equal(wasm.stats.max, big);
  assert.equal(wasm.stats.heap.total_heap_size, big * 2n);
  assert.equal(wasm.snapshots.at(-1).bytes, 2n ** 64n - 1n);
  assert.equal(wasm.snapshots.at(-1).time_ns, 2n ** 55n + 7n);
  assert.equal(typeof wasm.gc_samples, 'number');
  assert.equal(typeof wasm.stats_events[0].estimated_base, 'number');
  assert.ok(r.stdout.includes(`"max":${big},`), 'the CLI prints the exact integer');
  const parsed = mw.parseExport(bytes);
  assert.equal(parsed.records.at(-1).bytes, 2n ** 64n - 1n);
});

test('snapshot sizes: up to 2^53-1 in total exact on both sides, beyond it the same error', () => {
  const tiny = fs.readFileSync(path.join(ROOT, 'core', 'tests', 'fixtures', 'tiny-before.heapsnapshot'), 'utf8');
  const after = path.join(ROOT, 'core', 'tests', 'fixtures', 'tiny-after.heapsnapshot');
  // The other six nodes' self sizes add up to 212; node 6 (24 bytes) is reachable.
  const withLastSize = (size) => {
    assert.equal(tiny.split(',3,2,13,24,0,0,0]').length, 2);
    return Buffer.from(tiny.replace(',3,2,13,24,0,0,0]', `,3,2,13,${size},0,0,0]`));
  };
  const max = withLastSize(MAX_SAFE - 212n);
  const maxFile = write('total-2-53-minus-1.heapsnapshot', max);
  const r = cli('diff', '--json', maxFile, after);
  assert.equal(r.status, 0, r.stderr);
  const native = parseExact(r.stdout);
  const wasm = mw.diffSnapshots(max, fs.readFileSync(after));
  assert.deepEqual(wasm, native);
  assert.equal(typeof wasm.before.size_bytes, 'number');
  for (const size of [MAX_SAFE - 211n, 2n ** 60n, 2n ** 64n - 1n]) {
    const bytes = withLastSize(size);
    const file = write(`self-size-${size}.heapsnapshot`, bytes);
    let message;
    assert.throws(() => mw.diffSnapshots(bytes, fs.readFileSync(after)), (e) => { message = e.message; return e instanceof Error; });
    assert.match(message, /^before snapshot: at byte \d+: node 6 has self_size \d+: the nodes' self sizes add up to more than 2\^53-1 bytes/);
    const r = cli('diff', '--json', file, after);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(file) && r.stderr.includes(message.replace(/^before snapshot: /, '')), `CLI: ${r.stderr}\nwasm: ${message}`);
  }
});

test('diffSnapshots takes ArrayBuffers and agrees with the CLI', () => {
  const a = path.join(ROOT, 'core', 'tests', 'fixtures', 'tiny-before.heapsnapshot');
  const b = path.join(ROOT, 'core', 'tests', 'fixtures', 'tiny-after.heapsnapshot');
  const buffer = (file) => { const x = fs.readFileSync(file); return x.buffer.slice(x.byteOffset, x.byteOffset + x.length); };
  assert.deepEqual(mw.diffSnapshots(buffer(a), buffer(b)), cliJson('diff', '--json', a, b));
});
