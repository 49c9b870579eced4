"""财务公开 (disclosure): settings per organisation, the record of sheets generated and posted,
villages that have not disclosed, and the QR payload that lets anyone check a posted sheet.

The QR payload is ``SL1|<USCC>|<book code>|<period>|<hash>``: ``SL1`` is the format tag,
``<period>`` is ``2026-10``, ``2026-Q3`` or ``2026``, and ``<hash>`` is the period's seal (the
SHA-256 the month close writes; for a quarter or a year, SHA-256 over ``month:seal`` of each
month). :func:`verify_sheet_payload` recomputes the seal from the vouchers as they are now, so a
voucher changed after the sheet was posted — through the program (反结账) or behind its back —
makes the check fail. Qt-free; services never commit.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from db.audit import AuditRecord, record_audit
from db.models import Book, DisclosureRecord, DisclosureSetting, Organisation, Period, Region
from db.types import utcnow
from desktop_app.core.errors import IntegrityProblem, NotFoundError, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import (
    next_period,
    parse_period_range,
    period_start,
    periods_between,
    range_label,
    reads,
)
from desktop_app.core.services.period_seals import compute_period_seal
from desktop_app.core.services.permissions import ENTER_RECORDS

PAYLOAD_TAG = "SL1"
CHECKING_BODIES = ("村务监督委员会", "民主理财小组", "监事会")
FREQUENCIES = {"month": "按月", "quarter": "按季度"}
DEFAULT_POSTING_DAYS = 7
DUE_DAY = 10  # due by the 10th of the month after the period (REFERENCE "Our decisions")


@dataclass(frozen=True)
class DisclosureSettingsRow:
    organisation_id: uuid.UUID
    checking_body: str
    preparer: str
    phone: str
    posting_days: int
    frequency: str  # month / quarter
    saved: bool  # False: defaults, nothing stored yet


@dataclass(frozen=True)
class DisclosurePeriod:
    code: str  # 2026-10 / 2026-Q3 / 2026
    first: str  # YYYY-MM
    last: str
    label: str  # 2026年10月 / 2026年第3季度 / 2026年度

    @property
    def months(self) -> list[str]:
        return periods_between(self.first, self.last)

    @property
    def due_date(self) -> date:
        return period_start(next_period(self.last)) + timedelta(days=DUE_DAY - 1)


@dataclass(frozen=True)
class SealInfo:
    """The hash a sheet carries, and the state of the months behind it."""

    hash: str
    months: tuple[str, ...]
    closed: tuple[str, ...]  # months closed (sealed) now
    tampered: tuple[str, ...]  # closed months whose stored seal no longer matches the vouchers

    @property
    def all_sealed(self) -> bool:
        return len(self.closed) == len(self.months)


@dataclass(frozen=True)
class DisclosureRecordRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    book_id: uuid.UUID
    book_name: str
    period_code: str
    seal_hash: str
    all_sealed: bool
    pages: int
    content_sha256: str
    times_generated: int
    generated_by: str
    generated_at: datetime
    posted_on: date | None
    posted_until: date | None
    posted_by: str | None


@dataclass(frozen=True)
class UndisclosedRow:
    organisation_id: uuid.UUID
    organisation_name: str
    uscc: str
    book_id: uuid.UUID
    book_name: str
    status: str  # 未生成 / 已生成未张贴


@dataclass(frozen=True)
class SheetPayload:
    tag: str
    uscc: str
    book_code: str
    period_code: str
    seal_hash: str


@dataclass(frozen=True)
class SheetVerification:
    ok: bool
    message: str  # Chinese, one line, for the CLI and the app
    payload: SheetPayload
    organisation_name: str | None = None
    book_name: str | None = None
    period_label: str | None = None
    current_hash: str | None = None
    reopen_count: int = 0


# ---------------------------------------------------------------------------------------------
# Periods and seals

def parse_disclosure_period(text: str) -> DisclosurePeriod:
    """``2026-10`` (month), ``2026-Q3`` / ``2026q3`` (quarter) or ``2026`` (year)."""
    first, last = parse_period_range(text)
    if first == last:
        code = first
    elif first.endswith("-01") and last.endswith("-12"):
        code = first[:4]
    else:
        code = f"{first[:4]}-Q{(int(first[5:]) + 2) // 3}"
    return DisclosurePeriod(code, first, last, range_label(first, last))


_STORED_SEALS = select(Period.period, Period.seal_hash).where(  # built once: building costs more than running
    Period.book_id == bindparam("book_id"), Period.period >= bindparam("first"), Period.period <= bindparam("last"),
    Period.status == "closed", Period.deleted.is_(False))


def compute_disclosure_seal(session: Session, book_id: uuid.UUID, period: DisclosurePeriod) -> SealInfo:
    """Recompute each month's seal from the vouchers now; compare with what closing stored."""
    stored = dict(reads(session).execute(
        _STORED_SEALS, {"book_id": book_id, "first": period.first, "last": period.last}).all())
    seals: list[tuple[str, str]] = []
    tampered: list[str] = []
    for month in period.months:
        seal = compute_period_seal(session, book_id, month)
        if month in stored and stored[month] != seal:
            tampered.append(month)
        seals.append((month, seal))
    if len(seals) == 1:
        digest = seals[0][1]
    else:
        digest = hashlib.sha256("|".join(f"{m}:{s}" for m, s in seals).encode("ascii")).hexdigest()
    return SealInfo(digest, tuple(period.months), tuple(m for m in period.months if m in stored), tuple(tampered))


def make_payload(uscc: str, book_code: str, period_code: str, seal_hash: str) -> str:
    return f"{PAYLOAD_TAG}|{uscc}|{book_code}|{period_code}|{seal_hash}"


def parse_payload(text: str) -> SheetPayload:
    parts = (text or "").strip().split("|")
    if len(parts) != 5 or parts[0] != PAYLOAD_TAG:
        raise ValidationError("二维码内容不是阳光台账的财务公开校验码（应以 SL1| 开头，共5段）", field="校验码")
    tag, uscc, book_code, period_code, seal = parts
    if len(seal) != 64 or any(c not in "0123456789abcdef" for c in seal):
        raise ValidationError("校验码中的封存哈希格式不正确", field="校验码")
    parse_disclosure_period(period_code)
    return SheetPayload(tag, uscc.upper(), book_code, period_code, seal)


def verify_sheet_payload(session: Session, payload: str) -> SheetVerification:
    """Does the posted sheet with this QR payload still match the books?"""
    p = parse_payload(payload)
    row = session.execute(
        select(Organisation.name, Book.id, Book.name)
        .join(Book, Book.organisation_id == Organisation.id)
        .where(Organisation.uscc == p.uscc, Book.code == p.book_code,
               Organisation.deleted.is_(False), Book.deleted.is_(False))).first()
    if row is None:
        return SheetVerification(False, f"本库中没有统一社会信用代码为 {p.uscc}、账套编号为 {p.book_code} 的账套", p)
    org_name, book_id, book_name = row
    period = parse_disclosure_period(p.period_code)
    seal = compute_disclosure_seal(session, book_id, period)
    reopens = session.execute(select(Period.reopen_count).where(
        Period.book_id == book_id, Period.period >= period.first, Period.period <= period.last)).scalars().all()
    reopen_count = sum(reopens)
    common = {"organisation_name": org_name, "book_name": book_name, "period_label": period.label,
              "current_hash": seal.hash, "reopen_count": reopen_count}
    where = f"{book_name}{period.label}"
    if seal.hash != p.seal_hash:
        extra = f"（该期间曾反结账{reopen_count}次）" if reopen_count else ""
        if seal.tampered:
            extra += "；且已结账月份的凭证与封存哈希不符，疑被程序以外的方式修改"
        return SheetVerification(False, f"不符：{where}的账目在公开表生成后已发生变化{extra}，张贴的公开表不是当前账目", p,
                                 **common)  # type: ignore[arg-type]
    if seal.tampered:
        return SheetVerification(False, f"不符：{where}已结账月份的凭证与封存哈希不符，疑被程序以外的方式修改", p,
                                 **common)  # type: ignore[arg-type]
    note = "" if seal.all_sealed else "（注意：该期间尚未全部结账，账目仍可能变动）"
    return SheetVerification(True, f"相符：张贴的公开表与{where}的账目一致{note}", p, **common)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Settings

_SETTINGS = (select(DisclosureSetting.organisation_id, DisclosureSetting.checking_body, DisclosureSetting.preparer,
                    DisclosureSetting.phone, DisclosureSetting.posting_days, DisclosureSetting.frequency)
             .where(DisclosureSetting.organisation_id == bindparam("org_id"), DisclosureSetting.deleted.is_(False)))
_ORG_PHONE = select(Organisation.phone).where(Organisation.id == bindparam("org_id"))


def get_disclosure_settings(session: Session, organisation_id: uuid.UUID) -> DisclosureSettingsRow:
    conn = reads(session)
    s = conn.execute(_SETTINGS, {"org_id": organisation_id}).first()
    if s is not None:
        return DisclosureSettingsRow(*s, True)
    phone = conn.execute(_ORG_PHONE, {"org_id": organisation_id}).scalar()
    return DisclosureSettingsRow(organisation_id, CHECKING_BODIES[0], "", phone or "", DEFAULT_POSTING_DAYS,
                                 "month", False)


def update_disclosure_settings(session: Session, organisation_id: uuid.UUID, *, user: UserRow,
                               checking_body: str | None = None,
                               preparer: str | None = None, phone: str | None = None,
                               posting_days: int | None = None, frequency: str | None = None) -> DisclosureSettingsRow:
    """Change any of the settings; the rest keep their value (or default)."""
    if session.get(Organisation, organisation_id) is None:
        raise NotFoundError("找不到该组织", field="组织")
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    cur = get_disclosure_settings(session, organisation_id)
    body = cur.checking_body if checking_body is None else checking_body.strip()
    if body not in CHECKING_BODIES:
        raise ValidationError(f"审核监督机构应为 {'、'.join(CHECKING_BODIES)} 之一", field="监督机构")
    prep = cur.preparer if preparer is None else preparer.strip()
    tel = cur.phone if phone is None else phone.strip()
    if len(prep) > 50 or len(tel) > 30:
        raise ValidationError("制表人不能超过50个字，监督电话不能超过30个字符", field="制表人" if len(prep) > 50 else "监督电话")
    days = cur.posting_days if posting_days is None else posting_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise ValidationError("公开期限应为 1 到 366 天", field="公开期限")
    freq = cur.frequency if frequency is None else frequency
    if freq not in FREQUENCIES:
        raise ValidationError("公开频次应为按月（month）或按季度（quarter）", field="公开频次")
    s = session.execute(select(DisclosureSetting).where(DisclosureSetting.organisation_id == organisation_id)).scalar()
    before = None
    if s is None:
        s = DisclosureSetting(organisation_id=organisation_id)
        session.add(s)
    else:
        before = {"checking_body": s.checking_body, "preparer": s.preparer, "phone": s.phone,
                  "posting_days": s.posting_days, "frequency": s.frequency}
    s.checking_body, s.preparer, s.phone, s.posting_days, s.frequency = body, prep, tel, days, freq
    s.deleted = False
    session.flush()
    record_audit(session, AuditRecord("update", "disclosure_setting", str(s.id), "修改财务公开设置", before,
                                      {"checking_body": body, "preparer": prep, "phone": tel,
                                       "posting_days": days, "frequency": freq}))
    return DisclosureSettingsRow(organisation_id, body, prep, tel, days, freq, True)


# ---------------------------------------------------------------------------------------------
# Records: generated, posted, missing

_RECORD_COLS = (DisclosureRecord.id, DisclosureRecord.organisation_id, Organisation.name, DisclosureRecord.book_id,
                Book.name, DisclosureRecord.period_code, DisclosureRecord.seal_hash, DisclosureRecord.all_sealed,
                DisclosureRecord.pages, DisclosureRecord.content_sha256, DisclosureRecord.times_generated,
                DisclosureRecord.generated_by, DisclosureRecord.generated_at, DisclosureRecord.posted_on,
                DisclosureRecord.posted_until, DisclosureRecord.posted_by)


def _record_query() -> Select[*tuple[Any, ...]]:
    return (select(*_RECORD_COLS).join(Organisation, Organisation.id == DisclosureRecord.organisation_id)
            .join(Book, Book.id == DisclosureRecord.book_id).where(DisclosureRecord.deleted.is_(False)))


def _record_row(session: Session, record_id: uuid.UUID) -> DisclosureRecordRow:
    return DisclosureRecordRow(*session.execute(_record_query().where(DisclosureRecord.id == record_id)).one())


def record_disclosure_generated(session: Session, *, book_id: uuid.UUID, period: DisclosurePeriod, seal: SealInfo,
                                pages: int, content_sha256: str, user: UserRow) -> DisclosureRecordRow:
    """Remember that the sheets of ``book_id`` for ``period`` were made (again) with this content.
    Anyone who may read the book may print its sheets (every role: ``require_role`` with the book,
    so a user limited to other villages is refused); the record and its audit entry name ``user``."""
    org_id = session.execute(select(Book.organisation_id).where(Book.id == book_id)).scalar()
    if org_id is None:
        raise NotFoundError("找不到该账套", field="账套")
    me = require_role(session, user, organisation_id=org_id)
    if seal.tampered:
        raise IntegrityProblem("已结账月份的凭证与封存哈希不符，不能生成财务公开表；请先运行“完整性检查”")
    r = session.execute(select(DisclosureRecord).where(
        DisclosureRecord.book_id == book_id, DisclosureRecord.period_code == period.code)).scalar()
    who = me.display_name[:50]
    if r is None:
        r = DisclosureRecord(organisation_id=org_id, book_id=book_id, period_code=period.code,
                             period_from=period.first, period_to=period.last, times_generated=1)
        session.add(r)
    elif (r.seal_hash, r.content_sha256) == (seal.hash, content_sha256) and not r.deleted:
        return _record_row(session, r.id)  # the same sheets again: nothing new to record
    else:
        r.times_generated += 1
        if r.seal_hash != seal.hash:  # the books changed: what was posted is no longer current
            r.posted_on = r.posted_until = r.posted_by = None
    r.seal_hash, r.all_sealed, r.pages, r.content_sha256 = seal.hash, seal.all_sealed, pages, content_sha256
    r.generated_by, r.generated_at, r.deleted = who, utcnow(), False
    session.flush()
    record_audit(session, AuditRecord("generate", "disclosure", str(r.id), f"生成财务公开表 {period.label}（{pages}页）",
                                      None, {"book_id": str(book_id), "period": period.code, "seal_hash": seal.hash,
                                             "content_sha256": content_sha256, "pages": pages}))
    return _record_row(session, r.id)


def mark_disclosure_posted(session: Session, *, book_id: uuid.UUID, period_code: str, posted_on: date,
                           user: UserRow) -> DisclosureRecordRow:
    """The sheets were put up on the board on ``posted_on``; they stay up for the set 公开期限.
    The one who registers it is recorded as having posted them."""
    me = require_role(session, user, *ENTER_RECORDS, book_id=book_id)
    period = parse_disclosure_period(period_code)
    r = session.execute(select(DisclosureRecord).where(
        DisclosureRecord.book_id == book_id, DisclosureRecord.period_code == period.code,
        DisclosureRecord.deleted.is_(False))).scalar()
    if r is None:
        raise NotFoundError(f"{period.label}的财务公开表尚未生成，请先生成再登记张贴", field="期间")
    if posted_on < period_start(period.first):
        raise ValidationError("公开日期不能早于公开期间开始", field="公开日期")
    days = get_disclosure_settings(session, r.organisation_id).posting_days
    before = {"posted_on": r.posted_on, "posted_by": r.posted_by}
    r.posted_on, r.posted_until = posted_on, posted_on + timedelta(days=days - 1)
    r.posted_by = me.display_name[:50]
    session.flush()
    record_audit(session, AuditRecord("post", "disclosure", str(r.id), f"登记财务公开表 {period.label} 已张贴（{posted_on}）",
                                      before, {"posted_on": posted_on, "posted_by": r.posted_by}))
    return _record_row(session, r.id)


def recorded_postings(session: Session, book_ids: list[uuid.UUID], period: DisclosurePeriod) -> dict[uuid.UUID, date]:
    """The 公开日期 recorded for each book's sheets of the period (books without one left out)."""
    if not book_ids:
        return {}
    rows = session.execute(select(DisclosureRecord.book_id, DisclosureRecord.posted_on).where(
        DisclosureRecord.book_id.in_(book_ids), DisclosureRecord.period_code == period.code,
        DisclosureRecord.deleted.is_(False), DisclosureRecord.posted_on.is_not(None)))
    return {b: d for b, d in rows if d is not None}


def list_disclosure_records(session: Session, *, period_code: str | None = None,
                            organisation_id: uuid.UUID | None = None) -> list[DisclosureRecordRow]:
    q = _record_query()
    if period_code is not None:
        q = q.where(DisclosureRecord.period_code == parse_disclosure_period(period_code).code)
    if organisation_id is not None:
        q = q.where(DisclosureRecord.organisation_id == organisation_id)
    q = q.order_by(DisclosureRecord.period_code.desc(), Organisation.uscc, Book.code)
    return [DisclosureRecordRow(*r) for r in session.execute(q)]


def _undisclosed_query(quarter: bool) -> Select[Any]:
    """One query over every village book: its record for the period (outer join), the
    organisation's frequency, and for a quarter how many of its months are posted."""
    record = aliased(DisclosureRecord)
    month = aliased(DisclosureRecord)
    quarterly = func.coalesce(DisclosureSetting.frequency, "month") == "quarter"
    q = (select(Organisation.id, Organisation.name, Organisation.uscc, Book.id, Book.name,
                case((record.id.is_(None), "未生成"), else_="已生成未张贴"))
         .join(Book, Book.organisation_id == Organisation.id).join(Region, Region.id == Organisation.region_id)
         .outerjoin(record, and_(record.book_id == Book.id, record.period_code == bindparam("code"),
                                 record.deleted.is_(False)))
         .outerjoin(DisclosureSetting, and_(DisclosureSetting.organisation_id == Organisation.id,
                                            DisclosureSetting.deleted.is_(False)))
         .where(Organisation.deleted.is_(False), Book.deleted.is_(False), Organisation.level.in_(("村", "组")),
                Book.start_period <= bindparam("last"), record.posted_on.is_(None),
                func.substr(Region.code, 1, bindparam("town_len")) == bindparam("town"))
         .order_by(Region.code, Organisation.uscc, Book.code))
    if not quarter:
        return q.where(or_(~quarterly, bindparam("whole_year")))  # a quarterly village owes no month
    months_posted = (select(func.count()).select_from(month)
                     .where(month.book_id == Book.id, month.period_code.in_(bindparam("months", expanding=True)),
                            month.deleted.is_(False), month.posted_on.is_not(None))
                     .scalar_subquery())
    return q.where(or_(quarterly, months_posted < 3))  # a monthly village is done with its three months


_UNDISCLOSED = {quarter: _undisclosed_query(quarter) for quarter in (False, True)}  # built once


def list_undisclosed(session: Session, period_code: str, *, township_code: str | None = None) -> list[UndisclosedRow]:
    """Books (of 村/组 organisations, started by the period) whose sheets for the period are not posted.

    The organisation's frequency setting decides what is due: a village that discloses quarterly owes
    nothing for a single month; for a quarter, a monthly village is done when all three months are posted
    (or the quarter itself). A year needs the year's sheets. One query over all books of the township.
    """
    period = parse_disclosure_period(period_code)
    town = (township_code or "")[:9]
    quarter = len(period.months) == 3
    params: dict[str, Any] = {"code": period.code, "last": period.last, "town": town, "town_len": len(town)}
    if quarter:
        params["months"] = list(period.months)
    else:
        params["whole_year"] = len(period.months) == 12
    session.flush()  # then the column select runs on the connection, without the ORM's execute
    return [UndisclosedRow(*row) for row in session.connection().execute(_UNDISCLOSED[quarter], params)]


__all__ = [
    "CHECKING_BODIES", "FREQUENCIES", "PAYLOAD_TAG", "DisclosurePeriod", "DisclosureRecordRow", "DisclosureSettingsRow",
    "SealInfo", "SheetPayload", "SheetVerification", "UndisclosedRow", "compute_disclosure_seal", "get_disclosure_settings",
    "list_disclosure_records", "list_undisclosed", "make_payload", "mark_disclosure_posted", "parse_disclosure_period",
    "parse_payload", "record_disclosure_generated", "recorded_postings", "update_disclosure_settings",
    "verify_sheet_payload",
]
