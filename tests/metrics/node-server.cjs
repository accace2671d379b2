'use strict';
// The npm package's side of the metrics end-to-end test: memwatch-wasm's metrics registered on a
// prom-client Registry, served at http://127.0.0.1:PORT/metrics (printed as `listening PORT`),
// while leaky.js runs (its arguments: ticks, tick ms). Runs until killed.
const http = require('node:http');
const path = require('node:path');

const pkg = path.join(__dirname, '..', '..', 'pkg');
const memwatch = require(pkg);
const client = require(path.join(pkg, 'node_modules', 'prom-client'));

const registry = new client.Registry();
memwatch.metrics.register(registry, { labels: { isolate: 'main' }, client });

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url.split('?')[0] === '/metrics') {
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(body);
  } else {
    res.writeHead(404).end();
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
  globalThis.memwatch = memwatch;
  require('./leaky.js');
});
