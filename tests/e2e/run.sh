#!/usr/bin/env bash
# Run the e2e tests inside a private D-Bus session with an unlocked
# gnome-keyring (the real Secret Service the app stores credentials in).
#
#   tests/e2e/run.sh [TAP_FILE]
#
# Screenshots go to tests/e2e/output/. Needs the app and CLI built
# (scripts/test.sh does that) and the packages from scripts/setup.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TAP="${1:-$HERE/output/e2e.tap}"
mkdir -p "$HERE/output" "$(dirname "$TAP")"

# A throwaway keyring home, so the keyring's password is ours to choose.
KEYRING_HOME="$(mktemp -d -t walletbook-keyring-XXXXXX)"
trap 'rm -rf "$KEYRING_HOME"' EXIT
export XDG_DATA_HOME="$KEYRING_HOME/data"
export XDG_RUNTIME_DIR="$KEYRING_HOME/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export E2E_TAP="$TAP"

# The session bus's services (portals, a11y) are chatty on stderr: keep that
# in a log beside the screenshots. Test results go to stdout and the TAP file.
exec 3>&2
exec dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(printf "walletbook-e2e" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  cd "'"$HERE"'"
  node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$E2E_TAP" \
    ${E2E_FILES:-./*.test.mjs} 2>&3
' 2>"$HERE/output/session-stderr.log"
