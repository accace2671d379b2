#!/usr/bin/env bash
# Every test: Rust unit + integration tests (core, native CLI, V8 runtime), and the stages added
# by the wasm package, agreement and browser suites. Installs what it needs on a fresh machine.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT"

log "cargo test (core, native)"
cargo test --workspace --exclude memwatch-wasm
