// Installs the globals of `memwatch run` (console, process, performance, timers are native, and
// the node-memwatch compatible `memwatch` object, built by the shared facade `createMemwatch`) on
// top of a few native functions. Evaluated once per context; returns the function the event loop
// calls to deliver memwatch events.
(function bootstrap(native, globalThis, createMemwatch) {
  'use strict';

  // ---- console -------------------------------------------------------------------------------
  const MAX_DEPTH = 2;
  function inspect(value, depth, seen) {
    switch (typeof value) {
      case 'string': return depth === 0 ? value : JSON.stringify(value);
      case 'number': return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint': return `${value}n`;
      case 'undefined': return 'undefined';
      case 'boolean': return String(value);
      case 'symbol': return value.toString();
      case 'function': return `[Function: ${value.name || '(anonymous)'}]`;
    }
    if (value === null) return 'null';
    if (value instanceof Error) return value.stack || String(value);
    if (value instanceof Date) return isNaN(value) ? 'Invalid Date' : value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (seen.includes(value)) return '[Circular]';
    if (depth > MAX_DEPTH) return Array.isArray(value) ? '[Array]' : '[Object]';
    seen.push(value);
    try {
      if (Array.isArray(value)) {
        const items = value.slice(0, 100).map((v) => inspect(v, depth + 1, seen));
        if (value.length > 100) items.push(`... ${value.length - 100} more items`);
        return `[ ${items.join(', ')} ]`.replace('[  ]', '[]');
      }
      if (value instanceof Map) {
        const items = [...value].slice(0, 100).map(([k, v]) => `${inspect(k, depth + 1, seen)} => ${inspect(v, depth + 1, seen)}`);
        return `Map(${value.size}) {${items.length ? ' ' + items.join(', ') + ' ' : ''}}`;
      }
      if (value instanceof Set) {
        const items = [...value].slice(0, 100).map((v) => inspect(v, depth + 1, seen));
        return `Set(${value.size}) {${items.length ? ' ' + items.join(', ') + ' ' : ''}}`;
      }
      const keys = Object.keys(value);
      const ctor = value.constructor && value.constructor.name;
      const prefix = ctor && ctor !== 'Object' ? `${ctor} ` : '';
      if (keys.length === 0) return `${prefix}{}`;
      const parts = keys.slice(0, 100).map((k) => {
        const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
        return `${key}: ${inspect(value[k], depth + 1, seen)}`;
      });
      return `${prefix}{ ${parts.join(', ')} }`;
    } finally {
      seen.pop();
    }
  }

  function format(args) {
    let out = [];
    let i = 0;
    if (typeof args[0] === 'string' && args.length > 1 && /%[sdifjoO%]/.test(args[0])) {
      i = 1;
      out.push(args[0].replace(/%([sdifjoO%])/g, (m, c) => {
        if (c === '%') return '%';
        if (i >= args.length) return m;
        const a = args[i++];
        switch (c) {
          case 's': return typeof a === 'string' ? a : inspect(a, 1, []);
          case 'd': case 'i': return String(c === 'i' ? parseInt(a) : Number(a));
          case 'f': return String(parseFloat(a));
          case 'j': try { return JSON.stringify(a); } catch { return '[Circular]'; }
          default: return inspect(a, 1, []);
        }
      }));
    }
    for (; i < args.length; i++) out.push(inspect(args[i], 0, []));
    return out.join(' ');
  }

  const print = native.print;
  const console = {
    log: (...a) => print(0, format(a)),
    info: (...a) => print(0, format(a)),
    debug: (...a) => print(0, format(a)),
    warn: (...a) => print(1, format(a)),
    error: (...a) => print(1, format(a)),
    trace: (...a) => print(1, new Error(format(a)).stack.replace(/^Error/, 'Trace')),
  };
  Object.defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true });

  // ---- process / performance -----------------------------------------------------------------
  // process.exitCode is validated as Node does and kept natively: it is the status when the
  // script ends on its own (and of a process.exit() without a code).
  function exitCodeValue(code) {
    if (code === undefined || code === null) return undefined;
    if (typeof code === 'string' && /^-?\d+$/.test(code.trim())) code = Number(code);
    if (typeof code !== 'number') {
      const e = new TypeError(`The "code" argument must be of type number. Received type ${typeof code} (${String(code)})`);
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    if (!Number.isInteger(code)) {
      const e = new RangeError(`The value of "code" is out of range. It must be an integer. Received ${code}`);
      e.code = 'ERR_OUT_OF_RANGE';
      throw e;
    }
    return code;
  }
  let exitCode;
  const process = {
    argv: native.argv,
    env: {},
    platform: 'linux',
    get exitCode() { return exitCode; },
    set exitCode(code) {
      const value = exitCodeValue(code);
      exitCode = code === null ? undefined : value;
      native.setExitCode(value);
    },
    exit(code) { native.exit(code === undefined ? (exitCode || 0) : Number(code) | 0); },
    memoryUsage() { return native.memoryUsage(); },
    hrtime: { bigint: () => BigInt(Math.round(native.now() * 1e6)) },
  };
  Object.defineProperty(globalThis, 'process', { value: process, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'performance', { value: { now: native.now }, writable: true, configurable: true });

  // ---- memwatch (node-memwatch API) ------------------------------------------------------------
  // The facade shared with the npm package (pkg/lib/facade.js); this host supplies the native
  // GC, HeapDiff and events. Detector parameters are fixed for a recording (the export header
  // states them, and re-analysis must reproduce the live events), so configure() refuses.
  const { memwatch, dispatch } = createMemwatch({
    gc: () => native.gc(),
    heapDiffStart: () => native.heapDiffStart(),
    heapDiffEnd: (id) => native.heapDiffEnd(id),
    configure() {
      throw new Error('memwatch.configure() is not available in `memwatch run`: the detector parameters are ' +
        'fixed for the whole recording; pass them as flags (--growth-count, --trend-window, ...)');
    },
  });
  Object.defineProperty(globalThis, 'memwatch', { value: memwatch, writable: true, configurable: true });

  // Called by the event loop after a GC, never from inside one. An exception thrown by a
  // listener propagates to the loop, which reports it as uncaught (as Node does).
  return dispatch;
})
