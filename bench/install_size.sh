#!/usr/bin/env bash
# The weight of an install: a fresh venv, `pip install SRC[EXTRAS]` timed, then its size and
# package count. Usage: bench/install_size.sh [SRC] [EXTRAS]   e.g. bench/install_size.sh . '[all]'
# PIP_NO_CACHE_DIR=1 measures a cold install (downloads from PyPI).
set -euo pipefail
src=${1:-.}; extras=${2:-}
venv=$(mktemp -d /tmp/hg-install-XXXXXX)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip >/dev/null
start=$(date +%s.%N)
"$venv/bin/pip" install -q "$src$extras" >/dev/null
end=$(date +%s.%N)
echo "hullguard$extras: install $(echo "$end - $start" | bc | cut -c1-5) s," \
  "venv $(du -sm "$venv" | cut -f1) MB, $("$venv/bin/pip" list 2>/dev/null | tail -n +3 | wc -l) packages"
