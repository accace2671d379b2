'use strict';
// The node-memwatch API, once, for both hosts: the npm package (lib/memwatch.cjs requires this
// file as a CommonJS module) and `memwatch run` (native/runtime includes it with include_str! and
// evaluates it as a classic script, whose completion value is the factory). So the events, the
// checks and every message are the same in both; a host only supplies what differs:
//
//   host.gc()                   force a full collection (its `stats` event comes later)
//   host.heapDiffStart(owner)   take the "before" snapshot; returns a token
//   host.heapDiffEnd(token, retainers)
//                               take the "after" snapshot; returns the HeapDiff result (with the
//                               engine's growth report as `retainers` when `retainers` is a number)
//   host.heapDiffEndAsync(token, retainers)
//                               optional: the same as a promise, analysed off the event loop
//   host.heapDiffRetainers      true when the host supports `retainers` (`memwatch run` does not)
//   host.configure(config)      new detector parameters (AnalyzerConfig) for the live analysis
//   host.emitter                optional: the object to become `memwatch` (the package passes a
//                               Node EventEmitter); without it a minimal emitter is built here
//
// Returns { memwatch, dispatch }: the host calls dispatch(event, payload) for every engine event
// ('stats', 'leak' with epoch-ms `start`/`end`, 'heapdiff'), never from inside a GC.
(function (factory) {
  if (typeof module === 'object' && module !== null) module.exports = { createMemwatch: factory };
  return factory;
})(function createMemwatch(host) {
  const EVENTS = ['stats', 'leak', 'heapdiff'];

  function checkEvent(event) {
    if (!EVENTS.includes(event)) {
      throw new TypeError(`memwatch: unknown event '${String(event)}' (expected 'stats', 'leak' or 'heapdiff')`);
    }
  }
  function checkListener(fn) {
    if (typeof fn !== 'function') throw new TypeError('memwatch: listener must be a function');
  }

  // A minimal emitter with EventEmitter's semantics for what it has: listeners run in order of
  // registration with `this` = memwatch, a `once` listener is removed before it runs, and a
  // listener's exception propagates to the caller of emit (the host reports it as uncaught).
  function simpleEmitter() {
    const listeners = { stats: [], leak: [], heapdiff: [] };
    const add = (once) => function (event, fn) {
      listeners[event].push({ fn, once });
      return this;
    };
    const remove = function (event, fn) {
      const ls = listeners[event];
      for (let i = ls.length - 1; i >= 0; i--) {
        if (ls[i].fn === fn) {
          ls.splice(i, 1);
          break;
        }
      }
      return this;
    };
    return {
      on: add(false),
      addListener: add(false),
      once: add(true),
      off: remove,
      removeListener: remove,
      removeAllListeners(event) {
        for (const e of event === undefined ? EVENTS : [event]) listeners[e].length = 0;
        return this;
      },
      listenerCount(event) {
        return listeners[event].length;
      },
      emit(event, payload) {
        const ls = listeners[event];
        if (ls.length === 0) return false;
        for (const l of ls.slice()) {
          if (l.once) {
            const i = ls.indexOf(l);
            if (i >= 0) ls.splice(i, 1);
          }
          l.fn.call(this, payload);
        }
        return true;
      },
    };
  }

  const memwatch = host.emitter || simpleEmitter();

  // Argument checks in front of the emitter's own methods (same messages on both hosts).
  for (const name of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener', 'off', 'removeListener']) {
    const base = memwatch[name];
    if (typeof base !== 'function') continue;
    memwatch[name] = function (event, fn) {
      checkEvent(event);
      checkListener(fn);
      return base.call(this, event, fn);
    };
  }
  const removeAll = memwatch.removeAllListeners;
  memwatch.removeAllListeners = function removeAllListeners(event) {
    if (event === undefined) return removeAll.call(this); // EventEmitter tells the two apart by arity
    checkEvent(event);
    return removeAll.call(this, event);
  };
  const count = memwatch.listenerCount;
  memwatch.listenerCount = function listenerCount(event) {
    checkEvent(event);
    return count.call(this, event);
  };

  /** Forces a full garbage collection; 'stats' for it arrives asynchronously. */
  memwatch.gc = function gc() {
    host.gc();
  };

  /**
   * Detector parameters for the live analysis (AnalyzerConfig: `{classic: {growth_count,
   * noise_floor_bytes, noise_floor_percent}, trend: {...}}`, `null` turns one off).
   */
  memwatch.configure = function configure(config) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new TypeError('memwatch.configure: expected an object like {classic: {...}, trend: {...}}');
    }
    host.configure(config);
    return memwatch;
  };

  // hd.end()'s options: `{ retainers: N }` (N >= 0 classes; the engine's growth report).
  function endRetainers(options) {
    if (options === undefined) return undefined;
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError('HeapDiff.end: options must be an object like { retainers: 10 }');
    }
    for (const key of Object.keys(options)) {
      if (key !== 'retainers') throw new TypeError(`HeapDiff.end: unknown option '${key}' (expected 'retainers')`);
    }
    const n = options.retainers;
    if (n === undefined) return undefined;
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new TypeError(`HeapDiff.end: option 'retainers' must be an integer from 0 to 4294967295, got ${String(n)}`);
    }
    if (!host.heapDiffRetainers) {
      throw new Error('HeapDiff.end: retainers are not available here; in `memwatch run`, use --leak-retainers N, ' +
        'or keep snapshots (--snapshot-dir) and run `memwatch diff --retainers N` on them');
    }
    return n;
  }

  /**
   * node-memwatch's HeapDiff: snapshots the heap now (after a full GC); `end()` snapshots it again
   * and returns the diff; `endAsync()` returns it as a promise, analysed off the event loop where
   * the host can. Everything it holds is reachable only through the HeapDiff object, which the
   * diff does not walk, so it stays out of the user's numbers.
   */
  class HeapDiff {
    #token = null;
    #ended = false;
    constructor() {
      this.#token = host.heapDiffStart(this);
    }
    end(options) {
      if (this.#ended) throw new Error('attempt to end() a HeapDiff that was already ended');
      const retainers = endRetainers(options);
      this.#ended = true;
      return host.heapDiffEnd(this.#token, retainers);
    }
    endAsync(options) {
      try {
        if (this.#ended) throw new Error('attempt to end() a HeapDiff that was already ended');
        const retainers = endRetainers(options);
        this.#ended = true;
        if (host.heapDiffEndAsync) return host.heapDiffEndAsync(this.#token, retainers);
        return Promise.resolve(host.heapDiffEnd(this.#token, retainers));
      } catch (e) {
        return Promise.reject(e);
      }
    }
  }
  // Compile end() and endAsync() now rather than inside the first user's diff (their bytecode
  // would be allocated between the two snapshots); the calls fail on purpose (not a HeapDiff).
  try {
    HeapDiff.prototype.end.call({});
  } catch {
    // Expected.
  }
  HeapDiff.prototype.endAsync.call({}).catch(() => {});
  try {
    endRetainers({ retainers: 0 });
  } catch {
    // Hosts without retainers refuse.
  }
  memwatch.HeapDiff = HeapDiff;

  function dispatch(event, payload) {
    if (event === 'leak') {
      payload.start = new Date(payload.start);
      payload.end = new Date(payload.end);
    }
    memwatch.emit(event, payload);
  }

  return { memwatch, dispatch };
});
