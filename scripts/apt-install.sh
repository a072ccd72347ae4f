#!/usr/bin/env bash
# Installs Debian packages whose command is missing, with apt-get as root or through
# password-less sudo. Used by scripts/chromium.sh (the browser test) and
# scripts/serving/servers.sh (PostgreSQL, Redis, nginx for `make scale`).
#   scripts/apt-install.sh "<what needs them>" COMMAND=PACKAGE ...
# A COMMAND is found on the PATH or as an absolute path pattern (e.g.
# /usr/lib/postgresql/*/bin/postgres). Services are not started by the install where
# /usr/sbin/policy-rc.d forbids it (containers); the project runs them itself.
# Without root the script only warns and exits 0: the tests that need them then fail
# and say so.
set -uo pipefail

purpose="$1"; shift
missing=()
for pair in "$@"; do
  command="${pair%%=*}"
  if [[ "$command" == /* ]]; then
    compgen -G "$command" >/dev/null && continue
  else
    command -v "$command" >/dev/null 2>&1 && continue
  fi
  missing+=("${pair#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "WARNING: ${missing[*]} missing for $purpose and cannot be installed without root." >&2
  echo "         Install with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi

echo "setup: installing ${missing[*]} for $purpose (apt-get, about a minute)"
if ! { "${sudo[@]}" apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  echo "WARNING: apt-get could not install ${missing[*]}; $purpose will fail." >&2
fi
