'use strict';
// A node:http service that leaks two ways on every GET /leak?n=N request: a module-level Map
// cache of sessions that is never evicted, and a listener per request on a long-lived
// EventEmitter, each keeping its Subscriber alive. Run by test/http-leak.test.js:
//   node leaky-server.js heapdiff     GET /start: new HeapDiff; GET /end: await hd.endAsync({ retainers: 5 })
//   node leaky-server.js leak-events  configure({ leakRetainers: 5 }); GET /gc: memwatch.gc();
//                                     GET /leaks: the leak events received so far
// Prints the port on stdout. GET /ping answers at once (to see the event loop is free).
const http = require('node:http');
const { EventEmitter } = require('node:events');
const memwatch = require('memwatch-wasm');

class Session {
  constructor(id) {
    this.id = id;
    this.user = `user-${id}`;
    this.history = new Array(32).fill(id);
  }
}
class Subscriber {
  constructor(id) {
    this.id = id;
    this.buffer = new Array(32).fill(id);
  }
}

const sessionCache = new Map();
const bus = new EventEmitter();
bus.setMaxListeners(0);
let nextId = 0;

function handleLeak(n) {
  for (let i = 0; i < n; i++) {
    const id = nextId++;
    sessionCache.set(`s${id}`, new Session(id));
    const sub = new Subscriber(id);
    bus.on('settings-changed', function onSettings(s) {
      sub.buffer.push(s);
    });
  }
}

const mode = process.argv[2];
const leaks = [];
let hd = null;
if (mode === 'leak-events') {
  memwatch.configure({ leakRetainers: 5 });
  memwatch.on('leak', (l) => leaks.push(l));
}

function send(res, value) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  switch (url.pathname) {
    case '/leak':
      handleLeak(Number(url.searchParams.get('n') || 1));
      return send(res, { sessions: sessionCache.size, listeners: bus.listenerCount('settings-changed') });
    case '/ping':
      return send(res, 'pong');
    case '/start':
      hd = new memwatch.HeapDiff();
      return send(res, 'started');
    case '/end':
      return hd.endAsync({ retainers: 5 }).then((diff) => send(res, diff), (e) => {
        res.writeHead(500);
        res.end(String(e.stack));
      });
    case '/gc':
      memwatch.gc();
      return setTimeout(() => send(res, 'collected'), 20);
    case '/leaks':
      return send(res, leaks);
    default:
      res.writeHead(404);
      return res.end();
  }
});
// Snapshots stall the process for seconds on a busy machine: keep idle keep-alive sockets open
// longer than that, or the client may reuse one the server is closing (ECONNRESET).
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
