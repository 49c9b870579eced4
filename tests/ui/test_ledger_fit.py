"""Township lists fit their text columns (DESIGN-NOTES 72 for every ``LedgerView``): on a 1366x768
screen the 成员与分配, 合同, 资产 and 凭证 lists show names, dates and 合同名称 whole, unless the user
has saved a width for the column: a width the user dragged is kept, saved and restored, and wins
over the fit from then on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.services.users import authenticate
from desktop_app.ui.columns import Column, ColumnKind
from desktop_app.ui.context import AppContext
from desktop_app.ui.ledger_view import LedgerView, MemorySettings
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.tables import FIT_MAX_WIDTH, FIT_PADDING, RowTableModel

LONG = "西塘集体建设用地第三组承包合同"  # wider than its column's declared 60 px, narrower than the cap
TEXT_KINDS = (ColumnKind.TEXT, ColumnKind.PINYIN, ColumnKind.DATE)
COLUMNS = [Column("code", "编号", "text"), Column("name", "合同名称", "pinyin-text", width=60),
           Column("amount", "金额", "money", total=True), Column("day", "签订日期", "date"),
           Column("note", "备注", width=150)]


def _rows(name: str = LONG) -> list[dict[str, Any]]:
    import datetime as dt
    from decimal import Decimal

    return [{"code": "HT-2026-001", "name": "鱼塘", "amount": Decimal("1.00"), "day": dt.date(2026, 1, 2)},
            {"code": "HT-2026-002", "name": name, "amount": Decimal("2.00"), "day": dt.date(2026, 3, 4)}]


def _need(view: LedgerView, text: str) -> int:
    return view.table.fontMetrics().horizontalAdvance(text) + FIT_PADDING


def _cut_cells(view: LedgerView) -> list[str]:
    """Name/date cells wider than their column that have no tooltip (the district test's measure)."""
    table, model = view.table, view.model()
    fm = table.fontMetrics()
    cut = []
    for c, column in enumerate(model.columns):
        if column.column_kind not in TEXT_KINDS or table.isColumnHidden(c):
            continue
        room = table.columnWidth(c) - FIT_PADDING
        for r in range(min(model.rowCount(), 500)):
            index = model.index(r, c)
            text = model.data(index, Qt.ItemDataRole.DisplayRole) or ""
            if fm.horizontalAdvance(text) > room and model.data(index, Qt.ItemDataRole.ToolTipRole) != text:
                cut.append(f"{view.objectName()}.{column.key}: {text!r} ({fm.horizontalAdvance(text)} > {room})")
    return cut


def test_a_long_name_is_not_cut_when_no_width_is_saved(qtbot) -> None:
    settings = MemorySettings()
    view = LedgerView(RowTableModel(COLUMNS, _rows()), settings=settings, settings_key="table:t")
    qtbot.addWidget(view)
    name = view.model().column_index("name")
    assert view.table.columnWidth(name) >= _need(view, LONG)
    assert view.table.columnWidth(name) <= FIT_MAX_WIDTH
    day = view.model().column_index("day")
    assert view.table.columnWidth(day) >= _need(view, "2026-03-04")
    assert view.footer.columnWidth(name) == view.table.columnWidth(name)
    assert view.table.columnWidth(4) == 150  # a declared width is the least width: empty notes keep it
    assert not _cut_cells(view)
    # a sort is saved, but the fitted widths are not the user's: the next view fits its own data
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    view.save_state()
    assert settings.get("table:t")["widths"] == {}
    again = LedgerView(RowTableModel(COLUMNS, _rows("鱼塘")), settings=settings, settings_key="table:t")
    qtbot.addWidget(again)
    assert again.table.columnWidth(name) < _need(view, LONG)
    again.model().set_rows(_rows())  # a reload with longer data: fitted again
    assert again.table.columnWidth(name) >= _need(view, LONG)


def test_a_width_the_user_saved_survives_fits_and_reloads(qtbot) -> None:
    settings = MemorySettings()
    view = LedgerView(RowTableModel(COLUMNS, _rows()), settings=settings, settings_key="table:t")
    qtbot.addWidget(view)
    name = view.model().column_index("name")
    view.table.horizontalHeader().resizeSection(name, 90)  # the user's drag
    view.model().set_rows(_rows())  # a reload does not undo it …
    assert view.table.columnWidth(name) == 90
    assert view.model().data(view.model().index(1, name), Qt.ItemDataRole.ToolTipRole) == LONG  # … the cut cell has its tooltip
    view.save_state()
    assert settings.get("table:t")["widths"] == {"name": 90}

    again = LedgerView(RowTableModel(COLUMNS, _rows()), settings=settings, settings_key="table:t")
    qtbot.addWidget(again)
    assert again.table.columnWidth(name) == 90  # restored, not fitted
    assert again.table.columnWidth(0) >= _need(again, "HT-2026-002")  # the others still fit
    again.model().set_rows(_rows())
    again.set_model(RowTableModel(COLUMNS, _rows()))  # a page that rebuilds its model keeps it too
    assert again.table.columnWidth(name) == 90
    assert again.footer.columnWidth(name) == 90
    again.save_state()
    assert settings.get("table:t")["widths"] == {"name": 90}


def test_widths_saved_before_fitting_existed(qtbot) -> None:
    """The old state saved every column's width: one at the header's default size was never chosen
    (it is fitted); any other width was dragged by the user and is kept."""
    settings = MemorySettings()
    probe = LedgerView(RowTableModel(COLUMNS))
    qtbot.addWidget(probe)
    default = probe.table.horizontalHeader().defaultSectionSize()
    settings.set("table:t", {"widths": {"code": default, "name": default, "amount": default, "day": 130},
                             "order": ["code", "name", "amount", "day"], "sort": None})
    view = LedgerView(RowTableModel(COLUMNS, _rows()), settings=settings, settings_key="table:t")
    qtbot.addWidget(view)
    assert view.table.columnWidth(1) >= _need(view, LONG)
    assert view.table.columnWidth(3) == 130
    assert view.table.columnWidth(2) == default  # a money column is never fitted
    view.save_state()
    assert settings.get("table:t")["widths"] == {"day": 130}


def test_a_view_without_settings_keeps_a_drag_across_a_new_model(qtbot) -> None:
    view = LedgerView(RowTableModel(COLUMNS, _rows()))
    qtbot.addWidget(view)
    view.table.horizontalHeader().resizeSection(1, 70)
    view.set_model(RowTableModel(COLUMNS, _rows()))
    assert view.table.columnWidth(1) == 70
    assert view.table.columnWidth(0) >= _need(view, "HT-2026-002")


# -- the township pages at 1366x768 --------------------------------------------------------------
@pytest.fixture
def window(qtbot: Any, demo_db: Any, tmp_path: Path, program_font: None) -> MainWindow:
    with demo_db.begin() as s:
        user = authenticate(s, "admin", "demo1234")
    ctx = AppContext(demo_db, user, WindowSettings(tmp_path / "window.json"))
    ctx.period = "2026-11"
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1229, 691)  # maximised on a 1366x768 screen
    win.show()
    qtbot.waitExposed(win)
    town = win.tree.topLevelItem(0)
    assert town is not None
    village = town.child(town.childCount() - 1)
    assert village is not None
    win.tree.setCurrentItem(village)
    return win


def _wait_page(win: MainWindow, page_id: str, qtbot: Any) -> Any:
    win.show_page_id(page_id)
    index = next(i for i, p in enumerate(win.pages) if p.id == page_id)
    page = win.page_widget(index)
    assert page is not None
    qtbot.waitUntil(page.isVisible)
    if hasattr(page, "runner"):
        qtbot.waitUntil(lambda: page.runner.active == 0, timeout=20_000)
    QApplication.processEvents()
    return page


@pytest.mark.parametrize("page_id", ["members", "contracts", "assets", "vouchers"])
def test_township_lists_show_names_and_dates_whole(window: MainWindow, qtbot: Any, page_id: str) -> None:
    page = _wait_page(window, page_id, qtbot)
    if os.environ.get("SCREENSHOT_DIR"):
        window.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], f"ledger_fit_{page_id}.png"))
    views = [v for v in page.findChildren(LedgerView) if v.isVisible()]
    assert views and any(v.model().rowCount() for v in views)
    for view in page.findChildren(LedgerView):
        assert not _cut_cells(view), _cut_cells(view)
