#!/usr/bin/env node
// Writes a realistic pair of V8 heap snapshots (before.heapsnapshot, after.heapsnapshot) of about
// a chosen size, for benchmarking `memwatch diff` and the parser.
//
//   node --max-old-space-size=8192 scripts/gen-snapshot.js --size-mb 120 --out /work/data/bench
//
// The heap holds an app-like mix: objects with nested objects, short and unique strings, arrays,
// a Map index, closures, typed arrays, boxed doubles. The "after" snapshot adds a growing cache
// (--growth percent more data, class CacheEntry) and churn (some orders freed, others added), so
// a HeapDiff has allocations and frees in many buckets. Sizes are reached by calibration: the
// snapshot size per unit of data is measured on a small probe, then the heap is built to target.
'use strict';

const v8 = require('v8');
const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const opts = { sizeMb: 100, out: '/work/data/bench', growth: 10 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--size-mb') opts.sizeMb = Number(next());
    else if (a === '--out') opts.out = next();
    else if (a === '--growth') opts.growth = Number(next());
    else if (a === '-h' || a === '--help') {
      console.log('usage: gen-snapshot.js [--size-mb N] [--out DIR] [--growth PERCENT]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(opts.sizeMb > 0) || !(opts.growth >= 0)) throw new Error('--size-mb must be > 0, --growth >= 0');
  return opts;
}

class Customer {
  constructor(i) {
    this.id = i;
    this.name = 'customer-' + i;
    this.tags = ['t' + (i % 7), 't' + (i % 13)];
    this.address = { street: i + ' Main St', zip: String(10000 + (i % 90000)) };
    this.score = i + 0.5; // a boxed double (a "number" node)
  }
}

class Order {
  constructor(customer, i) {
    this.customer = customer;
    this.total = i * 1.25;
    this.lines = [{ sku: 'sku-' + (i % 1000), qty: i % 5 }];
    this.created = new Date(1e12 + i);
  }
}

class CacheEntry {
  constructor(key, i) {
    this.key = key;
    this.payload = { hits: i, body: 'cached response body #' + i };
    this.deps = [i, i + 1, i + 2];
  }
}

const store = { customers: [], orders: [], byName: new Map(), handlers: [], blobs: [], buffers: [] };
globalThis.__memwatchBenchStore = store;
let units = 0;

function addUnits(n) {
  for (const end = units + n; units < end; units++) {
    const i = units;
    const c = new Customer(i);
    store.customers.push(c);
    store.orders.push(new Order(c, i));
    store.byName.set(c.name, c);
    store.handlers.push(() => c.id + i); // a closure with its own context
    if (i % 10 === 0) store.blobs.push('payload:' + 'x'.repeat(40 + (i % 200)) + ':' + i);
    if (i % 50 === 0) store.buffers.push(new Uint8Array(64));
  }
}

function snapshotSize(file) {
  v8.writeHeapSnapshot(file);
  const size = fs.statSync(file).size;
  fs.unlinkSync(file);
  return size;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(opts.out, { recursive: true });
  const probe = path.join(opts.out, 'probe.heapsnapshot');
  const target = opts.sizeMb * 1e6;

  // Calibrate: snapshot bytes = base + perUnit * units.
  const base = snapshotSize(probe);
  const PROBE_UNITS = 2000;
  addUnits(PROBE_UNITS);
  const perUnit = (snapshotSize(probe) - base) / PROBE_UNITS;
  const want = Math.max(0, Math.round((target - base) / perUnit));
  addUnits(Math.max(0, want - units));

  const before = path.join(opts.out, 'before.heapsnapshot');
  v8.writeHeapSnapshot(before);

  // After: a growing cache plus churn (1 in 20 orders replaced).
  const cache = new Map();
  globalThis.__memwatchBenchCache = cache;
  const grow = Math.round((units * opts.growth) / 100);
  for (let i = 0; i < grow; i++) cache.set('key-' + i, new CacheEntry('key-' + i, i));
  for (let i = 0; i < store.orders.length; i += 20) store.orders[i] = new Order(store.customers[i], i + 1);
  const after = path.join(opts.out, 'after.heapsnapshot');
  v8.writeHeapSnapshot(after);

  const mb = (f) => (fs.statSync(f).size / 1e6).toFixed(1) + ' MB';
  console.log(`${before}: ${mb(before)} (${units} units)`);
  console.log(`${after}: ${mb(after)} (+${grow} cache entries, ${Math.ceil(store.orders.length / 20)} orders replaced)`);
}

try {
  main();
} catch (e) {
  console.error(`gen-snapshot: ${e.message}`);
  process.exit(2);
}
