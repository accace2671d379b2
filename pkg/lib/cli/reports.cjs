'use strict';
// `memwatch-wasm diff|leaks|analyze`: the native `memwatch` subcommands of the same names on the
// wasm engine. Files are streamed from disk into the engine's parsers (../read-file.cjs); every
// number and every line of the report comes from core (`diffSnapshots`-style engine calls, then
// `renderHeapDiff`/`renderLeakReport`/`renderExportAnalysis`), so stdout equals the native CLI's
// for the same flags. Exit codes as the native CLI: 0, 1 for `--fail-on-leak` with a leak, 2 for
// bad input or usage.
//
// `leaks` parses its three files in parallel, one worker each (the package's `leakFiles`). `diff`
// parses on the main thread, one file after the other: core's HeapDiff and growth report need
// both graphs in one wasm memory, so a worker per file would only add a copy.

const { parseArgs, nonNegativeInteger, number, UsageError } = require('./args.cjs');
const { InputError, readSnapshot, readExport, head } = require('../read-file.cjs');
const { leakFiles } = require('../files.cjs');

/** Bytes of a file's start that `detectFileKind` needs (core's DETECT_HEAD_BYTES is smaller). */
const HEAD_BYTES = 4096;

function write(text) {
  process.stdout.write(text);
}

/** Wall time per phase on stderr (`--timings`). */
function phases(on) {
  let last = process.hrtime.bigint();
  return (what) => {
    const now = process.hrtime.bigint();
    if (on) process.stderr.write(`${(Number(now - last) / 1e9).toFixed(2).padStart(8)} s  ${what}\n`);
    last = now;
  };
}

const DIFF = {
  usage: 'memwatch-wasm diff [OPTIONS] <BEFORE> <AFTER>',
  about: "Diff two .heapsnapshot files by class (node-memwatch's HeapDiff).",
  positionals: ['BEFORE', 'AFTER'],
  flags: {
    json: { help: "Print node-memwatch's HeapDiff JSON object (one line) instead of a table" },
    timings: { help: 'Print the time of each phase (parse, diff, retainers) on stderr' },
    retainers: {
      takes: 'N',
      parse: nonNegativeInteger,
      help: 'Also show who retains the N classes that grew most: representative retainer paths and retained-size deltas (JSON: an extra "retainers" key; node-memwatch\'s fields unchanged)',
    },
  },
  run(engine, { flags, positionals: [beforeFile, afterFile] }) {
    const retainers = flags.retainers;
    const edgeDetails = retainers !== undefined; // retainer paths need edge types and names
    const done = phases(flags.timings);
    const before = readSnapshot(engine, beforeFile, { edgeDetails });
    done(`parse ${beforeFile}`);
    const after = readSnapshot(engine, afterFile, { edgeDetails });
    done(`parse ${afterFile}`);
    try {
      const diff = before.diff(after);
      done('diff');
      let growth = null;
      if (retainers !== undefined) {
        try {
          growth = engine.growthReport(before, after, retainers);
        } catch (e) {
          throw new InputError(afterFile, e.message);
        }
        done('dominators, retained sizes, retainer paths');
      }
      write(engine.renderHeapDiff(diff, growth, flags.json ? 'json' : 'text'));
      return 0;
    } finally {
      before.free();
      after.free();
    }
  },
};

/** `leaks`; the `--max-groups` default in its help is core's (`leakReportDefaults()`). */
const leaksSpec = (engine) => ({
  usage: 'memwatch-wasm leaks [OPTIONS] <BASELINE> <TARGET> <FINAL>',
  about: 'Find leaked objects and who retains them from three snapshots (baseline, target, final): objects allocated after BASELINE, present in TARGET and still alive in FINAL, grouped by class and retainer path.',
  positionals: ['BASELINE', 'TARGET', 'FINAL'],
  flags: {
    json: { help: 'Print the report as one JSON object on stdout' },
    'include-internal': { help: 'Also report V8-internal objects (backing stores, code, maps, `system / *`)' },
    'max-groups': {
      takes: 'N',
      parse: nonNegativeInteger,
      help: `Show at most N groups (0: all) [default: ${engine.leakReportDefaults().max_groups}]`,
    },
    'fail-on-leak': { help: 'Exit with status 1 when leaked objects are reported (for CI)' },
    timings: { help: 'Print the time of each phase (parse, analysis, report) on stderr' },
  },
  async run(engine, { flags, positionals: [baseline, target, fin] }) {
    const done = phases(flags.timings);
    // leakFiles (lib/files.cjs): the three files parsed at once, one worker each; of BASELINE and
    // TARGET only the node ids go to FINAL's worker, which computes core's report.
    const report = await leakFiles(baseline, target, fin, {
      // The engine takes a u32; any larger limit shows every group, as native's usize does.
      maxGroups: flags['max-groups'] === undefined ? undefined : Math.min(flags['max-groups'], 0xffffffff),
      includeInternal: Boolean(flags['include-internal']),
    });
    done('parse (three files at once), dominators, retained sizes, retainer paths, leak set and grouping');
    write(engine.renderLeakReport(report, baseline, fin, flags.json ? 'json' : 'text'));
    return flags['fail-on-leak'] && report.reported_objects > 0 ? 1 : 0;
  },
});

/** `analyze`'s detector flags, from core's option table (`detectorOptions()`), as the native CLI. */
function analyzeSpec(engine) {
  const options = engine.detectorOptions();
  const flags = {
    json: { help: 'Print one JSON object (stats events, final stats, leak events, heap diffs) on stdout' },
    'fail-on-leak': { help: 'Exit with status 1 when a leak event is found (for CI)' },
  };
  for (const o of options) {
    flags[o.flag] = {
      takes: o.kind === 'integer' ? 'N' : 'NUMBER',
      parse: number,
      help: `${o.help} [${o.min}..=${o.max}; built-in default ${o.default}]`,
      option: o,
    };
  }
  // The native CLI's older name of --growth-count.
  const growth = options.find((o) => o.name === 'growth_count');
  if (growth) flags['leak-growth-count'] = { ...flags[growth.flag], help: `Alias of --${growth.flag}` };
  for (const detector of new Set(options.map((o) => o.detector))) {
    flags[`no-${detector}`] = { help: `Turn the ${detector} detector off`, off: detector };
  }
  return {
    usage: 'memwatch-wasm analyze [OPTIONS] <FILE>',
    about: 'Re-run stats and leak detection on an export file (memwatch run, the Node adapter, MEMWATCH_OUT). Leak-detector options default to the values recorded in the file\'s header.',
    positionals: ['FILE'],
    flags,
    run: (e, parsed) => analyze(e, parsed, flags),
  };
}

/** The flags as core overrides (`{classic: {growth_count: 3}, trend: null}`); "off" wins. */
function overrides(flags, spec) {
  const out = {};
  for (const [name, value] of Object.entries(flags)) {
    const o = spec[name].option;
    if (o && out[o.detector] !== null) (out[o.detector] ??= {})[o.name] = value;
  }
  for (const name of Object.keys(flags)) if (spec[name].off) out[spec[name].off] = null;
  return out;
}

function analyze(engine, { flags, positionals: [file] }, spec) {
  const options = overrides(flags, spec);
  // Bad options are rejected before the (possibly large) file is read, with core's message.
  try {
    engine.resolveAnalyzerConfig(options);
  } catch (e) {
    throw new UsageError(e.message);
  }
  const parser = readExport(engine, file);
  let result;
  try {
    result = parser.analyze(options);
  } catch (e) {
    if (isHeapSnapshot(engine, file)) {
      throw new InputError(file, 'a V8 heap snapshot, not a memwatch export file (compare two with `memwatch-wasm diff`)');
    }
    throw new InputError(file, e.message);
  } finally {
    parser.free();
  }
  if (result.truncated_line != null) {
    process.stderr.write(`memwatch-wasm: ${engine.truncatedLineWarning(file, Number(result.truncated_line))}\n`);
  }
  write(engine.renderExportAnalysis(result, file, flags.json ? 'json' : 'text'));
  return flags['fail-on-leak'] && result.leaks.length > 0 ? 1 : 0;
}

function isHeapSnapshot(engine, file) {
  try {
    return engine.detectFileKind(head(file, HEAD_BYTES)) === 'snapshot';
  } catch {
    return false;
  }
}

module.exports = { DIFF, leaksSpec, analyzeSpec, parseArgs };
