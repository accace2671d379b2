// A request handler that caches every response in a module-level Map (the leak), next to a
// handler whose allocations are all garbage by the next request (churn). With
// `--sample-allocations` the first leak event must name handleRequest's allocations at rank 1.
// `node alloc-sites.js --churn-only` (and memwatch run ... -- --churn-only) runs only the churn.
const churnOnly = process.argv.includes('--churn-only');
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

let id = 0;
let ticks = 0;
const timer = setInterval(() => {
  for (let k = 0; k < 1500; k++) {
    if (!churnOnly) handleRequest(id);
    handleHealthCheck(id);
    id++;
  }
  if (typeof memwatch !== 'undefined') memwatch.gc();
  if (++ticks === 14) clearInterval(timer);
}, 1);
