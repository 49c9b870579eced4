"""Builds the 财务公开 sheet set of an organisation for a period: a cover page, every registered
section that has something to show, the sign-off block; one PDF, one sheet set per book.

``build_disclosure`` only reads; ``disclose`` also records in the database that the sheets were
generated (content hash, seal hash, pages), in the caller's transaction.
"""

from __future__ import annotations

import gc
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from desktop_app.core.errors import IntegrityProblem, NotFoundError
from desktop_app.core.money import amount_in_words
from desktop_app.core.progress import Progress
from desktop_app.core.rows import OrgRow
from desktop_app.core.services.disclosure import (
    DisclosurePeriod,
    DisclosureRecordRow,
    SealInfo,
    parse_disclosure_period,
    record_disclosure_generated,
)
from desktop_app.core.services.funds_base import period_label, read_cache
from desktop_app.core.services.orgs import get_organisation, list_books
from desktop_app.core.services.statements import balance_sheet, income_figures
from desktop_app.reports.disclosure.context import DisclosureContext, make_context
from desktop_app.reports.disclosure.layout import A3_LANDSCAPE, A4_PORTRAIT, Layout
from desktop_app.reports.disclosure.pdf import SheetSet, render_pdf
from desktop_app.reports.disclosure.registry import (
    Block,
    Column,
    PageBreak,
    TableBlock,
    TextBlock,
    registered_sections,
)

CN_NUMBERS = "一二三四五六七八九十"
_B = "\uff3f"  # FULLWIDTH LOW LINE: the blanks to sign and fill in by hand
COVER_COLUMNS = (Column("项目", 60), Column("本期", 40, "right"), Column("本年累计", 40, "right"),
                 Column("说明", 40, wrap=True))


@dataclass(frozen=True)
class SheetInfo:
    book_id: uuid.UUID
    book_name: str
    payload: str
    seal: SealInfo
    pages: int
    sections: tuple[str, ...]


@dataclass(frozen=True)
class DisclosureDocument:
    organisation: OrgRow
    period: DisclosurePeriod
    title: str
    pdf: bytes
    sheets: tuple[SheetInfo, ...]

    @property
    def pages(self) -> int:
        return sum(s.pages for s in self.sheets)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def _date_text(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else f"{_B * 4}年{_B * 2}月{_B * 2}日"


def _status_blocks(ctx: DisclosureContext) -> list[Block]:
    out: list[Block] = []
    for info in ctx.reopened:
        when = info.last_reopened_at
        day = f"于{when.year}年{when.month}月{when.day}日" if when else ""
        again = "，已重新结账" if info.closed_again else "，目前尚未重新结账"
        out.append(TextBlock(f"特别提示：{period_label(info.period)}结账后曾{day}反结账（共{info.reopen_count}次），"
                             f"原因：{info.last_reason}{again}。本表依据当前账目编制，请与此前张贴的公开表核对。",
                             "warning"))
    if ctx.seal.tampered:
        raise IntegrityProblem("已结账月份的凭证与封存哈希不符，不能生成财务公开表；请先运行“完整性检查”")
    if not ctx.seal.all_sealed:
        open_months = "、".join(period_label(m) for m in ctx.seal.months if m not in ctx.seal.closed)
        out.append(TextBlock(f"注意：{open_months}尚未结账，本表数字在结账前可能变动。", "warning"))
    return out


def cover_blocks(session: Session, ctx: DisclosureContext, titles: list[str]) -> list[Block]:
    now = income_figures(session, ctx.book.id, ctx.period_from, ctx.period_to)
    ytd = income_figures(session, ctx.book.id, ctx.year_start, ctx.period_to)
    sheet = ctx.memo("balance_sheet", lambda: balance_sheet(session, ctx.book.id, ctx.period_to))
    bs = {ln.label: ln.values for ln in sheet.lines if not ln.is_heading}
    start, end = ({k: v[i] for k, v in bs.items()} for i in (0, 1))
    words = amount_in_words(now.total_income) if now.total_income >= 0 else ""
    rows = [
        ["本期收入合计", now.total_income, ytd.total_income, words],
        ["其中：经营性收入", now.operating_income, ytd.operating_income, ""],
        ["　　　补助收入", now.subsidy_income, ytd.subsidy_income, ""],
        ["本期支出合计", now.total_expense, ytd.total_expense,
         amount_in_words(now.total_expense) if now.total_expense >= 0 else ""],
        ["收支结余", now.net_income, ytd.net_income, "收入合计－支出合计"],
        ["期末货币资金", end.get("货币资金"), None, f"年初 {start.get('货币资金') or 0:,.2f} 元"],
        ["期末资产总计", end.get("资产总计"), None, ""],
        ["期末负债合计", end.get("负债合计"), None, ""],
    ]
    contents = "；".join(f"{CN_NUMBERS[i]}、{t}" for i, t in enumerate(titles))
    seal = (f"本期账目已结账封存，封存哈希 {ctx.seal.hash[:16]}…" if ctx.seal.all_sealed
            else f"账目校验哈希 {ctx.seal.hash[:16]}…")
    return [
        TextBlock("财务公开概况", "heading"),
        *_status_blocks(ctx),
        TableBlock("本期财务收支概况", COVER_COLUMNS, rows, bold_rows=frozenset({0, 3, 4})),
        TextBlock(f"本期公开内容：{contents}。", "body"),
        TextBlock("依据《农村集体经济组织财务公开规定》逐项逐笔公开，经"
                  f"{ctx.settings.checking_body}审核。成员对公开内容有疑问的，可在公开期限内向"
                  f"{ctx.settings.checking_body}反映或拨打监督电话。{seal}。", "note"),
    ]


def signoff_lines(ctx: DisclosureContext, posted_on: date | None) -> list[str]:
    s = ctx.settings
    preparer = s.preparer or f"{_B * 6}"
    return [
        f"制表人（会计）：{preparer}　　　　单位负责人（签字）：{_B * 8}",
        f"{s.checking_body}审核意见：{_B * 28}",
        f"{s.checking_body}负责人（签字）：{_B * 8}　　成员（签字）：{_B * 8}　{_B * 8}",
        f"公开日期：{_date_text(posted_on)}　　公开期限：自公开之日起{s.posting_days}天　　"
        f"监督电话：{s.phone or _B * 8}",
    ]


def build_sheet(session: Session, book_id: uuid.UUID, period: DisclosurePeriod, *, a3: bool = False,
                posted_on: date | None = None, progress: Progress | None = None) -> tuple[SheetSet, SheetInfo]:
    ctx = make_context(session, book_id, period)
    fmt = A3_LANDSCAPE if a3 else A4_PORTRAIT
    parts: list[tuple[str, list[Block], bool]] = []
    for section in registered_sections():
        if progress is not None:
            progress.check()
        blocks = section.build(session, ctx)
        if blocks:
            parts.append((section.title, blocks, section.new_page))
    layout = Layout(fmt)
    for block in cover_blocks(session, ctx, [t for t, _, _ in parts]):
        layout.add(block)
    for i, (title, blocks, _new_page) in enumerate(parts):
        layout.add(PageBreak())  # the cover stands alone; every section starts on a new page
        layout.add(TextBlock(f"{CN_NUMBERS[i % 10]}、{title}", "heading"))
        for block in blocks:
            layout.add(block)
    layout.signoff(signoff_lines(ctx, posted_on))
    s = ctx.settings
    sheet = SheetSet(
        title=ctx.title,
        org_line=f"统一社会信用代码：{ctx.organisation.uscc}　　账套：{ctx.book.code} {ctx.book.name}　　"
                 f"公开期间：{period.label}",
        right_line="单位：元",
        footer_line=f"监督电话：{s.phone or _B * 6}　　公开日期：{_date_text(posted_on)}　　"
                    f"公开期限：{s.posting_days}天　　审核：{s.checking_body}",
        payload=ctx.payload,
        pages=layout.pages,
    )
    info = SheetInfo(book_id, ctx.book.name, ctx.payload, ctx.seal, len(layout.pages), tuple(t for t, _, _ in parts))
    return sheet, info


@contextmanager
def _without_gc_pauses() -> Iterator[None]:
    """Hold the cyclic garbage collector while one document is built: the layout and the canvas
    allocate tens of thousands of small tuples and strings, and the collections they trigger (the
    older generations scan the whole heap: ORM objects, fonts) cost about a sixth of the time.
    Reference counting still frees what is dropped; any cycles wait for the collector, which runs
    again as soon as the document is done."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def build_disclosure(session: Session, organisation_id: uuid.UUID, period: str | DisclosurePeriod, *,
                     a3: bool = False, book_ids: list[uuid.UUID] | None = None, posted_on: date | None = None,
                     progress: Progress | None = None) -> DisclosureDocument:
    """The PDF for one organisation: one sheet set per book (or the books asked for)."""
    with _without_gc_pauses(), read_cache(session):  # only reads: each book's chart is read once
        return _build_disclosure(session, organisation_id, period, a3=a3, book_ids=book_ids, posted_on=posted_on,
                                 progress=progress)


def _build_disclosure(session: Session, organisation_id: uuid.UUID, period: str | DisclosurePeriod, *,
                      a3: bool, book_ids: list[uuid.UUID] | None, posted_on: date | None,
                      progress: Progress | None) -> DisclosureDocument:
    p = period if isinstance(period, DisclosurePeriod) else parse_disclosure_period(period)
    org = get_organisation(session, organisation_id)
    books = [b for b in list_books(session, organisation_id)
             if (book_ids is None or b.id in book_ids) and b.start_period <= p.last]
    if not books:
        raise NotFoundError(f"{org.name}在{p.label}没有已启用的账套，无法生成财务公开表", field="组织")
    sheets, infos = [], []
    for book in books:
        sheet, info = build_sheet(session, book.id, p, a3=a3, posted_on=posted_on, progress=progress)
        sheets.append(sheet)
        infos.append(info)
    title = sheets[0].title if len(sheets) == 1 else f"{org.name}财务公开表（{p.label}）"
    pdf = render_pdf(sheets, A3_LANDSCAPE if a3 else A4_PORTRAIT, title=title, subject=" ".join(s.payload for s in sheets))
    return DisclosureDocument(org, p, title, pdf, tuple(infos))


def disclose(session: Session, organisation_id: uuid.UUID, period: str | DisclosurePeriod, *, a3: bool = False,
             book_ids: list[uuid.UUID] | None = None, posted_on: date | None = None, by: str | None = None,
             progress: Progress | None = None) -> tuple[DisclosureDocument, list[DisclosureRecordRow]]:
    """Build the sheets and record that they were generated (in the caller's transaction)."""
    doc = build_disclosure(session, organisation_id, period, a3=a3, book_ids=book_ids, posted_on=posted_on,
                           progress=progress)
    records = [record_disclosure_generated(session, book_id=s.book_id, period=doc.period, seal=s.seal, pages=s.pages,
                                           content_sha256=doc.sha256, by=by) for s in doc.sheets]
    return doc, records
