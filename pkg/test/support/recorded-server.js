'use strict';
// A node:http service that leaks the two usual ways, driven by its own client: every request
// puts ~8 KB into a Map cache that is never evicted and adds a listener to a long-lived emitter.
// Each round sends a batch of requests, then forces a full GC (memwatch.gc()) and waits for its
// `stats` event. Every live `stats` and `leak` event is printed as one JSON line on stdout
// ({event, payload}), so a test can compare them with what the recording holds.
//   node [-r memwatch-wasm/record] recorded-server.js ROUNDS [PKG_DIR]
// With ROUNDS = 0 it runs until killed.
const http = require('node:http');
const { EventEmitter } = require('node:events');
const memwatch = require(process.argv[3] ?? 'memwatch-wasm');

const rounds = Number(process.argv[2] ?? 12);
const cache = new Map();
const bus = new EventEmitter();
bus.setMaxListeners(0);

const server = http.createServer((req, res) => {
  const id = cache.size;
  // 2048 small integers: ~8 KB on the V8 heap ('x'.repeat(8192) would be a few hundred bytes of
  // cons strings sharing their halves, and a Buffer lives outside the heap).
  cache.set(`session-${id}`, { id, body: new Array(2048).fill(id) });
  bus.on('config-changed', function onConfigChanged() {
    return id;
  });
  res.end(String(id));
});

const print = (event, payload) => process.stdout.write(`${JSON.stringify({ event, payload })}\n`);
memwatch.on('stats', (s) => print('stats', s));
memwatch.on('leak', (l) => print('leak', l));

function get(port) {
  return new Promise((resolve, reject) => {
    http.get({ port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (let r = 0; rounds === 0 || r < rounds; r++) {
    for (let i = 0; i < 100; i++) await get(port);
    await new Promise((resolve) => {
      memwatch.once('stats', resolve);
      memwatch.gc();
    });
    process.stdout.write(`${JSON.stringify({ event: 'round', payload: r })}\n`);
  }
  server.close();
});
