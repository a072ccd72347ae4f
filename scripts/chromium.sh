#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (tests/test_widget.py) if it is
# missing. Playwright drives this Chromium; it never downloads a browser. Without it
# the browser test fails and says how to install it, so this script only warns.
exec "$(dirname "$0")/apt-install.sh" "the browser test" chromium=chromium
