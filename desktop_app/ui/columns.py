"""Table columns declared once, as data: header, kind, formatting, alignment, sort key.

A ledger page declares ``COLUMNS = [Column("name", "姓名", "pinyin"), Column("amount", "金额",
"money", total=True), ...]`` and hands it to a table model. Everything a view needs to show,
sort, filter, total and copy a cell is derived from the declaration:

* display text: ``formatter`` or the kind's default (money ``1,234.50``, date ``2026-10-01``);
* sort key: ``sort_key`` or the kind's default, always on the **raw** value (Decimal, date,
  pinyin for Chinese names), never on the formatted text; empty cells sort last;
* copy text: plain values Excel reads as numbers (money ``1234.50``, no separators).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from PySide6.QtCore import Qt

from desktop_app.core.money import format_amount
from desktop_app.core.textsearch import pinyin_key

__all__ = [
    "COPY_ROLE",
    "RAW_ROLE",
    "SORT_ROLE",
    "Alignment",
    "Column",
    "ColumnKind",
    "copy_text",
    "is_empty",
]

# Custom item-data roles every model in this package answers.
RAW_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the raw value (Decimal, date, str ...)
COPY_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # plain text for the clipboard / Excel
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 3  # the sort key

Alignment = Literal["left", "right", "center"]

_QT_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    "right": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    "center": Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
}


class ColumnKind(StrEnum):
    TEXT = "text"  # codes, notes: plain string order
    PINYIN = "pinyin-text"  # Chinese names: pinyin order, searchable by initials
    MONEY = "money"  # Decimal 元, two places
    DECIMAL = "decimal"  # exact quantities (亩, 股)
    INT = "int"
    DATE = "date"  # datetime.date (or datetime, shown as its date)


_SEARCHABLE = {ColumnKind.TEXT, ColumnKind.PINYIN}
_FIT = {ColumnKind.TEXT, ColumnKind.PINYIN, ColumnKind.DATE}
_RIGHT = {ColumnKind.MONEY, ColumnKind.DECIMAL, ColumnKind.INT}


def _plain_decimal(value: Decimal) -> str:
    return format(value, "f")


def _money_copy(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _default_display(kind: ColumnKind, value: Any) -> str:
    if kind is ColumnKind.MONEY and isinstance(value, Decimal | int):
        return format_amount(Decimal(value))
    if kind is ColumnKind.DATE:
        return _date_text(value)
    if kind is ColumnKind.DECIMAL and isinstance(value, Decimal):
        return _plain_decimal(value)
    return str(value)


def _identity(value: Any) -> Any:
    return value


def is_empty(value: Any) -> bool:
    """None or "" (cheap for Decimals: no cross-type ``==``)."""
    return value is None or (type(value) is str and not value)


@dataclass(frozen=True)
class Column:
    """One table column.

    ``key`` names the row attribute (or dict key) unless ``getter`` computes the value.
    ``formatter`` turns a non-empty raw value into display text; ``copy_formatter`` into
    clipboard text (defaults: kind-based). ``total`` adds the column to the 合计 line
    (money and decimal columns only). ``searchable`` defaults to text/pinyin columns.
    ``parser`` (for ``editable`` columns) turns typed text into a raw value and raises
    ``ValidationError`` with a Chinese message. ``width`` is the column's starting width, the
    least width of a column fitted to its text (``fits_text``).
    """

    key: str
    header: str
    kind: ColumnKind | str = ColumnKind.TEXT
    formatter: Callable[[Any], str] | None = None
    alignment: Alignment | None = None
    sort_key: Callable[[Any], Any] | None = None
    editable: bool = False
    width: int | None = None
    total: bool = False
    getter: Callable[[Any], Any] | None = None
    copy_formatter: Callable[[Any], str] | None = None
    searchable: bool | None = None
    parser: Callable[[str], Any] | None = None
    tooltip: str = ""
    total_if: Callable[[Any], bool] | None = None  # which rows the 合计 counts (None: all), e.g. not 作废
    fit: bool | None = None  # fitted to its text (None: text, pinyin-text and date columns are)
    _kind: ColumnKind = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kind = ColumnKind(self.kind)
        object.__setattr__(self, "_kind", kind)
        if self.total and kind not in (ColumnKind.MONEY, ColumnKind.DECIMAL, ColumnKind.INT):
            raise ValueError(f"column {self.key!r}: only numeric columns can have a total")

    @property
    def column_kind(self) -> ColumnKind:
        return self._kind

    @property
    def fits_text(self) -> bool:
        """Names, codes, notes, dates and times (or ``fit=True``): the view makes the column as wide
        as its longest text (capped; longer text elided with a tooltip). A declared ``width`` is
        then the least width the column gets (``fit=False``: the declared width, as declared)."""
        return self._kind in _FIT if self.fit is None else self.fit

    @property
    def is_searchable(self) -> bool:
        return self._kind in _SEARCHABLE if self.searchable is None else self.searchable

    @property
    def qt_alignment(self) -> Qt.AlignmentFlag:
        name = self.alignment or ("right" if self._kind in _RIGHT else "left")
        return _QT_ALIGN[name]

    def accessor(self, sample: Any) -> Callable[[Any], Any]:
        """A fast value getter for rows shaped like ``sample``."""
        if self.getter is not None:
            return self.getter
        key = self.key
        if isinstance(sample, Mapping):
            return lambda row: row.get(key)
        return lambda row: getattr(row, key, None)

    def value(self, row: Any) -> Any:
        return self.accessor(row)(row)

    def display(self, value: Any) -> str:
        if value is None:
            return ""
        if self.formatter is not None:
            return self.formatter(value)
        return _default_display(self._kind, value)

    def copy(self, value: Any) -> str:
        return copy_text(self, value)

    def key_function(self) -> Callable[[Any], Any]:
        """Raw (non-empty) value -> sort key; the declared ``sort_key`` or the kind's default."""
        if self.sort_key is not None:
            return self.sort_key
        kind = self._kind
        if kind is ColumnKind.PINYIN:
            return lambda v: (pinyin_key(v), v) if type(v) is str else (pinyin_key(str(v)), str(v))
        if kind is ColumnKind.TEXT:
            return str
        if kind is ColumnKind.DATE:
            return lambda v: v.date() if isinstance(v, dt.datetime) else v
        return _identity

    def sort_value(self, value: Any) -> tuple[bool, Any]:
        """Key for one cell: ``(is_empty, key)``, so empty cells sort after everything."""
        if is_empty(value):
            return (True, 0)
        return (False, self.key_function()(value))


def copy_text(column: Column, value: Any) -> str:
    """Clipboard text for a cell: numbers without separators, dates ISO; tabs/newlines flattened."""
    if value is None:
        return ""
    if column.copy_formatter is not None:
        text = column.copy_formatter(value)
    elif column.column_kind is ColumnKind.MONEY:
        text = _money_copy(value)
    elif column.column_kind is ColumnKind.DATE:
        text = _date_text(value)
    elif column.column_kind is ColumnKind.DECIMAL and isinstance(value, Decimal):
        text = _plain_decimal(value)
    elif column.formatter is not None and column.column_kind in _SEARCHABLE:
        text = column.formatter(value)
    else:
        text = str(value)
    return " ".join(text.replace("\t", " ").splitlines())
