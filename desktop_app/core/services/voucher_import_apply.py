"""Writing the vouchers a journal import planned (``voucher_import.plan_journal``): what ``create_voucher``
stores for each, done for all at once (issue #15; #18 for its speed)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.images import CanonicalJSON
from db.models import Voucher
from desktop_app.core.money import MAX_AMOUNT
from desktop_app.core.periods import period_label
from desktop_app.core.rows import UserRow
from desktop_app.core.services.funds_base import book_accounts
from desktop_app.core.services.periods import ensure_period_open
from desktop_app.core.services.voucher_import import PlannedVoucher
from desktop_app.core.services.voucher_lines import check_lines

__all__ = ["create_planned", "image_json", "line_json"]


def _entry_tuples(leaves: dict[str, str], v: PlannedVoucher, voucher_hex: str, book_hex: str, ids: Iterator[str],
                  amounts: dict[Decimal, tuple[int, str]]) -> tuple[list[tuple[Any, ...]] | None, str]:
    """The entry rows of a voucher the check planned, in ``entry_tuples``' stored form (ids as hex,
    amounts in 分, a new id from ``ids`` each), and the audit image's ``lines`` as canonical JSON
    text, straight from its checked parts: what ``entry_rows(…, check_lines(…))`` stores for them (the
    plan checked every line by the same rules: an active leaf, one side positive in 分, texts within
    their lengths, the voucher balanced) and what ``canonical_json`` writes for ``create_voucher``'s
    image of them (keys sorted, amounts as their text, texts as ``json`` encodes them). ``leaves``:
    the active leaves' account ids as hex by code; ``amounts``: each non-zero amount's 分 and text met.
    (None, "") when a line is not so (the caller then runs the form's check)."""
    if len(v.parts) < 2 or v.top > MAX_AMOUNT or v.debit != v.credit:
        return None, ""
    rows: list[tuple[Any, ...]] = []
    image: list[str] = []
    leaf = leaves.get
    period = v.period
    for i, (code, debit, credit, summary, party) in enumerate(v.parts, start=1):
        account = leaf(code)
        if account is None:
            return None, ""
        summary = summary.strip() or None if summary is not None else None
        party = party.strip() or None if party is not None else None
        d = amounts.get(debit) if debit else None  # a zero keeps its own text (0.00, or -0.00)
        if d is None:
            d = (int(debit.scaleb(2)), str(debit))
            if debit:
                amounts[debit] = d
        c = amounts.get(credit) if credit else None
        if c is None:
            c = (int(credit.scaleb(2)), str(credit))
            if credit:
                amounts[credit] = c
        rows.append((next(ids), voucher_hex, book_hex, period, i, account, d[0], c[0], summary, party, None, None, None))
        image.append(line_json(i, code, d[1], c[1], summary))
    return rows, ",".join(image)


_text = json.encoder.encode_basestring  # what canonical_json's encoder writes a text as (ensure_ascii=False)


def line_json(line: int, code: str, debit: str, credit: str, summary: str | None) -> str:
    """``canonical_json`` of a line of ``create_voucher``'s audit image (its amounts' text given)."""
    return (f'{{"account":{_text(code)},"credit":"{credit}","debit":"{debit}","line":{line},'
            f'"summary":{"null" if summary is None else _text(summary)}}}')


def image_json(number: int, period: str, day: str, summary: str, flags: str, lines: str) -> str:
    """``canonical_json`` of ``create_voucher``'s audit image of a new voucher (填制, no attachments)
    whose ``lines`` are already their JSON text (``_entry_tuples``): its keys in sorted order."""
    return (f'{{"attachments":0,"date":{_text(day)},"flags":{_text(flags)},"lines":[{lines}],"number":{number},'
            f'"period":{_text(period)},"status":"填制","summary":{_text(summary)}}}')


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
    leaves = {code: a.id.hex for code, a in accounts.items() if a.is_leaf and a.active}
    amounts: dict[Decimal, tuple[int, str]] = {}
    labels: dict[str, str] = {}
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
            vhex = next(ids)  # a new voucher's id, from the entries' stream (time-ordered as uuid7's)
            day = v.voucher_date.isoformat()
            rows, lines_json = _entry_tuples(leaves, v, vhex, book_hex, ids, amounts)
            after: dict[str, Any] | CanonicalJSON
            if rows is None:  # not the common case: the form's full check (which words any refusal)
                lines = v.lines
                dicts = entry_rows(uuid.UUID(hex=vhex), book_id, v.period, check_lines(accounts, lines))
                rows = entry_tuples(dicts, ids)
                image = [{"line": row["line_no"], "account": ln.account_code, "debit": row["debit"],
                          "credit": row["credit"], "summary": row["summary"]} for row, ln in zip(dicts, lines, strict=True)]
                after = {"number": v.number, "period": v.period, "date": day, "summary": summary, "status": "填制",
                         "attachments": 0, "flags": flags, "lines": image}  # create_voucher's image
            else:  # the same image, already its canonical JSON text
                after = CanonicalJSON(image_json(v.number, v.period, day, summary, flags, lines_json))
            v_rows.append((vhex, v.period, v.number, v.voucher_date, summary))
            e_rows.extend(rows)
            phrases[summary] = phrases.get(summary, 0) + 1
            label = labels.get(v.period)
            if label is None:
                label = labels[v.period] = period_label(v.period)
            audits.append(AuditRecord("create", "voucher", f"{vhex[:8]}-{vhex[8:12]}-{vhex[12:16]}-{vhex[16:20]}-{vhex[20:]}",
                                      f"填制凭证 {label}第{v.number}号凭证：{summary}", None, after))
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
