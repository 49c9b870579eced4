"""Builds the 财务公开 sheet set of an organisation for a period: a cover page, every registered
section that has something to show, the sign-off lines (in every page's footer); one PDF, one sheet set per book.

``build_disclosure`` only reads: run it under a read session (a WAL snapshot), so building the PDF
never holds the write lock. ``record_disclosure`` is the short write afterwards: it records that the
sheets were generated (content hash, seal hash, pages) and seals their content, after checking in
its own transaction that what the sheets show is still what the database holds (each sheet's
sealed content and period seal derived again; a change in between is refused: generate again).
``disclose`` does both in the caller's one transaction (the older way, kept for its callers).
"""

from __future__ import annotations

import gc
import hashlib
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop_app.core.errors import ConflictError, IntegrityProblem, NotFoundError
from desktop_app.core.money import amount_in_words
from desktop_app.core.progress import Progress
from desktop_app.core.rows import OrgRow, UserRow
from desktop_app.core.services.auth import require_role, writing_user
from desktop_app.core.services.disclosure import (
    DisclosurePeriod,
    DisclosureRecordRow,
    SealInfo,
    compute_disclosure_seal,
    parse_disclosure_period,
    record_disclosure_generated,
    recorded_postings,
)
from desktop_app.core.services.funds_base import period_label, read_cache
from desktop_app.core.services.orgs import get_organisation, list_books
from desktop_app.core.services.periods import period_reopen_info
from desktop_app.core.services.statements import balance_sheet, income_figures
from desktop_app.reports.disclosure.context import DisclosureContext, make_context
from desktop_app.reports.disclosure.layout import A3_LANDSCAPE, A4_PORTRAIT, Layout, cell_text
from desktop_app.reports.disclosure.pdf import SheetSet, render_pdf
from desktop_app.reports.disclosure.registry import (
    Block,
    Cell,
    Column,
    PageBreak,
    TableBlock,
    TextBlock,
    registered_sections,
)
from desktop_app.reports.sealing import (
    DocumentKind,
    SealedContent,
    register_kind,
    seal_document,
    section,
    table_item,
    text_item,
)

DISCLOSURE_KIND = "disclosure"
CN_NUMBERS = "一二三四五六七八九十"
_B = "\uff3f"  # FULLWIDTH LOW LINE: the blanks to sign and fill in by hand


def cover_columns(period: DisclosurePeriod) -> tuple[Column, ...]:
    """本月/本季 and 本年累计; a year sheet has one column, 本年."""
    if len(period.months) == 12:
        return (Column("项目", 60), Column("本年", 50, "right"), Column("说明", 70, wrap=True))
    now = "本月" if len(period.months) == 1 else ("本季" if len(period.months) == 3 else "本期")
    return (Column("项目", 60), Column(now, 40, "right"), Column("本年累计", 40, "right"), Column("说明", 40, wrap=True))


@dataclass(frozen=True)
class SheetInfo:
    book_id: uuid.UUID
    book_name: str
    payload: str
    seal: SealInfo
    pages: int
    sections: tuple[str, ...]
    content: SealedContent  # what the QR code's check code covers

    @property
    def code(self) -> str:
        return self.content.code


@dataclass(frozen=True)
class DisclosureDocument:
    organisation: OrgRow
    period: DisclosurePeriod
    title: str
    pdf: bytes
    sheets: tuple[SheetInfo, ...]
    data_version: tuple[Any, ...] | None = None  # the change log's ends when it was built (``data_version``)

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
    return out


def _closing_state_blocks(ctx: DisclosureContext) -> tuple[Block, Block | None]:
    """What the sheet says about closing (the seal line; months still open). Printed, but not part of
    the sealed content: closing a month later changes no figure, so the posted sheet still matches."""
    seal = (f"本期账目已结账封存，封存哈希 {ctx.seal.hash[:16]}…。" if ctx.seal.all_sealed
            else f"账目校验哈希 {ctx.seal.hash[:16]}…。")
    if ctx.seal.all_sealed:
        return TextBlock(seal, "note"), None
    open_months = "、".join(period_label(m) for m in ctx.seal.months if m not in ctx.seal.closed)
    return TextBlock(seal, "note"), TextBlock(f"注意：{open_months}尚未结账，本表数字在结账前可能变动。", "warning")


def cover_blocks(session: Session, ctx: DisclosureContext, titles: list[str]) -> list[Block]:
    """The cover as sealed (every figure and text), without the closing-state lines."""
    year = len(ctx.period.months) == 12
    now = income_figures(session, ctx.book.id, ctx.period_from, ctx.period_to)
    ytd = income_figures(session, ctx.book.id, ctx.year_start, ctx.period_to)
    sheet = ctx.memo("balance_sheet", lambda: balance_sheet(session, ctx.book.id, ctx.period_to))
    bs = {ln.label: ln.values for ln in sheet.lines if not ln.is_heading}
    start, end = ({k: v[i] for k, v in bs.items()} for i in (0, 1))
    words = amount_in_words(now.total_income) if now.total_income >= 0 else ""
    rows: list[list[Cell]] = [
        ["收入合计", now.total_income, ytd.total_income, words],
        ["其中：经营性收入", now.operating_income, ytd.operating_income, ""],
        ["　　　补助收入", now.subsidy_income, ytd.subsidy_income, ""],
        ["支出合计", now.total_expense, ytd.total_expense,
         amount_in_words(now.total_expense) if now.total_expense >= 0 else ""],
        ["收支结余", now.net_income, ytd.net_income, "收入合计－支出合计"],
        ["期末货币资金", end.get("货币资金"), None, f"年初 {start.get('货币资金') or 0:,.2f} 元"],
        ["期末资产总计", end.get("资产总计"), None, ""],
        ["期末负债合计", end.get("负债合计"), None, ""],
    ]
    if year:  # one column: 本年 is the year to date
        rows = [[r[0], r[1], r[3]] for r in rows]
    contents = "；".join(f"{CN_NUMBERS[i]}、{t}" for i, t in enumerate(titles))
    what = "本年" if year else ("本月" if len(ctx.period.months) == 1 else "本季")
    return [
        TextBlock("财务公开概况", "heading"),
        *_status_blocks(ctx),
        TableBlock(f"{what}财务收支概况", cover_columns(ctx.period), rows, bold_rows=frozenset({0, 3, 4})),
        TextBlock(f"本期公开内容：{contents}。", "body"),
        TextBlock("依据《农村集体经济组织财务公开规定》逐项逐笔公开，经"
                  f"{ctx.settings.checking_body}审核。成员对公开内容有疑问的，可在公开期限内向"
                  f"{ctx.settings.checking_body}反映或拨打监督电话。", "note"),
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


@dataclass(frozen=True)
class SheetParts:
    """Everything one book's sheet set prints, before layout."""

    ctx: DisclosureContext
    org_line: str
    footer_line: str
    cover: list[Block]  # sealed
    closing_state: tuple[Block, Block | None]  # the seal line and the open-months notice: not sealed
    sections: list[tuple[str, list[Block]]]
    signoff: list[str]
    posted_on: date | None


def sheet_parts(session: Session, ctx: DisclosureContext, posted_on: date | None,
                progress: Progress | None = None) -> SheetParts:
    sections: list[tuple[str, list[Block]]] = []
    for registered in registered_sections():
        if progress is not None:
            progress.check()
        blocks = registered.build(session, ctx)
        if blocks:
            sections.append((registered.title, blocks))
    s = ctx.settings
    code = ctx.credit_code or "未登记"
    return SheetParts(
        ctx=ctx,
        org_line=f"统一社会信用代码：{code}　　账套：{ctx.book.code} {ctx.book.name}　　公开期间：{ctx.period.label}",
        footer_line=f"监督电话：{s.phone or _B * 6}　　公开日期：{_date_text(posted_on)}　　"
                    f"公开期限：{s.posting_days}天　　审核：{s.checking_body}",
        cover=cover_blocks(session, ctx, [t for t, _ in sections]),
        closing_state=_closing_state_blocks(ctx),
        sections=sections,
        signoff=signoff_lines(ctx, posted_on),
        posted_on=posted_on,
    )


def _items(blocks: list[Block]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for b in blocks:
        if isinstance(b, TableBlock):
            out.append(table_item(b.title, [c.header for c in b.columns], b.rows, totals=b.totals_row, note=b.note,
                                  fmt=cell_text))
        elif isinstance(b, TextBlock):
            out.append(text_item(b.text))
    return out


def sheet_content(parts: SheetParts) -> SealedContent:
    """The canonical content of one book's sheet set: header, cover, every section, sign-off."""
    ctx = parts.ctx
    sections = [section("表头", ctx.title, [text_item(parts.org_line), text_item("单位：元"),
                                           text_item(parts.footer_line)]),
                section("封面", "财务公开概况", _items(parts.cover))]
    sections += [section(f"第{i + 1}节", title, _items(blocks)) for i, (title, blocks) in enumerate(parts.sections)]
    sections.append(section("签字栏", "签字", [text_item(line) for line in parts.signoff]))
    params = {"book_id": str(ctx.book.id), "period": ctx.period.code,
              "posted_on": parts.posted_on.isoformat() if parts.posted_on else None}
    return SealedContent(kind=DISCLOSURE_KIND, params=params, title="财务公开", owner=ctx.book.name,
                         period_label=ctx.period.label, sections=tuple(sections), book_code=ctx.book.code,
                         organisation_id=ctx.organisation.id, book_id=ctx.book.id, period_seal=ctx.seal.hash)


def build_sheet(session: Session, book_id: uuid.UUID, period: DisclosurePeriod, *, a3: bool = False,
                posted_on: date | None = None, progress: Progress | None = None
                ) -> tuple[SheetSet, SheetInfo, SealedContent]:
    ctx = make_context(session, book_id, period)
    if ctx.seal.tampered:  # a check (verify-sheet) still rebuilds it, to say what differs
        raise IntegrityProblem("已结账月份的凭证与封存哈希不符，不能生成财务公开表；请先运行“完整性检查”")
    parts = sheet_parts(session, ctx, posted_on, progress)
    content = sheet_content(parts)
    layout = Layout(A3_LANDSCAPE if a3 else A4_PORTRAIT)
    seal_line, open_note = parts.closing_state
    for block in parts.cover:
        if open_note is not None and isinstance(block, TableBlock):
            layout.add(open_note)  # under the heading and the 反结账 notices, above the figures
            open_note = None
        layout.add(block)
    layout.add(seal_line)
    for i, (title, blocks) in enumerate(parts.sections):
        layout.add(PageBreak())  # the cover stands alone; every section starts on a new page
        layout.add(TextBlock(f"{CN_NUMBERS[i % 10]}、{title}", "heading"))
        for block in blocks:
            layout.add(block)
    layout.signoff(parts.signoff)
    sheet = SheetSet(title=ctx.title, org_line=parts.org_line, right_line="单位：元", footer_line=parts.footer_line,
                     payload=content.payload, pages=layout.pages)
    info = SheetInfo(book_id, ctx.book.name, content.payload, ctx.seal, len(layout.pages),
                     tuple(t for t, _ in parts.sections), content)
    return sheet, info, content


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
                     progress: Progress | None = None, user: UserRow | None = None) -> DisclosureDocument:
    """The PDF for one organisation: one sheet set per book (or the books asked for). Only reads.
    Given ``user``, it is checked first (a real, active user who may see the organisation), so a
    refused user costs no build; ``record_disclosure`` checks it again when recording."""
    if user is not None:
        require_role(session, user, organisation_id=organisation_id)
    with _without_gc_pauses(), read_cache(session):  # only reads: each book's chart is read once
        return _build_disclosure(session, organisation_id, period, a3=a3, book_ids=book_ids, posted_on=posted_on,
                                 progress=progress)


def _build_disclosure(session: Session, organisation_id: uuid.UUID, period: str | DisclosurePeriod, *,
                      a3: bool, book_ids: list[uuid.UUID] | None, posted_on: date | None,
                      progress: Progress | None) -> DisclosureDocument:
    p = period if isinstance(period, DisclosurePeriod) else parse_disclosure_period(period)
    version = data_version(session)  # of the snapshot everything below is read from
    org = get_organisation(session, organisation_id)
    books = [b for b in list_books(session, organisation_id)
             if (book_ids is None or b.id in book_ids) and b.start_period <= p.last]
    if not books:
        raise NotFoundError(f"{org.name}在{p.label}没有已启用的账套，无法生成财务公开表", field="组织")
    sheets, infos = [], []
    posted = recorded_postings(session, [b.id for b in books], p) if posted_on is None else {}
    for book in books:
        sheet, info, _ = build_sheet(session, book.id, p, a3=a3, posted_on=posted_on or posted.get(book.id),
                                     progress=progress)
        sheets.append(sheet)
        infos.append(info)
    title = sheets[0].title if len(sheets) == 1 else f"{org.name}财务公开表（{p.label}）"
    pdf = render_pdf(sheets, A3_LANDSCAPE if a3 else A4_PORTRAIT, title=title,
                     subject="\n".join(s.payload for s in sheets))
    return DisclosureDocument(org, p, title, pdf, tuple(infos), version)


# The last change-log record of each origin, found by seeks on the (origin, seq) key (a skip scan:
# a few look-ups per origin, never a scan of the log).
_DATA_VERSION = text("""
WITH RECURSIVE o(origin) AS (
    SELECT MIN(origin) FROM change_log
    UNION ALL
    SELECT (SELECT MIN(c.origin) FROM change_log c WHERE c.origin > o.origin) FROM o WHERE o.origin IS NOT NULL)
SELECT o.origin, (SELECT MAX(c.seq) FROM change_log c WHERE c.origin = o.origin) FROM o WHERE o.origin IS NOT NULL
""")


def data_version(session: Session) -> tuple[Any, ...] | None:
    """Where the change log ends, per origin: every write of a syncable row (this PC's, or a sync
    import's) appends to it in the same transaction, so an equal version in two transactions means
    no such row changed in between. None where it is not known cheaply (a PostgreSQL district)."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    return tuple(tuple(r) for r in session.execute(_DATA_VERSION))


def _current(session: Session, params: Mapping[str, Any]) -> tuple[SealedContent, SealInfo]:
    """What a sheet built with ``params`` would show now (its sealed content) and its period seal now."""
    posted = params.get("posted_on")
    ctx = make_context(session, uuid.UUID(str(params["book_id"])), parse_disclosure_period(str(params["period"])))
    return sheet_content(sheet_parts(session, ctx, date.fromisoformat(posted) if posted else None)), ctx.seal


def record_disclosure(session: Session, doc: DisclosureDocument, *, user: UserRow,
                      check: bool = True) -> list[DisclosureRecordRow]:
    """The short write after ``build_disclosure`` (built under a read session): record that the
    sheets were generated and seal what they show, as ``user`` (any role that may see the books).

    With ``check`` (the document was built in another transaction) it is first made sure that the
    data did not change in between. When the change log ends where it did at the build
    (``data_version``: nothing was written since), that is all. Otherwise each sheet's sealed
    content and period seal are derived again here, inside the write transaction, and compared
    with the document's: content hash and seal hash, and the months closed (the closing lines the
    PDF prints). A change the sheets show (a voucher, a contract, a setting, a month closed or
    reopened) refuses the record with a ``ConflictError``: the PDF no longer shows the books, so it
    must be generated again; a change elsewhere (another village) does not. Deriving the content
    again costs the build's reads but not its layout or PDF."""
    me = user
    for sheet in doc.sheets:  # refused before anything is read again
        me = require_role(session, user, book_id=sheet.book_id)
    if check and (doc.data_version is None or data_version(session) != doc.data_version):
        with read_cache(session):
            for sheet in doc.sheets:
                content, seal = _current(session, sheet.content.params)
                if content.sha256 != sheet.content.sha256 or seal != sheet.seal:
                    raise ConflictError(f"{sheet.book_name}的数据在生成财务公开表期间发生了变化（有人正在录入或同步），"
                                        "本次生成未登记；请重新生成", field="期间")
    records = []
    for sheet in doc.sheets:
        records.append(record_disclosure_generated(session, book_id=sheet.book_id, period=doc.period, seal=sheet.seal,
                                                   pages=sheet.pages, content_sha256=doc.sha256, user=me))
        seal_document(session, DISCLOSURE_KIND, content=sheet.content, by=me.display_name)
    return records


def seal_sheets(session: Session, contents: Iterable[SealedContent], *, user: UserRow) -> None:
    """Seal what sheets built under a read session show (the phone images' ``PhoneSet.contents``), as
    ``user`` (who must be able to see each book). No check against the data is needed: a seal
    records the content as shown, and checking a code later compares it with the data then."""
    for content in contents:
        me = require_role(session, user, book_id=content.book_id)
        seal_document(session, DISCLOSURE_KIND, content=content, by=me.display_name)


def disclose(session: Session, organisation_id: uuid.UUID, period: str | DisclosurePeriod, *, a3: bool = False,
             book_ids: list[uuid.UUID] | None = None, posted_on: date | None = None, user: UserRow | None = None,
             by: str | None = None, progress: Progress | None = None
             ) -> tuple[DisclosureDocument, list[DisclosureRecordRow]]:
    """Build the sheets and record that they were generated, both in the caller's one transaction
    (so a write transaction holds the lock while the PDF is built: prefer ``build_disclosure`` under
    a read session, then ``record_disclosure`` in a short write). ``user``: the acting user (left
    out: the transaction's logged-in user, ``writing_user``); ``by`` is no longer used: the record
    names the checked user only."""
    del by
    user = require_role(session, user if user is not None else writing_user(session), organisation_id=organisation_id)
    doc = build_disclosure(session, organisation_id, period, a3=a3, book_ids=book_ids, posted_on=posted_on,
                           progress=progress)
    return doc, record_disclosure(session, doc, user=user, check=False)


# ---------------------------------------------------------------------------------------------
# The disclosure sheet as a sealed document kind (see reports/sealing.py)

def _rebuild(session: Session, params: Mapping[str, Any]) -> SealedContent:
    with read_cache(session):
        return _current(session, params)[0]


def _period_problems(session: Session, now: SealedContent, stored_seal: str) -> list[str]:
    book_id = uuid.UUID(str(now.params["book_id"]))
    period = parse_disclosure_period(str(now.params["period"]))
    seal = compute_disclosure_seal(session, book_id, period)
    out = []
    if seal.hash != stored_seal:
        reopens = sum(info.reopen_count for m in period.months if (info := period_reopen_info(session, book_id, m)))
        again = f"（该期间曾反结账{reopens}次）" if reopens else ""
        out.append(f"期间封存：{period.label}的凭证在公开表生成后已发生变化{again}")
    if seal.tampered:
        months = "、".join(period_label(m) for m in seal.tampered)
        out.append(f"期间封存：{months}已结账月份的凭证与封存哈希不符，疑被程序以外的方式修改")
    return out


register_kind(DocumentKind(DISCLOSURE_KIND, _rebuild, _period_problems))
