"""A ledger view switched from a short list to a million-row paged journal is laid out at once
and painted once (issue #18: the first paint of the 账簿 page), and the paged model answers the
paint's roles exactly as the list model does."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from desktop_app.ui.columns import COPY_ROLE, RAW_ROLE, SORT_ROLE, Column
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.paged import PagedTableModel
from desktop_app.ui.paging import InMemoryPageSource
from desktop_app.ui.tables import RowTableModel

COLUMNS = [
    Column("no", "行号", "int"),
    Column("name", "摘要", "pinyin-text"),
    Column("amount", "金额", "money", total=True),
    Column("day", "日期", "date"),
]


def rows(n: int) -> list[dict[str, object]]:
    import datetime as dt

    return [{"no": i, "name": ("张三", "李四")[i % 2], "amount": Decimal(i % 7 - 3) * Decimal("1.25"),
             "day": dt.date(2026, 1, 1 + i % 28)} for i in range(n)]


class Big:
    """A journal's page source: rows made on demand, no sort or filter (as ``JournalPageSource``)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def count(self) -> int:
        return self.n

    def fetch_range(self, start: int, limit: int) -> list[dict[str, object]]:
        return rows(min(start + limit, self.n))[start:]


class Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_switching_to_a_paged_journal_lays_out_at_once_and_paints_once(qtbot) -> None:
    view = LedgerView(RowTableModel(COLUMNS))
    view.model().set_rows(rows(20))
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    assert view.filter_edit.isVisible()
    paints = Paints()
    view.table.viewport().installEventFilter(paints)

    view.set_model(PagedTableModel(COLUMNS, Big(1_000_000), page_size=100))
    settled = (view.table.geometry(), view.table.viewport().geometry())
    assert not view.filter_edit.isVisible()  # a paged journal has no filter: its row is gone now
    view.table.viewport().repaint()
    assert paints.count == 1
    QApplication.processEvents()
    assert (view.table.geometry(), view.table.viewport().geometry()) == settled  # nothing moved later
    assert paints.count == 1  # and nothing painted the table again
    assert view.count_label.text() == "共 1000000 条"


def test_paged_model_answers_every_role_as_the_list_model() -> None:
    data = rows(50)
    paged = PagedTableModel(COLUMNS, InMemoryPageSource(data), page_size=7)
    listed = RowTableModel(COLUMNS)
    listed.set_rows(data)
    roles = [int(r) for r in Qt.ItemDataRole if int(r) < int(Qt.ItemDataRole.UserRole)] + [RAW_ROLE, COPY_ROLE, SORT_ROLE]
    for row in range(50):
        for column in range(len(COLUMNS)):
            for role in roles:
                a, b = paged.data(paged.index(row, column), role), listed.data(listed.index(row, column), role)
                assert a == b, (row, column, role, a, b)
    assert paged.data(paged.index(0, 2)) == "-3.75"
    assert paged.data(paged.index(0, 2), int(Qt.ItemDataRole.ForegroundRole)) is not None  # 红字
    assert paged.data(paged.index(3, 2), int(Qt.ItemDataRole.ForegroundRole)) is None
    assert paged.data(paged.index(0, 0), int(Qt.ItemDataRole.FontRole)) is None
    assert paged.flags(paged.index(0, 0)) == listed.flags(listed.index(0, 0)) & ~Qt.ItemFlag.ItemIsEditable


class CountingHeaders(PagedTableModel):
    """Counts the row-number labels the view asks for."""

    asked = 0

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if orientation == Qt.Orientation.Vertical:
            CountingHeaders.asked += 1
        return super().headerData(section, orientation, role)


def test_row_numbers_are_sized_from_their_digits_not_asked_of_the_model(qtbot) -> None:
    """Qt's header size hint asks ~200 sections' label, font, icon and size after every reset;
    the row numbers need only their digit count, so a paint asks for the rows on screen only."""
    view = LedgerView(RowTableModel(COLUMNS))
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    model = CountingHeaders(COLUMNS, Big(1_000_000), page_size=100)
    CountingHeaders.asked = 0
    view.set_model(model)
    view.table.viewport().repaint()
    view.table.verticalHeader().repaint()
    QApplication.processEvents()
    on_screen = view.table.rowAt(view.table.viewport().height() - 1) + 1
    assert 0 < on_screen < 60
    assert CountingHeaders.asked <= on_screen * 8  # a paint's roles for the rows shown, no more
    wide = view.table.verticalHeader().width()
    assert wide >= view.table.verticalHeader().fontMetrics().horizontalAdvance("1000000")
    view.set_model(PagedTableModel(COLUMNS, Big(12), page_size=100))
    assert view.table.verticalHeader().width() < wide  # two digits, a narrower column
