"""日记账 / 明细账 read a page at a time: the same lines as the whole journal, in pages, by keyset
when scrolling on and by offset for a jump; the ledger page switches to the paged model above
``PAGED_ABOVE`` lines and keeps the sortable list below it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from db.engine import Database
from desktop_app.core.services import ledgers as svc
from desktop_app.core.services.orgs import list_books
from desktop_app.core.services.users import authenticate
from desktop_app.ui.context import AppContext
from desktop_app.ui.paged import PagedTableModel
from desktop_app.ui.pages import funds_ledgers
from desktop_app.ui.pages.funds_ledgers import LedgersPage
from desktop_app.ui.paging import JournalPageSource
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.tables import RowTableModel


def _busiest_book(db: Database) -> Any:
    with db.read("t") as s:
        books = list_books(s)
        return max(books, key=lambda b: svc.journal_outline(s, b.id, "2026-01", "2026-12", role="bank").entry_count)


def _source(db: Database, book_id: Any, outline: svc.JournalOutline) -> JournalPageSource:
    def read(period: str, start_balance: Decimal, after: Any, offset: int, limit: int) -> svc.JournalPage:
        with db.read("t") as s:
            return svc.journal_page(s, book_id, outline.account_ids, period, start_balance=start_balance,
                                    after=after, offset=offset, limit=limit)

    return JournalPageSource(outline, read)


@pytest.mark.parametrize(("first", "last"), [("2026-01", "2026-12"), ("2026-04", "2026-09"), ("2026-02", "2026-02")])
def test_paged_bank_journal_is_the_whole_journal(demo_db: Database, first: str, last: str) -> None:
    book = _busiest_book(demo_db)
    with demo_db.read("t") as s:
        whole = svc.bank_journal(s, book.id, first, last)
        outline = svc.journal_outline(s, book.id, first, last, role="bank")
    assert outline.entry_count > 0
    source = _source(demo_db, book.id, outline)
    assert source.count() == len(whole.lines)
    pages = [source.fetch_range(start, 3) for start in range(0, source.count(), 3)]  # pages cross months
    assert [line for page in pages for line in page] == list(whole.lines)
    assert source.offsets == 0 and source.seeks > 0  # scrolling on never reads by offset
    assert outline.closing == whole.closing and outline.opening.balance == whole.opening


def test_a_jump_reads_by_offset_with_the_running_balance_summed_in_sql(demo_db: Database) -> None:
    book = _busiest_book(demo_db)
    with demo_db.read("t") as s:
        whole = svc.bank_journal(s, book.id, "2026-01", "2026-12")
        outline = svc.journal_outline(s, book.id, "2026-01", "2026-12", role="bank")
    source = _source(demo_db, book.id, outline)
    n = source.count()
    for start in (n - 5, n // 2, n // 3 + 1, 3):
        assert list(source.fetch_range(start, 11)) == list(whole.lines[start:start + 11])
    assert source.offsets >= 1  # a jump into a month reads by offset (one landing on a month's start seeks)
    assert source.fetch_range(n, 10) == []


def test_account_ledger_outline_and_bad_input(demo_db: Database) -> None:
    book = _busiest_book(demo_db)
    with demo_db.read("t") as s:
        whole = svc.account_ledger(s, book.id, "102", "2026-01", "2026-06")
        outline = svc.journal_outline(s, book.id, "2026-01", "2026-06", account_code="102")
        with pytest.raises(svc.NotFoundError, match="科目 999 不存在"):
            svc.journal_outline(s, book.id, "2026-01", "2026-06", account_code="999")
        with pytest.raises(svc.ValidationError, match="起始期间不能晚于截止期间"):
            svc.journal_outline(s, book.id, "2026-06", "2026-01", account_code="102")
    source = _source(demo_db, book.id, outline)
    assert list(source.fetch_range(0, source.count())) == list(whole.lines)


def _page(qtbot: Any, demo_db: Database, tmp_path: Path) -> LedgersPage:
    with demo_db.begin() as s:
        user = authenticate(s, "admin", "demo1234")
    ctx = AppContext(demo_db, user, WindowSettings(tmp_path / "w.json"))
    ctx.book = _busiest_book(demo_db)
    ctx.period = "2026-12"
    page = LedgersPage(ctx)
    qtbot.addWidget(page)
    return page


def test_ledger_page_pages_a_long_journal_and_lists_a_short_one(qtbot: Any, demo_db: Database, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, qtmodeltester: Any) -> None:
    page = _page(qtbot, demo_db, tmp_path)
    page.period.setValue("2026")
    page.kind.setCurrentText("银行存款日记账")
    assert isinstance(page.view.model(), RowTableModel)  # short: sortable and filterable in memory
    listed = page.view.model().rows()
    assert page.view.filter_edit.isVisibleTo(page)

    monkeypatch.setattr(funds_ledgers, "PAGED_ABOVE", 10)
    page.reload()
    model = page.view.model()
    assert isinstance(model, PagedTableModel)
    assert model.rowCount() == len(listed)
    assert [model.row_at(i) for i in range(model.rowCount())] == listed
    assert not page.view.filter_edit.isVisibleTo(page)  # no filter or sort: the balance runs in journal order
    assert page.view.count_label.text() == f"共 {len(listed)} 条"
    assert page.summary.text().startswith("102 ")
    qtmodeltester.check(model)
