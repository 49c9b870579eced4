"""House rule 1 (DESIGN §2): layers. Parsed with ``ast``, so it also covers modules no test imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(*folders: str) -> list[Path]:
    return [p for f in folders for p in (ROOT / f).rglob("*.py")]


def test_no_qt_outside_the_ui() -> None:
    offenders = []
    for path in modules("db", "desktop_app"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("desktop_app/ui/") or rel == "desktop_app/app.py":
            continue
        if any(n.split(".")[0] == "PySide6" for n in imports_of(path)):
            offenders.append(rel)
    assert offenders == []


def test_ui_does_not_touch_sqlalchemy_or_models() -> None:
    offenders = []
    for path in modules("desktop_app/ui"):
        bad = [n for n in imports_of(path) if n.split(".")[0] == "sqlalchemy" or n.startswith("db.models")]
        if bad:
            offenders.append((path.relative_to(ROOT).as_posix(), bad))
    assert offenders == []


def test_db_knows_nothing_of_desktop_app() -> None:
    offenders = [p.relative_to(ROOT).as_posix() for p in modules("db")
                 if any(n.split(".")[0] == "desktop_app" for n in imports_of(p))]
    assert offenders == []


def test_no_float_money_columns() -> None:
    for path in modules("db"):
        text = path.read_text(encoding="utf-8")
        assert "Float(" not in text and "REAL" not in text, path
