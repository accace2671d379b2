#!/usr/bin/env bash
# Build memwatch-wasm for wasm32-unknown-unknown (release) and generate the JS glue into pkg/:
#   pkg/wasm/node/  wasm-bindgen --target nodejs  (CommonJS, instantiates synchronously on require())
#   pkg/wasm/web/   wasm-bindgen --target web     (ES module, `await init()`; browsers, bundlers, the viewer)
# Of these only the TypeScript declarations (memwatch_wasm.d.ts, generated from the Rust types)
# are committed; after changing a type, run this and commit them (docs/bindings.md).
#
# Usage: scripts/build-wasm.sh [--check-core]
#   --check-core   only prove that memwatch-core builds for wasm32 (used by CI for the core issue).
# Environment:
#   MEMWATCH_WASM_TOOLCHAIN=rustup|debian   force a toolchain (default: rustup if it has or can add
#                                           the wasm32 target, else Debian's rustc-web + -Zbuild-std).
#   MEMWATCH_WASM_OPT=0                     skip wasm-opt even when pkg/node_modules has binaryen.
#
# Idempotent: installs only what is missing (apt packages, wasm-bindgen CLI) and relies on cargo's
# incremental builds, so a second run with nothing changed takes a couple of seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET=wasm32-unknown-unknown
CHECK_CORE=0
[[ "${1:-}" == "--check-core" ]] && CHECK_CORE=1

log() { echo "build-wasm: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Size without costing speed: keep opt-level 3 (the parser/diff are the hot paths), but fat LTO,
# one codegen unit, panic=abort (no unwinding tables) and no debug info. Set through cargo's env
# overrides so the workspace's native release profile is untouched; each toolchain uses its own
# target dir so the two never invalidate each other's artifacts.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=3
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP=debuginfo
# 128-bit SIMD (Node >= 16.4, Chrome 91, Firefox 89, Safari 16.4): LLVM vectorises the parser's
# byte scanning with it; measured ~15% less CPU for parse + diff (docs/benchmarks-wasm.md).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} -C target-feature=+simd128"

DEBIAN_RUSTC=/usr/bin/rustc
DEBIAN_CARGO=/usr/bin/cargo
DEBIAN_WASM_LD=/usr/lib/llvm-22/bin/wasm-ld

rustup_has_target() {
  command -v rustup >/dev/null 2>&1 || return 1
  rustup target list --installed 2>/dev/null | grep -qx "$TARGET" && return 0
  log "adding $TARGET with rustup"
  rustup target add "$TARGET" >&2 2>/dev/null
}

# Debian bookworm's backported rustc-web ships no prebuilt wasm32 std, so std is rebuilt from
# rust-web-src with -Zbuild-std (RUSTC_BOOTSTRAP unlocks the unstable flag on a stable compiler).
ensure_debian_toolchain() {
  local missing=()
  [[ -x $DEBIAN_RUSTC ]] && dpkg -s rustc-web >/dev/null 2>&1 || missing+=(rustc-web)
  [[ -x $DEBIAN_CARGO ]] && dpkg -s cargo-web >/dev/null 2>&1 || missing+=(cargo-web)
  dpkg -s rust-web-src >/dev/null 2>&1 || missing+=(rust-web-src)
  [[ -x $DEBIAN_WASM_LD ]] || missing+=(lld-22)
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    apt-get update >&2 && apt-get install -y "${missing[@]}" >&2
  fi
  [[ -d "$("$DEBIAN_RUSTC" --print sysroot)/lib/rustlib/src/rust/library" ]] ||
    die "rust-web-src is installed but $("$DEBIAN_RUSTC" --print sysroot)/lib/rustlib/src/rust/library is missing"
}

TOOLCHAIN="${MEMWATCH_WASM_TOOLCHAIN:-}"
if [[ -z "$TOOLCHAIN" ]]; then
  if rustup_has_target; then TOOLCHAIN=rustup; else TOOLCHAIN=debian; fi
fi

case "$TOOLCHAIN" in
  rustup)
    CARGO=(cargo)
    TARGET_DIR="$ROOT/target/wasm"
    ;;
  debian)
    ensure_debian_toolchain
    export RUSTC_BOOTSTRAP=1 RUSTC="$DEBIAN_RUSTC"
    CARGO=("$DEBIAN_CARGO" -Zbuild-std=std,panic_abort
      --config "target.$TARGET.linker=\"$DEBIAN_WASM_LD\"")
    TARGET_DIR="$ROOT/target/wasm-debian"
    ;;
  *) die "MEMWATCH_WASM_TOOLCHAIN must be rustup or debian, not '$TOOLCHAIN'" ;;
esac
log "toolchain: $TOOLCHAIN ($("${CARGO[0]}" --version))"

build() { "${CARGO[@]}" build --release --target "$TARGET" --target-dir "$TARGET_DIR" "$@"; }

if ((CHECK_CORE)); then
  build -p memwatch-core
  log "memwatch-core builds for $TARGET"
  exit 0
fi

# memwatch-wasm depends on memwatch-core, so this also proves the core builds for wasm32.
build -p memwatch-wasm
WASM="$TARGET_DIR/$TARGET/release/memwatch_wasm.wasm"
[[ -f "$WASM" ]] || die "cargo finished but $WASM is missing"

# The CLI must match the wasm-bindgen crate version exactly (its schema check rejects others).
WBG_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$WBG_VERSION" ]] || die "wasm-bindgen not found in Cargo.lock"
WBG="$(command -v wasm-bindgen || true)"
[[ -z "$WBG" && -x "$HOME/.cargo/bin/wasm-bindgen" ]] && WBG="$HOME/.cargo/bin/wasm-bindgen"
if [[ -z "$WBG" ]] || [[ "$("$WBG" --version)" != "wasm-bindgen $WBG_VERSION" ]]; then
  log "installing wasm-bindgen-cli $WBG_VERSION"
  if [[ "$TOOLCHAIN" == debian ]]; then
    (unset RUSTC_BOOTSTRAP; "$DEBIAN_CARGO" install wasm-bindgen-cli --version "=$WBG_VERSION") >&2
  else
    cargo install wasm-bindgen-cli --version "=$WBG_VERSION" >&2
  fi
  WBG="$HOME/.cargo/bin/wasm-bindgen"
fi

# Regenerate only when the module changed (keeps the test command fast).
STAMP="$ROOT/pkg/wasm/.stamp"
WASM_OPT="$ROOT/pkg/node_modules/.bin/wasm-opt"
[[ "${MEMWATCH_WASM_OPT:-1}" != 0 && -x "$WASM_OPT" ]] || WASM_OPT=""
STAMP_TEXT="wasm-bindgen $WBG_VERSION, $TOOLCHAIN, wasm-opt ${WASM_OPT:+yes (no-inline sliced)}"
if [[ -f "$STAMP" && "$STAMP" -nt "$WASM" && "$(cat "$STAMP")" == "$STAMP_TEXT" ]]; then
  log "pkg/wasm is up to date"
  exit 0
fi
rm -rf "$ROOT/pkg/wasm"
"$WBG" --target nodejs --out-dir "$ROOT/pkg/wasm/node" "$WASM"
"$WBG" --target web --out-dir "$ROOT/pkg/wasm/web" "$WASM"
# The two .d.ts files are generated from the Rust types (tsify) and committed: fix their order so
# their text depends on the types only (pkg/test/generated.test.js fails when they drift).
command -v node >/dev/null 2>&1 || die "node is needed to normalise the generated .d.ts files"
node "$ROOT/scripts/normalize-dts.mjs" "$ROOT"/pkg/wasm/{node,web}/memwatch_wasm.d.ts

# Optional: binaryen's wasm-opt (npm package `binaryen`, a devDependency of pkg/) makes the module
# ~20% smaller; the build is complete without it. `--no-inline` keeps the retainer analysis's
# slice functions (core/src/retainers/sliced.rs) separate: inlined back into their single caller
# they would run in V8's baseline compiler for the whole analysis (1.4x slower).
if [[ -n "$WASM_OPT" ]]; then
  for f in "$ROOT"/pkg/wasm/{node,web}/memwatch_wasm_bg.wasm; do
    "$WASM_OPT" --no-inline='*sliced*' -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd "$f" -o "$f.opt" && mv "$f.opt" "$f"
  done
fi
echo "$STAMP_TEXT" >"$STAMP"
log "wrote pkg/wasm/{node,web} ($(stat -c %s "$ROOT/pkg/wasm/node/memwatch_wasm_bg.wasm") bytes of wasm)"
