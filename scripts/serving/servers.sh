#!/usr/bin/env bash
# Installs Debian's PostgreSQL, Redis and nginx for `make scale` and its test, and
# docker-compose for checking deploy/docker-compose.yml, where they are missing.
# They run as plain processes started by scripts/serving/scale.py, never as system
# services.
exec "$(dirname "$0")/../apt-install.sh" "make scale and its tests" \
  "/usr/lib/postgresql/*/bin/postgres=postgresql" redis-server=redis-server nginx=nginx docker-compose=docker-compose
