#!/usr/bin/env node
'use strict';
// `memwatch-wasm`: the native `memwatch` CLI's file commands (diff, leaks, analyze) and its web
// viewer (view) without the Rust build, on the package's wasm engine. Same output and exit codes
// as `memwatch diff|leaks|analyze`: 0, 1 for a leak found with --fail-on-leak, 2 for bad input or
// usage.

const { parseArgs, UsageError } = require('../lib/cli/args.cjs');
const { DIFF, leaksSpec, analyzeSpec } = require('../lib/cli/reports.cjs');
const { VIEW } = require('../lib/cli/view.cjs');
const { INPUT_ERROR } = require('../lib/read-file.cjs');

const COMMANDS = {
  diff: () => DIFF,
  leaks: (engine) => leaksSpec(engine),
  analyze: (engine) => analyzeSpec(engine),
  view: () => VIEW,
};

const TOP_HELP = `Find memory leaks in JavaScript running on V8: the file commands of the native \`memwatch\`
CLI and its web viewer, on the wasm engine of the memwatch-wasm package (no Rust build needed).

Usage: memwatch-wasm <COMMAND> [OPTIONS] [FILES]...

Commands:
  diff     Diff two .heapsnapshot files by class (node-memwatch's HeapDiff)
  leaks    Find leaked objects and who retains them from three snapshots (baseline, target, final)
  analyze  Re-run stats and leak detection on an export file
  view     Serve the web viewer on 127.0.0.1 and open the given files in it

Options:
  -h, --help     Print help (\`memwatch-wasm <COMMAND> --help\` for a command's options)
  -V, --version  Print version

Output and exit codes are those of the native CLI: the report on stdout (--json: one JSON
line), messages on stderr; 0 ok, 1 a leak found with --fail-on-leak, 2 bad input or usage.
Snapshots: v8.writeHeapSnapshot(), Chrome DevTools, memwatch run --snapshot-dir. Export files:
memwatch.record(), MEMWATCH_OUT, memwatch run --out.
`;

function commandHelp(spec) {
  const lines = [spec.about, '', `Usage: ${spec.usage}`, '', 'Options:'];
  const entries = Object.entries(spec.flags).map(([name, f]) => [`--${name}${f.takes ? ` <${f.takes}>` : ''}`, f.help]);
  entries.push(['-h, --help', 'Print help']);
  const width = Math.max(...entries.map(([left]) => left.length));
  for (const [left, help] of entries) lines.push(`  ${left.padEnd(width)}  ${help}`);
  return `${lines.join('\n')}\n`;
}

function loadEngine() {
  return require('../wasm/node/memwatch_wasm.js');
}

async function main(argv) {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process[name === undefined ? 'stderr' : 'stdout'].write(TOP_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`memwatch-wasm ${require('../package.json').version}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unrecognized subcommand '${name}' (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`);
  const engine = loadEngine();
  const spec = command(engine);
  const parsed = parseArgs(rest, spec);
  if (parsed.help) {
    process.stdout.write(commandHelp(spec));
    return 0;
  }
  return spec.run(engine, parsed);
}

// A closed pipe (`memwatch-wasm diff a b | head`) is not an error worth reporting (as native).
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    // Usage and input errors (also those from the engine workers) exit with 2; anything else is
    // our failure (1).
    const known = e instanceof UsageError || e?.code === INPUT_ERROR;
    process.stderr.write(`memwatch-wasm: ${known ? e.message : e?.stack ?? e}\n`);
    process.exitCode = known ? 2 : 1;
  },
);
