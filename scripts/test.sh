#!/usr/bin/env bash
# Runs the whole test suite (lint, types, tests) exactly as CI does.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy --strict (db, desktop_app/core, desktop_app/sync)"
.venv/bin/mypy
echo "== PostgreSQL（临时测试服务器：仅本机套接字，结束时删除）"
PG_DIR="$(mktemp -d /tmp/sunshine-ledger-pg.XXXXXX)"  # short (socket path limit), reachable by the server user
trap 'bash "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR"' EXIT
SUNSHINE_LEDGER_TEST_PG="$(bash scripts/pg-test-server.sh start "$PG_DIR")"
export SUNSHINE_LEDGER_TEST_PG SUNSHINE_LEDGER_REQUIRE_PG=1  # PG tests run in both engines, never skip
echo "== 安装包（PyInstaller 构建、self-test、demo+verify、gui-check）"
bash scripts/bundle-check.sh
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m pytest -n 2 -q -p no:cacheprovider "$@"
