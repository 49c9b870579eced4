"""The 年报（清产核资） page: shows each form as the platform gets it, follows the year and the
organisation picked on the left, says why a year has no tables, and exports the same workbook as
the CLI — all read on the database thread."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from PySide6.QtWidgets import QTableWidget

from desktop_app.core.services.annual_tables import annual_tables
from desktop_app.core.services.orgs import get_book, get_organisation
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import discover_pages
from desktop_app.ui.pages.annual_tables import AnnualTablesPage
from desktop_app.ui.settings import WindowSettings
from tests.annual.conftest import Town
from tests.ui.conftest import ShownBoxes, shown_boxes  # noqa: F401 (fixture)

DONGHU = "东湖村股份经济合作社"


def _page(qtbot: Any, town: Town, tmp_path: Path) -> AnnualTablesPage:
    ctx = AppContext(town.db, town.maker, WindowSettings(tmp_path / "window.json"))
    ctx.period = "2025-12"
    page = AnnualTablesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 520)
    page.show()
    qtbot.waitUntil(lambda: page.runner.active == 0, timeout=20_000)
    return page


def _column(grid: QTableWidget, c: int) -> list[str]:
    return [grid.item(r, c).text() for r in range(grid.rowCount())]


def _names(grid: QTableWidget) -> list[str]:
    return [grid.verticalHeaderItem(r).text() for r in range(grid.rowCount())]


def test_the_page_is_found_on_township_and_district_databases() -> None:
    [spec] = [p for p in discover_pages() if p.id == "annual_tables"]
    assert spec.site == "both" and spec.title == "年报（清产核资）"


def test_forms_follow_the_year_and_the_organisation(qtbot: Any, town: Town, tmp_path: Path) -> None:
    page = _page(qtbot, town, tmp_path)
    assert "2025年度　全部村（4个）：列入 3 个村" in page.status.text()
    assert "未列入（当年没有记账）：北坡村股份经济合作社" in page.status.text()
    assert [page.form_combo.itemText(i) for i in range(page.form_combo.count())] == [
        "基本情况", "资产负债表", "收益及收益分配表", "资产负债表（2004制度）", "收益及收益分配表（2004制度）",
        "收益分配", "固定资产清查", "资源性资产"]
    g = page.grid
    assert _names(g) == [DONGHU, "西岭村股份经济合作社", "阳光街道合计", "南塘村股份经济合作社", "月湖镇合计", "总计"]
    heads = [g.horizontalHeaderItem(c).text() for c in range(g.columnCount())]
    assert heads[:3] == ["区划代码", "会计制度", "账套"]
    assert _column(g, heads.index("经营性收入"))[-1] == "8,000.00"
    assert g.item(5, 1).font().bold() and g.verticalHeaderItem(5).font().bold() and not g.item(0, 1).font().bold()
    page.form_combo.setCurrentIndex(7)
    heads = [g.horizontalHeaderItem(c).text() for c in range(g.columnCount())]
    assert _column(g, heads.index("土地面积合计（亩）"))[0] == "42.85"

    page.year_spin.setValue(2024)  # no books that year: the page says so and shows nothing
    qtbot.waitUntil(lambda: page.runner.active == 0, timeout=20_000)
    assert "2024年没有任何村记账" in page.status.text() and g.rowCount() == 0 and page.form_combo.count() == 0

    page.year_spin.setValue(2025)
    qtbot.waitUntil(lambda: page.runner.active == 0, timeout=20_000)
    with town.db.read() as s:
        org, book = get_organisation(s, town.orgs["东湖"]), get_book(s, town.books["东湖"])
    page.ctx.set_selection(org, book)
    assert page.scope_combo.count() == 2 and page.scope_combo.itemText(1) == DONGHU
    page.scope_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.runner.active == 0, timeout=20_000)
    assert _names(g) == [DONGHU]


def test_export_writes_the_clis_workbook(qtbot: Any, town: Town, tmp_path: Path, shown_boxes: ShownBoxes) -> None:  # noqa: F811
    page = _page(qtbot, town, tmp_path)
    out = tmp_path / "年报.xlsx"
    handle = page.write_export(out, 2025, None)
    qtbot.waitUntil(lambda: handle.done, timeout=20_000)
    assert shown_boxes.texts == [f"已导出年报：{out}"]
    with town.db.read() as s:
        expected = annual_tables(s, 2025)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [f.title for f in expected.forms] + ["说明"]
    basic = wb["基本情况"]
    assert [c.value for c in basic["B"]][1:] == [r.name for r in expected.form("basic").rows]


def test_a_change_elsewhere_reloads_the_shown_page(qtbot: Any, town: Town, tmp_path: Path) -> None:
    page = _page(qtbot, town, tmp_path)
    g = page.grid
    heads = [g.horizontalHeaderItem(c).text() for c in range(g.columnCount())]
    assert _column(g, heads.index("经营性收入"))[-1] == "8,000.00"
    town.vouch("南塘", date(2025, 9, 1), ("101", "500.00", "0"), ("50101", "0", "500.00"))
    page.ctx.notify("voucher", ())
    qtbot.waitUntil(lambda: page.runner.active == 0 and _column(g, heads.index("经营性收入"))[-1] == "8,500.00",
                    timeout=20_000)
