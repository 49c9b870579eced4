#!/usr/bin/env bash
# Builds the PyInstaller onedir from build.spec (Linux) and proves the program as installed works:
# the bundle's resources are inside, its `self-test` passes, it builds a demo database with its own
# migrations, `verify` finds that database sound, and its window starts offscreen (`gui-check`:
# log in, open every page, close). Run by CI; by hand: bash scripts/bundle-check.sh [--keep DIR].
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"

KEEP=""
if [ "${1:-}" = "--keep" ]; then KEEP="${2:?--keep 需要一个文件夹}"; fi
if [ -n "$KEEP" ]; then
  WORK="$KEEP"; rm -rf "$WORK"; mkdir -p "$WORK"
else
  WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
fi

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "== 安装 PyInstaller"
  "$PY" -m pip install -q --disable-pip-version-check "pyinstaller>=6.6"
fi

t0=$SECONDS
echo "== PyInstaller onedir（build.spec）"
"$PY" -m PyInstaller --noconfirm --log-level WARN --workpath "$WORK/build" --distpath "$WORK/dist" build.spec
t_build=$((SECONDS - t0))
APP="$WORK/dist/SunshineLedger"
EXE="$APP/SunshineLedger"

echo "== 安装包内容：字体、许可、会计科目、迁移脚本"
INTERNAL="$APP/_internal"
for f in resources/fonts/wqy-microhei.ttc resources/fonts/LICENSE-wqy-microhei.txt resources/charts/charts.json \
         resources/discovered-modules.json; do
  [ -s "$INTERNAL/$f" ] || { echo "安装包缺少 $f" >&2; exit 1; }
done
want=$(cd db/migrations/versions && ls -1 *.py | sort)
have=$(cd "$INTERNAL/db/migrations/versions" && ls -1 *.py | sort)
if [ "$want" != "$have" ]; then
  echo "安装包中的迁移脚本与源码不一致：" >&2; diff <(echo "$want") <(echo "$have") >&2 || true; exit 1
fi
echo "迁移脚本 $(echo "$have" | wc -l) 个，安装包大小 $(du -sh "$APP" | cut -f1)"

t1=$SECONDS
# The bundle runs as on a user's PC: no source tree, no virtualenv on its path.
export PYTHONPATH="" PYTHONHOME=""
cd "$WORK"
echo "== self-test（安装包）"
"$EXE" self-test
echo "== demo + verify（安装包自带的迁移建库）"
"$EXE" demo --db "$WORK/demo.db" --villages 2 --years 1
"$EXE" verify --db "$WORK/demo.db"
echo "== gui-check（离屏打开主窗口和每个页面）"
env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen SUNSHINE_LEDGER_PASSWORD=demo1234 \
  "$EXE" gui-check --db "$WORK/demo.db" --user kuaiji 2> >(grep -v "propagateSizeHints" >&2)
t_run=$((SECONDS - t1))
echo "安装包检查通过：构建 ${t_build} 秒，运行检查 ${t_run} 秒"
