// Benchmark: a long recording (an export with ~65,000 GCs, 29 MB) in the viewer: load time,
// re-analysis time after a detector change, and main-thread responsiveness (longest gap between
// ticks of a 50 ms timer; Long Tasks reported by the browser).
// Usage: node tests/e2e/bench-export.mjs [DIR]  (generates DIR/big-export.jsonl when missing)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HERE, startServer, launchBrowser, viewerIdle } from './lib.mjs';

const dir = process.argv[2] ?? process.env.MEMWATCH_BENCH_DIR ?? '/work/data/viewer';
const file = path.join(dir, 'big-export.jsonl');
if (!fs.existsSync(file)) {
  fs.mkdirSync(dir, { recursive: true });
  spawnSync(process.execPath, [path.join(HERE, 'fixtures', 'make-export.mjs'), file, '--gcs', '10000'], { stdio: 'inherit' });
}
const srv = await startServer();
const b = await launchBrowser();
try {
  const page = await b.context.newPage();
  await page.goto(srv.url);
  await page.waitForFunction(() => window.memwatchViewer !== undefined);
  await page.evaluate(() => {
    const s = (window.__b = { maxGap: 0, longTasks: [] });
    let last = performance.now();
    setInterval(() => { const n = performance.now(); s.maxGap = Math.max(s.maxGap, n - last); last = n; }, 50);
    new PerformanceObserver((l) => { for (const e of l.getEntries()) s.longTasks.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
  });
  const t0 = Date.now();
  await page.setInputFiles('#file-input', file);
  await viewerIdle(page);
  const t1 = Date.now();
  await page.fill('#p-growth-count', '3');
  await page.waitForFunction(() => document.querySelector('#params-status').textContent.includes('leak event'));
  const t2 = Date.now();
  const r = await page.evaluate(() => window.__b);
  console.log(`${await page.textContent('#export-meta')}`);
  console.log(`load ${(fs.statSync(file).size / 1e6).toFixed(1)} MB: ${t1 - t0} ms; re-analysis (growth count 3, incl. 120 ms input debounce): ${t2 - t1} ms`);
  console.log(`main thread: longest gap between 50 ms ticks ${r.maxGap.toFixed(0)} ms; long tasks (ms): ${r.longTasks.join(', ') || 'none'}`);
} finally {
  await b.close();
  srv.stop();
}
