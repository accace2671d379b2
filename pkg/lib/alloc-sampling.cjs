'use strict';
// configure({ sampleAllocations }): which code allocates the growth, in Node. V8's sampling heap
// profiler is driven through node:inspector (an in-process Session; no flags, Node >= 18.15), and
// every number comes from the wasm engine's AllocationTracker (memwatch-core's `alloc`, the same
// code behind `memwatch run --sample-allocations`): when to take a profile (the first full GC for
// the baseline, then each leak event) and the sites whose live bytes grew since the previous one.
//
// An in-process Session answers inside post(), before it returns, so the profile is taken right
// there, in the GC observer's callback (never inside a GC). Node hands the reply over already
// parsed (its Session offers no raw text), so the result is turned back into JSON text for core's
// depth-checked parser: one JSON.stringify, ~1 ms per MB; V8's getSamplingProfile itself runs a
// full GC, which dominates the cost of a profile.

const { performance } = require('node:perf_hooks');

function createAllocationSampling(engine) {
  let session = null;
  let tracker = null;

  // post() with its synchronous reply; throws the protocol error.
  function post(method, params) {
    let reply = null;
    session.post(method, params, (err, result) => {
      reply = { err, result };
    });
    if (reply === null) throw new Error(`node:inspector did not answer ${method} synchronously`);
    if (reply.err) throw reply.err;
    return reply.result;
  }

  function start(interval) {
    let next;
    try {
      next = new engine.AllocationTracker(interval === true ? undefined : interval);
    } catch (e) {
      throw new RangeError(`memwatch.configure: sampleAllocations: ${e.message}`);
    }
    if (tracker !== null && tracker.interval === next.interval) {
      next.free(); // already sampling at this interval: keep the baseline
      return;
    }
    stop();
    const inspector = require('node:inspector'); // throws ERR_INSPECTOR_NOT_AVAILABLE without one
    session = new inspector.Session();
    session.connect();
    try {
      post('HeapProfiler.startSampling', { samplingInterval: next.interval });
    } catch (e) {
      session.disconnect();
      session = null;
      next.free();
      throw new Error(`memwatch.configure: sampleAllocations: V8's sampling heap profiler did not start: ${e.message}`);
    }
    tracker = next;
  }

  function stop() {
    if (session === null) return;
    try {
      // Stops the sampler. (`stopSampling` would first run a full GC and build the profile.)
      post('HeapProfiler.disable', {});
    } catch {
      // Disconnecting disables it too.
    }
    session.disconnect();
    session = null;
    tracker.free();
    tracker = null;
  }

  /** `true`, a sampling interval in bytes, or `false` (off: the session is disconnected). */
  function configure(value) {
    if (value === false) stop();
    else if (value === true || typeof value === 'number') start(value);
    else {
      throw new TypeError(
        `memwatch.configure: sampleAllocations must be true, false or a sampling interval in bytes, not ${typeof value}`,
      );
    }
  }

  /**
   * After the engine's events for one GC: takes a profile when core says so and gives each `leak`
   * event the growing allocation sites (`allocations`, as in `memwatch run --json`).
   */
  function onEvents(events) {
    if (tracker === null || events.length === 0) return;
    const hasLeak = events.some((e) => e.event === 'leak');
    const hasStats = events.some((e) => e.event === 'stats');
    if (!tracker.wantsProfile(hasLeak, hasStats)) return;
    const now = Math.round(performance.now() * 1e6);
    let report;
    try {
      report = tracker.observe(JSON.stringify(post('HeapProfiler.getSamplingProfile', {})), now);
    } catch (e) {
      report = tracker.failed(`HeapProfiler.getSamplingProfile: ${e && e.message}`, now);
    }
    let first = true;
    for (const e of events) {
      if (e.event !== 'leak') continue;
      e.allocations = first ? report : structuredClone(report);
      first = false;
    }
  }

  return { configure, onEvents, isOn: () => tracker !== null };
}

module.exports = { createAllocationSampling };
