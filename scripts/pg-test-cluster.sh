#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benches: Debian's binaries, a temp data
# directory, a free port on 127.0.0.1, trust auth on localhost only, durability off (it is thrown
# away). Run as a non-root user (initdb refuses root): `postgres` when we are root.
#
#   eval "$(scripts/pg-test-cluster.sh start)"   # exports TEST_PG_URL and TEST_PG_DIR
#   scripts/pg-test-cluster.sh stop "$TEST_PG_DIR"
set -euo pipefail

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    echo "PostgreSQL server binaries not found; install them: apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "$dir"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

case "${1:-}" in
  start)
    bin=$(bindir)
    dir=$(mktemp -d /tmp/pg-test-XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(free_port)
    user=$([ "$(id -u)" = 0 ] && echo postgres || id -un)
    as_owner "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" journal_test
    echo "export TEST_PG_URL=postgres://$user@127.0.0.1:$port/journal_test"
    echo "export TEST_PG_DIR=$dir"
    ;;
  stop)
    dir=${2:?give the directory printed by start (TEST_PG_DIR)}
    bin=$(bindir)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
