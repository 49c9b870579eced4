"""`demo --district DIR --townships N --villages M` (issue #13): N township databases and a
district database built through the CLI, every township's rows carried into the district by the
real export/import, the district's acknowledgements carried back; `verify` passes on every file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.sync.control import syncable_tables


@pytest.fixture(scope="module")
def demo_district(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("district_demo") / "区示例"
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["demo", "--district", str(folder), "--townships", "2", "--villages", "2"]) == 0
    return folder, out.getvalue()


def _townships(folder: Path) -> list[Path]:
    return sorted((folder / "townships").glob("*/ledger.db"))


def _rows(path: Path, table: str) -> set[tuple[str, int]]:
    con = sqlite3.connect(path)
    try:
        return set(con.execute(f'SELECT hex(id), rev FROM "{table}"'))
    finally:
        con.close()


def _one(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_builds_distinct_townships_and_says_how_to_open_the_district(demo_district) -> None:
    folder, printed = demo_district
    towns = _townships(folder)
    assert [p.parent.name for p in towns] == ["320115101", "320115102"]
    names = [_one(p, "SELECT r.name, r.code FROM organisation o JOIN region r ON r.id = o.region_id "
                     "WHERE o.level = '乡镇'")[0] for p in towns]
    assert names == [("东山街道", "320115101000"), ("秣陵街道", "320115102000")]
    villages = [_one(p, "SELECT r.code FROM organisation o JOIN region r ON r.id = o.region_id "
                        "WHERE o.level = '村' ORDER BY r.code") for p in towns]
    assert villages == [[("320115101200",), ("320115101201",)], [("320115102200",), ("320115102201",)]]
    named = [n for p in towns for (n,) in _one(p, "SELECT name FROM organisation WHERE level = '村'")]
    assert len(named) == len(set(named)) == 4  # a district officer sees each village name once
    assert all(n.endswith("村股份经济合作社") and "李家庄" not in n for n in named)  # not the default township's
    usccs = [u for p in towns for (u,) in _one(p, "SELECT uscc FROM organisation")]
    assert len(usccs) == len(set(usccs)) == 6
    assert _one(folder / "district.db", "SELECT level, name, region_code FROM site") == [
        ("district", "江宁区经管站", "320115")]
    assert f'python -m desktop_app --db "{folder / "district.db"}"' in printed  # quoted: a folder may hold spaces
    assert "东山街道" in printed and "秣陵街道" in printed


def test_every_township_row_is_in_the_district(demo_district) -> None:
    folder, _ = demo_district
    towns = _townships(folder)
    compared = 0
    for table in syncable_tables():
        held = _rows(folder / "district.db", table.name)
        sent: set[tuple[str, int]] = set()
        for town in towns:
            sent |= _rows(town, table.name)
        assert held == sent, table.name  # the same rows at the same revisions, nothing more
        compared += bool(sent)
    assert compared > 30
    # every township registered the county (and city, province); the district holds each once
    county = [_one(p, "SELECT hex(id), name FROM region WHERE code = '320115000000'") for p in towns]
    assert county[0] == county[1] == _one(folder / "district.db",
                                          "SELECT hex(id), name FROM region WHERE code = '320115000000'")
    assert county[0][0][1] == "江宁区"
    counts = {t: _one(folder / "district.db", f'SELECT count(*) FROM "{t}"')[0][0] for t in ("voucher", "entry")}
    assert counts["voucher"] == sum(_one(p, "SELECT count(*) FROM voucher")[0][0] for p in towns) > 100
    assert counts["entry"] == sum(_one(p, "SELECT count(*) FROM entry")[0][0] for p in towns) > 300


def test_packages_went_through_the_real_exchange_both_ways(demo_district) -> None:
    folder, _ = demo_district
    district = folder / "district.db"
    inbox = _one(district, "SELECT file_name, stream_seq FROM sync_inbox ORDER BY file_name")
    assert [(f.split("_至_")[0], seq) for f, seq in inbox] == [("阳光台账_东山街道", 1), ("阳光台账_秣陵街道", 1)]
    assert sorted(p.name for p in (folder / "stick").glob("*.slsync")) == sorted(
        [f for f, _ in inbox] + [f"阳光台账_江宁区经管站_至_{t}_" + f.split("_")[-2] + "_0001.slsync"
                                 for (f, _), t in zip(inbox, ["东山街道", "秣陵街道"], strict=True)])
    for town in _townships(folder):
        # the township imported the district's package: it knows the district holds all it sent
        ((own,),) = _one(town, "SELECT origin FROM installation_key")  # this PC's own origin (one key pair)
        (last,) = _one(town, f"SELECT max(seq) FROM change_log WHERE origin = '{own}'")[0]
        acked = _one(town, "SELECT h.seq FROM sync_partner_has h JOIN sync_partner p ON p.origin = h.partner "
                           f"WHERE p.level = 'district' AND h.origin = '{own}'")
        assert acked == [(last,)] and last > 1000
        assert len(_one(town, "SELECT id FROM sync_inbox")) == 1


def test_verify_passes_on_every_file(demo_district, capsys) -> None:
    folder, _ = demo_district
    for path in [folder / "district.db", *_townships(folder)]:
        assert main(["verify", "--db", str(path)]) == 0, capsys.readouterr().out
        assert "检查通过" in capsys.readouterr().out


def test_a_used_folder_is_refused_and_left_as_it_was(demo_district, capsys) -> None:
    folder, _ = demo_district
    before = sorted(p.name for p in folder.rglob("*"))
    assert main(["demo", "--district", str(folder), "--townships", "1", "--villages", "1"]) == 1
    assert "已有示例区的数据库" in capsys.readouterr().err
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_township_name_and_code_are_checked_before_any_file_is_made(tmp_path, capsys) -> None:
    db = tmp_path / "t.db"
    assert main(["demo", "--db", str(db), "--villages", "1", "--township", "大桥镇", "--region", "32011510"]) == 1
    assert "应为9位数字" in capsys.readouterr().err
    assert main(["demo", "--db", str(db), "--villages", "1", "--township", "大桥镇", "--region", "990115110"]) == 1
    assert "不是有效的县级行政区划代码" in capsys.readouterr().err
    assert not db.exists()
    assert main(["demo", "--db", str(db), "--townships", "2"]) == 1
    assert "--district" in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.pg
def test_the_demo_district_on_a_postgresql_server(pg_url: str, tmp_path: Path) -> None:
    """The district on the server (an empty database a newcomer made with createdb), the townships
    files in the folder; the figures the district reads there are each village's own."""
    from sqlalchemy import func, select

    from db.migrate import open_database
    from db.models import AccountPeriodTotal, Organisation
    from desktop_app.core.demo.district import build_district_demo
    from desktop_app.core.errors import UserError
    from desktop_app.core.services import district_stats as ds
    from desktop_app.core.services.users import authenticate
    from desktop_app.sync import identity
    from tests.district.test_stats import own_statement_figures

    folder, work = tmp_path / "区示例", tmp_path / "pg-work"
    made = build_district_demo(folder, townships=1, villages=2, district_db=pg_url, district_work_dir=work)
    assert made.district_url == pg_url and made.district_label.startswith("postgresql+psycopg://")
    assert not (folder / "district.db").exists() and len(_townships(folder)) == 1
    (town_path,) = _townships(folder)
    district = open_database(pg_url, work_dir=work, create=False)
    town = open_database(town_path)
    try:
        with district.read("区统计员") as s:
            assert (identity.site(s).level, identity.site(s).name) == ("district", "江宁区经管站")
            assert authenticate(s, "quji", made.password).username == "quji"
        with town.read() as s:
            last = s.scalar(select(func.max(AccountPeriodTotal.period)))
            orgs = s.execute(select(Organisation.id).where(Organisation.level == "村")).scalars().all()
        assert last is not None and len(orgs) == 2
        with district.read("区统计员") as s:
            ytd = {r.village.organisation_id: r for r in ds.village_income(s, int(last[:4]), int(last[5:]))}
        for org in orgs:
            assert own_statement_figures(town, org, f"{last[:4]}-01", last) == (ytd[org].operating, ytd[org].total)
    finally:
        town.close()
        district.close()
    with pytest.raises(UserError, match="已有数据"):  # never mixed into a district's data
        build_district_demo(tmp_path / "再来", townships=1, villages=1, district_db=pg_url, district_work_dir=work)
    assert not (tmp_path / "再来" / "townships").exists()


@pytest.mark.pg
def test_the_demo_command_builds_the_district_on_the_server(pg_url: str, tmp_path: Path, monkeypatch,
                                                             capsys) -> None:
    """`demo --district DIR --db postgresql+psycopg://…` as the README gives it: the district on the
    server, the townships in DIR, and what it prints to open it never shows a password."""
    from db.migrate import open_database
    from desktop_app.sync import identity

    monkeypatch.setenv("SUNSHINE_LEDGER_DATA", str(tmp_path / "数据"))
    folder = tmp_path / "区示例"
    assert main(["demo", "--district", str(folder), "--townships", "1", "--villages", "1", "--db", pg_url]) == 0
    out = capsys.readouterr().out
    assert "区级数据库：postgresql+psycopg://" in out and "python -m desktop_app --db" in out
    password = make_url_password(pg_url)
    assert not password or password not in out
    assert not (folder / "district.db").exists() and len(_townships(folder)) == 1
    district = open_database(pg_url, work_dir=tmp_path / "数据" / "postgresql", create=False)
    try:
        with district.read("区统计员") as s:
            assert identity.site(s).level == "district"
    finally:
        district.close()


def make_url_password(url: str) -> str | None:
    from sqlalchemy import make_url

    return make_url(url).password
