"""Reading an import's cells a column at a time (issue #18; DESIGN-NOTES 27, 99): a chunk of rows
is transposed in C, and each column's distinct cells are read once and looked up in C after that.
A roster or a contract list repeats a few groups, relations, dates, counts and words many times.
The member and contract imports read their rows this way; ``importers.read_cells`` keeps the same
kind of memo for the row-by-row kinds."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from sys import intern
from typing import Any

from desktop_app.core.cellvalues import CellError, cell_text, fold
from desktop_app.excel.importers import MEMO_SIZE

# rows read a chunk at a time: memory stays flat however long the file, and a chunk's cells are still
# in the CPU's cache while they are read and then checked (4,096 rows: 10 % slower)
CHUNK = 512

_PLAIN = frozenset((str, type(None)))


class Cells(dict[Any, Any]):
    """One kind of cell's distinct raw values → what they read as, each read on first sight
    (``__missing__``) and up to ``MEMO_SIZE`` kept (a column of distinct names stops growing);
    texts interned. A refused cell reads as its ``CellError`` and is not kept, so ``bad`` is set
    again wherever it recurs (a caller may clear it a chunk). ``seed`` gives cells their value
    without a read (blank → "")."""

    def __init__(self, read: Callable[[Any], Any], seed: Mapping[Any, Any] | None = None) -> None:
        super().__init__(seed or {})
        self.read = read
        self.bad = False  # a cell was refused (since the flag was cleared): search the column for refusals

    def one(self, raw: Any) -> Any:
        """``raw`` read, or its ``CellError``."""
        try:
            value = self.read(raw)
        except CellError as e:
            self.bad = True
            return e
        return intern(value) if type(value) is str else value

    def __missing__(self, key: Any) -> Any:
        value = self.one(key[1] if type(key) is tuple else key)
        if type(value) is not CellError and len(self) < MEMO_SIZE:
            self[key] = value
        return value

    def column(self, col: Sequence[Any]) -> list[Any]:
        """Each cell of ``col`` read. Cells that are equal as keys but read differently (True, 1
        and 1.0) are keyed with their type when a column mixes them; a column of one kind is not."""
        kinds = set(map(type, col))
        if not kinds <= _PLAIN and (bool in kinds or len(kinds - _PLAIN) > 1):
            col = [c if type(c) in _PLAIN else (type(c), c) for c in col]
        return list(map(self.__getitem__, col))


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
