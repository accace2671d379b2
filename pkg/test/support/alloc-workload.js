'use strict';
// A server-like workload for configure({ sampleAllocations }): handleRequest caches every page in
// a module-level Map (the leak), handleHealthCheck's allocations are garbage by the next request
// (churn). Prints each `leak` event as one JSON line, then `{"done": ...}`.
//
//   node alloc-workload.js [--churn-only] [--interval BYTES] [--eager]
//   --churn-only  only the churning handler
//   --eager       a classic detector that reports any growth at all (growth_count 1, no noise
//                 floor), so churn-only traffic still gets leak events whose sites can be checked
const memwatch = require('memwatch-wasm');

const args = process.argv.slice(2);
const churnOnly = args.includes('--churn-only');
const at = args.indexOf('--interval');
const config = { sampleAllocations: at >= 0 ? Number(args[at + 1]) : true };
if (args.includes('--eager')) {
  config.classic = { growthCount: 1, noiseFloorBytes: 0, noiseFloorPercent: 0 };
  config.trend = null;
}
memwatch.configure(config);

const responseCache = new Map();

function handleRequest(id) {
  const rows = []; // a query result of ~2 KB: the cache grows ~3 MB per tick of 1,500 requests
  for (let i = 0; i < 25; i++) rows.push({ sku: id * 10 + i, name: 'item ' + i, price: i + 0.5 });
  const page = { id, html: '<div>' + 'x'.repeat(200) + id + '</div>', headers: ['a', 'b', String(id)], rows };
  responseCache.set('/page/' + id, page);
  return page.html.length;
}

function handleHealthCheck(id) {
  const scratch = [];
  for (let i = 0; i < 20; i++) scratch.push({ i, s: 'ok' + id + i });
  return scratch.length;
}

let leaks = 0;
memwatch.on('leak', (leak) => {
  leaks++;
  process.stdout.write(JSON.stringify(leak) + '\n');
});

let id = 0;
let ticks = 0;
const MAX_TICKS = 24;
function tick() {
  for (let k = 0; k < 1500; k++) {
    if (!churnOnly) handleRequest(id);
    handleHealthCheck(id);
    id++;
  }
  memwatch.gc();
  if (++ticks < MAX_TICKS && (churnOnly || leaks < 3)) setTimeout(tick, 15);
  else setTimeout(() => process.stdout.write(JSON.stringify({ done: { ticks, leaks, cached: responseCache.size } }) + '\n'), 50);
}
setTimeout(tick, 15);
