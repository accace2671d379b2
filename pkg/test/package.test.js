'use strict';
// The published package: licence, links and files a user (and npm) looks for.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const PKG = path.join(__dirname, '..');
const ROOT = path.join(PKG, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));

test('LICENSE: MIT as package.json says, the same text in the repository and in the package', () => {
  const root = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
  assert.equal(pkg.license, 'MIT');
  assert.match(root, /^MIT License\n/);
  assert.match(root, /Permission is hereby granted, free of charge/);
  assert.equal(fs.readFileSync(path.join(PKG, 'LICENSE'), 'utf8'), root, 'pkg/LICENSE is a copy of the root LICENSE');
  // The crates say MIT too.
  assert.match(fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8'), /^license = "MIT"$/m);
});

test('repository, bugs and homepage point at the repository the crates name', () => {
  const repo = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8').match(/^repository = "(.*)"$/m)[1];
  assert.equal(pkg.repository.type, 'git');
  assert.equal(pkg.repository.url, `git+${repo}.git`);
  assert.equal(pkg.repository.directory, 'pkg');
  assert.equal(pkg.bugs.url, `${repo}/issues`);
  assert.equal(pkg.homepage, `${repo}#readme`);
});

test('the tarball holds the licence, the README, the record entry and its types', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: PKG, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = JSON.parse(r.stdout)[0].files.map((f) => f.path);
  for (const f of ['LICENSE', 'README.md', 'record.cjs', 'record.d.ts', 'lib/options.cjs', 'lib/recording.cjs', 'lib/engine-guard.cjs']) {
    assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  }
  assert.equal(require.resolve('memwatch-wasm/record'), path.join(PKG, 'record.cjs'));
});
