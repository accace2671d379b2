// Shared helpers of the viewer's end-to-end tests and benchmark: find the memwatch binary, run
// the CLI, start `memwatch serve`, launch Debian's chromium headless with playwright-core.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const OUT = path.join(ROOT, 'tests', 'out');

/** $MEMWATCH_BIN, else the newer of target/release/memwatch and target/debug/memwatch. */
export function memwatchBin() {
  if (process.env.MEMWATCH_BIN) return path.resolve(process.env.MEMWATCH_BIN);
  const built = ['release', 'debug']
    .map((p) => path.join(ROOT, 'target', p, 'memwatch'))
    .filter((p) => fs.existsSync(p))
    .sort((x, y) => fs.statSync(y).mtimeMs - fs.statSync(x).mtimeMs);
  if (!built.length) throw new Error('memwatch binary not found in target/{release,debug}; build it or set MEMWATCH_BIN');
  return built[0];
}

/** Runs the CLI and parses its JSON stdout; throws with stderr on a non-zero exit. */
export function cliJson(args) {
  const r = spawnSync(memwatchBin(), args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`memwatch ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  }
  return JSON.parse(r.stdout);
}

/** Starts `memwatch serve ROOT --port 0`; resolves to { url, stop() } once it printed its URL. */
export function startServer(dir = ROOT) {
  const child = spawn(memwatchBin(), ['serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`memwatch serve printed no URL in 10 s: ${stderr}`)), 10_000);
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], stderr: () => stderr, stop: () => child.kill('SIGTERM') });
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start memwatch serve: ${e.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`memwatch serve exited ${code}: ${stderr}`));
    });
  });
}

/** Debian's chromium, headless, with a fresh profile and no background network traffic. */
export async function launchBrowser() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-e2e-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Generates the test fixtures into DIR: three Node snapshots and an export file. */
export function makeFixtures(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const snaps = spawnSync(process.execPath, [path.join(HERE, 'fixtures', 'make-snapshots.cjs'), dir], { encoding: 'utf8' });
  if (snaps.status !== 0) throw new Error(`make-snapshots failed: ${snaps.stderr}`);
  const exportFile = path.join(dir, 'leaky-app.memwatch.jsonl');
  const ex = spawnSync(process.execPath, [path.join(HERE, 'fixtures', 'make-export.mjs'), exportFile], { encoding: 'utf8' });
  if (ex.status !== 0) throw new Error(`make-export failed: ${ex.stderr}`);
  return { ...JSON.parse(snaps.stdout), exportFile };
}

/** Resolves when every file the page was given has been handled (loaded or failed). */
export async function viewerIdle(page) {
  await page.waitForFunction(() => window.memwatchViewer !== undefined);
  await page.evaluate(() => window.memwatchViewer.idle());
}

/**
 * A page of the viewer at `url` that records console errors, CSP violations, failed requests and
 * uncaught errors into the returned `problems` array (tests end by asserting it is empty).
 */
export async function openViewer(browser, url, { viewport } = {}) {
  const page = await browser.context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(url);
  await page.waitForFunction(() => window.memwatchViewer !== undefined);
  return { page, problems };
}

/**
 * Writes an export file (docs/format.md) of a heap that grows by `stepBytes` at every full GC from
 * the very first one: `gcs` mark-sweep-compacts `intervalMs` apart, the first 50 ms after the
 * origin. With classic growth count N the leak events tile the whole recording, the first one
 * starting a fraction of a second after the origin.
 */
export function writeGrowingExport(file, { gcs = 40, stepBytes = 1 << 20, growthCount = 3, intervalMs = 200 } = {}) {
  const MB = 1 << 20;
  const lines = [{
    format: 'memwatch-export',
    version: '1.0',
    producer: 'memwatch e2e fixture (writeGrowingExport)',
    epoch_ms_at_origin: 1764000000000,
    analyzer: { classic: { growth_count: growthCount, noise_floor_bytes: 0, noise_floor_percent: 0 }, trend: null },
    target: { script: 'growing.js' },
  }];
  for (let i = 0; i < gcs; i++) {
    const used = 8 * MB + i * stepBytes;
    const end = 50_000_000 + i * intervalMs * 1_000_000;
    lines.push({
      type: 'gc', seq: i + 1, gc_type: 'mark_sweep_compact', flags: 0, start_ns: end - 2_000_000, end_ns: end,
      heap: {
        used_heap_size: used, total_heap_size: used + 4 * MB, total_heap_size_executable: 262144,
        total_physical_size: used + 4 * MB, total_available_size: 4096 * MB - used, heap_size_limit: 4144 * MB,
        malloced_memory: 262144, peak_malloced_memory: 1048576, external_memory: 0,
        number_of_native_contexts: 1, number_of_detached_contexts: 0,
      },
    });
  }
  fs.writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return file;
}

/** Raw GET without URL normalisation (so `..` reaches the server as sent). */
export function rawGet(url, target, headers = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: target, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
