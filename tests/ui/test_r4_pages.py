"""R4 review, the pages: 年报's 导出Excel has its Alt key and its counts (户数, 成员数) their thousands
separators as the amounts beside them; the 凭证 page's ten columns fit the page at the first-start
window size (1152x921) and at 1280 (the 摘要 takes what the others leave, elided with a tooltip);
the login's demo hint names every demo account by its role, 监督 included. The demo database,
real widgets offscreen, in the program's own font."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.demo.users import DEMO_PASSWORD, DEMO_USERS
from desktop_app.core.services.auth import ROLES
from desktop_app.core.services.users import authenticate
from desktop_app.ui.context import AppContext
from desktop_app.ui.login import DEMO_HINT
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages import annual_tables as annual_mod
from desktop_app.ui.pages.funds_vouchers import SUMMARY, VouchersPage
from desktop_app.ui.settings import WindowSettings


def _ctx(db: Any, tmp_path: Path, username: str = "kuaiji") -> AppContext:
    with db.begin() as s:
        user = authenticate(s, username, DEMO_PASSWORD)
    return AppContext(db, user, WindowSettings(tmp_path / f"{username}.json"))


def test_annual_export_has_its_alt_key_and_counts_their_separators(qtbot: Any, demo_db: Any, tmp_path: Path) -> None:
    assert annual_mod._shown(12836, "int") == "12,836" and annual_mod._shown(Decimal("12836.5"), "money") == "12,836.50"
    page = annual_mod.AnnualTablesPage(_ctx(demo_db, tmp_path))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.runner.active == 0, timeout=20_000)
    assert page.export_button.text() == "导出Excel(&X)" and page.refresh_button.text() == "刷新(&R)"
    assert page.tables is not None, page.status.text()
    seen = 0
    for form in page.tables.forms:
        ints = [i for i, c in enumerate(form.columns) if c.kind == "int"]
        if not ints:
            continue
        page.form_combo.setCurrentIndex(page.form_combo.findData(form.key))
        for r, row in enumerate(form.rows):
            for i in ints:
                value = row.values[i]
                if value is not None:
                    assert page.grid.item(r, len(annual_mod.LEADING) + i).text() == f"{int(value):,}"
                    seen += 1
    assert seen, "the forms have counts (户数, 成员数)"


@pytest.mark.parametrize("size", [(1152, 921), (1280, 964)])
def test_the_voucher_columns_fit_the_page(qtbot: Any, demo_db: Any, tmp_path: Path, program_font: None,
                                          size: tuple[int, int]) -> None:
    ctx = _ctx(demo_db, tmp_path)
    ctx.period = "2026-11"  # a month with vouchers of every kind the demo makes
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    town = win.tree.topLevelItem(0)
    win.tree.setCurrentItem(town.child(town.childCount() - 1))
    win.show_page_id("vouchers")
    page = win.page_widget(win.tabs.currentIndex())
    assert isinstance(page, VouchersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    QApplication.processEvents()
    table = page.view.table
    widths = [table.columnWidth(i) for i in range(page.model.columnCount())]
    assert sum(widths) <= table.viewport().width(), widths  # 特殊事项, the last, in sight: nothing to scroll to
    assert table.horizontalScrollBar().maximum() == 0
    assert widths[SUMMARY] >= 200
    fm = table.fontMetrics()
    for r in range(page.model.rowCount()):  # a 摘要 the column elides shows whole in its tooltip
        index = page.model.index(r, SUMMARY)
        text = page.model.data(index, Qt.ItemDataRole.DisplayRole)
        assert page.model.data(index, Qt.ItemDataRole.ToolTipRole) == text
    for c, column in enumerate(page.model.columns):  # the other texts whole
        if c == SUMMARY or column.column_kind.value not in ("text", "pinyin-text", "date"):
            continue
        for r in range(page.model.rowCount()):
            text = page.model.data(page.model.index(r, c), Qt.ItemDataRole.DisplayRole) or ""
            assert fm.horizontalAdvance(text) <= widths[c], (column.header, text)
    win.grab().save(str(tmp_path / f"vouchers_{size[0]}.png"))


def test_the_demo_hint_names_each_account_by_its_role() -> None:
    for username, _name, roles in DEMO_USERS:
        assert f"{username}（{'、'.join(ROLES[r] for r in roles)}）" in DEMO_HINT
    assert "jiandu（监督）" in DEMO_HINT and DEMO_PASSWORD in DEMO_HINT and "等" not in DEMO_HINT
