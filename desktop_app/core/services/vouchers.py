"""Vouchers (记账凭证): 填制 → 审核 → 记账; edit/void while unposted; 红字冲销 once posted.

Numbers are sequential per book and month with no gaps: a voided voucher keeps its number
(marked 作废), and a voucher cannot be moved to another month by editing its date.
A 红字冲销 voucher is the original's lines negated: its lines cannot be edited, review and posting
check they still are, its date is never before the original's, and a voucher of a year already
closed that touches 损益/本年收益/各项分配 is not reversed in a later year (that would distort the
new year's income): such errors are corrected through 收益分配——未分配收益 (REFERENCE §2.5).
Every refusal is a UserError with Chinese text naming the field and the line, raised before
anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import Entry, SummaryPhrase, Voucher
from db.types import utcnow, uuid7, uuid7_hex_many
from desktop_app.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from desktop_app.core.money import amount_in_words, from_fen
from desktop_app.core.periods import period_label, period_of
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_funds import LineRow, VoucherDetail, VoucherRow
from desktop_app.core.services.balances import apply_voucher_totals
from desktop_app.core.services.entry_tuples import (
    CREDIT,
    DEBIT,
    ENTRY_COLUMNS,
    ENTRY_STORED,
    LINE_NO,
    SUMMARY,
    quick_entry_tuples,
)
from desktop_app.core.services.funds_base import AccountInfo, book_accounts, get_book_row
from desktop_app.core.services.periods import ensure_period_open, period_row, year_end_accounts
from desktop_app.core.services.users import require_role
from desktop_app.core.services.voucher_lines import (
    CheckedLine,
    LineInput,
    check_flags,
    check_lines,
    entry_rows,
    read_lines,
    to_voucher_row,
    voucher_query,
)

__all__ = [
    "LineInput", "create_voucher", "find_vouchers_by_source", "get_voucher", "list_counterparties",
    "list_summary_phrases",
    "list_vouchers", "post_voucher", "record_auto_voucher", "reverse_voucher", "review_voucher",
    "unreview_voucher", "update_voucher", "void_voucher",
]

MAKER_ROLES = ("bookkeeper", "reviewer", "sysadmin")
SYSTEM_NAME = "系统"


def voucher_summary(text: str) -> str:
    """A voucher's 摘要 as stored: trimmed, required, at most 200 characters."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("摘要不能为空", field="摘要")
    if len(text) > 200:
        raise ValidationError("摘要不能超过200个字", field="摘要")
    return text


def _attachments(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0 or n > 9999:
        raise ValidationError("附件张数应为 0 到 9999 的整数", field="附件张数")
    return n


def _check_date(session: Session, book_id: uuid.UUID, voucher_date: date) -> str:
    if not isinstance(voucher_date, date):
        raise ValidationError("凭证日期无效", field="日期")
    ensure_period_open(session, book_id, voucher_date)
    return period_of(voucher_date)


def _load(session: Session, voucher_id: uuid.UUID) -> Voucher:
    v = session.get(Voucher, voucher_id)
    if v is None or v.deleted:
        raise NotFoundError("找不到该凭证", field="凭证")
    return v


def _label(v: Voucher) -> str:
    return f"{period_label(v.period)}第{v.number}号凭证"


# An audit image's lines (``_image``): dicts in JSON values, as ``jsonable`` writes them
ImageLines = list[dict[str, object]]


def _image(session: Session, v: Voucher, lines: ImageLines | None = None) -> dict[str, object]:
    """The voucher as its audit entries show it, already in JSON values (amounts and the date as
    ``jsonable`` writes them), so the audit's JSON takes its fast path (a voucher of 2,000 lines).
    ``lines``: the image's lines when the caller has them (a new voucher's, :func:`_new_voucher`),
    instead of reading them back."""
    if lines is None:
        lines = [{"line": ln.line_no, "account": ln.account_code, "debit": str(ln.debit),
                  "credit": str(ln.credit), "summary": ln.summary} for ln in read_lines(session, v.id)]
    return {"number": v.number, "period": v.period, "date": v.voucher_date.isoformat(), "summary": v.summary,
            "status": v.status, "attachments": v.attachments, "flags": v.flags, "lines": lines}


def _row(session: Session, voucher_id: uuid.UUID) -> VoucherRow:
    r = session.execute(voucher_query().where(Voucher.id == voucher_id)).one()  # type: ignore[attr-defined]
    return to_voucher_row(r)


def _write_lines(session: Session, v: Voucher, checked: Sequence[CheckedLine]) -> None:
    existing = {e.line_no: e for e in session.scalars(select(Entry).where(Entry.voucher_id == v.id))}
    new: list[dict[str, object]] = []
    for values in entry_rows(v.id, v.book_id, v.period, checked):
        e = existing.pop(int(values["line_no"]), None)  # type: ignore[call-overload]
        if e is None:
            new.append(values)
        else:  # lines are tombstoned, never deleted; a reused line number revives the row
            for k, val in values.items():
                setattr(e, k, val)
            e.deleted = False
    for e in existing.values():
        e.deleted = True
    # new lines as one bulk insert (stored as the ORM stores them, change log and row hash included):
    # a generated voucher has a line per card or member, thousands of ORM objects otherwise
    bulk_insert(session, Entry, new)


def _text_of(fen: int) -> str:
    """An amount in 分 as the image writes the stored amount read back (two places: ``0.00``)."""
    return "0.00" if fen == 0 else str(from_fen(fen))


def _quick_lines(voucher_id: uuid.UUID, book_id: uuid.UUID, period: str, accounts: dict[str, AccountInfo],
                 lines: Sequence[LineInput]) -> tuple[list[tuple[object, ...]], ImageLines] | None:
    """A new voucher's lines in the common case (``entry_tuples.quick_entry_tuples``: stored tuples,
    each line checked as ``check_lines`` would pass it) and their audit image, built from the very
    values stored (the account named exactly, the text trimmed, amounts in two places) instead of
    read back; None: the full check (``check_lines``) decides."""
    rows = quick_entry_tuples(accounts, lines, voucher_id.hex, book_id.hex, period, iter(uuid7_hex_many(len(lines))))
    if rows is None:
        return None
    image: ImageLines = [{"line": r[LINE_NO], "account": ln.account_code, "debit": _text_of(r[DEBIT]),
                          "credit": _text_of(r[CREDIT]), "summary": r[SUMMARY]}
                         for r, ln in zip(rows, lines, strict=True)]
    return rows, image


def _remember_phrase(session: Session, book_id: uuid.UUID, text: str) -> None:
    p = session.execute(select(SummaryPhrase).where(SummaryPhrase.book_id == book_id,
                                                    SummaryPhrase.text == text)).scalar()
    if p is None:
        session.add(SummaryPhrase(book_id=book_id, text=text, uses=1))
    else:
        p.uses += 1


def list_summary_phrases(session: Session, book_id: uuid.UUID, limit: int = 50) -> list[str]:
    """常用摘要 of a book, most used first."""
    return list(session.scalars(select(SummaryPhrase.text).where(
        SummaryPhrase.book_id == book_id, SummaryPhrase.deleted.is_(False))
        .order_by(SummaryPhrase.uses.desc(), SummaryPhrase.text).limit(limit)))


def list_counterparties(session: Session, book_id: uuid.UUID, limit: int = 2000) -> list[str]:
    """往来单位或个人 already named on the book's voucher lines, most used first (the entry form's
    completer)."""
    name = func.trim(Entry.counterparty)
    return list(session.scalars(
        select(name).where(Entry.book_id == book_id, Entry.deleted.is_(False), Entry.counterparty.is_not(None),
                           name != "")
        .group_by(name).order_by(func.count().desc(), name).limit(limit)))


def _new_voucher(session: Session, *, book_id: uuid.UUID, voucher_date: date, summary: str,
                 lines: Sequence[LineInput], user: UserRow, attachments: int, source_kind: str | None,
                 source_id: uuid.UUID | None, flags: Sequence[str], red: bool = False,
                 reversal_of_id: uuid.UUID | None = None) -> tuple[Voucher, ImageLines | None]:
    """The new voucher (填制) and, when its lines took the common case, their audit image (None:
    read them back)."""
    require_role(session, user, *MAKER_ROLES, book_id=book_id)
    book = get_book_row(session, book_id)
    summary = voucher_summary(summary)
    attachments = _attachments(attachments)
    flag_text = check_flags(flags)
    period = _check_date(session, book_id, voucher_date)
    accounts = book_accounts(session, book.id)
    vid = uuid7()
    quick = None if red else _quick_lines(vid, book_id, period, accounts, lines)
    checked = check_lines(accounts, lines, red=red) if quick is None else None
    number = (session.scalar(select(func.max(Voucher.number)).where(
        Voucher.book_id == book_id, Voucher.period == period)) or 0) + 1
    v = Voucher(id=vid, book_id=book_id, period=period, number=number, voucher_date=voucher_date, summary=summary,
                attachments=attachments, status="填制", maker_id=user.id, maker_name=user.display_name,
                source_kind=source_kind, source_id=source_id, flags=flag_text, reversal_of_id=reversal_of_id)
    session.add(v)
    session.flush()
    if quick is not None:  # a new voucher has no lines to revive: one bulk insert of the stored tuples
        bulk_insert(session, Entry, quick[0], columns=ENTRY_COLUMNS, stored=ENTRY_STORED)
    else:
        assert checked is not None
        _write_lines(session, v, checked)
    if source_kind is None:
        _remember_phrase(session, book_id, summary)
    session.flush()
    return v, None if quick is None else quick[1]


def create_voucher(session: Session, *, book_id: uuid.UUID, voucher_date: date, summary: str,
                   lines: Sequence[LineInput], user: UserRow, attachments: int = 0,
                   source_kind: str | None = None, source_id: uuid.UUID | None = None,
                   flags: Sequence[str] = ()) -> VoucherRow:
    """填制 a voucher (status 填制). ``source_kind``/``source_id`` let the module that generated it
    find it again; ``flags`` mark items for disclosure (一事一议, 工程招投标, 征地补偿 …)."""
    v, image = _new_voucher(session, book_id=book_id, voucher_date=voucher_date, summary=summary, lines=lines,
                            user=user, attachments=attachments, source_kind=source_kind, source_id=source_id,
                            flags=flags)
    record_audit(session, AuditRecord("create", "voucher", str(v.id), f"填制凭证 {_label(v)}：{v.summary}",
                                      None, _image(session, v, image)))
    return _row(session, v.id)


def update_voucher(session: Session, voucher_id: uuid.UUID, *, user: UserRow, voucher_date: date | None = None,
                   summary: str | None = None, lines: Sequence[LineInput] | None = None,
                   attachments: int | None = None, flags: Sequence[str] | None = None,
                   expected: VoucherDetail | None = None) -> VoucherRow:
    """Edit an unreviewed voucher (status 填制); its month must be open and stays the same.
    With ``expected`` (an undo putting the old voucher back), only if nobody changed it since."""
    require_role(session, user, *MAKER_ROLES)
    _check_unchanged(session, voucher_id, expected)
    v = _load(session, voucher_id)
    ensure_period_open(session, v.book_id, v.period)
    if v.status != "填制":
        raise ConflictError(f"{_label(v)}状态为“{v.status}”，只有未审核的凭证可以修改"
                            + ("（请先取消审核）" if v.status == "审核" else ""), field="状态")
    new_date = voucher_date or v.voucher_date
    if period_of(new_date) != v.period:
        raise ValidationError(f"凭证日期不能改到其他月份（本凭证属于{period_label(v.period)}）；"
                              "请作废后在新月份重新填制", field="日期")
    _check_date(session, v.book_id, new_date)
    new_summary = voucher_summary(summary) if summary is not None else v.summary
    new_att = _attachments(attachments) if attachments is not None else v.attachments
    new_flags = check_flags(flags) if flags is not None else v.flags
    if v.reversal_of_id is not None:
        original = _load(session, v.reversal_of_id)
        if lines is not None:
            raise ConflictError(f"{_label(v)}是{_label(original)}的红字冲销凭证，分录由原凭证生成，不能修改；"
                                "如冲销有误，请作废本凭证后重新冲销", field="分录")
        if new_flags != v.flags:
            raise ConflictError(f"{_label(v)}是红字冲销凭证，特殊事项标记随原凭证，不能修改", field="特殊事项")
        _check_reversal_date(original, new_date)
    checked = check_lines(book_accounts(session, v.book_id), lines, red=v.reversal_of_id is not None) \
        if lines is not None else None
    before = _image(session, v)
    v.voucher_date, v.summary, v.attachments, v.flags = new_date, new_summary, new_att, new_flags
    if checked is not None:
        _write_lines(session, v, checked)
    session.flush()
    record_audit(session, AuditRecord("update", "voucher", str(v.id), f"修改凭证 {_label(v)}",
                                      before, _image(session, v)))
    return _row(session, v.id)


# The one word for each source_kind (the 凭证 list's 来源, the audit trail's summaries), and for
# vouchers other modules generate for their own records (a receipt, a disposal, a payout …) the
# module that owns them. Reversing or voiding one of those here would leave that record standing
# (the receipt still "paid"), so it is refused; such records are corrected in their own module.
# Depreciation handles its reversed runs itself, and year-end closings are re-run incrementally,
# so those have no owner here and stay allowed.
SOURCE_KINDS: dict[str, tuple[str, str | None]] = {
    "asset_acquisition": ("资产购置", "资产"), "asset_adjustment": ("资产调整", "资产"),
    "asset_disposal": ("资产处置", "资产"), "stocktake": ("资产清查", "资产清查"),
    "depreciation": ("计提折旧", None), "contract_receipt": ("合同收款", "合同收款"),
    "contract_deposit": ("合同保证金", "合同保证金"), "contract_recognition": ("租金确认", "合同租金确认"),
    "distribution": ("收益分配", "收益分配"), "dividend_payout": ("分红发放", "收益分配"),
    "year_end_close": ("年终结转", None),
}
MANUAL_SOURCE = "手工填制"  # a voucher with no source_kind was typed in 填制


def source_kind_label(kind: str | None) -> str:
    """The Chinese word for a voucher's ``source_kind`` (a kind not in the table shows as it is)."""
    if kind is None:
        return MANUAL_SOURCE
    entry = SOURCE_KINDS.get(kind)
    return entry[0] if entry is not None else kind


def _refuse_owned(v: Voucher, verb: str, owner: str | None = None) -> None:
    """Refuse a voucher another module owns, unless ``owner`` is that module's own source kind
    (the module correcting its record reverses or voids the voucher it generated)."""
    module = SOURCE_KINDS.get(v.source_kind or "", ("", None))[1]
    if module is not None and (owner is None or owner != v.source_kind):
        raise ConflictError(f"{_label(v)}由“{module}”生成，不能在凭证中直接{verb}；"
                            f"请在“{module}”中撤销或更正，以免台账与账簿不符", field="凭证")


def _check_unchanged(session: Session, voucher_id: uuid.UUID, expected: VoucherDetail | None) -> None:
    if expected is not None and get_voucher(session, voucher_id) != expected:
        raise ConflictError(f"{expected.voucher.code}已被再次修改、审核或作废，不能撤销", field="凭证")


def inputs_of(detail: VoucherDetail) -> list[LineInput]:
    """A voucher's lines as they would be typed (to put an earlier version back)."""
    return [LineInput(ln.account_code, ln.debit, ln.credit, ln.summary, ln.counterparty, ln.project_id,
                      ln.contract_id, ln.asset_id) for ln in detail.lines]


def void_voucher(session: Session, voucher_id: uuid.UUID, *, user: UserRow, reason: str = "",
                 owner: str | None = None, expected: VoucherDetail | None = None) -> VoucherRow:
    """作废 an unposted voucher; it keeps its number so the month's numbering has no gap.

    ``owner``: the source kind of the module voiding its own generated voucher (see ``_refuse_owned``);
    ``expected``: an undo of 填制, only if nobody changed the voucher since."""
    require_role(session, user, *MAKER_ROLES)
    _check_unchanged(session, voucher_id, expected)
    v = _load(session, voucher_id)
    _refuse_owned(v, "作废", owner)
    ensure_period_open(session, v.book_id, v.period)
    if v.status not in ("填制", "审核"):
        raise ConflictError(f"{_label(v)}状态为“{v.status}”，不能作废"
                            + ("；已记账的凭证只能红字冲销" if v.status == "记账" else ""), field="状态")
    before = _image(session, v)
    v.status, v.void_reason = "作废", (reason or "").strip()[:200] or None
    session.flush()
    record_audit(session, AuditRecord("void", "voucher", str(v.id), f"作废凭证 {_label(v)}", before,
                                      _image(session, v)))
    return _row(session, v.id)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _check_reversal_date(original: Voucher, day: date) -> None:
    if day < original.voucher_date:
        raise ValidationError(f"红字冲销凭证的日期（{_day(day)}）不能早于原凭证{_label(original)}的日期"
                              f"（{_day(original.voucher_date)}）", field="日期")


def _check_reversal_lines(session: Session, v: Voucher, action: str) -> None:
    """A 红字冲销 voucher must still be exactly its original's lines negated, the original posted."""
    if v.reversal_of_id is None:
        return
    original = session.get(Voucher, v.reversal_of_id)
    if original is None or original.deleted or original.status != "记账":
        raise ConflictError(f"{_label(v)}是红字冲销凭证，但其原凭证不存在或未记账，不能{action}；请作废本凭证",
                            field="凭证")
    want = [(ln.account_code, -ln.debit, -ln.credit, ln.summary, ln.counterparty, ln.project_id, ln.contract_id,
             ln.asset_id) for ln in read_lines(session, original.id)]
    have = [(ln.account_code, ln.debit, ln.credit, ln.summary, ln.counterparty, ln.project_id, ln.contract_id,
             ln.asset_id) for ln in read_lines(session, v.id)]
    if have != want:
        bad = next((i for i, (h, w) in enumerate(zip(have, want, strict=False), start=1) if h != w),
                   min(len(have), len(want)) + 1)
        raise ConflictError(f"{_label(v)}的分录与原凭证{_label(original)}的红字金额不符（第{bad}行起），不能{action}；"
                            "请作废本凭证后重新冲销", field="分录")


def check_cancellation(reason: str, on: date | None, what: str) -> tuple[str, date]:
    """A module's 撤销 needs its reason and the date of its red reversal."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"{what}必须填写原因", field="原因")
    if on is None:
        raise ValidationError("请填写撤销日期", field="日期")
    return reason, on


def undo_module_voucher(session: Session, voucher_id: uuid.UUID | None, kind: str, *, user: UserRow, on: date,
                        reason: str) -> tuple[VoucherRow | None, str]:
    """A module taking back its own record (a receipt, a deposit, a disposal): reverse its posted
    voucher in red dated ``on`` (posted by 系统), or void it if not yet posted. Returns the
    reversal (None if voided) and a phrase for the audit summary."""
    if voucher_id is None:
        return None, "无凭证"
    v = get_voucher(session, voucher_id).voucher
    if v.status == "记账":
        red = reverse_voucher(session, v.id, user=user, voucher_date=on, reason=reason, owner=kind, post=True)
        return red, f"红字冲销凭证 {period_label(red.period)}第{red.number}号"
    if v.status != "作废":
        void_voucher(session, v.id, user=user, reason=reason, owner=kind)
        return None, f"作废凭证 {period_label(v.period)}第{v.number}号"
    return None, "凭证已作废"


def review_voucher(session: Session, voucher_id: uuid.UUID, *, user: UserRow) -> VoucherRow:
    """审核: a reviewer who is not the maker."""
    require_role(session, user, "reviewer")
    v = _load(session, voucher_id)
    ensure_period_open(session, v.book_id, v.period)
    if v.status != "填制":
        raise ConflictError(f"{_label(v)}状态为“{v.status}”，不能审核", field="状态")
    if v.maker_id == user.id:
        raise PermissionDenied("不能审核自己填制的凭证，须由另一位审核员审核", field="审核人")
    _check_reversal_lines(session, v, "审核")
    v.status, v.reviewer_id, v.reviewer_name, v.reviewed_at = "审核", user.id, user.display_name, utcnow()
    session.flush()
    record_audit(session, AuditRecord("review", "voucher", str(v.id), f"审核凭证 {_label(v)}",
                                      {"status": "填制"}, {"status": "审核", "reviewer": user.display_name}))
    return _row(session, v.id)


def unreview_voucher(session: Session, voucher_id: uuid.UUID, *, user: UserRow) -> VoucherRow:
    require_role(session, user, "reviewer")
    v = _load(session, voucher_id)
    ensure_period_open(session, v.book_id, v.period)
    if v.status != "审核":
        raise ConflictError(f"{_label(v)}状态为“{v.status}”，不能取消审核", field="状态")
    v.status, v.reviewer_id, v.reviewer_name, v.reviewed_at = "填制", None, None, None
    session.flush()
    record_audit(session, AuditRecord("unreview", "voucher", str(v.id), f"取消审核凭证 {_label(v)}",
                                      {"status": "审核"}, {"status": "填制"}))
    return _row(session, v.id)


def _post(session: Session, v: Voucher, poster: str) -> None:
    v.status, v.poster_name, v.posted_at = "记账", poster, utcnow()
    session.flush()
    apply_voucher_totals(session, v.id)


def post_voucher(session: Session, voucher_id: uuid.UUID, *, user: UserRow) -> VoucherRow:
    """记账 a reviewed voucher; from now on it can only be reversed."""
    require_role(session, user, "bookkeeper", "reviewer")
    v = _load(session, voucher_id)
    ensure_period_open(session, v.book_id, v.period)
    if v.status != "审核":
        raise ConflictError(f"{_label(v)}状态为“{v.status}”，只有已审核的凭证可以记账", field="状态")
    _check_reversal_lines(session, v, "记账")
    _post(session, v, user.display_name)
    record_audit(session, AuditRecord("post", "voucher", str(v.id), f"记账 {_label(v)}",
                                      {"status": "审核"}, {"status": "记账"}))
    return _row(session, v.id)


def _check_reversible(session: Session, voucher_id: uuid.UUID, owner: str | None = None) -> Voucher:
    v = _load(session, voucher_id)
    _refuse_owned(v, "红字冲销", owner)
    if v.status != "记账":
        raise ConflictError(f"{_label(v)}尚未记账，可以直接修改或作废，无需冲销", field="状态")
    if v.reversal_of_id is not None:
        raise ConflictError(f"{_label(v)}本身是红字冲销凭证，不能再冲销", field="凭证")
    done = session.scalar(select(Voucher.id).where(Voucher.reversal_of_id == v.id, Voucher.status != "作废",
                                                   Voucher.deleted.is_(False)))
    if done is not None:
        raise ConflictError(f"{_label(v)}已被冲销", field="凭证")
    return v


def check_reversible(session: Session, voucher_id: uuid.UUID) -> None:
    """Raise why the voucher cannot be 红字冲销 by hand (made by a module, not posted, already
    reversed, a reversal itself), so the page says so before it asks for the reason."""
    _check_reversible(session, voucher_id)


def reverse_voucher(session: Session, voucher_id: uuid.UUID, *, user: UserRow, voucher_date: date,
                    reason: str, owner: str | None = None, post: bool = False) -> VoucherRow:
    """红字冲销: a new voucher (status 填制) with the same lines in red (negative) amounts.

    It keeps the original's ``source_kind``/``source_id`` (and is told apart by ``reversal_of_id``),
    so the reversal of a year-end closing voucher stays with the closing in every statement.
    Dated on or after the original; a voucher touching 损益/本年收益/各项分配 is reversed within its
    own year (once that year is closed, the correction goes through 未分配收益 instead).

    A voucher another module generated (``SOURCE_KINDS``) is reversed only by that module, which
    passes its source kind as ``owner``; every other check still applies. ``post`` (owner only)
    reviews and posts the reversal by 系统 in the same step, as its automatic vouchers are.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("红字冲销必须填写原因", field="原因")
    v = _check_reversible(session, voucher_id, owner)
    if post and (owner is None or owner != v.source_kind):
        raise ConflictError(f"只有生成{_label(v)}的模块可以自动记账其红字冲销凭证", field="凭证")
    if not isinstance(voucher_date, date):
        raise ValidationError("凭证日期无效", field="日期")
    _check_reversal_date(v, voucher_date)
    year = v.voucher_date.year
    if voucher_date.year > year:
        book = get_book_row(session, v.book_id)
        carried = {a.code for a in year_end_accounts(book_accounts(session, v.book_id), book.chart_version)}
        touched = sorted({ln.account_code for ln in read_lines(session, v.id)} & carried)
        if touched:
            if period_row(session, v.book_id, f"{year}-12").is_closed:
                raise ConflictError(
                    f"{year}年度已结账（已年终结转），{_label(v)}涉及损益或收益分配科目（{'、'.join(touched)}），"
                    f"不能在{voucher_date.year}年红字冲销，否则会虚增或虚减{voucher_date.year}年的收入、支出。"
                    "请在本年填制以前年度损益调整凭证，通过“收益分配——未分配收益”科目更正", field="日期")
            raise ValidationError(f"{_label(v)}涉及损益或收益分配科目（{'、'.join(touched)}），红字冲销凭证应记在"
                                  f"{year}年内（{year}年12月尚未结账）", field="日期")
    lines = [LineInput(ln.account_code, -ln.debit, -ln.credit, ln.summary, ln.counterparty, ln.project_id,
                       ln.contract_id, ln.asset_id) for ln in read_lines(session, v.id)]
    summary = f"冲销{_label(v)}：{reason}"[:200]
    new, _ = _new_voucher(session, book_id=v.book_id, voucher_date=voucher_date, summary=summary, lines=lines,
                          user=user, attachments=0, source_kind=v.source_kind, source_id=v.source_id,
                          flags=[f for f in v.flags.split(",") if f], red=True, reversal_of_id=v.id)
    note = ""
    if post:
        new.status, new.reviewer_name, new.reviewed_at = "审核", f"{SYSTEM_NAME}（自动凭证）", utcnow()
        _post(session, new, SYSTEM_NAME)
        note = "，并由系统自动审核、记账"
    record_audit(session, AuditRecord("reverse", "voucher", str(new.id),
                                      f"红字冲销 {_label(v)}，生成 {_label(new)}{note}",
                                      None, {"reversal_of": str(v.id), "reason": reason}))
    return _row(session, new.id)


def record_auto_voucher(session: Session, *, book_id: uuid.UUID, voucher_date: date, summary: str,
                        lines: Sequence[LineInput], user: UserRow, source_kind: str, source_id: uuid.UUID | None,
                        post: bool | None = None, flags: Sequence[str] = (), attachments: int = 0) -> VoucherRow:
    """A voucher generated by the program (depreciation, rent receipts, distribution …).

    Policy: the user who ran the operation is the maker and ``source_kind`` names the module (the
    voucher list's 来源). ``None`` (what modules pass): the book's 自动凭证 setting decides
    (``book_settings.auto_vouchers_posted``; by default the voucher waits in 填制 for 审核 and 记账
    by people, like any other). ``post=True`` (年终结转 only): reviewed and posted by 系统 in the
    same step, and the audit trail says so; ``post=False`` always waits.
    """
    if not source_kind:
        raise ValidationError("自动凭证必须注明来源", field="来源")
    if post is None:
        from desktop_app.core.services.book_settings import auto_vouchers_posted

        post = auto_vouchers_posted(session, book_id)
    v, image = _new_voucher(session, book_id=book_id, voucher_date=voucher_date, summary=summary, lines=lines,
                            user=user, attachments=attachments, source_kind=source_kind, source_id=source_id,
                            flags=flags)
    note = "，并由系统自动审核、记账" if post else ""
    if post:
        v.status, v.reviewer_name, v.reviewed_at = "审核", f"{SYSTEM_NAME}（自动凭证）", utcnow()
        _post(session, v, SYSTEM_NAME)
    record_audit(session, AuditRecord("create", "voucher", str(v.id),
                                      f"生成自动凭证 {_label(v)}（来源：{source_kind_label(source_kind)}）{note}：{v.summary}",
                                      None, _image(session, v, image)))
    return _row(session, v.id)


def find_vouchers_by_source(session: Session, book_id: uuid.UUID, source_kind: str,
                            source_id: uuid.UUID | None = None, *, include_void: bool = False) -> list[VoucherRow]:
    q = voucher_query().where(Voucher.book_id == book_id, Voucher.source_kind == source_kind)  # type: ignore[attr-defined]
    if source_id is not None:
        q = q.where(Voucher.source_id == source_id)
    if not include_void:
        q = q.where(Voucher.status != "作废")
    return [to_voucher_row(r) for r in session.execute(q.order_by(Voucher.period, Voucher.number))]


def list_vouchers(session: Session, book_id: uuid.UUID, period_from: str, period_to: str, *,
                  status: str | None = None, text: str | None = None, flag: str | None = None,
                  limit: int | None = None) -> list[VoucherRow]:
    """Vouchers of a book in months ``period_from`` … ``period_to``, by month and number."""
    q = voucher_query().where(Voucher.book_id == book_id, Voucher.period >= period_from,  # type: ignore[attr-defined]
                              Voucher.period <= period_to)
    if status:
        q = q.where(Voucher.status == status)
    if text:
        q = q.where(Voucher.summary.contains(text.strip()))
    if flag:
        q = q.where(Voucher.flags.contains(flag))
    q = q.order_by(Voucher.period, Voucher.number)
    if limit:
        q = q.limit(limit)
    return [to_voucher_row(r) for r in session.execute(q)]


def get_voucher(session: Session, voucher_id: uuid.UUID) -> VoucherDetail:
    v = _load(session, voucher_id)
    row = _row(session, v.id)
    lines: tuple[LineRow, ...] = read_lines(session, v.id)
    words = amount_in_words(row.total) if row.total > 0 else ""
    reversed_by = session.scalar(select(Voucher.id).where(Voucher.reversal_of_id == v.id,
                                                          Voucher.status != "作废", Voucher.deleted.is_(False)))
    return VoucherDetail(row, lines, words, reversed_by)
