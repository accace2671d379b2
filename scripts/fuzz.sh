#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/): the snapshot push parser with arbitrary chunk boundaries,
# the export reader, the graph analyses on generated snapshots, the wasm entry points.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   time-boxed run per target (default 15: ~1 min in all,
#                                          what scripts/test.sh runs)
#   scripts/fuzz.sh --runs N               N executions per target (the long run in
#                                          docs/reliability.md: --runs 10000000)
#   FUZZ_TARGETS="snapshot_push export_reader" scripts/fuzz.sh ...   a subset
#
# Seeds are in fuzz/seeds/<target> (committed: tiny real snapshots and exports); inputs found
# to add coverage go to fuzz/corpus/<target> (kept between runs, not committed); a crash stops
# the run with the input in fuzz/artifacts/<target>/ and exit status 1.
# Needs cargo-fuzz (installed here from crates.io if missing) and nightly flags: RUSTC_BOOTSTRAP=1
# lets the stable toolchain accept them. Built without a sanitizer: core has no `unsafe`, so
# AddressSanitizer finds nothing here and would cut the executions per second about tenfold.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT/fuzz"

mode=(-max_total_time=15)
per="15 s"
case "${1:-}" in
  --runs) mode=(-runs="${2:?--runs needs a count}"); per="${2} runs" ;;
  "") ;;
  *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET | --runs N]" >&2; exit 2 ;;
  *) mode=(-max_total_time="$1"); per="$1 s" ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz (crates.io)"
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
FLAGS=(-O -s none)

targets=(${FUZZ_TARGETS:-snapshot_push export_reader graph_analyses wasm_entry_points})
log "fuzz: building ${#targets[@]} targets (cached in fuzz/target)"
cargo fuzz build "${FLAGS[@]}" >/dev/null

for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log "fuzz: $t ($per)"
  out="$(mktemp)"
  status=0
  # -rss_limit_mb: a parse that needs more than 2 GiB for a small input is a finding too.
  cargo fuzz run "${FLAGS[@]}" "$t" "corpus/$t" "seeds/$t" -- \
    "${mode[@]}" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" >"$out" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)"
  secs="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$out" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$out" | tail -1)"
  if [ "$status" -ne 0 ]; then
    tail -40 "$out" >&2
    rm -f "$out"
    echo "fuzz: $t FAILED (input saved in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  echo "fuzz: $t: ${runs:-?} runs in ${secs:-?} s, ${cov:-cov: ?} edges, corpus $(ls "corpus/$t" | wc -l) inputs, no finding"
  rm -f "$out"
done
