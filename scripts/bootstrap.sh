#!/usr/bin/env bash
# Installs what 阳光台账 needs on a fresh Debian machine: the Debian packages Qt and the
# tests use (when run as root), a virtualenv in .venv, and the Python packages.
# Idempotent and quick on a second run (stamp files). Sourced by run.sh and test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEB_PACKAGES=(
  # Qt's xcb platform plugin and fonts on a bare Debian
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0
  libxcb-xinerama0 libxcb-xfixes0
  # a virtual screen for machines without a display; PDF tools the tests use
  xvfb xauth poppler-utils
  # the phone images' 长图 are checked to open in ImageMagick (what a notice-board PC may use)
  imagemagick
  # the tests' throwaway PostgreSQL server (scripts/pg-test-server.sh; a district database may live on one)
  postgresql
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== 安装系统软件包：${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "提示：缺少系统软件包 ${missing[*]}，请以 root 运行 apt-get install 安装。" >&2
  fi
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
  echo "需要 Python 3.11 或 3.12（当前：$("$PY" --version 2>&1)）。可设置环境变量 PYTHON 指定解释器。" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "== 创建虚拟环境 .venv"
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "== 安装 Python 依赖"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
