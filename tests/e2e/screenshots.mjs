// Takes the screenshots of the viewer's main views that docs/viewer.md shows (docs/viewer/*.png):
// the first screen, the timeline of an export, the suspects of three snapshots, a HeapDiff of two
// snapshots with "Who retains this?", a snapshot's class summary, and the suspects and HeapDiff
// at 800x600. Run on demand after changing
// the page (needs what tests/e2e/run.sh needs: target/debug/memwatch, pkg/wasm, chromium):
//   node tests/e2e/screenshots.mjs [OUT_DIR]     (default docs/viewer)

import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { OUT, ROOT, startServer, launchBrowser, makeFixtures, viewerIdle, openViewer } from './lib.mjs';

const dest = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'viewer'));
fs.mkdirSync(dest, { recursive: true });
const fx = makeFixtures(path.join(OUT, 'screenshot-fixtures'));
const leaky = path.join(OUT, 'screenshot-fixtures', 'leaky-app');
fs.mkdirSync(leaky, { recursive: true });
const made = spawnSync(process.execPath, [path.join(ROOT, 'tests', 'fixtures', 'leaky-app-snapshots.js'), leaky, '100', '1000', '2000'], { encoding: 'utf8' });
if (made.status !== 0) throw new Error(`leaky-app-snapshots.js failed: ${made.stderr}`);
const server = await startServer();
const browser = await launchBrowser();
const shots = [];
const save = async (page, name, opts = {}) => {
  const file = path.join(dest, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  shots.push(`${path.relative(ROOT, file)} (${Math.round(fs.statSync(file).size / 1024)} KiB)`);
};

try {
  const { page, problems } = await openViewer(browser, server.url, { viewport: { width: 1100, height: 760 } });
  await page.emulateMedia({ colorScheme: 'light' });
  await save(page, 'first-screen', { clip: { x: 0, y: 0, width: 1100, height: 420 } });

  await page.setInputFiles('#file-input', fx.exportFile);
  await viewerIdle(page);
  await page.waitForSelector('#chart canvas');
  await page.evaluate(() => document.querySelector('#export-meta').scrollIntoView());
  await save(page, 'timeline');

  // The suspects of three snapshots of a leaking app (tests/fixtures/leaky-app-snapshots.js).
  const { page: sp, problems: spProblems } = await openViewer(browser, server.url, { viewport: { width: 1100, height: 760 } });
  await sp.emulateMedia({ colorScheme: 'light' });
  await sp.setInputFiles('#file-input', ['baseline', 'target', 'final'].map((n) => path.join(leaky, `${n}.heapsnapshot`)));
  await viewerIdle(sp);
  await sp.waitForFunction(() => document.querySelector('#suspects-content').dataset.state === 'ready');
  await sp.evaluate(() => document.querySelector('.tabs').scrollIntoView());
  await save(sp, 'suspects');
  await sp.setViewportSize({ width: 800, height: 600 });
  await save(sp, 'suspects-800x600');
  problems.push(...spProblems);

  await page.setInputFiles('#file-input', [fx.a, fx.b]);
  await viewerIdle(page);
  await page.click('#tab-diff');
  await page.waitForFunction(() => document.querySelector('#diff-run').textContent === 'Compare'
    && document.querySelector('#diff-table').dataset.retained === 'ready'
    && document.querySelector('#diff-table tbody tr[data-what="LeakingClass"]'));
  await page.locator('#diff-table tbody tr[data-what="LeakingClass"] button.row-action').click();
  await page.waitForFunction(() => document.querySelector('#retainers-status').textContent.endsWith('ready'));
  await page.evaluate(() => document.querySelector('.tabs').scrollIntoView());
  await save(page, 'heapdiff');

  await page.click('#tab-summary');
  await page.waitForSelector('#summary-table tbody tr');
  await page.evaluate(() => document.querySelector('.tabs').scrollIntoView());
  await save(page, 'snapshot');

  await page.setViewportSize({ width: 800, height: 600 });
  await page.click('#tab-diff');
  await page.evaluate(() => document.querySelector('.tabs').scrollIntoView());
  await save(page, 'heapdiff-800x600');
  if (problems.length) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
  console.log(shots.join('\n'));
} finally {
  await browser.close();
  server.stop();
}
