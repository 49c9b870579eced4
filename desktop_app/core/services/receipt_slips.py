"""收款收据: the numbered receipt slips handed to a payer (issue #20).

Every receipt the program records gets a slip in the same transaction: a contract receipt
(``receipts.record_receipt`` and the batch form), a 保证金 收取 (``record_deposit``); other income
received in cash or at the bank is recorded by a voucher, so its slip is issued from that voucher
(:func:`issue_slips` with kind ``voucher``; the checklist lists such vouchers still without one).
A receipt recorded before slips existed gets one by the same call (补开: ``on`` is the day it is
made, so its number is of that year).

Numbers run per book and calendar year of issue, ``2026-00001`` on: the next is one more than the
book's highest of that year, taken in the writing transaction (a SQLite write transaction holds
the lock from its start, and ``(book_id, year, seq)`` is unique), so there is never a gap. A slip
is never deleted: 作废 keeps its number and prints across it; every print after the first says 补打.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.images import jsonable
from db.models import Book, Contract, Organisation, ReceiptSlip, Voucher
from db.types import uuid7
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.periods import period_end, period_label, period_start
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_contracts import ReceiptRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.permissions import MAKE_VOUCHER
from desktop_app.core.services.receipt_slip_sources import (
    DEPOSIT,
    RECEIPT,
    SOURCE_LABELS,
    VOUCHER,
    Source,
    read_sources,
)

# The printed layouts (reports/receipt_pdf.py draws them); here so a page or the CLI names them without reportlab.
LAYOUTS = {"a4": "A4 纵向，每张一份收据（三联上下排列，沿虚线裁开）", "a5": "A5 横向，每联一页"}

__all__ = [
    "LAYOUTS",
    "SOURCE_LABELS",
    "ReceiptSlipState",
    "SlipPrint",
    "SlipRow",
    "find_slip",
    "issue_slips",
    "list_slips",
    "print_slips",
    "receipts_with_slips",
    "slip_number",
    "slips_of_source",
    "source_of_voucher",
    "void_slip",
    "void_slips_of",
]


_NUMBER_RE = re.compile(r"(\d{4})\s*-\s*(\d{1,9})")


def slip_number(year: int, seq: int) -> str:
    return f"{year}-{seq:05d}"


@dataclass(frozen=True)
class SlipRow:
    id: uuid.UUID
    book_id: uuid.UUID
    number: str  # 2026-00001
    year: int
    seq: int
    source_kind: str  # contract_receipt / contract_deposit / voucher
    source_id: uuid.UUID
    contract_id: uuid.UUID | None
    contract_number: str | None
    voucher_id: uuid.UUID | None
    voucher_label: str  # 2026年6月第3号 ("" without a voucher)
    payer: str
    purpose: str
    amount: Decimal
    method: str
    received_on: date
    issued_on: date
    collector: str
    status: str  # 正常 / 作废
    void_reason: str | None
    print_count: int

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source_kind, self.source_kind)


@dataclass(frozen=True)
class SlipPrint:
    """A slip as one print shows it: ``reprint`` (补打) when it had been printed before."""

    slip: SlipRow
    organisation: str
    book: str
    reprint: bool


def _slip_query() -> Any:
    return (select(ReceiptSlip.id, ReceiptSlip.book_id, ReceiptSlip.year, ReceiptSlip.seq, ReceiptSlip.source_kind,
                   ReceiptSlip.source_id, ReceiptSlip.contract_id, Contract.number, ReceiptSlip.voucher_id,
                   Voucher.period, Voucher.number, ReceiptSlip.payer, ReceiptSlip.purpose, ReceiptSlip.amount,
                   ReceiptSlip.method, ReceiptSlip.received_on, ReceiptSlip.issued_on, ReceiptSlip.collector,
                   ReceiptSlip.status, ReceiptSlip.void_reason, ReceiptSlip.print_count)
            .outerjoin(Contract, Contract.id == ReceiptSlip.contract_id)
            .outerjoin(Voucher, Voucher.id == ReceiptSlip.voucher_id)
            .where(ReceiptSlip.deleted.is_(False)))


def _row(r: Any) -> SlipRow:
    (sid, book_id, year, seq, kind, source_id, contract_id, contract_no, voucher_id, v_period, v_number, payer,
     purpose, amount, method, received_on, issued_on, collector, status, reason, printed) = r
    label = f"{period_label(v_period)}第{v_number}号" if v_period else ""
    return SlipRow(sid, book_id, slip_number(year, seq), year, seq, kind, source_id, contract_id, contract_no,
                   voucher_id, label, payer, purpose, amount, method, received_on, issued_on, collector, status,
                   reason, printed)


def _rows_by_id(session: Session, ids: Sequence[uuid.UUID]) -> list[SlipRow]:
    found = {r[0]: _row(r) for r in session.execute(_slip_query().where(ReceiptSlip.id.in_(list(ids))))}
    return [found[i] for i in ids if i in found]


def list_slips(session: Session, book_id: uuid.UUID, *, period_from: str | None = None, period_to: str | None = None,
               status: str | None = None) -> list[SlipRow]:
    """The book's slips by number, those whose money came in ``period_from`` … ``period_to``."""
    q = _slip_query().where(ReceiptSlip.book_id == book_id)
    if period_from:
        q = q.where(ReceiptSlip.received_on >= period_start(period_from))
    if period_to:
        q = q.where(ReceiptSlip.received_on <= period_end(period_to))
    if status:
        q = q.where(ReceiptSlip.status == status)
    return [_row(r) for r in session.execute(q.order_by(ReceiptSlip.year, ReceiptSlip.seq))]


def slips_of_source(session: Session, kind: str, source_id: uuid.UUID) -> list[SlipRow]:
    """The slips made for one receipt (a voided one and its replacement), by number."""
    q = _slip_query().where(ReceiptSlip.source_kind == kind, ReceiptSlip.source_id == source_id)
    return [_row(r) for r in session.execute(q.order_by(ReceiptSlip.year, ReceiptSlip.seq))]


def _live_slips(session: Session, kind: str, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """source id -> number of its 正常 slip, for the sources that have one."""
    out: dict[uuid.UUID, str] = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        for sid, year, seq in session.execute(
                select(ReceiptSlip.source_id, ReceiptSlip.year, ReceiptSlip.seq)
                .where(ReceiptSlip.source_kind == kind, ReceiptSlip.source_id.in_(ids[start:start + 500]),
                       ReceiptSlip.status == "正常", ReceiptSlip.deleted.is_(False))):
            out[sid] = slip_number(year, seq)
    return out


def _last_seq(session: Session, book_id: uuid.UUID, year: int) -> int:
    return int(session.scalar(select(func.coalesce(func.max(ReceiptSlip.seq), 0))
                              .where(ReceiptSlip.book_id == book_id, ReceiptSlip.year == year)) or 0)


def issue_slips(session: Session, kind: str, source_ids: Sequence[uuid.UUID], *, user: UserRow,
                payer: str | None = None, on: date | None = None) -> list[SlipRow]:
    """Make the slips of these receipts (all of one ``kind``), numbered in date order (a batch of
    a month's receipts reads like the receipt book it replaces), then in the order given.

    ``on``: the issue date (补开: today); by default the day the money came in. ``payer``
    overrides who paid (a voucher's other income names none of its own). A source already holding
    a 正常 slip, cancelled, or not money received is refused, and then nothing is written."""
    if not source_ids:
        return []
    sources = read_sources(session, kind, source_ids)
    if payer is not None and not payer.strip():
        raise ValidationError("请填写交款单位（人）", field="交款人")
    collectors = {b: require_role(session, user, *MAKE_VOUCHER, book_id=b).display_name
                  for b in dict.fromkeys(src.book_id for src in sources.values())}
    existing = _live_slips(session, kind, sources)
    rows: list[dict[str, Any]] = []
    next_seq: dict[tuple[uuid.UUID, int], int] = {}
    for sid in sorted(dict.fromkeys(source_ids), key=lambda i: sources[i].received_on):  # stable
        src: Source = sources[sid]
        if sid in existing:
            raise ConflictError(f"{src.label}已开具收据 No.{existing[sid]}，如需重开请先作废原收据", field="收据")
        if not src.live:
            raise ConflictError(f"{src.label}已撤销（或凭证已作废），不能开具收据", field="收据")
        name = (payer or src.payer or "").strip()[:100]
        if not name:
            raise ValidationError(f"{src.label}没有交款人，请填写交款单位（人）", field="交款人")
        issued = on or src.received_on
        if issued < src.received_on:
            raise ValidationError(f"开具日期 {issued:%Y-%m-%d} 早于收款日期 {src.received_on:%Y-%m-%d}", field="开具日期")
        key = (src.book_id, issued.year)
        seq = next_seq[key] = (next_seq[key] if key in next_seq else _last_seq(session, *key)) + 1
        rows.append({"id": uuid7(), "book_id": src.book_id, "year": issued.year, "seq": seq, "source_kind": kind,
                     "source_id": sid, "contract_id": src.contract_id, "voucher_id": src.voucher_id, "payer": name,
                     "purpose": src.purpose[:200], "amount": src.amount, "method": src.method,
                     "received_on": src.received_on, "issued_on": issued, "collector": collectors[src.book_id][:50],
                     "status": "正常", "void_reason": None, "print_count": 0})
    bulk_insert(session, ReceiptSlip, rows)
    record_audit(session, [AuditRecord(
        "issue", "receipt_slip", str(r["id"]),
        f"开具收款收据 No.{slip_number(r['year'], r['seq'])}：{r['payer']} {r['amount']} 元（{r['purpose']}）"[:300],
        None, jsonable(r)) for r in rows])
    return _rows_by_id(session, [r["id"] for r in rows])


def _slip(session: Session, slip_id: uuid.UUID) -> ReceiptSlip:
    s = session.get(ReceiptSlip, slip_id)
    if s is None or s.deleted:
        raise NotFoundError("找不到该收据", field="收据")
    return s


def void_slip(session: Session, slip_id: uuid.UUID, *, reason: str, user: UserRow) -> SlipRow:
    """作废: the slip keeps its number and row and prints 作废 from now on (the paper copy
    handed out should be taken back). The receipt itself is not touched: issue a new slip for
    it, or cancel the receipt (撤销收款) if the money was never received."""
    s = _slip(session, slip_id)
    require_role(session, user, *MAKE_VOUCHER, book_id=s.book_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写作废原因", field="作废原因")
    number = slip_number(s.year, s.seq)
    if s.status == "作废":
        raise ConflictError(f"收据 No.{number} 已作废", field="收据")
    before = {"status": s.status, "void_reason": s.void_reason}
    s.status, s.void_reason = "作废", reason[:200]
    session.flush()
    record_audit(session, AuditRecord("void", "receipt_slip", str(s.id),
                                      f"作废收款收据 No.{number}（{s.payer} {s.amount} 元），原因：{reason}"[:300],
                                      before, {"status": s.status, "void_reason": s.void_reason}))
    return _rows_by_id(session, [s.id])[0]


def void_slips_of(session: Session, kind: str, source_id: uuid.UUID, *, reason: str, user: UserRow) -> list[SlipRow]:
    """作废 the 正常 slips of a receipt being cancelled (撤销收款/保证金), in its transaction."""
    live = session.scalars(select(ReceiptSlip.id).where(ReceiptSlip.source_kind == kind, ReceiptSlip.source_id == source_id,
                                                        ReceiptSlip.status == "正常", ReceiptSlip.deleted.is_(False)))
    return [void_slip(session, sid, reason=reason, user=user) for sid in list(live)]


def print_slips(session: Session, slip_ids: Sequence[uuid.UUID], *, user: UserRow) -> list[SlipPrint]:
    """Count a print of each slip (audited) and return them as printed: the first print is the
    original, every later one 补打 (the payer already holds a paper copy)."""
    slips = [_slip(session, i) for i in slip_ids]
    if not slips:
        raise ValidationError("请选择要打印的收据", field="收据")
    names: dict[uuid.UUID, tuple[str, str]] = {}
    records: list[AuditRecord] = []
    reprints: dict[uuid.UUID, bool] = {}
    for s in slips:
        if s.book_id not in names:
            require_role(session, user, *MAKE_VOUCHER, book_id=s.book_id)
            org, book = session.execute(select(Organisation.name, Book.name).join(Book, Book.organisation_id == Organisation.id)
                                        .where(Book.id == s.book_id)).one()
            names[s.book_id] = (org, book)
        reprints[s.id] = s.print_count > 0
        s.print_count += 1
        what = f"补打（第{s.print_count}次打印）" if s.print_count > 1 else "打印"
        records.append(AuditRecord("print", "receipt_slip", str(s.id),
                                   f"{what}收款收据 No.{slip_number(s.year, s.seq)}（{s.status}）", None,
                                   {"print_count": s.print_count}))
    session.flush()
    record_audit(session, records)
    rows = _rows_by_id(session, [s.id for s in slips])
    return [SlipPrint(r, *names[r.book_id], reprints[r.id]) for r in rows]


def find_slip(session: Session, book_id: uuid.UUID, number: str) -> SlipRow:
    """The book's slip numbered ``2026-00001`` (leading zeros optional)."""
    m = _NUMBER_RE.fullmatch((number or "").strip().removeprefix("No.").removeprefix("No").strip())
    if not m:
        raise ValidationError(f"收据号“{number}”的写法应为 年-序号，如 2026-00001", field="收据号")
    found = session.execute(_slip_query().where(ReceiptSlip.book_id == book_id, ReceiptSlip.year == int(m.group(1)),
                                                ReceiptSlip.seq == int(m.group(2)))).first()
    if found is None:
        raise NotFoundError(f"本账套没有收据 No.{slip_number(int(m.group(1)), int(m.group(2)))}", field="收据号")
    return _row(found)


def source_of_voucher(session: Session, book_id: uuid.UUID, period: str, number: int) -> tuple[str, uuid.UUID]:
    """What the book's voucher 凭证 ``period`` 第 ``number`` 号 records, as a slip source: its contract
    receipt or deposit when the program made it from one, else the voucher itself (other income)."""
    found = session.execute(select(Voucher.id, Voucher.source_kind, Voucher.source_id).where(
        Voucher.book_id == book_id, Voucher.period == period, Voucher.number == number,
        Voucher.deleted.is_(False))).first()
    if found is None:
        raise NotFoundError(f"本账套没有{period_label(period)}第{number}号凭证", field="凭证")
    vid, kind, sid = found
    if kind in (RECEIPT, DEPOSIT) and sid is not None:
        return kind, sid
    return VOUCHER, vid


@dataclass(frozen=True)
class ReceiptSlipState(ReceiptRow):
    """A contract receipt as the contract page lists it: with its 收款收据's number and state."""

    slip_no: str = ""  # the 正常 slip's number, else the last voided one's
    slip_status: str = "未开"  # 正常 / 作废 / 未开 (正常 may add the voided ones it replaced)


def receipts_with_slips(session: Session, contract_id: uuid.UUID) -> list[ReceiptSlipState]:
    """The contract's receipts (``receipts.list_receipts``) each with its slip number and state."""
    from desktop_app.core.services.receipts import list_receipts

    receipts = list_receipts(session, contract_id)
    slips: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for sid, year, seq, status in session.execute(
            select(ReceiptSlip.source_id, ReceiptSlip.year, ReceiptSlip.seq, ReceiptSlip.status)
            .where(ReceiptSlip.source_kind == RECEIPT, ReceiptSlip.source_id.in_([r.id for r in receipts]),
                   ReceiptSlip.deleted.is_(False)).order_by(ReceiptSlip.year, ReceiptSlip.seq)):
        slips.setdefault(sid, []).append((slip_number(year, seq), status))
    out = []
    for r in receipts:
        base = {f.name: getattr(r, f.name) for f in fields(r)}
        mine = slips.get(r.id, [])
        live = [n for n, s in mine if s == "正常"]
        voided = [n for n, s in mine if s != "正常"]
        if live:
            state = "正常" + (f"（原 {'、'.join(voided)} 作废）" if voided else "")
            out.append(ReceiptSlipState(**base, slip_no=live[-1], slip_status=state))
        elif voided:
            out.append(ReceiptSlipState(**base, slip_no=voided[-1], slip_status="作废"))
        else:
            out.append(ReceiptSlipState(**base))
    return out
