#!/usr/bin/env bash
# Installs the Debian packages hrsuite needs when they are missing:
#   run:  gettext (translations), postgresql-client (pg_dump for backups),
#         fonts-noto-cjk (Chinese in PDFs), Pango (WeasyPrint)
#   test: the same plus chromium (browser tests) and poppler-utils (PDF checks)
# As root it installs them with apt-get; otherwise it prints the command and stops.
set -euo pipefail
mode="${1:-run}"

missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
need() { have_pkg "$1" || missing+=("$1"); }

need gettext
need postgresql-client
need fonts-noto-cjk
need libpango-1.0-0
need libpangoft2-1.0-0
if [ "$mode" = "test" ]; then
  need chromium
  need poppler-utils
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]} (install them with your package manager)." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
