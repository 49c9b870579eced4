"""A batch's rows checked column by column (issue #18): each column's distinct values asked of a
field check once, the answers looked up in C. Shared by the register imports' quick test
(``excel.assets_import_common.Distinct``) and the asset cards' batch validation
(``assets_import.AssetFields.chunk``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, is_
from typing import Any

from sqlalchemy import FromClause

from db.images import NOT_IMAGED, CanonicalJSON, canonical_json, jsonable
from desktop_app.core.money import CENT, MAX_AMOUNT

__all__ = ["REFUSED", "Checked", "Combined", "column_json", "column_keys", "in_cents", "mapped", "quantized"]

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


_PLAIN = frozenset((str, int, bool, _NONE))  # what ``jsonable`` gives back as it is
_HASHED = frozenset((uuid.UUID, Decimal, date, datetime))


def column_json(table: FromClause, rows: Sequence[Mapping[str, Any]], constants: Mapping[str, Any] | None = None
                ) -> list[CanonicalJSON]:
    """The audit image of every row of a batch as ``CanonicalJSON``: ``canonical_json(values_image(table,
    {**row, **constants}))``, byte for byte (tested), made column by column without the dicts. Each
    column's values as ``values_image`` keeps them (text, whole numbers and flags as they are, a column
    of one value — the batch's organisation, book, origin, time; ``constants`` — made once, ids, amounts
    and dates by their own method in C, anything else through ``jsonable``), then as JSON by the
    encoder's own C function, each row one ``join`` of its columns' texts in the keys' sorted order."""
    names, columns = _image_columns(table, rows, constants)
    segments: list[str | list[str]] = []  # a text every row shares, or each row's own
    shared = ""
    for j, i in enumerate(sorted(range(len(names)), key=names.__getitem__)):  # keys sorted, as sort_keys does
        key = ("{" if j == 0 else ",") + _encode_text(names[i]) + ":"
        texts = _json_column(columns[i])
        if isinstance(texts, str):
            shared += key + texts
        else:
            segments += [shared + key, texts]
            shared = ""
    if len(segments) == 0:  # every column one value: every row the same text
        return [CanonicalJSON(shared + "}")] * len(rows)
    segments.append(shared + "}")
    parts = [repeat(x) if isinstance(x, str) else x for x in segments]
    return list(map(CanonicalJSON, map("".join, zip(*parts, strict=False))))


def _image_columns(table: FromClause, rows: Sequence[Mapping[str, Any]], constants: Mapping[str, Any] | None
                   ) -> tuple[list[str], list[list[Any]]]:
    """The imaged columns' names (in the table's order) and each one's values as ``jsonable`` gives them."""
    n = len(rows)
    names: list[str] = []
    columns: list[list[Any]] = []
    get: Any = dict.get if set(map(type, rows)) == {dict} else Mapping.get
    for name, key in ((c.name, c.key) for c in table.columns if c.key not in NOT_IMAGED):  # as values_image
        if constants and key in constants:
            x = constants[key]
            names.append(name)
            columns.append([x if type(x) in _PLAIN else jsonable(x)] * n)
            continue
        col = list(map(get, rows, repeat(key)))
        kinds = set(map(type, col))
        if kinds <= _PLAIN:
            pass
        elif len(kinds) == 1 and kinds <= _HASHED and len(set(col)) == 1:
            col = [jsonable(col[0])] * n
        elif kinds == {Decimal}:
            col = list(map(Decimal.__str__, col))
        elif kinds == {uuid.UUID}:
            col = list(map(uuid.UUID.__str__, col))
        elif kinds == {date}:
            col = list(map(date.isoformat, col))
        else:
            col = [x if type(x) in _PLAIN else jsonable(x) for x in col]
        names.append(name)
        columns.append(col)
    return names, columns


def _json_column(col: list[Any]) -> str | list[str]:
    """Each value of an image column as JSON text, as the canonical encoder writes it inside an object;
    one text for a column of one value (the same object in every row: a batch's constant)."""
    if col and all(map(is_, col, repeat(col[0]))):
        return _json_value(col[0])
    kinds = set(map(type, col))
    if kinds == {str}:
        return list(map(_encode_text, col))
    if kinds <= _TEXT_OR_NONE:
        return [_encode_text(x) if x is not None else "null" for x in col]
    if kinds == {int}:
        return list(map(int.__repr__, col))
    if kinds <= _FLAG_OR_NONE:
        return list(map(_FLAGS.__getitem__, col))
    return list(map(_json_value, col))


def _json_value(x: Any) -> str:
    kind = type(x)
    if kind is str:
        return _encode_text(x)
    if x is None:
        return "null"
    if kind is int:
        return int.__repr__(x)
    return canonical_json(x)  # a flag, or a list or dict ``jsonable`` made: the encoder's own answer


_TEXT_OR_NONE = frozenset((str, _NONE))
_FLAG_OR_NONE = frozenset((bool, _NONE))
_FLAGS = {True: "true", False: "false", None: "null"}  # keys only flags and None (1 == True: not ints)
_encode_text = json.encoder.encode_basestring  # what the canonical encoder (ensure_ascii=False) calls for text


# --- a row at a time: each distinct value (or combination) asked once, answers remembered ------------

class Checked(dict[Any, Any]):
    """A field check of the form's (``assets_common.text``/``choice``/``decimal``/…: the value as
    stored, or a ``UserError``) asked once per distinct value: ``checked(value)`` is what
    ``check(value)`` returns, or ``REFUSED``. Text and None are keyed by themselves, a Decimal by its
    text (1.000 and 1 are equal keys), any other value with its type (1, 1.0 and True are equal keys)."""

    def __init__(self, check: Callable[[Any], Any]) -> None:
        super().__init__()
        self.check = check

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        key = value if kind is str or value is None else (Decimal, str(value)) if kind is Decimal else (kind, value)
        try:
            out = self.get(key, _UNSEEN)
        except TypeError:  # unhashable: asked each time
            return self._ask(value)
        return _remember(self, key, self._ask(value)) if out is _UNSEEN else out

    def _ask(self, value: Any) -> Any:
        try:
            return self.check(value)
        except Exception:  # refused, or not even checkable: the form's own call then says how
            return REFUSED


class Combined(dict[Any, Any]):
    """``compute(values)`` of a row's values of ``keys`` (``defaults`` for a key the row lacks), once per
    distinct combination: the columns of a few values each (地类, 坐落, 四至, 权属, 组, 状态) repeat
    together down a register. Keyed by the values' types and, when a Decimal is among them, their texts
    (1.0 and 1 are equal keys but not the same text)."""

    def __init__(self, keys: Iterable[str], defaults: Iterable[Any], compute: Callable[[tuple[Any, ...]], Any]) -> None:
        super().__init__()
        self.fields, self.defaults, self.compute = tuple(keys), tuple(defaults), compute

    def __call__(self, row: Mapping[str, Any]) -> Any:
        values = tuple(map(row.get, self.fields, self.defaults))
        kinds = tuple(map(type, values))
        key = ((tuple(map(str, values)) if Decimal in kinds else values), kinds)
        try:
            out = self.get(key, _UNSEEN)
        except TypeError:  # an unhashable value: computed each time
            return self.compute(values)
        return _remember(self, key, self.compute(values)) if out is _UNSEEN else out


REFUSED = object()  # what ``Checked`` gives for a value its check refuses
_UNSEEN = object()
_MEMO = 4096  # distinct values a check remembers (codes and names all differ: not all kept)


def _remember(memo: dict[Any, Any], key: Any, out: Any) -> Any:
    """``out``, kept in ``memo`` under ``key`` while it holds fewer than ``_MEMO`` answers (the hit
    path stays inline in the callers: it runs once a cell)."""
    if len(memo) < _MEMO:
        memo[key] = out
    return out
