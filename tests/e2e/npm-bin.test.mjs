// The npm package without the Rust build (issue 12): `npm pack`, installed offline into an empty
// project, and its `memwatch-wasm` bin used as a user would.
// - diff/leaks/analyze print what the native `memwatch` prints (stdout byte for byte, text and
//   --json) on the committed fixtures and on generated snapshots and exports, with its exit codes;
// - `view FILES` serves the viewer with memwatch serve's protections (loopback Host only, no
//   traversal, no listing, CSP, nosniff, only the given files) and Chromium shows the diff of
//   the two given snapshots, equal to `memwatch diff --json`.
// Needs the built wasm package (scripts/build-wasm.sh), npm, the native binary (MEMWATCH_BIN or
// target/*/memwatch) and chromium; without one of them the suite fails (it never skips).
//   tests/e2e/run.sh   (or: node --test tests/e2e/npm-bin.test.mjs)

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, OUT, memwatchBin, launchBrowser, makeFixtures, openViewer, rawGet, viewerIdle } from './lib.mjs';

const PKG = path.join(ROOT, 'pkg');
const TINY = ['tiny-before', 'tiny-after'].map((n) => path.join(ROOT, 'core', 'tests', 'fixtures', `${n}.heapsnapshot`));
const EVERY_RECORD = path.join(ROOT, 'fuzz', 'seeds', 'export_reader', 'every-record-type.jsonl');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-npm-bin-'));
let bin; // the installed node_modules/.bin/memwatch-wasm
let fx; // generated snapshots a, b, c and an export file
let leaky; // tests/fixtures/leaky-app-snapshots.js: baseline, target, final

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  if (r.error) throw r.error;
  return r;
}

function ok(cmd, args, opts) {
  const r = run(cmd, args, opts);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}

before(() => {
  assert.ok(fs.existsSync(path.join(PKG, 'wasm', 'node', 'memwatch_wasm_bg.wasm')), 'build the wasm package first: scripts/build-wasm.sh');
  // Pack as a publisher would (prepack copies the viewer in), then install the tarball into an
  // empty project with an empty cache and --offline: nothing may come from a registry.
  const packed = JSON.parse(ok('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: PKG }).stdout);
  const tgz = path.join(tmp, packed[0].filename);
  const project = path.join(tmp, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'empty-project', private: true }));
  ok('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', path.join(tmp, 'npm-cache'), tgz], { cwd: project });
  bin = path.join(project, 'node_modules', '.bin', 'memwatch-wasm');
  fx = makeFixtures(path.join(tmp, 'fx'));
  const leakyDir = path.join(tmp, 'leaky');
  fs.mkdirSync(leakyDir);
  ok(process.execPath, [path.join(ROOT, 'tests', 'fixtures', 'leaky-app-snapshots.js'), leakyDir, '100', '1000', '2000']);
  leaky = ['baseline', 'target', 'final'].map((n) => path.join(leakyDir, `${n}.heapsnapshot`));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the tarball has the bin, the viewer and the engine, and no runtime dependencies', () => {
  const installed = path.join(tmp, 'project', 'node_modules', 'memwatch-wasm');
  const pj = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.deepEqual(pj.dependencies ?? {}, {});
  assert.equal(pj.bin['memwatch-wasm'], './bin/memwatch-wasm.cjs');
  for (const f of ['www/index.html', 'www/js/served-files.js', 'wasm/web/memwatch_wasm_bg.wasm', 'wasm/node/memwatch_wasm_bg.wasm']) {
    assert.ok(fs.existsSync(path.join(installed, f)), `${f} is in the package`);
  }
  assert.ok(!fs.existsSync(path.join(PKG, 'www')), 'postpack removed the copy of the viewer from pkg/');
});

/** Runs the installed bin and the native CLI with the same arguments. */
function both(args) {
  return { wasm: run(bin, args), native: run(memwatchBin(), args) };
}

const SAME_OUTPUT = [
  ['diff --json, committed fixtures', () => ['diff', '--json', ...TINY]],
  ['diff text, committed fixtures', () => ['diff', ...TINY]],
  ['diff --json, generated snapshots', () => ['diff', '--json', fx.a, fx.b]],
  ['diff --json --retainers 3', () => ['diff', '--json', '--retainers', '3', ...leaky.slice(0, 2)]],
  ['diff --retainers 3 text', () => ['diff', '--retainers', '3', leaky[0], leaky[2]]],
  ['leaks text', () => ['leaks', ...leaky]],
  ['leaks --json', () => ['leaks', '--json', ...leaky]],
  ['leaks --max-groups 1 --include-internal', () => ['leaks', '--max-groups', '1', '--include-internal', ...leaky]],
  ['analyze text, committed export', () => ['analyze', '--growth-count', '2', '--noise-floor-bytes', '0', '--noise-floor-percent', '0', EVERY_RECORD]],
  ['analyze --json, committed export', () => ['analyze', '--json', EVERY_RECORD]],
  ['analyze text', () => ['analyze', fx.exportFile]],
  ['analyze --json', () => ['analyze', '--json', fx.exportFile]],
  ['analyze with detector options', () => ['analyze', '--growth-count', '3', '--no-trend', fx.exportFile]],
];

describe('diff, leaks, analyze print what the native CLI prints', () => {
  for (const [name, args] of SAME_OUTPUT) {
    test(name, () => {
      const { wasm, native } = both(args());
      assert.equal(native.status, 0, `memwatch: ${native.stderr}`);
      assert.equal(wasm.status, 0, `memwatch-wasm: ${wasm.stderr}`);
      assert.ok(native.stdout.length > 0);
      assert.equal(wasm.stdout, native.stdout);
    });
  }

  test('exit codes: 1 for --fail-on-leak with a leak, 2 for bad input and usage, as native', () => {
    const cases = [
      [['leaks', '--fail-on-leak', ...leaky], 1],
      [['leaks', '--fail-on-leak', leaky[0], leaky[0], leaky[0]], 0],
      [['analyze', '--fail-on-leak', fx.exportFile], 1],
      [['analyze', fx.a], 2], // a snapshot is not an export
      [['diff', fx.exportFile, fx.a], 2], // an export is not a snapshot
      [['diff', path.join(tmp, 'missing.heapsnapshot'), fx.a], 2],
      [['analyze', '--growth-count', '0', fx.exportFile], 2], // refused by core's bounds
      [['analyze', '--growth-count', 'x', fx.exportFile], 2],
      [['diff', fx.a], 2],
      [['diff', '--bogus', fx.a, fx.b], 2],
    ];
    for (const [args, code] of cases) {
      const { wasm, native } = both(args);
      assert.equal(native.status, code, `memwatch ${args.join(' ')}: ${native.stderr}`);
      assert.equal(wasm.status, code, `memwatch-wasm ${args.join(' ')}: ${wasm.stderr}`);
      assert.equal(wasm.stdout, native.stdout, args.join(' '));
      if (code === 2) assert.match(wasm.stderr, /^memwatch-wasm: /);
    }
    // Bad input names the file and carries core's message, as native.
    const bad = both(['diff', fx.exportFile, fx.a]);
    assert.equal(bad.wasm.stderr.replace('memwatch-wasm: ', ''), bad.native.stderr.replace('memwatch: ', ''));
  });

  test('leaks (three files parsed at once): bad input as native, the first bad file in argument order', () => {
    const missing = path.join(tmp, 'missing.heapsnapshot');
    // The export (a parse error after reading it) comes first, the missing file (fails at once)
    // last: the report names the first, as native's one-after-the-other parse does.
    for (const args of [
      ['leaks', fx.exportFile, leaky[1], missing],
      ['leaks', leaky[0], fx.exportFile, missing],
      ['leaks', leaky[0], leaky[1], fx.exportFile],
    ]) {
      const { wasm, native } = both(args);
      assert.equal(native.status, 2, native.stderr);
      assert.equal(wasm.status, 2, wasm.stderr);
      assert.ok(wasm.stderr.startsWith(`memwatch-wasm: ${fx.exportFile}: `), wasm.stderr);
      assert.equal(wasm.stderr.replace('memwatch-wasm: ', ''), native.stderr.replace('memwatch: ', ''));
    }
  });

  test('leaks --max-groups above 2^32 shows every group, as native (was exit 2)', () => {
    const { wasm, native } = both(['leaks', '--max-groups', '99999999999', ...leaky]);
    assert.equal(native.status, 0, native.stderr);
    assert.equal(wasm.status, 0, wasm.stderr);
    assert.equal(wasm.stdout, native.stdout);
  });

  test('--help explains every command; no command is a usage error', () => {
    const top = ok(bin, ['--help']).stdout;
    for (const c of ['diff', 'leaks', 'analyze', 'view']) assert.match(top, new RegExp(`^  ${c} `, 'm'));
    assert.match(ok(bin, ['analyze', '--help']).stdout, /--growth-count <N>.*built-in default 5/);
    const leaksHelp = ok(bin, ['leaks', '--help']).stdout;
    assert.match(leaksHelp, /--fail-on-leak/);
    // The --max-groups default is core's, as native's help says (the bin's said 50, core's is 20).
    const maxGroupsDefault = (text) => text.match(/--max-groups <N>.*\[default: (\d+)\]/)?.[1];
    assert.equal(maxGroupsDefault(leaksHelp), maxGroupsDefault(ok(memwatchBin(), ['leaks', '--help']).stdout));
    assert.notEqual(maxGroupsDefault(leaksHelp), undefined);
    assert.equal(run(bin, []).status, 2);
  });
});


/** `memwatch-wasm view FILES`; resolves to { url, stop } once the URL is printed. */
function startView(files) {
  const child = spawn(bin, ['view', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`memwatch-wasm view printed no URL in 10 s: ${stderr}`)), 10_000);
    let buf = '';
    child.stdout.on('data', (d) => {
      const m = (buf += d).match(/^(http:\/\/127\.0\.0\.1:\d+\/)(\S*)\n/);
      if (m) {
        clearTimeout(timer);
        resolve({ origin: m[1], url: m[1] + m[2], stop: () => child.kill('SIGTERM'), exited: new Promise((r) => child.on('exit', r)) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`memwatch-wasm view exited ${code}: ${stderr}`));
    });
  });
}

describe('view serves the viewer and the given files only', () => {
  let server;
  let browser;
  before(async () => {
    server = await startView([fx.a, fx.b]);
  });
  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('loopback Host only, no traversal, no listing, only the given files; CSP and nosniff on every answer', async () => {
    const { origin } = server;
    const page = await rawGet(origin, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /memwatch viewer/);
    for (const r of [page, await rawGet(origin, '/nothing-here')]) {
      assert.match(r.headers['content-security-policy'], /default-src 'self'/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
    const listed = JSON.parse((await rawGet(origin, '/files/index.json')).body);
    assert.deepEqual(listed.map((f) => f.name), ['a.heapsnapshot', 'b.heapsnapshot']);
    const served = await rawGet(origin, `/${listed[0].url}`);
    assert.equal(served.status, 200);
    assert.equal(served.body, fs.readFileSync(fx.a, 'utf8'));

    const port = new URL(origin).port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`]) {
      assert.equal((await rawGet(origin, '/', { Host: host })).status, 403, `Host: ${host}`);
    }
    assert.equal((await rawGet(origin, '/', { Host: `localhost:${port}` })).status, 200);
    const refused = [
      '/../package.json', '/%2e%2e/package.json', '/js/..%2f..%2fpackage.json', '/js/..%5c..%5cpackage.json',
      '/pkg/../package.json', '/pkg/package.json', '/pkg/wasm/node/memwatch_wasm.js', '/pkg/wasm/web/../../package.json',
      '/files/2/c.heapsnapshot', '/files/0/c.heapsnapshot', '/files/../package.json', `/files/0/..%2f${path.basename(fx.c)}`,
      '/js/', '/vendor/',
    ];
    for (const target of refused) {
      const r = await rawGet(origin, target);
      assert.ok(r.status === 400 || r.status === 404, `${target} -> ${r.status}`);
      assert.doesNotMatch(r.body, /"name"|memwatch-wasm|LeakingClass/, target);
    }
    assert.equal((await rawGet(origin, '/pkg/wasm/web/memwatch_wasm.js')).status, 200);
  });

  test('Chromium opens the given snapshots from the printed URL and shows their diff, equal to `memwatch diff --json`', async () => {
    browser = await launchBrowser();
    const { page, problems } = await openViewer(browser, server.url);
    await viewerIdle(page);
    // Two snapshots open on the suspects; the HeapDiff is the next tab.
    await page.waitForSelector('#view-suspects:not([hidden])');
    await page.click('#tab-diff');
    await page.waitForSelector('#view-diff:not([hidden])');
    await page.waitForFunction(() => document.querySelector('#diff-run')?.textContent === 'Compare');
    await page.waitForSelector('#diff-table tbody tr');
    const names = await page.$$eval('#file-list li', (lis) => lis.map((li) => li.textContent));
    assert.ok(names.some((n) => n.includes('a.heapsnapshot')) && names.some((n) => n.includes('b.heapsnapshot')), names.join(' | '));
    const more = page.locator('#diff-table button.more');
    if (await more.isVisible()) await more.click();
    const rows = await page.$$eval('#diff-table tbody tr', (trs) => trs.map((tr) => ({
      what: (tr.querySelector('th .clip-full') ?? tr.querySelector('th')).textContent,
      '+': Number(tr.querySelector('[data-key="+"]').textContent.replace(/,/g, '')),
      '-': Number(tr.querySelector('[data-key="-"]').textContent.replace(/,/g, '')),
    })));
    const expected = JSON.parse(ok(memwatchBin(), ['diff', '--json', fx.a, fx.b]).stdout);
    const key = (r) => `${r.what}\t${r['+']}\t${r['-']}`;
    assert.deepEqual(rows.map(key).sort(), expected.change.details.map(key).sort());
    assert.ok(rows.some((r) => r.what === 'LeakingClass' && r['+'] === 10000));
    fs.mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: path.join(OUT, 'npm-bin-view.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });

  test('a missing file or a bad port is refused before serving (exit 2, the file named)', () => {
    const missing = path.join(tmp, 'missing.heapsnapshot');
    const r = run(bin, ['view', fx.a, missing], { timeout: 20_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.startsWith(`memwatch-wasm: ${missing}: cannot open`), r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(run(bin, ['view', '--port', '70000'], { timeout: 20_000 }).status, 2);
    assert.equal(run(bin, ['view', '--port', 'x'], { timeout: 20_000 }).status, 2);
  });

  test('SIGTERM stops the server with exit code 0', async () => {
    server.stop();
    assert.equal(await server.exited, 0);
    server = null;
  });
});
