"""The 财务公开 sheets as phone images (for the village WeChat group): portrait pages 1080 px wide,
one section per image (a long section runs on to the next, its table headers repeated), large type,
the organisation, period and 第k/n张 at the top of every image and the QR seal at its foot.

The images are laid out from the same :class:`SheetParts` as the PDF (builder.sheet_parts: the
same services, the same figures) by the same :class:`Layout`, on a narrow page; their QR carries the
same sealed content's payload (``SL2-…``), so ``verify-sheet --payload`` accepts what a phone scans
from an image, whether or not the PDF was ever made. This module lays out; phone_render.py draws.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from desktop_app.core.errors import IntegrityProblem, NotFoundError
from desktop_app.core.progress import Progress
from desktop_app.core.rows import OrgRow
from desktop_app.core.services.disclosure import DisclosurePeriod, parse_disclosure_period, recorded_postings
from desktop_app.core.services.funds_base import read_cache
from desktop_app.core.services.orgs import get_organisation, list_books
from desktop_app.reports.disclosure.builder import (
    CN_NUMBERS,
    DISCLOSURE_KIND,
    SheetParts,
    sheet_content,
    sheet_parts,
)
from desktop_app.reports.disclosure.context import make_context
from desktop_app.reports.disclosure.layout import Layout, Op, PageFormat, cell_text, fit, mm, wrap
from desktop_app.reports.disclosure.registry import Block, Cell, Column, PageBreak, TableBlock, TextBlock
from desktop_app.reports.sealing import SealedContent, find_codes, seal_document

WIDTH_PX = 1080  # what phones show full width; WeChat keeps 1080 px images sharp
PX_PER_PT = 3.0  # 360 pt wide pages: 216 dpi
# 1080 x 2340 px (19.5:9, a phone screen); table text 11.5 pt = 34 px, the A4 sheet's 8.5 pt x 1.35
PHONE = PageFormat("手机", WIDTH_PX / PX_PER_PT, 2340 / PX_PER_PT, 6 * mm, 1.35, 27 * mm, 41 * mm)
MAX_COLUMNS = 4  # wider tables become cards: at phone type 5+ columns would break amounts across lines
HINT = "长按识别二维码，或在阳光台账“核验公开表”中输入校验码，可核对本图与账目是否一致"


@dataclass(frozen=True)
class PhoneImage:
    """One image: its drawing operations (points, y up, as layout.Op) and what it shows."""

    book_id: uuid.UUID
    book_name: str  # the images of each book are named and numbered by that book
    number: int  # k of 第k/n张, over the book's images
    total: int
    section: str  # 财务公开概况 / 收支公开表 … (the first section it shows)
    payload: str  # the QR text: the book's sealed content
    ops: tuple[Op, ...]
    width: float = PHONE.width
    height: float = PHONE.height


@dataclass(frozen=True)
class PhoneSet:
    organisation: OrgRow
    period: DisclosurePeriod
    images: tuple[PhoneImage, ...]
    contents: tuple[SealedContent, ...]  # one per book, what each book's QR seals


def for_phone(block: Block) -> Block:
    """A table of more than ``MAX_COLUMNS`` columns as cards, two columns wide: its first cell,
    and the rest as 表头：值 pairs (empty cells left out) wrapped in the second column, so a record
    takes two or three lines. Every printed string of the table is there, in the same text, only
    arranged down the narrow page; the totals row is the last card, bold."""
    if not isinstance(block, TableBlock) or len(block.columns) <= MAX_COLUMNS:
        return block
    first, *others = [c.header for c in block.columns]
    rows: list[list[Cell]] = []
    for row in [*block.rows, *([block.totals_row] if block.totals_row is not None else [])]:
        head, *rest = [cell_text(v) for v in row]
        rows.append([head, "　".join(f"{h}：{v}" for h, v in zip(others, rest, strict=False) if v)])
    bold = set(block.bold_rows) | ({len(block.rows)} if block.totals_row is not None else set())
    return TableBlock(block.title, (Column(first, 26, wrap=True), Column("内容", 74, wrap=True)), rows,
                      note=block.note, bold_rows=frozenset(bold))


def phone_layout(parts: SheetParts) -> tuple[list[list[Op]], list[str]]:
    """The pages (images) of one book's sheets and the section each starts in: the cover as
    builder.build_sheet lays it (the open-months notice above the figures), every section from a
    new image, the sign-off lines after the last section (a phone has no footer room for them)."""
    layout = Layout(PHONE)
    seal_line, open_note = parts.closing_state
    starts = ["财务公开概况"]
    for block in parts.cover:
        if open_note is not None and isinstance(block, TableBlock):
            layout.add(open_note)
            open_note = None
        layout.add(for_phone(block))
    layout.add(seal_line)
    for i, (title, blocks) in enumerate(parts.sections):
        layout.add(PageBreak())
        starts.append(title)
        layout.add(TextBlock(f"{CN_NUMBERS[i % 10]}、{title}", "heading"))
        for block in blocks:
            layout.add(for_phone(block))
    layout.add(TextBlock("签字栏", "heading"))
    for line in parts.signoff:
        layout.add(TextBlock(line, "body"))
    pages = layout.pages
    return pages, _page_sections(pages, starts)


def _page_sections(pages: list[list[Op]], starts: list[str]) -> list[str]:
    """Which section each page shows: a page opening with a heading starts the next section."""
    out: list[str] = []
    k = -1
    for n, ops in enumerate(pages):
        marks = [op[1] for op in ops if op[0] == "k"]
        if n == 0 or (marks and marks[0] == "heading" and k + 1 < len(starts) and _starts_section(ops, starts[k + 1])):
            k += 1
        out.append(starts[max(k, 0)])
    return out


def _starts_section(ops: list[Op], title: str) -> bool:
    return any(op[0] == "t" and str(op[3]).endswith(title) for op in ops[:3])


def _fitted(text: str, size: float, width: float, floor: float) -> tuple[list[str], float]:
    lines, size = fit(text, size, width, floor)
    return (lines, size) if len(lines) == 1 else (wrap(text, floor, width), floor)


def frame_ops(title: str, org_line: str, footer_line: str, period_label: str, payload: str, number: int,
              total: int) -> list[Op]:
    """What every image repeats, as drawing operations: the title (the book), 财务公开 · period ·
    第k/n张, the organisation line; at the foot the check code, the hint, the supervision line and
    the QR code (``("q", x, y, size, payload)``: the square's lower-left corner and side)."""
    f, s = PHONE, PHONE.scale
    m, w, h = f.margin, f.width, f.height
    ops: list[Op] = []
    y = h - m
    lines, size = _fitted(title, 15 * s, f.usable_width, 11 * s)
    for line in lines:
        y -= size * 1.2
        ops.append(("t", w / 2, y + size * 0.2, line, size, "c", True))
    size = 10.5 * s
    y -= size * 1.45
    ops.append(("t", w / 2, y + size * 0.25, f"财务公开 · {period_label} · 第{number}/{total}张", size, "c", True))
    size = 6.5 * s
    for line in wrap(org_line + "　单位：元", size, f.usable_width):
        y -= size * 1.3
        ops.append(("t", m, y + size * 0.2, line.strip("　"), size, "l", False))  # no gap starts a line
    y -= 1.5 * mm
    ops.append(("h", m, y, w - m, y, 0.8 * s))
    assert y >= f.top - 0.5, "the header must fit in header_h"
    # the foot: the QR at the bottom right, the texts left of it from the bottom up
    qr = f.qr_size
    ops.append(("q", w - m - qr, m, qr, payload))
    ops.append(("h", m, m + f.footer_h - 1.5 * mm, w - m, m + f.footer_h - 1.5 * mm, 0.5 * s))
    room = f.footer_text_width
    codes = find_codes(payload)
    size = 6.0 * s
    blocks = [([ln.strip("　") for ln in wrap(footer_line, size, room)], size, False), (wrap(HINT, size, room), size, False),
              ([f"校验码：{codes[0] if codes else payload}"], 7.0 * s, True)]
    y = m + 1 * mm
    for block_lines, size, bold in blocks:
        for line in reversed(block_lines):
            ops.append(("t", m, y + size * 0.25, line, size, "l", bold))
            y += size * 1.3
        y += 1.2 * mm
    return ops


def build_phone_images(session: Session, organisation_id: uuid.UUID, period: str | DisclosurePeriod, *,
                       book_ids: list[uuid.UUID] | None = None, posted_on: date | None = None,
                       progress: Progress | None = None) -> PhoneSet:
    """The images of one organisation (every book, or those asked for), read only."""
    p = period if isinstance(period, DisclosurePeriod) else parse_disclosure_period(period)
    with read_cache(session):
        org = get_organisation(session, organisation_id)
        books = [b for b in list_books(session, organisation_id)
                 if (book_ids is None or b.id in book_ids) and b.start_period <= p.last]
        if not books:
            raise NotFoundError(f"{org.name}在{p.label}没有已启用的账套，无法生成财务公开图片", field="组织")
        posted = recorded_postings(session, [b.id for b in books], p) if posted_on is None else {}
        laid: list[tuple[uuid.UUID, SheetParts, SealedContent, list[list[Op]], list[str]]] = []
        contents = []
        for book in books:
            ctx = make_context(session, book.id, p)
            if ctx.seal.tampered:
                raise IntegrityProblem("已结账月份的凭证与封存哈希不符，不能生成财务公开图片；请先运行“完整性检查”")
            parts = sheet_parts(session, ctx, posted_on or posted.get(book.id), progress)
            content = sheet_content(parts)
            pages, sections = phone_layout(parts)
            laid.append((book.id, parts, content, pages, sections))
            contents.append(content)
    images: list[PhoneImage] = []
    for book_id, parts, content, pages, sections in laid:
        name, total = parts.ctx.book.name, len(pages)  # each book is its own series (its own sheet)
        for n, (ops, section_title) in enumerate(zip(pages, sections, strict=True), start=1):
            frame = frame_ops(name, parts.org_line, parts.footer_line, p.label, content.payload, n, total)
            images.append(PhoneImage(book_id, name, n, total, section_title, content.payload, tuple(frame + ops)))
    return PhoneSet(org, p, tuple(images), tuple(contents))


def disclose_images(session: Session, organisation_id: uuid.UUID, period: str | DisclosurePeriod, *,
                    book_ids: list[uuid.UUID] | None = None, posted_on: date | None = None, by: str | None = None,
                    progress: Progress | None = None) -> PhoneSet:
    """Build the images and seal what they show (in the caller's transaction), as ``disclose``
    seals the PDF: the same content gives the same check code, recorded once. (The 公开 record,
    pages and posting, stays the PDF's: the board sheet is what is posted and registered.)"""
    result = build_phone_images(session, organisation_id, period, book_ids=book_ids, posted_on=posted_on,
                                progress=progress)
    for content in result.contents:
        seal_document(session, DISCLOSURE_KIND, content=content, by=by)
    return result
