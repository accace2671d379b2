#!/usr/bin/env bash
# wasm vs native parse + diff of one snapshot pair, alternating runs, CPU time (user+sys) and wall
# time per process (CPU time is the steadier figure on a shared machine).
#   pkg/bench/compare.sh BEFORE AFTER [RUNS=5]
# native: wasm/examples/native_parse_diff (the same core calls, 4 MiB chunks, compiled for the host)
# wasm:   pkg/bench/snapshot-diff.mjs (SnapshotParser.push of 4 MiB chunks + Snapshot.diff in Node)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BEFORE="$1" AFTER="$2" RUNS="${3:-5}"
cargo build --release -q -p memwatch-wasm --example native_parse_diff --manifest-path "$ROOT/Cargo.toml"
"$ROOT/scripts/build-wasm.sh" >/dev/null 2>&1
NATIVE="$ROOT/target/release/examples/native_parse_diff"
measure() { /usr/bin/time -f '%U %S %e %M' "$@" 2>&1 >/dev/null | tail -1; }
: >/tmp/memwatch-bench-native; : >/tmp/memwatch-bench-wasm
for ((i = 0; i < RUNS; i++)); do
  measure "$NATIVE" "$BEFORE" "$AFTER" 1 >>/tmp/memwatch-bench-native
  measure node "$ROOT/pkg/bench/snapshot-diff.mjs" "$BEFORE" "$AFTER" --runs 1 >>/tmp/memwatch-bench-wasm
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
summary() { # median CPU s, median wall s, max RSS MB
  echo "$(awk '{ print $1 + $2 }' "$1" | median) $(awk '{ print $3 }' "$1" | median)" \
    "$(awk '{ print $4 / 1024 }' "$1" | sort -n | tail -1)"
}
read -r ncpu nwall nrss < <(summary /tmp/memwatch-bench-native)
read -r wcpu wwall wrss < <(summary /tmp/memwatch-bench-wasm)
printf 'files: %s (%s MB) + %s (%s MB), %d runs each, alternating\n' "$BEFORE" $(($(stat -c %s "$BEFORE") / 1000000)) \
  "$AFTER" $(($(stat -c %s "$AFTER") / 1000000)) "$RUNS"
printf 'native: CPU %.2f s, wall %.2f s, peak RSS %.0f MB\n' "$ncpu" "$nwall" "$nrss"
printf 'wasm:   CPU %.2f s, wall %.2f s, peak RSS %.0f MB (Node process)\n' "$wcpu" "$wwall" "$wrss"
awk -v a="$wcpu" -v b="$ncpu" -v c="$wwall" -v d="$nwall" 'BEGIN { printf "wasm/native: CPU %.2fx, wall %.2fx\n", a / b, c / d }'
