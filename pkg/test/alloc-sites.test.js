'use strict';
// configure({ sampleAllocations }): leak events name the code that allocated the growth, computed
// by the engine (memwatch-core's alloc, as `memwatch run --sample-allocations`) from V8's sampling
// heap profiles taken through node:inspector. Each workload runs in its own Node process
// (test/support/alloc-workload.js), so its leak detection sees only its own GCs.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const memwatch = require('memwatch-wasm');

const WORKLOAD = path.join(__dirname, 'support', 'alloc-workload.js');

function runWorkload(...args) {
  const out = execFileSync(process.execPath, [WORKLOAD, ...args], { encoding: 'utf8', timeout: 120_000 });
  const lines = out.trim().split('\n').map((l) => JSON.parse(l));
  const done = lines.pop().done;
  assert.ok(done, `no summary line: ${out}`);
  return { leaks: lines, done };
}

/** 1-based line and column where V8 says `function name(` starts: its parameter list. */
function declaredAt(name) {
  const lines = fs.readFileSync(WORKLOAD, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(`function ${name}(`));
  return { line: line + 1, column: lines[line].indexOf(`${name}(`) + name.length + 1 };
}

const where = (f) => `${f.function || '(anonymous)'} (${path.basename(f.url)}:${f.line}:${f.column})`;

test('the first leak event names the allocating function and its file:line at rank 1', () => {
  const { leaks, done } = runWorkload();
  assert.ok(leaks.length >= 1, `no leak event in ${done.ticks} ticks`);
  const a = leaks[0].allocations;
  assert.ok(a, `leak event without allocations: ${JSON.stringify(leaks[0])}`);
  assert.equal(a.error, undefined, a.error);
  assert.equal(a.interval, 524288); // the default (memwatch-core)
  assert.ok(a.since_ns > 0 && a.time_ns > a.since_ns, `baseline at ${a.since_ns}, profile at ${a.time_ns}`);
  assert.ok(a.sites.length >= 1, 'no growing site');
  const top = a.sites[0];
  const { line, column } = declaredAt('handleRequest');
  assert.ok(top.site.url.endsWith('alloc-workload.js'), where(top.site));
  // V8 attributes an inlined function's allocations to its caller (docs/allocations.md): the
  // handler, or `tick` once TurboFan inlined the handler into it.
  const tickAt = declaredAt('tick');
  const ok =
    (top.site.function === 'handleRequest' && top.site.line === line && top.site.column === column) ||
    (top.site.function === 'tick' && top.site.line === tickAt.line && top.site.column === tickAt.column);
  assert.ok(ok, `rank 1 is ${where(top.site)}, expected handleRequest (alloc-workload.js:${line}:${column})`);
  assert.ok(top.growth > 1 << 20, `growth ${top.growth}`);
  assert.equal(top.growth, top.bytes_after - top.bytes_before);
  assert.ok(top.samples_after > top.samples_before);
  assert.deepEqual(top.stack[0], top.site);
  // The churning handler never grows beyond the noise floor.
  for (const s of a.sites) assert.ok(!s.stack.some((f) => f.function === 'handleHealthCheck'), where(s.site));
});

test('churn-only traffic names no growing site of the script above the noise floor', () => {
  // A detector that reports any growth at all, so the churn still gets leak events (and thus
  // profile comparisons) to check.
  const { leaks, done } = runWorkload('--churn-only', '--eager');
  assert.equal(done.ticks, 24);
  assert.ok(leaks.length >= 2, `only ${leaks.length} leak events in ${done.ticks} ticks`);
  leaks.forEach((leak, i) => {
    const a = leak.allocations;
    assert.ok(a && a.error === undefined, JSON.stringify(a));
    // Neither in the window since the previous profile nor over the whole run.
    const ours = [...a.sites, ...(a.sites_since_start ?? [])].filter((s) => s.stack.some((f) => f.url.endsWith('alloc-workload.js')));
    assert.deepEqual(ours.map((s) => where(s.site)), [], 'a churn-only site reported as growing');
    // Each profile is compared with the previous one: together they cover the whole run.
    if (i > 0) {
      const prev = leaks[i - 1].allocations;
      assert.equal(a.since_ns, prev.time_ns);
      assert.equal(a.total_bytes_before, prev.total_bytes_after);
    }
  });
});

test('sampleAllocations: false stops V8 sampling and detaches the inspector session', () => {
  const inspector = require('node:inspector');
  let attached = 0;
  const { connect, disconnect } = inspector.Session.prototype;
  inspector.Session.prototype.connect = function () {
    attached++;
    return connect.call(this);
  };
  inspector.Session.prototype.disconnect = function () {
    attached--;
    return disconnect.call(this);
  };
  // Whether the isolate's sampling heap profiler runs, asked from a session of the test's own.
  function sampling() {
    const probe = new inspector.Session();
    connect.call(probe);
    let running;
    probe.post('HeapProfiler.getSamplingProfile', {}, (err) => {
      running = !err;
    });
    disconnect.call(probe);
    return running;
  }
  try {
    assert.equal(sampling(), false);
    memwatch.configure({ sampleAllocations: 4096 });
    assert.equal(attached, 1);
    assert.equal(sampling(), true);
    memwatch.configure({ sampleAllocations: 4096 }); // same interval: the same session
    assert.equal(attached, 1);
    memwatch.configure({ sampleAllocations: true }); // another interval: a new session
    assert.equal(attached, 1);
    memwatch.configure({ sampleAllocations: false });
    assert.equal(attached, 0);
    assert.equal(sampling(), false);
    memwatch.configure({ sampleAllocations: false }); // already off
    assert.equal(attached, 0);
  } finally {
    inspector.Session.prototype.connect = connect;
    inspector.Session.prototype.disconnect = disconnect;
  }
});

test('bad sampleAllocations values are refused with the reason and change nothing', () => {
  assert.throws(() => memwatch.configure({ sampleAllocations: 0 }), /sampleAllocations: sampling interval must be between 1 and/);
  assert.throws(() => memwatch.configure({ sampleAllocations: 1.5 }), /sampleAllocations: sampling interval must be a whole number/);
  assert.throws(() => memwatch.configure({ sampleAllocations: 'yes' }), TypeError);
  // A bad detector option next to a good sampleAllocations starts no sampling.
  assert.throws(() => memwatch.configure({ sampleAllocations: true, classic: { growth_count: 0 } }));
  const inspector = require('node:inspector');
  const probe = new inspector.Session();
  probe.connect();
  let err;
  probe.post('HeapProfiler.getSamplingProfile', {}, (e) => {
    err = e;
  });
  probe.disconnect();
  assert.ok(err, 'sampling was started by a refused configure()');
});

test('turning sampling off runs no garbage collection (no profile is built to be thrown away)', async () => {
  const { PerformanceObserver, performance, constants } = require('node:perf_hooks');
  const majors = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  memwatch.configure({ sampleAllocations: 4096 });
  const keep = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `x${i}` })); // something to sample
  const t0 = performance.now();
  memwatch.configure({ sampleAllocations: false });
  const t1 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 100));
  obs.disconnect();
  assert.equal(keep.length, 20_000);
  assert.deepEqual(majors.filter((t) => t >= t0 && t <= t1), [], 'a full GC ran inside configure({ sampleAllocations: false })');
});
