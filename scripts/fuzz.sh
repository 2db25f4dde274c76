#!/usr/bin/env bash
# Fuzz every parser that reads outside input (cargo-fuzz, libFuzzer, nightly).
#
#   ./scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Defaults: 600 s per target, every target in fuzz/Cargo.toml. Installs
# cargo-fuzz when missing, seeds fuzz/corpus/<target>/ from the test
# fixtures and the fake providers' answers, runs the targets one at a time
# (niced), and ends with one line per target: executions and crashes.
# A crash leaves its input in fuzz/artifacts/<target>/; replay it with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/crash-...
# and turn it into a regression test before fixing it.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

SECONDS_PER_TARGET="${1:-600}"
shift || true
if [ "$#" -gt 0 ]; then
  TARGETS=("$@")
else
  mapfile -t TARGETS < <(grep -A1 '^\[\[bin\]\]' fuzz/Cargo.toml | sed -n 's/^name = "\(.*\)"/\1/p')
fi

if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain (cargo fuzz needs it)"
  rustup toolchain install nightly --profile minimal || exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz --locked || exit 1
fi

# Seeds: the ledger fixtures of the tests, the fakes' answers, and a few
# hand-written amounts and connections files (fuzz/seeds/).
say "seeding fuzz/corpus"
mkdir -p fuzz/corpus
for t in "${TARGETS[@]}"; do mkdir -p "fuzz/corpus/$t"; done
for f in crates/sync/tests/fixtures/*.csv; do
  printf '\x00' | cat - "$f" >"fuzz/corpus/ledger_csv/$(basename "$f")"
  cp "$f" "fuzz/corpus/spaaza/$(basename "$f")"
done
for f in crates/sync/tests/fixtures/*.json; do
  printf '\x00' | cat - "$f" >"fuzz/corpus/ledger_json/$(basename "$f")"
  cp "$f" "fuzz/corpus/spaaza/$(basename "$f")"
done
cp -r fuzz/seeds/. fuzz/corpus/
cargo run --quiet -p walletbook-fakes --example fuzz_seeds -- fuzz/corpus </dev/null || say "the fakes' seeds could not be written; fuzzing from the fixtures only"
for t in ledger_csv ledger_json; do
  # The first byte of a ledger input chooses the parse options.
  for f in fuzz/corpus/"$t"/fake-export.*; do
    [ -f "$f" ] && { printf '\x00' | cat - "$f" >"$f.tmp" && mv "$f.tmp" "$f"; }
  done
done

LOGS="$ROOT/.tmp/fuzz-logs"
mkdir -p "$LOGS"
RESULTS=()
for t in "${TARGETS[@]}"; do
  say "fuzzing $t for ${SECONDS_PER_TARGET} s"
  log="$LOGS/$t.log"
  (cd fuzz && nice -n 10 cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1) >"$log" 2>&1
  rc=$?
  # -a: libFuzzer's dictionary lines in the log hold raw bytes.
  execs="$(grep -aoE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -1)"
  crashes="$(grep -ac 'Test unit written to' "$log" || true)"
  RESULTS+=("$(printf '%-18s %6s s %12s executions %3s crashes (exit %s)' "$t" "$SECONDS_PER_TARGET" "${execs:-?}" "${crashes:-0}" "$rc")")
done
echo
for r in "${RESULTS[@]}"; do echo "$r"; done
