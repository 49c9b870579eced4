"""Who may import (issue #16): the command line refuses a 监督 and a 记账员 limited to other villages
before the file is even read, for every kind, with the same Chinese refusal the window's disabled
buttons name; nothing is written. The real CLI on a copy of the demo township."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db.migrate import open_database
from desktop_app.cli import main
from desktop_app.core.services.orgs import list_organisations
from desktop_app.core.services.users import authenticate, set_user_organisations
from tests.conftest import copy_of


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")


@pytest.fixture
def town(demo_template: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    path = copy_of(demo_template, tmp_path / "data")
    database = open_database(path)
    with database.read() as s:
        villages = [o for o in list_organisations(s) if o.level == "村"]
    with database.begin("admin") as s:  # 王会计 keeps the first village only
        admin = authenticate(s, "admin", "demo1234")
        keeper = authenticate(s, "kuaiji", "demo1234")
        set_user_organisations(s, keeper.id, [villages[0].id], actor=admin)
    database.close()
    return path, [v.uscc for v in villages]


def _members(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM member").fetchone()[0])
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["members", "assets", "contracts"])
def test_a_supervisor_is_refused_before_the_file_is_read(town, tmp_path, capsys, kind) -> None:  # type: ignore[no-untyped-def]
    path, orgs = town
    sheet = tmp_path / f"{kind}.xlsx"
    assert main(["template", kind, "--examples", "--out", str(sheet)]) == 0
    capsys.readouterr()
    before = _members(path)
    book = ["--book", "01"] if kind != "members" else []  # the village's own book (not its 村委会's)
    code = main(["import", kind, str(sheet), "--org", orgs[0], *book, "--user", "jiandu", "--db", str(path)])
    out = capsys.readouterr()
    assert code == 1
    said = out.out + out.err
    assert "权限" in said and "监督" in said, said
    assert "表头" not in said and "列" not in said.split("权限")[0]  # no check of the file came first
    assert _members(path) == before


def test_a_keeper_limited_to_one_village_is_refused_for_another(town, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path, orgs = town
    sheet = tmp_path / "members.xlsx"
    assert main(["template", "members", "--examples", "--out", str(sheet)]) == 0
    before = _members(path)
    assert main(["import", "members", str(sheet), "--org", orgs[1], "--user", "kuaiji", "--db", str(path)]) == 1
    said = capsys.readouterr()
    assert "只负责指定的组织" in said.out + said.err
    assert _members(path) == before
    assert main(["import", "members", str(sheet), "--org", orgs[0], "--user", "kuaiji", "--db", str(path)]) == 0
    assert _members(path) > before  # her own village: imported
