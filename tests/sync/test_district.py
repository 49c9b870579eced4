"""The district database (``init --district``): a named, coded site that holds no books of its own
and refuses every local write of synced data; only the sync apply path writes there."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.backup import backup_file
from db.migrate import open_database
from db.models import ChangeLog, Organisation, Region, Site
from desktop_app.cli import main
from desktop_app.core.errors import UserError
from desktop_app.core.services.orgs import create_region
from desktop_app.core.services.users import list_users
from desktop_app.sync import identity
from desktop_app.sync.district_guard import DISTRICT_REFUSAL, SYNC_APPLY
from tests.acting import keeper


def init_district(path: Path, name: str = "江宁区经管站", region: str = "320115") -> int:
    return main(["init", "--db", str(path), "--district", name, "--region", region])


def counts(path: Path) -> tuple[int, int, int]:
    raw = sqlite3.connect(path)
    try:
        return tuple(raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                     for t in ("organisation", "region", "change_log"))
    finally:
        raw.close()


def test_init_district_makes_a_named_coded_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "district.db"
    assert init_district(path) == 0
    out = capsys.readouterr().out
    assert "已设为区级数据库：江宁区经管站（区划代码 320115）" in out and "已创建系统管理员" in out
    database = open_database(path)
    with database.begin() as s:
        me = identity.site(s)
        assert (me.level, me.name, me.region_code, me.level_text) == ("district", "江宁区经管站", "320115", "区")
        assert [u.username for u in list_users(s)] == ["admin"]  # users are local: allowed
    database.close()
    assert counts(path) == (0, 0, 0)
    assert init_district(path, "江宁区农业农村局经管站") == 0  # run again: renames, still no books
    database = open_database(path)
    with database.begin() as s:
        assert identity.site(s).name == "江宁区农业农村局经管站"
    database.close()


@pytest.mark.parametrize("code,why", [
    ("32011", "6位数字"), ("3201155", "6位数字"), ("32O115", "6位数字"), ("990115", "不是有效的县级"),
    ("320100", "不是有效的县级"), ("320015", "不是有效的县级"), ("", "6位数字"),
])
def test_init_district_refuses_a_bad_county_code(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 code: str, why: str) -> None:
    path = tmp_path / "district.db"
    assert init_district(path, region=code) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and why in err
    assert not path.exists()  # nothing made for a refused request


def test_init_district_needs_both_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.db"
    assert main(["init", "--db", str(path), "--district", "江宁区经管站"]) == 1
    assert "--region" in capsys.readouterr().err
    assert main(["init", "--db", str(path), "--region", "320115"]) == 1
    assert "--district" in capsys.readouterr().err
    assert not path.exists()


def test_a_database_with_books_never_becomes_the_district(demo_template: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = backup_file(demo_template, tmp_path / "township.db")
    before = counts(path)
    assert init_district(path) == 1
    assert "已有组织和账套，不能改为区级数据库" in capsys.readouterr().err
    database = open_database(path)
    with database.begin() as s:
        assert s.get(Site, 1).level == "township"  # type: ignore[union-attr]
    database.close()
    assert counts(path) == before


def test_the_district_refuses_local_edits_of_synced_data(tmp_path: Path) -> None:
    path = tmp_path / "district.db"
    assert init_district(path) == 0
    database = open_database(path)
    try:
        with pytest.raises(UserError) as refused, database.begin("admin") as s:
            create_region(s, code="320115106000", name="大桥镇", user=keeper(s))
        assert str(refused.value) == DISTRICT_REFUSAL
        with database.begin() as s:  # nothing half-applied: no row, no change record, no audit
            assert s.scalar(select(func.count()).select_from(Region)) == 0
            assert s.scalar(select(func.count()).select_from(ChangeLog)) == 0
        # the apply path (and only it) writes the townships' rows
        with database.begin("sync") as s:
            s.info[SYNC_APPLY] = True
            s.add(Region(code="320115106000", name="大桥镇", level="乡镇"))
        with database.begin() as s:
            region = s.scalars(select(Region)).one()
        # … and an edit of such a row outside it is refused too
        with pytest.raises(UserError, match="区级数据库只汇总"), database.begin("admin") as s:
            row = s.get(Region, region.id)
            assert row is not None
            row.name = "大桥镇（改）"
        with database.begin() as s:
            assert s.get(Region, region.id).name == "大桥镇"  # type: ignore[union-attr]
    finally:
        database.close()


def dump(path: Path) -> str:
    raw = sqlite3.connect(path)
    try:
        return "\n".join(raw.iterdump())
    finally:
        raw.close()


def only_logins_added(before: str, after: str, logins: int) -> bool:
    """The file is the same but for the audit entries of ``logins`` logins and the audit chain's
    head (issue #16: a login is recorded even when the command is then refused)."""
    def rows(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith('INSERT INTO "audit_head"')]

    old, new = set(rows(before)), rows(after)
    added = [line for line in new if line not in old]
    return old <= set(new) and len(added) == logins and all(
        line.startswith('INSERT INTO "audit_entry"') and "'login'" in line for line in added)


def test_the_refusal_reaches_the_cli(demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A district holding a township's books (as the sync apply path wrote them): the CLI's
    writers, run by a logged-in bookkeeper, refuse with the district's message, exit 1, and the
    file is byte-for-byte the same but for the logins' audit entries."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    path = backup_file(demo_template, tmp_path / "district.db")
    raw = sqlite3.connect(path)
    raw.execute("UPDATE site SET level = 'district', name = '江宁区经管站', region_code = '320115'")
    village = raw.execute("SELECT r.code FROM organisation o JOIN region r ON r.id = o.region_id "
                          "WHERE o.level = '村' ORDER BY r.code LIMIT 1").fetchone()[0]
    last = raw.execute("SELECT max(period) FROM voucher").fetchone()[0]  # the last month with vouchers
    year, month = map(int, last.split("-"))
    following = f"{year + month // 12}-{month % 12 + 1:02d}"
    raw.commit()
    raw.close()
    before = dump(path)
    for command, period in (("close-period", last), ("depreciate", following)):
        code = main([command, "--db", str(path), "--org", village, "--book", "01", "--period", period,
                     "--user", "kuaiji"])
        assert code == 1, command
        assert capsys.readouterr().err.strip() == f"错误：{DISTRICT_REFUSAL}", command
    assert only_logins_added(before, dump(path), logins=2)


def test_a_township_database_is_not_guarded(tmp_path: Path) -> None:
    database = open_database(tmp_path / "t.db")
    try:
        with database.begin("admin") as s:
            create_region(s, code="320115106000", name="大桥镇", user=keeper(s))
        with database.begin() as s:
            assert s.scalar(select(func.count()).select_from(Region)) == 1
            assert s.scalar(select(func.count()).select_from(ChangeLog)) == 1
    finally:
        database.close()


def test_a_district_with_partners_cannot_turn_back(tmp_path: Path) -> None:
    path = tmp_path / "district.db"
    assert init_district(path) == 0
    database = open_database(path)
    try:
        with database.begin() as s:
            from db.models import SyncPartner

            s.add(SyncPartner(origin=uuid.uuid4(), site_id=uuid.uuid4(), name="大桥镇", level="township",
                              region_code=None, sign_public=b"\0" * 32, enc_public=b"\0" * 32,
                              fingerprint="0000 0000 0000 0000 0000", trusted_by="admin"))
        with pytest.raises(UserError, match="已登记同步名片"), database.begin() as s:
            identity.set_site(s, "township", "大桥镇", None)
        with database.begin() as s:
            assert identity.site(s).level == "district"
            assert s.scalar(select(func.count()).select_from(Organisation)) == 0
    finally:
        database.close()


def test_bulk_writers_demo_and_imports_refuse_in_a_district(demo_template: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The paths that write outside the ORM: the demo, an Excel import (refused before the file is
    checked), and db.changelog.bulk_insert itself; the district file stays byte-identical."""
    from db.changelog import bulk_insert
    from db.models import Region as RegionModel

    members = tmp_path / "members.xlsx"
    path = backup_file(demo_template, tmp_path / "district.db")
    raw = sqlite3.connect(path)
    village = raw.execute("SELECT r.code FROM organisation o JOIN region r ON r.id = o.region_id "
                          "WHERE o.level = '村' ORDER BY r.code LIMIT 1").fetchone()[0]
    raw.close()
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")  # the roll is personal data: a logged-in user
    assert main(["export", "members", "--db", str(path), "--org", village, "--out", str(members),
                 "--user", "kuaiji"]) == 0
    raw = sqlite3.connect(path)
    raw.execute("UPDATE site SET level = 'district', name = '江宁区经管站', region_code = '320115'")
    raw.commit()
    raw.close()
    capsys.readouterr()
    before = dump(path)
    assert main(["demo", "--db", str(path), "--villages", "1"]) == 1
    assert "区级数据库不能生成示例数据" in capsys.readouterr().err
    assert main(["import", "members", str(members), "--db", str(path), "--org", village, "--user", "kuaiji"]) == 1
    assert capsys.readouterr().err.strip() == f"错误：{DISTRICT_REFUSAL}"
    database = open_database(path)
    try:
        with pytest.raises(UserError, match="区级数据库只汇总"), database.begin() as s:
            bulk_insert(s, RegionModel, [{"code": "320115999", "name": "某村", "level": "村"}])
    finally:
        database.close()
    assert only_logins_added(before, dump(path), logins=1)
