"""District pages on a 1366x768 screen (window 1229x691): organisation names, dates and times are
not cut in their columns (the column is as wide as its text, or the cut cell has a tooltip), and
全区概览's 分档村数及占比 table shows all its rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

import desktop_app.sync  # noqa: F401  (registers the district guard)
from db.engine import Database
from db.migrate import open_database
from desktop_app.core.demo.district import build_district_demo
from desktop_app.core.services.users import authenticate
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.tables import FIT_MAX_WIDTH, FIT_PADDING, RowTableModel, TextColumnFitter
from tests.conftest import copy_of

PAGES = ["district_overview", "district_disclosure", "district_distribution", "district_contracts",
         "district_assets", "district_receipts", "district_proposals", "district_tiers"]


@pytest.fixture(scope="module")
def district_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_district_demo(tmp_path_factory.mktemp("district_cols"), townships=2, villages=3, years=1).district


@pytest.fixture
def district_db(district_template: Path, tmp_path: Path) -> Iterator[Database]:
    db = open_database(copy_of(district_template, tmp_path))
    yield db
    db.close()


def _window(qtbot, db: Database, tmp_path: Path) -> MainWindow:
    with db.begin() as s:
        user = authenticate(s, "quji", "demo1234")
    ctx = AppContext(db, user, WindowSettings(tmp_path / "window.json"))
    ctx.period = "2026-11"
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1229, 691)
    win.show()
    qtbot.waitExposed(win)
    first = win.page_widget(win.tabs.currentIndex())
    if hasattr(first, "runner"):
        qtbot.waitUntil(lambda: first.runner.active == 0, timeout=20_000)
    return win


def _page(win: MainWindow, page_id: str):
    index = [p.id for p in win.pages].index(page_id)
    win.tabs.setCurrentIndex(index)
    QApplication.processEvents()
    return win.page_widget(index)


def _cut_cells(view: LedgerView) -> list[str]:
    """Name/date/time cells whose text is wider than their column and that have no tooltip."""
    table, model = view.table, view.model()
    fm = table.fontMetrics()
    cut = []
    for c, column in enumerate(model.columns):
        if not column.fits_text:
            continue
        room = table.columnWidth(c) - FIT_PADDING
        for r in range(model.rowCount()):
            index = model.index(r, c)
            text = model.data(index, Qt.ItemDataRole.DisplayRole)
            if fm.horizontalAdvance(text) > room and model.data(index, Qt.ItemDataRole.ToolTipRole) != text:
                cut.append(f"{view.objectName()}.{column.key}: {text!r} ({fm.horizontalAdvance(text)} > {room})")
    return cut


def test_names_and_times_fit_their_columns_on_every_district_page(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path)
    checked = set()
    for page_id in PAGES:
        page = _page(win, page_id)
        if hasattr(page, "runner"):
            qtbot.waitUntil(lambda p=page: p.runner.active == 0, timeout=20_000)
        for view in page.findChildren(LedgerView):
            assert not _cut_cells(view), _cut_cells(view)
            model = view.model()
            for c, column in enumerate(model.columns):
                if column.fits_text and model.rowCount():
                    checked.add(column.key)
                    assert view.table.columnWidth(c) <= FIT_MAX_WIDTH
    assert {"township", "name", "village", "imported_at", "last_imported"} <= checked
    receipts = _page(win, "district_receipts")
    view = next(v for v in receipts.findChildren(LedgerView) if "imported_at" in [c.key for c in v.model().columns])
    c = view.model().column_index("imported_at")
    text = view.model().data(view.model().index(0, c), Qt.ItemDataRole.DisplayRole)
    assert len(text) >= 16  # "2026-12-03 05:41": the whole time shows
    assert view.table.fontMetrics().horizontalAdvance(text) <= view.table.columnWidth(c) - FIT_PADDING


def test_overview_tier_table_shows_all_its_rows_at_1229x691(qtbot, district_db, tmp_path) -> None:
    win = _window(qtbot, district_db, tmp_path)
    page = _page(win, "district_overview")
    table = page.tiers
    assert table.rowCount() == 8
    last = table.rowCount() - 1
    assert table.rowViewportPosition(0) >= 0
    assert table.rowViewportPosition(last) + table.rowHeight(last) <= table.viewport().height(), (
        table.viewport().height(), [table.rowHeight(r) for r in range(table.rowCount())])
    # laid out as tall as its rows ask, inside its box and above the settings line (not under it)
    assert table.height() >= table.minimumHeight() > 8 * table.rowHeight(0)
    box = table.parentWidget().parentWidget()
    top_left = table.mapTo(box, table.rect().topLeft())
    bottom = table.mapTo(box, table.rect().bottomLeft()).y()
    assert top_left.y() >= 0 and bottom < box.height()
    label = page.settings_label
    assert bottom < label.mapTo(box, label.rect().topLeft()).y() and label.mapTo(box, label.rect().bottomLeft()).y() < box.height()
    assert label.toolTip() and label.full_text().startswith(label.text().rstrip("…"))
    assert label.height() < 2 * label.fontMetrics().height()
    chart = page.chart.parentWidget()
    assert chart.height() >= chart.minimumSizeHint().height()
    packages = page.package_view
    assert not _cut_cells(packages)


def test_a_long_name_is_capped_elided_and_has_a_tooltip(qtbot, program_font) -> None:
    long = "某某市某某区某某街道某某社区股份经济合作社第一第二第三第四第五经济合作社联合社"
    model = RowTableModel([Column("name", "组织", "pinyin-text"), Column("n", "数", "int")],
                          [{"name": "李家庄村", "n": 1}, {"name": long, "n": 2}])
    view = LedgerView(model)
    qtbot.addWidget(view)
    fitter = TextColumnFitter(view.table)
    assert view.table.columnWidth(0) == FIT_MAX_WIDTH
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) == long
    model.set_rows([{"name": "李家庄村", "n": 1}])  # shorter data: the column follows it
    assert view.table.columnWidth(0) < FIT_MAX_WIDTH
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) is None
    view.table.setColumnWidth(0, 40)  # resized by hand: kept, and the cut cell gets its tooltip
    fitter.fit()
    assert view.table.columnWidth(0) == 40
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "李家庄村"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole) is None
    assert not model.data(QModelIndex(), Qt.ItemDataRole.ToolTipRole)


def test_the_fitter_follows_a_new_model(qtbot) -> None:
    columns = [Column("name", "组织", "pinyin-text")]
    view = LedgerView(RowTableModel(columns, [{"name": "李家庄村"}]))
    qtbot.addWidget(view)
    fitter = TextColumnFitter(view.table)
    narrow = view.table.columnWidth(0)
    view.table.setColumnWidth(0, 40)
    other = RowTableModel(columns, [{"name": "李家庄村股份经济合作社联合社"}])
    view.set_model(other)
    fitter.watch(other)  # a new model: fitted again, the hand-set width forgotten
    assert view.table.columnWidth(0) > narrow
    other.set_rows([{"name": "李家庄村"}])
    assert view.table.columnWidth(0) == narrow
