#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (tests/test_widget.py) if it is
# missing, with apt-get as root or through password-less sudo. Playwright drives this
# Chromium; it never downloads a browser. Without it the browser test fails and says
# how to install it, so this script only warns.
set -uo pipefail

command -v chromium >/dev/null 2>&1 && exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "WARNING: chromium is missing and cannot be installed without root; the browser test will fail." >&2
  echo "         Install it with: sudo apt-get install chromium" >&2
  exit 0
fi

echo "setup: installing chromium for the browser test (apt-get, about a minute)"
if ! { "${sudo[@]}" apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
  echo "WARNING: apt-get could not install chromium; the browser test will fail." >&2
fi
