"""首页 (issue #17, reviewer): 前往 takes the user to the book and month the item names (the window's
book list and month follow), and each role sees the vouchers waiting for it: the 审核员 those to
review (never their own), the 记账员 the reviewed ones to post."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from db.engine import Database
from db.models import Book, Organisation, Period
from desktop_app.core.periods import add_months, period_label, period_start
from desktop_app.core.services.home import home_overview, home_scopes
from desktop_app.core.services.users import authenticate
from desktop_app.core.services.voucher_lines import LineInput
from desktop_app.core.services.vouchers import create_voucher, review_voucher
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.pages.home import DueRow, HomePage
from desktop_app.ui.settings import WindowSettings

D = Decimal


def _village_book(db: Database) -> tuple[Book, str]:
    """A village's first book and its first open month."""
    with db.read() as s:
        book = s.execute(select(Book).join(Organisation, Organisation.id == Book.organisation_id)
                         .where(Organisation.level == "村").order_by(Book.code)).scalars().first()
        closed = s.execute(select(func.max(Period.period)).where(Period.book_id == book.id,
                                                                  Period.status == "closed")).scalar()
        s.expunge(book)
    return book, add_months(closed, 1) if closed else book.start_period


def _vouchers(db: Database, n: int, reviewed: int) -> tuple[Book, str]:
    """``n`` vouchers made by the 记账员 in the village book's open month, ``reviewed`` of them reviewed."""
    book, month = _village_book(db)
    with db.begin() as s:
        maker = authenticate(s, "kuaiji", "demo1234")
        reviewer = authenticate(s, "shenhe", "demo1234")
        for k in range(n):
            v = create_voucher(s, book_id=book.id, voucher_date=period_start(month), summary=f"付办公费{k}",
                               lines=[LineInput("51302", D("50.00")), LineInput("101", credit=D("50.00"))],
                               user=maker)
            if k < reviewed:
                review_voucher(s, v.id, user=reviewer)
    return book, month


def _window(qtbot, db: Database, tmp_path: Path, username: str) -> tuple[MainWindow, HomePage]:
    with db.begin() as s:
        user = authenticate(s, username, "demo1234")
    win = MainWindow(AppContext(db, user, WindowSettings(tmp_path / f"{username}.json")))
    qtbot.addWidget(win)
    win.resize(1400, 880)
    win.show()
    page = win.page_widget(0)
    assert isinstance(page, HomePage)
    qtbot.waitUntil(lambda: page.overview is not None and page.runner.active == 0, timeout=30_000)
    return win, page


def test_each_role_sees_the_vouchers_waiting_for_it(demo_db: Database) -> None:
    book, month = _vouchers(demo_db, 3, 1)
    with demo_db.read() as s:
        scope = home_scopes(s)[0]
        as_of = date.today()
        reviewer, maker = authenticate(s, "shenhe", "demo1234"), authenticate(s, "kuaiji", "demo1234")
        review = home_overview(s, scope, as_of, user=reviewer)
        post = home_overview(s, scope, as_of, user=maker)
        nobody = home_overview(s, scope, as_of)
    keys = [i.key for i in review.due]
    assert keys[:2] == ["close", "review"] and "post" not in keys
    item = review.item("review")
    assert item.count == 2 and item.page == "vouchers" and "2 张凭证待审核" in item.summary
    assert (item.book_id, item.period) == (book.id, month) and book.name in item.details[0]
    assert [i.key for i in post.due][:2] == ["close", "post"] and "review" not in [i.key for i in post.due]
    assert post.item("post").count == 1 and post.item("post").book_id == book.id
    assert "review" not in [i.key for i in nobody.due] and "post" not in [i.key for i in nobody.due]
    with demo_db.read() as s:  # the maker, were they a reviewer, would not be asked to review their own
        mine = home_overview(s, scope, as_of, user=replace(maker, roles=("reviewer",)))
    assert mine.item("review").count == 0 and "没有待审核的凭证" in mine.item("review").summary


def test_goto_opens_the_book_and_month_the_item_names(qtbot, demo_db: Database, tmp_path: Path) -> None:
    book, month = _vouchers(demo_db, 2, 0)
    win, page = _window(qtbot, demo_db, tmp_path, "shenhe")
    row = next(r for r in page.findChildren(DueRow) if r.item.key == "review")
    assert row.item.count == 2 and row.button.text() == "前往凭证"
    qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)
    assert win.pages[win.tabs.currentIndex()].id == "vouchers"
    assert win.ctx.book is not None and win.ctx.book.id == book.id and win.ctx.period == month
    assert win.book_combo.currentText().endswith(book.name)  # the window's pickers follow
    assert win.period_combo.currentText() == f"{month[:4]}年{month[5:]}月"
    assert win.tree.currentItem().text(0) == win.ctx.org.name
    vouchers = win.page_widget(win.tabs.currentIndex())
    assert isinstance(vouchers, VouchersPage) and vouchers.period.value() == month
    win.grab().save(str(tmp_path / "goto.png"))

    close = next(r for r in page.findChildren(DueRow) if r.item.key == "close")
    assert close.item.book_id is not None and close.item.period is not None
    assert f"最早 {period_label(close.item.period)}" in close.item.summary  # the month the item names
    qtbot.mouseClick(close.button, Qt.MouseButton.LeftButton)
    assert win.ctx.book.id == close.item.book_id and win.ctx.period == close.item.period
    assert vouchers.period.value() == close.item.period
    assert win.tree.currentItem().text(0) == win.ctx.org.name and win.book_combo.currentText().endswith(win.ctx.book.name)


def test_goto_disclosure_sets_the_month_it_names(qtbot, demo_db: Database, tmp_path: Path) -> None:
    win, page = _window(qtbot, demo_db, tmp_path, "kuaiji")
    row = next(r for r in page.findChildren(DueRow) if r.item.key == "disclosure")
    y, m = int(row.item.period[:4]), int(row.item.period[5:])
    assert f"{y}年{m}月" in row.item.summary
    qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)
    assert win.pages[win.tabs.currentIndex()].id == "disclosure" and win.ctx.period == row.item.period
