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
# sampling heap profiler at the default interval (`--sample-allocations`, "on"). With COMPARE=node,
# the same for the npm package under Node, in interleaved triples: plain Node ("node"), the package
# attached (bench/node-memwatch.cjs, "memwatch") and the package with `sampleAllocations: true`
# ("alloc"). Both costs are inside V8's allocation path, not in memwatch's functions, so instead of
# the callgrind part, whole-run instructions are counted (valgrind's cachegrind, no cache
# simulation) for CALLGRIND_ROUNDS-round runs, interleaved like the timed runs, INSTR_RUNS of each
# (default 3): independent of machine load, but V8's tiering moves them by a few percent.
#
# Usage: [COMPARE=alloc|node] [INSTR_RUNS=3] scripts/bench-overhead.sh [RUNS] [ROUNDS] [CALLGRIND_ROUNDS]
#        (defaults: 15, 150, 40)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT"
command -v python3 >/dev/null || apt_install python3
die() { log "error: $*"; exit 2; }

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

case "${COMPARE:-}" in
  "" | alloc) MODES=(off on) ;;
  node)
    MODES=(node memwatch alloc)
    command -v node >/dev/null || die "COMPARE=node needs node"
    scripts/build-wasm.sh
    ;;
  *) die "COMPARE must be empty, alloc or node, not '$COMPARE'" ;;
esac

# The command of one mode, as an array in CMD.
mode_cmd() {
  local mode=$1 rounds=$2
  case "${COMPARE:-}:$mode" in
    :off) CMD=("$BIN" run bench/gc-heavy.js --no-sampling -- "$rounds") ;;
    :on) CMD=("$BIN" run bench/gc-heavy.js --out "$OUT/on.ndjson" -- "$rounds") ;;
    alloc:off) CMD=("$BIN" run bench/gc-heavy.js --out "$OUT/off.ndjson" -- "$rounds") ;;
    alloc:on) CMD=("$BIN" run bench/gc-heavy.js --out "$OUT/on.ndjson" --sample-allocations -- "$rounds") ;;
    node:node) CMD=(node bench/gc-heavy.js "$rounds") ;;
    node:memwatch) CMD=(node -r ./bench/node-memwatch.cjs bench/gc-heavy.js "$rounds") ;;
    node:alloc) CMD=(node -r ./bench/node-memwatch.cjs bench/gc-heavy.js "$rounds") ;;
  esac
  # Set in the environment of the whole command (valgrind does not follow an `env` exec).
  if [[ $mode == alloc && ${COMPARE:-} == node ]]; then export MEMWATCH_BENCH_SAMPLE_ALLOCATIONS=1
  else export MEMWATCH_BENCH_SAMPLE_ALLOCATIONS=0; fi
}

# Run i of each mode, the order rotated by i (a slow phase of the machine hits every mode alike).
rotated() {
  local i=$1 n=${#MODES[@]} k
  for ((k = 0; k < n; k++)); do echo "${MODES[(i + k) % n]}"; done
}

log "interleaved runs: $RUNS x (${MODES[*]}), $GCS GCs per memwatch run; load: $(uptime | sed 's/.*load average: //')"
TIMES="$OUT/times.txt"
: >"$TIMES"
for i in $(seq 1 "$RUNS"); do
  for mode in $(rotated "$i"); do
    mode_cmd "$mode" "$ROUNDS"
    /usr/bin/time -f "$i $mode %e %U %S" -a -o "$TIMES" "${CMD[@]}" >/dev/null 2>&1
  done
done
python3 - "$TIMES" "$GCS" "${MODES[@]}" <<'PY'
import statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    i, mode, wall, user, sys_ = line.split()
    runs.setdefault(int(i), {})[mode] = (float(wall), float(user) + float(sys_))
gcs = int(sys.argv[2])
modes = sys.argv[3:]
base = modes[0]
def report(name, k, mode):
    pairs = [r for r in runs.values() if base in r and mode in r]
    off = [p[base][k] for p in pairs]
    on = [p[mode][k] for p in pairs]
    d = [b - a for a, b in zip(off, on)]
    m_off, m_d = st.mean(off), st.mean(d)
    half = 2.0 * st.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float("nan")
    print(f"{name:4} {mode}/{base}: {base} mean {m_off:.4f} s (range {min(off):.2f}-{max(off):.2f})  {mode} mean {st.mean(on):.4f} s  "
          f"ratio {1 + m_d / m_off:.4f}  (95 % CI {1 + (m_d - half) / m_off:.3f} to {1 + (m_d + half) / m_off:.3f}; {len(d)} pairs)")
    return m_d
for mode in modes[1:]:
    report("wall", 0, mode)
    d_cpu = report("cpu", 1, mode)
if len(modes) == 3:  # node: sampleAllocations on vs off, the package attached in both
    base = modes[1]
    report("wall", 0, modes[2])
    report("cpu", 1, modes[2])
    if len(modes) == 2:
        print(f"GCs per run: {gcs}; mean CPU difference per sampled GC: {d_cpu / max(gcs, 1) * 1e6:.1f} us (noise-dominated)")
PY

if [[ -n ${COMPARE:-} ]]; then
  command -v valgrind >/dev/null || apt_install valgrind
  log "cachegrind: whole-run instructions, ${INSTR_RUNS:-3} x (${MODES[*]}), $CG_ROUNDS rounds"
  INSTR="$OUT/instr.txt"
  : >"$INSTR"
  for i in $(seq 1 "${INSTR_RUNS:-3}"); do
    for mode in $(rotated "$i"); do
      mode_cmd "$mode" "$CG_ROUNDS"
      valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null --log-file="$OUT/cg.log" "${CMD[@]}" >/dev/null 2>&1
      echo "$i $mode $(sed -n 's/.*I *refs: *//p' "$OUT/cg.log" | tr -d ,)" >>"$INSTR"
    done
  done
  python3 - "$INSTR" "${MODES[@]}" <<'PY'
import statistics as st, sys
by = {}
for line in open(sys.argv[1]):
    i, mode, n = line.split()
    by.setdefault(mode, []).append(int(n))
modes = sys.argv[2:]
base = st.mean(by[modes[0]])
for m in modes:
    v = by[m]
    print(f"instructions {m:8}: mean {st.mean(v) / 1e6:,.1f} M (range {min(v) / 1e6:,.1f}-{max(v) / 1e6:,.1f} M, {len(v)} runs)  "
          f"ratio to {modes[0]} {st.mean(v) / base:.4f}")
if len(modes) == 3:
    print(f"instructions {modes[2]}/{modes[1]}: {st.mean(by[modes[2]]) / st.mean(by[modes[1]]):.4f}")
PY
  exit 0
fi
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
