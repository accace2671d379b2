// The browser/bundler build (wasm-bindgen --target web) runs the same engine: initialised with
// initSync in Node, it must give the same results as the Node build for the same inputs.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as web from 'memwatch-wasm/web';

const require = createRequire(import.meta.url);
const node = require('memwatch-wasm');
const { tempDir, snapshotPair, exportFile } = require('./support/helpers.js');

web.initSync({ module: fs.readFileSync(new URL('../wasm/web/memwatch_wasm_bg.wasm', import.meta.url)) });

test('web and node builds agree on diffs, summaries and export analysis', (t) => {
  const { before, after } = snapshotPair(tempDir(t), 300);
  assert.deepEqual(web.diffSnapshots(before, after), node.diffSnapshots(before, after));
  assert.deepEqual(web.summarizeSnapshot(after), node.summarizeSnapshot(after));
  const p = new web.SnapshotParser();
  for (let i = 0; i < after.length; i += 65536) p.push(after.subarray(i, i + 65536));
  const snap = p.finish();
  assert.deepEqual(snap.summarize(), node.summarizeSnapshot(after));
  snap.free();
  const bytes = exportFile();
  const options = { classic: { growth_count: 4 } };
  assert.deepEqual(web.analyzeExport(bytes, options), node.analyzeExport(bytes, options));
  assert.deepEqual(web.parseExport(bytes), node.parseExport(bytes));
});

test('web build: bad input is an Error and the module stays usable', () => {
  assert.throws(() => web.summarizeSnapshot(new TextEncoder().encode('{"snapshot": ')), (e) => e instanceof Error && /at byte \d+/.test(e.message));
  assert.throws(() => web.analyzeExport(new TextEncoder().encode('{"format":"memwatch-export","version":"9.0"}\n')), /version 9\.0 is not supported/);
  assert.equal(web.analyzeExport(exportFile()).stats.num_full_gc, 12);
});
