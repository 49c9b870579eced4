"""Cell readers and helpers shared by the 资产卡片, 资源地块 and 项目 import kinds (issue #15).

The kinds keep, with each registered record's values, two private keys the file never has:
``_id`` (the record) and ``_was`` (its values as registered/shown), so the row's validation can
tell a new record from an edit and refuse, with the column named, a change the service forbids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from desktop_app.core.cellvalues import cell_date, cell_number, cell_text, cell_words, cell_yes_no

__all__ = ["PRIVATE", "changed_fields", "date_reader", "integer_reader", "money_reader", "number_reader",
           "public", "text_reader", "words_reader", "yes_no_reader"]

PRIVATE = ("_id", "_was", "_registered")


def money_reader(label: str) -> Callable[[Any], Decimal | None]:
    """An amount in 元: "1,200元", "1.2万元", "¥1,200" as well as a number cell."""
    return lambda raw: cell_number(raw, units=("元",), label=label)


def number_reader(label: str, units: tuple[str, ...] = ()) -> Callable[[Any], Decimal | None]:
    return lambda raw: cell_number(raw, units=units, label=label)


def integer_reader(label: str, units: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """A whole number (kept as the Decimal read when it has decimals: the service then says so)."""
    def read(raw: Any) -> Any:
        n = cell_number(raw, units=units, label=label)
        return int(n) if n is not None and n == n.to_integral_value() else n
    return read


def date_reader(label: str) -> Callable[[Any], Any]:
    return lambda raw: cell_date(raw, label=label)


def text_reader(raw: Any) -> str | None:
    """A code: folded (full-width letters and digits as ASCII, spaces trimmed)."""
    return cell_text(raw) or None


def words_reader(raw: Any) -> str | None:
    """A name, place or note as written (``cellvalues.cell_words``: not folded, so an export reads
    back unchanged)."""
    return cell_words(raw) or None


def yes_no_reader(label: str) -> Callable[[Any], bool | None]:
    """是/否; a blank cell is no value (an update keeps what is registered, a new record says 否)."""
    return lambda raw: None if not cell_text(raw) else cell_yes_no(raw, label=label)


def public(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values without the kinds' private keys."""
    return {k: v for k, v in values.items() if k not in PRIVATE}


def changed_fields(values: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``values`` (a row merged over the record) that differ from ``current``."""
    from desktop_app.excel.importers import shown

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            try:
                return Decimal(a or 0) == Decimal(b or 0)
            except Exception:  # one side is not a number
                return shown(a) == shown(b)
        return (a if a not in ("", None) else None) == (b if b not in ("", None) else None)

    return {k: v for k, v in public(values).items() if k in current and not same(current.get(k), v)}

