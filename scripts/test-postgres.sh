#!/usr/bin/env bash
# Start (once) a throwaway PostgreSQL server for the tests, on loopback only, and print its
# SQLAlchemy URL. Installs Debian's postgresql when missing and running as root. Exits 1,
# printing nothing, when no server can be had (the PostgreSQL tests are then skipped).
set -euo pipefail
port=${PLAINSIGHT_TEST_PG_PORT:-54329}
dir=${PLAINSIGHT_TEST_PG_DIR:-/tmp/plainsight-test-pg}
root=false; [ "$(id -u)" = 0 ] && root=true

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin=$(find_bin)
if [ -z "$bin" ]; then
  if $root && command -v apt-get >/dev/null; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  [ -n "$bin" ] || exit 1
fi
as_owner() { if $root; then runuser -u postgres -- "$@"; else "$@"; fi; }

if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  rm -rf "$dir" && mkdir -p "$dir"
  $root && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir" -U plainsight --auth=trust >/dev/null
  as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
fi
echo "postgresql+psycopg://plainsight@127.0.0.1:$port/postgres"
