#!/usr/bin/env bash
# Every test: Rust unit + integration tests (core, native CLI, V8 runtime), and the stages added
# by the wasm package, agreement and browser suites. Installs what it needs on a fresh machine.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT"

# Node runs the pkg, agreement and e2e suites, and the core/CLI tests that write real V8 snapshots
# (they fail without it).
command -v node >/dev/null 2>&1 || apt_install nodejs npm

log "style: cargo fmt --check and clippy -D warnings (whole workspace, all targets)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings

log "bench: typescript for the TypeScript-workload test (native/cli/tests/ts_two_holders.rs)"
(cd bench && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

log "cargo test (core, native)"
cargo test --workspace --exclude memwatch-wasm

log "fuzz: every cargo-fuzz target for 15 s (scripts/fuzz.sh; the build is cached in fuzz/target)"
./scripts/fuzz.sh 15

log "wasm: build memwatch-wasm for wasm32 and generate pkg/wasm (also proves memwatch-core builds for wasm32)"
./scripts/build-wasm.sh

log "pkg: npm package tests (node --test)"
(cd pkg && npm ci --no-audit --no-fund --loglevel=error && npm test)

log "memwatch library: no CLI dependencies in its build, its docs build, all features tested"
if cargo tree -p memwatch -e normal --all-features | grep -E 'clap|indicatif|httparse|hyper'; then
  echo "the memwatch library must not depend on the CLI's crates (above)" >&2
  exit 1
fi
cargo doc -p memwatch --no-deps --all-features
cargo test -p memwatch --all-features   # the opentelemetry exporter and every rustdoc example

log "metrics: a real Prometheus scrapes memwatch run --metrics and the npm package (prom-client)"
MEMWATCH_BIN="$MEMWATCH_ROOT/target/debug/memwatch" tests/metrics/run.sh

log "agreement: native CLI and wasm package give identical JSON"
MEMWATCH_BIN="$MEMWATCH_ROOT/target/debug/memwatch" node --test tests/agreement/

log "viewer: unit tests and end-to-end browser tests (playwright-core + Debian chromium)"
E2E_SKIP_BUILD=1 MEMWATCH_BIN="$MEMWATCH_ROOT/target/debug/memwatch" tests/e2e/run.sh
