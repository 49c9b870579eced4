"""The district's oversight questions (issue #13), read-only over every township's rows:
which villages did not post the month's 财务公开, whose 收益分配 is not done by its deadline,
which contracts are irregular, expiring or in arrears (the contract services' own rules, across
organisations), and each township's last package with its checks.

Deadlines: disclosure by the 10th of the next month (``DisclosurePeriod.due_date``); the
distribution by each organisation's setting (4月30日 of the next year by default). ``as_of``
says which day a report is judged on; None judges every deadline as passed.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from db.audit import GENESIS
from db.models import (
    Book,
    DisclosureRecord,
    DisclosureSetting,
    DistributionPlan,
    DistributionSetting,
    Organisation,
    ReceivedAudit,
    SyncInbox,
    SyncPartner,
)
from desktop_app.core.rows_contracts import ArrearsRow, ExpiryRow, FindingRow
from desktop_app.core.services.contract_review import current_findings
from desktop_app.core.services.contract_warnings import list_arrears, list_expiring
from desktop_app.core.services.disclosure import parse_disclosure_period
from desktop_app.core.services.distribution_query import DEFAULTS as DISTRIBUTION_DEFAULTS
from desktop_app.core.services.district_common import Village, places

ZERO = Decimal("0.00")
DISCLOSING_LEVELS = ("村", "组")  # as disclosure.list_undisclosed


def _town_key(p: Village) -> tuple[str, str]:
    return p.township_code, p.township


# ---------------------------------------------------------------------------------------------
# 财务公开

@dataclass(frozen=True)
class DisclosureLine:
    village: Village
    book_name: str
    frequency: str  # 按月 / 按季
    period_code: str  # what is due this month (2025-11 / 2025-Q4); "" when nothing is
    due: date | None
    status: str  # 按时公开 / 逾期公开 / 已生成未张贴 / 未生成 / 本月无须公开
    posted_on: date | None
    overdue: bool  # not posted and the deadline has passed on ``as_of``

    @property
    def posted(self) -> bool:
        return self.posted_on is not None


@dataclass(frozen=True)
class DisclosureTownLine:
    township: str
    township_code: str
    books_due: int
    on_time: int
    late: int
    not_posted: int
    overdue: int  # of not_posted, past the deadline
    villages_not_posted: int


@dataclass(frozen=True)
class DisclosureCompliance:
    year: int
    month: int
    as_of: date | None
    lines: tuple[DisclosureLine, ...]
    townships: tuple[DisclosureTownLine, ...]
    district: DisclosureTownLine

    @property
    def not_posted(self) -> tuple[DisclosureLine, ...]:
        return tuple(x for x in self.lines if x.period_code and not x.posted)


_BOOKS = (select(Book.id, Book.name, Book.organisation_id, func.coalesce(DisclosureSetting.frequency, "month"))
          .join(Organisation, Organisation.id == Book.organisation_id)
          .outerjoin(DisclosureSetting, and_(DisclosureSetting.organisation_id == Organisation.id,
                                             DisclosureSetting.deleted.is_(False)))
          .where(Organisation.deleted.is_(False), Book.deleted.is_(False), Organisation.level.in_(DISCLOSING_LEVELS),
                 Book.start_period <= bindparam("last"))
          .order_by(Book.code))
_RECORDS = (select(DisclosureRecord.book_id, DisclosureRecord.period_code, DisclosureRecord.posted_on)
            .where(DisclosureRecord.deleted.is_(False),
                   DisclosureRecord.period_code.in_(bindparam("codes", expanding=True))))


def _town_line(name: str, code: str, lines: Iterable[DisclosureLine]) -> DisclosureTownLine:
    due = [x for x in lines if x.period_code]
    return DisclosureTownLine(name, code, len(due), sum(x.status == "按时公开" for x in due),
                              sum(x.status == "逾期公开" for x in due), sum(not x.posted for x in due),
                              sum(x.overdue for x in due),
                              len({x.village.organisation_id for x in due if not x.posted}))


def due_month(day: date) -> tuple[int, int]:
    """The month whose 财务公开 falls due next on ``day`` (by the 10th of the following month): the
    month before ``day``'s. The dashboard, the 财务公开情况 page and the report default to it."""
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def disclosure_compliance(session: Session, year: int, month: int, *, as_of: date | None = None) -> DisclosureCompliance:
    """Every village book (村/组, kept by the month) and the 财务公开 due for ``year``-``month``: a
    monthly village owes the month; a quarterly one owes the quarter in its last month, nothing
    in the others. Posted by the 10th of the next month is 按时公开, later 逾期公开."""
    month_p = parse_disclosure_period(f"{year:04d}-{month:02d}")
    quarter_p = parse_disclosure_period(f"{year:04d}-Q{(month + 2) // 3}") if month % 3 == 0 else None
    session.flush()
    conn = session.connection()
    codes = [month_p.code] + ([quarter_p.code] if quarter_p else [])
    posted: dict[tuple[uuid.UUID, str], date | None] = {
        (b, c): d for b, c, d in conn.execute(_RECORDS, {"codes": codes})}
    where = {p.organisation_id: p for p in places(session)}
    lines = []
    for book_id, book_name, org_id, freq in conn.execute(_BOOKS, {"last": month_p.last}):
        place = where.get(org_id)
        if place is None:
            continue
        period = month_p if freq != "quarter" else quarter_p
        if period is None:
            lines.append(DisclosureLine(place, book_name, "按季", "", None, "本月无须公开", None, False))
            continue
        due = period.due_date
        key = (book_id, period.code)
        on = posted.get(key)
        if on is not None:
            status = "按时公开" if on <= due else "逾期公开"
        else:
            status = "已生成未张贴" if key in posted else "未生成"
        overdue = on is None and (as_of is None or as_of > due)
        lines.append(DisclosureLine(place, book_name, "按季" if freq == "quarter" else "按月", period.code, due,
                                    status, on, overdue))
    lines.sort(key=lambda x: (x.village.region_code, x.village.uscc, x.book_name))
    towns: dict[tuple[str, str], list[DisclosureLine]] = defaultdict(list)
    for x in lines:
        towns[_town_key(x.village)].append(x)
    return DisclosureCompliance(year, month, as_of, tuple(lines),
                                tuple(_town_line(n, c, towns[(c, n)]) for c, n in sorted(towns)),
                                _town_line("全区", "", lines))


# ---------------------------------------------------------------------------------------------
# 收益分配

@dataclass(frozen=True)
class DistributionLine:
    village: Village
    deadline: date
    plan_status: str  # 未编制 / 草案 / 公示 / 批准 / 发放
    approved_on: date | None
    paid_on: date | None
    members_amount: Decimal | None  # 成员分配总额 of the plan
    state: str  # 按期完成 / 逾期完成 / 逾期未完成 / 进行中 / 未编制
    done: bool
    overdue: bool  # not done by the deadline (done late, or not done and the deadline passed)


@dataclass(frozen=True)
class DistributionTownLine:
    township: str
    township_code: str
    villages: int
    on_time: int
    late: int
    overdue_open: int  # not done, deadline passed
    in_progress: int  # not done, deadline not yet passed (a plan exists)
    no_plan: int  # not done, no plan at all (past the deadline or not)


@dataclass(frozen=True)
class DistributionProgress:
    year: int
    as_of: date | None
    lines: tuple[DistributionLine, ...]
    townships: tuple[DistributionTownLine, ...]
    district: DistributionTownLine


_PLANS = (select(DistributionPlan.organisation_id, DistributionPlan.status, DistributionPlan.approved_on,
                 DistributionPlan.paid_on, DistributionPlan.members_amount, DistributionPlan.computed_at)
          .where(DistributionPlan.deleted.is_(False), DistributionPlan.status != "作废",
                 DistributionPlan.year == bindparam("year")))
_DEADLINES = (select(DistributionSetting.organisation_id, DistributionSetting.deadline_month,
                     DistributionSetting.deadline_day).where(DistributionSetting.deleted.is_(False)))
# when each organisation's books begin: no 收益分配 is due for a year before its first book
_FIRST_BOOK = (select(Book.organisation_id, func.min(Book.start_period)).where(Book.deleted.is_(False))
               .group_by(Book.organisation_id))


def _distribution_town(name: str, code: str, lines: list[DistributionLine]) -> DistributionTownLine:
    return DistributionTownLine(
        name, code, len(lines), sum(x.state == "按期完成" for x in lines), sum(x.state == "逾期完成" for x in lines),
        sum(x.state == "逾期未完成" for x in lines), sum(x.state == "进行中" for x in lines),
        sum(x.plan_status == "未编制" for x in lines))


def distribution_year(session: Session, today: date) -> int:
    """The year whose 收益分配 a district follows now: last year's (done by this spring), unless
    no village had anything due for it (books begun this year): then this year's."""
    last = today.year - 1
    return last if distribution_progress(session, last, as_of=today).district.villages else today.year


def distribution_progress(session: Session, year: int, *, as_of: date | None = None) -> DistributionProgress:
    """Each village's (村/组) 收益分配 of ``year``: its latest live plan and whether it was paid out
    (发放) by its deadline (the organisation's setting; 4月30日 of ``year`` + 1 by default)."""
    session.flush()
    conn = session.connection()
    latest: dict[uuid.UUID, Any] = {}
    for row in conn.execute(_PLANS, {"year": year}):
        if row[0] not in latest or row[5] > latest[row[0]][5]:
            latest[row[0]] = row
    deadlines = {o: (m, d) for o, m, d in conn.execute(_DEADLINES)}
    first_book = {o: start for o, start in conn.execute(_FIRST_BOOK)}
    lines = []
    for p in places(session):
        if p.level not in DISCLOSING_LEVELS:
            continue
        if p.organisation_id not in latest and (first_book.get(p.organisation_id) or "9999-12") > f"{year}-12":
            continue  # no books in that year and no plan for it: nothing was due
        m, d = deadlines.get(p.organisation_id, (DISTRIBUTION_DEFAULTS.deadline_month,
                                                 DISTRIBUTION_DEFAULTS.deadline_day))
        deadline = date(year + 1, m, d)
        plan = latest.get(p.organisation_id)
        status = plan[1] if plan is not None else "未编制"
        paid_on = plan[3] if plan is not None else None
        done = status == "发放"
        passed = as_of is None or as_of > deadline
        if done:
            state = "按期完成" if paid_on is None or paid_on <= deadline else "逾期完成"
        elif passed:
            state = "逾期未完成"
        else:
            state = "进行中" if plan is not None else "未编制"
        lines.append(DistributionLine(p, deadline, status, plan[2] if plan is not None else None, paid_on,
                                      plan[4] if plan is not None else None, state, done,
                                      state in ("逾期完成", "逾期未完成")))
    towns: dict[tuple[str, str], list[DistributionLine]] = defaultdict(list)
    for x in lines:
        towns[_town_key(x.village)].append(x)
    return DistributionProgress(year, as_of, tuple(lines),
                                tuple(_distribution_town(n, c, towns[(c, n)]) for c, n in sorted(towns)),
                                _distribution_town("全区", "", lines))


# ---------------------------------------------------------------------------------------------
# 合同监管

@dataclass(frozen=True)
class FindingLine:
    place: Village
    finding: FindingRow


@dataclass(frozen=True)
class ExpiryLine:
    place: Village
    contract: ExpiryRow


@dataclass(frozen=True)
class ArrearsLine:
    place: Village
    installment: ArrearsRow


@dataclass(frozen=True)
class OversightTownLine:
    township: str
    township_code: str
    findings: int  # 不规范 findings (not 已整改/已消除)
    contracts_irregular: int
    expiring: int  # within 90 days
    expired: int  # past the end date, still in force
    arrears_installments: int
    arrears_amount: Decimal


@dataclass(frozen=True)
class ContractOversight:
    as_of: date
    findings: tuple[FindingLine, ...]
    expiring: tuple[ExpiryLine, ...]
    arrears: tuple[ArrearsLine, ...]
    townships: tuple[OversightTownLine, ...]
    district: OversightTownLine


OPEN_FINDING = ("未整改", "整改中")


def _oversight_town(name: str, code: str, f: list[FindingLine], e: list[ExpiryLine],
                    a: list[ArrearsLine]) -> OversightTownLine:
    open_f = [x for x in f if x.finding.status in OPEN_FINDING]
    return OversightTownLine(name, code, len(open_f), len({x.finding.contract_id for x in open_f}),
                             sum(x.contract.bucket != "已到期" for x in e), sum(x.contract.bucket == "已到期" for x in e),
                             len(a), sum((x.installment.outstanding for x in a), ZERO))


def contract_oversight(session: Session, as_of: date) -> ContractOversight:
    """The compliance review of every organisation's contracts as of ``as_of`` (not saved; each
    finding with the 整改 status its village recorded), contracts expiring within 90 days or past
    their end, and overdue installments with ageing: the contract services' own rules."""
    where = {p.organisation_id: p for p in places(session)}

    def place(org: uuid.UUID, name: str) -> Village:
        return where.get(org) or Village(org, name, "", "", "", "", "")

    f = [FindingLine(place(r.organisation_id, r.organisation_name), r)
         for r in current_findings(session, None, as_of=as_of)]
    e = [ExpiryLine(place(r.organisation_id, ""), r) for r in list_expiring(session, None, as_of)]
    a = [ArrearsLine(place(r.organisation_id, r.organisation_name), r) for r in list_arrears(session, None, as_of)]
    f.sort(key=lambda x: (x.place.region_code, x.finding.contract_number, x.finding.rule_code))
    e.sort(key=lambda x: (x.contract.end_date, x.place.region_code, x.contract.contract_number))
    a.sort(key=lambda x: (x.place.region_code, x.installment.contract_number, x.installment.seq))
    towns: dict[tuple[str, str], tuple[list[FindingLine], list[ExpiryLine], list[ArrearsLine]]] = defaultdict(
        lambda: ([], [], []))
    for fx in f:
        towns[_town_key(fx.place)][0].append(fx)
    for ex in e:
        towns[_town_key(ex.place)][1].append(ex)
    for ax in a:
        towns[_town_key(ax.place)][2].append(ax)
    return ContractOversight(as_of, tuple(f), tuple(e), tuple(a),
                             tuple(_oversight_town(n, c, *towns[(c, n)]) for c, n in sorted(towns)),
                             _oversight_town("全区", "", f, e, a))


# ---------------------------------------------------------------------------------------------
# 数据接收

@dataclass(frozen=True)
class TownshipPackage:
    site_id: uuid.UUID
    township: str
    region_code: str | None
    packages: int  # applied from this township (every PC identity of it)
    file_name: str | None  # the last one applied
    stream_seq: int | None
    created_at: datetime | None  # the township's clock, display only
    imported_at: datetime | None
    totals_matched: bool | None  # None: not compared (the district was ahead of or behind the sender)
    digests_matched: bool | None
    audit_entries: int
    audit_ok: bool
    audit_status: str  # "✓" or what failed

    @property
    def checks_text(self) -> str:
        def mark(v: bool | None) -> str:
            return "✓" if v else ("未比对" if v is None else "不符")

        return f"控制总数{mark(self.totals_matched)}，状态摘要{mark(self.digests_matched)}，审计链{self.audit_status}"


def _audit_chain(rows: list[tuple[int, str, str]]) -> str:
    """"✓" when the held entries of one origin run 1, 2, … each linked to the one before."""
    expect, prev = 1, GENESIS
    for n, prev_hash, h in rows:
        if n != expect:
            return f"缺少第 {expect} 条审计记录"
        if prev_hash != prev:
            return f"第 {n} 条审计记录与上一条的链接不符"
        expect, prev = n + 1, h
    return "✓"


def _matched(report: dict[str, Any], key: str) -> bool | None:
    vals = [v.get(key) for v in report.get("villages", [])]
    if any(v is False for v in vals):
        return False
    if vals and all(v is True for v in vals):
        return True
    return None


def last_packages(session: Session) -> list[TownshipPackage]:
    """Per township (every PC identity of one site together): packages applied, the last one,
    whether its control totals and village digests matched ours, and the audit chain held."""
    sites: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for p in session.execute(select(SyncPartner).where(SyncPartner.level == "township")).scalars():
        sites[p.site_id].append(p)
    out = []
    for site_id, partners in sites.items():
        current = next((p for p in partners if p.retired_at is None), partners[0])
        origins = [p.origin for p in partners]
        inbox = session.execute(select(SyncInbox).where(SyncInbox.sender.in_(origins))
                                .order_by(SyncInbox.imported_at.desc())).scalars().all()
        last = inbox[0] if inbox else None
        report: dict[str, Any] = json.loads(last.report_json) if last is not None else {}
        audit: dict[uuid.UUID, list[tuple[int, str, str]]] = defaultdict(list)
        for origin, n, prev_hash, h in session.execute(
                select(ReceivedAudit.origin, ReceivedAudit.n, ReceivedAudit.prev_hash, ReceivedAudit.hash)
                .where(ReceivedAudit.origin.in_(origins)).order_by(ReceivedAudit.origin, ReceivedAudit.n)):
            audit[origin].append((n, prev_hash, h))
        problems = [s for s in (_audit_chain(rows) for rows in audit.values()) if s != "✓"]
        out.append(TownshipPackage(site_id, current.name, current.region_code, len(inbox),
                                   last.file_name if last else None, last.stream_seq if last else None,
                                   last.created_at if last else None, last.imported_at if last else None,
                                   _matched(report, "totals_matched"), _matched(report, "digest_matched"),
                                   sum(len(v) for v in audit.values()), not problems,
                                   "；".join(problems) if problems else "✓"))
    out.sort(key=lambda t: (t.region_code or "", t.township))
    return out
