"""Every page reachable and in sight at 1280 px (DESIGN-NOTES 95: 用户管理 and 备份与恢复 hid behind
the tab strip's arrow, and Alt+1…9 reached nine pages): the grouped 页面 list, a key for every
page; the source kinds' one Chinese word (core, used by the 凭证 page and the audit words); 资源地块's
亩 with the same separators in each row, in 合计 and in the summary above. The demo database,
offscreen, in the program's own font."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from db.models import Voucher
from desktop_app.core.services import (
    assets,
    contract_queries,
    depreciation,
    distribution,
    funds_base,
    receipts,
)
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.core.services.users import authenticate
from desktop_app.core.services.vouchers import SOURCE_KINDS, list_vouchers, source_kind_label
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.page_nav import page_shortcut
from desktop_app.ui.pages.assets import AssetsPage
from desktop_app.ui.pages.funds_vouchers import source_label
from desktop_app.ui.settings import WindowSettings


def _window(qtbot: Any, db: Any, tmp_path: Path, username: str) -> MainWindow:
    with db.begin() as s:
        user = authenticate(s, username, "demo1234")
    win = MainWindow(AppContext(db, user, WindowSettings(tmp_path / f"{username}.json")))
    qtbot.addWidget(win)
    win.resize(1280, 964)  # a 1280x1024 screen less the taskbar
    win.show()
    qtbot.waitUntil(win.isVisible)
    QApplication.processEvents()
    return win


def _in_window(win: MainWindow, index: int) -> QRect:
    nav = win.page_nav
    item = nav.items[index]
    rect = nav.visualItemRect(item)
    assert rect.isValid() and nav.viewport().rect().contains(rect), (win.tabs.tabText(index), "scrolled away")
    return QRect(nav.viewport().mapTo(win, rect.topLeft()), rect.size())


def test_every_page_is_in_sight_at_1280_with_its_key(qtbot: Any, demo_db: Any, tmp_path: Path,
                                                     program_font: None) -> None:
    win = _window(qtbot, demo_db, tmp_path, "admin")  # sees every page
    assert win.width() <= 1280 and win.tabs.count() == len(win.pages) >= 15
    window_rect = win.rect()
    for i, spec in enumerate(win.pages):
        rect = _in_window(win, i)
        assert window_rect.contains(rect), (spec.title, rect)
        item = win.page_nav.items[i]
        assert item.text(0) == win.tabs.tabText(i) == spec.title
    keys = [win.page_keys[i] for i in range(len(win.pages))]
    assert keys == [page_shortcut(n) for n in range(1, len(win.pages) + 1)] and len(set(keys)) == len(keys)
    for spec in win.allowed:  # each key named beside its page, in its tooltip and in 导航
        i = win.pages.index(spec)
        key = win.page_keys[i]
        assert win.page_nav.items[i].text(1) == key and key in win.page_nav.items[i].toolTip(0)
        assert win.actions_table[f"page_{spec.id}"].shortcut().toString() == key
    navigate = win.menuBar().actions()[-1].menu()
    assert {a.text() for a in navigate.actions()} >= {s.title for s in win.allowed}
    # the last pages (behind the arrow before) by their keys and by the list
    for spec in win.allowed[-2:]:
        win.actions_table[f"page_{spec.id}"].trigger()
        assert win.pages[win.tabs.currentIndex()] is spec
        assert win.page_nav.currentItem() is win.page_nav.items[win.tabs.currentIndex()]
    home = win.pages.index(win.allowed[0])
    _click(win, home)
    assert win.tabs.currentIndex() == home
    win.grab().save(str(tmp_path / "nav.png"))  # renders (a broken paint raises here)


def test_a_page_the_user_may_not_use_stays_in_the_list_disabled_saying_who_may(qtbot: Any, demo_db: Any,
                                                                              tmp_path: Path) -> None:
    win = _window(qtbot, demo_db, tmp_path, "kuaiji")
    users = next(i for i, p in enumerate(win.pages) if p.id == "users")
    item = win.page_nav.items[users]
    assert item.isDisabled() and "仅限系统管理员" in item.toolTip(0)
    assert item.text(1) == win.page_keys[users] == page_shortcut(users + 1)  # its key, kept for every user
    _click(win, users)
    assert win.tabs.currentIndex() != users and f"page_{win.pages[users].id}" not in win.actions_table.ids()
    # a page's count in its title (更正建议（2）) shows in the list as on the tab
    win.tabs.setTabText(users, "用户管理（2）")
    assert item.text(0) == "用户管理（2）"


def _click(win: MainWindow, index: int) -> None:
    nav = win.page_nav
    QTest.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(nav.items[index]).center())


def test_a_page_has_the_same_key_for_every_user(qtbot: Any, demo_db: Any, tmp_path: Path) -> None:
    keys = {}
    for username in ("admin", "kuaiji", "jiandu"):
        win = _window(qtbot, demo_db, tmp_path, username)
        keys[username] = {spec.id: win.page_keys[i] for i, spec in enumerate(win.pages)}
        for spec in win.allowed:
            assert win.actions_table[f"page_{spec.id}"].shortcut().toString() == keys[username][spec.id]
        win.close()
    assert keys["admin"] == keys["kuaiji"] == keys["jiandu"]
    assert "audit_log" not in keys["admin"] or keys["kuaiji"]["audit_log"] == keys["jiandu"]["audit_log"]


def test_arrows_move_the_selection_only_and_enter_opens(qtbot: Any, demo_db: Any, tmp_path: Path) -> None:
    win = _window(qtbot, demo_db, tmp_path, "kuaiji")
    win.activateWindow()
    assert QTest.qWaitForWindowActive(win)
    nav = win.page_nav
    home = win.tabs.currentIndex()
    assert win.pages[home].id == "home"
    nav.setFocus()
    built = {i for i in range(win.tabs.count()) if win.tabs.widget(i).layout().count()}
    QTest.keyClick(nav, Qt.Key.Key_Down)  # past the 账务 heading onto its first page, which is not opened
    current = nav.currentItem()
    assert current is not None and isinstance(current.data(0, Qt.ItemDataRole.UserRole), int)
    first = current.data(0, Qt.ItemDataRole.UserRole)
    assert first == home + 1 and current.isSelected()
    for _ in range(5):
        QTest.keyClick(nav, Qt.Key.Key_Down)
    assert win.tabs.currentIndex() == home  # nothing opened on the way
    assert {i for i in range(win.tabs.count()) if win.tabs.widget(i).layout().count()} == built
    QTest.keyClick(nav, Qt.Key.Key_Up)
    QTest.keyClick(nav, Qt.Key.Key_Up)
    QTest.keyClick(nav, Qt.Key.Key_Up)
    QTest.keyClick(nav, Qt.Key.Key_Up)
    QTest.keyClick(nav, Qt.Key.Key_Up)
    assert nav.currentItem() is nav.items[first]
    QTest.keyClick(nav, Qt.Key.Key_Up)  # over the heading back onto 首页
    assert nav.currentItem() is nav.items[home]
    QTest.keyClick(nav, Qt.Key.Key_Up)  # nothing above it: stays
    assert nav.currentItem() is nav.items[home]
    for _ in range(len(win.pages) + 8):  # down the whole list: on a page at each step, never a heading
        QTest.keyClick(nav, Qt.Key.Key_Down)
        assert isinstance(nav.currentItem().data(0, Qt.ItemDataRole.UserRole), int)
    QTest.keyClick(nav, Qt.Key.Key_Home)
    QTest.keyClick(nav, Qt.Key.Key_Down)
    QTest.keyClick(nav, Qt.Key.Key_Return)  # Enter opens it, the keyboard in the page
    assert win.tabs.currentIndex() == first
    qtbot.waitUntil(lambda: win.tabs.currentWidget().isAncestorOf(QApplication.focusWidget()))
    win.activateWindow()
    win.actions_table[f"page_{win.pages[home].id}"].trigger()  # the page's key opens at once
    assert win.tabs.currentIndex() == home and nav.currentItem() is nav.items[home]


def test_one_word_per_source_kind_for_the_voucher_page_and_the_audit_trail(demo_db: Any) -> None:
    kinds = {depreciation.SOURCE_KIND, assets.ACQUISITION_KIND, "asset_adjustment", "asset_disposal", "stocktake",
             contract_queries.RECEIPT_KIND, receipts.DEPOSIT_KIND, receipts.RECOGNITION_KIND,
             distribution.SOURCE_APPROPRIATION, distribution.SOURCE_PAYOUT, funds_base.YEAR_END_KIND}
    assert kinds <= set(SOURCE_KINDS)
    for kind in kinds:
        word = source_kind_label(kind)
        assert word != kind and not word.isascii(), kind
    assert source_kind_label(None) == "手工填制" and source_kind_label("future_kind") == "future_kind"
    with demo_db.read() as s:
        stored = {k for (k,) in s.query(Voucher.source_kind).distinct() if k is not None}
        book = list_books(s)[1]
        rows = list_vouchers(s, book.id, "2026-01", "2026-12")
    assert stored <= set(SOURCE_KINDS)  # every kind the demo writes has its word
    shown = {r.source_kind: source_label(r) for r in rows if r.reversal_of_id is None}
    assert shown and all(word == source_kind_label(kind) for kind, word in shown.items())


def test_parcels_area_reads_the_same_in_rows_total_and_summary(qtbot: Any, demo_db: Any, tmp_path: Path) -> None:
    with demo_db.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
    ctx = AppContext(demo_db, user, WindowSettings(tmp_path / "w.json"))
    org = next(o for o in ctx.read(list_organisations) if o.level == "村")
    page = AssetsPage(ctx)
    qtbot.addWidget(page)
    ctx.set_selection(org, None)  # every book of the village: all its parcels
    model = page.parcels.model
    assert model.rowCount() > 0
    column = next(i for i, c in enumerate(model.columns) if c.key == "area_mu")
    total = sum((model.row_at(i).area_mu for i in range(model.rowCount())), Decimal(0))
    assert f"共 {total:,.4f} 亩" in page.parcels.summary.text()
    totals = page.parcels.view._totals
    assert totals.data(totals.index(0, column)) == f"{total:,.4f}"
    first = model.row_at(0).area_mu
    assert model.data(model.index(0, column)) == f"{first:,.4f}"
