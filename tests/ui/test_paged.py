"""PagedTableModel over page sources: lazy pages, LRU, never everything."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from desktop_app.ui.columns import RAW_ROLE, Column
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.paged import PagedTableModel
from desktop_app.ui.paging import InMemoryPageSource, KeysetPageSource, PageSource

COLUMNS = [
    Column("no", "行号", "int"),
    Column("name", "摘要", "pinyin-text"),
    Column("amount", "金额", "money", total=True),
]


def rows(n: int) -> list[dict[str, object]]:
    names = ["张三", "李四", "安娜", "白云"]
    return [{"no": i, "name": names[i % 4], "amount": Decimal(i % 1000) / 100} for i in range(n)]


class GeneratedSource(InMemoryPageSource):
    """A million rows made on demand (building them all would be the thing under test)."""

    def __init__(self, n: int) -> None:
        super().__init__([])
        self.n = n

    def count(self) -> int:
        return self.n

    def fetch_range(self, start: int, limit: int) -> list[dict[str, object]]:
        self.fetches.append((start, limit))
        names = ["张三", "李四", "安娜", "白云"]
        end = min(start + limit, self.n)
        return [{"no": i, "name": names[i % 4], "amount": Decimal(i % 1000) / 100} for i in range(start, end)]


def test_paged_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = PagedTableModel(COLUMNS, InMemoryPageSource(rows(1234)), page_size=100, max_pages=4)
    qtmodeltester.check(model)
    qtmodeltester.check(PagedTableModel(COLUMNS, InMemoryPageSource([])))


def test_pages_are_fetched_lazily_and_evicted() -> None:
    source = GeneratedSource(1_000_000)
    model = PagedTableModel(COLUMNS, source, page_size=500, max_pages=3)
    assert model.rowCount() == 1_000_000
    assert source.fetches == []  # counting reads nothing
    assert model.data(model.index(999_999, 0), RAW_ROLE) == 999_999
    assert source.fetches == [(999_500, 500)]
    assert model.data(model.index(0, 1)) == "张三"
    model.data(model.index(1, 1))
    assert len(source.fetches) == 2  # same page: cached
    for row in (600, 1200, 1800):
        model.data(model.index(row, 0))
    assert len(model.cached_pages()) == 3
    assert model.cached_pages() == [1, 2, 3]  # LRU dropped pages 1999 and 0


def test_paged_model_in_a_view_reads_only_visible_pages(qtbot) -> None:
    source = GeneratedSource(1_000_000)
    model = PagedTableModel(COLUMNS, source)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    view.scrollToBottom()
    qtbot.waitUntil(lambda: 999_999 // 500 in model.cached_pages())  # the bottom rows painted
    assert model.fetch_count <= 4
    assert sum(limit for _, limit in source.fetches) <= 2_000


def test_sort_and_filter_are_delegated_to_the_source(qtbot) -> None:
    source = InMemoryPageSource(rows(100), search_keys=["name"], total_keys=["amount"])
    model = PagedTableModel(COLUMNS, source, page_size=10)
    assert model.can_sort and model.can_filter
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.row_at(0)["name"] == "安娜"
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0)["amount"] == Decimal("0.99")
    model.set_filter("zs")
    assert model.rowCount() == 25
    assert {model.row_at(i)["name"] for i in range(25)} == {"张三"}
    assert model.totals() == {"amount": sum((r["amount"] for r in rows(100)[::4]), Decimal(0))}


class BareSource:
    """Only the two required methods, plus totals: no sorting, no filtering."""

    def __init__(self, data: list[dict[str, object]]) -> None:
        self.data = data

    def count(self) -> int:
        return len(self.data)

    def fetch_range(self, start: int, limit: int) -> list[dict[str, object]]:
        return self.data[start : start + limit]

    def totals(self) -> dict[str, Decimal]:
        return {"amount": sum((r["amount"] for r in self.data), Decimal("0.00"))}


def test_ledger_view_over_paged_model_shows_source_totals(qtbot) -> None:
    model = PagedTableModel(COLUMNS, BareSource(rows(10)))
    assert not model.can_sort and not model.can_filter
    view = LedgerView(model)
    qtbot.addWidget(view)
    footer = view.footer.model()
    assert footer.data(footer.index(0, 0)) == "合计"
    assert footer.data(footer.index(0, 2)) == "0.45"
    assert not view.filter_edit.isVisibleTo(view)  # this source cannot filter
    assert not view.table.isSortingEnabled()


class FakeJournal:
    """A keyset query over a sorted list, counting how it was asked."""

    def __init__(self, n: int) -> None:
        self.data = [(i // 3, i) for i in range(n)]  # (date, id) sorted

    def count(self) -> int:
        return len(self.data)

    def after(self, key: tuple[int, int] | None, limit: int) -> list[tuple[int, int]]:
        start = 0 if key is None else self.data.index(key) + 1
        return self.data[start : start + limit]

    def offset(self, start: int, limit: int) -> list[tuple[int, int]]:
        return self.data[start : start + limit]


def test_keyset_source_seeks_when_scrolling_and_offsets_when_jumping(qtmodeltester) -> None:
    journal = FakeJournal(2_000)
    source = KeysetPageSource(journal.count, journal.after, lambda r: r, journal.offset)
    assert isinstance(source, PageSource)
    cols = [Column("d", "日期", "int", getter=lambda r: r[0]), Column("id", "ID", "int", getter=lambda r: r[1])]
    model = PagedTableModel(cols, source, page_size=100)
    for row in range(0, 500, 50):  # scrolling down page by page
        assert model.data(model.index(row, 1), RAW_ROLE) == row
    assert (source.seeks, source.offsets) == (5, 0)
    assert model.data(model.index(1_950, 1), RAW_ROLE) == 1_950  # a jump
    assert source.offsets == 1
    qtmodeltester.check(model)
