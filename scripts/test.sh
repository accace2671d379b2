#!/usr/bin/env bash
# Every test: Rust unit + integration tests (core, native CLI, V8 runtime), and the stages added
# by the wasm package, agreement and browser suites. Installs what it needs on a fresh machine.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT"

log "cargo test (core, native)"
cargo test --workspace --exclude memwatch-wasm

log "fuzz: every cargo-fuzz target for 15 s (scripts/fuzz.sh; the build is cached in fuzz/target)"
./scripts/fuzz.sh 15

log "wasm: build memwatch-wasm for wasm32 and generate pkg/wasm (also proves memwatch-core builds for wasm32)"
./scripts/build-wasm.sh

log "pkg: npm package tests (node --test)"
(cd pkg && npm ci --no-audit --no-fund --loglevel=error && npm test)

log "agreement: native CLI and wasm package give identical JSON"
MEMWATCH_BIN="$MEMWATCH_ROOT/target/debug/memwatch" node --test tests/agreement/

log "viewer: unit tests and end-to-end browser tests (playwright-core + Debian chromium)"
E2E_SKIP_BUILD=1 MEMWATCH_BIN="$MEMWATCH_ROOT/target/debug/memwatch" tests/e2e/run.sh
