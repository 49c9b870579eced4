"""Print setup every xlsx the program writes gets, in one place: ``finish_sheet``.

Call it last, once the table is written. It sets A4 paper, landscape when the table is wide (or as
told), fit to one page wide (as many pages tall as needed), the title rows and header rows repeated
on every printed page, "第 &P 页 / 共 &N 页" in the footer, an autofilter over the header+data
range and puts the title (and the organisation/period line) on the sheet itself, merged and centred
over the table, when the sheet's first row does not already carry it.

Sheets that must keep their first row for an importer (templates) pass ``title_on_sheet=False``:
their title then goes to the printed page header instead, and no row is inserted.

Long tables (成员名册 of a big township: 100,000 rows) are written with ``StreamSheet`` instead: a
``write_only`` sheet (rows go straight to the file, memory stays flat) that writes the same title
rows, header and print setup top to bottom, since nothing can be inserted above a streamed row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.excel.cells import guard_sheet, stream_value

__all__ = ["FOOTER", "WIDE_COLUMNS", "StreamSheet", "finish_sheet"]

FOOTER = "第 &P 页 / 共 &N 页"
WIDE_COLUMNS = 100  # summed column widths (Excel units) beyond which A4 portrait would shrink too far
_DEFAULT_WIDTH = 8.43


def _table_width(ws: Worksheet, ncols: int) -> float:
    total = 0.0
    for i in range(1, ncols + 1):
        dim = ws.column_dimensions.get(get_column_letter(i))
        total += dim.width if dim is not None and dim.width else _DEFAULT_WIDTH
    return total


def _shift_down(ws: Worksheet, n: int) -> None:
    """Insert ``n`` rows at the top, moving what openpyxl's ``insert_rows`` leaves behind
    (merged ranges, row heights, frozen panes)."""
    merged = list(ws.merged_cells.ranges)
    for rng in merged:
        ws.unmerge_cells(str(rng))
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
    frozen = ws.freeze_panes
    ws.insert_rows(1, n)
    for rng in merged:
        rng.shift(0, n)
        ws.merge_cells(str(rng))
    for r in sorted(heights, reverse=True):
        ws.row_dimensions[r + n].height = heights[r]
        ws.row_dimensions[r].height = None
    if frozen:
        col = "".join(ch for ch in frozen if ch.isalpha())
        row = int("".join(ch for ch in frozen if ch.isdigit()))
        ws.freeze_panes = f"{col}{row + n}" if row > 1 else frozen


def _title_rows(ws: Worksheet, title: str, subtitle: str | None, ncols: int) -> int:
    """Write title (and subtitle) on top of the sheet unless row 1 already holds the title;
    return how many rows were inserted."""
    if str(ws.cell(row=1, column=1).value or "").strip() == title.strip():
        return 0
    n = 2 if subtitle else 1
    _shift_down(ws, n)
    last = get_column_letter(max(ncols, 1))
    ws["A1"] = title
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    if ncols > 1:
        ws.merge_cells(f"A1:{last}1")
    if subtitle:
        ws["A2"] = subtitle
        ws["A2"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if ncols > 1:
            ws.merge_cells(f"A2:{last}2")
    return n


def finish_sheet(ws: Worksheet, *, title: str, subtitle: str | None = None,
                 header_rows: tuple[int, int] | int, ncols: int | None = None,
                 last_row: int | None = None, landscape: bool | None = None,
                 title_on_sheet: bool = True, autofilter: bool = True) -> None:
    """Give ``ws`` its print setup and on-sheet title.

    ``header_rows``: the table's header row, or (first, last) header rows, as written *before* the
    call (shifted here if title rows are inserted). ``ncols``: columns of the table (default: the
    sheet's). ``last_row``: last data row of the table (default: the sheet's last row) — pass it
    when signature lines or notes follow the table, so the autofilter stops at the data.
    ``landscape``: None = landscape when the columns are wider than ``WIDE_COLUMNS``.
    """
    first_head, last_head = (header_rows, header_rows) if isinstance(header_rows, int) else header_rows
    ncols = ncols or ws.max_column
    last_row = last_row or ws.max_row
    added = _title_rows(ws, title, subtitle, ncols) if title_on_sheet else 0
    first_head, last_head, last_row = first_head + added, last_head + added, last_row + added

    wide = _table_width(ws, ncols) > WIDE_COLUMNS if landscape is None else landscape
    _page_setup(ws, wide=wide, title_rows=f"{1 if title_on_sheet else first_head}:{last_head}")
    if not title_on_sheet:
        ws.oddHeader.center.text = (title if not subtitle else f"{title}  {subtitle}").replace("&", "&&")
        ws.oddHeader.center.size = 11
    if autofilter and last_row >= last_head:
        ws.auto_filter.ref = f"A{last_head}:{get_column_letter(ncols)}{last_row}"
    guard_sheet(ws)  # user text beginning with = + - @ stays text (excel.cells)


def _page_setup(ws: Worksheet | WriteOnlyWorksheet, *, wide: bool, title_rows: str) -> None:
    """A4, fit to one page wide, centred, margins, repeated title rows, page x/y in the footer."""
    ws.page_setup.orientation = "landscape" if wide else "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    # the title rows (when on the sheet) and the header rows on every printed page
    ws.print_title_rows = title_rows
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.size = 9


class StreamSheet:
    """A table written top to bottom into a ``write_only`` workbook with ``finish_sheet``'s result:
    the title (and subtitle) merged and centred over the table, the bold centred header, frozen
    below the header, A4 fit to width (landscape when wider than ``WIDE_COLUMNS``), title and
    header rows repeated, page x/y in the footer, and — on ``close`` — the autofilter over the
    header and data rows. ``formats`` gives each column's number format (``None``: general);
    every appended row gets them, as one style per column shared by all its cells."""

    def __init__(self, wb: Workbook, name: str, *, title: str, subtitle: str | None, headers: Sequence[str],
                 widths: Sequence[float], formats: Sequence[str | None], landscape: bool | None = None) -> None:
        ws = wb.create_sheet(name)
        assert isinstance(ws, WriteOnlyWorksheet), "StreamSheet needs Workbook(write_only=True)"
        if not len(headers) == len(formats) >= len(widths):
            raise ValueError("one number format per column (None: general), at most one width per column")
        self.ws, self.ncols = ws, len(headers)
        last = get_column_letter(max(self.ncols, 1))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        self.head = 2 if subtitle else 1  # rows above the header
        ws.freeze_panes = f"A{self.head + 2}"
        wide = sum(widths) + _DEFAULT_WIDTH * (self.ncols - len(widths)) > WIDE_COLUMNS if landscape is None \
            else landscape
        _page_setup(ws, wide=wide, title_rows=f"1:{self.head + 1}")
        top = Cell(ws, 1, 1, title)
        top.font = Font(size=14, bold=True)
        top.alignment = Alignment(horizontal="center", vertical="center")
        ws.append([stream_value(ws, top)])
        if subtitle:
            sub = Cell(ws, 1, 1, subtitle)
            sub.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.append([stream_value(ws, sub)])
        if self.ncols > 1:
            for r in range(1, self.head + 1):
                ws.merged_cells.add(CellRange(f"A{r}:{last}{r}"))
        heading = []
        for h in headers:
            c = Cell(ws, 1, 1, h)
            c.font = Font(bold=True)
            c.alignment = Alignment(horizontal="center")
            heading.append(stream_value(ws, c))
        ws.append(heading)
        self.rows = self.head + 1  # rows written so far
        self._styles: list[Any] = []
        for fmt in formats:
            if fmt is None:
                self._styles.append(None)
            else:
                sample = Cell(ws, 1, 1)
                sample.number_format = fmt
                self._styles.append(sample._style)

    def append(self, values: Sequence[Any]) -> None:
        ws = self.ws
        # empty cells keep the format too; formula-like user text stays text (excel.cells)
        ws.append([stream_value(ws, v, style) for v, style in zip(values, self._styles, strict=True)])
        self.rows += 1

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for r in rows:
            self.append(r)

    def close(self, *, last_row: int | None = None, autofilter: bool = True) -> None:
        """Set the autofilter over the header and the data rows (up to ``last_row``: default the
        last row written; pass it when a totals row follows the data)."""
        last = last_row or self.rows
        if autofilter and last >= self.head + 1:
            self.ws.auto_filter.ref = f"A{self.head + 1}:{get_column_letter(self.ncols)}{last}"
