#!/usr/bin/env bash
# Sampling overhead of `memwatch run`: the same GC-heavy script with the GC callbacks on (every GC
# sampled with heap + per-space statistics, stats/leak analysis, export written) and off
# (--no-sampling).
#
# 1. Wall and CPU time of RUNS interleaved off/on pairs (order rotated). V8's own run-to-run
#    spread is large (the same command varies 0.7-1.2 s: when TurboFan's on-stack replacement
#    lands, GC timing on 2 cores), and hyperfine runs all "off" before all "on", so a slow phase
#    of the machine or of V8 lands on one side: pairs are interleaved instead, and the ratio is
#    given with a 95 % confidence interval of the paired differences. Every timed run is counted
#    by `perf stat` (task-clock, and instructions:u / cycles:u where the machine has a PMU; in a
#    VM without one perf says "not supported" and only the CPU times are reported): instruction
#    counts are independent of machine load.
# 2. Instructions executed inside memwatch's own functions (GC callbacks, drain: analyzer and
#    export) as a share of the whole run (valgrind --tool=callgrind): independent of machine load
#    and of V8's tiering luck, which moves whole-run instruction counts by +-8 %.
#
# With COMPARE=alloc, the runs compare GC sampling alone ("off") with GC sampling plus V8's
# sampling heap profiler (`--sample-allocations`, "on" = the default interval; with
# INTERVALS="32768 524288 ..." one mode "on@BYTES" per interval, all interleaved). With
# COMPARE=node, the same for the npm package under Node: plain Node ("node"), the package attached
# (bench/node-memwatch.cjs, "memwatch") and the package with `sampleAllocations: true` ("alloc",
# or "alloc@BYTES" per interval); the alloc modes are compared with "memwatch". Both costs are
# inside V8's allocation path, not in memwatch's functions, so instead of the callgrind part,
# whole-run instructions can also be counted with valgrind's cachegrind (no PMU needed; slow:
# INSTR_RUNS runs of each mode, CALLGRIND_ROUNDS rounds, default 0 = skip; INSTR_JOBS at a time).
# V8 runs those with --predictable --random-seed=1 (MEMWATCH_V8_FLAGS for `memwatch run`, flags
# of `node`; PREDICTABLE=0: without), so that one run of each mode is an exact count.
#
# Usage: [COMPARE=alloc|node] [INTERVALS="BYTES ..."] [INSTR_RUNS=0] [INSTR_JOBS=1] [PREDICTABLE=1]
#          scripts/bench-overhead.sh [RUNS] [ROUNDS] [CALLGRIND_ROUNDS]
#        (defaults: 15, 150, 40)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT"
command -v python3 >/dev/null || apt_install python3
command -v perf >/dev/null || apt_install linux-perf
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

# One alloc mode per interval (the default interval when INTERVALS is empty).
ALLOC_MODES=()
for iv in ${INTERVALS:-}; do
  [[ $iv =~ ^[1-9][0-9]*$ ]] || die "INTERVALS holds byte counts, not '$iv'"
  ALLOC_MODES+=("@$iv")
done
[[ ${#ALLOC_MODES[@]} -gt 0 ]] || ALLOC_MODES=("")
case "${COMPARE:-}" in
  "") MODES=(off on) ;;
  alloc) MODES=(off "${ALLOC_MODES[@]/#/on}") ;;
  node)
    MODES=(node memwatch "${ALLOC_MODES[@]/#/alloc}")
    command -v node >/dev/null || die "COMPARE=node needs node"
    scripts/build-wasm.sh
    ;;
  *) die "COMPARE must be empty, alloc or node, not '$COMPARE'" ;;
esac

# The command of one mode (run TAG), as an array in CMD.
mode_cmd() {
  local mode=$1 rounds=$2 out="$OUT/$1.$3.ndjson"
  local iv=${mode#*@}
  [[ $mode == *@* ]] || iv=""
  case "${COMPARE:-}:${mode%@*}" in
    :off) CMD=("$BIN" run bench/gc-heavy.js --no-sampling -- "$rounds") ;;
    :on) CMD=("$BIN" run bench/gc-heavy.js --out "$out" -- "$rounds") ;;
    alloc:off) CMD=("$BIN" run bench/gc-heavy.js --out "$out" -- "$rounds") ;;
    alloc:on) CMD=("$BIN" run bench/gc-heavy.js --out "$out" "--sample-allocations${iv:+=$iv}" -- "$rounds") ;;
    node:node) CMD=(node bench/gc-heavy.js "$rounds") ;;
    node:memwatch) CMD=(node -r ./bench/node-memwatch.cjs bench/gc-heavy.js "$rounds") ;;
    node:alloc) CMD=(node -r ./bench/node-memwatch.cjs bench/gc-heavy.js "$rounds") ;;
  esac
  # Set in the environment of the whole command (valgrind does not follow an `env` exec).
  # (1: the default interval, or the interval in bytes)
  if [[ ${mode%@*} == alloc && ${COMPARE:-} == node ]]; then export MEMWATCH_BENCH_SAMPLE_ALLOCATIONS=${iv:-1}
  else export MEMWATCH_BENCH_SAMPLE_ALLOCATIONS=0; fi
}

# Run i of each mode, the order rotated by i (a slow phase of the machine hits every mode alike).
rotated() {
  local i=$1 n=${#MODES[@]} k
  for ((k = 0; k < n; k++)); do echo "${MODES[(i + k) % n]}"; done
}

timed_runs() {
  log "interleaved runs: $RUNS x (${MODES[*]}), $GCS GCs per memwatch run; load: $(uptime | sed 's/.*load average: //')"
  TIMES="$OUT/times.txt"
  : >"$TIMES"
  : >"$OUT/counts.txt"
  for i in $(seq 1 "$RUNS"); do
    for mode in $(rotated "$i"); do
      mode_cmd "$mode" "$ROUNDS" "t$i"
      # perf stat's own CPU time (it waits for the child) is well under 1 ms.
      /usr/bin/time -f "$i $mode %e %U %S" -a -o "$TIMES" \
        perf stat -x, -o "$OUT/perf.txt" -e task-clock,instructions:u,cycles:u -- "${CMD[@]}" >/dev/null 2>&1
      # Counted values, or "-" when not supported (no PMU) or not counted.
      counts=$(awk -F, '$3 ~ /^(instructions|cycles):u$/ { v[$3] = ($1 ~ /^[0-9.]+$/) ? $1 : "-" }
        END { printf "%s %s", ("instructions:u" in v) ? v["instructions:u"] : "-", ("cycles:u" in v) ? v["cycles:u"] : "-" }' "$OUT/perf.txt")
      echo "$i $mode $counts" >>"$OUT/counts.txt"
    done
  done
  log "load after the runs: $(uptime | sed 's/.*load average: //')"
  python3 - "$TIMES" "$OUT/counts.txt" "$GCS" "${COMPARE:-}" "${MODES[@]}" <<'PY'
import statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) != 5:  # a failed run's extra line from /usr/bin/time
        continue
    i, mode, wall, user, sys_ = f
    runs.setdefault(int(i), {})[mode] = [float(wall), float(user) + float(sys_), None, None]
for line in open(sys.argv[2]):
    i, mode, instr, cycles = line.split()
    r = runs.get(int(i), {}).get(mode)
    if r is not None:
        r[2] = float(instr) if instr != "-" else None
        r[3] = float(cycles) if cycles != "-" else None
gcs = int(sys.argv[3])
compare = sys.argv[4]
modes = sys.argv[5:]
UNITS = {0: ("wall", "s"), 1: ("cpu", "s"), 2: ("instr", "M"), 3: ("cycles", "M")}
def report(base, mode, k):
    pairs = [r for r in runs.values() if base in r and mode in r and r[base][k] is not None and r[mode][k] is not None]
    name, unit = UNITS[k]
    if not pairs:
        return None
    scale = 1e-6 if unit == "M" else 1.0
    off = [p[base][k] * scale for p in pairs]
    on = [p[mode][k] * scale for p in pairs]
    d = [b - a for a, b in zip(off, on)]
    m_off, m_d = st.mean(off), st.mean(d)
    half = 2.0 * st.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float("nan")
    print(f"{name:6} {mode}/{base}: {base} mean {m_off:.4f} {unit} (range {min(off):.2f}-{max(off):.2f})  {mode} mean {st.mean(on):.4f} {unit}  "
          f"ratio {1 + m_d / m_off:.4f}  (95 % CI {1 + (m_d - half) / m_off:.3f} to {1 + (m_d + half) / m_off:.3f}; {len(d)} pairs)")
    return m_d
counted = any(m[2] is not None for r in runs.values() for m in r.values())
if not counted:
    print("perf stat: instructions:u / cycles:u not supported here (no PMU, e.g. a VM): CPU time only")
for mode in modes[1:]:
    # Node: the package attached is compared with plain Node, sampleAllocations with the package.
    base = modes[1] if compare == "node" and mode.startswith("alloc") else modes[0]
    report(base, mode, 0)
    d_cpu = report(base, mode, 1)
    report(base, mode, 2)
    report(base, mode, 3)
if compare == "" and d_cpu is not None:
    print(f"GCs per run: {gcs}; mean CPU difference per sampled GC: {d_cpu / max(gcs, 1) * 1e6:.1f} us (noise-dominated)")
PY
}
# RUNS=0: only the instruction counts below.
[[ $RUNS == 0 ]] || timed_runs

if [[ -n ${COMPARE:-} ]]; then
  [[ ${INSTR_RUNS:-0} -gt 0 ]] || exit 0
  command -v valgrind >/dev/null || apt_install valgrind
  # V8 made deterministic (no background threads, fixed seeds: the same command counts the same
  # instructions to a few ppm), unless PREDICTABLE=0; GC and compilation then run on the main
  # thread, which changes where the work is done, not how much of it there is.
  V8_FLAGS=""
  [[ ${PREDICTABLE:-1} == 0 ]] || V8_FLAGS="--predictable --random-seed=1"
  log "cachegrind: whole-run instructions, $INSTR_RUNS x (${MODES[*]}), $CG_ROUNDS rounds, V8 flags '$V8_FLAGS', ${INSTR_JOBS:-1} at a time"
  INSTR="$OUT/instr.txt"
  : >"$INSTR"
  n=0
  for i in $(seq 1 "$INSTR_RUNS"); do
    for mode in $(rotated "$i"); do
      mode_cmd "$mode" "$CG_ROUNDS" "i$i"
      if [[ ${CMD[0]} == node ]]; then
        # shellcheck disable=SC2206 # the flags are words
        CMD=(node $V8_FLAGS "${CMD[@]:1}")
      fi
      log="$OUT/cg.$i.$mode.log"
      (
        MEMWATCH_V8_FLAGS="$V8_FLAGS" valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
          --log-file="$log" "${CMD[@]}" >/dev/null 2>&1
        echo "$i $mode $(sed -n 's/.*I *refs: *//p' "$log" | tr -d ,)" >>"$INSTR"
      ) &
      # Counts do not depend on the load: INSTR_JOBS runs at a time.
      if (((n += 1) % ${INSTR_JOBS:-1} == 0)); then wait; fi
    done
  done
  wait
  python3 - "$INSTR" "${MODES[@]}" <<'PY'
import statistics as st, sys
by = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) != 3:
        sys.exit(f"a cachegrind run failed: {line!r}")
    by.setdefault(f[1], []).append(int(f[2]))
modes = sys.argv[2:]
base = st.mean(by[modes[0]])
for m in modes:
    v = by[m]
    print(f"instructions {m:8}: mean {st.mean(v) / 1e6:,.1f} M (range {min(v) / 1e6:,.1f}-{max(v) / 1e6:,.1f} M, {len(v)} runs)  "
          f"ratio to {modes[0]} {st.mean(v) / base:.4f}")
for m in modes[2:]:
    if m.startswith("alloc"):
        print(f"instructions {m}/{modes[1]}: {st.mean(by[m]) / st.mean(by[modes[1]]):.4f}")
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
