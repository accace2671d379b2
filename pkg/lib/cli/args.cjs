'use strict';
// The command line of `memwatch-wasm`: a small parser for `--flag`, `--flag VALUE`,
// `--flag=VALUE`, positionals and `--`, with clap's conventions (what the native `memwatch`
// uses): a usage error exits 2 with a message on stderr, `--help` prints to stdout and exits 0.

/** A usage or input error: printed as `memwatch-wasm: message`, exit code 2. */
class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = 2;
  }
}

/**
 * Parses `argv` against `spec`: `{ flags: { json: { takes: null } , port: { takes: 'N', parse } },
 * positionals: ['BEFORE', 'AFTER'] | { rest: 'FILES' } }`. Returns `{ flags, positionals, help }`
 * with flags by their long name (`flags['max-groups']`); a flag given twice is an error, as in clap.
 */
function parseArgs(argv, spec) {
  const flags = {};
  const positionals = [];
  let help = false;
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}' (options are spelled --name)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (!flag) throw new UsageError(`unexpected argument '--${name}' (see --help)`);
    if (Object.hasOwn(flags, name)) throw new UsageError(`the argument '--${name}' cannot be used multiple times`);
    if (!flag.takes) {
      if (eq >= 0) throw new UsageError(`the argument '--${name}' takes no value`);
      flags[name] = true;
      continue;
    }
    let value;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    else throw new UsageError(`a value is required for '--${name} <${flag.takes}>' but none was supplied`);
    flags[name] = flag.parse ? flag.parse(value, name, flag.takes) : value;
  }
  if (!help) checkPositionals(positionals, spec.positionals);
  return { flags, positionals, help };
}

function checkPositionals(got, want) {
  if (!Array.isArray(want)) return; // { rest }: any number
  if (got.length < want.length) {
    throw new UsageError(`the following required arguments were not provided: ${want.slice(got.length).map((w) => `<${w}>`).join(' ')}`);
  }
  if (got.length > want.length) throw new UsageError(`unexpected argument '${got[want.length]}' (see --help)`);
}

/** A whole number >= 0 (counts, ports). */
function nonNegativeInteger(value, name, meta) {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`invalid value '${value}' for '--${name} <${meta}>': expected a whole number >= 0`);
  }
  return Number(value);
}

/** Any number (clap's f64): detector options, whose bounds core checks. */
function number(value, name, meta) {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`invalid value '${value}' for '--${name} <${meta}>': expected a number`);
  return n;
}

module.exports = { UsageError, parseArgs, nonNegativeInteger, number };
