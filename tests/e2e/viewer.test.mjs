// End-to-end tests of the web viewer: `memwatch serve` + Debian's headless chromium driven by
// playwright-core. What the page shows is compared with the CLI's --json output for the same
// files (memwatch analyze --json, memwatch diff --json). Screenshots go to tests/out/.
//
// Run: tests/e2e/run.sh   (builds what is missing, then `node --test` on this file)

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { OUT, ROOT, cliJson, memwatchBin, rawGet, startServer, launchBrowser, makeFixtures, viewerIdle } from './lib.mjs';
import { formatNs } from '../../www/js/format.js';

const FIX = path.join(OUT, 'fixtures');
let fx;
let server;
let browser;
let page;
const problems = []; // console errors, CSP violations, uncaught page errors

const shot = (name) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
const num = (text) => Number(text.replace(/[,\s]/g, ''));


async function openTab(name) {
  await page.click(`#tab-${name}`);
  await page.waitForSelector(`#view-${name}:not([hidden])`);
}

/** The HeapDiff table as the user sees it: [{what, '+', '-', delta, size, size_bytes}]. */
async function diffRows() {
  const more = page.locator('#diff-table button.more');
  if (await more.isVisible()) await more.click();
  return page.$$eval('#diff-table tbody tr', (trs) => trs.map((tr) => ({
    // The full name: shown on hover/focus when the cell cuts it in the middle.
    what: (tr.querySelector('th .clip-full') ?? tr.querySelector('th')).textContent,
    '+': Number(tr.querySelector('[data-key="+"]').textContent.replace(/,/g, '')),
    '-': Number(tr.querySelector('[data-key="-"]').textContent.replace(/,/g, '')),
    delta: Number(tr.querySelector('[data-key="delta"]').textContent.replace(/[,+]/g, '')),
    size: tr.querySelector('[data-key="size"]').textContent,
    size_bytes: Number(tr.querySelector('[data-key="size_bytes"]').title.replace(/[^0-9-]/g, '')),
  })));
}

function expectedRows(diff) {
  return diff.change.details.map((d) => ({ what: d.what, '+': d['+'], '-': d['-'], delta: d['+'] - d['-'], size: d.size, size_bytes: d.size_bytes }));
}

const byWhat = (a, b) => (a.what < b.what ? -1 : a.what > b.what ? 1 : 0);

async function assertDiffShown(expected) {
  const rows = await diffRows();
  assert.ok(expected.change.details.length > 0, 'the CLI diff has details');
  assert.deepEqual(rows.slice().sort(byWhat), expectedRows(expected).sort(byWhat));
  const totals = await page.$$eval('#diff-totals [data-field]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.field, e.querySelector('dd').textContent])));
  const n = (v) => v.toLocaleString('en-US');
  assert.equal(totals.before, `${n(expected.before.nodes)} nodes, ${expected.before.size}`);
  assert.equal(totals.after, `${n(expected.after.nodes)} nodes, ${expected.after.size}`);
  assert.equal(totals.change, expected.change.size);
  assert.equal(num(totals.allocated_nodes), expected.change.allocated_nodes);
  assert.equal(num(totals.freed_nodes), expected.change.freed_nodes);
}

/** The stats panel, per-type table and leak list equal an `analyze --json` result. */
async function assertAnalysisShown(expected) {
  const shown = await page.$$eval('#stats [data-field]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.field, e.querySelector('.value').textContent])));
  for (const key of ['num_full_gc', 'num_inc_gc', 'heap_compactions', 'current_base', 'estimated_base', 'min', 'max', 'last_gc_pause_ns']) {
    assert.equal(num(shown[key]), expected.stats[key], key);
  }
  assert.equal(Number(shown.usage_trend), expected.stats.usage_trend, 'usage_trend');

  const perType = await page.$$eval('#gc-types tbody tr', (trs) => trs.map((tr) => ({
    type: tr.dataset.gcType,
    count: tr.querySelector('[data-field="count"]').textContent,
    pause: tr.querySelector('[data-field="pause"]').textContent,
  })));
  assert.equal(perType.length, 5);
  for (const r of perType) {
    assert.equal(num(r.count), expected.stats.gc_counts[r.type], `${r.type} count`);
    assert.equal(r.pause, formatNs(expected.stats.gc_pause_ns[r.type]), `${r.type} pause`);
  }

  const leaks = await page.$$eval('#leaks li.leak', (lis) => lis.map((li) => ({
    detector: li.dataset.detector,
    reason: li.querySelector('.reason').textContent,
  })));
  assert.deepEqual(leaks, expected.leaks.map((l) => ({ detector: l.detector, reason: l.reason })));
  assert.equal(await page.textContent('#leak-count'), String(expected.leaks.length));
}

async function dropFile(filePath) {
  const b64 = fs.readFileSync(filePath).toString('base64');
  await page.evaluate(({ b64, name }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name));
    document.body.dispatchEvent(new DragEvent('dragenter', { bubbles: true, dataTransfer: dt }));
    document.body.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, { b64, name: path.basename(filePath) });
}

describe('memwatch viewer', () => {
  before(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    fx = makeFixtures(FIX);
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(server.url);
    await page.waitForFunction(() => window.memwatchViewer !== undefined);
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('memwatch serve: MIME types, CSP, loopback Host only, no path traversal', async () => {
    const index = await rawGet(server.url, '/');
    assert.equal(index.status, 200);
    assert.match(index.headers['content-type'], /^text\/html/);
    assert.match(index.headers['content-security-policy'], /default-src 'self'/);
    assert.match(index.headers['content-security-policy'], /'wasm-unsafe-eval'/);
    assert.match((await rawGet(server.url, '/js/main.js')).headers['content-type'], /^text\/javascript/);
    const wasm = await rawGet(server.url, '/pkg/wasm/web/memwatch_wasm_bg.wasm');
    assert.equal(wasm.status, 200, 'the wasm package is served under /pkg/ (run scripts/build-wasm.sh)');
    assert.equal(wasm.headers['content-type'], 'application/wasm');
    for (const bad of ['/../Cargo.toml', '/%2e%2e/Cargo.toml', '/pkg/../Cargo.toml', '/js/..%2f..%2fCargo.toml', '/..%5c..%5cCargo.toml']) {
      const r = await rawGet(server.url, bad);
      assert.ok(r.status === 400 || r.status === 404, `${bad} answered ${r.status}`);
      assert.doesNotMatch(r.body, /\[workspace\]/);
    }
    const rebinding = await rawGet(server.url, '/', { Host: 'evil.example:80' });
    assert.equal(rebinding.status, 403);
  });

  test('export file via the file input: stats and leak events equal `memwatch analyze --json`', async () => {
    const expected = cliJson(['analyze', '--json', fx.exportFile]);
    await page.setInputFiles('#file-input', fx.exportFile);
    await viewerIdle(page);
    await page.waitForSelector('#timeline-content:not([hidden])');
    await page.waitForSelector('#chart canvas');

    assert.ok(expected.leaks.length > 0, 'the fixture leaks');
    await assertAnalysisShown(expected);

    // The recorded parameters are in the controls.
    assert.equal(Number(await page.inputValue('#p-growth-count')), expected.config.classic.growth_count);
    assert.equal(Number(await page.inputValue('#p-window')), expected.config.trend.window);

    // Hovering a GC shows its type and pause.
    const box = await page.locator('#chart .u-over').boundingBox();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.waitForSelector('#chart-tip:not([hidden])');
    assert.match(await page.textContent('#chart-tip'), /GC #\d+ — .*pause/s);
    await shot('timeline');
    await page.mouse.move(0, 0);

    // "Show on timeline" zooms the chart to the event's GCs.
    const full = await page.evaluate(() => window.memwatchViewer.timelineRange());
    await page.click('#leaks li.leak:first-child button.show');
    const zoomed = await page.evaluate(() => window.memwatchViewer.timelineRange());
    const first = expected.leaks[0];
    assert.ok(zoomed.max - zoomed.min < full.max - full.min, 'zoomed in');
    assert.ok(zoomed.min <= first.start_ns / 1e9 && zoomed.max >= first.end_ns / 1e9, 'the event is in view');
    await page.dblclick('#chart .u-over');
  });

  test('re-analysis with other detector parameters equals `memwatch analyze --growth-count 3 --no-trend --json`', async () => {
    const expected = cliJson(['analyze', '--json', '--growth-count', '3', '--no-trend', fx.exportFile]);
    await page.fill('#p-growth-count', '3');
    await page.uncheck('#trend-on');
    await page.waitForFunction((n) => document.querySelector('#leak-count').textContent === String(n), expected.leaks.length);
    const reasons = await page.$$eval('#leaks li.leak .reason', (els) => els.map((e) => e.textContent));
    assert.deepEqual(reasons, expected.leaks.map((l) => l.reason));
    assert.ok(expected.leaks.every((l) => l.detector === 'classic'));
    await shot('timeline-reanalysed');
    // Back to the recording's parameters.
    await page.click('#params-reset');
    const original = cliJson(['analyze', '--json', fx.exportFile]);
    await page.waitForFunction((n) => document.querySelector('#leak-count').textContent === String(n), original.leaks.length);
  });

  test('the form takes its bounds from core and shows core\'s message for a value it rejects', async () => {
    // The bounds `memwatch analyze --help` prints, set on the inputs by the engine.
    const help = spawnSync(memwatchBin(), ['analyze', '--help'], { encoding: 'utf8' }).stdout;
    assert.match(help, /--trend-window <N>\s+Trend detector: full-GC baselines in the regression window \[2\.\.=4096;/);
    assert.deepEqual([await page.getAttribute('#p-window', 'min'), await page.getAttribute('#p-window', 'max')], ['2', '4096']);
    assert.equal(await page.getAttribute('#p-growth-count', 'step'), '1');
    // With the browser's own bound removed, the value reaches the engine: core rejects it with the
    // message the CLI prints.
    const cli = spawnSync(memwatchBin(), ['analyze', '--json', '--trend-min-r2', '1.5', fx.exportFile], { encoding: 'utf8' });
    assert.equal(cli.status, 2);
    await page.evaluate(() => { document.querySelector('#p-min-r2').max = ''; });
    await page.fill('#p-min-r2', '1.5');
    // The message goes under the form (the shown results are marked stale meanwhile).
    await page.waitForFunction(() => document.querySelector('#params-error').textContent.includes('trend.min_r2'));
    const shown = await page.textContent('#params-error');
    assert.ok(shown.includes(cli.stderr.trim().replace(/^memwatch: /, '')), `${shown} vs ${cli.stderr}`);
    await page.evaluate(() => { document.querySelector('#p-min-r2').max = '1'; });
    await page.click('#params-reset');
    const original = cliJson(['analyze', '--json', fx.exportFile]);
    await page.waitForFunction((n) => document.querySelector('#leak-count').textContent === String(n), original.leaks.length);
  });

  test('recorded HeapDiff from the export is shown as recorded', async () => {
    const expected = cliJson(['analyze', '--json', fx.exportFile]).heap_diffs[0].diff;
    await openTab('diff');
    await page.selectOption('#diff-select', 'rec:0');
    await assertDiffShown(expected);
  });

  test('two snapshots via the file input: HeapDiff equals `memwatch diff --json`', async () => {
    await page.setInputFiles('#file-input', [fx.a, fx.b]);
    await viewerIdle(page);
    // Parsed at the same time, each in a worker of its own (as many as the machine has cores).
    const { limit, peak } = await page.evaluate(() => window.memwatchViewer.engine.parseStats());
    assert.equal(peak, Math.min(2, limit), `peak ${peak} parallel parses, limit ${limit}`);
    // Two snapshots open on the suspects; the HeapDiff is the next tab.
    await page.waitForSelector('#view-suspects:not([hidden])');
    await page.click('#tab-diff');
    await page.waitForSelector('#view-diff:not([hidden])');
    await page.waitForFunction(() => document.querySelector('#diff-select').value === 'pair');
    await page.waitForFunction(() => document.querySelector('#diff-run').textContent === 'Compare');
    await shot('heapdiff');
    const expected = cliJson(['diff', '--json', fx.a, fx.b]);
    await assertDiffShown(expected);
    const leaking = expected.change.details.find((d) => d.what === 'LeakingClass');
    assert.deepEqual([leaking['+'], leaking['-']], [10000, 0]);
  });

  test('HeapDiff table sorts by every column, filters by name, totals the shown rows', async () => {
    // node-memwatch's what / + / - / size and DevTools' # Delta / Size delta.
    for (const [key, numeric] of [['what', false], ['+', true], ['-', true], ['delta', true], ['size_bytes', true], ['size', true],
      ['alloc_size', true], ['freed_size', true]]) {
      for (let click = 0; click < 2; click++) {
        await page.click(`#diff-table th[data-key="${key}"] button`);
        const dir = await page.getAttribute(`#diff-table th[data-key="${key}"]`, 'aria-sort');
        const rows = await diffRows();
        // DevTools' Alloc./Freed size: exact bytes in the cell's title.
        const bytesOf = (k) => page.$$eval(`#diff-table tbody tr [data-key="${k}"]`, (tds) => tds.map((td) => Number(td.title.replace(/\D/g, ''))));
        const vals = key === 'alloc_size' || key === 'freed_size' ? await bytesOf(key)
          : rows.map((r) => (key === 'size_bytes' || key === 'size' ? r.size_bytes : r[key]));
        const sorted = vals.slice().sort(numeric ? (a, b) => a - b : (a, b) => new Intl.Collator('en', { numeric: true }).compare(a, b));
        if (dir === 'descending') sorted.reverse();
        assert.deepEqual(vals, sorted, `sorted by ${key} ${dir}`);
      }
    }
    await page.fill('#diff-table-filter', 'leaking');
    const rows = await diffRows();
    assert.deepEqual(rows.map((r) => r.what), ['LeakingClass']);
    const totals = await page.$$eval('#diff-table tfoot td', (tds) => tds.map((t) => t.textContent));
    assert.deepEqual(totals.slice(0, 3), ['10,000', '0', '+10,000']);
    await page.fill('#diff-table-filter', '');
  });

  test('a third snapshot via a synthetic drop: class summary, and before/after choice equals `memwatch diff --json`', async () => {
    await dropFile(fx.c);
    await viewerIdle(page);
    await openTab('summary');
    await page.selectOption('#summary-select', { label: path.basename(fx.b) });
    await page.waitForFunction(() => document.querySelector('#summary-meta').textContent.startsWith('b.heapsnapshot'));
    await page.fill('#summary-table-filter', 'LeakingClass');
    const rows = await page.$$eval('#summary-table tbody tr', (trs) => trs.map((tr) => ({
      what: tr.querySelector('th').textContent,
      count: tr.querySelector('[data-key="count"]').textContent,
    })));
    // b.heapsnapshot holds exactly the 10,000 instances the fixture script retained.
    assert.deepEqual(rows, [{ what: 'LeakingClass', count: '10,000' }]);
    await page.fill('#summary-table-filter', '');
    await shot('snapshot-summary');

    await openTab('diff');
    await page.selectOption('#diff-select', 'pair');
    await page.selectOption('#diff-before', { label: 'b.heapsnapshot' });
    await page.selectOption('#diff-after', { label: 'c.heapsnapshot' });
    await page.click('#diff-run');
    await page.waitForFunction(() => document.querySelector('#diff-run').textContent === 'Compare');
    const expected = cliJson(['diff', '--json', fx.b, fx.c]);
    await assertDiffShown(expected);
    const leaking = expected.change.details.find((d) => d.what === 'LeakingClass');
    assert.deepEqual([leaking['+'], leaking['-']], [0, 5000]);
  });

  test('corrupt and foreign files show a clear error and the page keeps working', async () => {
    const truncated = path.join(FIX, 'truncated.heapsnapshot');
    const bytes = fs.readFileSync(fx.a);
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const foreign = path.join(FIX, 'notes.txt');
    fs.writeFileSync(foreign, 'these are not the droids you are looking for\n');
    const badExport = path.join(FIX, 'bad.jsonl');
    const lines = fs.readFileSync(fx.exportFile, 'utf8').split('\n');
    lines[5] = '{"type":"gc","seq":"five"}';
    fs.writeFileSync(badExport, lines.join('\n'));

    await page.setInputFiles('#file-input', [truncated, foreign, badExport]);
    await viewerIdle(page);
    const errors = await page.$$eval('#errors .error .msg', (els) => els.map((e) => e.textContent));
    assert.equal(errors.length, 3, errors.join('\n'));
    // Files load in parallel, so the messages come in the order the files failed.
    const byFile = (name) => errors.find((e) => e.startsWith(`${name}: `)) ?? '';
    assert.match(byFile('truncated.heapsnapshot'), /^truncated\.heapsnapshot: .+/);
    assert.match(byFile('notes.txt'), /^notes\.txt: neither a V8 heap snapshot .* nor a memwatch export/);
    assert.match(byFile('bad.jsonl'), /^bad\.jsonl: line 6: /);
    assert.equal(await page.locator('#file-list .file.failed').count(), 3);
    await shot('errors');

    // Still working: the engine parses another snapshot and re-analysis still answers.
    await page.setInputFiles('#file-input', fx.a);
    await viewerIdle(page);
    assert.equal(await page.locator('#file-list .file.ok').count(), 5);
    await openTab('timeline');
    const expected = cliJson(['analyze', '--json', '--growth-count', '4', fx.exportFile]);
    await page.fill('#p-growth-count', '4');
    await page.waitForFunction((n) => document.querySelector('#leak-count').textContent === String(n), expected.leaks.length);
    // Dismissing the messages clears them.
    for (const b of await page.$$('#errors .dismiss')) await b.click();
    assert.equal(await page.locator('#errors .error').count(), 0);
  });

  test('keyboard: tabs move with arrow keys, table headers sort with Enter', async () => {
    await page.focus('#tab-timeline');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-suspects');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-diff');
    assert.equal(await page.isVisible('#view-diff'), true);
    await page.focus('#diff-table th[data-key="what"] button');
    await page.keyboard.press('Enter');
    const first = await page.getAttribute('#diff-table th[data-key="what"]', 'aria-sort');
    await page.keyboard.press('Enter');
    const second = await page.getAttribute('#diff-table th[data-key="what"]', 'aria-sort');
    assert.notEqual(first, second);
    assert.ok(['ascending', 'descending'].includes(second));
  });

  test('dark colour scheme renders', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await openTab('timeline');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(20, 23, 29)');
    await shot('timeline-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('an export written by `memwatch run` shows what `memwatch analyze --json` reports', async (t) => {
    const script = path.join(FIX, 'leaky-run.js');
    fs.writeFileSync(script, [
      '// Grows a retained array between forced full GCs, with a HeapDiff around part of it.',
      'const keep = [];',
      'let i = 0;',
      'const hd = new memwatch.HeapDiff();',
      'const timer = setInterval(() => {',
      '  for (let j = 0; j < 2000; j++) keep.push({ id: i * 2000 + j, payload: "x".repeat(64) });',
      '  memwatch.gc();',
      '  if (++i === 8) console.log(JSON.stringify(hd.end().change.details.length));',
      '  if (i === 14) clearInterval(timer);',
      '}, 5);',
      '',
    ].join('\n'));
    const out = path.join(FIX, 'run.memwatch.jsonl');
    fs.rmSync(out, { force: true });
    const r = spawnSync(memwatchBin(), ['run', script, '--out', out], { encoding: 'utf8' });
    if (r.status !== 0 && /not implemented|unrecognized subcommand/i.test(r.stderr)) {
      t.skip(`memwatch run is not available in this build: ${r.stderr.trim()}`);
      return;
    }
    assert.equal(r.status, 0, `memwatch run failed: ${r.stderr}`);
    const expected = cliJson(['analyze', '--json', out]);
    assert.ok(expected.stats.num_full_gc >= 14, 'the script forced full GCs');
    await page.setInputFiles('#file-input', out);
    await viewerIdle(page);
    await openTab('timeline');
    await page.waitForFunction(() => document.querySelector('#export-meta').textContent.startsWith('run.memwatch.jsonl'));
    await assertAnalysisShown(expected);
    await shot('timeline-memwatch-run');
    if (expected.heap_diffs.length) {
      await openTab('diff');
      await page.selectOption('#diff-select', 'rec:0');
      await assertDiffShown(expected.heap_diffs[0].diff);
    }
  });

  test('without a built wasm package the page loads and says how to build it', async () => {
    const bare = fs.mkdtempSync(path.join(OUT, 'no-pkg-'));
    fs.cpSync(path.join(ROOT, 'www'), path.join(bare, 'www'), { recursive: true });
    const srv = await startServer(bare);
    const p2 = await browser.context.newPage();
    try {
      await p2.goto(srv.url);
      await p2.waitForFunction(() => window.memwatchViewer !== undefined);
      await p2.setInputFiles('#file-input', fx.exportFile);
      await viewerIdle(p2);
      const msg = await p2.textContent('#errors');
      assert.match(msg, /wasm engine is not available at \/pkg\/wasm\/web\/memwatch_wasm\.js \(build it with scripts\/build-wasm\.sh\)/);
    } finally {
      await p2.close();
      srv.stop();
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });

  test('no CSP violations, failed requests or uncaught errors', () => {
    assert.deepEqual(problems, []);
  });
});
