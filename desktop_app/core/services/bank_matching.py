"""银行对账 (2/3): the two sides (statement lines | posted 银行存款 entries) and their matching (勾对).

The book side of an account for month P is every posted entry of the account from the first
month with a statement up to P; the bank side every statement line up to P. A match group ties
statement lines to entries whose amounts agree (收 against 借, 付 against 贷; one to one, one to
several or several to several); its ``period`` is the month in which it was made, so for any
earlier month its items stay 未达账项, as they were when that month was reconciled.

Automatic matching pairs one line with one entry: the same side and amount first, then the
nearest date within :data:`DATE_WINDOW` days, then the same counterparty, then the most
characters the summaries share. Manual matching takes any items whose sums agree. A month
marked 已对账 refuses both, and unmatching a group made in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import BankMatch, BankStatementLine, Entry, Voucher
from db.types import uuid7
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.money import format_amount
from desktop_app.core.rows import UserRow
from desktop_app.core.services.bank_rows import IN, OUT, BankItem, MatchResult
from desktop_app.core.services.bank_statements import (
    bank_account,
    first_statement_period,
    refuse_if_reconciled,
)
from desktop_app.core.services.funds_base import check_period, get_book_row, period_label
from desktop_app.core.services.permissions import RECONCILE_BANK
from desktop_app.core.services.users import require_role

DATE_WINDOW = 7  # days between the bank's date and the voucher's that automatic matching accepts
ZERO = Decimal("0.00")
KIND_LABELS = {"auto": "自动", "manual": "手工"}


@dataclass(frozen=True)
class _Group:
    id: uuid.UUID
    period: str
    kind: str


def _groups(session: Session, book_id: uuid.UUID, code: str) -> dict[tuple[str, uuid.UUID], _Group]:
    """("bank"/"book", item id) → its active group."""
    out: dict[tuple[str, uuid.UUID], _Group] = {}
    for line_id, entry_id, gid, per, kind in session.execute(
            select(BankMatch.statement_line_id, BankMatch.entry_id, BankMatch.group_id, BankMatch.period, BankMatch.kind)
            .where(BankMatch.book_id == book_id, BankMatch.account_code == code, BankMatch.deleted.is_(False))):
        if line_id is not None:
            out["bank", line_id] = _Group(gid, per, kind)
        elif entry_id is not None:
            out["book", entry_id] = _Group(gid, per, kind)
    return out


def _item_group(groups: dict[tuple[str, uuid.UUID], _Group], side: str, item_id: uuid.UUID,
                period: str) -> tuple[uuid.UUID | None, str]:
    g = groups.get((side, item_id))
    if g is None or g.period > period:
        return None, ""
    return g.id, KIND_LABELS.get(g.kind, g.kind)


def bank_items(session: Session, book_id: uuid.UUID, account_code: str, period: str) -> list[BankItem]:
    """Both sides up to the end of ``period`` (statement lines, then entries, each in date order),
    each with its match group as of ``period`` (None: 未达). Entries count from the first month
    with a statement (the month itself while there is none)."""
    acc = bank_account(session, book_id, account_code)
    period = check_period(period)
    groups = _groups(session, book_id, acc.code)
    items: list[BankItem] = []
    for r in session.execute(
            select(BankStatementLine.id, BankStatementLine.line_date, BankStatementLine.period,
                   BankStatementLine.summary, BankStatementLine.counterparty, BankStatementLine.direction,
                   BankStatementLine.amount, BankStatementLine.source_row, BankStatementLine.balance)
            .where(BankStatementLine.book_id == book_id, BankStatementLine.account_code == acc.code,
                   BankStatementLine.deleted.is_(False), BankStatementLine.period <= period)
            .order_by(BankStatementLine.period, BankStatementLine.line_date, BankStatementLine.seq)):
        gid, kind = _item_group(groups, "bank", r.id, period)
        items.append(BankItem("bank", r.id, r.line_date, r.period, r.summary, r.counterparty or "", r.direction,
                              r.amount, f"对账单第{r.source_row}行", gid, kind, r.balance))
    first = first_statement_period(session, book_id, acc.code)
    start = min(first, period) if first else period  # before any statement: the month's own entries
    for e in session.execute(
            select(Entry.id, Voucher.voucher_date, Entry.period, Voucher.number, Entry.summary, Voucher.summary.label("vs"),
                   Entry.counterparty, Entry.debit, Entry.credit)
            .join(Voucher, Voucher.id == Entry.voucher_id)
            .where(Entry.book_id == book_id, Entry.account_id == acc.id, Entry.deleted.is_(False),
                   Voucher.status == "记账", Voucher.deleted.is_(False), Entry.period >= start, Entry.period <= period)
            .order_by(Voucher.voucher_date, Voucher.number, Entry.line_no)):
        signed = e.debit - e.credit
        if signed == 0:
            continue
        gid, kind = _item_group(groups, "book", e.id, period)
        items.append(BankItem("book", e.id, e.voucher_date, e.period, e.summary or e.vs or "", e.counterparty or "",
                              IN if signed > 0 else OUT, abs(signed), f"{int(e.period[5:])}月记{e.number}号", gid, kind))
    return items


def month_view(items: Sequence[BankItem], period: str) -> list[BankItem]:
    """What the two-sided view shows for ``period``: the month's items and the earlier ones still
    未达 at its end or matched during it."""
    return [i for i in items if i.period == period or i.group_id is None or _matched_in(i, items, period)]


def _matched_in(item: BankItem, items: Sequence[BankItem], period: str) -> bool:
    return any(o.group_id == item.group_id and o.period == period for o in items)


def _similar(a: str, b: str) -> int:
    return len(set(a) & set(b))


def _same_party(a: str, b: str) -> bool:
    return bool(a and b) and (a in b or b in a)


def _group_rows(book_id: uuid.UUID, code: str, period: str, kind: str, user: UserRow,
                bank: Sequence[BankItem], book: Sequence[BankItem]) -> list[dict[str, object]]:
    """The BankMatch rows of one new group (written with ``bulk_insert``: a month's auto-match
    makes hundreds)."""
    gid = uuid7()
    base = {"book_id": book_id, "account_code": code, "group_id": gid, "period": period, "kind": kind,
            "matched_by": user.display_name}
    return ([{"id": uuid7(), **base, "statement_line_id": i.id, "entry_id": None} for i in bank]
            + [{"id": uuid7(), **base, "statement_line_id": None, "entry_id": i.id} for i in book])


def auto_match(session: Session, book_id: uuid.UUID, account_code: str, period: str, *, user: UserRow) -> MatchResult:
    """Pair the unmatched lines and entries up to ``period`` one to one (see the module's rules); audited."""
    require_role(session, user, *RECONCILE_BANK, book_id=book_id)
    acc = bank_account(session, book_id, account_code)
    period = check_period(period)
    refuse_if_reconciled(session, book_id, acc.code, period, "再勾对")
    items = bank_items(session, book_id, acc.code, period)
    taken = set(_groups(session, book_id, acc.code))
    bank = [i for i in items if i.side == "bank" and (i.side, i.id) not in taken]
    book = [i for i in items if i.side == "book" and (i.side, i.id) not in taken]
    by_key: dict[tuple[str, Decimal], list[BankItem]] = {}
    for e in book:
        by_key.setdefault((e.direction, e.amount), []).append(e)
    pairs: list[tuple[tuple[int, int, int, date, date], BankItem, BankItem]] = []
    for b in bank:
        for e in by_key.get((b.direction, b.amount), []):
            days = abs((b.day - e.day).days)
            if days <= DATE_WINDOW:
                score = (days, 0 if _same_party(b.counterparty, e.counterparty) else 1, -_similar(b.summary, e.summary),
                         b.day, e.day)
                pairs.append((score, b, e))
    pairs.sort(key=lambda p: p[0])
    used: set[uuid.UUID] = set()
    rows: list[dict[str, object]] = []
    made = 0
    for _score, b, e in pairs:
        if b.id in used or e.id in used:
            continue
        used.update((b.id, e.id))
        rows += _group_rows(book_id, acc.code, period, "auto", user, [b], [e])
        made += 1
    if made:
        session.flush()
        bulk_insert(session, BankMatch, rows)
        book_row = get_book_row(session, book_id)
        record_audit(session, AuditRecord(
            "match", "bank_match", str(book_id),
            f"{book_row.name}：{acc.code} {acc.name} {period_label(period)}自动勾对 {made} 笔", None,
            {"account": acc.code, "period": period, "pairs": made}))
    return MatchResult(made, made, made)


def match_items(session: Session, book_id: uuid.UUID, account_code: str, period: str,
                statement_line_ids: Sequence[uuid.UUID], entry_ids: Sequence[uuid.UUID], *,
                user: UserRow) -> MatchResult:
    """手工勾对: tie the chosen statement lines to the chosen entries; their sums must agree."""
    require_role(session, user, *RECONCILE_BANK, book_id=book_id)
    acc = bank_account(session, book_id, account_code)
    period = check_period(period)
    refuse_if_reconciled(session, book_id, acc.code, period, "再勾对")
    if not statement_line_ids or not entry_ids:
        raise ValidationError("手工勾对需要同时选中对账单的行和账面的分录（各至少一笔）", field="勾对")
    items = {(i.side, i.id): i for i in bank_items(session, book_id, acc.code, period)}
    taken = _groups(session, book_id, acc.code)
    chosen: dict[str, list[BankItem]] = {"bank": [], "book": []}
    for side, ids, what in (("bank", statement_line_ids, "对账单行"), ("book", entry_ids, "分录")):
        for item_id in dict.fromkeys(ids):
            item = items.get((side, item_id))
            if item is None:
                raise NotFoundError(f"所选{what}不属于 {acc.code} {period_label(period)}及以前（或已不存在）", field="勾对")
            if (side, item_id) in taken:
                raise ValidationError(f"{what}“{item.summary or item.reference}”（{format_amount(item.amount)}）已勾对，"
                                      "请先取消原勾对", field="勾对")
            chosen[side].append(item)

    def total(side: str) -> Decimal:
        return sum((i.amount if i.direction == IN else -i.amount for i in chosen[side]), ZERO)

    if total("bank") != total("book"):
        raise ValidationError(f"金额不等，不能勾对：对账单 {format_amount(total('bank'))}，账面 {format_amount(total('book'))}"
                              f"（收为正、付为负，相差 {format_amount(total('bank') - total('book'))}）", field="勾对")
    session.flush()
    bulk_insert(session, BankMatch, _group_rows(book_id, acc.code, period, "manual", user, chosen["bank"],
                                                chosen["book"]))
    book_row = get_book_row(session, book_id)
    record_audit(session, AuditRecord(
        "match", "bank_match", str(book_id),
        f"{book_row.name}：{acc.code} {period_label(period)}手工勾对 对账单 {len(chosen['bank'])} 笔与账面 "
        f"{len(chosen['book'])} 笔（{format_amount(total('bank'))}）", None,
        {"account": acc.code, "period": period, "bank": [str(i.id) for i in chosen["bank"]],
         "book": [str(i.id) for i in chosen["book"]]}))
    return MatchResult(1, len(chosen["bank"]), len(chosen["book"]))


def unmatch_item(session: Session, book_id: uuid.UUID, account_code: str, item_id: uuid.UUID, *,
                 user: UserRow) -> MatchResult:
    """取消勾对: the whole group the item (a statement line or an entry) belongs to is undone; audited."""
    require_role(session, user, *RECONCILE_BANK, book_id=book_id)
    acc = bank_account(session, book_id, account_code)
    rows = list(session.scalars(select(BankMatch).where(
        BankMatch.book_id == book_id, BankMatch.account_code == acc.code, BankMatch.deleted.is_(False),
        (BankMatch.statement_line_id == item_id) | (BankMatch.entry_id == item_id))))
    if not rows:
        raise NotFoundError("所选的行没有勾对，无需取消", field="勾对")
    group = list(session.scalars(select(BankMatch).where(BankMatch.group_id == rows[0].group_id,
                                                         BankMatch.deleted.is_(False))))
    refuse_if_reconciled(session, book_id, acc.code, group[0].period, "取消其中的勾对")
    for r in group:
        r.deleted = True
    session.flush()
    bank = sum(1 for r in group if r.statement_line_id is not None)
    book_row = get_book_row(session, book_id)
    record_audit(session, AuditRecord(
        "unmatch", "bank_match", str(group[0].group_id),
        f"{book_row.name}：{acc.code} {period_label(group[0].period)}取消勾对（对账单 {bank} 笔，账面 {len(group) - bank} 笔）",
        {"lines": [str(r.statement_line_id) for r in group if r.statement_line_id],
         "entries": [str(r.entry_id) for r in group if r.entry_id], "kind": group[0].kind}, None))
    return MatchResult(1, bank, len(group) - bank)
