# Sourced by the project's scripts: common environment for builds on a fresh or offline machine.
# shellcheck shell=bash

MEMWATCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MEMWATCH_ROOT

# The `v8` crate downloads a prebuilt static library unless RUSTY_V8_ARCHIVE names one (a file,
# or a directory holding it by its release file name). Offline machines keep it in ../shared/v8,
# next to the main checkout (a linked `git worktree` elsewhere finds it through the main one).
if [ -z "${RUSTY_V8_ARCHIVE:-}" ]; then
  for base in "$MEMWATCH_ROOT" "$(dirname "$(git -C "$MEMWATCH_ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo /nonexistent/.git)")"; do
    if [ -d "$base/../shared/v8" ]; then
      RUSTY_V8_ARCHIVE="$(realpath "$base/../shared/v8")"
      export RUSTY_V8_ARCHIVE
      break
    fi
  done
fi
if [ -n "${RUSTY_V8_ARCHIVE:-}" ] && [ -d "$RUSTY_V8_ARCHIVE" ] && [ -z "${RUSTY_V8_SRC_BINDING_PATH:-}" ]; then
  binding="$RUSTY_V8_ARCHIVE/src_binding_release_x86_64-unknown-linux-gnu.rs"
  if [ -f "$binding" ]; then
    export RUSTY_V8_SRC_BINDING_PATH="$binding"
  fi
fi

log() { printf '\n==> %s\n' "$*" >&2; }

# Runs apt-get install for the packages that are missing (root or sudo), after one update.
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing ${missing[*]} (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
