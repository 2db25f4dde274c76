#!/usr/bin/env bash
# Install what is missing, build, and open Walletbook on the demo workspace.
#
#   ./scripts/start.sh [--db PATH]
#
# The cache is PATH, else $WALLETBOOK_DB, else the OS app-data directory.
# When that cache holds no wallets, `walletbook demo` fills it first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${WALLETBOOK_DB:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --db) DB="$2"; shift 2 ;;
    --db=*) DB="${1#--db=}"; shift ;;
    *) echo "usage: $0 [--db PATH]" >&2; exit 2 ;;
  esac
done

"$ROOT/scripts/setup.sh"
build_ui
build_app

DB_ARGS=()
[ -n "$DB" ] && DB_ARGS=(--db "$DB")
wallet_count() { "$CLI_BIN" "${DB_ARGS[@]}" wallets --json | grep -c '"provider_wallet_id"' || true; }
if [ "$(wallet_count)" = "0" ]; then
  say "the cache has no wallets: loading the demo workspace"
  "$CLI_BIN" "${DB_ARGS[@]}" demo
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  say "no display (DISPLAY is not set): the app needs a desktop session, or run it under xvfb-run"
  exit 1
fi
say "starting Walletbook"
exec "$APP_BIN" "${DB_ARGS[@]}"
