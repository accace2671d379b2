// End-to-end tests of the viewer's readability (issue 17): the first screen says which files to
// open and how to make them, `.ndjson` exports load, every loaded file can be closed, sizes use one
// unit convention (chart ticks included), the leak list uses the chart's time base, long class
// names are cut in the middle with the full name on hover and focus, and at 800x600 no column or
// button is pushed off-screen. Run: tests/e2e/run.sh

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { OUT, cliJson, startServer, launchBrowser, makeFixtures, viewerIdle, openViewer } from './lib.mjs';
import { formatWallClock } from '../../www/js/format.js';

const FIX = path.join(OUT, 'readability-fixtures');
const LONG_CLASS = 'GeneratedCodeForTheViewerTable_ConstructorNameFarLongerThanAnyColumn_EndsWithLeakyTail';
// Two snapshots around 300 retained instances of a class with a very long name.
const WRITER = `
const v8 = require('node:v8'), path = require('node:path');
class ${LONG_CLASS} { constructor(i) { this.i = i; } }
globalThis.keep = [];
const before = v8.writeHeapSnapshot(path.join(process.argv[1], 'long-before.heapsnapshot'));
for (let i = 0; i < 300; i++) keep.push(new ${LONG_CLASS}(i));
const after = v8.writeHeapSnapshot(path.join(process.argv[1], 'long-after.heapsnapshot'));
console.log(JSON.stringify({ before, after }));
`;

let fx;
let server;
let browser;

/** Text drawn on canvases (the chart's tick labels), recorded from the page's first script on. */
function recordCanvasText(page) {
  return page.addInitScript(() => {
    window.canvasText = [];
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
      window.canvasText.push(String(text));
      return fillText.call(this, text, ...rest);
    };
  });
}

describe('viewer readability (issue 17)', () => {
  before(async () => {
    fx = makeFixtures(FIX);
    const r = spawnSync(process.execPath, ['-e', WRITER, FIX], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    fx.long = JSON.parse(r.stdout);
    // The same export under the other extension memwatch writes (`memwatch demo` writes .ndjson).
    fx.ndjson = path.join(FIX, 'leaky-app.ndjson');
    fs.copyFileSync(fx.exportFile, fx.ndjson);
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('first screen: which files, how to make them; .ndjson loads; every loaded file closes', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    const intro = await page.textContent('#intro');
    for (const phrase of ['memwatch run --out', 'memwatch demo', 'v8.writeHeapSnapshot()', 'Save profile', '.jsonl', '.ndjson', '.heapsnapshot']) {
      assert.ok(intro.includes(phrase), `the first screen mentions ${phrase}`);
    }
    assert.equal(await page.isVisible('#intro'), true);

    const expected = cliJson(['analyze', '--json', fx.ndjson]);
    await page.setInputFiles('#file-input', [fx.ndjson, fx.a, fx.b]);
    await viewerIdle(page);
    assert.equal(await page.isVisible('#intro'), false, 'the instructions give way to the files');
    assert.equal(await page.locator('#file-list .file.ok').count(), 3);
    await page.click('#tab-timeline');
    assert.match(await page.textContent('#export-meta'), /^leaky-app\.ndjson: /);
    assert.equal(await page.textContent('#leak-count'), String(expected.leaks.length));

    // Each loaded file has a close button; closing the export empties the timeline and drops its
    // recorded HeapDiffs from the HeapDiff tab's choices.
    for (const name of ['leaky-app.ndjson', 'a.heapsnapshot', 'b.heapsnapshot']) {
      assert.equal(await page.isVisible(`button[aria-label="Close ${name}"]`), true, name);
    }
    await page.click('button[aria-label="Close leaky-app.ndjson"]');
    assert.equal(await page.isVisible('#timeline-empty'), true);
    assert.equal(await page.isVisible('#timeline-content'), false);
    const sources = await page.$$eval('#diff-select option', (os) => os.map((o) => o.value));
    assert.deepEqual(sources, ['pair']);
    await page.click('button[aria-label="Close a.heapsnapshot"]');
    await page.click('button[aria-label="Close b.heapsnapshot"]');
    assert.equal(await page.locator('#file-list .file').count(), 0);
    assert.equal(await page.isVisible('#intro'), true, 'all closed: the instructions are back');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('sizes: one unit convention; chart ticks at round values of one unit; node-memwatch strings only in its output', async () => {
    const page0 = await browser.context.newPage();
    await recordCanvasText(page0);
    await page0.close();
    const { page, problems } = await openViewer(browser, server.url);
    await recordCanvasText(page);
    await page.reload();
    await page.waitForFunction(() => window.memwatchViewer !== undefined);
    await page.setInputFiles('#file-input', fx.exportFile);
    await viewerIdle(page);
    await page.waitForSelector('#chart canvas');
    await page.evaluate(() => { window.canvasText = []; });
    await page.dblclick('#chart .u-over'); // redraw at the full range
    await page.waitForFunction(() => window.canvasText.length > 0);
    const drawn = await page.evaluate(() => window.canvasText);
    const sizeTicks = drawn.filter((t) => /\d/.test(t) && !/ s$/.test(t));
    const timeTicks = drawn.filter((t) => / s$/.test(t));
    assert.ok(sizeTicks.length >= 2, drawn.join(' | '));
    assert.ok(timeTicks.length >= 2, 'x ticks are seconds since start');
    const parsed = sizeTicks.map((t) => t.match(/^(\d+(?:\.\d+)?) (B|KiB|MiB|GiB)$/));
    assert.ok(parsed.every(Boolean), `every y tick is "<number> <binary unit>": ${sizeTicks.join(', ')}`);
    assert.equal(new Set(parsed.map((m) => m[2])).size, 1, `one unit: ${sizeTicks.join(', ')}`);
    const values = parsed.map((m) => Number(m[1]));
    const step = values[1] - values[0];
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `round step ${step}`);
    for (const v of values) assert.ok(Math.abs(v / step - Math.round(v / step)) < 1e-6, `${v} is a multiple of ${step}`);

    // Outside node-memwatch's own output no "kb"/"mb"/"bytes" strings: stats, leak list, file list.
    // (A leak's reason is node-memwatch's text, "... - 366.52 mb/hr": its rate stays as it wrote it.)
    const text = await page.evaluate(() => ['#stats', '#leaks .when', '#file-list', '#export-meta']
      .flatMap((s) => [...document.querySelectorAll(s)].map((e) => e.innerText)).join('\n'));
    assert.doesNotMatch(text, /\d (kb|mb|bytes)\b/);
    assert.match(text, /\d (KiB|MiB)\b/);

    // The HeapDiff: node-memwatch's strings in its column and headline, DevTools' Size delta in KiB/MiB.
    await page.setInputFiles('#file-input', [fx.a, fx.b]);
    await viewerIdle(page);
    await page.click('#tab-diff'); // two snapshots open on the suspects
    await page.waitForFunction(() => document.querySelector('#diff-run').textContent === 'Compare'
      && document.querySelector('#diff-table').dataset.retained === 'ready'
      && document.querySelector('#diff-table tbody tr[data-what="LeakingClass"]'));
    const expected = cliJson(['diff', '--json', fx.a, fx.b]).change.details.find((d) => d.what === 'LeakingClass');
    const row = page.locator('#diff-table tbody tr[data-what="LeakingClass"]');
    assert.equal(await row.locator('[data-key="size"]').textContent(), expected.size);
    assert.match(await row.locator('[data-key="size_bytes"]').textContent(), /^\+\d+\.\d KiB$/);
    const headers = await page.$$eval('#diff-table thead th', (ths) => ths.map((t) => t.textContent.trim()));
    assert.deepEqual(headers.slice(0, 9), ['What', '# New', '# Deleted', '# Delta', 'Alloc. size', 'Freed size', 'Size delta ▼', 'Retained Δ', 'node-memwatch']);
    for (const key of ['alloc_size', 'freed_size', 'retained_delta']) {
      assert.match(await row.locator(`[data-key="${key}"]`).textContent(), /^[+-]?\d+(\.\d+)? (B|KiB|MiB)$/, key);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('HeapDiff: when the headline and the rows\' sums differ, a note says by how much and why', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    await page.setInputFiles('#file-input', [fx.a, fx.b]);
    await viewerIdle(page);
    await page.click('#tab-diff');
    await page.waitForFunction(() => document.querySelector('#diff-run').textContent === 'Compare'
      && !document.querySelector('#diff-content').hidden);
    const { change } = cliJson(['diff', '--json', fx.a, fx.b]);
    const plus = change.details.reduce((a, d) => a + d['+'], 0);
    const minus = change.details.reduce((a, d) => a + d['-'], 0);
    assert.notEqual(plus, change.allocated_nodes, 'the fixture pair has nodes of kinds without a row');
    const note = await page.textContent('#diff-note');
    assert.equal(await page.isVisible('#diff-note'), true);
    assert.ok(note.includes(`${plus.toLocaleString('en-US')} new and ${minus.toLocaleString('en-US')} deleted objects`), note);
    assert.ok(note.includes(`Change (${change.size}, +${change.size_bytes.toLocaleString('en-US')} bytes)`), note);
    assert.match(note, /no row for hidden and synthetic nodes/);
    // The same numbers as the totals row over all rows.
    const foot = await page.$$eval('#diff-table tfoot td', (tds) => tds.map((t) => t.textContent));
    assert.deepEqual(foot.slice(0, 2), [plus.toLocaleString('en-US'), minus.toLocaleString('en-US')]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('leak list: seconds since start like the chart, wall-clock time on hover', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    const expected = cliJson(['analyze', '--json', fx.exportFile]);
    await page.setInputFiles('#file-input', fx.exportFile);
    await viewerIdle(page);
    const spans = await page.$$eval('#leaks li.leak .when .span', (els) => els.map((e) => ({ text: e.textContent, title: e.title })));
    assert.equal(spans.length, expected.leaks.length);
    spans.forEach((s, i) => {
      const l = expected.leaks[i];
      assert.equal(s.text, `${(l.start_ns / 1e9).toFixed(3)} s – ${(l.end_ns / 1e9).toFixed(3)} s`);
      assert.equal(s.title, `${formatWallClock(l.start)} – ${formatWallClock(l.end)} (wall clock)`);
    });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('long class names: cut in the middle, the full name on hover and on keyboard focus', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    await page.setInputFiles('#file-input', [fx.long.before, fx.long.after]);
    await viewerIdle(page);
    await page.click('#tab-diff');
    // The table is drawn again when the engine fills in Retained Δ: measure the final one (an
    // element replaced while measured has no box).
    await page.waitForFunction(() => document.querySelector('#diff-table').dataset.retained === 'ready');
    const row = page.locator(`#diff-table tbody tr[data-what="${LONG_CLASS}"]`);
    await row.waitFor();
    const cell = row.locator('th');
    const short = await cell.locator('.clip-short').textContent();
    assert.ok(short.length < LONG_CLASS.length && short.includes('…'), short);
    const [head, tail] = short.split('…');
    assert.ok(LONG_CLASS.startsWith(head) && LONG_CLASS.endsWith(tail) && tail.length >= 8, short);
    assert.equal(await cell.locator('.clip').getAttribute('title'), LONG_CLASS);
    const full = cell.locator('.clip-full');
    assert.equal(await full.textContent(), LONG_CLASS);
    assert.ok((await full.boundingBox()).width <= 1, 'the full name is not shown until asked for');
    await row.focus();
    const shown = await full.boundingBox();
    const shortBox = await cell.locator('.clip-short').boundingBox();
    assert.ok(shown.width > shortBox.width, 'focus shows the full name over the short one');
    await page.mouse.move(0, 0);
    await page.focus('#diff-table-filter');
    await cell.locator('.clip').hover();
    assert.ok((await full.boundingBox()).width > shortBox.width, 'hover shows it too');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('800x600: no column or button is pushed off-screen on any tab', async () => {
    const { page, problems } = await openViewer(browser, server.url, { viewport: { width: 800, height: 600 } });
    // The first screen, then everything loaded (the long class name is the widest cell).
    const offscreen = () => page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out = [];
      const scrollWidth = document.documentElement.scrollWidth;
      if (scrollWidth > width) out.push(`page scrolls sideways (${scrollWidth} > ${width})`);
      for (const el of document.querySelectorAll('button, th, select, input, label.button, .u-legend, canvas, code')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue; // not displayed
        if (el.closest('.visually-hidden, [hidden]') || el.id === 'file-input') continue;
        let right = width;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const style = getComputedStyle(p);
          if (/(auto|scroll|hidden)/.test(style.overflowX)) right = Math.min(right, p.getBoundingClientRect().right);
        }
        if (r.left < -0.5 || r.right > right + 0.5) {
          out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" spans ${Math.round(r.left)}..${Math.round(r.right)} of 0..${Math.round(right)}`);
        }
      }
      return out;
    });
    assert.deepEqual(await offscreen(), [], 'first screen');
    // A file name as long as tools write them (DevTools: Heap-<timestamp>.heapsnapshot, plus a note).
    const longFile = path.join(FIX, 'Heap-20251124T160005-production-api-server-worker-3-before-deploy.heapsnapshot');
    fs.copyFileSync(fx.long.before, longFile);
    await page.setInputFiles('#file-input', [fx.exportFile, longFile, fx.long.after]);
    await viewerIdle(page);
    const overlaps = await page.$$eval('#file-list .file', (rows) => rows
      .filter((li) => [...(li.querySelector('.name .clip-short') ?? li.querySelector('.name .clip')).getClientRects()].some((r) => r.right > li.querySelector('.kind').getBoundingClientRect().left))
      .map((li) => li.querySelector('.name').textContent));
    assert.deepEqual(overlaps, [], 'file names run into the next column');
    for (const tab of ['timeline', 'suspects', 'diff', 'summary']) {
      await page.click(`#tab-${tab}`);
      await page.waitForSelector(`#view-${tab}:not([hidden])`);
      if (tab === 'diff') {
        await page.waitForSelector('#diff-table tbody tr');
        await page.locator('#diff-table tbody tr button.row-action').first().click();
        await page.waitForFunction(() => document.querySelector('#retainers-status').textContent.endsWith('ready')
          || document.querySelector('#retainers-body .error'));
      }
      if (tab === 'summary') await page.waitForSelector('#summary-table tbody tr');
      if (tab === 'suspects') await page.waitForFunction(() => document.querySelector('#suspects-content').dataset.state === 'ready');
      assert.deepEqual(await offscreen(), [], `${tab} tab at 800x600`);
      await page.screenshot({ path: path.join(OUT, `800x600-${tab}.png`), fullPage: true });
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
});
