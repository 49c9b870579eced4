"""A district database on PostgreSQL end to end (issue #13): `init --district` on a URL, a township
refused there, and a township's packages imported straight into it by the real sync import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.migrate import open_database
from db.models import AccountPeriodTotal, AuditEntry, Organisation
from desktop_app.cli import main
from desktop_app.core.services import district_stats as ds
from desktop_app.sync import identity
from tests.conftest import copy_of
from tests.district.test_stats import own_statement_figures
from tests.sync.conftest import SyncPair, trust_each_other

pytestmark = pytest.mark.pg


def test_init_district_on_a_url_and_township_refused(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_DATA", str(tmp_path / "data"))
    assert main(["init", "--db", pg_url]) == 1
    assert "乡镇数据库只能是本机的数据库文件" in capsys.readouterr().err
    assert main(["init", "--district", "江宁区经管站", "--region", "320115", "--db", pg_url]) == 0
    assert "已设为区级数据库：江宁区经管站" in capsys.readouterr().out
    district = open_database(pg_url, work_dir=tmp_path, create=False)
    try:
        with district.read() as s:
            me = identity.site(s)
            audits = s.scalar(select(func.count()).select_from(AuditEntry))
        assert (me.level, me.region_code) == ("district", "320115") and audits > 0
    finally:
        district.close()
    # the data folder of the URL's database is under the program's data folder, one per database
    assert (tmp_path / "data" / "postgresql").is_dir()


def test_password_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql+psycopg://nobody:s3cret@/nosuch?host={tmp_path}"
    assert main(["--data-dir", str(tmp_path / "data"), "district", "report", "tiers", "--db", url,
                 "--year", "2026", "--out", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err
    assert "s3cret" not in err and "PostgreSQL" in err and not (tmp_path / "x.pdf").exists()


def test_real_import_into_a_pg_district(demo_template: Path, pg_migrated_url: str, tmp_path: Path) -> None:
    town = open_database(copy_of(demo_template, tmp_path / "town"))
    district = open_database(pg_migrated_url, work_dir=tmp_path / "pg-district")
    try:
        with district.begin("admin") as s:
            identity.set_site(s, "district", "江宁区经管站", "320115")
        trust_each_other(town, district)
        stick = tmp_path / "stick"
        stick.mkdir()
        pair = SyncPair(town, district, stick)
        _out, report = pair.carry(town, district)
        assert not report.problems, report.problems
        with town.read() as s:
            last = s.scalar(select(func.max(AccountPeriodTotal.period)))
            orgs = s.execute(select(Organisation.id).where(Organisation.level == "村")).scalars().all()
        assert last is not None
        with district.read("区统计员") as s:
            ytd = {r.village.organisation_id: r for r in ds.village_income(s, int(last[:4]), int(last[5:]))}
        for org in orgs:
            assert own_statement_figures(town, org, f"{last[:4]}-01", last) == (ytd[org].operating, ytd[org].total)
    finally:
        district.close()
        town.close()
