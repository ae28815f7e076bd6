#!/usr/bin/env bash
# Runs the Go tests (or, with "bench", the benchmarks) against a real
# PostgreSQL: BREACHDESK_TEST_DATABASE_URL or DATABASE_URL when set,
# otherwise a private cluster started here under .testdata and stopped at
# the end.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}

if [ -z "${BREACHDESK_TEST_DATABASE_URL:-}" ]; then
  if [ -n "${DATABASE_URL:-}" ]; then
    export BREACHDESK_TEST_DATABASE_URL="$DATABASE_URL"
  else
    testdata="${BREACHDESK_TEST_DATA:-$PWD/.testdata}"
    BREACHDESK_TEST_DATABASE_URL=$(BREACHDESK_DATA="$testdata" bin/breachdesk db start)
    export BREACHDESK_TEST_DATABASE_URL
    trap 'BREACHDESK_DATA="$testdata" bin/breachdesk db stop' EXIT
  fi
fi
# The tests make their own databases; the server's own settings must not leak in.
unset DATABASE_URL BREACHDESK_DATA

if [ "$mode" = bench ]; then
  go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-1s}" ./...
else
  go test -race -count=1 -timeout 15m ./...
fi
