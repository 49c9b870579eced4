"""The disclosure builder's section registry and the generic blocks its PDF engine draws.

A *section* is one part of the 财务公开 sheet set (收支公开表, 债权债务, 合同及租金 …). It is a
small module in ``desktop_app/reports/disclosure/sections/`` that gathers its data and returns
generic blocks; it never draws. The engine lays the blocks out (fixed row heights, wrapped
text, page breaks with repeated table headers, headings kept with what follows and totals and notes
with the rows before them; page x/y, QR code and the sign-off lines on every page)::

    from desktop_app.reports.disclosure.registry import Column, DisclosureSection, TableBlock, money

    def build(session, ctx):                       # ctx: DisclosureContext (context.py)
        rows = [...]                               # read as tuples, for ctx.book / ctx.period_from..to
        if not rows:
            return None                            # nothing to show this period: section omitted
        return [TableBlock("合同及租金收缴情况", COLUMNS, rows, totals_row=(...))]

    SECTION = DisclosureSection(id="contracts", title="合同及租金收缴公开表", order=50, build=build)

A module-level ``SECTION`` (or a list ``SECTIONS``) is registered when the package is scanned;
calling :func:`register_section` at import time works too. Orders in use: 10 收支公开表,
20 资产负债, 30 债权债务, 40 专项公开; reserved: 50 contracts, 60 assets and resources,
70 income distribution; 90+ anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from desktop_app.core.money import format_amount
from desktop_app.discovery import import_submodules

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_app.reports.disclosure.context import DisclosureContext

Align = Literal["left", "right", "center"]
Cell = str | Decimal | int | None  # Decimal is printed as money (#,##0.00); None prints empty


@dataclass(frozen=True)
class Column:
    """A table column. ``width_mm`` is the width on A4 portrait (182 mm usable); the engine scales
    all widths of a table to the page, so they are relative. ``wrap`` lets long text (摘要, names)
    wrap onto several lines of the same row; other cells stay on one line, set smaller if they must
    (down to 75 %), and wrap beyond that: nothing printed is ever cut. Give identifiers and amounts
    a width that holds them on one line, on A4 (widths summing to 182): an 18-character code takes
    32 mm at the full 8.5 pt (24 mm at the floor), an amount of 1,234,567.89 18 mm (14 mm)."""

    header: str
    width_mm: float
    align: Align = "left"
    wrap: bool = False


@dataclass(frozen=True)
class TableBlock:
    """A table with a title line; its header row is repeated on every page it runs over.

    ``totals_row`` is printed bold after the last row; it and the ``note`` never start a page
    without rows (the last rows move over with them). ``bold_rows`` are indexes into ``rows``
    printed bold (subtotals, headings).
    """

    title: str
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[Cell]]
    totals_row: Sequence[Cell] | None = None
    note: str = ""
    bold_rows: frozenset[int] = field(default_factory=frozenset)


TextStyle = Literal["heading", "body", "note", "warning"]


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (wrapped to the page width). ``warning`` is boxed and bold: 反结账 notices;
    ``heading`` stays on the page of what follows it; ``note`` stays with what comes before it
    (a note never starts a page on its own)."""

    text: str
    style: TextStyle = "body"


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""


Block = TableBlock | TextBlock | PageBreak
BuildFn = Callable[["Session", "DisclosureContext"], "list[Block] | None"]


@dataclass(frozen=True)
class DisclosureSection:
    """One part of the sheet set. ``build`` returns blocks, or None when there is nothing to show
    this period (the section is then left out, not printed empty). ``new_page`` starts the
    section on a fresh page (use it for sheets posted separately, e.g. 专项公开)."""

    id: str
    title: str
    order: int
    build: BuildFn
    new_page: bool = False


_SECTIONS: dict[str, DisclosureSection] = {}
_SCANNED: list[bool] = [False]


def register_section(section: DisclosureSection) -> DisclosureSection:
    """Add (or replace, by ``id``) a section; returns it so it can be assigned to ``SECTION``."""
    if not isinstance(section, DisclosureSection):
        raise TypeError("register_section expects a DisclosureSection")
    _SECTIONS[section.id] = section
    return section


def unregister_section(section_id: str) -> None:
    """Remove a section (tests)."""
    _SECTIONS.pop(section_id, None)


def _scan() -> None:
    if _SCANNED[0]:
        return
    _SCANNED[0] = True
    from desktop_app.reports.disclosure import sections

    for module in import_submodules(sections):
        if module.__name__.rsplit(".", 1)[-1].startswith("_"):
            continue
        found = getattr(module, "SECTIONS", None) or [getattr(module, "SECTION", None)]
        for s in found:
            if isinstance(s, DisclosureSection) and s.id not in _SECTIONS:
                register_section(s)


def registered_sections() -> list[DisclosureSection]:
    """Every section, in ``order`` (then ``id``); scans ``sections/`` on first use."""
    _scan()
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.id))


def money(amount: Decimal | None, *, blank_zero: bool = False) -> str:
    """An amount as printed on the board: #,##0.00, negatives with a minus sign."""
    if amount is None:
        return ""
    return format_amount(amount, blank_zero=blank_zero)


__all__ = [
    "Align", "Block", "BuildFn", "Cell", "Column", "DisclosureSection", "PageBreak", "TableBlock",
    "TextBlock", "money", "register_section", "registered_sections", "unregister_section",
]
