#!/usr/bin/env bash
# Install what Walletbook needs to build, run and test, on Debian/Ubuntu.
# Idempotent: every step is skipped when its result is already there.
# Never prompts (DEBIAN_FRONTEND=noninteractive, npm ci, cargo --locked).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

# The Tauri bundler (crates.io tauri-cli, 2.x line); scripts/package.sh reads this line.
TAURI_CLI_VERSION=2.12.4

APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential pkg-config
  xvfb xauth webkit2gtk-driver xdotool imagemagick chromium
  gnome-keyring dbus dbus-x11 libsecret-1-dev
  fonts-noto-color-emoji
  libreoffice-calc-nogui poppler-utils
  postgresql
  ca-certificates
  rpm
)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@" 2>/dev/null || sudo "$@"; fi
}

install_apt() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "not a Debian/Ubuntu system: install the equivalents of ${APT_PACKAGES[*]} yourself"
    return 0
  fi
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "system packages: all present"
    return 0
  fi
  say "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=600
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}"
}

install_rust() {
  if [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    say "cargo not found: install Rust >= 1.94 with rustup, then run this again"
    exit 1
  fi
}

install_cargo_tools() {
  if ! command -v tauri-driver >/dev/null 2>&1; then
    say "installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked
  fi
  if [ "$(cargo tauri --version 2>/dev/null | awk '{print $2}')" != "$TAURI_CLI_VERSION" ]; then
    say "installing the Tauri bundler (tauri-cli $TAURI_CLI_VERSION; compiles for a while)"
    cargo install tauri-cli --version "$TAURI_CLI_VERSION" --locked
  fi
  if ! command -v cargo-nextest >/dev/null 2>&1; then
    say "installing cargo-nextest"
    cargo install cargo-nextest --locked
  fi
}

install_node() {
  if ! command -v npm >/dev/null 2>&1; then
    say "installing Node.js and npm"
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 nodejs npm
  fi
}

install_npm_deps() {
  local dir
  for dir in ui tests/e2e; do
    [ -f "$dir/package.json" ] || continue
    # Reinstall only when the lockfile changed since the last install.
    local stamp="$dir/node_modules/.walletbook-lock"
    if [ -f "$dir/package-lock.json" ] && [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
      say "npm dependencies in $dir: up to date"
      continue
    fi
    say "installing npm dependencies in $dir"
    if [ -f "$dir/package-lock.json" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$dir/package-lock.json" "$stamp"
    else
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
  done
}

install_apt
install_rust
install_node
install_cargo_tools
install_npm_deps
say "done"
