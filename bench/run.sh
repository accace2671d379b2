#!/usr/bin/env bash
# One command for the peer benchmark: installs the harness (npm, browser downloads off), builds
# memwatch native (bench driver + CLI) and the wasm package, generates the snapshots that are
# missing (TypeScript-compiler workload, outside git), then runs bench/run.js, which writes
# docs/benchmarks-peers.md.
#
#   bench/run.sh [300m|1g|all] [--reps N]     (default: 300m, 3 repetitions)
#
# Environment: MEMWATCH_BENCH_DATA (default /work/data/h-bench) for the snapshots; the native
# build needs RUSTY_V8_ARCHIVE offline (scripts/env.sh sets it when ../shared/v8 exists).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
DATA="${MEMWATCH_BENCH_DATA:-/work/data/h-bench}"
WHICH="${1:-300m}"; shift || true
REPS=3
[[ "${1:-}" == "--reps" ]] && REPS="$2"

[[ -f "$ROOT/scripts/env.sh" ]] && source "$ROOT/scripts/env.sh"
log() { echo "bench: $*" >&2; }

if [[ ! -d "$BENCH/node_modules/@memlab/core" || ! -d "$BENCH/node_modules/typescript" ]]; then
  log "npm install (memlab, typescript; no browser download)"
  (cd "$BENCH" && PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 npm install --no-audit --no-fund >&2)
fi
log "building bench driver (memwatch-core, release)"
(cd "$BENCH/driver" && cargo build --release --quiet)
log "building memwatch CLI (release)"
(cd "$ROOT" && cargo build --release --quiet -p memwatch-cli)
log "building wasm package"
"$ROOT/scripts/build-wasm.sh" >&2

mkdir -p "$DATA"
gen() { # PREFIX SIZE COUNT HEAP_MB EXTRA...
  local prefix="$1" size="$2" count="$3" heap="$4"; shift 4
  if [[ ! -f "$DATA/$prefix-$count.heapsnapshot" ]]; then
    log "generating $prefix ($size, $count snapshots)"
    node --expose-gc --max-old-space-size="$heap" "$BENCH/gen-workload.js" --size "$size" \
      --count "$count" --out "$DATA/$prefix" "$@" >&2
  fi
}

if [[ "$WHICH" == 300m || "$WHICH" == all ]]; then
  gen ts-300m 300M 3 12000 --growth 0.1 --programs 2 --modules 5
  node "$BENCH/run.js" --label ts-300m --reps "$REPS" \
    --before "$DATA/ts-300m-1.heapsnapshot" --after "$DATA/ts-300m-2.heapsnapshot"
fi
if [[ "$WHICH" == 1g || "$WHICH" == all ]]; then
  # > 2^24 nodes: ~1.7 GB of this workload (21.8 M nodes). Two separate processes (writing one
  # such snapshot takes ~10 GB of RSS and ~5-10 min here). memlab is run on parse only: its diff of
  # two 1.7 GB files needs ~2 x 4.5 x 1.7 GB of RAM, more than a shared 24 GB machine can spare.
  gen ts-1g 1.4G 1 16000 --programs 1 --modules 5 --ratio 1.6
  gen ts-1g-b 1.45G 1 16000 --programs 1 --modules 5 --ratio 1.6
  node "$BENCH/run.js" --label ts-1g-parse --reps 1 --tools memlab,native --phases parse \
    --before "$DATA/ts-1g-1.heapsnapshot" --after "$DATA/ts-1g-1.heapsnapshot"
  node "$BENCH/run.js" --label ts-1g --reps "$REPS" --tools native,cli --phases parse,diff \
    --before "$DATA/ts-1g-1.heapsnapshot" --after "$DATA/ts-1g-b-1.heapsnapshot"
fi
