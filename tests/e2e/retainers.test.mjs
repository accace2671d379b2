// End-to-end test of the retainer panel (issue 6): two real Node snapshots around a global Map
// `leakyCache` filling with LeakingClass instances; selecting LeakingClass in the HeapDiff must
// show the same retained-size delta and retainer paths as `memwatch diff --json --retainers N`.
// Screenshot: tests/out/retainers.png. Run: tests/e2e/run.sh

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HERE, OUT, ROOT, cliJson, memwatchBin, startServer, launchBrowser, viewerIdle } from './lib.mjs';
import { formatBytesSigned, formatInt } from '../../www/js/format.js';

const FIX = path.join(OUT, 'retainers-fixtures');
const COUNT = 400;
const WRITER = `
const v8 = require('node:v8'), path = require('node:path');
class LeakingClass { constructor(i) { this.payload = new Array(8).fill(i); this.onDone = () => i; } }
globalThis.leakyCache = new Map();
const before = v8.writeHeapSnapshot(path.join(process.argv[1], 'before.heapsnapshot'));
for (let i = 0; i < ${COUNT}; i++) leakyCache.set('k' + i, new LeakingClass(i));
const after = v8.writeHeapSnapshot(path.join(process.argv[1], 'after.heapsnapshot'));
console.log(JSON.stringify({ before, after }));
`;

let fx;
let server;
let browser;
let page;
const problems = [];

/** The row of LeakingClass in the HeapDiff table. */
const leakingRow = () => page.locator('#diff-table tbody tr[data-what="LeakingClass"]');

describe('retainer panel', () => {
  before(async () => {
    fs.mkdirSync(FIX, { recursive: true });
    const r = spawnSync(process.execPath, ['-e', WRITER, FIX], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    fx = JSON.parse(r.stdout);
    fx.exportFile = path.join(FIX, 'recorded.memwatch.jsonl');
    const ex = spawnSync(process.execPath, [path.join(HERE, 'fixtures', 'make-export.mjs'), fx.exportFile], { encoding: 'utf8' });
    assert.equal(ex.status, 0, ex.stderr);
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => window.memwatchViewer !== undefined);
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('LeakingClass: retained-size delta and paths equal `memwatch diff --json --retainers`', async () => {
    await page.setInputFiles('#file-input', [fx.before, fx.after]);
    await viewerIdle(page);
    await page.waitForFunction(() => document.querySelector('#diff-select').value === 'pair'
      && document.querySelector('#diff-run').textContent === 'Compare'
      && document.querySelector('#diff-table tbody tr[data-what="LeakingClass"]'));
    // Two snapshots open on the suspects; the HeapDiff is one tab away.
    await page.click('#tab-diff');
    // Discoverable before anything is selected: a hint in the panel and a button per row.
    assert.match(await page.textContent('#retainers-body'), /Who retains this\?/);
    const button = leakingRow().locator('button.row-action');
    assert.equal(await button.getAttribute('aria-label'), 'Who retains this? LeakingClass');

    await button.click();
    await page.waitForSelector('#growth-paths li');
    const expected = cliJson(['diff', '--json', '--retainers', '10', fx.before, fx.after]).retainers.classes
      .find((c) => c.class === 'LeakingClass');
    assert.ok(expected, 'the CLI reports LeakingClass among the growing classes');
    assert.match(expected.paths[0].path, /leakyCache/);

    assert.equal(await page.textContent('#retainers-title'), 'Who retains LeakingClass?');
    const field = (k) => page.textContent(`#retainers-body [data-field="${k}"] dd`);
    // Sizes in the page's one convention, the exact bytes on hover.
    assert.equal(await field('retained_size_delta'), formatBytesSigned(expected.retained_size_delta));
    assert.equal(await field('new_objects'), formatInt(expected.new_objects));
    assert.equal(await field('count'), formatInt(expected.count_after));
    assert.equal(await page.getAttribute('#retainers-body [data-field="retained_size"] dd', 'title'),
      `${formatInt(expected.retained_size_after)} bytes`);
    const shownPaths = await page.$$eval('#growth-paths li code.path', (els) => els.map((e) => e.textContent));
    assert.deepEqual(shownPaths, expected.paths.map((p) => p.path));
    const examples = await page.$$eval('#growth-paths li .example', (els) => els.map((e) => e.textContent));
    assert.deepEqual(examples, expected.paths.map((p) => `e.g. ${p.example.text} @${p.example.hops.at(-1).node_id}`));
    // All members in AFTER (none existed before, so the same objects): held by leakyCache.
    const all = await page.$$eval('#class-paths li', (els) => els.map((e) => [e.querySelector('.path').textContent, e.querySelector('.meta').textContent]));
    assert.match(all[0][0], /^\(global\) leakyCache -> /);
    assert.match(all[0][1], new RegExp(`^${formatInt(COUNT)} objects, `));
    await page.screenshot({ path: path.join(OUT, 'retainers.png'), fullPage: true });
  });

  // HeapDiff rows are buckets: `Array` (JS arrays and V8's internal arrays), `String`, `Closure`.
  // Each grew by at least COUNT objects, all held through leakyCache.
  for (const what of ['Array', 'String', 'Closure']) {
    test(`${what} row: the panel shows who holds its new objects`, async () => {
      await page.click('#tab-timeline');
      await page.click('#tab-diff');
      await page.locator(`#diff-table tbody tr[data-what="${what}"] button.row-action`).click();
      await page.waitForFunction((w) => document.querySelector('#retainers-title').textContent === `Who retains ${w}?`
        && document.querySelector('#retainers-status').textContent.endsWith('ready'), what);
      const newObjects = Number((await page.textContent('#retainers-body [data-field="new_objects"] dd')).replace(/\D/g, ''));
      assert.ok(newObjects >= COUNT, `${what}: ${newObjects} new objects`);
      const growthPaths = await page.$$eval('#growth-paths li code.path', (els) => els.map((e) => e.textContent));
      assert.ok(growthPaths.length >= 1, `${what}: no growth paths`);
      assert.match(growthPaths[0], /^\(global\) leakyCache -> /, what);
      const all = await page.$$eval('#class-paths li code.path', (els) => els.map((e) => e.textContent));
      assert.ok(all.some((p) => p.includes('leakyCache')), `${what}: ${all.join('\n')}`);
    });
  }

  test('Comparison columns: alloc. and freed sizes add up to node-memwatch\'s, Retained Δ equals the engine\'s growth', async () => {
    await page.click('#tab-diff');
    await page.selectOption('#diff-select', 'pair');
    await page.waitForFunction(() => document.querySelector('#diff-table').dataset.retained === 'ready');
    const expected = cliJson(['diff', '--json', '--retainers', '10', fx.before, fx.after]);
    const cells = await page.$$eval('#diff-table tbody tr', (trs) => trs.map((tr) => {
      const cell = (k) => tr.querySelector(`[data-key="${k}"]`);
      return {
        what: tr.dataset.what,
        plus: cell('+').textContent,
        minus: cell('-').textContent,
        alloc: Number(cell('alloc_size').title.replace(/\D/g, '')),
        freed: Number(cell('freed_size').title.replace(/\D/g, '')),
        sizeDelta: Number(cell('size_bytes').title.replace(/[^\d-]/g, '')),
        retained: cell('retained_delta').textContent,
        retainedTitle: cell('retained_delta').title,
        size: cell('size').textContent,
      };
    }));
    assert.equal(cells.length, expected.change.details.length);
    for (const d of expected.change.details) {
      const c = cells.find((x) => x.what === d.what);
      assert.ok(c, d.what);
      assert.deepEqual([c.plus, c.minus, c.size, c.sizeDelta], [formatInt(d['+']), formatInt(d['-']), d.size, d.size_bytes], d.what);
      assert.equal(c.alloc - c.freed, d.size_bytes, `${d.what}: alloc ${c.alloc} - freed ${c.freed}`);
      if (d['-'] === 0) assert.equal(c.freed, 0, d.what);
      if (d['+'] === 0) assert.equal(c.alloc, 0, d.what);
      assert.match(c.retainedTitle, /^[\d,]+ → [\d,]+ bytes$/, d.what);
    }
    // LeakingClass: 400 new objects, none freed; its retained growth is the CLI's.
    const leaking = cells.find((x) => x.what === 'LeakingClass');
    const grew = expected.retainers.classes.find((c) => c.class === 'LeakingClass');
    assert.equal(leaking.freed, 0);
    assert.equal(leaking.alloc, expected.change.details.find((d) => d.what === 'LeakingClass').size_bytes);
    assert.equal(leaking.retainedTitle, `${formatInt(grew.retained_size_before)} → ${formatInt(grew.retained_size_after)} bytes`);
    // Sortable: Retained Δ, largest first.
    await page.click('#diff-table th[data-key="retained_delta"] button');
    const order = await page.$$eval('#diff-table tbody tr [data-key="retained_delta"]', (tds) => tds.map((td) => td.title));
    const deltas = order.map((t) => { const [b, a] = t.split('→').map((x) => Number(x.replace(/\D/g, ''))); return a - b; });
    assert.deepEqual(deltas, deltas.slice().sort((x, y) => y - x));
  });

  // Code and Number are node types, not constructors: their rows select V8's code objects and
  // heap numbers (the engine's bucket model), and the panel agrees with the table.
  for (const what of ['Code', 'Closure']) {
    test(`${what} row: the panel counts the bucket's objects and its retained change is the table's`, async () => {
      await page.click('#tab-diff');
      await page.waitForFunction(() => document.querySelector('#diff-table').dataset.retained === 'ready');
      const row = page.locator(`#diff-table tbody tr[data-what="${what}"]`);
      const tableTitle = await row.locator('[data-key="retained_delta"]').getAttribute('title');
      await row.locator('button.row-action').click();
      await page.waitForFunction((w) => document.querySelector('#retainers-title').textContent === `Who retains ${w}?`
        && document.querySelector('#retainers-status').textContent.endsWith('ready'), what);
      const count = Number((await page.textContent('#retainers-body [data-field="count"] dd')).replace(/\D/g, ''));
      assert.ok(count > 10, `${what}: ${count} objects`);
      assert.ok(await page.locator('#class-paths li').count() >= 1, `${what}: no paths`);
      const change = await page.getAttribute('#retainers-body [data-field="retained_size_delta"] dd', 'title');
      assert.equal(change, tableTitle);
    });
  }

  test('keyboard: Enter on a row selects it and moves focus to the panel', async () => {
    await page.click('#tab-timeline');
    await page.click('#tab-diff');
    const first = page.locator('#diff-table tbody tr').first();
    const what = await first.getAttribute('data-what');
    await first.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((w) => document.querySelector('#retainers-title').textContent === `Who retains ${w}?`
      && document.querySelector('#retainers-status').textContent.endsWith('ready'), what);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'retainers');
  });

  test('a recorded HeapDiff has no "Who retains" buttons and says why, without a click', async () => {
    await page.setInputFiles('#file-input', fx.exportFile);
    await viewerIdle(page);
    await page.click('#tab-diff');
    await page.selectOption('#diff-select', 'rec:0');
    await page.waitForSelector('#diff-table tbody tr');
    // The export holds per-class counts only: no row can be answered, so none offers to.
    assert.equal(await page.locator('#diff-table tbody tr button.row-action').count(), 0);
    assert.equal(await page.locator('#diff-table thead th.action').count(), 0);
    const notice = page.locator('#retainers-body [data-state="no-snapshots"]');
    await notice.waitFor();
    assert.match(await notice.textContent(), /recorded in an export file.*open the two \.heapsnapshot files/);
    // This recording has no leak events with retainers: the panel says how to get them.
    assert.match(await page.textContent('#retainers-body [data-state="no-leak-retainers"]'), /--leak-retainers/);
    // Back to the snapshot pair: the buttons are back.
    await page.selectOption('#diff-select', 'pair');
    await page.waitForSelector('#diff-table tbody tr button.row-action');
  });

  test('leaks recorded with `memwatch run --leak-retainers` show who retains the growth', async () => {
    const script = path.join(ROOT, 'native', 'cli', 'tests', 'js', 'retained-leak.js');
    const exportFile = path.join(FIX, 'leak-retainers.memwatch.jsonl');
    // The corpus script with a HeapDiff around it: the export records both.
    const withDiff = path.join(FIX, 'retained-leak-heapdiff.js');
    fs.writeFileSync(withDiff, `const hd = new memwatch.HeapDiff();\n${fs.readFileSync(script, 'utf8')}\n`
      + 'setTimeout(() => hd.end(), 200);\n');
    const run = spawnSync(memwatchBin(), ['run', '--leak-growth-count', '3', '--leak-retainers', '3', '--out', exportFile, withDiff],
      { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const expected = cliJson(['analyze', '--json', exportFile]);
    const first = expected.recorded_leaks[0];
    assert.ok(first?.retainers?.classes?.length, 'the run recorded retainer paths');

    await page.click('#tab-timeline');
    await page.setInputFiles('#file-input', exportFile);
    await viewerIdle(page);
    await page.waitForFunction((n) => document.querySelector('#leak-count').textContent === String(n), expected.leaks.length);
    const details = page.locator('#leaks li.leak').first().locator('details.held-by');
    // The first event's answer is open without a click, holders first.
    assert.equal(await details.evaluate((d) => d.open), true);
    const holders = await details.locator('ul.holders > li').evaluateAll((lis) => lis.map((li) => li.dataset.holder));
    assert.deepEqual(holders, first.retainers.holders.map((h) => h.name));
    assert.equal(holders[0], 'leakyCache');
    assert.ok(holders.includes('cachedItems'), holders.join());
    assert.match(await details.locator('ul.holders > li[data-holder="cachedItems"]').textContent(), /retained-leak-heapdiff\.js:\d+:\d+/);
    const firstChild = await details.evaluate((d) => d.querySelector('summary').nextElementSibling.className);
    assert.equal(firstChild, 'holders');
    const shown = await details.locator('ul.classes > li').evaluateAll((lis) => lis.map((li) => ({
      class: li.dataset.class,
      paths: [...li.querySelectorAll('code.path')].map((c) => c.textContent),
    })));
    assert.deepEqual(shown, first.retainers.classes.map((c) => ({
      class: c.class,
      paths: c.paths.map((p) => `${formatInt(p.count)} × ${p.path}`),
    })));
    const leaking = shown.find((c) => c.class === 'LeakingClass');
    assert.ok(leaking, JSON.stringify(shown));
    assert.match(leaking.paths[0], /× \(global\) leakyCache -> Map table -> \[\*\] -> LeakingClass$/);
    await page.screenshot({ path: path.join(OUT, 'leak-retainers.png'), fullPage: true });

    // Its recorded HeapDiff cannot answer "Who retains", but links to the leak events that can.
    assert.ok(expected.heap_diffs.length >= 1, 'the run recorded a HeapDiff');
    await page.click('#tab-diff');
    await page.selectOption('#diff-select', 'rec:0');
    await page.waitForSelector('#to-leak-retainers');
    assert.equal(await page.locator('#diff-table tbody tr button.row-action').count(), 0);
    await details.evaluate((d) => { d.open = false; });
    await page.click('#to-leak-retainers');
    assert.equal(await page.getAttribute('#tab-timeline', 'aria-selected'), 'true');
    assert.equal(await details.evaluate((d) => d.open), true);
    assert.equal(await page.evaluate(() => document.activeElement.closest('details.held-by') !== null), true);

    // Other detector parameters find other leaks: only the recorded ones have paths.
    await page.fill('#p-growth-count', '2');
    const reanalysed = cliJson(['analyze', '--json', '--growth-count', '2', exportFile]).leaks;
    await page.waitForFunction((n) => document.querySelector('#params-status').textContent.includes('with these parameters')
      && document.querySelector('#leak-count').textContent === String(n), reanalysed.length);
    const recordedKeys = new Set(expected.recorded_leaks.map((l) => `${l.detector}:${l.gc_seq}`));
    const withPaths = await page.$$eval('#leaks li.leak', (lis) => lis.map((li) => li.querySelector('details.held-by') !== null));
    assert.deepEqual(withPaths, reanalysed.map((l) => recordedKeys.has(`${l.detector}:${l.gc_seq}`)));
    assert.deepEqual(problems, []);
  });
});
