"""Reading an import's cells a column at a time (issue #18; DESIGN-NOTES 27, 99): a chunk of rows
is transposed in C, and each column's distinct cells are read once and looked up in C after that.
A roster or a contract list repeats a few groups, relations, dates, counts and words many times.
The member and contract imports read their rows this way; ``importers.read_cells`` keeps the same
kind of memo for the row-by-row kinds."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from itertools import islice
from sys import intern
from typing import Any

from desktop_app.core.cellvalues import CellError, cell_text, fold

# rows read a chunk at a time: memory stays flat however long the file, and a chunk's cells are still
# in the CPU's cache while they are read and then checked (4,096 rows: 10 % slower)
CHUNK = 512
# distinct readings a column's memo keeps: a register's 面积 or a roster's dates run to a few thousand
# (2,048 sent half of 100k parcels' areas to their reader again); memory stays flat
MEMO_SIZE = 4096

# the cell types equal across types (1 == 1.0 == True == Decimal(1)): one memo holds one of them at most
_NUMBERS = frozenset((int, float, bool, Decimal))


class Cells:
    """One kind of cell's readings, a column at a time: each distinct cell read once (``read_new``),
    then the column's cells looked up in C (``map``); a roster repeats a few groups, relations, dates
    and counts many times. Cells of one number type share a memo with texts, dates and blanks (none of
    which equals a number); a column mixing number types is looked up under (type, cell) keys. Each
    memo keeps up to ``MEMO_SIZE`` readings (a column of distinct names stops growing) and no refusal:
    a refused cell reads as its ``CellError`` and sets ``bad`` wherever it recurs (a caller may clear
    it a chunk). ``seed`` gives cells their value without a read (blank → "")."""

    def __init__(self, read: Callable[[Any], Any], seed: Mapping[Any, Any] | None = None) -> None:
        self.read = read
        self.seed = dict(seed or {})
        self.memos: dict[Any, dict[Any, Any]] = {}  # by the number type the column holds (None: none)
        self.bad = False  # a cell was refused (since the flag was cleared): search the column for refusals

    def one(self, raw: Any) -> Any:
        """``raw`` read, or its ``CellError``."""
        try:
            value = self.read(raw)
        except CellError as e:
            self.bad = True
            return e
        return intern(value) if type(value) is str else value  # a column's repeated words held once

    def read_new(self, new: set[Any]) -> dict[Any, Any]:
        """The readings of cells not met before (a subclass may read some of them in bulk)."""
        return {c: self.one(c) for c in new}

    def column(self, col: Sequence[Any]) -> list[Any]:
        """Each cell of ``col`` read."""
        kinds = _NUMBERS.intersection(map(type, col))
        if len(kinds) > 1:
            col = [(type(c), c) for c in col]
            memo = self._memo("mixed")
            distinct = set(col)
            fresh = {k: self.one(k[1]) for k in distinct.difference(memo)}
        else:
            memo = self._memo(next(iter(kinds)) if kinds else None)
            distinct = set(col)
            new = distinct.difference(memo)
            fresh = self.read_new(new) if new else {}
        if fresh:
            room = MEMO_SIZE - len(memo)
            whole = False  # every new reading kept: the memo answers the whole column
            if room > 0:
                kept = {c: v for c, v in fresh.items() if type(v) is not CellError}
                whole = len(kept) == len(fresh) and len(kept) <= room
                memo.update(kept if len(kept) <= room else dict(islice(kept.items(), room)))
            if not whole:  # the chunk's own cells looked up (a full memo: 78k distinct amounts a journal)
                held = distinct.difference(fresh)
                fresh.update(zip(held, map(memo.__getitem__, held), strict=True))
                return list(map(fresh.__getitem__, col))
        return list(map(memo.__getitem__, col))

    def _memo(self, kind: Any) -> dict[Any, Any]:
        memo = self.memos.get(kind)
        if memo is None:
            memo = self.memos[kind] = dict(self.seed) if kind != "mixed" else {}
        return memo


_NFKC = partial(unicodedata.normalize, "NFKC")


def texts(col: Sequence[Any]) -> list[str]:
    """``cell_text`` of a column whose cells mostly differ (names, 户号), in C when every cell is
    text without an inner space (a column of a few values repeated: ``Cells``)."""
    if set(map(type, col)) == {str}:
        names = list(map(str.strip, map(_NFKC, col)))
        joined = "\x00".join(names)
        if " " not in joined and "\t" not in joined and "\n" not in joined:
            return names
    return [fold(v) if type(v) is str else cell_text(v) for v in col]


def refused(values: list[Any], rows: Sequence[int], key: str, blank: Any,
            problems: list[tuple[int, str, str]]) -> None:
    """Each refused cell of a column to ``problems`` (row, field key, message), and blank in ``values``."""
    for j, v in enumerate(values):
        if type(v) is CellError:
            problems.append((rows[j], key, v.message))
            values[j] = blank
