'use strict';
// The .d.ts files compile and type a realistic usage file (test/support/usage.mts) under --strict,
// and a consumer of the packed package (`npm pack`, unpacked into its node_modules) type-checks
// under each module resolution TypeScript users set: "bundler", "node16", "nodenext" and "node10".
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { tempDir } = require('./support/helpers.js');

const PKG = path.join(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc'); // devDependency: `npm install` in pkg/

function compile(args, cwd) {
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', ...args], { encoding: 'utf8', cwd });
  assert.equal(r.status, 0, `tsc ${args.join(' ')}\n${r.stdout}${r.stderr}`);
}

test('index.d.ts and web.d.ts type-check a usage file with tsc --strict', () => {
  compile(['--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node',
    path.join(__dirname, 'support', 'usage.mts')], PKG);
});

/** An empty project with the packed package (and @types/node) in its node_modules. */
function consumerProject(t) {
  const dir = tempDir(t);
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: PKG, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const tarball = path.join(dir, JSON.parse(r.stdout)[0].filename);
  const target = path.join(dir, 'node_modules', 'memwatch-wasm');
  fs.mkdirSync(target, { recursive: true });
  const x = spawnSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { encoding: 'utf8' });
  assert.equal(x.status, 0, x.stderr);
  fs.mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(path.join(PKG, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'));
  return dir;
}

// What each resolution must see: Node's entry (node-memwatch facade + engine) where the "node"
// condition applies, the browser entry (init + engine) for bundlers, and the subpaths.
const NODE_ESM = `
import memwatch, { HeapDiff, record, diffSnapshots } from 'memwatch-wasm';
import type { StatsEvent, HeapDiffResult, ExportAnalysis } from 'memwatch-wasm';
import init, { summarizeSnapshot } from 'memwatch-wasm/web';
import 'memwatch-wasm/record';
memwatch.on('stats', (s: StatsEvent) => s.used_heap_size + s.num_full_gc);
const d: HeapDiffResult = new HeapDiff().end();
const a: ExportAnalysis = memwatch.analyzeExport(new Uint8Array(0));
record('app.ndjson').close();
void [d, a, diffSnapshots, init, summarizeSnapshot];
`;
const NODE_CJS = `
import memwatch = require('memwatch-wasm');
const rec: { close(): void } = memwatch.record('app.ndjson');
memwatch.configure({ classic: { growthCount: 3 } });
const n: number = new memwatch.HeapDiff().end().change.size_bytes;
void [rec, n];
`;
const BUNDLER = `
import init, { diffSnapshots, SnapshotParser } from 'memwatch-wasm';
import type { HeapDiffResult } from 'memwatch-wasm';
import { initSync } from 'memwatch-wasm/web';
await init();
const d: HeapDiffResult = diffSnapshots(new Uint8Array(0), new Uint8Array(0));
const p = new SnapshotParser();
void [d, p, initSync];
`;

for (const resolution of ['node16', 'nodenext']) {
  test(`the packed package's types resolve under moduleResolution ${resolution} (ESM and CommonJS consumers)`, (t) => {
    const dir = consumerProject(t);
    fs.writeFileSync(path.join(dir, 'consumer.mts'), NODE_ESM);
    fs.writeFileSync(path.join(dir, 'consumer.cts'), NODE_CJS);
    compile(['--target', 'es2022', '--module', resolution, '--moduleResolution', resolution, '--types', 'node',
      'consumer.mts', 'consumer.cts'], dir);
  });
}

test('the packed package\'s types resolve under moduleResolution bundler (the browser entry)', (t) => {
  const dir = consumerProject(t);
  fs.writeFileSync(path.join(dir, 'consumer.ts'), BUNDLER);
  compile(['--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--types', 'node', 'consumer.ts'], dir);
  // Without the "node" condition a bundler gets the browser entry: no node-memwatch facade.
  fs.writeFileSync(path.join(dir, 'consumer.ts'), "import { HeapDiff } from 'memwatch-wasm';\nvoid HeapDiff;\n");
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--module', 'esnext', '--moduleResolution', 'bundler', 'consumer.ts'],
    { encoding: 'utf8', cwd: dir });
  assert.match(r.stdout, /has no exported member 'HeapDiff'/);
});

test('the packed package\'s types resolve under moduleResolution node10 (top-level "types", no exports map)', (t) => {
  const dir = consumerProject(t);
  fs.writeFileSync(path.join(dir, 'consumer.ts'), NODE_CJS + `
import { diffSnapshots } from 'memwatch-wasm';
import { initSync } from 'memwatch-wasm/web';
import 'memwatch-wasm/record';
void [diffSnapshots, initSync];
`);
  compile(['--target', 'es2022', '--module', 'commonjs', '--moduleResolution', 'node10', '--types', 'node', 'consumer.ts'], dir);
});
