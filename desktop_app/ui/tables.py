"""Table models over lists of rows, the 合计 footer model and TSV copy.

``RowTableModel`` holds a list of rows (frozen dataclasses or dicts), shows them through
``Column`` declarations, sorts the list in Python on raw values and filters it with
``textsearch.matches`` (pinyin initials work). Totals are *not* a row of this model: they live
in ``TotalsModel``, a one-row model the ``LedgerView`` shows as a footer, so the 合计 line never
sorts, never filters and ``row_at()`` only ever returns real rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Context, Decimal, InvalidOperation, localcontext
from itertools import repeat
from operator import attrgetter
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QStyle, QTableView

from desktop_app.core.errors import UserError
from desktop_app.core.textsearch import haystack, matches_haystack
from desktop_app.ui.clipboard import copy_selection_tsv
from desktop_app.ui.columns import COPY_ROLE, RAW_ROLE, SORT_ROLE, Column, ColumnKind

__all__ = [
    "TOTAL_LABEL",
    "RowTableModel",
    "TextColumnFitter",
    "TotalsModel",
    "column_totals",
    "copy_selection_tsv",
    "fit_text_columns",
]

TOTAL_LABEL = "合计"
AnyIndex = QModelIndex | QPersistentModelIndex
NEGATIVE_BRUSH = QBrush(QColor("#c0392b"))  # 红字 for negative amounts
_ROLE_DISPLAY = Qt.ItemDataRole.DisplayRole
_ROLE_EDIT = Qt.ItemDataRole.EditRole
_ROLE_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_ROLE_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ROLE_TOOLTIP = Qt.ItemDataRole.ToolTipRole


def column_totals(columns: Sequence[Column], rows: Iterable[Any]) -> dict[str, Decimal]:
    """Exact Decimal sums of the ``total`` columns over ``rows`` (empty cells count as 0)."""
    wanted = [(c.key, c.accessor, c.total_if) for c in columns if c.total]
    if not wanted:
        return {}
    sums = {key: Decimal(0) for key, _, _ in wanted}
    getters: list[tuple[str, Callable[[Any], Any], Callable[[Any], bool] | None]] = []
    with localcontext(Context(prec=60)):
        for row in rows:
            if not getters:
                getters = [(key, make(row), counts) for key, make, counts in wanted]
            for key, get, counts in getters:
                value = get(row)
                if value is not None and (counts is None or counts(row)):
                    sums[key] += value
    money = {c.key for c in columns if c.total and c.column_kind is ColumnKind.MONEY}
    return {key: total.quantize(Decimal("0.01")) if key in money else total for key, total in sums.items()}


class ColumnsModel(QAbstractTableModel):
    """Shared header and cell logic; subclasses provide ``row_at``."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        if not columns:
            raise ValueError("a table needs at least one column")
        self._columns = list(columns)
        self.elided_columns: frozenset[int] = frozenset()  # fit_text_columns: capped, cells get tooltips

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def column_index(self, key: str) -> int:
        for i, column in enumerate(self._columns):
            if column.key == key:
                return i
        raise KeyError(key)

    def row_at(self, row: int) -> Any | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE_DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._columns):
                return None
            column = self._columns[section]
            if role == _ROLE_DISPLAY:
                return column.header
            if role == _ROLE_ALIGN:
                return column.qt_alignment
            if role == _ROLE_TOOLTIP and column.tooltip:
                return column.tooltip
            return None
        if role == _ROLE_DISPLAY and 0 <= section < self.rowCount():
            return str(section + 1)
        return None

    def _cell(self, index: AnyIndex, role: int) -> Any:
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        row = self.row_at(index.row())
        if row is None:
            return None
        value = column.value(row)
        if role == _ROLE_DISPLAY:
            return column.display(value)
        if role == _ROLE_ALIGN:
            return column.qt_alignment
        if role == RAW_ROLE:
            return value
        if role == COPY_ROLE or role == _ROLE_EDIT:
            return column.copy(value)
        if role == SORT_ROLE:
            return column.sort_value(value)
        if role == _ROLE_FOREGROUND and column.column_kind is ColumnKind.MONEY:
            return NEGATIVE_BRUSH if value is not None and value < 0 else None
        if role == _ROLE_TOOLTIP and index.column() in self.elided_columns:
            return column.display(value) or None
        return None


class RowTableModel(ColumnsModel):
    """A list of rows shown through columns; sort and filter in Python.

    ``set_rows`` replaces the data (keeping the current sort and filter); ``sort`` reorders
    on raw values (``column == -1`` restores the order rows were given in); ``set_filter``
    keeps rows whose searchable columns match the query (substring or pinyin initials).

    Speed (1M rows): the model keeps positions into the rows given, not copies. A column's
    sort keys are computed once per ``set_rows`` (text and pinyin: once per *distinct* value,
    turned into integer ranks), and each (column, direction) order is a cached permutation,
    so sorting again, switching direction or filtering a sorted list is a linear pass with
    no Python call per comparison.
    """

    totals_changed = Signal()
    edit_failed = Signal(object)  # UserError raised by a column parser
    row_edited = Signal(object, object)  # (old row, new row) after an in-place edit

    def __init__(self, columns: Sequence[Column], rows: Iterable[Any] = (), parent: Any = None) -> None:
        super().__init__(columns, parent)
        self._all: list[Any] = []
        self._order: Sequence[int] = range(0)  # positions in ``_all`` of the rows shown, in display order
        self._filter = ""
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._totals: dict[str, Decimal] | None = None
        self._hays: list[str] | None = None
        self._perms: dict[tuple[int, bool], list[int]] = {}
        self.set_rows(rows)

    # -- data -------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._forget_keys()
        self._show(self._positions())
        self.endResetModel()
        self.totals_changed.emit()

    def all_rows(self) -> list[Any]:
        """Every row, unfiltered, in the order given."""
        return list(self._all)

    def rows(self) -> list[Any]:
        """The rows shown, in display order."""
        return list(self._shown())

    def _shown(self) -> Iterable[Any]:
        return map(self._all.__getitem__, self._order)

    def row_at(self, row: int) -> Any | None:
        return self._all[self._order[row]] if 0 <= row < len(self._order) else None

    def find_row(self, predicate: Callable[[Any], bool]) -> int:
        """Display position of the first shown row matching ``predicate``, or -1."""
        return next((i for i, r in enumerate(self._shown()) if predicate(r)), -1)

    def totals(self) -> dict[str, Decimal]:
        """合计 of the ``total`` columns over the rows shown (after filtering)."""
        if self._totals is None:
            self._totals = column_totals(self._columns, self._shown())
        return dict(self._totals)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def data(self, index: AnyIndex, role: int = _ROLE_DISPLAY) -> Any:
        return self._cell(index, role)

    # -- filter and sort ------------------------------------------------------------------
    @property
    def filter_text(self) -> str:
        return self._filter

    def set_filter(self, text: str) -> None:
        text = text.strip()
        if text == self._filter:
            return
        self.beginResetModel()
        self._filter = text
        self._show(self._positions())
        self.endResetModel()
        self.totals_changed.emit()

    @property
    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column >= len(self._columns):
            return
        if (column, order) == (self._sort_column, self._sort_order):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        before = [self._order[i.row()] if 0 <= i.row() < len(self._order) else -1 for i in old]
        self._show(self._positions())
        if old:
            where = _Positions(self._order)
            new = [self.index(where.of(p), i.column()) if p >= 0 else QModelIndex() for p, i in zip(before, old, strict=True)]
            self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _forget_keys(self) -> None:
        self._hays = None
        self._perms = {}
        self._totals = None

    def _show(self, order: Sequence[int]) -> None:
        self._order = order  # a cached permutation is shared, never mutated
        self._totals = None

    def _haystacks(self) -> list[str]:
        """Per-row search text (texts + pinyin), built at the first filter after ``set_rows``."""
        rows = self._all
        if self._hays is None or len(self._hays) != len(rows):
            getters = [c.accessor(rows[0]) for c in self._columns if c.is_searchable]
            self._hays = [haystack(*(g(r) for g in getters)) for r in rows]
        return self._hays

    def _permutation(self, column: int, descending: bool) -> list[int]:
        """Positions of all rows ordered by ``column``: stable, empty cells last both ways (cached)."""
        perm = self._perms.get((column, descending))
        if perm is None:
            perm = _sorted_positions(self._columns[column], self._all, descending)
            self._perms[(column, descending)] = perm
        return perm

    def _positions(self) -> Sequence[int]:
        """Positions in ``_all`` of the rows to show, filtered and sorted."""
        rows = self._all
        keep: list[int] | None = None
        if self._filter and rows:
            query = self._filter
            keep = [i for i, hay in enumerate(self._haystacks()) if matches_haystack(query, hay)]
        if 0 <= self._sort_column < len(self._columns) and rows:
            perm = self._permutation(self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder)
            if keep is None or len(keep) == len(rows):
                return perm
            mask = bytearray(len(rows))
            for i in keep:
                mask[i] = 1
            return [i for i in perm if mask[i]]
        return keep if keep is not None else range(len(rows))

    # -- editing ------------------------------------------------------------------------
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self._columns[index.column()].editable:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: AnyIndex, value: Any, role: int = _ROLE_EDIT) -> bool:
        if not index.isValid() or role != _ROLE_EDIT:
            return False
        column = self._columns[index.column()]
        if not column.editable or column.getter is not None:
            return False
        old = self.row_at(index.row())
        try:
            raw = column.parser(str(value)) if column.parser is not None else value
        except UserError as err:
            self.edit_failed.emit(err)
            return False
        new = _replace(old, column.key, raw)
        self._all[self._order[index.row()]] = new
        self._forget_keys()
        self.dataChanged.emit(index, index)
        self.totals_changed.emit()
        self.row_edited.emit(old, new)
        return True


class _Positions:
    """Display row of a position in ``_all``: a few ``list.index`` scans, or one inverse map."""

    def __init__(self, order: Sequence[int]) -> None:
        self._order = order
        self._inverse: dict[int, int] | None = None
        self._asked = 0

    def of(self, position: int) -> int:
        self._asked += 1
        if self._inverse is None and self._asked > 8:
            self._inverse = {p: row for row, p in enumerate(self._order)}
        if self._inverse is not None:
            return self._inverse.get(position, -1)
        try:
            return self._order.index(position)
        except ValueError:
            return -1


_DIRECT_KINDS = (ColumnKind.MONEY, ColumnKind.DECIMAL, ColumnKind.INT)


def money_sort_keys(values: list[Any]) -> list[Any]:
    """Amounts as whole 分 (``int``): a million ints sort in about a quarter of the time the same
    Decimals take, and the order is the same (the conversion is exact and checked: a value with
    a fraction of a 分, or one that is not a Decimal, keeps the Decimals)."""
    try:
        fen = list(map(Decimal.scaleb, values, repeat(2)))  # exact: only the exponent moves
        whole = list(map(int, fen))
    except (TypeError, ValueError, OverflowError, InvalidOperation):
        return values
    return whole if whole == fen else values


def _sort_keys(column: Column, values: list[Any]) -> list[Any]:
    """Sort keys of non-empty raw ``values``, computed without a Python call per comparison.

    Numbers sort on themselves (money on whole 分 when every amount is a whole 分); dates on
    themselves (a datetime on its date); text, pinyin and declared ``sort_key``s run the key
    function once per distinct value and sort on its integer rank when values repeat (equal keys
    share a rank, so the order and its stability are unchanged).
    """
    kind = column.column_kind
    if column.sort_key is None and kind is ColumnKind.MONEY:
        return money_sort_keys(values)
    if column.sort_key is None and kind in _DIRECT_KINDS:
        return values
    if column.sort_key is None and kind is ColumnKind.DATE:
        if any(issubclass(t, dt.datetime) for t in set(map(type, values))):
            return [v.date() if isinstance(v, dt.datetime) else v for v in values]
        return values
    key = column.key_function()
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # unhashable values: key every cell
        return [key(v) for v in values]
    keyed = {v: key(v) for v in distinct}
    if len(keyed) * 4 > len(values):  # mostly distinct: ranking would cost more than it saves
        return list(map(keyed.__getitem__, values))
    ranks: dict[Any, int] = {}
    rank, previous, first = -1, None, True
    for v in sorted(keyed, key=keyed.__getitem__):
        k = keyed[v]
        if first or k != previous:
            rank, previous, first = rank + 1, k, False
        ranks[v] = rank
    return list(map(ranks.__getitem__, values))


def _column_values(column: Column, rows: list[Any]) -> list[Any]:
    """The column's raw value of every row (``attrgetter`` in C when every row has the field)."""
    if column.getter is None and not isinstance(rows[0], Mapping):
        try:
            return list(map(attrgetter(column.key), rows))
        except AttributeError:
            pass
    return list(map(column.accessor(rows[0]), rows))


def _sorted_positions(column: Column, rows: list[Any], descending: bool) -> list[int]:
    """Positions of ``rows`` by ``column``: a stable sort either way, empty cells last in given order."""
    values = _column_values(column, rows)
    types = set(map(type, values))  # C-level scans; comparing every cell with None costs more
    if type(None) not in types and (str not in types or "" not in values):  # the common case
        keys = _sort_keys(column, values)
        return sorted(range(len(values)), key=keys.__getitem__, reverse=descending)
    filled = [i for i, v in enumerate(values) if not (v is None or (type(v) is str and not v))]
    empty = [i for i, v in enumerate(values) if v is None or (type(v) is str and not v)]
    keys = _sort_keys(column, [values[i] for i in filled])
    ordered = sorted(range(len(filled)), key=keys.__getitem__, reverse=descending)
    return [filled[k] for k in ordered] + empty


def _replace(row: Any, key: str, value: Any) -> Any:
    if isinstance(row, Mapping):
        return {**row, key: value}
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return dataclasses.replace(row, **{key: value})
    raise TypeError(f"cannot edit rows of type {type(row).__name__}")


class TotalsModel(QAbstractTableModel):
    """One 合计 row mirroring a source model's columns; shown as the ledger footer.

    The source must have ``columns`` and ``totals()`` and emit ``totals_changed``.
    The label goes into the first column that has no total.
    """

    def __init__(self, source: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self._totals: dict[str, Decimal] = {}
        self._columns: list[Column] = list(source.columns)
        label_at = next((i for i, c in enumerate(self._columns) if not c.total), None)
        self._label_column = label_at
        source.totals_changed.connect(self.refresh)
        source.modelReset.connect(self.refresh)
        self.refresh()

    @property
    def has_totals(self) -> bool:
        return any(c.total for c in self._columns)

    def refresh(self) -> None:
        self._totals = self._source.totals() if self.has_totals else {}
        if self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(0, len(self._columns) - 1))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE_DISPLAY) -> Any:
        if role != _ROLE_DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].header
        if orientation == Qt.Orientation.Vertical and section == 0:
            return TOTAL_LABEL if self._label_column is None else ""
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = _ROLE_DISPLAY) -> Any:
        if not index.isValid() or index.row() != 0:
            return None
        column = self._columns[index.column()]
        value = self._totals.get(column.key)
        if role == _ROLE_DISPLAY:
            if index.column() == self._label_column:
                return TOTAL_LABEL
            return column.display(value) if value is not None else ""
        if role == _ROLE_ALIGN:
            return column.qt_alignment
        if role == RAW_ROLE:
            return value
        if role == COPY_ROLE:
            if index.column() == self._label_column:
                return TOTAL_LABEL
            return column.copy(value)
        return None


# -- column widths -------------------------------------------------------------------------------
FIT_MAX_WIDTH = 360  # px: a longer name, note or time is elided and its cells get a tooltip
FIT_PADDING = 16  # px beside a cell's text: the item margins and the grid line
FIT_SAMPLE_ROWS = 2000  # a bigger table is measured on this many rows spread over it


def fit_text_columns(table: QTableView, *, keep: Iterable[int] = ()) -> dict[int, int]:
    """Make each ``Column.fits_text`` column (names, codes, dates, times) as wide as its header and
    its longest shown text by the table's font, capped at ``FIT_MAX_WIDTH`` (a declared ``width`` is
    the least width, and a cap when wider); columns in ``keep`` (resized by hand) keep their width.
    Cells of a column still narrower than its text answer a tooltip with the whole text. Returns
    {column: width needed}."""
    model = table.model()
    columns: list[Column] | None = getattr(model, "columns", None)
    row_at: Callable[[int], Any] | None = getattr(model, "row_at", None)
    if not columns or row_at is None or not hasattr(model, "elided_columns"):
        return {}
    wanted = [i for i, c in enumerate(columns) if c.fits_text]
    if not wanted:
        return {}
    n = model.rowCount()
    page = getattr(model, "page_size", None)  # a paged model: its first page only (fetched for the first paint)
    sample = range(min(n, page)) if isinstance(page, int) else range(0, n, max(1, n // FIT_SAMPLE_ROWS))
    rows = [r for r in map(row_at, sample) if r is not None]
    fm, hfm = table.fontMetrics(), table.horizontalHeader().fontMetrics()
    style = table.style()
    head_pad = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + style.pixelMetric(
        QStyle.PixelMetric.PM_HeaderMarkSize
    )
    kept, needed, elided = set(keep), {}, set()
    for i in wanted:
        column = columns[i]
        texts = _shown_texts(column, rows)
        text_width = max(map(fm.horizontalAdvance, texts), default=0) + FIT_PADDING
        need = max(text_width, hfm.horizontalAdvance(column.header) + head_pad + FIT_PADDING)
        needed[i] = need
        if i not in kept:
            least = column.width or 0
            table.setColumnWidth(i, max(least, min(need, FIT_MAX_WIDTH)))
        if text_width > table.columnWidth(i):
            elided.add(i)
    model.elided_columns = frozenset(elided)
    return needed


def _shown_texts(column: Column, rows: list[Any]) -> set[str]:
    """The distinct texts a column shows for ``rows``, each value formatted once."""
    if not rows:
        return set()
    values = map(column.accessor(rows[0]), rows)
    try:
        distinct: Iterable[Any] = set(values)
    except TypeError:  # an unhashable value (a list of changes …): format every cell
        distinct = map(column.accessor(rows[0]), rows)
    return set(map(column.display, distinct))


class TextColumnFitter(QObject):
    """Keeps a table's name/date/time columns fitted to their text (``fit_text_columns``) after
    every reload of its model; a column the user resizes by hand is left at the user's width
    (until ``watch`` hands it another model).

    ``keep``: the caller knows which columns carry the user's width (``LedgerView``: dragged, or
    saved and restored) and answers them; the fitter then does not track resizes itself."""

    def __init__(self, table: QTableView, *, keep: Callable[[], Iterable[int]] | None = None) -> None:
        super().__init__(table)
        self._table = table
        self._fitting = False
        self._by_hand: set[int] = set()
        self._keep = keep
        self._model: Any = None
        if keep is None:
            table.horizontalHeader().sectionResized.connect(self._on_resized)
        if table.model() is not None:
            self.watch(table.model())

    @property
    def fitting(self) -> bool:
        """True while the fitter itself sets widths (a resize now is not the user's)."""
        return self._fitting

    def watch(self, model: Any) -> None:
        """Follow ``model`` (the table's new model) and fit it now."""
        if self._model is not None:
            self._model.modelReset.disconnect(self.fit)
        self._model = model
        self._by_hand.clear()
        model.modelReset.connect(self.fit)
        self.fit()

    def _on_resized(self, logical: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self._by_hand.add(logical)

    def fit(self) -> None:
        self._fitting = True
        try:
            fit_text_columns(self._table, keep=self._by_hand if self._keep is None else self._keep())
        finally:
            self._fitting = False
