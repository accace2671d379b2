#!/usr/bin/env bash
# Builds what the viewer's end-to-end tests need (memwatch binary, wasm package, playwright-core,
# Debian's chromium) when missing, then runs them. Prints node:test's summary ("# pass N", "# fail N").
#   MEMWATCH_BIN=path   use this binary instead of building target/debug/memwatch
#   E2E_SKIP_BUILD=1    do not run cargo / build-wasm (CI stages that already built them)
set -euo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
# A relative MEMWATCH_BIN means relative to where the script was started.
if [ -n "${MEMWATCH_BIN:-}" ]; then MEMWATCH_BIN="$(realpath "$MEMWATCH_BIN")"; export MEMWATCH_BIN; fi
cd "$MEMWATCH_ROOT"

if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  if [ -z "${MEMWATCH_BIN:-}" ]; then
    log "cargo build -p memwatch-cli"
    cargo build -p memwatch-cli
    export MEMWATCH_BIN="$MEMWATCH_ROOT/target/debug/memwatch"
  fi
  log "wasm package (scripts/build-wasm.sh)"
  scripts/build-wasm.sh
fi
[ -x /usr/bin/chromium ] || apt_install chromium
if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  log "npm ci (playwright-core only; no browser download)"
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
log "viewer end-to-end tests (screenshots in tests/out/)"
cd tests/e2e
exec node --test --test-concurrency=1 --test-reporter=spec units.test.mjs viewer.test.mjs retainers.test.mjs \
  fixes.test.mjs readability.test.mjs suspects.test.mjs npm-bin.test.mjs allocations.test.mjs
