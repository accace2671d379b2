'use strict';
// Acceptance (issue 12): a real node:http server leaking through a Map cache and through
// listeners on a long-lived EventEmitter (test/support/leaky-server.js), driven by real HTTP
// requests. Both hd.endAsync({ retainers }) and leak events with configure({ leakRetainers })
// name the two holders first: the Map's variable and the emitter's listener array.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { setTimeout: sleep } = require('node:timers/promises');

const SERVER = path.join(__dirname, 'support', 'leaky-server.js');
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function startServer(t, mode) {
  const child = spawn(process.execPath, [SERVER, mode], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  t.after(() => child.kill());
  // A test that fails shows what the server printed.
  t.after(() => {
    if (err) t.diagnostic(`server stderr: ${err}`);
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

function get(port, url) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: url, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${url}: ${res.statusCode} ${body}`))));
    }).on('error', reject);
  });
}

// `count` leaking requests, 8 at a time, `perRequest` sessions and listeners each.
async function traffic(port, count, perRequest) {
  for (let i = 0; i < count; i += 8) {
    await Promise.all(Array.from({ length: Math.min(8, count - i) }, () => get(port, `/leak?n=${perRequest}`)));
  }
}

function topHolders(holders) {
  return holders.slice(0, 2).map((h) => h.name).sort();
}

test.after(() => agent.destroy());

test('endAsync({ retainers }) on a leaking http server names the Map and the listeners first, and the server keeps answering', async (t) => {
  const port = await startServer(t, 'heapdiff');
  await traffic(port, 16, 5); // warm up: first requests allocate the server's own machinery
  await get(port, '/start');
  await traffic(port, 200, 5);
  let done = false;
  const ended = get(port, '/end').finally(() => (done = true));
  // The analysis runs in a worker: requests are answered while it runs.
  let pongsWhileEnding = 0;
  await sleep(50);
  while (!done) {
    const pong = await get(port, '/ping');
    if (!done) pongsWhileEnding++;
    assert.equal(pong, 'pong');
    await sleep(5);
  }
  const diff = await ended;
  assert.ok(pongsWhileEnding > 0, 'no request was answered while endAsync() analysed the snapshots');

  const row = (what) => diff.change.details.find((d) => d.what === what);
  assert.equal(row('Session')['+'], 1000);
  assert.equal(row('Subscriber')['+'], 1000);
  const { holders, classes } = diff.retainers;
  assert.deepEqual(topHolders(holders), ['sessionCache', 'settings-changed'], holders.map((h) => h.headline).join('\n'));
  assert.equal(holders.find((h) => h.name === 'sessionCache').class, 'Map');
  assert.match(holders.find((h) => h.name === 'settings-changed').headline, /Array \+1000 /);
  assert.ok(classes.some((c) => c.class === 'Session' && c.new_objects === 1000));
});

test('leak events with configure({ leakRetainers }) name the Map and the listeners first', async (t) => {
  const port = await startServer(t, 'leak-events');
  let leaks = [];
  for (let round = 0; round < 30 && !leaks.some((l) => l.retainers && l.retainers.classes.length > 0); round++) {
    await traffic(port, 40, 10); // 400 sessions and listeners per full GC
    await get(port, '/gc');
    leaks = await get(port, '/leaks');
  }
  // A report can still be in the worker: wait for it.
  for (let i = 0; i < 100 && !leaks.some((l) => l.retainers && l.retainers.classes.length > 0); i++) {
    await sleep(100);
    leaks = await get(port, '/leaks');
  }
  assert.ok(leaks.length > 0, 'no leak event');
  for (const l of leaks) {
    assert.ok(l.retainers, 'every leak event carries its report');
    assert.equal(l.retainers.error, undefined, l.retainers.error);
    assert.ok(l.retainers.time_ns > l.retainers.since_ns && l.retainers.since_ns > 0);
  }
  const { holders, classes } = leaks.find((l) => l.retainers.classes.length > 0).retainers;
  assert.deepEqual(topHolders(holders), ['sessionCache', 'settings-changed'], holders.map((h) => h.headline).join('\n'));
  assert.ok(classes.length <= 5);
  assert.ok(classes.some((c) => c.class === 'Session' && c.new_objects > 0), classes.map((c) => c.class).join(', '));
});
