"""Reading plans, rosters and settings; reminders; the disclosure section (no ID numbers)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import (
    Book,
    DistributionPlan,
    DistributionPlanLine,
    DistributionSetting,
    DividendLine,
    DividendPayout,
    Household,
    Member,
    Organisation,
    ShareHolding,
    ShareType,
    Voucher,
)
from db.types import Fen, Mu4
from desktop_app.core import charts
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.rows import BookRow, UserRow
from desktop_app.core.rows_members import (
    DisclosureDistributionSection,
    DistributionReminder,
    DistributionSettingsRow,
    HouseholdTotal,
    PayoutRow,
    PlanLineRow,
    PlanRoster,
    PlanRow,
    RosterLine,
)
from desktop_app.core.rules.distribution import (
    PlanFigures,
    PlanRules,
    per_share_amount,
    plan_lines,
)
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import reads
from desktop_app.core.services.members import as_shares, positional
from desktop_app.core.services.permissions import ENTER_RECORDS

__all__ = [
    "disclosure_distribution_section", "distribution_reminders", "find_plan", "get_distribution_settings",
    "get_plan", "has_welfare", "list_payouts", "list_plans", "plan_household_totals", "plan_roster", "plan_rules", "roster_holdings",
    "update_distribution_settings",
]

ZERO = Decimal("0.00")
DEFAULTS = DistributionSettingsRow(uuid.UUID(int=0), Decimal("10"), None, None, Decimal("0"), True, 4, 30)

# Statements the disclosure runs for every book, built once (SQLAlchemy then reuses their compiled
# form without rebuilding the construct on each call).
_CURRENT_PLAN = (select(DistributionPlan.id)
                 .where(DistributionPlan.book_id == bindparam("book_id"), DistributionPlan.year == bindparam("year"),
                        DistributionPlan.deleted.is_(False), DistributionPlan.status != "作废")
                 .order_by(DistributionPlan.computed_at.desc()).limit(1))
_PLAN_LINES = (select(DistributionPlanLine.seq, DistributionPlanLine.kind, DistributionPlanLine.label,
                      DistributionPlanLine.amount)
               .where(DistributionPlanLine.plan_id == bindparam("plan_id"), DistributionPlanLine.deleted.is_(False))
               .order_by(DistributionPlanLine.seq))
# a household's lines are summed before its row is joined (one household lookup per household, not per member)
_PER_HOUSEHOLD = (select(DividendLine.household_id, func.count().label("members"),
                         type_coerce(func.sum(DividendLine.shares), Mu4()).label("shares"),
                         type_coerce(func.sum(DividendLine.amount), Fen()).label("amount"),
                         type_coerce(func.sum(DividendLine.deduction), Fen()).label("deduction"),
                         type_coerce(func.sum(DividendLine.net), Fen()).label("net"),
                         func.min(DividendLine.seq).label("first"))
                  .join(Member, Member.id == DividendLine.member_id)
                  .where(DividendLine.plan_id == bindparam("plan_id"), DividendLine.deleted.is_(False))
                  .group_by(DividendLine.household_id).subquery())
_HOUSEHOLD_TOTALS = (select(_PER_HOUSEHOLD.c.household_id, Household.group_name, Household.number, Household.head_name,
                            _PER_HOUSEHOLD.c.members, _PER_HOUSEHOLD.c.shares, _PER_HOUSEHOLD.c.amount,
                            _PER_HOUSEHOLD.c.deduction, _PER_HOUSEHOLD.c.net,
                            select(DividendPayout.id).where(
                                DividendPayout.plan_id == bindparam("plan_id"), DividendPayout.deleted.is_(False),
                                DividendPayout.household_id == _PER_HOUSEHOLD.c.household_id).exists())
                     .join(Household, Household.id == _PER_HOUSEHOLD.c.household_id)
                     .order_by(_PER_HOUSEHOLD.c.first))


def get_distribution_settings(session: Session, organisation_id: uuid.UUID) -> DistributionSettingsRow:
    s = session.execute(select(DistributionSetting).where(DistributionSetting.organisation_id == organisation_id,
                                                          DistributionSetting.deleted.is_(False))).scalar()
    if s is None:
        return DistributionSettingsRow(organisation_id, *[getattr(DEFAULTS, k) for k in _FIELDS])
    return DistributionSettingsRow(organisation_id, *[getattr(s, k) for k in _FIELDS])


_FIELDS = ("reserve_rate", "reserve_floor", "members_cap", "welfare_rate", "forbid_borrowing", "deadline_month",
           "deadline_day")


def _percent(value: object, field: str, *, optional: bool) -> Decimal | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(f"{field}应为0到100之间的百分数", field=field)
    number = Decimal(value)
    if not 0 <= number <= 100 or number != number.quantize(Decimal("0.0001")):
        raise ValidationError(f"{field}应为0到100之间的百分数", field=field)
    return number


def update_distribution_settings(session: Session, organisation_id: uuid.UUID, *, user: UserRow,
                                 **values: Any) -> DistributionSettingsRow:
    """Fields: reserve_rate (章程 %), reserve_floor (%), members_cap (%), welfare_rate (%),
    forbid_borrowing, deadline_month, deadline_day (the distribution deadline, default 4月30日)."""
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    current = get_distribution_settings(session, organisation_id)
    merged = {k: getattr(current, k) for k in _FIELDS} | values
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise ValidationError(f"未知的设置：{', '.join(sorted(unknown))}", field="设置")
    clean: dict[str, Any] = {
        "reserve_rate": _percent(merged["reserve_rate"], "公积公益金提取比例", optional=False),
        "reserve_floor": _percent(merged["reserve_floor"], "公积公益金最低比例", optional=True),
        "members_cap": _percent(merged["members_cap"], "成员分配最高比例", optional=True),
        "welfare_rate": _percent(merged["welfare_rate"], "福利费提取比例", optional=False),
        "forbid_borrowing": bool(merged["forbid_borrowing"]),
    }
    month, day = merged["deadline_month"], merged["deadline_day"]
    try:
        date(2001, int(month), int(day))
    except (TypeError, ValueError):
        raise ValidationError("分配截止日期无效", field="截止日期") from None
    clean |= {"deadline_month": int(month), "deadline_day": int(day)}
    s = session.execute(select(DistributionSetting).where(DistributionSetting.organisation_id == organisation_id)).scalar()
    before = row_image(s) if s is not None else None
    if s is None:
        s = DistributionSetting(organisation_id=organisation_id, **clean)
        session.add(s)
    else:
        for k, v in clean.items():
            setattr(s, k, v)
        s.deleted = False
    session.flush()
    record_audit(session, AuditRecord("update", "distribution_setting", str(s.id), "修改收益分配规则设置",
                                      before, row_image(s)))
    return get_distribution_settings(session, organisation_id)


def plan_rules(session: Session, organisation_id: uuid.UUID) -> PlanRules:
    s = get_distribution_settings(session, organisation_id)
    return PlanRules(s.reserve_rate, s.reserve_floor, s.members_cap, s.welfare_rate, s.forbid_borrowing)


@dataclass(frozen=True)
class Holding:
    member_id: uuid.UUID
    household_id: uuid.UUID
    shares: Decimal
    detail: str  # "RK=1;NL=0.5"


def roster_holdings(session: Session, organisation_id: uuid.UUID) -> list[Holding]:
    """Every member holding shares, in roster order (组别, 户号, 户主 first, age)."""
    q = (select(Member.id, Member.household_id, ShareType.code, ShareHolding.shares)
         .join(Member, Member.id == ShareHolding.member_id)
         .join(Household, Household.id == Member.household_id)
         .join(ShareType, ShareType.id == ShareHolding.share_type_id)
         .where(ShareHolding.organisation_id == organisation_id, ShareHolding.deleted.is_(False),
                Member.deleted.is_(False), ShareHolding.shares > 0)
         .order_by(Household.group_name, Household.number, Member.relation != "户主", Member.birth_date, Member.id,
                   ShareType.sort_order))
    out: dict[uuid.UUID, list[Any]] = {}
    for mid, hid, code, shares in session.execute(q):
        entry = out.setdefault(mid, [hid, Decimal("0.0000"), []])
        entry[1] += shares
        entry[2].append(f"{code}={shares.normalize():f}")
    return [Holding(mid, e[0], e[1], ";".join(e[2])) for mid, e in out.items()]


def has_welfare(book: BookRow | str) -> bool:
    """The book's chart (a BookRow or a chart version) has 应付福利费 — the 2004 chart only; the 2023
    system abolished it, so a 2023 plan neither appropriates welfare nor prints a line for it."""
    version = book if isinstance(book, str) else book.chart_version
    return bool(charts.account_roles(version, "distribution_to_welfare"))


def _printed_lines(p: DistributionPlan, stored: Sequence[PlanLineRow], chart_version: str) -> tuple[PlanLineRow, ...]:
    """The plan's lines as ``rules.plan_lines`` lays them out for the book's chart, from the plan's
    figures and its stored appropriations (reserve, welfare, other): plans computed by an earlier
    version, whose stored lines added the remainder back silently, print the same way."""
    amounts = {ln.kind: ln.amount for ln in stored}
    figures = PlanFigures(p.current_year_income, p.opening_undistributed, p.distributable,
                          amounts.get("reserve", ZERO), amounts.get("welfare", ZERO), p.members_amount,
                          amounts.get("other", ZERO), p.cash_available)
    lines = plan_lines(figures, p.remainder, p.excluded_land + p.excluded_rent + p.excluded_other,
                       p.distributed_in_year, welfare_row=has_welfare(chart_version) or figures.welfare != 0)
    return tuple(PlanLineRow(i, ln.kind, ln.label, ln.amount) for i, ln in enumerate(lines, start=1))


def _plan_and_lines(session: Session, plan_id: uuid.UUID) -> tuple[DistributionPlan, tuple[PlanLineRow, ...]]:
    """The plan (not deleted) and its lines as printed: what every reader of a plan starts from."""
    p = session.get(DistributionPlan, plan_id)
    if p is None or p.deleted:
        raise NotFoundError("找不到该收益分配方案", field="方案")
    stored = [PlanLineRow(*r) for r in reads(session).execute(_PLAN_LINES, {"plan_id": p.id})]
    version = session.scalar(select(Book.chart_version).where(Book.id == p.book_id)) or "2023"
    return p, _printed_lines(p, stored, version)


def get_plan(session: Session, plan_id: uuid.UUID) -> PlanRow:
    p, lines = _plan_and_lines(session, plan_id)
    by_kind = {ln.kind: ln.amount for ln in lines}
    stats = session.execute(select(func.count(), func.count(func.distinct(DividendLine.household_id)),
                                   type_coerce(func.coalesce(func.sum(DividendLine.deduction), 0), Fen()))
                            .where(DividendLine.plan_id == p.id, DividendLine.deleted.is_(False))).one()
    paid = session.execute(select(type_coerce(func.coalesce(func.sum(DividendPayout.amount), 0), Fen())).where(
        DividendPayout.plan_id == p.id, DividendPayout.deleted.is_(False))).scalar_one()
    org = session.scalar(select(Organisation.name).where(Organisation.id == p.organisation_id)) or ""
    return PlanRow(p.id, p.organisation_id, org, p.book_id, p.year, p.status, p.precision, p.distributable,
                   by_kind.get("reserve", ZERO), by_kind.get("welfare", ZERO), by_kind.get("other", ZERO),
                   p.members_amount, p.total_shares, p.per_share, p.roster_total, stats[2], p.remainder,
                   int(stats[0]), int(stats[1]), p.publicised_on, p.approved_on, p.resolution_no, p.resolution_text,
                   p.paid_on, paid, p.appropriation_voucher_id, p.exclusion_note, lines,
                   p.per_share < per_share_amount(p.members_amount, p.total_shares, p.precision))


def list_plans(session: Session, *, organisation_id: uuid.UUID | None = None, book_id: uuid.UUID | None = None,
               include_void: bool = False) -> list[PlanRow]:
    q = select(DistributionPlan.id).where(DistributionPlan.deleted.is_(False))
    if organisation_id is not None:
        q = q.where(DistributionPlan.organisation_id == organisation_id)
    if book_id is not None:
        q = q.where(DistributionPlan.book_id == book_id)
    if not include_void:
        q = q.where(DistributionPlan.status != "作废")
    ids = session.scalars(q.order_by(DistributionPlan.year.desc(), DistributionPlan.computed_at.desc()))
    return [get_plan(session, i) for i in ids]


def _current_plan_id(session: Session, book_id: uuid.UUID, year: int) -> uuid.UUID | None:
    return reads(session).scalar(_CURRENT_PLAN, {"book_id": book_id, "year": year})


def find_plan(session: Session, book_id: uuid.UUID, year: int) -> PlanRow | None:
    """The current (not void) plan of a book and year, if any."""
    pid = _current_plan_id(session, book_id, year)
    return get_plan(session, pid) if pid is not None else None


def plan_roster(session: Session, plan_id: uuid.UUID) -> PlanRoster:
    """The 分红花名册: member lines and household totals (ID numbers in full: mask on public copies)."""
    plan = get_plan(session, plan_id)
    types = session.execute(select(ShareType.code, ShareType.name).where(
        ShareType.organisation_id == plan.organisation_id, ShareType.deleted.is_(False))
        .order_by(ShareType.sort_order, ShareType.code)).all()
    codes = [c for c, _ in types]
    paid = set(session.scalars(select(DividendPayout.household_id).where(
        DividendPayout.plan_id == plan_id, DividendPayout.deleted.is_(False))))
    rows = session.execute(
        select(DividendLine.seq, DividendLine.member_id, DividendLine.household_id, Household.group_name,
               Household.number, Household.head_name, Member.name, Member.ric, Member.relation,
               DividendLine.shares_detail, DividendLine.shares, DividendLine.amount, DividendLine.deduction,
               DividendLine.net)
        .join(Member, Member.id == DividendLine.member_id).join(Household, Household.id == DividendLine.household_id)
        .where(DividendLine.plan_id == plan_id, DividendLine.deleted.is_(False)).order_by(DividendLine.seq))
    lines: list[RosterLine] = []
    households: dict[uuid.UUID, list[Any]] = {}
    for r in rows:
        detail = dict(part.split("=", 1) for part in r[9].split(";") if "=" in part)
        by_type = tuple(as_shares(Decimal(detail[c])) if c in detail else Decimal("0.0000") for c in codes)
        lines.append(RosterLine(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], by_type, r[10], r[11], r[12],
                                r[13]))
        h = households.setdefault(r[2], [r[3], r[4], r[5], 0, Decimal("0.0000"), ZERO, ZERO, ZERO])
        h[3] += 1
        h[4] += r[10]
        h[5] += r[11]
        h[6] += r[12]
        h[7] += r[13]
    totals = tuple(positional(HouseholdTotal)(hid, *v, hid in paid) for hid, v in households.items())
    return PlanRoster(plan, tuple(n for _, n in types), tuple(lines), totals)


def plan_household_totals(session: Session, plan_id: uuid.UUID) -> tuple[HouseholdTotal, ...]:
    """The household totals of ``plan_roster(...).households``, summed in SQL (one row per household,
    in roster order) without reading the member lines: what the public sheets print."""
    return tuple(positional(HouseholdTotal)(r[0], r[1], r[2], r[3], int(r[4]), r[5], r[6], r[7], r[8], bool(r[9]))
                 for r in reads(session).execute(_HOUSEHOLD_TOTALS, {"plan_id": plan_id}))


def list_payouts(session: Session, plan_id: uuid.UUID) -> list[PayoutRow]:
    rows = session.execute(
        select(DividendPayout.id, DividendPayout.household_id, Household.number, Household.head_name,
               DividendPayout.amount, DividendPayout.method, DividendPayout.paid_on, DividendPayout.bank_tail,
               DividendPayout.receiver, DividendPayout.voucher_id)
        .join(Household, Household.id == DividendPayout.household_id)
        .where(DividendPayout.plan_id == plan_id, DividendPayout.deleted.is_(False))
        .order_by(Household.group_name, Household.number))
    return [positional(PayoutRow)(*r) for r in rows]


# one query for every organisation (two per organisation made the 成员与分配 page's reload 300–500x
# the plain query on a 300-village township): the deadline from the settings, else the default,
# and the latest live plan's status for the year
_LATEST_STATUS = (select(DistributionPlan.status)
                  .where(DistributionPlan.organisation_id == Organisation.id, DistributionPlan.year == bindparam("year"),
                         DistributionPlan.deleted.is_(False), DistributionPlan.status != "作废")
                  .order_by(DistributionPlan.computed_at.desc()).limit(1).correlate(Organisation).scalar_subquery())
_REMINDERS = (select(Organisation.id, Organisation.name,
                     func.coalesce(DistributionSetting.deadline_month, DEFAULTS.deadline_month),
                     func.coalesce(DistributionSetting.deadline_day, DEFAULTS.deadline_day),
                     func.coalesce(_LATEST_STATUS, "未编制"))
              .outerjoin(DistributionSetting, (DistributionSetting.organisation_id == Organisation.id)
                         & DistributionSetting.deleted.is_(False))
              .where(Organisation.deleted.is_(False), Organisation.level != "乡镇")
              .order_by(Organisation.name))


def distribution_reminders(session: Session, *, today: date | None = None, within_days: int = 30,
                           organisation_id: uuid.UUID | None = None) -> list[DistributionReminder]:
    """Organisations (or the one asked for) whose distribution for last year is not paid and whose
    deadline (4月30日 by default, a setting) has passed or is within ``within_days``."""
    today = today or date.today()
    year = today.year - 1
    q = _REMINDERS if organisation_id is None else _REMINDERS.where(Organisation.id == organisation_id)
    out: list[DistributionReminder] = []
    for org_id, name, month, day, status in session.execute(q, {"year": year}):
        deadline = date(today.year, month, day)
        if (deadline - today).days > within_days or status == "发放":
            continue
        overdue = today > deadline
        when = f"已超过截止日期{deadline.month}月{deadline.day}日" if overdue else \
            f"截止日期{deadline.month}月{deadline.day}日（还有{(deadline - today).days}天）"
        out.append(DistributionReminder(org_id, name, year, deadline, status, overdue,
                                        f"{name}{year}年度收益分配尚未发放（方案状态：{status}），{when}"))
    return out


def _voucher_label(session: Session, voucher_ids: Sequence[uuid.UUID | None]) -> tuple[str, ...]:
    ids = [v for v in dict.fromkeys(voucher_ids) if v is not None]
    rows = session.execute(select(Voucher.period, Voucher.number).where(Voucher.id.in_(ids))
                           .order_by(Voucher.period, Voucher.number)).all() if ids else []
    return tuple(f"{period[:4]}年{int(period[5:])}月第{number}号" for period, number in rows)


def disclosure_distribution_section(session: Session, org_id: uuid.UUID, book_id: uuid.UUID, year: int, *,
                                    as_of: date | None = None) -> DisclosureDistributionSection | None:
    """What the 财务公开 sheet shows of a year's plan as it stood on ``as_of`` (the last day of the
    disclosed period; None: as it stands now): its lines, 每股分红 and household totals (户号, 户主,
    股数, amounts; never ID numbers).

    A plan appears from its 公示 date on: as 方案公示 until its approval date, then as 批准 (with the
    resolution and the appropriation voucher), and as 发放 once every household was paid by
    ``as_of``; it never appears on a period that ended before it was publicised, and a 草案 never
    appears. 已发放 counts the payments dated by ``as_of`` (each one is a payment voucher)."""
    pid = _current_plan_id(session, book_id, year)
    if pid is None:
        return None
    plan, lines = _plan_and_lines(session, pid)
    shown_from = plan.publicised_on or plan.approved_on
    if plan.organisation_id != org_id or plan.status == "草案" or shown_from is None:
        return None
    if as_of is not None and as_of < shown_from:
        return None
    approved = plan.approved_on is not None and (as_of is None or plan.approved_on <= as_of)
    households = plan_household_totals(session, pid)
    payouts = session.execute(select(DividendPayout.household_id, DividendPayout.amount, DividendPayout.voucher_id)
                              .where(DividendPayout.plan_id == pid, DividendPayout.deleted.is_(False),
                                     *([DividendPayout.paid_on <= as_of] if as_of is not None else []))).all()
    paid: dict[uuid.UUID, Decimal] = {}
    for hid, amount, _voucher in payouts if approved else []:
        paid[hid] = paid.get(hid, ZERO) + amount
    stage = "公示" if not approved else (
        "发放" if households and all(h.household_id in paid for h in households) else "批准")
    return DisclosureDistributionSection(
        year, stage, plan.per_share, plan.total_shares, plan.members_amount, plan.roster_total, plan.remainder,
        lines, households, tuple(paid.get(h.household_id, ZERO) for h in households), plan.publicised_on,
        plan.approved_on if approved else None, plan.resolution_no if approved else None,
        (_voucher_label(session, [plan.appropriation_voucher_id]) or ("",))[0] if approved else "",
        _voucher_label(session, [v for _, _, v in payouts]) if approved else (), as_of)
