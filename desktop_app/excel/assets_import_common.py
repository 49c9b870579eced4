"""Cell readers and helpers shared by the 资产卡片, 资源地块 and 项目 import kinds (issue #15).

The kinds keep, with each registered record's values, two private keys the file never has:
``_id`` (the record) and ``_was`` (its values as registered/shown), so the row's validation can
tell a new record from an edit and refuse, with the column named, a change the service forbids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from decimal import Decimal
from functools import partial
from itertools import repeat
from math import isfinite
from operator import is_not
from typing import Any
from unicodedata import normalize

from desktop_app.core.cellvalues import CellError, cell_date, cell_number, cell_text, cell_words, cell_yes_no
from desktop_app.core.money import float_decimal
from desktop_app.core.services.column_checks import REFUSED, Checked, column_keys
from desktop_app.excel.column_cells import CHUNK, Cells
from desktop_app.excel.importers import ImportCheck, Problem
from desktop_app.excel.table_read import Table

__all__ = ["PRIVATE", "NumberReader", "changed_fields", "date_reader", "integer_reader", "money_reader", "number_reader",
           "public", "text_reader", "words_reader", "yes_no_reader"]

PRIVATE = ("_id", "_was", "_registered")


class NumberReader:
    """``cell_number(raw, units=units, label=label)``; a column of number cells is read in one pass
    (``numbers``)."""

    def __init__(self, label: str, units: tuple[str, ...]) -> None:
        self.label, self.units = label, units

    def __call__(self, raw: Any) -> Decimal | None:
        return cell_number(raw, units=self.units, label=self.label)


def money_reader(label: str) -> Callable[[Any], Decimal | None]:
    """An amount in 元: "1,200元", "1.2万元", "¥1,200" as well as a number cell."""
    return NumberReader(label, ("元",))


def number_reader(label: str, units: tuple[str, ...] = ()) -> Callable[[Any], Decimal | None]:
    return NumberReader(label, units)


def numbers(col: Sequence[Any]) -> list[Any] | None:
    """``cell_number`` of a column of finite number cells and blanks, in one pass (``excel_number``'s
    rule: a whole float below 2**53 is its int, any other its shortest repr); None for any other column."""
    kinds = set(map(type, col))
    if not kinds <= {int, float, _NONE}:
        return None
    if float in kinds and not all(map(isfinite, filter(partial(is_not, None), col))):
        return None
    return [None if c is None else Decimal(c) if type(c) is int else
            float_decimal(c) for c in col]


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



# --- reading a register's rows column by column (issue #18) ---------------------------------------
# A record kind's check read each row through ``Table.rows`` (its skip rules cell by cell) and
# ``importers.read_cells`` (a reader call or memo look-up per cell). ``read_records`` reads the rows
# in chunks, column by column, as the member import does: a chunk that none of the table's skip rules
# can touch (proved per column, below) is read without them, every other chunk goes through
# ``Table.rows`` itself; each column's distinct cells are read once, looked up in C.

_MEMO = 4096  # distinct cells a column remembers (codes and names all differ: not all kept)
_NONE = type(None)


class RegisterCells(Cells):
    """``column_cells.Cells`` with a register's whole-column shortcuts: a column of mostly different
    codes or names read in C (``_codes``/``_names``), a 原值 column of numbers in one pass (``numbers``)."""

    def column(self, col: Sequence[Any]) -> list[Any]:
        kinds = set(map(type, col))
        if kinds == {str} and self.read in _TEXTS and len(set(col)) * 2 > len(col):  # codes, names: in C
            texts = _TEXTS[self.read](col)
            if texts is not None:
                return texts
        if type(self.read) is NumberReader and kinds & {int, float} and len(set(col)) * 2 > len(col):  # 原值
            values = numbers(col)
            if values is not None:
                return values
        return super().column(col)


_NFKC = partial(normalize, "NFKC")
_EDGES = " \t\r\n\u3000"  # what ``cell_words`` trims


def _codes(col: Sequence[str]) -> list[Any] | None:
    """``text_reader`` of a column of mostly different texts, in C: NFKC and trimmed, when no cell is
    blank or holds a space, tab or line break inside (``fold``'s own step then): otherwise None."""
    texts = list(map(str.strip, map(_NFKC, col)))
    joined = "\x00".join(texts)
    if " " in joined or "\t" in joined or "\n" in joined or not all(texts):
        return None
    return texts


def _names(col: Sequence[str]) -> list[Any] | None:
    """``words_reader`` of such a column, in C: trimmed as ``cell_words`` trims, when no cell is blank
    or holds a space, tab, line break or ideographic space inside: otherwise None."""
    texts = list(map(str.strip, col, repeat(_EDGES)))
    joined = "\x00".join(texts)
    if " " in joined or "\t" in joined or "\n" in joined or "\u3000" in joined or not all(texts):
        return None
    return texts


def read_records(table: Table, readers: Mapping[str, Callable[[Any], Any]], problems: list[Problem]
                 ) -> Iterator[tuple[int, dict[str, Any]]]:
    """(Excel row number, {field key: value}) of every data row, as ``Table.records`` with
    ``importers.read_cells`` on each gives them: the same rows skipped (into ``table.skipped``),
    the same values, each refused cell a problem at its row and column (into ``problems``) and its
    row left out."""
    layout = table.layout
    items = list(layout.columns.items())
    keys = [k for k, _ in items]
    where = [layout.where(k) for k in keys]
    cells = [RegisterCells(readers.get(k) or _free) for k in keys]
    for rows, by_column in table.chunks(CHUNK):
        columns = [c.column(by_column[i]) for c, (_, i) in zip(cells, items, strict=True)]
        out = map(dict, map(zip, repeat(keys), zip(*columns, strict=True))) if columns else ({} for _ in rows)
        if not any(c.bad for c in cells):
            yield from zip(rows, out, strict=True)
            continue
        refused: set[int] = set()
        for c, column in zip(cells, columns, strict=True):
            if c.bad:
                for j, v in enumerate(column):
                    if type(v) is CellError:
                        refused.add(j)
        for j, (row, values) in enumerate(zip(rows, out, strict=True)):
            if j not in refused:
                yield row, values
                continue
            for k, at in zip(keys, where, strict=True):  # the row's refusals in column order, as read_cells
                v = values[k]
                if type(v) is CellError:
                    problems.append(Problem(row, at, v.message))


def _free(raw: Any) -> Any:
    return cell_words(raw) or None


_TEXTS: dict[Callable[[Any], Any], Callable[[Sequence[str]], list[Any] | None]] = {
    text_reader: _codes, words_reader: _names, _free: _names}


@dataclass
class ReadTable(Table):
    """A table whose ``records`` are already read (``read_records``): a kind's ``read_row`` then
    takes each record as its values."""

    read: Iterator[tuple[int, dict[str, Any]]] = field(default_factory=lambda: iter(()))

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return self.read


def read_table(table: Table, readers: Mapping[str, Callable[[Any], Any]], problems: list[Problem]) -> ReadTable:
    """``table`` with its records read column by column (``read_records``; refusals into ``problems``)."""
    return ReadTable(table.path, table.layout, table.skipped, iter(()), table._width, table.formula_cells,
                     table.preamble, read_records(table, readers, problems))


def with_problems(out: ImportCheck, problems: Sequence[Problem]) -> ImportCheck:
    """The check with the cells ``read_records`` refused among its problems, by row (a refused row has
    no other problem: it was left out before any other check)."""
    if not problems:
        return out
    return dc_replace(out, problems=tuple(sorted((*out.problems, *problems), key=lambda p: p.row)))


class Accepts(Checked):
    """Does ``check`` (a service's field check: raises ``UserError``) accept a value? ``Checked``:
    each distinct value asked once (a column's 地类, 状态, 日期 repeat)."""

    def __call__(self, value: Any) -> bool:  # type: ignore[override]
        return super().__call__(value) is not REFUSED


def words_ok(value: Any, required: bool, max_len: int) -> bool:
    """``validate.clean_text`` accepts a text value (its own test, without raising: the cells of a
    name or code column all differ)."""
    if type(value) is not str:
        return value is None and not required
    n = len(value.strip())
    return n <= max_len if n else not required


# --- a chunk's quick test, column by column (issue #18) --------------------------------------------
# ``Accepts``/``column_checks.Combined`` are asked once a row (a Python call and a key built per row). A chunk of rows
# read column by column is asked per column: each column's (or few columns') distinct values once,
# the answers looked up in C.

class Distinct(dict[Any, bool]):
    """Does ``check(*values)`` (True/False, never raising) accept each row's values of a few columns?
    Each distinct combination asked once (``column_keys``), then looked up; answers remembered across
    chunks up to ``_MEMO``."""

    def __init__(self, check: Callable[..., bool]) -> None:
        super().__init__()
        self.check = check

    def rows(self, cols: Sequence[Sequence[Any]]) -> list[bool]:
        keyed = list(map(column_keys, cols))
        if None in keyed:
            return [self.check(*values) for values in zip(*cols, strict=True)]
        keys: Sequence[Any] = keyed[0] if len(cols) == 1 else list(zip(*keyed, strict=True))  # type: ignore[arg-type]
        return self.answers(keys, cols)

    def values_of(self, col: Sequence[Any]) -> list[Any]:
        """``check(value)`` (any answer, not only True/False) of each value of one column."""
        keys = column_keys(col)
        return list(map(self.check, col)) if keys is None else self.answers(keys, [col])

    def answers(self, keys: Sequence[Any], cols: Sequence[Sequence[Any]]) -> list[Any]:
        firsts = dict(zip(keys, zip(*cols, strict=True), strict=True))  # each key → a row's values with it
        answers = {k: ok if (ok := self.get(k)) is not None else self.check(*firsts[k]) for k in firsts}
        if len(self) < _MEMO:
            self.update(answers)
        return list(map(answers.__getitem__, keys))


def column(rows: Sequence[Mapping[str, Any]], key: str, default: Any = None) -> list[Any]:
    """``row.get(key, default)`` of every row, in C."""
    return list(map(dict.get, rows, repeat(key), repeat(default)))  # type: ignore[arg-type]


def texts_ok(col: Sequence[Any], required: bool, max_len: int, taken: Mapping[str, Any] | None = None) -> list[bool]:
    """``words_ok`` (and, with ``taken``, trimmed text not among its keys) of every cell: a column of
    texts all within bounds in C, any other row by row."""
    if set(map(type, col)) == {str}:
        trimmed = list(map(str.strip, col))
        lengths = list(map(len, trimmed))
        if (min(lengths) > 0 or not required) and max(lengths) <= max_len and (
                taken is None or taken.keys().isdisjoint(trimmed)):
            return [True] * len(col)
    return [words_ok(v, required, max_len) and (taken is None or v.strip() not in taken) for v in col]


def accepted_by(check: Callable[[Any], Any]) -> Callable[[Any], bool]:
    """True when ``check`` (a service's field check) takes the value, False when it raises."""
    def ok(value: Any) -> bool:
        try:
            check(value)
        except Exception:  # refused (or not even checkable): the service's own call then says how
            return False
        return True
    return ok

