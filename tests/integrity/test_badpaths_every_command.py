"""A table of bad database files walked over every CLI command (issue #19): each ends in a calm
Chinese message and exit 1 (``verify`` on a damaged file: its report and exit 3), never a
traceback, and the bad file is left exactly as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.cli import main
from tests.conftest import copy_of

ORG = "320115106200"


def commands(tmp: Path) -> list[list[str]]:
    xlsx, pdf = str(tmp / "o.xlsx"), str(tmp / "o.pdf")
    return [
        ["init"], ["orgs"], ["verify"], ["restore", str(tmp / "none.db")],
        ["depreciate", "--org", ORG, "--period", "2026-06"],
        ["reconcile-assets", "--org", ORG, "--period", "2026-06"],
        ["disclose", "--org", ORG, "--period", "2026-06", "--out", pdf],
        ["disclosure-posted", "--org", ORG, "--period", "2026-06"],
        ["disclosure-missing", "--period", "2026-06"],
        ["close-period", "--org", ORG, "--period", "2026-06"],
        ["export", "members", "--org", ORG, "--out", xlsx],
        ["sync", "status"],
    ]


def _text(src: Path, dest: Path) -> None:
    dest.write_text("这不是数据库\n", encoding="utf-8")


def _folder(src: Path, dest: Path) -> None:
    dest.mkdir()


def _foreign(src: Path, dest: Path) -> None:
    conn = sqlite3.connect(dest)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()


def _truncated(src: Path, dest: Path) -> None:
    dest.write_bytes(src.read_bytes()[: src.stat().st_size // 2])


BAD_DB: dict[str, Callable[[Path, Path], None]] = {
    "文本文件": _text, "文件夹": _folder, "其他程序的SQLite": _foreign, "截断的数据库": _truncated,
}


@pytest.mark.parametrize("kind", list(BAD_DB))
def test_every_command_meets_a_bad_database_calmly(
        kind: str, demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = copy_of(demo_template, tmp_path / "src")
    bad = tmp_path / "bad.db"
    BAD_DB[kind](src, bad)
    snapshot = bad.read_bytes() if bad.is_file() else None
    for argv in commands(tmp_path):
        code = main([*argv, "--db", str(bad)])
        out = capsys.readouterr()
        if argv == ["verify"] and kind == "截断的数据库":
            assert code == 3 and "✗ 数据库文件完整性" in out.out, argv
        else:
            assert code == 1, (argv, out)
            assert out.err.startswith("错误：") and "Traceback" not in out.err, (argv, out.err)
        assert (bad.read_bytes() if bad.is_file() else None) == snapshot, argv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.db", "src"]  # nothing written anywhere


def test_every_command_refuses_a_database_in_a_missing_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in commands(tmp_path):
        assert main([*argv, "--db", str(tmp_path / "nowhere" / "ledger.db")]) == 1, argv
        assert "文件夹不存在" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
