"""District reports through the CLI on real files (issue #13): PDFs read back with pdfplumber, xlsx
with openpyxl; the printed figures equal each village's own 收支明细表 and every total is the sum
of what is printed above it; the boundaries and both income definitions are stated."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook

from desktop_app.cli import main
from desktop_app.core.money import format_amount
from tests.district.conftest import HandTown
from tests.district.test_stats import EXPECTED_2026, book_hand, own_statement_figures
from tests.pg_support import both_engines
from tests.ui.conftest import ShownBoxes, shown_boxes  # noqa: F401  (message boxes that never block)

D = Decimal
SERIES_1 = (0.180392, 0.427451, 0.705882)  # 经营性收入's bars (#2E6DB4)


def _db(h: HandTown) -> str:
    return h.db_arg  # the district file, or the PostgreSQL URL of its copy


def _text(pdf: Path) -> str:
    with pdfplumber.open(pdf) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def _amounts(line: str) -> list[Decimal]:
    return [D(x.replace(",", "")) for x in re.findall(r"-?\d[\d,]*\.\d\d(?!\d)", line)]


@pytest.fixture
def carried(hand_town: HandTown, monkeypatch: pytest.MonkeyPatch) -> HandTown:
    from desktop_app.core.services.users import create_user

    book_hand(hand_town)
    with hand_town.district.begin() as s:  # a sealed PDF and the settings are writes: they need a login
        create_user(s, username="quji", display_name="区经管站", password="secret1", roles=["district_admin"])
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    hand_town.carry()
    return hand_town


REPORT = ["--user", "quji", "district", "report"]


@both_engines
def test_tiers_pdf_states_its_basis_and_ties_to_the_villages_statements(carried: HandTown, tmp_path: Path) -> None:
    h = carried
    out = tmp_path / "tiers.pdf"
    assert main([*REPORT, "tiers", "--db", _db(h), "--year", "2026", "--out", str(out)]) == 0
    text = _text(out)
    assert "收入分档统计表" in text and "编制单位：江宁区经管站" in text and "2026年" in text
    assert "分档界限（万元）：0 / 5 / 10 / 20 / 50 / 100" in text
    assert "经营性收入：2023版科目 501经营收入＋502投资收益；2004版科目 501经营收入＋511发包及上交收入＋561投资收益" in text
    assert "总收入：2023版科目 501经营收入＋502投资收益＋503补助收入＋504其他收入" in text
    lines = text.splitlines()
    district = [x for x in lines if x.startswith("全区合计")]
    assert district[0].split()[1:16] == ["4", "1", "25.0", "1", "25.0", "1", "25.0", "0", "0.0", "0", "0.0", "0", "0.0",
                                         "1", "25.0"]
    assert _amounts(district[0]) == [D("1100000.00")] and _amounts(district[1]) == [D("1315000.00")]
    # each village's printed figures are its own 收支明细表's, and the 合计 line adds up what is printed
    printed: dict[str, list[Decimal]] = {}
    for short, org in h.orgs.items():
        row = next(x for x in lines if f"{short}村股份经济合作社" in x)
        printed[short] = _amounts(row)
        op, total = own_statement_figures(h.town, org, "2026-01", "2026-12")
        assert printed[short][:2] == [op, total] == list(EXPECTED_2026[short])
    assert "5–10万" in next(x for x in lines if "西岭村" in x) and "-54.2" in next(x for x in lines if "西岭村" in x)
    total_line = next(x for x in lines if x.startswith("合计 4个村"))
    assert _amounts(total_line) == [sum((v[0] for v in printed.values()), D(0)), sum((v[1] for v in printed.values()), D(0)),
                                    D("160000.00"), D("940000.00")]  # 上年 40000 + 120000 + 0 + 0
    assert format_amount(D("-65000")) in next(x for x in lines if "西岭村" in x)


@both_engines
def test_tiers_pdf_draws_a_bar_chart_of_the_counts(carried: HandTown, tmp_path: Path) -> None:
    out = tmp_path / "tiers.pdf"
    assert main([*REPORT, "tiers", "--db", _db(carried), "--year", "2026", "--out", str(out)]) == 0
    with pdfplumber.open(out) as doc:
        bars = [r for page in doc.pages for r in page.rects
                if tuple(r.get("non_stroking_color") or ()) == SERIES_1 and r["height"] > 10.5]
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    assert "全区村级集体经济组织收入分档（2026年）" in text and "经营性收入" in text
    # four tiers hold one village each (无经营收益, <5万, 5–10万, ≥100万): four bars of one height
    assert len(bars) == 4 and len({round(b["height"], 1) for b in bars}) == 1


@both_engines
def test_tiers_xlsx_has_numbers_print_setup_and_a_chart(carried: HandTown, tmp_path: Path) -> None:
    out = tmp_path / "tiers.xlsx"
    assert main([*REPORT, "tiers", "--db", _db(carried), "--year", "2026", "--month", "6",
                 "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["经营性收入分档", "总收入分档", "分档图表", "各村收入及分档"]
    ws = wb["经营性收入分档"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0].startswith("收入分档统计表") and "2026年1–6月累计" in rows[1][0]
    total = next(r for r in rows if r[0] == "全区合计")
    towns = [r for r in rows if r[0] in ("阳光街道", "月湖镇")]
    assert total[1] == 4 and total[1] == sum(r[1] for r in towns)
    assert D(str(total[-1])) == D("1105000") == sum(D(str(r[-1])) for r in towns)  # 45000 + 60000 + 1000000 + 0
    assert any("经营性收入：2023版科目 501经营收入＋502投资收益" in str(r[0]) for r in rows)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1 and ws.print_title_rows
    assert ws.cell(row=4, column=2).number_format == "0" and ws.cell(row=4, column=4).number_format == "0.0"
    v = [[c.value for c in r] for r in wb["各村收入及分档"].iter_rows()]
    west = next(r for r in v if r[1] == "西岭村股份经济合作社")
    assert (D(str(west[2])), west[3], D(str(west[4]))) == (D("60000"), "5–10万", D("60000"))
    assert wb["各村收入及分档"].cell(row=4, column=3).number_format == "#,##0.00"
    assert len(wb["分档图表"]._charts) == 1


@both_engines
def test_disclosure_distribution_and_contract_reports(carried: HandTown, tmp_path: Path) -> None:
    h = carried
    db = _db(h)
    assert main([*REPORT, "disclosure", "--db", db, "--year", "2026", "--month", "11",
                 "--as-of", "2026-12-20", "--out", str(tmp_path / "d.pdf")]) == 0
    text = _text(tmp_path / "d.pdf")
    assert "财务公开情况统计表" in text and "2026年11月财务公开情况（截止日：2026年12月10日）" in text
    assert "次月10日前" in text and "判断日期：2026年12月20日" in text
    # no village of the hand-made township posted: every book (4 own + 1 committee) is listed, past the 10th
    assert re.search(r"全区合计 5 0 0 5 5 4", text)
    assert "四、" not in text and text.count("2026-11 未生成") == 5
    assert main([*REPORT, "distribution", "--db", db, "--year", "2026", "--as-of", "2027-05-01",
                 "--out", str(tmp_path / "p.xlsx")]) == 0
    wb = load_workbook(tmp_path / "p.xlsx")
    rows = [[c.value for c in r] for r in wb["分配进度汇总"].iter_rows()]
    assert next(r for r in rows if r[0] == "全区合计")[1:] == [4, 0, 0, 4, 0, 4]
    assert any("截止日期：2027年4月30日" in str(r[0]) for r in rows)
    assert main([*REPORT, "contracts", "--db", db, "--year", "2026", "--as-of", "2026-12-02",
                 "--out", str(tmp_path / "c.pdf")]) == 0
    text = _text(tmp_path / "c.pdf")  # judged on the day asked, not at the year's end
    assert "合同监管清单" in text and "截至日期：2026年12月2日" in text and re.search(r"全区合计 0 0 0 0 0 0.00", text)
    assert main([*REPORT, "contracts", "--db", db, "--year", "2025", "--as-of", "2026-12-02",
                 "--out", str(tmp_path / "c25.pdf")]) == 0
    assert "截至日期：2025年12月31日" in _text(tmp_path / "c25.pdf")  # a past year: at its end


@both_engines
def test_district_command_refuses_a_township_database(carried: HandTown, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.pdf"
    assert main(["district", "report", "tiers", "--db", str(carried.town.path), "--year", "2026",
                 "--out", str(out)]) == 1
    assert "用于区级数据库" in capsys.readouterr().err and not out.exists()
    assert main([*REPORT, "tiers", "--db", _db(carried), "--year", "2026", "--out",
                 str(tmp_path / "t.txt")]) == 1
    assert "输出文件应为 .pdf 或 .xlsx" in capsys.readouterr().err


@both_engines
def test_settings_command_changes_what_the_reports_use(carried: HandTown, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = _db(carried)  # changing the settings needs a logged-in user (issue #16): quji
    assert main(["--user", "quji", "district", "settings", "--db", db, "--tiers", "0,5,50"]) == 0
    assert "无经营收益、<5万、5–50万、≥50万" in capsys.readouterr().out
    assert main(["--user", "quji", "district", "settings", "--db", db, "--tiers", "5,x"]) == 1
    assert "不是数字" in capsys.readouterr().err
    out = tmp_path / "t.xlsx"
    assert main([*REPORT, "tiers", "--db", db, "--year", "2026", "--out", str(out)]) == 0
    rows = [[c.value for c in r] for r in load_workbook(out)["经营性收入分档"].iter_rows()]
    assert any("分档界限（万元）：0 / 5 / 50" in str(r[0]) and "区级设置" not in str(r[0]) for r in rows)
    assert any("分档与口径为区级设置" in str(r[0]) for r in rows)
    total = next(r for r in rows if r[0] == "全区合计")
    assert total[1:10] == [4, 1, 25.0, 1, 25.0, 1, 25.0, 1, 25.0]


@both_engines
def test_the_same_figures_give_the_same_pdf_bytes(carried: HandTown) -> None:
    from desktop_app.reports.district_pdf import district_pdf_bytes
    from desktop_app.reports.district_sheets import build_doc

    with carried.view.read("区统计员") as s:
        docs = [build_doc(s, "tiers", 2026, 1, organisation="江宁区经管站") for _ in range(2)]
    assert docs[0].period_label == "2026年1月"
    assert district_pdf_bytes(docs[0]) == district_pdf_bytes(docs[1])


@both_engines
def test_a_whole_year_reports_disclosure_up_to_the_month_falling_due(carried: HandTown, tmp_path: Path) -> None:
    """On 2 December the month falling due is November (by 10 December): December is not listed
    as missing; a past year covers all twelve months."""
    from datetime import date

    from desktop_app.core.services.district_oversight import due_month

    assert due_month(date(2026, 12, 2)) == (2026, 11) and due_month(date(2027, 1, 5)) == (2026, 12)
    db = _db(carried)
    assert main([*REPORT, "disclosure", "--db", db, "--year", "2026", "--as-of", "2026-12-02",
                 "--out", str(tmp_path / "d.pdf")]) == 0
    text = _text(tmp_path / "d.pdf")
    assert "2026年1–11月" in text and "2026年11月财务公开情况（截止日：2026年12月10日）" in text
    assert "2026年12月财务公开" not in text
    assert main([*REPORT, "disclosure", "--db", db, "--year", "2025", "--as-of", "2026-12-02",
                 "--out", str(tmp_path / "d25.pdf")]) == 0
    assert "2025年12月财务公开情况" in _text(tmp_path / "d25.pdf")


def _qr_payloads(pdf: Path) -> list[str]:
    """Every QR code a real decoder reads off the rendered pages, page by page."""
    import pypdfium2 as pdfium
    import zxingcpp

    doc = pdfium.PdfDocument(pdf)
    try:
        return [code.text for page in doc for code in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    finally:
        doc.close()


@both_engines
def test_a_district_pdf_carries_the_seal_and_verify_sheet_fails_after_a_new_package(
        carried: HandTown, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.reports.sealing import find_codes

    h = carried
    out = tmp_path / "tiers.pdf"
    assert main([*REPORT, "tiers", "--db", _db(h), "--year", "2026", "--out", str(out)]) == 0
    (code,) = find_codes(capsys.readouterr().out)
    with pdfplumber.open(out) as doc:
        pages = [page.extract_text() or "" for page in doc.pages]
    assert len(pages) >= 2 and all(f"校验码 {code}" in p for p in pages)  # every page: filed one by one
    payloads = _qr_payloads(out)
    assert len(payloads) == len(pages)
    assert set(payloads) == {f"阳光台账收入分档统计表 · 江宁区经管站 · 2026年 · 校验码 {code}"}
    assert main(["verify-sheet", str(out), "--db", _db(h)]) == 0
    assert "相符：阳光台账收入分档统计表" in capsys.readouterr().out
    assert main(["verify-sheet", "--payload", payloads[0], "--db", _db(h)]) == 0
    capsys.readouterr()

    if h.pg.engine_kind == "sqlite":  # a later package: 南塘's November income
        h.vouch("南塘", date(2026, 11, 20), ("102", "3000", "0"), ("50101", "0", "3000"))
        h.carry()
    else:  # the PostgreSQL copy is re-made from the file on each carry (conftest): change it in place
        from sqlalchemy import text

        assert h.view is not None
        with h.view.engine.begin() as c:
            assert c.execute(text("UPDATE account_period_total SET credit = credit + 300000 WHERE period = '2026-01' "
                                  "AND account_id IN (SELECT id FROM account WHERE code = '50101' AND book_id = :b)"),
                             {"b": h.books["南塘"]}).rowcount == 1
    assert main(["verify-sheet", str(out), "--db", _db(h)]) == 3
    said = capsys.readouterr().out
    assert "不符：阳光台账收入分档统计表" in said
    assert "经营性收入 印 1,000,000.00 / 现 1,003,000.00" in said  # the row and column that changed
    if h.pg.engine_kind == "sqlite":  # the district's record travels down in its package: the township takes it
        from tests.district.conftest import SyncPair

        _out, report = SyncPair(h.town, h.district, h.stick).carry(h.district, h.town)
        assert not report.problems, report.problems


@both_engines
def test_every_district_report_pdf_is_sealed(carried: HandTown, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(carried)
    for kind in ("disclosure", "distribution", "contracts"):
        out = tmp_path / f"{kind}.pdf"
        assert main([*REPORT, kind, "--db", db, "--year", "2026", "--as-of", "2026-12-20", "--out", str(out)]) == 0
        capsys.readouterr()
        assert "校验码 SL2-" in _text(out)
        assert main(["verify-sheet", str(out), "--db", db]) == 0, capsys.readouterr().out
        assert "相符" in capsys.readouterr().out


def test_a_district_pdf_needs_a_login(carried: HandTown, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.pdf"
    assert main(["district", "report", "tiers", "--db", _db(carried), "--year", "2026", "--out", str(out)]) == 1
    assert "需要登录" in capsys.readouterr().err and not out.exists()


def test_a_fresh_process_knows_the_district_report_kind() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from desktop_app.reports.sealing import document_kind; "
                                                 "document_kind('district_report')"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_pages_export_button_writes_a_sealed_pdf(carried: HandTown, tmp_path: Path, qtbot, shown_boxes: ShownBoxes,  # type: ignore[no-untyped-def]  # noqa: F811
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.reports.sealing import find_codes
    from desktop_app.ui.pages.district_tiers import DistrictTiersPage
    from tests.district.test_receipts_page import open_page

    page = open_page(carried, DistrictTiersPage, tmp_path, qtbot)
    out = page.write_export(tmp_path / "收入分档.pdf")
    assert out is not None and "已导出收入分档统计表" in shown_boxes.texts[-1]
    with pdfplumber.open(out) as doc:
        pages = [p.extract_text() or "" for p in doc.pages]
    (code,) = find_codes(pages[0])
    assert all(f"校验码 {code}" in p for p in pages) and _qr_payloads(out)[0].endswith(code)
    assert main(["verify-sheet", str(out), "--db", _db(carried)]) == 0
    assert "相符：阳光台账收入分档统计表 · 江宁区经管站 · 2026年" in capsys.readouterr().out
