// End-to-end test of "What allocates the growth" (issue 13): a recording made by
// `memwatch run --sample-allocations --out` of a request handler caching pages in a Map; the leak
// event in the viewer must list the same growing allocation sites, in the same order and with the
// same bytes, as `memwatch analyze --json` attaches to the recorded leak.
// Screenshot: tests/out/allocations.png. Run: tests/e2e/run.sh

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { OUT, ROOT, cliJson, memwatchBin, startServer, launchBrowser, openViewer, viewerIdle } from './lib.mjs';
import { formatBytes, formatBytesSigned } from '../../www/js/format.js';

const FIX = path.join(OUT, 'allocations-fixtures');
const SCRIPT = path.join(ROOT, 'native', 'cli', 'tests', 'js', 'alloc-sites.js');

let recording;
let server;
let browser;
let viewer;

describe('allocation sites of a recorded leak', () => {
  before(async () => {
    fs.mkdirSync(FIX, { recursive: true });
    recording = path.join(FIX, 'alloc-sites.memwatch.ndjson');
    const r = spawnSync(memwatchBin(), ['run', '--sample-allocations', '--out', recording, SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    server = await startServer();
    browser = await launchBrowser();
    viewer = await openViewer(browser, server.url);
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('the leak event shows the growing sites of `memwatch analyze --json`', async () => {
    const expected = cliJson(['analyze', '--json', recording]).leaks.find((l) => l.allocations);
    assert.ok(expected, 'the recording has a leak with allocation sites');
    const sites = expected.allocations.sites;
    assert.ok(sites.length >= 1, JSON.stringify(expected.allocations));

    const { page, problems } = viewer;
    await page.setInputFiles('#file-input', recording);
    await viewerIdle(page);
    const leak = page.locator('#leaks li.leak').filter({ has: page.locator('details.allocated-by') }).first();
    const panel = leak.locator('details.allocated-by');
    assert.equal(await panel.locator('summary').textContent(),
      `What allocates the growth (${sites.length} growing ${sites.length === 1 ? 'site' : 'sites'})`);
    await panel.locator('summary').click();
    const rows = panel.locator('table.alloc-sites tbody tr');
    assert.equal(await rows.count(), sites.length);
    for (let i = 0; i < sites.length; i++) {
      const s = sites[i];
      const row = rows.nth(i);
      const cell = (sel) => row.locator(sel).evaluate((el) => el.querySelector('.clip-full, .clip')?.textContent ?? el.textContent);
      const inner = s.stack[0];
      const via = inner.function === s.site.function && inner.line === s.site.line ? '' : ` via ${inner.function || '(anonymous)'}`;
      const caller = s.stack[s.stack.findIndex((f) => f.function === s.site.function && f.line === s.site.line) + 1];
      const from = caller ? `called from ${caller.function || '(anonymous)'} ${path.basename(caller.url)}:${caller.line}:${caller.column}` : '';
      assert.equal(await row.locator('th.fn').evaluate((el) => el.innerText.replace(/\s+/g, ' ').trim()),
        `${s.site.function || '(anonymous)'}${via}${from ? ' ' + from : ''}`);
      assert.equal(await cell('td.loc'), `${path.basename(s.site.url)}:${s.site.line}:${s.site.column}`);
      assert.equal(await row.locator('[data-field="bytes_before"]').textContent(), formatBytes(s.bytes_before));
      assert.equal(await row.locator('[data-field="bytes_after"]').textContent(), formatBytes(s.bytes_after));
      assert.equal(await row.locator('[data-field="growth"]').textContent(), formatBytesSigned(s.growth));
    }
    // Rank 1 is the caching handler (or the timer callback V8 inlined it into: docs/allocations.md).
    const top = `${sites[0].site.function}@${sites[0].site.line}`;
    assert.ok(['handleRequest@8', '@24'].includes(top), top);
    assert.match(await rows.first().locator('td.loc').textContent(), /alloc-sites\.js:(8:23|24:27)/);
    await leak.screenshot({ path: path.join(OUT, 'allocations.png') });
    assert.deepEqual(problems, []);
  });

  test('a leak too slow for one window shows the sites grown since sampling started', async () => {
    // The corpus' Map cache: ~0.5 MB between leak events, ~4 samples at 128 KiB per window.
    const slow = path.join(FIX, 'map-cache-128k.memwatch.ndjson');
    const script = path.join(ROOT, 'tests', 'leaks', 'map-cache.js');
    const r = spawnSync(memwatchBin(), ['run', '--sample-allocations=131072', '--out', slow, script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const leaks = cliJson(['analyze', '--json', slow]).leaks;
    const index = leaks.findIndex((l) => l.allocations && l.allocations.sites.length === 0 && l.allocations.sites_since_start?.length);
    assert.ok(index >= 0, JSON.stringify(leaks.map((l) => l.allocations)));
    const a = leaks[index].allocations;

    const { page, problems } = viewer;
    await page.setInputFiles('#file-input', slow);
    await viewerIdle(page);
    const panel = page.locator('#leaks li.leak details.allocated-by').nth(index);
    const n = a.sites_since_start.length;
    assert.equal(await panel.locator('summary').textContent(), `What allocates the growth (0 growing sites; ${n} since sampling started)`);
    await panel.locator('summary').click();
    const rows = panel.locator('table.alloc-sites[data-kind="since-start"] tbody tr');
    assert.equal(await rows.count(), n);
    const first = a.sites_since_start[0];
    assert.equal(await rows.first().locator('[data-field="growth"]').textContent(), formatBytesSigned(first.growth));
    assert.equal(await rows.first().locator('td.loc').textContent(), `map-cache.js:${first.site.line}:${first.site.column}`);
    assert.match(await panel.locator('table.alloc-sites caption').textContent(), /^Grown since sampling started \(\d+\.\d s before this profile\)/);
    assert.deepEqual(problems, []);
  });

  test('a leak with no site above the noise floor says what the interval can name', async () => {
    // One sample per GiB: no samples at all, so every leak event has no growing site.
    const coarse = path.join(FIX, 'alloc-sites-1gib.memwatch.ndjson');
    const r = spawnSync(memwatchBin(), ['run', '--sample-allocations=1073741824', '--out', coarse, SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const expected = cliJson(['analyze', '--json', coarse]).leaks.find((l) => l.allocations);
    assert.ok(expected, 'the recording has a leak with an allocation profile');
    const a = expected.allocations;
    assert.deepEqual(a.sites, []);
    assert.equal(a.min_site_growth, 9 * 1073741824); // core's floor: 9 samples at 3 sigma

    const { page, problems } = viewer;
    await page.setInputFiles('#file-input', coarse);
    await viewerIdle(page);
    const panel = page.locator('#leaks li.leak details.allocated-by').first();
    assert.equal(await panel.locator('summary').textContent(), 'What allocates the growth (0 growing sites)');
    await panel.locator('summary').click();
    assert.equal(await panel.locator('p.alloc-none').textContent(),
      'No allocation site grew beyond sampling noise since the previous profile. ' +
      `Sampled live memory ${formatBytesSigned(a.total_bytes_after - a.total_bytes_before)} in all; ` +
      `at one sample per ${formatBytes(1073741824)} a site needs ~${formatBytes(9 * 1073741824)} to be named: ` +
      'sample more often for smaller growth.');
    assert.deepEqual(problems, []);
  });
});
