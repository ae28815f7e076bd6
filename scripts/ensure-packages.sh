#!/usr/bin/env bash
# Installs the system packages Breachdesk needs when they are missing:
#   postgres  PostgreSQL server binaries (initdb, pg_ctl, postgres), unless DATABASE_URL is set
#   chromium  headless Chromium for the browser tests
#   poppler   pdftotext, which reads generated PDFs back in the tests
# It installs with apt-get when run as root or with sudo; otherwise it says
# exactly what to install and fails.
set -euo pipefail

have_postgres() {
  for d in $(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)") /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && return 0
  done
  return 1
}
have_chromium() { command -v chromium >/dev/null || command -v chromium-browser >/dev/null; }

missing=()
for want in "$@"; do
  case "$want" in
    postgres) [ -n "${DATABASE_URL:-}" ] || have_postgres || missing+=(postgresql) ;;
    chromium) have_chromium || missing+=(chromium fonts-dejavu-core) ;;
    poppler) command -v pdftotext >/dev/null || missing+=(poppler-utils) ;;
    *) echo "ensure-packages: unknown package group $want" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; fi
fi
if ! command -v apt-get >/dev/null || { [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; }; then
  echo "Missing system packages: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run make again." >&2
  exit 1
fi
echo "Installing ${missing[*]} with apt-get..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed ${missing[*]}."
