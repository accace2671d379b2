#!/usr/bin/env bash
# Benchmark of the streaming heap-snapshot parser and HeapDiff: `memwatch diff` on a generated
# pair of real Node snapshots (default about 130 MB each), with parse/diff wall and CPU times
# (from `memwatch diff --timings`) and peak RSS (from GNU time).
#
#   scripts/bench-parse.sh [SIZE_MB] [DIR] [RUNS]
#
# Snapshots are generated once by scripts/gen-snapshot.js into DIR (default
# /work/data/memwatch-bench, outside git) and reused. Needs node, cargo, GNU time
# (Debian package `time`) and RUSTY_V8_ARCHIVE for the native build (see README).
set -euo pipefail

SIZE_MB=${1:-130}
DIR=${2:-/work/data/memwatch-bench}
RUNS=${3:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -x /usr/bin/time ]; then
  echo "bench-parse: GNU time is needed for peak RSS: apt-get install -y time" >&2
  exit 2
fi
if [ -z "${RUSTY_V8_ARCHIVE:-}" ] && [ -d "$ROOT/../shared/v8" ]; then
  export RUSTY_V8_ARCHIVE
  RUSTY_V8_ARCHIVE=$(cd "$ROOT/../shared/v8" && pwd)
fi

if [ ! -s "$DIR/before.heapsnapshot" ] || [ ! -s "$DIR/after.heapsnapshot" ]; then
  echo "== generating a ~${SIZE_MB} MB snapshot pair in $DIR"
  node --max-old-space-size=8192 "$ROOT/scripts/gen-snapshot.js" --size-mb "$SIZE_MB" --out "$DIR"
fi

echo "== building memwatch (release)"
(cd "$ROOT" && cargo build -q -p memwatch-cli --release)
BIN="$ROOT/target/release/memwatch"

B="$DIR/before.heapsnapshot"
A="$DIR/after.heapsnapshot"
SIZE_B=$(stat -c %s "$B")
SIZE_A=$(stat -c %s "$A")
LARGER=$(( SIZE_A > SIZE_B ? SIZE_A : SIZE_B ))

echo "== machine"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: before $SIZE_B bytes, after $SIZE_A bytes"
echo "command: $BIN diff $B $A --json --timings"

for run in $(seq 1 "$RUNS"); do
  echo "== run $run"
  /usr/bin/time -f "total: wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
    "$BIN" diff "$B" "$A" --json --timings > /tmp/bench-parse-diff.json 2> /tmp/bench-parse-err.txt || {
    cat /tmp/bench-parse-err.txt >&2
    exit 1
  }
  cat /tmp/bench-parse-err.txt
  RSS_KB=$(sed -n 's/.*peak RSS \([0-9]*\) KiB.*/\1/p' /tmp/bench-parse-err.txt)
  awk -v rss="$RSS_KB" -v larger="$LARGER" \
    'BEGIN { printf "peak RSS / larger file: %.2f\n", rss * 1024 / larger }'
done
echo "== diff summary (last run)"
head -c 300 /tmp/bench-parse-diff.json
echo
