"""A table model over a huge ledger that is read a page at a time.

``PagedTableModel`` asks a ``PageSource`` for ``count()`` once and then for 500-row pages as
the view paints them, keeping the most recently used pages (LRU) and never the whole ledger.
Sorting and filtering are the source's job (indexed SQL); a source that can do them offers
``set_order(key, descending)`` / ``set_filter(text)`` and the model forwards to it.

The page-source protocols live in ``desktop_app.ui.paging`` (Qt-free) so services can
implement them without importing Qt.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop_app.ui.columns import COPY_ROLE, RAW_ROLE, SORT_ROLE, Column, ColumnKind
from desktop_app.ui.paging import PageSource
from desktop_app.ui.tables import NEGATIVE_BRUSH, ColumnsModel

__all__ = ["PagedTableModel"]

AnyIndex = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
# The roles ``ColumnsModel._cell`` answers; a view asks a dozen per cell at every paint (font,
# decoration, check state, size hint ...), and those are None without reading the row.
_ANSWERED = frozenset({_DISPLAY, _ALIGN, _FOREGROUND, int(Qt.ItemDataRole.EditRole), RAW_ROLE, COPY_ROLE, SORT_ROLE})


class PagedTableModel(ColumnsModel):
    """Rows ``[0, count)`` of a ``PageSource``, fetched lazily in pages.

    ``page_size`` rows per fetch, at most ``max_pages`` pages kept (LRU). ``fetch_count``
    counts source fetches (tests and the bench read it).
    """

    totals_changed = Signal()

    def __init__(
        self,
        columns: Sequence[Column],
        source: PageSource,
        *,
        page_size: int = 500,
        max_pages: int = 40,
        parent: Any = None,
    ) -> None:
        super().__init__(columns, parent)
        if page_size < 1 or max_pages < 1:
            raise ValueError("page_size and max_pages must be positive")
        self._source = source
        self._page_size = page_size
        self._max_pages = max_pages
        self._pages: OrderedDict[int, Sequence[Any]] = OrderedDict()
        self._count = source.count()
        self._getters: dict[int, Any] = {}  # column -> value getter (``Column.accessor``), made once
        self._filter = ""
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self.fetch_count = 0

    # -- source ---------------------------------------------------------------------------
    @property
    def source(self) -> PageSource:
        return self._source

    @property
    def page_size(self) -> int:
        return self._page_size

    def set_source(self, source: PageSource) -> None:
        self._source = source
        self.reload()

    def reload(self) -> None:
        """Forget cached pages and re-count (after the data changed)."""
        self.beginResetModel()
        self._pages.clear()
        self._getters.clear()  # a new source may give rows of another shape
        self._count = self._source.count()
        self.endResetModel()
        self.totals_changed.emit()

    def cached_pages(self) -> list[int]:
        return list(self._pages)

    def _page(self, number: int) -> Sequence[Any]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = self._source.fetch_range(number * self._page_size, self._page_size)
        self.fetch_count += 1
        self._pages[number] = page
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        return page

    def row_at(self, row: int) -> Any | None:
        if not 0 <= row < self._count:
            return None
        page = self._page(row // self._page_size)
        offset = row % self._page_size
        return page[offset] if offset < len(page) else None

    def totals(self) -> dict[str, Decimal]:
        """合计 from the source (``totals()`` if it has one, computed in SQL), else empty."""
        get = getattr(self._source, "totals", None)
        return dict(get()) if callable(get) else {}

    # -- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """``_cell``'s answers, with the three a paint asks for every cell taken first: the display
        text and the red of a negative amount (each column's value getter made once per model),
        and the alignment."""
        if role not in _ANSWERED or not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = self._columns[index.column()]
        if role == _ALIGN:
            return column.qt_alignment
        if role == _DISPLAY or role == _FOREGROUND:
            if role == _FOREGROUND and column.column_kind is not ColumnKind.MONEY:
                return None
            get = self._getters.get(index.column())
            if get is None:
                get = self._getters[index.column()] = column.accessor(row)
            value = get(row)
            if role == _DISPLAY:
                return column.display(value)
            return NEGATIVE_BRUSH if value is not None and value < 0 else None
        return self._cell(index, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    # -- sort and filter (delegated) --------------------------------------------------------
    @property
    def can_sort(self) -> bool:
        return callable(getattr(self._source, "set_order", None))

    @property
    def can_filter(self) -> bool:
        return callable(getattr(self._source, "set_filter", None))

    @property
    def filter_text(self) -> str:
        return self._filter

    @property
    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    def set_filter(self, text: str) -> None:
        text = text.strip()
        if not self.can_filter or text == self._filter:
            return
        self._filter = text
        self._source.set_filter(text)  # type: ignore[attr-defined]
        self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not self.can_sort or column >= len(self._columns):
            return
        if (column, order) == (self._sort_column, self._sort_order):
            return
        self._sort_column, self._sort_order = column, order
        key = self._columns[column].key if column >= 0 else None
        self._source.set_order(key, order == Qt.SortOrder.DescendingOrder)  # type: ignore[attr-defined]
        self.reload()
