"""Text that Excel or WPS would evaluate is stored as text — the one place every xlsx writer uses.

openpyxl turns any str that begins with "=" into a formula cell (data_type "f"), in normal and
``write_only`` workbooks alike, and Excel/WPS evaluate cells beginning with + - @ when a user edits
them. A member named "=HYPERLINK(...)" or a contract party "@SUM(1+1)" must come out of every export
as exactly that text. So:

- normal sheets: ``print_setup.finish_sheet`` (called last on every sheet the program writes) runs
  ``guard_sheet`` over the whole sheet;
- ``write_only`` sheets: ``print_setup.StreamSheet`` passes every value through ``stream_value``.

Such a cell gets data_type "s" (a plain string in the file) and the quote prefix (Excel shows it as
text and keeps it text when the user edits it). The program writes no formulas of its own; a writer
that ever wants one must write it after ``finish_sheet``.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["FORMULA_LEADS", "as_text", "guard_sheet", "is_formula_like", "stream_value"]

# "=" "+" "-" "@" start a formula in Excel/WPS; tab and CR are the OWASP CSV-injection extras
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """True for user text that a spreadsheet could take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def as_text(cell: Cell) -> Cell:
    """Make ``cell`` a plain string cell if its value is formula-like text; return it."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def guard_sheet(ws: Worksheet) -> None:
    """Store every formula-like text of a (normal) sheet as text."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell, Cell):
                as_text(cell)


def stream_value(ws: WriteOnlyWorksheet, value: Any, style: Any = None) -> Any:
    """A value for ``ws.append`` of a ``write_only`` sheet: formula-like text as a string cell
    (keeping ``style``, a cell's ``_style``), anything else as it was given."""
    if isinstance(value, Cell):
        return as_text(value)
    if style is None and not is_formula_like(value):
        return value
    return as_text(Cell(ws, 1, 1, value, style))
