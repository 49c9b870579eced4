"""Every name, code and figure of the assets area's PDFs is printed whole: each sheet is rendered
with the longest realistic values and every column is read back on its own with pdfplumber (a
wrapped cell's lines joined); sign-off lines and page x/y on every page."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4, landscape

from desktop_app.reports import assets_sheets as sheets
from desktop_app.reports.assets_pdf import MARGIN, SIGN_OFF, _widths, sheet_pdf_bytes
from desktop_app.reports.assets_sheets import Sheet
from tests.assets.conftest import Env

CODE = "ZC-2026-FW-0001-0001-ABCDEFGHIJ"[:30]  # the longest code the register takes (30)
NAME = ("村集体经济组织光伏发电项目配套升压站及送出线路工程（含箱式变压器、汇流箱、逆变器、监控系统及围栏）"
        "一期二期合并资产")
PLACE = "阳光街道东湖村第三村民小组后湾自然村村部西侧二百米原村办砖瓦厂旧址（东至村道，南至水渠）"
WINNER = "江宁区通达路桥建设工程有限公司第二工程分公司"


def _columns(pdf: bytes, sheet: Sheet) -> list[list[str]]:
    """Per page, each column's text with its lines joined (what a reader sees down the column)."""
    page = landscape(A4) if sheet.landscape else A4
    widths = _widths(sheet, page[0] - 2 * MARGIN)
    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for p in doc.pages:
            x, cols = MARGIN, []
            for w in widths:
                crop = p.crop((x + 0.3, 0, x + w - 0.3, p.height))
                cols.append("".join((crop.extract_text() or "").split()))
                x += w
            out.append(cols)
    return out


def _text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return ["".join((p.extract_text() or "").split()) for p in doc.pages]


def _check_whole(sheet: Sheet, *, min_pages: int = 1) -> list[str]:
    pdf = sheet_pdf_bytes(sheet)
    sheet = sheets.on_medium(sheet, "pdf")  # the columns kept for the xlsx only are not printed
    pages = _text(pdf)
    assert len(pages) >= min_pages
    for n, page in enumerate(pages, start=1):  # on every page: sign-off, page x/y, owner
        assert "".join(SIGN_OFF.split()) in page
        assert f"第{n}页/共{len(pages)}页" in page
        assert "".join(sheets.owner_line(sheet).split()) in page or "编制单位" in page
    columns = _columns(pdf, sheet)
    for row in [*sheet.rows, *([sheet.totals] if sheet.totals else [])]:
        for j, (col, value) in enumerate(zip(sheet.columns, row, strict=True)):
            from desktop_app.reports.assets_pdf import cell_text

            text = "".join(cell_text(col, value).split())
            if text:
                assert any(text in page[j] for page in columns), (col.header, text)
    return pages


@pytest.fixture
def long_env(env: Env) -> Env:
    from desktop_app.core.services.projects import create_project
    from desktop_app.core.services.resources import create_parcel

    env.asset(CODE, name=NAME, location=PLACE, original_value=D("98765432.10"), custodian="欧阳慕容司马上官",
              title_no="苏（2026）江宁区不动产权第0123456号之附属设施证明书")
    for i in range(60):  # several pages
        env.asset(f"ZC-{i:03d}", name=f"{NAME[:20]}{i}", original_value=D("1234567.89"))
    with env.db.begin("test") as s:
        create_parcel(s, organisation_id=env.org.id, code="DK-2026-东湖-三组-后湾-0001", name=NAME[:100],
                      land_class="公共管理与公共服务用地", area_mu=D("123456.7891"), location=PLACE,
                      east="村道及第三村民小组集体林地边界", south="省道二四三线绿化带外侧排水沟",
                      west="东湖水库管理所用地（以界桩为准）", north="第二村民小组耕地田埂", ownership="组",
                      group_name="第三村民小组后湾自然村", status="集体统一经营", notes=PLACE, user=env.user)
        create_project(s, organisation_id=env.org.id, code="XM-2026-光伏-0001", name=NAME[:100], kind="光伏",
                       status="在建", started_on=date(2026, 3, 1), budget="12345678.90", tender_method="公开招标",
                       tender_winner=WINNER, tender_amount="12000000", tender_on=date(2026, 2, 1),
                       funding={"区级扶持资金": D("9876543.21"), "社会资本": D("8765432.10")}, user=env.user)
    return env


def test_every_assets_sheet_prints_every_value_whole(long_env: Env) -> None:
    env = long_env
    with env.db.begin("test") as s:
        built = [sheets.asset_register(s, env.org.id, env.book.id), sheets.resource_register(s, env.org.id),
                 sheets.asset_changes(s, env.book.id, "2026-01", "2026-03"),
                 sheets.project_list(s, env.org.id, 2026)]
        from desktop_app.core.services.assets import list_assets

        card = next(a for a in list_assets(s, env.org.id) if a.code == CODE)
        built.append(sheets.depreciation_schedule(s, card.id, "2026-12"))
    pages = _check_whole(built[0], min_pages=2)
    assert "98,765,432.10" in "".join(pages)  # a figure is never wrapped
    for sheet in built[1:]:
        _check_whole(sheet)


def test_a_page_never_carries_only_the_note(long_env: Env) -> None:
    with long_env.db.begin("test") as s:
        sheet = sheets.asset_register(s, long_env.org.id, long_env.book.id)
    seen = set()
    for n in range(len(sheet.rows) - 24, len(sheet.rows) + 1, 2):  # lengths across a page break
        cut = Sheet(**{**sheet.__dict__, "rows": sheet.rows[:n], "note": sheet.note * 4})
        pages = _text(sheet_pdf_bytes(cut))
        seen.add(len(pages))
        assert "说明" in pages[-1] and "合计" in pages[-1]  # the note never stands alone
        assert all("说明" not in p for p in pages[:-1])
    assert len(seen) > 1  # the lengths tried did cross a page break


def test_asset_sheets_carry_a_check_code_that_verify_sheet_checks(env: Env, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli import main

    env.asset("ZC-001", original_value=D("12345.67"))
    with env.db.begin("test") as s:
        from desktop_app.core.services.resources import create_parcel

        create_parcel(s, organisation_id=env.org.id, code="DK-001", name="后湾耕地", land_class="耕地",
                      area_mu=D("12.5000"), status="机动地", user=env.user)
    db, org = str(env.db.path), env.org.uscc
    outs = {}
    for name, extra in (("assets", []), ("resources", ["--period", "2026-10"]), ("projects", ["--period", "2026"]),
                        ("changes", ["--period", "2026-Q1"]), ("schedule", ["--asset", "ZC-001", "--period", "2026-12"])):
        out = tmp_path / f"{name}.pdf"
        assert main(["--user", "kj", "asset-report", name, "--org", org, *extra, "--out", str(out), "--db", db]) == 0
        with pdfplumber.open(out) as doc:
            assert all("校验码 SL2-" in (p.extract_text() or "") for p in doc.pages)
        outs[name] = out
    capsys.readouterr()
    for out in outs.values():
        assert main(["--user", "kj", "verify-sheet", str(out), "--db", db]) == 0
    assert capsys.readouterr().out.count("相符") == len(outs)
    with env.db.begin("test") as s:  # the books change: the printed sheet no longer agrees
        from desktop_app.core.services.resources import list_parcels, update_parcel

        update_parcel(s, list_parcels(s, env.org.id)[0].id, area_mu="13", user=env.user)
    assert main(["--user", "kj", "verify-sheet", str(outs["resources"]), "--db", db]) == 3
    assert "印 12.5000 / 现 13.0000" in capsys.readouterr().out


def test_stocktake_result_sheet_is_sealed_like_the_page_exports_it(env: Env, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli import main
    from desktop_app.core.services.stocktake import record_count, start_stocktake
    from desktop_app.reports.assets_pdf import write_sheet_pdf
    from desktop_app.reports.sealed_kinds import seal_asset_sheet

    card = env.asset("ZC-001")
    with env.db.begin("test") as s:
        take = start_stocktake(s, book_id=env.book.id, name="2026年度资产清查", started_on=date(2026, 11, 20), user=env.user)
        record_count(s, take.id, card.id, "相符", user=env.user)
        sheet = sheets.stocktake_result(s, take.id)
        seal = seal_asset_sheet(s, sheet, "stocktake", take_id=take.id)
    out = write_sheet_pdf(sheet, tmp_path / "st.pdf", seal)
    capsys.readouterr()
    assert main(["--user", "kj", "verify-sheet", str(out), "--db", str(env.db.path)]) == 0
    assert "相符" in capsys.readouterr().out


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
