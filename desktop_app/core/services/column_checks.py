"""A batch's rows checked column by column (issue #18): each column's distinct values asked of a
field check once, the answers looked up in C. Shared by the register imports' quick test
(``excel.assets_import_common.Distinct``) and the asset cards' batch validation
(``assets_import.AssetFields.chunk``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from operator import attrgetter
from typing import Any

from desktop_app.core.money import CENT, MAX_AMOUNT

__all__ = ["column_keys", "in_cents", "mapped", "quantized"]

_NONE = type(None)
_KEYED = frozenset((str, int, float, bool, Decimal, date, datetime, _NONE))
_AS_THEMSELVES = (frozenset((str, _NONE)), frozenset((int, _NONE)), frozenset((date, _NONE)))


def column_keys(col: Sequence[Any]) -> Sequence[Any] | None:
    """A key per cell that tells apart what a field check tells apart: the cells themselves for a
    column of texts, of whole numbers or of dates (with blanks); else (type, text) — 1, 1.0, True and
    Decimal(1) are equal keys, Decimal 1.0 and 1 too, but not to a check. None for a column holding
    any other kind of value (then asked row by row)."""
    kinds = set(map(type, col))
    if any(map(kinds.__le__, _AS_THEMSELVES)):
        return col
    if not kinds <= _KEYED:
        return None
    return list(zip(map(type, col), map(str, col), strict=True))


def mapped(check: Callable[[Any], Any], col: Sequence[Any]) -> list[Any]:
    """``check(value)`` of every value of a column, asked once per distinct value (``column_keys``)."""
    keys = column_keys(col)
    if keys is None:
        return list(map(check, col))
    firsts = dict(zip(keys, col, strict=True))  # each key → a value with it
    answers = {k: check(v) for k, v in firsts.items()}
    return list(map(answers.__getitem__, keys))


def in_cents(col: Sequence[Any], *, above_zero: bool) -> bool:
    """Is every value a finite Decimal of at most two places, not below 0 (above 0: ``above_zero``) and
    within ``MAX_AMOUNT`` — an amount ``assets_common.money`` takes as it is?"""
    return set(map(type, col)) == {Decimal} and all(map(Decimal.is_finite, col)) and (
        min(col) > 0 if above_zero else min(col) >= 0) and max(col) <= MAX_AMOUNT and min(
        map(attrgetter("exponent"), map(Decimal.as_tuple, col))) >= -2


def quantized(col: Sequence[Decimal]) -> list[Decimal]:
    """``assets_common.money`` of a column ``in_cents`` (above zero: money's 0.00 for a zero is not made
    here): each amount with two places, exact (at most two places, within the limit: nothing rounds)."""
    return list(map(Decimal.quantize, col, repeat(CENT)))
