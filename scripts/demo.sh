#!/usr/bin/env bash
# The main job: build memwatch and run the bundled leaking demo (writes memwatch-demo.ndjson).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MEMWATCH_ROOT"
log "building memwatch (release)"
cargo build --release -p memwatch-cli
log "running the demo"
exec target/release/memwatch demo "$@"
