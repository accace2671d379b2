'use strict';
// Option objects of the Node API (configure, record, metrics, ...): every key is checked, an
// unknown key or a value of the wrong type is a TypeError naming the key, and the keys are
// camelCase throughout. Detector options (configure's `classic`/`trend`) are not described here:
// their names (camelCase `jsName`) and bounds are core's table (engine.detectorOptions()), and
// their values are checked by core (the message the CLI prints for the same value).

/** How a value reads in a message: `a string ("x")`, `null`, `an array`, `a number (NaN)`. */
function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string': return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)})`;
    case 'number': return `a number (${v})`;
    case 'bigint': return `a bigint (${v}n)`;
    case 'boolean': return `${v}`;
    case 'undefined': return 'undefined';
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
    default: {
      const name = Object.getPrototypeOf(v)?.constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'an object';
    }
  }
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Value checks: each returns null when `v` fits, else what was expected (for the message).
const kinds = {
  nonNegativeInteger: (v) => (Number.isSafeInteger(v) && v >= 0 ? null : 'a non-negative integer'),
  /** `leakRetainers`: a count of retainer groups, or null (off). */
  retainerCount: (v) =>
    v === null || (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) ? null : 'an integer from 0 to 4294967295 (or null)',
  boolean: (v) => (typeof v === 'boolean' ? null : 'true or false'),
  function: (v) => (typeof v === 'function' ? null : 'a function'),
  /** `{ name: 'value' }` with string values (labels). */
  stringRecord: (v) =>
    isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string') ? null : 'an object of strings',
  /** true | false | a positive integer (bytes): `sampleAllocations`. */
  // The interval's bounds are core's (AllocationTracker), checked when sampling starts.
  samplingInterval: (v) => (typeof v === 'boolean' || typeof v === 'number' ? null : 'true, false or an interval in bytes'),
  any: () => null,
};

function keyList(keys) {
  return keys.map((k) => `'${k}'`).join(', ');
}

/**
 * Checks `options` (undefined is `{}`) against `spec` ({ key: check }); returns it. `what` names
 * the call in messages (`memwatch.record`), `prefix` the enclosing key (`classic.`).
 */
function checkOptions(what, options, spec, prefix = '') {
  if (options === undefined) return {};
  if (!isPlainObject(options)) {
    throw new TypeError(`${what}: ${prefix ? `option '${prefix.slice(0, -1)}'` : 'options'} must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    const check = spec[key];
    if (check === undefined) {
      throw new TypeError(`${what}: unknown option '${prefix}${key}'${hint(key, Object.keys(spec))} (expected ${keyList(Object.keys(spec))})`);
    }
    const value = options[key];
    if (value === undefined) continue;
    const expected = check(value);
    if (expected) throw new TypeError(`${what}: option '${prefix}${key}' must be ${expected}, got ${describe(value)}`);
  }
  return options;
}

/** ` (did you mean 'growthCount'?)` for a snake_case or differently cased spelling of a key. */
function hint(key, known) {
  const norm = (k) => k.replace(/[_-]/g, '').toLowerCase();
  const match = known.find((k) => norm(k) === norm(key));
  return match ? ` (did you mean '${match}'?)` : '';
}

/** Core's detector options by detector: [{ name, js_name, ... }]. */
function detectorTable(engine) {
  const byDetector = {};
  for (const o of engine.detectorOptions()) (byDetector[o.detector] ??= []).push(o);
  return byDetector;
}

/**
 * `memwatch.configure(config)`: `{ classic, trend, leakRetainers, sampleAllocations }` with the
 * detector options in camelCase (`{ classic: { growthCount: 3 }, trend: null }`). Returns
 * `{ analyzer, leakRetainers, sampleAllocations }`: `analyzer` is the engine's AnalyzerConfig
 * (core's names), checked by core; a value out of core's bounds is a RangeError naming the key.
 */
function configureOptions(engine, config) {
  const what = 'memwatch.configure';
  const table = detectorTable(engine);
  const detectorSection = (v) => (v === null || isPlainObject(v) ? null : 'an object of detector options or null');
  checkOptions(what, config, {
    ...Object.fromEntries(Object.keys(table).map((d) => [d, detectorSection])),
    leakRetainers: kinds.retainerCount,
    sampleAllocations: kinds.samplingInterval,
  });
  const analyzer = {};
  for (const [detector, options] of Object.entries(table)) {
    const section = config[detector];
    if (section === undefined) continue;
    if (section === null) {
      analyzer[detector] = null;
      continue;
    }
    const byJsName = Object.fromEntries(options.map((o) => [o.js_name, o]));
    const number = (v) => (typeof v === 'number' ? null : 'a number');
    checkOptions(what, section, Object.fromEntries(options.map((o) => [o.js_name, number])), `${detector}.`);
    const values = {};
    for (const [key, value] of Object.entries(section)) {
      if (value === undefined) continue;
      const o = byJsName[key];
      try {
        engine.resolveAnalyzerConfig({ [detector]: { [o.name]: value } }); // core's bounds and message
      } catch (e) {
        throw new RangeError(`${what}: option '${detector}.${key}': ${e.message}`);
      }
      values[o.name] = value;
    }
    analyzer[detector] = values;
  }
  return { analyzer, leakRetainers: config.leakRetainers, sampleAllocations: config.sampleAllocations };
}

/** `memwatch.record(path, options)`: `{ labels }` (strings, stored in the export header). */
function recordOptions(options) {
  return checkOptions('memwatch.record', options, { labels: kinds.stringRecord });
}

/**
 * `memwatch.metrics.register(registry, options)` / `registerMeter(meter, options)` (the labels'
 * names and values are checked by lib/metrics.cjs, with Prometheus' naming rules).
 */
function metricsOptions(fn, options) {
  const spec = fn === 'register' ? { labels: kinds.any, client: kinds.any } : { labels: kinds.any };
  return checkOptions(`memwatch.metrics.${fn}`, options, spec);
}

module.exports = { checkOptions, configureOptions, recordOptions, metricsOptions, describe, kinds };
