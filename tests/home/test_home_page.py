"""首页 offscreen on the demo: the window opens on it, every due item is shown with its button,
a button shows its page, the chart has a bar per month for income and expense, and a village
scope shows that village's tier."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import select

from db.engine import Database
from db.models import Book
from desktop_app.core.services.depreciation import run_depreciation
from desktop_app.core.services.home import home_overview, home_scopes
from desktop_app.core.services.users import authenticate
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.home import DueRow, HomePage
from desktop_app.ui.settings import WindowSettings


def _window(qtbot, db: Database, tmp_path: Path) -> tuple[MainWindow, HomePage]:
    with db.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
    settings = WindowSettings(tmp_path / "window.json")
    settings.set("last_page", "contracts")  # 首页 comes first after login all the same
    win = MainWindow(AppContext(db, user, settings))
    qtbot.addWidget(win)
    win.resize(1400, 880)
    win.show()
    assert win.pages[0].id == "home" and win.tabs.currentIndex() == 0
    page = win.page_widget(0)
    assert isinstance(page, HomePage)
    qtbot.waitUntil(lambda: page.overview is not None and page.runner.active == 0, timeout=30_000)
    return win, page


def test_home_page_shows_the_due_items_and_goes_to_their_pages(qtbot, demo_db: Database, tmp_path: Path) -> None:
    win, page = _window(qtbot, demo_db, tmp_path)
    rows = page.findChildren(DueRow)
    assert [r.item.key for r in rows] == ["close", "post", "disclosure", "distribution", "expiring", "arrears",
                                         "deposits", "depreciation"]  # 待记账凭证: kuaiji is the 记账员
    with demo_db.read() as s:
        expected = home_overview(s, home_scopes(s)[0], page.overview.as_of, user=page.ctx.user)
    for row in rows:
        text = row.findChild(QLabel, "summary").text()
        assert text == expected.item(row.item.key).summary
    contracts = next(r for r in rows if r.item.key == "arrears")
    assert contracts.button.text() == "前往合同"
    qtbot.mouseClick(contracts.button, Qt.MouseButton.LeftButton)
    assert win.pages[win.tabs.currentIndex()].id == "contracts"
    close = next(r for r in rows if r.item.key == "close")
    qtbot.mouseClick(close.button, Qt.MouseButton.LeftButton)
    assert win.pages[win.tabs.currentIndex()].id == "vouchers"
    win.grab().save(str(tmp_path / "home.png"))


def test_chart_has_twelve_months_of_income_and_expense(qtbot, demo_db: Database, tmp_path: Path) -> None:
    _win, page = _window(qtbot, demo_db, tmp_path)
    sets = page.chart.bar_sets()
    assert [s.label() for s in sets] == ["收入", "支出"]
    assert [s.count() for s in sets] == [12, 12]
    months = page.overview.months
    assert [round(sets[0].at(i) * 10000, 2) for i in range(12)] == [float(m.income) for m in months]
    assert [round(sets[1].at(i) * 10000, 2) for i in range(12)] == [float(m.expense) for m in months]
    assert len(page.chart.x_axis.categories()) == 12
    image = page.chart.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert {"#3b7dd8", "#e8833a"} <= colours  # both series are painted


def test_a_village_scope_shows_its_tier(qtbot, demo_db: Database, tmp_path: Path) -> None:
    _win, page = _window(qtbot, demo_db, tmp_path)
    assert "按经营性收入分档" in page.income_label.text()
    village = next(i for i, s in enumerate(page.scopes) if s.kind == "village")
    page.scope_combo.setCurrentIndex(village)
    qtbot.waitUntil(lambda: page.overview is not None and page.overview.scope == page.scopes[village]
                    and page.runner.active == 0, timeout=30_000)
    text = page.income_label.text()
    assert "收入档次：本年至今" in text and page.overview.income.tier in text
    assert "按经营性收入分档" not in text
    assert all(isinstance(b, QPushButton) for b in (r.button for r in page.findChildren(DueRow)))


def test_the_page_follows_a_change_made_elsewhere(qtbot, demo_db: Database, tmp_path: Path) -> None:
    win, page = _window(qtbot, demo_db, tmp_path)
    before = page.overview.item("depreciation")
    assert before.count > 0
    village = next(s for s in page.scopes if s.kind == "village")
    with demo_db.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
        books = s.execute(select(Book.id).where(Book.organisation_id == village.organisation_ids[0])).scalars().all()
        for book_id in books:
            run_depreciation(s, book_id=book_id, period=f"{page.overview.as_of:%Y-%m}", user=user)
    first = page.overview
    win.ctx.notify("voucher")  # what the 资产 page announces after 计提折旧
    qtbot.waitUntil(lambda: page.overview is not first and page.runner.active == 0, timeout=30_000)
    after = page.overview.item("depreciation")
    assert after.count < before.count
    row = next(r for r in page.findChildren(DueRow) if r.item is after)
    assert row.findChild(QLabel, "summary").text() == after.summary
