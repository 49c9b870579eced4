"""The GUI as the district's program (issue #13): on a district database the main window shows
the district pages (and U盘同步/用户管理), never the township's; each page fills from the demo
district's real data (built by ``build_district_demo`` through the real export/import); township
data is read-only; 数据接收 names a village whose closed month was altered behind the program."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

import desktop_app.sync  # noqa: F401  (registers the district guard)
from db.engine import Database
from db.migrate import open_database
from desktop_app.core.demo.district import build_district_demo
from desktop_app.core.services.district_stats import tier_counts, village_income
from desktop_app.core.services.users import authenticate
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages import discover_pages
from desktop_app.ui.settings import WindowSettings
from tests.conftest import copy_of

DISTRICT_PAGES = ["district_overview", "district_tiers", "district_disclosure", "district_distribution",
                  "district_contracts", "district_assets", "district_receipts", "district_proposals"]
EDITING = ("新增", "修改", "删除", "保存", "作废", "记账")


@pytest.fixture(scope="module")
def district_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = build_district_demo(tmp_path_factory.mktemp("district_ui"), townships=2, villages=2, years=1)
    return made.district


@pytest.fixture
def district_db(district_template: Path, tmp_path: Path) -> Iterator[Database]:
    db = open_database(copy_of(district_template, tmp_path))
    yield db
    db.close()


def _window(qtbot, db: Database, tmp_path: Path, username: str = "quji") -> MainWindow:
    with db.begin() as s:
        user = authenticate(s, username, "demo1234")
    ctx = AppContext(db, user, WindowSettings(tmp_path / "window.json"))
    ctx.period = "2026-11"
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    first = win.page_widget(win.tabs.currentIndex())
    if hasattr(first, "runner"):  # the overview reads its oversight boxes in the background
        qtbot.waitUntil(lambda: first.runner.active == 0, timeout=20_000)
    return win


def _page(win: MainWindow, page_id: str):
    index = [p.id for p in win.pages].index(page_id)
    win.tabs.setCurrentIndex(index)
    return win.page_widget(index)


def test_the_district_database_opens_as_the_districts_program(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path, "admin")
    ids = [p.id for p in win.pages]
    shared = ("annual_tables", "sync", "users", "backups")  # 年报, 数据同步, 用户管理, 备份与恢复: both programs have them
    assert ids == DISTRICT_PAGES + [i for i in ids if i in shared]
    assert set(shared) <= set(ids)
    township_pages = {p.id for p in discover_pages() if p.site == "township"} - set(shared)
    assert township_pages and not township_pages & set(ids)
    assert "区级" in win.windowTitle() and "江宁区经管站" in win.windowTitle()
    assert [win.tabs.tabText(i) for i in range(len(DISTRICT_PAGES))] == [
        "全区概览", "收入分档", "财务公开情况", "收益分配进度", "合同监管", "资产资源汇总", "数据接收", "更正建议"]


def test_a_township_database_shows_no_district_page(qtbot, demo_db, tmp_path) -> None:
    win = _window(qtbot, demo_db, tmp_path, "admin")
    ids = [p.id for p in win.pages]
    assert not set(DISTRICT_PAGES) & set(ids)
    assert {"sync", "users", "orgs"} <= set(ids)


def test_overview_fills_from_the_districts_data(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path)
    page = _page(win, "district_overview")
    with district_db.read() as s:
        report = tier_counts(s, 2026)
    labels = [c.label for c in report.district.operating]
    assert page.chart.categories == labels and len(labels) == 7
    operating = dict(page.chart.series)["经营性收入"]
    assert operating == [c.count for c in report.district.operating]
    assert sum(operating) == sum(dict(page.chart.series)["总收入"]) == report.district.villages == 4
    last = page.tiers.rowCount() - 1
    assert page.tiers.item(last, 0).text() == "合计" and page.tiers.item(last, 1).text() == "4"
    assert "分档界限" in page.settings_label.text()
    assert page.oversight_task is not None  # disclosure, distribution and contracts: read in the background
    qtbot.waitUntil(lambda: "财务公开：" in page.disclosure_label.text(), timeout=20_000)
    assert "2026年10月财务公开" in page.disclosure_label.text()
    assert page.disclosure_list.count() == 4  # the demo posts no 财务公开: every village is listed
    assert "2026年度收益分配（4 个村）" in page.distribution_label.text()  # books begin 2026: nothing due for 2025
    assert "欠款" in page.contracts_label.text()
    packages = page.package_model.all_rows()
    assert sorted(p.township for p in packages) == ["东山街道", "秣陵街道"]
    assert all((p.totals, p.digests, p.audit) == ("✓", "✓", "✓") for p in packages)
    shot = page.grab()
    assert not shot.isNull() and shot.width() > 800


def test_tiers_drill_down_to_villages_and_their_months(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path)
    page = _page(win, "district_tiers")
    district_row = page.matrix.rowCount() - 1
    assert page.matrix.item(district_row, 0).text() == "全区"
    tiers = [c for c in range(2, page.matrix.columnCount() - 1)
             if not page.matrix.item(district_row, c).text().startswith("0（")]
    assert tiers
    seen = 0
    for column in tiers:
        page.open_tier(district_row, column)
        seen += len(page.village_model.all_rows())
    assert seen == 4
    row = page.village_model.all_rows()[0]
    page.open_village(row)
    months = page.month_model.all_rows()
    assert [m.period for m in months] == [f"2026-{m:02d}" for m in range(1, 13)]
    with district_db.read() as s:
        income = {v.village.organisation_id: v for v in village_income(s, 2026)}[row.village.organisation_id]
    assert sum((m.operating for m in months), Decimal(0)) == income.operating == row.amount
    assert sum((m.total for m in months), Decimal(0)) == income.total


def test_tiers_table_shows_every_row_on_a_small_screen(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path)
    win.resize(1229, 600)  # a 1366x768 screen less the taskbar and a big system font leave about this
    page = _page(win, "district_tiers")
    qtbot.waitUntil(lambda: page.matrix.isVisible())
    m = page.matrix
    needed = sum(m.rowHeight(r) for r in range(m.rowCount()))
    assert m.rowCount() == 3  # two townships and 全区
    assert m.viewport().height() >= needed, (m.viewport().height(), needed)


def test_oversight_pages_fill_and_offer_no_editing(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path)
    disclosure = _page(win, "district_disclosure")
    assert disclosure.month() == 10  # the month falling due in the working period 2026-11, as on the dashboard
    towns = disclosure.town_model.all_rows()
    assert [t.township for t in towns] == ["东山街道", "秣陵街道", "全区"]
    assert towns[-1].books_due == sum(t.books_due for t in towns[:-1]) > 0
    assert len(disclosure.line_model.all_rows()) == towns[-1].books_due
    distribution = _page(win, "district_distribution")
    assert distribution.year() == 2026 and distribution.town_model.all_rows()[-1].villages == 4
    contracts = _page(win, "district_contracts")
    town_lines = contracts.town_model.all_rows()
    assert town_lines[-1].findings == len(contracts.finding_model.all_rows()) > 0
    assert town_lines[-1].arrears_amount == sum(
        (r.installment.outstanding for r in contracts.arrears_model.all_rows()), Decimal(0)) > 0
    assets = _page(win, "district_assets")
    lines = assets.model.all_rows()
    assert len(lines) == 6 and sum(x.assets for x in lines) > 0  # 2 townships, each its 乡镇 and 2 村
    for page_id in DISTRICT_PAGES:
        page = _page(win, page_id)
        texts = [b.text() for b in page.findChildren(QPushButton)]
        assert not [t for t in texts if any(word in t for word in EDITING)], (page_id, texts)


def test_receipts_lists_packages_and_names_an_altered_village(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path)
    page = _page(win, "district_receipts")
    qtbot.waitUntil(lambda: page.check_task.done, timeout=30_000)  # the checks come from the task runner
    packages = page.package_model.all_rows()
    assert sorted(p.township for p in packages) == ["东山街道", "秣陵街道"]
    for p in packages:
        assert p.status == "✓" and p.debit == p.credit > 0 and p.vouchers > 100 and p.months > 0
        assert all(v.status == "✓" for v in p.villages) and len(p.villages) == 3
    assert [(t.audit_status, t.seal_status) for t in page.town_model.all_rows()] == [("✓", "✓")] * 2
    assert "全部 ✓" in page.summary.text()
    assert not page.grab().isNull()

    # a closed month's entry changed behind the program's back in the district's copy
    con = sqlite3.connect(district_db.path)
    try:
        book, name = con.execute(
            "SELECT v.book_id, o.name FROM voucher v JOIN period p ON p.book_id = v.book_id AND p.period = v.period "
            "JOIN book b ON b.id = v.book_id JOIN organisation o ON o.id = b.organisation_id "
            "WHERE p.status = 'closed' AND o.level = '村' ORDER BY v.period LIMIT 1").fetchone()
        con.execute("UPDATE entry SET debit = debit + 100 WHERE id = (SELECT e.id FROM entry e JOIN voucher v "
                    "ON v.id = e.voucher_id WHERE v.book_id = ? AND e.debit > 0 ORDER BY v.period LIMIT 1)", (book,))
        con.commit()
    finally:
        con.close()
    page.reload()
    qtbot.waitUntil(lambda: page.check_task.done, timeout=30_000)
    bad = [t for t in page.town_model.all_rows() if t.seal_status != "✓"]
    assert len(bad) == 1 and "1 个村已结账月份封存不符" in bad[0].seal_status
    assert "有问题" in page.summary.text() and bad[0].township in page.summary.text()
    flagged = [v for v in bad[0].villages if v.status != "✓"]
    assert [v.name for v in flagged] == [name] and "封存不符" in flagged[0].status


def test_export_buttons_write_the_district_reports(qtbot, district_db, tmp_path, shown_boxes) -> None:
    import openpyxl
    import pdfplumber

    win = _window(qtbot, district_db, tmp_path)
    tiers = _page(win, "district_tiers")
    assert not tiers.pdf_button.isHidden() and not tiers.xlsx_button.isHidden()
    pdf = tiers.write_export(tmp_path / "tiers.pdf")
    assert pdf is not None and "已导出收入分档统计表" in shown_boxes.texts[-1]
    with pdfplumber.open(pdf) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
    assert "收入分档" in text and "全区" in text and "东山街道" in text and "分档界限" in text
    for page_id in ("district_tiers", "district_disclosure", "district_distribution", "district_contracts"):
        page = _page(win, page_id)
        out = page.write_export(tmp_path / f"{page_id}.xlsx")
        assert out is not None, shown_boxes.texts[-1]
        book = openpyxl.load_workbook(out)
        cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
        assert any("东山街道" in c for c in cells) or page_id == "district_contracts", page_id
    for page_id in ("district_overview", "district_assets", "district_receipts"):
        page = _page(win, page_id)
        assert page.pdf_button.isHidden() and page.xlsx_button.isHidden()  # no district report of their own


def test_today_is_used_as_the_as_of_date_for_the_current_year(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path)
    contracts = _page(win, "district_contracts")
    contracts.year_spin.setValue(date.today().year - 1)
    assert contracts.as_of() == date(date.today().year - 1, 12, 31)


def test_bar_chart_draws_counts_and_refuses_ragged_series(qtbot) -> None:
    from desktop_app.ui.charts import BarChart

    chart = BarChart("测试")
    qtbot.addWidget(chart)
    chart.resize(400, 240)
    empty = chart.grab().toImage()
    assert not empty.isNull()  # "（无数据）" drawn, no division by zero
    chart.set_data(["无", "<5万", "≥5万"], [("经营性收入", [0, 3, 1]), ("总收入", [1, 2, 1])])
    image = chart.grab().toImage()
    coloured = {image.pixelColor(x, y).name() for x in range(0, 400, 2) for y in range(0, 240, 2)}
    assert {"#3b7dd8", "#e8833a"} <= coloured  # both series' bars are painted
    assert "经营性收入：无 0，<5万 3，≥5万 1" in chart.toolTip()
    with pytest.raises(ValueError):
        chart.set_data(["a", "b"], [("x", [1])])
