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
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -n 2 -q -p no:cacheprovider "$@"
