#!/usr/bin/env bash
# One command that installs everything the app and its tests need on a fresh Debian machine:
# Debian's chromium and its headless shell, and CJK fonts (browser tests, screenshots), LibreOffice's spreadsheet
# and word processor and poppler's pdftotext (the exports are opened by a real client in the tests), and the Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# the same browser without its windowing layers, for the browser tests (Playwright's own choice for headless runs)
command -v chromium-headless-shell >/dev/null 2>&1 || need_apt+=(chromium-headless-shell)
for package in fonts-noto-cjk libreoffice-calc libreoffice-writer poppler-utils; do
  dpkg -s "$package" >/dev/null 2>&1 || need_apt+=("$package")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "Please install as root: apt-get install ${need_apt[*]}" >&2
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# Every province's simplified boundaries into data/cache/ once (about 20 s the first time, then nothing): otherwise
# the first start of a store, and every test process of a fresh checkout, builds them.
python3 -m core maps >/dev/null
echo "setup done"
