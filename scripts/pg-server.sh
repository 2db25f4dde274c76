#!/usr/bin/env bash
# A private, throwaway PostgreSQL server for Walletbook's tests: `initdb` in a
# temporary folder, `pg_ctl` on a free port on 127.0.0.1, its socket in that
# folder, trust authentication, no fsync. Nothing outside the folder is used.
#
#   source scripts/pg-server.sh start   # start, export WALLETBOOK_TEST_PG, stop when this shell exits
#   source scripts/pg-server.sh stop    # stop it now and delete its folder
#   source scripts/pg-server.sh         # only define pg_server_start / pg_server_stop
#
#   scripts/pg-server.sh start          # start; print `export ...` lines (eval them); stays up
#   scripts/pg-server.sh env            # print the `export ...` lines of the server started last
#   scripts/pg-server.sh stop [DIR]     # stop that server (default: the one started last)
#   scripts/pg-server.sh run CMD...     # run CMD with a server, stopped afterwards
#
# WALLETBOOK_TEST_PG=postgres://postgres@127.0.0.1:PORT/postgres is a
# superuser URL: tests create one database per test there (crates/testpg).
# WALLETBOOK_TEST_PG_DIR is the server's folder (data/, log, socket).
# As root the server runs as the `postgres` OS user (initdb refuses root).
# The binaries: WALLETBOOK_PG_BIN, else the highest /usr/lib/postgresql/*/bin
# (Debian's `postgresql` package, installed by scripts/setup.sh), else PATH.
# shellcheck shell=bash

# Where `scripts/pg-server.sh start` notes the folder of the server it started.
_PG_LAST="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tmp/pg-server.last"

_pg_say() { printf '\033[1mpg-server:\033[0m %s\n' "$*" >&2; }

# The folder holding initdb and pg_ctl, or one sentence and failure.
_pg_bin() {
  if [ -n "${WALLETBOOK_PG_BIN:-}" ]; then
    [ -x "$WALLETBOOK_PG_BIN/initdb" ] && { echo "$WALLETBOOK_PG_BIN"; return 0; }
    _pg_say "WALLETBOOK_PG_BIN=$WALLETBOOK_PG_BIN has no initdb: point it at PostgreSQL's bin folder"
    return 1
  fi
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  _pg_say "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH): run scripts/setup.sh, which installs Debian's postgresql package"
  return 1
}

# Run a server program as the server's OS user: `postgres` when we are root.
_pg_as() {
  if [ "$(id -u)" -eq 0 ]; then
    # shellcheck disable=SC2016 # su's shell expands "$0" "$@", not this one
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c '"$0" "$@"' -- "$@"; fi
  else
    "$@"
  fi
}

_pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 40000))
}

# Is the server in folder $1 running?
_pg_alive() {
  [ -n "$1" ] && [ -f "$1/data/postmaster.pid" ] && [ -f "$1/port" ] &&
    _pg_as "$(_pg_bin 2>/dev/null || echo /nonexistent)/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

# Start a server; on success set WALLETBOOK_TEST_PG and WALLETBOOK_TEST_PG_DIR
# (not exported yet). One sentence on failure, with the log's path.
_pg_start() {
  local bin dir port attempt
  bin="$(_pg_bin)" || return 1
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    _pg_say "initdb refuses to run as root and there is no 'postgres' OS user: install Debian's postgresql package (scripts/setup.sh) or run as a normal user"
    return 1
  fi
  # A short path: the socket's full path must stay under 107 bytes.
  dir="$(mktemp -d /tmp/walletbook-pg.XXXXXX)" || { _pg_say "cannot create a temporary folder in /tmp"; return 1; }
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  if ! _pg_as "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
    _pg_say "initdb failed in $dir: see $dir/initdb.log"
    return 1
  fi
  for attempt in 1 2 3; do
    port="$(_pg_free_port)"
    # Another process may take the port between the probe and the bind: retry.
    if _pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >"$dir/pg_ctl.log" 2>&1; then
      echo "$port" >"$dir/port"
      WALLETBOOK_TEST_PG="postgres://postgres@127.0.0.1:$port/postgres"
      WALLETBOOK_TEST_PG_DIR="$dir"
      return 0
    fi
    grep -q 'could not bind\|already in use' "$dir/log" 2>/dev/null || break
    _pg_say "port $port was taken (attempt $attempt): trying another"
  done
  # pg_ctl -w may give up while the server still comes up: leave nothing running.
  _pg_as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
  _pg_say "the PostgreSQL server in $dir did not start: see $dir/log and $dir/pg_ctl.log"
  return 1
}

# Stop the server in folder $1 and delete the folder. Safe to call twice.
_pg_stop_dir() {
  local dir="$1" bin
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ] && bin="$(_pg_bin 2>/dev/null)"; then
    # The folder is deleted next, so nothing needs a clean shutdown checkpoint.
    _pg_as "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
      _pg_say "pg_ctl could not stop the server in $dir (deleting the folder anyway)"
  fi
  rm -rf "$dir"
}

_pg_exports() {
  printf 'export WALLETBOOK_TEST_PG=%q\nexport WALLETBOOK_TEST_PG_DIR=%q\n' "$WALLETBOOK_TEST_PG" "$WALLETBOOK_TEST_PG_DIR"
}

# `trap -p EXIT` prints: trap -- 'COMMAND' EXIT
_pg_third_word() { printf '%s' "$3"; }

# For a shell that sourced this file: start (or keep) a server, export its
# URL, and stop it when the shell exits, however it exits.
pg_server_start() {
  if _pg_alive "${WALLETBOOK_TEST_PG_DIR:-}" && [ -n "${WALLETBOOK_TEST_PG:-}" ]; then
    export WALLETBOOK_TEST_PG WALLETBOOK_TEST_PG_DIR
    return 0
  fi
  local t0=$SECONDS
  _pg_start || return 1
  export WALLETBOOK_TEST_PG WALLETBOOK_TEST_PG_DIR
  _pg_say "PostgreSQL at $WALLETBOOK_TEST_PG (folder $WALLETBOOK_TEST_PG_DIR, started in $((SECONDS - t0)) s)"
  # Chain onto an EXIT trap the shell may already have.
  local previous=""
  if [ -n "$(trap -p EXIT)" ]; then
    previous="$(eval "_pg_third_word $(trap -p EXIT)")"
  fi
  # shellcheck disable=SC2064 # the previous handler is read now, on purpose
  case "$previous" in
    *pg_server_stop*) ;;
    *) trap "pg_server_stop${previous:+; $previous}" EXIT ;;
  esac
  # A script killed by Ctrl-C or SIGTERM exits through the EXIT trap; an
  # interactive shell keeps its own handling of Ctrl-C.
  case "$-" in
    *i*) ;;
    *)
      [ -n "$(trap -p INT)" ] || trap 'exit 130' INT
      [ -n "$(trap -p TERM)" ] || trap 'exit 143' TERM
      ;;
  esac
}

# Stop the server this shell started, delete its folder, unset its URL.
pg_server_stop() {
  _pg_stop_dir "${WALLETBOOK_TEST_PG_DIR:-}"
  unset WALLETBOOK_TEST_PG WALLETBOOK_TEST_PG_DIR
}

_pg_usage() {
  _pg_say "usage: scripts/pg-server.sh start | env | stop [DIR] | run CMD... (or: source scripts/pg-server.sh [start|stop])"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced.
  case "${1:-}" in
    "") ;;
    start) pg_server_start ;;
    stop) pg_server_stop ;;
    *) _pg_usage; false ;;
  esac
  return
fi

# Run as a program.
set -uo pipefail
case "${1:-}" in
  start)
    _pg_start || exit 1
    mkdir -p "$(dirname "$_PG_LAST")" && echo "$WALLETBOOK_TEST_PG_DIR" >"$_PG_LAST"
    _pg_exports
    _pg_say "started; it keeps running: \`eval \"\$(scripts/pg-server.sh env)\"\` to use it, \`scripts/pg-server.sh stop\` to stop it"
    ;;
  env)
    dir="${WALLETBOOK_TEST_PG_DIR:-$(cat "$_PG_LAST" 2>/dev/null)}"
    if ! _pg_alive "$dir"; then
      _pg_say "no private PostgreSQL server is running: start one with \`scripts/pg-server.sh start\`"
      exit 1
    fi
    WALLETBOOK_TEST_PG="postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
    WALLETBOOK_TEST_PG_DIR="$dir"
    _pg_exports
    ;;
  stop)
    dir="${2:-${WALLETBOOK_TEST_PG_DIR:-$(cat "$_PG_LAST" 2>/dev/null)}}"
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then
      _pg_say "no private PostgreSQL server to stop${dir:+ (no folder $dir)}"
    else
      _pg_stop_dir "$dir"
      _pg_say "stopped the server in $dir and deleted the folder"
    fi
    if [ "$(cat "$_PG_LAST" 2>/dev/null)" = "$dir" ]; then rm -f "$_PG_LAST"; fi
    ;;
  run)
    shift
    [ $# -gt 0 ] || { _pg_usage; exit 2; }
    pg_server_start || exit 1
    "$@"
    ;;
  *)
    _pg_usage
    exit 2
    ;;
esac
