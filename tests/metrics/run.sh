#!/usr/bin/env bash
# Metrics end to end (issue 18): a real Prometheus (Debian's package, installed when missing)
# scrapes `memwatch run --metrics` and the npm package's prom-client registry, and its HTTP API is
# checked. Needs pkg/wasm (scripts/build-wasm.sh) and pkg/node_modules (npm ci in pkg).
#   MEMWATCH_BIN=path   use this binary instead of building target/debug/memwatch
set -euo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
if [ -n "${MEMWATCH_BIN:-}" ]; then MEMWATCH_BIN="$(realpath "$MEMWATCH_BIN")"; export MEMWATCH_BIN; fi
cd "$MEMWATCH_ROOT"

command -v prometheus >/dev/null || apt_install prometheus
if [ -z "${MEMWATCH_BIN:-}" ]; then
  log "cargo build -p memwatch-cli"
  cargo build -p memwatch-cli
fi
[ -d pkg/node_modules/prom-client ] || (cd pkg && npm ci --no-audit --no-fund --loglevel=error)
[ -f pkg/wasm/node/memwatch_wasm.js ] || ./scripts/build-wasm.sh
log "metrics: Prometheus scrapes memwatch run --metrics and the npm package (prom-client)"
exec node --test --test-concurrency=1 --test-reporter=spec tests/metrics/
