#!/usr/bin/env bash
# Sampling overhead of `memwatch run`: the same GC-heavy script with the GC callbacks on (every GC
# sampled with heap + per-space statistics, stats/leak analysis, export written) and off
# (--no-sampling).
#
# 1. Wall and CPU time of RUNS interleaved off/on pairs (order alternating). V8's own run-to-run
#    spread is large (the same command varies 0.7-1.2 s: when TurboFan's on-stack replacement
#    lands, GC timing on 2 cores), and hyperfine runs all "off" before all "on", so a slow phase
#    of the machine or of V8 lands on one side: pairs are interleaved instead, and the ratio is
#    given with a 95 % confidence interval of the paired differences.
# 2. Instructions executed inside memwatch's own functions (GC callbacks, drain: analyzer and
#    export) as a share of the whole run (valgrind --tool=callgrind): independent of machine load
#    and of V8's tiering luck, which moves whole-run instruction counts by +-8 %.
#
# With COMPARE=alloc, the pairs compare GC sampling alone ("off") with GC sampling plus V8's
# sampling heap profiler at the default interval (`--sample-allocations`, "on"); its cost is inside
# V8's allocation path, so the callgrind part (memwatch's own functions) is skipped.
#
# Usage: [COMPARE=alloc] scripts/bench-overhead.sh [RUNS] [ROUNDS] [CALLGRIND_ROUNDS]   (defaults: 15, 150, 40)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT"
command -v python3 >/dev/null || apt_install python3

RUNS="${1:-15}"
ROUNDS="${2:-150}"
CG_ROUNDS="${3:-40}"
log "building memwatch (release)"
cargo build --release -p memwatch-cli
BIN="$MEMWATCH_ROOT/target/release/memwatch"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# How many GCs one run records (for the per-GC figure).
"$BIN" run bench/gc-heavy.js --out "$OUT/probe.ndjson" -- "$ROUNDS" >/dev/null 2>&1
GCS=$(grep -c '"type":"gc"' "$OUT/probe.ndjson")

log "interleaved runs: $RUNS off/on pairs, $GCS GCs per run"
TIMES="$OUT/times.txt"
: >"$TIMES"
for i in $(seq 1 "$RUNS"); do
  order="off on"; (( i % 2 == 0 )) && order="on off"
  for mode in $order; do
    if [[ ${COMPARE:-} == alloc ]]; then
      if [[ $mode == off ]]; then args=(--out "$OUT/off.ndjson"); else args=(--out "$OUT/on.ndjson" --sample-allocations); fi
    elif [[ $mode == off ]]; then args=(--no-sampling); else args=(--out "$OUT/on.ndjson"); fi
    /usr/bin/time -f "$i $mode %e %U %S" -a -o "$TIMES" "$BIN" run bench/gc-heavy.js "${args[@]}" -- "$ROUNDS" >/dev/null 2>&1
  done
done

python3 - "$TIMES" "$GCS" <<'PY'
import statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    i, mode, wall, user, sys_ = line.split()
    runs.setdefault(int(i), {})[mode] = (float(wall), float(user) + float(sys_))
pairs = [r for r in runs.values() if "on" in r and "off" in r]
gcs = int(sys.argv[2])
def report(name, k):
    off = [p["off"][k] for p in pairs]
    on = [p["on"][k] for p in pairs]
    d = [b - a for a, b in zip(off, on)]
    m_off, m_d = st.mean(off), st.mean(d)
    half = 2.0 * st.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float("nan")
    print(f"{name:4}: off mean {m_off:.4f} s (range {min(off):.2f}-{max(off):.2f})  on mean {st.mean(on):.4f} s  "
          f"ratio {1 + m_d / m_off:.4f}  (95 % CI {1 + (m_d - half) / m_off:.3f} to {1 + (m_d + half) / m_off:.3f}; {len(d)} pairs)")
    return m_d
report("wall", 0)
d_cpu = report("cpu", 1)
print(f"GCs per run: {gcs}; mean CPU difference per sampled GC: {d_cpu / max(gcs, 1) * 1e6:.1f} us (noise-dominated)")
PY

[[ ${COMPARE:-} == alloc ]] && exit 0
command -v valgrind >/dev/null || apt_install valgrind
command -v callgrind_annotate >/dev/null || apt_install valgrind
log "callgrind: instructions inside memwatch's functions, $CG_ROUNDS rounds, sampling on"
valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$BIN" run bench/gc-heavy.js \
  --out "$OUT/cg-on.ndjson" -- "$CG_ROUNDS" >"$OUT/cg.log" 2>&1
CG_GCS=$(grep -c '"type":"gc"' "$OUT/cg-on.ndjson")
callgrind_annotate --inclusive=yes --threshold=100 "$OUT/cg.out" >"$OUT/cg.txt" 2>/dev/null
python3 - "$OUT/cg.txt" "$CG_GCS" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
gcs = int(sys.argv[2])
def inclusive(symbol):
    m = re.search(r"^\s*([\d,]+) .*\?\?\?:" + re.escape(symbol) + r" \[", text, re.M)
    return int(m.group(1).replace(",", "")) if m else 0
total = int(re.search(r"^\s*([\d,]+) .*PROGRAM TOTALS", text, re.M).group(1).replace(",", ""))
# Inside the GC pause (callbacks) and after it on the event loop (analyzer + export line).
parts = {
    "gc_prologue": inclusive("memwatch::callbacks::gc_prologue"),
    "gc_epilogue": inclusive("memwatch::callbacks::gc_epilogue"),
    "drain_into_pipeline": inclusive("memwatch::Shared::drain_into_pipeline"),
    "attach": inclusive("memwatch::Memwatch::attach"),
}
own = sum(parts.values())
for k, v in parts.items():
    print(f"  {k:20} {v:>13,} instructions ({v / max(gcs, 1):,.0f} per GC)")
print(f"memwatch's own: {own:,} of {total:,} instructions ({gcs} GCs): {100 * own / total:.3f} %, "
      f"overhead ratio {1 + own / (total - own):.4f}")
PY
