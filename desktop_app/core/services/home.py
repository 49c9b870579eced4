"""首页 (issue #17): for a township (every organisation in it) or one village, what is due on a
day, the collective income of this year against last year with its tier, and the monthly income
and expense of the last twelve months. Read-only, Qt-free.

Each question is asked once for all the scope's organisations (a grouped query or the area's own
service over every organisation, filtered here), never once per village: the page answers for a
300-village township in a few hundred milliseconds (bench/bench_home.py). The rules are the
areas' own: 财务公开 due by the 10th of the next month (REFERENCE "Our decisions", §1.3;
``district_oversight.disclosure_compliance``), 收益分配 by each organisation's deadline (4月30日
by default; ``distribution_progress``), contract expiry, arrears ageing and deposits
(``contract_warnings``), income and tiers as the district counts them (``district_stats``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import String, bindparam, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from db.models import Account, AccountPeriodTotal, Asset, AssetDepreciation, Book, Period
from db.types import Fen
from desktop_app.core import charts
from desktop_app.core.periods import add_months, months_between, period_label, period_of
from desktop_app.core.rows import UserRow
from desktop_app.core.services.contract_warnings import list_arrears, list_expiring, list_unrefunded_deposits
from desktop_app.core.services.district_common import VILLAGE_LEVEL, Village, places
from desktop_app.core.services.district_oversight import (
    disclosure_compliance,
    distribution_progress,
    due_month,
)
from desktop_app.core.services.district_settings import VERSIONS, TierSettings, get_settings
from desktop_app.core.services.district_stats import village_income, village_monthly_income
from desktop_app.core.services.orgs import ORG_OWN_BOOK_KINDS

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
DETAIL_LINES = 6  # example lines an item names; the page that the button opens has them all
CHART_MONTHS = 12


@dataclass(frozen=True)
class HomeScope:
    key: str  # "township:<code>" or "org:<uuid>"
    kind: str  # township / village
    name: str  # 阳光街道（全部 300 个村） / 东湖村股份经济合作社
    organisation_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class DueItem:
    key: str  # close / disclosure / distribution / expiring / arrears / deposits / depreciation
    title: str  # 待结账
    count: int  # 0: nothing due
    summary: str  # one sentence with the figures
    details: tuple[str, ...]  # a few of the lines behind the count
    page: str  # the id of the page that deals with it
    overdue: bool = False  # a deadline has passed (or money is overdue)
    # where 前往 takes the user: the book and month the item names first (its earliest), if any
    organisation_id: uuid.UUID | None = None
    book_id: uuid.UUID | None = None
    period: str | None = None


@dataclass(frozen=True)
class TierLine:
    label: str
    this_year: int  # villages in the tier, January … this month
    last_year: int  # villages in the tier, all of last year


@dataclass(frozen=True)
class IncomeComparison:
    year: int
    month: int  # this year's figures are January … month; last year's "same" are the same months
    villages: int
    operating: Decimal  # 经营性收入
    total: Decimal  # 总收入
    last_operating: Decimal  # last year, same months
    last_total: Decimal
    last_year_operating: Decimal  # last year, all twelve months
    last_year_total: Decimal
    change_pct: Decimal | None  # 经营性收入 against the same months of last year; None without a base
    tier: str | None  # one village: the tier of this year's 经营性收入 so far
    last_year_tier: str | None  # one village: the tier of last year's
    tiers: tuple[TierLine, ...]  # a township: villages per tier (经营性收入)
    definition: str  # what the district counts as 经营性收入


@dataclass(frozen=True)
class MonthFigures:
    period: str
    income: Decimal  # 总收入 (the district's definition)
    expense: Decimal  # 总支出 (chart role total_expense)


@dataclass(frozen=True)
class HomeOverview:
    scope: HomeScope
    as_of: date
    due: tuple[DueItem, ...]
    income: IncomeComparison
    months: tuple[MonthFigures, ...]  # the last CHART_MONTHS months, oldest first, this month last

    @property
    def organisation_ids(self) -> tuple[uuid.UUID, ...]:
        return self.scope.organisation_ids

    def item(self, key: str) -> DueItem:
        return next(i for i in self.due if i.key == key)


def home_scopes(session: Session, only: Iterable[uuid.UUID] | None = None) -> list[HomeScope]:
    """Each township with every organisation in it, then each village, in region-code order;
    ``only``: the organisations a user is limited to (None or empty: all)."""
    allowed = set(only or ())
    towns: dict[tuple[str, str], list[Village]] = defaultdict(list)
    out_villages = []
    for p in places(session):
        if allowed and p.organisation_id not in allowed:
            continue
        towns[(p.township_code, p.township)].append(p)
        if p.level == VILLAGE_LEVEL:
            out_villages.append(HomeScope(f"org:{p.organisation_id}", "village", p.name, (p.organisation_id,)))
    out = []
    for (code, name), members in sorted(towns.items()):
        n = sum(m.level == VILLAGE_LEVEL for m in members)
        out.append(HomeScope(f"township:{code}", "township", f"{name or '本乡镇'}（全部 {n} 个村）",
                             tuple(m.organisation_id for m in members)))
    return out + out_villages


def _names(session: Session) -> dict[uuid.UUID, str]:
    return {p.organisation_id: p.name for p in places(session)}


def cut_lines(lines: Sequence[str]) -> tuple[str, ...]:
    if len(lines) <= DETAIL_LINES:
        return tuple(lines)
    return (*lines[:DETAIL_LINES], f"……等共 {len(lines)} 项")


def _money(v: Decimal) -> str:
    return f"{v:,.2f} 元"


# --- 结账 --------------------------------------------------------------------------------------
_LAST_CLOSED = (select(Period.book_id, func.max(Period.period)).where(Period.status == "closed")
                .group_by(Period.book_id).subquery())
_BOOKS = (select(Book.id, Book.organisation_id, Book.code, Book.name, Book.start_period, _LAST_CLOSED.c[1])
          .outerjoin(_LAST_CLOSED, _LAST_CLOSED.c.book_id == Book.id)
          .where(Book.deleted.is_(False), Book.organisation_id.in_(bindparam("orgs", expanding=True)))
          .order_by(Book.code))


def _close_item(session: Session, orgs: list[uuid.UUID], names: dict[uuid.UUID, str], as_of: date) -> DueItem:
    """Months that have ended and are not closed (closing is sequential: every month after a
    book's last closed one, from its first month, up to last month)."""
    last_month = add_months(period_of(as_of), -1)
    lines, months, oldest = [], 0, None
    for bid, org, code, name, start, closed in session.execute(_BOOKS, {"orgs": orgs}):
        first = add_months(closed, 1) if closed else start
        n = months_between(first, last_month) + 1
        if n <= 0:
            continue
        months += n
        oldest = min(oldest or first, first)
        span = period_label(first) if n == 1 else f"{period_label(first)}–{period_label(last_month)}"
        lines.append((first, f"{names.get(org, '')} {code} {name}：{span}未结账", org, bid))
    lines.sort(key=lambda x: x[:2])
    count = len(lines)
    summary = (f"{count} 个账套共 {months} 个月已结束未结账，最早 {period_label(oldest)}" if count and oldest
               else f"截至{period_label(last_month)}的月份均已结账")
    go = lines[0] if lines else None  # the book and month the summary names first
    return DueItem("close", "结账", count, summary, cut_lines([x[1] for x in lines]), "vouchers",
                   overdue=bool(oldest and oldest < last_month), organisation_id=go[2] if go else None,
                   book_id=go[3] if go else None, period=go[0] if go else None)


# --- 财务公开 ----------------------------------------------------------------------------------
def _disclosure_item(session: Session, orgs: set[uuid.UUID], as_of: date) -> DueItem:
    year, month = due_month(as_of)
    report = disclosure_compliance(session, year, month, as_of=as_of)
    due = [x for x in report.lines if x.village.organisation_id in orgs and x.period_code]
    open_ = [x for x in due if not x.posted]
    overdue = [x for x in open_ if x.overdue]
    deadline = min((x.due for x in due if x.due), default=None)
    label = f"{year}年{month}月"
    if not due:
        summary = f"{label}无须公开的账套"
    elif open_:
        when = f"{deadline.month}月{deadline.day}日前" if deadline else ""
        summary = (f"{label}财务公开：{len(open_)} 个账套未张贴（共 {len(due)} 个），应于{when}公开"
                   + (f"，已逾期 {len(overdue)} 个" if overdue else ""))
    else:
        summary = f"{label}财务公开均已张贴（{len(due)} 个账套）"
    lines = [f"{x.village.name} {x.book_name}：{x.status}" for x in open_]
    return DueItem("disclosure", "财务公开", len(open_), summary, cut_lines(lines), "disclosure", overdue=bool(overdue),
                   period=f"{year:04d}-{month:02d}")  # 前往 opens the month the item names


# --- 收益分配 ----------------------------------------------------------------------------------
def _distribution_item(session: Session, orgs: set[uuid.UUID], as_of: date) -> DueItem:
    year = as_of.year - 1
    report = distribution_progress(session, year, as_of=as_of)
    lines = [x for x in report.lines if x.village.organisation_id in orgs]
    open_ = [x for x in lines if not x.done]
    overdue = [x for x in open_ if x.overdue]
    deadline = min((x.deadline for x in open_), default=None)
    if not lines:
        summary = f"{year}年度无应做的收益分配"
    elif open_ and deadline:
        summary = (f"{year}年度收益分配：{len(open_)} 个村未完成（共 {len(lines)} 个），"
                   f"应于{deadline.year}年{deadline.month}月{deadline.day}日前发放"
                   + (f"，已逾期 {len(overdue)} 个" if overdue else ""))
    else:
        summary = f"{year}年度收益分配均已完成（{len(lines)} 个村）"
    details = [f"{x.village.name}：方案{x.plan_status}，{x.state}" for x in open_]
    return DueItem("distribution", "收益分配", len(open_), summary, cut_lines(details), "members", overdue=bool(overdue))


# --- 合同 --------------------------------------------------------------------------------------
def _contract_items(session: Session, orgs: set[uuid.UUID], names: dict[uuid.UUID, str],
                    as_of: date) -> list[DueItem]:
    one = next(iter(orgs)) if len(orgs) == 1 else None  # one village asks for its own contracts only
    expiring = [e for e in list_expiring(session, one, as_of) if e.organisation_id in orgs]
    buckets = {b: sum(e.bucket == b for e in expiring) for b in ("已到期", "30天内", "90天内")}
    summary = ("，".join(f"{b} {n} 份" for b, n in buckets.items() if n) if expiring
               else "90 天内没有到期的合同")
    exp_lines = [f"{names.get(e.organisation_id, '')} {e.contract_number} {e.name}（{e.counterparty_name}）："
                 + (f"{e.end_date:%Y-%m-%d} 已到期" if e.days_left <= 0 else f"{e.days_left} 天后到期")
                 for e in expiring]
    items = [DueItem("expiring", "合同到期", len(expiring), summary, cut_lines(exp_lines), "contracts",
                     overdue=buckets["已到期"] > 0)]

    arrears = [a for a in list_arrears(session, one, as_of) if a.organisation_id in orgs]
    ages: dict[str, list[Decimal]] = {b: [] for b in ("≤1年", "1–3年", ">3年")}
    for a in arrears:
        ages[a.bucket].append(a.outstanding)
    total = sum((a.outstanding for a in arrears), ZERO)
    summary = (f"{len(arrears)} 期欠缴共 {_money(total)}：" + "，".join(
        f"{b} {len(v)} 期 {_money(sum(v, ZERO))}" for b, v in ages.items() if v)) if arrears else "没有逾期未收的租金"
    by_contract: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for a in arrears:
        by_contract[(a.organisation_name, f"{a.contract_number}（{a.counterparty_name}）")] += a.outstanding
    arr_lines = [f"{org} {c}：欠 {_money(v)}" for (org, c), v in sorted(by_contract.items(), key=lambda kv: -kv[1])]
    items.append(DueItem("arrears", "租金欠缴", len(arrears), summary, cut_lines(arr_lines), "contracts",
                         overdue=bool(arrears)))

    deposits = [d for d in list_unrefunded_deposits(session, one, as_of) if d.organisation_id in orgs]
    held = sum((d.held for d in deposits), ZERO)
    summary = (f"{len(deposits)} 份已结束的合同押金未退，共 {_money(held)}" if deposits
               else "没有应退未退的押金")
    dep_lines = [f"{names.get(d.organisation_id, '')} {d.contract_number}（{d.counterparty_name}）：{_money(d.held)}"
                 for d in deposits]
    items.append(DueItem("deposits", "押金待退", len(deposits), summary, cut_lines(dep_lines), "contracts"))
    return items


# --- 折旧 --------------------------------------------------------------------------------------
# The last month charged, per card, by the (asset, period) unique index: a seek per card, not a
# scan of every charge. Ids stay as stored text (converting thousands of UUIDs costs more than the query).
_LAST_CHARGED = (select(func.max(AssetDepreciation.period))
                 .where(AssetDepreciation.asset_id == Asset.id, AssetDepreciation.deleted.is_(False))
                 .correlate(Asset).scalar_subquery())
_ASSETS = (select(type_coerce(Asset.organisation_id, String), Asset.acquired_on, Asset.useful_life_months,
                  Asset.first_period, Asset.disposed_on, _LAST_CHARGED)
           .join(Book, Book.id == Asset.book_id)
           .where(Asset.deleted.is_(False), Book.deleted.is_(False), Asset.status != "报废",
                  Asset.useful_life_months > 0, Asset.first_period <= bindparam("period"),
                  Asset.organisation_id.in_(bindparam("orgs", expanding=True))))


def _depreciation_item(session: Session, orgs: list[uuid.UUID], names: dict[uuid.UUID, str],
                       as_of: date) -> DueItem:
    """Fixed assets still within their life (charged from the month after acquisition for
    ``useful_life_months``) that have no charge for this month yet. A quick count from the cards:
    the 资产 page's 计提折旧 computes the amounts (life changes included)."""
    period = period_of(as_of)
    starts: dict[str, list[str]] = defaultdict(list)  # the earliest month not charged, per card
    for org, acquired, life, first, disposed, done in session.execute(_ASSETS, {"period": period, "orgs": orgs}):
        if disposed is not None and period_of(disposed) < period:
            continue
        ends = add_months(period_of(acquired), life)  # the last month charged
        if done is not None and done >= min(period, ends):
            continue
        start = max(first, add_months(done, 1)) if done else first
        if start <= ends:
            starts[org].append(start)
    per_org = {uuid.UUID(hex=k): v for k, v in starts.items()}
    count = sum(len(v) for v in per_org.values())
    earliest = min((min(v) for v in per_org.values()), default=None)
    if count:
        summary = f"{period_label(period)}：{len(per_org)} 个组织 {count} 项资产尚未计提折旧"
        if earliest and earliest < period:
            summary += f"，最早自{period_label(earliest)}未计提"
    else:
        summary = f"{period_label(period)}折旧均已计提"
    lines = sorted(((min(v), f"{names.get(o, '')}：{len(v)} 项，自{period_label(min(v))}起") for o, v in per_org.items()))
    return DueItem("depreciation", "计提折旧", count, summary, cut_lines([t for _, t in lines]), "assets",
                   overdue=bool(earliest and earliest < period))


# --- 收入 --------------------------------------------------------------------------------------
def _pct(change: Decimal, base: Decimal) -> Decimal | None:
    return None if base == 0 else (change * HUNDRED / abs(base)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class _Sums:
    operating: Decimal
    total: Decimal


_FIRST_OWN_BOOK = (select(func.min(Book.start_period))
                   .where(Book.organisation_id == bindparam("org"), Book.deleted.is_(False),
                          Book.kind.in_(ORG_OWN_BOOK_KINDS)))


def _one_village(session: Session, org: uuid.UUID, year: int, month: int,
                 settings: TierSettings) -> tuple[dict[uuid.UUID, _Sums], ...]:
    """This year's January … month, last year's same months and last year's whole, of one village,
    from ``village_monthly_income`` (the district's definition); empty where it kept no books."""
    first_book = session.execute(_FIRST_OWN_BOOK, {"org": org}).scalar()

    def sums(y: int, last: int) -> dict[uuid.UUID, _Sums]:
        if first_book is None or first_book > f"{y:04d}-{last:02d}":
            return {}
        months = village_monthly_income(session, org, y, settings=settings).months[:last]
        return {org: _Sums(sum((m.operating for m in months), ZERO), sum((m.total for m in months), ZERO))}

    return sums(year, month), sums(year - 1, month), sums(year - 1, 12)


def _income(session: Session, scope: HomeScope, as_of: date, settings: TierSettings) -> IncomeComparison:
    year, month = as_of.year, as_of.month
    orgs = set(scope.organisation_ids)

    def mine(rows: list[Any]) -> dict[uuid.UUID, Any]:
        return {r.village.organisation_id: r for r in rows if r.village.organisation_id in orgs and r.kept}

    if scope.kind == "village":  # one village: its own months (two small queries, not every village's year)
        now, same, full = _one_village(session, scope.organisation_ids[0], year, month, settings)
    else:
        now = mine(village_income(session, year, month, settings=settings))
        full = mine(village_income(session, year - 1, None, settings=settings))
        same = full if month == 12 else mine(village_income(session, year - 1, month, settings=settings))

    def total(rows: dict[uuid.UUID, Any], attr: str) -> Decimal:
        return sum((getattr(r, attr) for r in rows.values()), ZERO)

    op, last_op = total(now, "operating"), total(same, "operating")
    labels = settings.labels("operating")
    tier = last_tier = None
    tiers: tuple[TierLine, ...] = ()
    if scope.kind == "village":
        if now:
            tier = labels[settings.tier_of(op)]
        if full:
            last_tier = labels[settings.tier_of(total(full, "operating"))]
    else:
        this_counts, last_counts = [0] * len(labels), [0] * len(labels)
        for r in now.values():
            this_counts[settings.tier_of(r.operating)] += 1
        for r in full.values():
            last_counts[settings.tier_of(r.operating)] += 1
        tiers = tuple(TierLine(lab, a, b) for lab, a, b in zip(labels, this_counts, last_counts, strict=True))
    codes = "、".join(f"{v}版{'+'.join(settings.codes('operating', v))}" for v in VERSIONS)
    return IncomeComparison(year, month, len(now), op, total(now, "total"), last_op, total(same, "total"),
                            total(full, "operating"), total(full, "total"), _pct(op - last_op, last_op),
                            tier, last_tier, tiers, f"经营性收入按科目 {codes} 统计（区级收入分档口径）")


def _month_accounts(orgs: list[uuid.UUID], prefixes: list[str]) -> Any:
    return (select(Account.id, Account.code, Book.chart_version).join(Book, Book.id == Account.book_id)
            .where(Account.deleted.is_(False), Account.category == "损益", Book.deleted.is_(False),
                   Book.kind.in_(ORG_OWN_BOOK_KINDS), Book.organisation_id.in_(orgs),
                   or_(*(Account.code.startswith(p) for p in prefixes))))


def _months(session: Session, orgs: list[uuid.UUID], as_of: date, settings: TierSettings) -> tuple[MonthFigures, ...]:
    """总收入 and 总支出 per month of the scope's own books (year-end closing vouchers left out):
    one grouped query over the per-month summary, whatever the number of villages. The accounts
    are picked inside the query (a list of thousands of ids as parameters costs 4x as much)."""
    last = period_of(as_of)
    first = add_months(last, 1 - CHART_MONTHS)
    income = {v: settings.codes("total", v) for v in VERSIONS}
    expense = {v: charts.account_roles(v, "total_expense") for v in VERSIONS}
    prefixes = sorted({c for v in VERSIONS for c in (*income[v], *expense[v])})
    accounts = _month_accounts(orgs, prefixes).subquery()
    sums = (select(AccountPeriodTotal.account_id, AccountPeriodTotal.period,
                   func.sum(AccountPeriodTotal.credit - AccountPeriodTotal.debit).label("x"))
            .where(AccountPeriodTotal.period >= first, AccountPeriodTotal.period <= last,
                   AccountPeriodTotal.closing.is_(False),
                   AccountPeriodTotal.account_id.in_(select(accounts.c.id)))
            .group_by(AccountPeriodTotal.account_id, AccountPeriodTotal.period).subquery())
    query = (select(sums.c.period, accounts.c.code, accounts.c.chart_version, type_coerce(sums.c.x, Fen()))
             .join(accounts, accounts.c.id == sums.c.account_id))
    out: dict[str, list[Decimal]] = {add_months(first, i): [ZERO, ZERO] for i in range(CHART_MONTHS)}
    for period, code, version, amount in session.execute(query):
        v = version if version in VERSIONS else "2023"
        if code.startswith(income[v]):
            out[period][0] += amount or ZERO
        elif code.startswith(expense[v]):
            out[period][1] -= amount or ZERO
    return tuple(MonthFigures(p, inc, exp) for p, (inc, exp) in out.items())


def home_overview(session: Session, scope: HomeScope, as_of: date, *, user: UserRow | None = None) -> HomeOverview:
    """Everything the 首页 shows for ``scope`` on ``as_of`` (never "today" inside: the caller
    passes the day, so the same data and day give the same page); with ``user``, the vouchers
    waiting for that user's role too (审核员: to review; 记账员: to post)."""
    session.flush()
    orgs = list(scope.organisation_ids)
    org_set = set(orgs)
    names = _names(session)
    settings = get_settings(session)
    from desktop_app.core.services.home_vouchers import ITEMS, voucher_item  # it builds on this module

    mine = [voucher_item(session, orgs, names, user, key) for key, role in ITEMS
            if user is not None and user.has_role(role)]
    due = [_close_item(session, orgs, names, as_of), *mine, _disclosure_item(session, org_set, as_of),
           _distribution_item(session, org_set, as_of), *_contract_items(session, org_set, names, as_of),
           _depreciation_item(session, orgs, names, as_of)]
    return HomeOverview(scope, as_of, tuple(due), _income(session, scope, as_of, settings),
                        _months(session, orgs, as_of, settings))
