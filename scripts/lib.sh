# Shared by start.sh and test.sh: paths and the two builds both need.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
APP_BIN="$TARGET_DIR/debug/walletbook-app"
CLI_BIN="$TARGET_DIR/debug/walletbook"
# One feature set for every cargo invocation, so nothing builds twice.
APP_FEATURES=(--features walletbook-app/custom-protocol)

say() { printf '\033[1m%s:\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; }

if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

# The web UI, built into ui/dist (the app binary embeds it at compile time).
build_ui() {
  say "building the UI (ui/dist)"
  (cd "$ROOT/ui" && npm run --silent build)
}

# The desktop app with ui/dist embedded, the CLI, and (for tests) the fakes.
build_app() {
  say "building the app and the CLI"
  (cd "$ROOT" && cargo build -p walletbook-app -p walletbook-cli "$@" "${APP_FEATURES[@]}")
}
