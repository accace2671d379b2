// End-to-end tests of the suspects summary (issue 17): three real Node snapshots of a leaking app
// (tests/fixtures/leaky-app-snapshots.js: a global Map `leakyCache` of LeakingClass instances and
// a closure's `cachedItems` array grow between them) open on the Suspects tab, which names the
// holders and their classes without any click and equals `memwatch leaks --json`; roles default
// to the order the snapshots were taken and can be chosen; two snapshots give the growth report
// of `memwatch diff --json --retainers`. Run: tests/e2e/run.sh

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HERE, OUT, cliJson, startServer, launchBrowser, viewerIdle, openViewer } from './lib.mjs';
import { formatBytesSigned, formatInt } from '../../www/js/format.js';

const FIX = path.join(OUT, 'suspects-fixtures');
let fx;
let server;
let browser;

/** What the page shows for each suspect, in order. */
const shownSuspects = (page) => page.$$eval('#suspects-list li.suspect', (els) => els.map((e) => ({
  name: e.querySelector('.holder-name').textContent,
  class: e.querySelector('.holder-class').textContent,
  location: e.querySelector('.location')?.textContent ?? null,
  gained: e.querySelector('.gained').textContent,
  classes: [...e.querySelectorAll('.gained-classes li')].map((li) => li.dataset.class),
  path: e.querySelector('.held-at .path').textContent,
})));

/** The same fields from the engine's JSON (the CLI), as the page formats them. */
const expectedSuspects = (holders) => holders.map((s) => ({
  name: s.name,
  class: s.class,
  location: s.location ?? null,
  gained: formatBytesSigned(s.gained_retained_size),
  classes: s.classes.slice(0, 5).map((c) => c.class),
  path: s.path.text,
}));

const roles = (page) => page.evaluate(() => Object.fromEntries(['baseline', 'target', 'final'].map((r) =>
  [r, document.querySelector(`#role-${r}`).selectedOptions[0]?.textContent])));

const ready = (page) => page.waitForFunction(() => document.querySelector('#suspects-content').dataset.state === 'ready');

describe('suspects summary (issue 17)', () => {
  before(async () => {
    fs.mkdirSync(FIX, { recursive: true });
    const r = spawnSync(process.execPath, [path.join(HERE, '..', 'fixtures', 'leaky-app-snapshots.js'), FIX, '100', '1000', '2000'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    fx = Object.fromEntries(['baseline', 'target', 'final'].map((n) => [n, path.join(FIX, `${n}.heapsnapshot`)]));
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('three real snapshots: the page opens on the suspects, holder and class named without a click', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    // Written in this order by one process, so their modification times give the roles even
    // when they are opened in another order.
    const times = ['baseline', 'target', 'final'].map((n) => fs.statSync(fx[n]).mtimeMs);
    assert.ok(times[0] < times[1] && times[1] < times[2], `mtimes ${times}`);
    await page.setInputFiles('#file-input', [fx.final, fx.baseline, fx.target]);
    await viewerIdle(page);
    assert.equal(await page.getAttribute('#tab-suspects', 'aria-selected'), 'true');
    await ready(page);
    assert.deepEqual(await roles(page), { baseline: 'baseline.heapsnapshot', target: 'target.heapsnapshot', final: 'final.heapsnapshot' });

    const expected = cliJson(['leaks', '--json', fx.baseline, fx.target, fx.final]);
    const shown = await shownSuspects(page);
    assert.deepEqual(shown, expectedSuspects(expected.holders));
    assert.equal(shown[0].name, 'leakyCache');
    assert.equal(shown[0].class, 'Map');
    assert.equal(shown[0].classes[0], 'LeakingClass');
    const closure = shown.find((s) => s.name === 'cachedItems');
    assert.ok(closure, 'the closure variable is a suspect');
    assert.equal(closure.location, 'leaky-app-snapshots.js:11:68');
    assert.match(closure.path, /add \(leaky-app-snapshots\.js:11:68\) -> context -> cachedItems/);
    assert.match(await page.textContent('#suspects-summary'),
      new RegExp(`still alive in final\\.heapsnapshot: ${formatInt(expected.leaked_objects)} objects`));
    await page.screenshot({ path: path.join(OUT, 'suspects.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the user chooses the roles and the report follows', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    await page.setInputFiles('#file-input', [fx.baseline, fx.target, fx.final]);
    await viewerIdle(page);
    await ready(page);

    // Target as the baseline, baseline as the target: another leak set, still the engine's.
    await page.selectOption('#role-baseline', { label: 'target.heapsnapshot' });
    await page.selectOption('#role-target', { label: 'baseline.heapsnapshot' });
    await ready(page);
    const swapped = cliJson(['leaks', '--json', fx.target, fx.baseline, fx.final]);
    assert.deepEqual(await shownSuspects(page), expectedSuspects(swapped.holders ?? []));

    // Two roles the same: a message, no stale list.
    await page.selectOption('#role-final', { label: 'baseline.heapsnapshot' });
    await page.waitForFunction(() => document.querySelector('#suspects-content').dataset.state === 'invalid');
    assert.equal(await page.locator('#suspects-list li').count(), 0);
    assert.match(await page.textContent('#suspects-status'), /three different snapshots/);

    // Two-snapshot mode: before and after, the growth report of `memwatch diff --retainers`.
    await page.selectOption('#suspects-mode', 'growth');
    await ready(page);
    assert.equal(await page.isVisible('#role-target'), false);
    assert.deepEqual(await roles(page).then((r) => [r.baseline, r.final]), ['baseline.heapsnapshot', 'final.heapsnapshot']);
    const growth = cliJson(['diff', '--json', '--retainers', '10', fx.baseline, fx.final]).retainers;
    assert.deepEqual(await shownSuspects(page), expectedSuspects(growth.holders));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('three snapshots parsed in parallel workers give the same suspects and diff as the CLI', async () => {
    // Two parses at once whatever the machine (the default keeps a core for the page).
    const { page, problems } = await openViewer(browser, `${server.url}?parse-workers=2`);
    await page.setInputFiles('#file-input', [fx.baseline, fx.target, fx.final]);
    await viewerIdle(page);
    assert.deepEqual(await page.evaluate(() => window.memwatchViewer.engine.parseStats()), { limit: 2, peak: 2 });
    // Opened in this order, finished in any: roles and pickers keep the order.
    assert.deepEqual(await page.$$eval('#file-list .file .name', (els) => els.map((e) => e.textContent)),
      ['baseline.heapsnapshot', 'target.heapsnapshot', 'final.heapsnapshot']);
    await ready(page);
    const expected = cliJson(['leaks', '--json', fx.baseline, fx.target, fx.final]);
    assert.deepEqual(await shownSuspects(page), expectedSuspects(expected.holders));
    await page.click('#tab-diff');
    await page.waitForFunction(() => document.querySelector('#diff-run').textContent === 'Compare'
      && !document.querySelector('#diff-content').hidden);
    const diff = cliJson(['diff', '--json', fx.baseline, fx.target]);
    const rows = await page.$$eval('#diff-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.what,
      tr.querySelector('[data-key="+"]').textContent, tr.querySelector('[data-key="-"]').textContent].join(' ')).sort());
    assert.deepEqual(rows, diff.change.details.map((d) => [d.what, formatInt(d['+']), formatInt(d['-'])].join(' ')).sort());
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('two snapshots open on the growth report; closing one leaves no stale suspects', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    await page.setInputFiles('#file-input', [fx.baseline, fx.target]);
    await viewerIdle(page);
    assert.equal(await page.getAttribute('#tab-suspects', 'aria-selected'), 'true');
    await ready(page);
    assert.equal(await page.inputValue('#suspects-mode'), 'growth');
    const growth = cliJson(['diff', '--json', '--retainers', '10', fx.baseline, fx.target]).retainers;
    const shown = await shownSuspects(page);
    assert.deepEqual(shown, expectedSuspects(growth.holders));
    assert.equal(shown[0].name, 'leakyCache');
    await page.click('button[aria-label="Close target.heapsnapshot"]');
    await page.waitForFunction(() => document.querySelector('#suspects-content').hidden);
    assert.equal(await page.isVisible('#suspects-empty'), true);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
