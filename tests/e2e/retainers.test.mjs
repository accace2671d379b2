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
import { formatInt, formatSigned } from '../../www/js/format.js';

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
    assert.equal(await field('retained_size_delta'), `${formatSigned(expected.retained_size_delta)} bytes`);
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

  test('a recorded HeapDiff from an export says that retainers need the snapshots', async () => {
    await page.setInputFiles('#file-input', fx.exportFile);
    await viewerIdle(page);
    await page.click('#tab-diff');
    await page.selectOption('#diff-select', 'rec:0');
    await page.locator('#diff-table tbody tr button.row-action').first().click();
    const notice = page.locator('#retainers-body [data-state="no-snapshots"]');
    await notice.waitFor();
    assert.match(await notice.textContent(), /recorded in an export file.*open the two \.heapsnapshot files/);
  });

  test('leaks recorded with `memwatch run --leak-retainers` show who retains the growth', async () => {
    const script = path.join(ROOT, 'native', 'cli', 'tests', 'js', 'retained-leak.js');
    const exportFile = path.join(FIX, 'leak-retainers.memwatch.jsonl');
    const run = spawnSync(memwatchBin(), ['run', '--leak-growth-count', '3', '--leak-retainers', '3', '--out', exportFile, script],
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
    await details.locator('summary').click();
    const shown = await details.locator('li').evaluateAll((lis) => lis.map((li) => ({
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
