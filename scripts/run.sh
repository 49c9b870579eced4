#!/usr/bin/env bash
# Starts 阳光台账. On the first run it creates a demo township database to try the program
# with (login: kuaiji / demo1234). Extra arguments go to the program (e.g. --data-dir DIR).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
DATA="${SUNSHINE_LEDGER_DATA:-$(.venv/bin/python -c 'from desktop_app import paths; print(paths.data_dir())')}"
export SUNSHINE_LEDGER_DATA="$DATA"
if [ ! -f "$DATA/ledger.db" ]; then
  echo "== 首次运行：在登录窗口中生成示例数据库（$DATA）"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
  echo "提示：没有图形显示，程序在虚拟屏幕（xvfb）上运行。" >&2
  exec xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python -m desktop_app --demo --user kuaiji "$@"
fi
exec .venv/bin/python -m desktop_app --demo --user kuaiji "$@"
