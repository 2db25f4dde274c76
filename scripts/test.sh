#!/usr/bin/env bash
# Run every test Walletbook has, and end with one line: "N passed, N failed".
#
#   ./scripts/test.sh
#
# Suites: Rust (cargo nextest, all crates), generated TypeScript bindings up
# to date, UI unit tests (Vitest + jsdom + mocked IPC), svelte-check, and the
# end-to-end tests of the real app under Xvfb (tauri-driver + WebKitWebDriver,
# real Secret Service from gnome-keyring-daemon in a private D-Bus session).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

LOGS="$ROOT/.tmp/test-logs"
mkdir -p "$LOGS"
PASSED=0
FAILED=0
SUITES=()

count() { # suite passed failed
  PASSED=$((PASSED + $2))
  FAILED=$((FAILED + $3))
  SUITES+=("$(printf '%-22s %5s passed %5s failed' "$1" "$2" "$3")")
}

finish() {
  echo
  say "suites"
  for s in "${SUITES[@]}"; do echo "  $s"; done
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit $?
}

if ! "$ROOT/scripts/setup.sh" </dev/null; then
  say "setup failed: nothing was tested"
  count setup 0 1
  finish
fi

if ! build_ui </dev/null; then
  count "ui build" 0 1
fi

# 1. Rust: every crate, the app shell included (with ui/dist embedded, the
#    same build the e2e tests run). ts-rs writes the bindings as a side effect.
say "Rust tests (cargo nextest)"
rm -f "$ROOT"/ui/src/lib/bindings/*.ts
cargo nextest run --workspace "${APP_FEATURES[@]}" --no-fail-fast --color never </dev/null 2>&1 | tee "$LOGS/nextest.log"
summary="$(grep -E '^ *Summary \[' "$LOGS/nextest.log" | tail -1)"
if [ -n "$summary" ]; then
  p="$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)"
  f=0
  for n in $(grep -oE '[0-9]+ (failed|timed out)' <<<"$summary" | awk '{print $1}'); do f=$((f + n)); done
  count "rust (nextest)" "${p:-0}" "${f:-0}"
else
  say "nextest did not run (build failure?): see $LOGS/nextest.log"
  count "rust (nextest)" 0 1
fi

# 2. The committed TypeScript bindings are exactly what ts-rs generates.
if [ -z "$(git status --porcelain -- ui/src/lib/bindings)" ]; then
  count "ts bindings" 1 0
else
  say "ui/src/lib/bindings is out of date: commit what 'cargo test' generated"
  git status --short -- ui/src/lib/bindings
  count "ts bindings" 0 1
fi

# 3. UI unit tests with the IPC mocked.
say "UI unit tests (vitest)"
rm -f "$LOGS/vitest.json"
(cd ui && npx vitest run --reporter=default --reporter=json --outputFile.json="$LOGS/vitest.json" </dev/null)
if [ -f "$LOGS/vitest.json" ]; then
  read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests,r.numFailedTests+(r.numRuntimeErrorTestSuites||0))' "$LOGS/vitest.json")
  count "ui (vitest)" "$p" "$f"
else
  count "ui (vitest)" 0 1
fi

# 4. Type-check the UI (Svelte components and TypeScript).
say "svelte-check"
if (cd ui && npm run --silent check </dev/null); then count "svelte-check" 1 0; else count "svelte-check" 0 1; fi

# 5. End-to-end: the real app in a real window.
say "end-to-end tests (Xvfb + tauri-driver)"
if build_app -p walletbook-fakes -p walletbook-bench </dev/null; then
  rm -f "$LOGS/e2e.tap"
  "$ROOT/tests/e2e/run.sh" "$LOGS/e2e.tap" </dev/null
  if [ -f "$LOGS/e2e.tap" ] && grep -qE '^# (pass|fail) ' "$LOGS/e2e.tap"; then
    p="$(grep -E '^# pass ' "$LOGS/e2e.tap" | tail -1 | awk '{print $3}')"
    f="$(grep -E '^# fail ' "$LOGS/e2e.tap" | tail -1 | awk '{print $3}')"
    count "e2e (tauri-driver)" "${p:-0}" "${f:-0}"
  else
    count "e2e (tauri-driver)" 0 1
  fi
else
  count "e2e (app build)" 0 1
fi

finish
