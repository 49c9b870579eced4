"""A fresh database gets its first organisation from the command line (issue #15): ``init``, then
``org add`` / ``book add`` with the codes checked by the forms' services, ``export orgs`` and the
round trip of that file through ``import orgs`` into another fresh database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from db.migrate import open_database
from db.models import User
from desktop_app.cli import main
from desktop_app.core.ids import make_uscc
from desktop_app.core.services.auth import user_row
from desktop_app.core.services.orgs import list_books, list_organisations, list_regions
from desktop_app.core.services.users import create_user

PASSWORD = "secret123"
XINHUA = make_uscc("N2320115MF0000012")  # N2320115MF00000121
DONGSHAN = make_uscc("N2320115MF0000013")
TOWN = make_uscc("N3320115MF0000019")


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", PASSWORD)


@pytest.fixture
def fresh(tmp_path: Path) -> str:
    db = str(tmp_path / "ledger.db")
    assert main(["init", "--db", db]) == 0
    return db


def _audit(db: str) -> list[tuple[str, str, str]]:
    raw = sqlite3.connect(db)
    try:
        return raw.execute("SELECT actor, entity, summary FROM audit_entry ORDER BY n").fetchall()
    finally:
        raw.close()


def _state(db: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The organisations and books as the 组织与账套 page lists them (without the ids)."""
    database = open_database(Path(db), create=False)
    try:
        with database.read() as s:
            orgs = {o.id: o for o in list_organisations(s)}
            rows = [(o.name, o.level, o.uscc, o.region_code, o.region_name, o.township_name, o.legal_rep, o.phone,
                     o.address) for o in orgs.values()]
            books = [(orgs[b.organisation_id].uscc, b.code, b.name, b.kind, b.chart_version, b.start_period,
                      b.credit_code) for b in list_books(s)]
    finally:
        database.close()
    return sorted(rows), sorted(books)  # type: ignore[arg-type]


def _add_xinhua(db: str, *extra: str) -> int:
    return main(["org", "add", "--db", db, "--user", "admin", "--name", "新华村股份经济合作社", "--uscc", XINHUA,
                 "--region", "320115106201", "--township", "阳光街道", "--legal-rep", "王建国", *extra])


def test_org_add_creates_the_organisation_its_region_and_first_book(fresh: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _add_xinhua(fresh, "--phone", "13900000000") == 0
    out = capsys.readouterr().out
    assert "已新增组织：新华村股份经济合作社" in out and "已新建账套 01" in out and f"--org {XINHUA}" in out
    orgs, books = _state(fresh)
    assert orgs == [("新华村股份经济合作社", "村", XINHUA, "320115106201", "新华村", "阳光街道", "王建国", "13900000000",
                     None)]
    assert books == [(XINHUA, "01", "新华村股份经济合作社", "股份经济合作社", "2023", books[0][5], None)]
    assert books[0][5].endswith("-01")  # January of this year, as the 新增账套 form proposes
    database = open_database(Path(fresh), create=False)
    with database.read() as s:
        assert {(r.code, r.level) for r in list_regions(s)} == {("320115106000", "乡镇"), ("320115106201", "村")}
        assert len(list_books(s)) == 1
    database.close()
    # audited as the logged-in administrator, like a form's 新增组织
    entries = [(actor, entity) for actor, entity, _ in _audit(fresh)]
    assert ("admin", "organisation") in entries and ("admin", "book") in entries and ("admin", "region") in entries

    # the organisation is now named by its codes: a second book (the 2004 chart, an earlier start)
    assert main(["book", "add", "--db", fresh, "--user", "admin", "--org", "320115106201", "--name", "新华村民委员会",
                 "--kind", "村民委员会", "--chart", "2004", "--start", "2020-01"]) == 0
    assert "新建账套 02 新华村民委员会（村民委员会，2004版会计制度，2020-01启用）" in capsys.readouterr().out
    assert main(["orgs", "--db", fresh]) == 0
    listing = capsys.readouterr().out
    assert "账套 01  新华村股份经济合作社" in listing and "账套 02  新华村民委员会" in listing


def test_org_add_level_chart_and_book_name_options(fresh: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "add", "--db", fresh, "--user", "admin", "--name", "阳光街道股份经济联合社", "--uscc", TOWN,
                 "--region", "320115106000", "--level", "乡镇", "--book-name", "联合社账套", "--chart", "2004",
                 "--start", "2023-01"]) == 0
    capsys.readouterr()
    orgs, books = _state(fresh)
    assert orgs[0][:5] == ("阳光街道股份经济联合社", "乡镇", TOWN, "320115106000", "阳光街道")
    assert books == [(TOWN, "01", "联合社账套", "经济联合社", "2004", "2023-01", None)]
    assert main(["org", "add", "--db", fresh, "--user", "admin", "--name", "东山村经济合作社", "--uscc", DONGSHAN,
                 "--region", "320115106202", "--no-book"]) == 0
    orgs, books = _state(fresh)
    assert ("东山村经济合作社", "村", DONGSHAN, "320115106202", "东山村", "阳光街道", None, None, None) in orgs
    assert len(books) == 1  # --no-book


@pytest.mark.parametrize(("args", "message"), [
    (["--uscc", XINHUA[:-1] + ("0" if XINHUA[-1] != "0" else "1")], f"“--uscc”：统一社会信用代码校验位错误，应为 {XINHUA[-1]}"),
    (["--uscc", make_uscc("N1320115MF0000012"), "--level", "村"], "村级集体经济组织的统一社会信用代码应以 N2 开头，现在是 N1"),
    (["--region", "32011510620"], "“--region”：区划代码应为12位数字"),
    (["--region", "320115000201"], "区划代码层级不连续"),
    (["--region", "320115106000"], "村级组织应属于村级区划，而 320115106000 是乡镇级"),
    (["--level", "县"], "“--level”：层级“县”无法识别，应为 组、村 或 乡镇"),
    (["--chart", "2010"], "会计制度版本必须是 2023 或 2004"),
    (["--chart", "2023", "--start", "2020-01"], "“--start”：2023版会计制度自2024年1月1日起施行"),
    (["--start", "2026/1"], "“--start”：启用期间格式应为 YYYY-MM"),
    (["--book-kind", "公司"], "“--book-kind”：账套类型必须是"),
])
def test_org_add_refuses_bad_codes_with_a_chinese_message_and_writes_nothing(
        fresh: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    before = _audit(fresh)
    base = {"--name": "新华村股份经济合作社", "--uscc": XINHUA, "--region": "320115106201"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    flat = [x for k, v in {**base, **given}.items() for x in (k, v)]
    assert main(["org", "add", "--db", fresh, "--user", "admin", *flat]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err, err
    assert _audit(fresh)[len(before):] == [e for e in _audit(fresh)[len(before):] if e[1] == "app_user"]  # the login only
    assert _state(fresh) == ([], [])


def test_org_add_needs_a_user_with_the_pages_roles(fresh: str, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["org", "add", "--db", fresh, "--name", "新华村股份经济合作社", "--uscc", XINHUA,
                 "--region", "320115106201"]) == 1
    assert "--user" in capsys.readouterr().err
    database = open_database(Path(fresh), create=False)
    with database.begin("test") as s:
        admin = user_row(s.scalars(select(User).where(User.username == "admin")).one())
        create_user(s, username="jiandu", display_name="监督", password=PASSWORD, roles=["supervisor"],
                    must_change_password=False, actor=admin)
    database.close()
    assert main(["org", "add", "--db", fresh, "--user", "jiandu", "--name", "新华村股份经济合作社", "--uscc", XINHUA,
                 "--region", "320115106201"]) == 1
    assert "权限" in capsys.readouterr().err
    path = Path(fresh).with_name("orgs.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["组织名称", "统一社会信用代码", "行政区划代码"])
    ws.append(["新华村股份经济合作社", XINHUA, "320115106201"])
    wb.save(path)
    assert main(["import", "orgs", str(path), "--db", fresh, "--user", "jiandu"]) == 1  # nor by import
    assert "权限" in capsys.readouterr().err
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "wrong-one")
    assert _add_xinhua(fresh) == 1
    assert _state(fresh) == ([], [])


def test_org_add_twice_and_book_add_for_an_unknown_org_are_refused(fresh: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _add_xinhua(fresh) == 0
    assert _add_xinhua(fresh) == 1
    assert f"统一社会信用代码 {XINHUA} 已被其他组织使用" in capsys.readouterr().err
    assert main(["book", "add", "--db", fresh, "--user", "admin", "--org", "320115106299"]) == 1
    assert "找不到代码为 320115106299 的组织" in capsys.readouterr().err


def test_export_orgs_imports_into_a_fresh_database_unchanged(fresh: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "add", "--db", fresh, "--user", "admin", "--name", "阳光街道股份经济联合社", "--uscc", TOWN,
                 "--region", "320115106000", "--region-name", "阳光街道", "--phone", "025-52100000"]) == 0
    assert _add_xinhua(fresh, "--phone", "13900000000", "--address", "阳光街道新华村1号") == 0
    assert main(["book", "add", "--db", fresh, "--user", "admin", "--org", XINHUA, "--name", "新华村民委员会",
                 "--kind", "村民委员会", "--chart", "2004", "--start", "2020-01",
                 "--credit-code", make_uscc("54320115ME0000001")]) == 0
    assert main(["org", "add", "--db", fresh, "--user", "admin", "--name", "东山村经济合作社", "--uscc", DONGSHAN,
                 "--region", "320115106202", "--no-book"]) == 0
    out = tmp_path / "组织与账套.xlsx"
    assert main(["export", "orgs", "--db", fresh, "--out", str(out)]) == 0  # no --org: above the organisations
    assert "3 个组织，3 个账套" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out).worksheets[0]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, r in enumerate(cells) if r[0] == "组织名称")
    assert cells[header][:4] == ["组织名称", "组织级别", "统一社会信用代码", "行政区划代码"]
    assert [r[2] for r in cells[header + 1:]] == [TOWN, XINHUA, XINHUA, DONGSHAN]  # one row per book

    other = str(tmp_path / "other.db")
    assert main(["init", "--db", other]) == 0
    assert main(["import", "orgs", str(out), "--db", other, "--user", "admin", "--dry-run"]) == 0
    assert _state(other) == ([], [])
    assert main(["import", "orgs", str(out), "--db", other, "--user", "admin"]) == 0
    assert "新增组织 3 个" in capsys.readouterr().out
    want = _state(fresh)
    got = _state(other)
    assert got[0] == want[0]
    assert got[1] == want[1]  # 东山村 had no book: its row's blank 账套名称 adds none

    # the same file again: 仅新增 refuses, 跳过已有 and 更新已有 leave everything as it is
    assert main(["import", "orgs", str(out), "--db", other, "--user", "admin"]) == 1
    assert "已登记" in capsys.readouterr().out + capsys.readouterr().err
    for mode in ("skip", "update"):
        assert main(["import", "orgs", str(out), "--db", other, "--user", "admin", "--mode", mode]) == 0
        assert _state(other) == want


def test_a_district_database_takes_no_organisation_from_the_command_line(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "district.db")
    assert main(["init", "--db", db, "--district", "江宁区经管站", "--region", "320115"]) == 0
    capsys.readouterr()
    assert _add_xinhua(db) == 1
    assert "区级数据库只汇总各乡镇同步来的数据" in capsys.readouterr().err
    assert _state(db) == ([], [])
