"""Writing the vouchers a journal import planned (``voucher_import.plan_journal``): what ``create_voucher``
stores for each, done for all at once (issue #15; #18 for its speed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Voucher
from desktop_app.core.money import MAX_AMOUNT
from desktop_app.core.periods import period_label
from desktop_app.core.rows import UserRow
from desktop_app.core.services.funds_base import AccountInfo, book_accounts
from desktop_app.core.services.periods import ensure_period_open
from desktop_app.core.services.voucher_import import PlannedVoucher
from desktop_app.core.services.voucher_lines import check_lines

__all__ = ["create_planned"]


def _entry_tuples(accounts: dict[str, AccountInfo], v: PlannedVoucher, voucher_hex: str, book_hex: str,
                  ids: Iterator[str]) -> tuple[list[tuple[Any, ...]] | None, list[dict[str, object]]]:
    """The entry rows of a voucher the check planned, in ``entry_tuples``' stored form (ids as hex,
    amounts in 分, a new id from ``ids`` each), and the audit image's lines, straight from its
    checked parts: what ``entry_rows(…, check_lines(…))`` stores for them (the plan checked every
    line by the same rules: an active leaf, one side positive in 分, texts within their lengths, the
    voucher balanced). The image holds the amounts' JSON text, as ``jsonable`` writes them.
    (None, []) when a line is not so (the caller then runs the form's check)."""
    if len(v.parts) < 2 or v.top > MAX_AMOUNT or v.debit != v.credit:
        return None, []
    rows: list[tuple[Any, ...]] = []
    image: list[dict[str, object]] = []
    get = accounts.get
    period = v.period
    for i, (code, debit, credit, summary, party) in enumerate(v.parts, start=1):
        acc = get(code)
        if acc is None or not acc.is_leaf or not acc.active:
            return None, []
        summary = summary.strip() or None if summary is not None else None
        party = party.strip() or None if party is not None else None
        rows.append((next(ids), voucher_hex, book_hex, period, i, acc.id.hex, int(debit.scaleb(2)),
                     int(credit.scaleb(2)), summary, party, None, None, None))
        image.append({"line": i, "account": code, "debit": str(debit), "credit": str(credit), "summary": summary})
    return rows, image


_VOUCHER_COLUMNS = ("id", "period", "number", "voucher_date", "summary")  # a new voucher's own values


def create_planned(session: Session, book_id: uuid.UUID, vouchers: Sequence[PlannedVoucher], *,
                   user: UserRow, batch: int = 20000) -> int:
    """Create the new vouchers (status 填制), in order; returns how many.

    What ``create_voucher`` does for each, done for all at once: the same checks (the maker's role,
    the 摘要, the month open, ``check_lines``), the numbers ``number_new`` gave, the rows written
    through ``bulk_insert`` (stored and change-logged as an ORM flush stores them) every ``batch``
    lines with one audit entry per voucher in ``create_voucher``'s words and image (填制凭证
    2026年1月第3号凭证：摘要), then the 常用摘要 counted up once per text.
    An import is user input: each voucher keeps its own audit entry (the bulk posting path's one
    entry per batch is for trusted generators only)."""
    from db.audit import AuditRecord, record_audit
    from db.changelog import bulk_insert, paused_gc
    from db.models import Entry, SummaryPhrase
    from db.types import uuid7, uuid7_hex_stream
    from desktop_app.core.services.entry_tuples import ENTRY_COLUMNS, ENTRY_STORED, entry_tuples
    from desktop_app.core.services.funds_base import get_book_row
    from desktop_app.core.services.users import require_role
    from desktop_app.core.services.voucher_lines import check_flags, entry_rows
    from desktop_app.core.services.vouchers import MAKER_ROLES, voucher_summary

    todo = [v for v in vouchers if not v.existing and not v.bad]
    if not todo:
        return 0
    require_role(session, user, *MAKER_ROLES, book_id=book_id)
    book = get_book_row(session, book_id)
    accounts = book_accounts(session, book.id)
    flags = check_flags(())
    opened: set[str] = set()
    v_rows: list[tuple[Any, ...]] = []
    # what every new voucher shares (填制 by ``user``, no review, no source), given once
    same = {"book_id": book_id, "attachments": 0, "status": "填制", "maker_id": user.id,
            "maker_name": user.display_name, "reviewer_id": None, "reviewer_name": None, "reviewed_at": None,
            "poster_name": None, "posted_at": None, "source_kind": None, "source_id": None, "flags": flags,
            "reversal_of_id": None, "void_reason": None}
    e_rows: list[tuple[Any, ...]] = []
    ids = uuid7_hex_stream()
    book_hex = book_id.hex
    audits: list[AuditRecord] = []
    phrases: dict[str, int] = {}
    with paused_gc():
        for v in todo:
            summary = voucher_summary(v.summary)
            if v.period not in opened:
                ensure_period_open(session, book_id, v.voucher_date)
                opened.add(v.period)
            assert v.number is not None  # number_new numbered it
            vid = uuid7()
            rows, image = _entry_tuples(accounts, v, vid.hex, book_hex, ids)
            if rows is None:  # not the common case: the form's full check (which words any refusal)
                lines = v.lines
                dicts = entry_rows(vid, book_id, v.period, check_lines(accounts, lines))
                rows = entry_tuples(dicts, ids)
                image = [{"line": row["line_no"], "account": ln.account_code, "debit": row["debit"],
                          "credit": row["credit"], "summary": row["summary"]} for row, ln in zip(dicts, lines, strict=True)]
            v_rows.append((vid.hex, v.period, v.number, v.voucher_date, summary))
            e_rows.extend(rows)
            phrases[summary] = phrases.get(summary, 0) + 1
            audits.append(AuditRecord("create", "voucher", str(vid),
                                      f"填制凭证 {period_label(v.period)}第{v.number}号凭证：{summary}", None,
                                      {"number": v.number, "period": v.period, "date": v.voucher_date.isoformat(),
                                       "summary": summary, "status": "填制", "attachments": 0, "flags": flags,
                                       "lines": image}))  # the JSON create_voucher's image makes
            if len(e_rows) >= batch:  # a batch at a time: memory stays flat
                bulk_insert(session, Voucher, v_rows, columns=_VOUCHER_COLUMNS, constants=same, stored=("id",))
                bulk_insert(session, Entry, e_rows, columns=ENTRY_COLUMNS, stored=ENTRY_STORED)
                record_audit(session, audits)
                v_rows.clear()
                e_rows.clear()
                audits.clear()
        bulk_insert(session, Voucher, v_rows, columns=_VOUCHER_COLUMNS, constants=same, stored=("id",))
        bulk_insert(session, Entry, e_rows, columns=ENTRY_COLUMNS, stored=ENTRY_STORED)
        record_audit(session, audits)
        held = {p.text: p for p in session.scalars(select(SummaryPhrase).where(
            SummaryPhrase.book_id == book_id, SummaryPhrase.text.in_(list(phrases))))} if len(phrases) < 30000 else {
            p.text: p for p in session.scalars(select(SummaryPhrase).where(SummaryPhrase.book_id == book_id))}
        for text, uses in phrases.items():
            p = held.get(text)
            if p is not None:
                p.uses += uses
        bulk_insert(session, SummaryPhrase, [{"id": uuid7(), "book_id": book_id, "text": text, "uses": uses}
                                             for text, uses in phrases.items() if text not in held])
        session.flush()
    return len(todo)
