#!/usr/bin/env bash
# Build Walletbook's Linux packages: a .deb and an .rpm under
# target/release/bundle/, each with the app (walletbook-app, desktop entry,
# icons), the walletbook CLI at /usr/bin/walletbook and the licence.
#
#   ./scripts/package.sh          # build the UI, one release build, then bundle
#   ./scripts/package.sh icons    # regenerate src-tauri/icons from icons/walletbook.svg
#
# No network is needed: the .deb and .rpm bundlers are built into the Tauri
# CLI. The AppImage (which downloads its tools) is built only by
# .github/workflows/release.yml. Needs the Tauri CLI from crates.io, installed
# by scripts/setup.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

TAURI_CLI_VERSION="$(sed -n 's/^TAURI_CLI_VERSION=//p' "$ROOT/scripts/setup.sh")"
INSTALL_HINT="cargo install tauri-cli --version $TAURI_CLI_VERSION --locked"

# The Tauri CLI (`cargo tauri`), or one sentence that says how to get it.
require_bundler() {
  if ! cargo tauri --version >/dev/null 2>&1; then
    say "the Tauri bundler (cargo tauri) is not installed: run '$INSTALL_HINT' (or ./scripts/setup.sh), then run this again"
    exit 2
  fi
  local have
  have="$(cargo tauri --version 2>/dev/null | awk '{print $2}')"
  if [ "$have" != "$TAURI_CLI_VERSION" ]; then
    say "note: tauri-cli $have is installed, this project pins $TAURI_CLI_VERSION ('$INSTALL_HINT')"
  fi
}

# The CLI reads ../tauri.conf.json through the src-tauri symlink and runs the
# UI's npm scripts from ui/ (see /work notes: the config lives at the top).
tauri() {
  (cd "$ROOT/ui" && CI=true TAURI_APP_PATH=../src-tauri TAURI_FRONTEND_PATH=. cargo tauri "$@")
}

make_icons() {
  require_bundler
  say "generating every icon size and format from icons/walletbook.svg"
  tauri icon "$ROOT/icons/walletbook.svg" --output "$ROOT/src-tauri/icons"
  # Linux desktops pick from these sizes (hicolor theme); the bundle lists them.
  tauri icon "$ROOT/icons/walletbook.svg" --output "$ROOT/src-tauri/icons" --png 16,24,48,64,256,512
  # Mobile icons are not shipped.
  rm -rf "$ROOT/src-tauri/icons/android" "$ROOT/src-tauri/icons/ios"
}

make_packages() {
  require_bundler
  build_ui
  say "release build of the app (ui/dist embedded) and the CLI"
  cargo build --release --locked -p walletbook-app -p walletbook-cli "${APP_FEATURES[@]}"
  local out="$TARGET_DIR/release/bundle"
  rm -rf "$out/deb" "$out/rpm"
  say "bundling .deb and .rpm"
  tauri bundle --bundles deb,rpm --features custom-protocol
  local found=0 f name
  for f in "$out"/deb/*.deb "$out"/rpm/*.rpm; do
    [ -f "$f" ] || continue
    # Named as the package is (walletbook_0.1.0_amd64.deb), not as the product.
    name="$(basename "$f" | tr '[:upper:]' '[:lower:]')"
    [ "$name" = "$(basename "$f")" ] || mv "$f" "$(dirname "$f")/$name"
    found=$((found + 1))
    printf '%s  %s\n' "$(du -h "$(dirname "$f")/$name" | cut -f1)" "$(dirname "$f")/$name"
  done
  if [ "$found" -lt 2 ]; then
    say "the bundler finished but $out has no .deb and .rpm: see the output above"
    exit 1
  fi
}

case "${1:-}" in
  "") make_packages ;;
  icons) make_icons ;;
  *)
    say "unknown argument '$1': run ./scripts/package.sh (packages) or ./scripts/package.sh icons"
    exit 2
    ;;
esac
