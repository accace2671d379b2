#!/usr/bin/env bash
# Sampling overhead of `memwatch run`: the same GC-heavy script with the GC callbacks on (every GC
# sampled with heap + per-space statistics, stats/leak analysis, export written) and off
# (--no-sampling). Prints hyperfine's table and the on/off ratios of mean wall time and of mean
# CPU time (user+sys, less sensitive to other load on the machine).
#
# Then the same comparison in instructions executed (valgrind --tool=callgrind), which does not
# depend on what else the machine runs: on a shared, loaded machine wall times are noise.
#
# Usage: scripts/bench-overhead.sh [RUNS] [ROUNDS] [CALLGRIND_ROUNDS]   (defaults: 15, 150, 40)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT"
command -v hyperfine >/dev/null || apt_install hyperfine
command -v python3 >/dev/null || apt_install python3

RUNS="${1:-15}"
ROUNDS="${2:-150}"
CG_ROUNDS="${3:-40}"
log "building memwatch (release)"
cargo build --release -p memwatch
BIN="$MEMWATCH_ROOT/target/release/memwatch"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# How many GCs one run records (for the per-GC figure).
"$BIN" run bench/gc-heavy.js --out "$OUT/probe.ndjson" -- "$ROUNDS" >/dev/null 2>&1
GCS=$(grep -c '"type":"gc"' "$OUT/probe.ndjson")

log "hyperfine: $RUNS runs each, $GCS GCs per run"
hyperfine --warmup 2 --runs "$RUNS" --export-json "$OUT/h.json" \
  -n sampling-off "$BIN run bench/gc-heavy.js --no-sampling -- $ROUNDS" \
  -n sampling-on "$BIN run bench/gc-heavy.js --out $OUT/on.ndjson -- $ROUNDS"

python3 - "$OUT/h.json" "$GCS" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
off, on = res["sampling-off"], res["sampling-on"]
gcs = int(sys.argv[2])
cpu = lambda r: r["user"] + r["system"]
print(f"wall  mean: off {off['mean']:.4f} s  on {on['mean']:.4f} s  ratio {on['mean']/off['mean']:.4f}")
print(f"wall  median: off {off['median']:.4f} s  on {on['median']:.4f} s  ratio {on['median']/off['median']:.4f}")
print(f"cpu   mean: off {cpu(off):.4f} s  on {cpu(on):.4f} s  ratio {cpu(on)/cpu(off):.4f}")
print(f"GCs per run: {gcs}; cpu cost per sampled GC: {(cpu(on)-cpu(off))/max(gcs,1)*1e6:.1f} us")
PY

command -v valgrind >/dev/null || apt_install valgrind
log "callgrind: instructions for $CG_ROUNDS rounds, sampling off and on"
ir() {
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$BIN" run bench/gc-heavy.js "$@" >"$OUT/cg.log" 2>&1
  grep -E "Collected :" "$OUT/cg.log" | awk '{print $NF}'
}
IR_OFF=$(ir --no-sampling -- "$CG_ROUNDS")
IR_ON=$(ir --out "$OUT/cg-on.ndjson" -- "$CG_ROUNDS")
CG_GCS=$(grep -c '"type":"gc"' "$OUT/cg-on.ndjson")
python3 -c "
off, on, gcs = $IR_OFF, $IR_ON, $CG_GCS
print(f'instructions: off {off:,}  on {on:,}  ratio {on/off:.4f}  ({gcs} GCs, {(on-off)/max(gcs,1):,.0f} instructions per sampled GC)')
"
