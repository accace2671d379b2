// Benchmark: load a 100 MB+ snapshot pair into the viewer (headless chromium) and diff them.
// Measures per-file load time (streamed into the wasm parser in a worker), diff time, how often
// the progress bar moved, and the page's responsiveness meanwhile (the longest gap between
// ticks of a 50 ms timer on the main thread; a frozen page would show seconds).
//
// Usage: node tests/e2e/bench-viewer.mjs [DIR]   (DIR default /work/data/viewer or $MEMWATCH_BENCH_DIR)
// Generates DIR/big-{a,b}.heapsnapshot with fixtures/make-big-snapshots.cjs when missing.
//        node tests/e2e/bench-viewer.mjs --together [--no-cli] [--root CHECKOUT] [--parse-workers N] A B
//   opens both files at once (what a user dropping a pair does) and reports the page's
//   time-to-diff: from giving the page the files to the diff table on screen.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HERE, cliJson, startServer, launchBrowser, viewerIdle } from './lib.mjs';

const argv = process.argv.slice(2);
const flag = (f) => (argv.includes(f) ? (argv.splice(argv.indexOf(f), 1), true) : false);
const together = flag('--together');
const noCli = flag('--no-cli');
// --root DIR: serve another checkout's www/ and pkg/ (to compare two versions of the page).
const rootAt = argv.indexOf('--root');
const root = rootAt >= 0 ? path.resolve(argv.splice(rootAt, 2)[1]) : undefined;
// --parse-workers N: the page's ?parse-workers=N (snapshots parsed at once).
const pwAt = argv.indexOf('--parse-workers');
const query = pwAt >= 0 ? `?parse-workers=${argv.splice(pwAt, 2)[1]}` : '';
let a;
let b;
if (together) {
  [a, b] = argv;
  if (!a || !b) throw new Error('usage: bench-viewer.mjs --together [--no-cli] A B');
} else {
  const dir = argv[0] ?? process.env.MEMWATCH_BENCH_DIR ?? '/work/data/viewer';
  a = path.join(dir, 'big-a.heapsnapshot');
  b = path.join(dir, 'big-b.heapsnapshot');
  if (!fs.existsSync(a) || !fs.existsSync(b)) {
    console.error(`generating ${a} and ${b} ...`);
    const r = spawnSync(process.execPath, ['--max-old-space-size=8192', path.join(HERE, 'fixtures', 'make-big-snapshots.cjs'), dir, '1'], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
  }
}
const mb = (p) => fs.statSync(p).size / 1e6;

const server = await startServer(root);
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await page.goto(server.url + query);
  await page.waitForFunction(() => window.memwatchViewer !== undefined);
  // Main-thread heartbeat and progress-bar sampler (runs on the page's own event loop, so it
  // stalls exactly when the page would feel frozen).
  await page.evaluate(() => {
    const s = (window.__bench = { maxGap: 0, ticks: 0, progressValues: new Set(), longTasks: [] });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) s.longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      s.maxGap = Math.max(s.maxGap, now - last);
      last = now;
      s.ticks++;
      for (const p of document.querySelectorAll('#file-list progress')) {
        if (getComputedStyle(p).visibility !== 'hidden') s.progressValues.add(`${p.getAttribute('aria-label')}:${p.value}`);
      }
    }, 50);
  });

  const results = [];
  if (together) {
    const t0 = Date.now();
    await page.setInputFiles('#file-input', [a, b]);
    await page.waitForFunction(() => document.querySelector('#diff-select').value === 'pair'
      && !document.querySelector('#diff-content').hidden
      && document.querySelector('#diff-run').textContent === 'Compare', null, { timeout: 1_200_000, polling: 100 });
    const ms = Date.now() - t0;
    const bench = await page.evaluate(() => ({ maxGap: window.__bench.maxGap, ticks: window.__bench.ticks, longTasks: window.__bench.longTasks }));
    const parses = await page.evaluate(() => window.memwatchViewer.engine.parseStats?.() ?? { limit: 1, peak: 1 });
    console.log(`time-to-diff for ${path.basename(a)} (${mb(a).toFixed(1)} MB) + ${path.basename(b)} (${mb(b).toFixed(1)} MB) given together: ${(ms / 1000).toFixed(2)} s`);
    console.log(`parallel parses: peak ${parses.peak} (limit ${parses.limit})`);
    console.log(`main thread: longest gap between 50 ms ticks ${bench.maxGap.toFixed(0)} ms over ${bench.ticks} ticks; long tasks (ms): ${bench.longTasks.join(', ') || 'none'}`);
    if (!noCli) {
      const shown = await page.$$eval('#diff-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.what,
        tr.querySelector('[data-key="+"]').textContent.replace(/,/g, ''), tr.querySelector('[data-key="-"]').textContent.replace(/,/g, '')].join(' ')).sort());
      const cli = cliJson(['diff', '--json', a, b]).change.details.map((d) => [d.what, d['+'], d['-']].join(' ')).sort();
      console.log(`equal to memwatch diff --json: ${JSON.stringify(shown) === JSON.stringify(cli) ? 'yes' : 'NO'}`);
    }
    await viewerIdle(page);
  }
  for (const file of together ? [] : [a, b]) {
    const t0 = Date.now();
    await page.setInputFiles('#file-input', file);
    await viewerIdle(page);
    const ok = await page.locator('#file-list .file.ok').count();
    if (ok !== results.length + 1) throw new Error(`${file} did not load: ${await page.textContent('#errors')}`);
    results.push({ file: path.basename(file), mb: mb(file), ms: Date.now() - t0 });
  }
  sequential: {
    if (together) break sequential;
    // The second snapshot triggers the diff of the pair; wait for the table.
    const t1 = Date.now();
    await page.waitForFunction(() => document.querySelector('#diff-select').value === 'pair'
      && !document.querySelector('#diff-content').hidden
      && document.querySelector('#diff-run').textContent === 'Compare', null, { timeout: 600_000 });
    const diffMs = Date.now() - t1;
    const diffWall = await page.evaluate(async () => {
      // A second, explicitly timed diff of the loaded pair (the engine call alone).
      const t = performance.now();
      await window.memwatchViewer.engine.diff(1, 2);
      return performance.now() - t;
    });
    const bench = await page.evaluate(() => ({ maxGap: window.__bench.maxGap, ticks: window.__bench.ticks, progress: window.__bench.progressValues.size, longTasks: window.__bench.longTasks }));
    const rows = await page.locator('#diff-table tbody tr').count();
    await page.screenshot({ path: path.join(HERE, '..', 'out', 'bench-heapdiff.png'), fullPage: true });
    // Same answer as the native CLI for the pair.
    const shown = await page.$$eval('#diff-table tbody tr', (trs) => trs.map((tr) =>
      [tr.querySelector('th').textContent, tr.querySelector('[data-key="+"]').textContent.replace(/,/g, ''),
        tr.querySelector('[data-key="-"]').textContent.replace(/,/g, ''), tr.querySelector('[data-key="size_bytes"]').textContent].join(' ')).sort());
    const cli = cliJson(['diff', '--json', a, b]).change.details.map((d) => [d.what, d['+'], d['-'], d.size].join(' ')).sort();
    const agree = JSON.stringify(shown) === JSON.stringify(cli);

    for (const r of results) console.log(`load ${r.file} (${r.mb.toFixed(1)} MB): ${(r.ms / 1000).toFixed(2)} s  (${(r.mb / (r.ms / 1000)).toFixed(1)} MB/s)`);
    console.log(`diff shown after the second load: ${(diffMs / 1000).toFixed(2)} s; engine diff of the loaded pair: ${(diffWall / 1000).toFixed(2)} s`);
    console.log(`diff rows: ${rows}; equal to memwatch diff --json: ${agree ? 'yes' : 'NO'}`);
    console.log(`main thread: longest gap between 50 ms ticks ${bench.maxGap.toFixed(0)} ms over ${bench.ticks} ticks; distinct progress-bar values seen: ${bench.progress}; main-thread long tasks (ms): ${bench.longTasks.join(', ') || 'none'}`);
    if (!agree) process.exitCode = 1;
  }
} finally {
  await browser.close();
  server.stop();
}
