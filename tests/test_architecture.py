"""House rule 1 (DESIGN §2): layers. Parsed with ``ast``, so it also covers modules no test imports."""

from __future__ import annotations

import ast
import re
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


# --- one money boundary, one periods module (issue #16, "the house") ------------------------------
# Sums of 分 come back from SQL through ``type_coerce(…, Fen())``; raw integer 分 from elsewhere
# through ``money.from_fen``; period arithmetic lives in desktop_app/core/periods.py. A new
# hand-written copy fails here. PENDING names files that still hold one, each with the change
# requested of its owner: the list may only shrink.
FEN_HELPER = re.compile(r"^def _?(fen|money)\(value: object\)", re.MULTILINE)  # the shape of the five removed
HAND_FEN = re.compile(r"\.scaleb\(-2\)|Decimal\(int\(")
PERIOD_MATH = re.compile(r"%\s*12\s*\+\s*1|\((?:m|month) == 1[2]?\)|\*\s*12\s*\+\s*int\(")
MONEY_HOME = {"db/types.py", "desktop_app/core/money.py"}
PERIODS_HOME = {"desktop_app/core/periods.py"}
PENDING_FEN = {
}
PENDING_PERIODS = {
    "desktop_app/ui/pages/disclosure.py": "its previous-month copy → periods.prev_period",
}


def _offenders(patterns: list[re.Pattern[str]], home: set[str]) -> set[str]:
    found = set()
    for path in modules("db", "desktop_app"):
        rel = path.relative_to(ROOT).as_posix()
        if rel not in home and any(p.search(path.read_text(encoding="utf-8")) for p in patterns):
            found.add(rel)
    return found


def test_no_new_hand_written_fen_conversion() -> None:
    assert _offenders([FEN_HELPER, HAND_FEN], MONEY_HOME) - set(PENDING_FEN) == set()


def test_no_new_copy_of_period_arithmetic() -> None:
    assert _offenders([PERIOD_MATH], PERIODS_HOME) - set(PENDING_PERIODS) == set()


def test_the_patterns_still_see_what_they_forbid() -> None:
    """The checks above are only as good as their patterns: they must catch the helpers removed."""
    removed = ('def _fen(value: object) -> Decimal:\n    return Decimal(int(str(value))).scaleb(-2)',
               'def _money(value: object) -> Decimal:\n    return Decimal(int(value or 0)).scaleb(-2)')
    assert all(FEN_HELPER.search(t) and HAND_FEN.search(t) for t in removed)
    copies = ('return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"',
              "return (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])")
    assert all(PERIOD_MATH.search(t) for t in copies)


# A module's ``_private`` names are its own: another module imports only public ones (issue #16).
PENDING_PRIVATE: dict[str, str] = {}  # importer: the change requested of its owner; may only shrink


def test_no_new_private_name_imported_across_modules() -> None:
    offenders = set()
    for path in modules("db", "desktop_app"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                    and node.module.split(".")[0] in ("db", "desktop_app")
                    and any(a.name.startswith("_") and not a.name.startswith("__") for a in node.names)):
                offenders.add(path.relative_to(ROOT).as_posix())
    assert offenders - set(PENDING_PRIVATE) == set()


# DESIGN §9: modules stay small (aim < 400 lines; split past 600), so a module is one responsibility
# a reader can hold in mind.
MAX_LINES = 600


def test_no_module_past_six_hundred_lines() -> None:
    long = {path.relative_to(ROOT).as_posix(): n for path in modules("db", "desktop_app")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
