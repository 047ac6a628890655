#!/usr/bin/env bash
# One command that installs everything the app and its tests need on a fresh Debian machine:
# Debian's chromium and CJK fonts (browser tests, screenshots) and the Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
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
echo "setup done"
