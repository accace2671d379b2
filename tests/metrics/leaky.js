// A leak for the metrics end-to-end test: a cache that grows by a few MB per tick and is never
// evicted, a full GC per tick through the global `memwatch` (leak events after a handful of
// ticks), and young-generation churn (scavenges). Runs `process.argv[2]` ticks (default 60) of
// `process.argv[3]` ms (default 250), then ends by itself. Used by `memwatch run` and by Node
// (tests/metrics/node-server.js sets the global first).
const ticks = Number(process.argv[2]) || 60;
const tickMs = Number(process.argv[3]) || 250;
const cache = [];
let n = 0;
let done = 0;
const timer = setInterval(() => {
  for (let k = 0; k < 20000; k++, n++) cache.push({ id: n, body: 'x'.repeat(16) + n });
  let churn = [];
  for (let k = 0; k < 50000; k++) {
    churn.push({ k });
    if (churn.length > 500) churn = [];
  }
  memwatch.gc();
  if (++done >= ticks) clearInterval(timer);
}, tickMs);
