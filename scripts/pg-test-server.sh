#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: a cluster in a temporary folder, run by an
# unprivileged user (initdb refuses root), reached only through a unix socket in that folder
# (no TCP), trust authentication, fsync off (nothing here must survive a crash).
#
#   scripts/pg-test-server.sh start DIR   -> starts it; prints the server URL on stdout
#   scripts/pg-test-server.sh stop DIR    -> stops it and removes DIR
#
# scripts/test.sh starts one, exports the URL as SUNSHINE_LEDGER_TEST_PG, and stops it on exit.
set -euo pipefail
cmd="${1:-}"; dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "用法：$0 start|stop 文件夹" >&2; exit 2
fi

bindir() {
  local b
  for b in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$b/initdb" ] && { echo "$b"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  echo "找不到 PostgreSQL 服务器程序（initdb）：请安装 Debian 软件包 postgresql" >&2
  return 1
}

# Run as the folder's owner: root hands the work to the system user 'postgres' (the Debian
# package makes it), anyone else runs it as themselves.
as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    BIN="$(bindir)"
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then
      id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
      chown postgres "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      --no-instructions >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
      "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off \
       -c full_page_writes=off -c max_connections=200" >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql+psycopg://postgres@/postgres?host=$dir"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      BIN="$(bindir)"
      as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "用法：$0 start|stop 文件夹" >&2; exit 2
    ;;
esac
