// End-to-end regression tests of the viewer bugs of issue 17, each failing before its fix:
//   - closing a compared snapshot left the old totals and table up while the pickers showed
//     another pair, and "Who retains this?" then failed with "snapshot #2 is not loaded";
//   - "Show on timeline" zoomed to an x axis starting before the recording (-0.25 s here) and
//     leak bars were drawn past the plot's edges;
//   - invalid re-analysis parameters got a red outline but no message, and the status line kept
//     the old result as if it were current.
// Run: tests/e2e/run.sh

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OUT, cliJson, startServer, launchBrowser, makeFixtures, viewerIdle, openViewer, writeGrowingExport } from './lib.mjs';

const FIX = path.join(OUT, 'fixes-fixtures');
let fx;
let server;
let browser;

const num = (text) => Number(text.replace(/[,\s+]/g, ''));

describe('viewer fixes (issue 17)', () => {
  before(async () => {
    fx = makeFixtures(FIX);
    fx.growing = writeGrowingExport(path.join(FIX, 'growing.memwatch.jsonl'));
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('closing a compared snapshot compares the pair the pickers show, and "Who retains" answers', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    await page.setInputFiles('#file-input', [fx.a, fx.b, fx.c]);
    await viewerIdle(page);
    await page.click('#tab-diff'); // the page opens on the suspects
    const shownPair = () => page.evaluate(() => ({
      before: document.querySelector('#diff-before').selectedOptions[0]?.textContent,
      after: document.querySelector('#diff-after').selectedOptions[0]?.textContent,
      compare: document.querySelector('#diff-run').textContent,
    }));
    await page.waitForFunction(() => document.querySelector('#diff-run').textContent === 'Compare'
      && !document.querySelector('#diff-content').hidden);
    assert.deepEqual(await shownPair(), { before: 'a.heapsnapshot', after: 'b.heapsnapshot', compare: 'Compare' });

    // Close b, the "after" of the shown diff: the page compares a with c and shows that diff.
    await page.click('button[aria-label="Close b.heapsnapshot"]');
    await page.waitForFunction(() => document.querySelector('#diff-run').textContent === 'Compare'
      && !document.querySelector('#diff-content').hidden);
    assert.deepEqual(await shownPair(), { before: 'a.heapsnapshot', after: 'c.heapsnapshot', compare: 'Compare' });
    const expected = cliJson(['diff', '--json', fx.a, fx.c]);
    const totals = await page.$$eval('#diff-totals [data-field]', (els) =>
      Object.fromEntries(els.map((e) => [e.dataset.field, e.querySelector('dd').textContent])));
    assert.equal(totals.after, `${expected.after.nodes.toLocaleString('en-US')} nodes, ${expected.after.size}`);
    assert.equal(num(totals.allocated_nodes), expected.change.allocated_nodes);
    const leaking = expected.change.details.find((d) => d.what === 'LeakingClass');
    const row = page.locator('#diff-table tbody tr[data-what="LeakingClass"]');
    assert.equal(num(await row.locator('[data-key="+"]').textContent()), leaking['+']);

    // "Who retains this?" works on the pair shown (no "snapshot #N is not loaded").
    await row.locator('button.row-action').click();
    await page.waitForFunction(() => document.querySelector('#retainers-status').textContent.endsWith('ready')
      || document.querySelector('#retainers-body .error'));
    assert.equal(await page.locator('#retainers-body .error').count(), 0, await page.textContent('#retainers-body'));
    assert.match(await page.textContent('#retainers-body'), /leaky/);

    // Close c too: one snapshot left, nothing to compare, no stale table.
    await page.click('button[aria-label="Close c.heapsnapshot"]');
    await page.waitForFunction(() => document.querySelector('#diff-content').hidden);
    assert.equal(await page.isVisible('#diff-empty'), true);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('"Show on timeline" stays inside the recording and leak bars stay inside the plot', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    const expected = cliJson(['analyze', '--json', fx.growing]);
    assert.ok(expected.leaks.length >= 8, 'the fixture has leak events all along the recording');
    const firstGc = 0.05;
    const lastGc = 0.05 + 39 * 0.2;
    assert.ok(expected.leaks[0].start_ns / 1e9 - firstGc < 0.5, 'the first event starts within the zoom margin of the origin');
    await page.setInputFiles('#file-input', fx.growing);
    await viewerIdle(page);
    await page.waitForSelector('#chart canvas');

    await page.click('#leaks li.leak:nth-child(1) button.show');
    let range = await page.evaluate(() => window.memwatchViewer.timelineRange());
    assert.ok(range.min >= firstGc - 1e-9, `x axis starts at ${range.min} s, before the first GC`);
    assert.ok(range.min <= expected.leaks[0].start_ns / 1e9 && range.max >= expected.leaks[0].end_ns / 1e9, 'the event is in view');

    // A middle event: its neighbours lie partly outside the zoomed range on both sides.
    const mid = Math.floor(expected.leaks.length / 2);
    await page.click(`#leaks li.leak:nth-child(${mid + 1}) button.show`);
    range = await page.evaluate(() => window.memwatchViewer.timelineRange());
    assert.ok(range.min > firstGc && range.max < lastGc, 'zoomed into the middle');
    assert.ok(expected.leaks.some((l) => l.start_ns / 1e9 < range.min), 'an event starts left of the view');
    assert.ok(expected.leaks.some((l) => l.end_ns / 1e9 > range.max), 'an event ends right of the view');
    // Leak-coloured pixels in the lanes' rows, left and right of the plot area (the axis and margin).
    const outside = await page.evaluate(() => {
      const canvas = document.querySelector('#chart canvas');
      const c = canvas.getBoundingClientRect();
      const o = document.querySelector('#chart .u-over').getBoundingClientRect();
      const k = canvas.width / c.width;
      const ctx = canvas.getContext('2d');
      const top = Math.round((o.top - c.top) * k);
      const rows = Math.round(16 * k);
      const margin = Math.round(6 * k);
      const regions = [[0, Math.round((o.left - c.left) * k) - margin], [Math.round((o.right - c.left) * k) + margin, canvas.width]];
      let reddish = 0;
      for (const [x0, x1] of regions) {
        if (x1 <= x0) continue;
        const px = ctx.getImageData(x0, top, x1 - x0, rows).data;
        for (let i = 0; i < px.length; i += 4) {
          const [r, g, a] = [px[i], px[i + 1], px[i + 3]];
          if (a > 0 && r > 150 && r - g > 60) reddish++;
        }
      }
      return { reddish };
    });
    assert.equal(outside.reddish, 0, 'leak bars drawn outside the plot area');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('invalid re-analysis parameters: the message is shown and the old result is marked stale', async () => {
    const { page, problems } = await openViewer(browser, server.url);
    const recorded = cliJson(['analyze', '--json', fx.exportFile]);
    await page.setInputFiles('#file-input', fx.exportFile);
    await viewerIdle(page);
    await page.waitForSelector('#timeline-content:not([hidden])');
    assert.equal(await page.isVisible('#params-error'), false);

    // Refused by the form (below the field's minimum): the browser's message, named by the field.
    await page.fill('#p-growth-count', '-4');
    await page.waitForSelector('#params-error:not([hidden])');
    const msg = await page.textContent('#params-error');
    assert.match(msg, /^Growth count: .*\b1\b/, msg);
    assert.equal(await page.getAttribute('#p-growth-count', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#p-growth-count', 'aria-describedby'), 'params-error');
    assert.match(await page.textContent('#params-status'), /^Not re-analysed/);
    assert.equal(await page.getAttribute('#leaks', 'class'), 'leaks stale');
    assert.equal(await page.textContent('#leak-count'), String(recorded.leaks.length), 'the old result stays visible');

    // A valid value again: re-analysed, message gone, no longer stale.
    const three = cliJson(['analyze', '--json', '--growth-count', '3', fx.exportFile]);
    await page.fill('#p-growth-count', '3');
    await page.waitForFunction((n) => document.querySelector('#params-status').textContent === `${n} leak events with these parameters`, three.leaks.length);
    assert.equal(await page.isVisible('#params-error'), false);
    assert.equal(await page.getAttribute('#leaks', 'class'), 'leaks');

    // Accepted by the form (its step only sizes the spinner) but refused by the engine: a
    // fractional value for an integer option gets core's message naming the option.
    await page.fill('#p-warmup', '2.5');
    await page.waitForSelector('#params-error:not([hidden])');
    const engineMsg = await page.textContent('#params-error');
    assert.match(engineMsg, /^The engine refused these parameters: .*trend\.warmup_gcs.*integer/, engineMsg);
    assert.match(await page.textContent('#params-status'), /^Not re-analysed/);
    assert.equal(await page.getAttribute('#leaks', 'class'), 'leaks stale');
    assert.equal(await page.locator('#errors .error').count(), 0, 'the message is at the form, not in the page-wide error list');
    await page.click('#params-reset');
    await page.waitForFunction(() => document.querySelector('#params-error').hidden);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
