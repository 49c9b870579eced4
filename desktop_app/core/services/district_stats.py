"""The district's statistics (issue #13): each village's 经营性收入 and 总收入, tier counts per
township and for the district, the villages of a tier with the year-on-year change, a village's
months. Read-only, Qt-free; on a district database (every township's rows carried in by sync) or
on a township's own.

Every figure comes from ``account_period_total`` (the per-month summary), never the journal: one
grouped query per question. The definition is the one of ``statements.income_figures`` and of the
收支明细表 (credit-positive activity of the income accounts and their sub-accounts, the year-end
closing vouchers left out), with the codes the district's settings name (district_settings).

The oversight questions (财务公开, 收益分配, 合同, packages received) live in district_oversight
and are re-exported here, so that callers import one module.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, false, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from db.models import Account, AccountPeriodTotal, Book, Organisation
from db.types import Fen
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.services.district_common import VILLAGE_LEVEL, Village, villages
from desktop_app.core.services.district_oversight import (
    ContractOversight,
    DisclosureCompliance,
    DistributionProgress,
    TownshipPackage,
    contract_oversight,
    disclosure_compliance,
    distribution_progress,
    distribution_year,
    due_month,
    last_packages,
)
from desktop_app.core.services.district_settings import (
    KIND_TEXT,
    KINDS,
    VERSIONS,
    TierSettings,
    get_settings,
    update_settings,
)
from desktop_app.core.services.orgs import ORG_OWN_BOOK_KINDS

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

__all__ = [
    "KINDS",
    "KIND_TEXT",
    "ContractOversight",
    "DisclosureCompliance",
    "DistributionProgress",
    "IncomeKind",
    "MonthIncome",
    "TierCount",
    "TierReport",
    "TierSettings",
    "TownshipPackage",
    "TownshipTiers",
    "Village",
    "VillageIncome",
    "VillageMonthly",
    "VillageTierRow",
    "contract_oversight",
    "disclosure_compliance",
    "distribution_progress",
    "distribution_year",
    "due_month",
    "get_settings",
    "last_packages",
    "period_range",
    "tier_counts",
    "update_settings",
    "village_income",
    "village_monthly_income",
    "villages",
    "villages_in_tier",
]

IncomeKind = str  # "operating" (经营性收入) | "total" (总收入)


@dataclass(frozen=True)
class VillageIncome:
    village: Village
    first: str  # YYYY-MM
    last: str
    operating: Decimal  # 经营性收入, 元
    total: Decimal  # 总收入, 元
    kept: bool  # the village kept books (of its own kinds) in some month of first … last

    def amount(self, kind: IncomeKind) -> Decimal:
        return self.operating if kind == "operating" else self.total


@dataclass(frozen=True)
class TierCount:
    label: str
    count: int
    share: Decimal  # percent, one decimal; the shares of a table add up to exactly 100.0
    amount: Decimal  # the income of the villages in the tier, 元


@dataclass(frozen=True)
class TownshipTiers:
    township: str  # "全区" for the district line
    township_code: str
    villages: int
    operating: tuple[TierCount, ...]
    total: tuple[TierCount, ...]
    operating_sum: Decimal
    total_sum: Decimal

    def tiers(self, kind: IncomeKind) -> tuple[TierCount, ...]:
        return self.operating if kind == "operating" else self.total


@dataclass(frozen=True)
class TierReport:
    year: int
    month: int | None  # None: the whole year; else January … month (年初至该月累计)
    first: str
    last: str
    settings: TierSettings
    townships: tuple[TownshipTiers, ...]
    district: TownshipTiers
    villages_not_kept: tuple[Village, ...]  # villages without books in the period (counted in no tier)

    @property
    def period_label(self) -> str:
        if self.month is None:
            return f"{self.year}年"
        return f"{self.year}年1月" if self.month == 1 else f"{self.year}年1–{self.month}月累计"


@dataclass(frozen=True)
class VillageTierRow:
    village: Village
    amount: Decimal
    other: Decimal  # the other income kind, same months (both are always shown)
    prev_amount: Decimal | None  # the same months of the year before (None: no books then)
    change: Decimal | None
    change_pct: Decimal | None  # percent, one decimal; None when last year was 0 or absent
    prev_tier: str | None


@dataclass(frozen=True)
class MonthIncome:
    period: str
    operating: Decimal
    total: Decimal


@dataclass(frozen=True)
class VillageMonthly:
    village: Village
    year: int
    months: tuple[MonthIncome, ...]  # January … December
    operating: Decimal  # the year's sums (= Σ months)
    total: Decimal


def period_range(year: int, month: int | None) -> tuple[str, str]:
    if not 1900 <= year <= 9999:
        raise ValidationError(f"年度“{year}”不对", field="年度")
    if month is not None and not 1 <= month <= 12:
        raise ValidationError(f"月份须为1–12，不是“{month}”", field="月份")
    return f"{year:04d}-01", f"{year:04d}-{month or 12:02d}"


Codes = tuple[tuple[str, tuple[str, ...]], ...]  # ((kind_version, codes), …): what the settings name


def _codes_of(settings: TierSettings, kinds: tuple[IncomeKind, ...]) -> Codes:
    return tuple((f"{k}_{v}", settings.codes(k, v) if k in kinds else ()) for k in KINDS for v in VERSIONS)


def _sums_query(monthly: bool, codes: Codes) -> Select[Any]:
    """Per organisation (and month): Σ credit − debit of its 经营性收入 and of its 总收入 accounts
    (the codes ``codes`` names for the book's chart, and their sub-accounts) in the villages' own
    books, closing vouchers left out.

    One pass over the summary's period range, grouped by account alone (an account is one book's):
    the accounts are picked first (a small set the range scan tests each row against), and only
    the groups are joined to their code and book — joining every summary row to its account, or
    grouping on (book, account), costs 1.6–2x as much (bench/bench_district.py). Which income an
    account counts in is decided in the same statement, so a few hundred rows come back, not one
    per account (converting those cost a fifth of the report)."""
    named = dict(codes)

    def test(kind: str) -> Any:
        def of(version: str) -> Any:
            return or_(false(), *(Account.code.startswith(c) for c in named[f"{kind}_{version}"]))

        return or_(and_(Book.chart_version == "2004", of("2004")), and_(Book.chart_version != "2004", of("2023")))

    prefixes = sorted({c for _k, cs in codes for c in cs})
    accounts = (select(Account.id).join(Book, Book.id == Account.book_id)
                .join(Organisation, Organisation.id == Book.organisation_id)
                .where(Account.category == "损益", Account.deleted.is_(False), Book.deleted.is_(False),
                       Book.kind.in_(ORG_OWN_BOOK_KINDS), Organisation.deleted.is_(False),
                       Organisation.level == VILLAGE_LEVEL, or_(false(), *(Account.code.startswith(p) for p in prefixes))))
    keys: list[Any] = [AccountPeriodTotal.account_id]
    if monthly:
        keys.append(AccountPeriodTotal.period)
        accounts = accounts.where(Book.organisation_id == bindparam("org"))
    sums = (select(*keys, func.sum(AccountPeriodTotal.credit - AccountPeriodTotal.debit).label("x"))
            .where(AccountPeriodTotal.period >= bindparam("first"), AccountPeriodTotal.period <= bindparam("last"),
                   AccountPeriodTotal.closing.is_(False), AccountPeriodTotal.account_id.in_(accounts))
            .group_by(*keys).cte("sums"))
    groups: list[Any] = [Book.organisation_id]
    if monthly:
        groups.append(sums.c.period)
    return (select(*groups, *(type_coerce(func.sum(case((test(k), sums.c.x), else_=0)), Fen()) for k in KINDS))
            .join_from(sums, Account, Account.id == sums.c.account_id).join(Book, Book.id == Account.book_id)
            .group_by(*groups))


_SUMS: dict[tuple[bool, Codes], Select[Any]] = {}  # built once per settings: building costs more than running


def _sums(monthly: bool, settings: TierSettings, kinds: tuple[IncomeKind, ...] = KINDS) -> Select[Any]:
    key = (monthly, _codes_of(settings, kinds))
    if key not in _SUMS:
        _SUMS[key] = _sums_query(*key)
    return _SUMS[key]


_KEPT = (select(Book.organisation_id).join(Organisation, Organisation.id == Book.organisation_id)
         .where(Book.deleted.is_(False), Book.kind.in_(ORG_OWN_BOOK_KINDS), Book.start_period <= bindparam("last"),
                Organisation.deleted.is_(False), Organisation.level == VILLAGE_LEVEL).distinct())


def _income_by_org(session: Session, first: str, last: str, settings: TierSettings,
                   kinds: tuple[IncomeKind, ...] = KINDS) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
    session.flush()
    return {org: (op or ZERO, tot or ZERO) for org, op, tot in session.connection().execute(
        _sums(False, settings, kinds), {"first": first, "last": last})}


def village_income(session: Session, year: int, month: int | None = None, *,
                   settings: TierSettings | None = None, kinds: tuple[IncomeKind, ...] = KINDS) -> list[VillageIncome]:
    """Per village: 经营性收入 and 总收入 of the year (``month`` None) or January … ``month``.
    ``kinds``: only these are summed (the others read 0) — the year before's comparison needs one,
    and reading only its accounts' summary rows saves a third of the time (bench/bench_district.py)."""
    first, last = period_range(year, month)
    settings = settings or get_settings(session)
    sums = _income_by_org(session, first, last, settings, kinds)
    kept = set(session.connection().execute(_KEPT, {"last": last}).scalars())
    return [VillageIncome(v, first, last, *sums.get(v.organisation_id, (ZERO, ZERO)), kept=v.organisation_id in kept)
            for v in villages(session)]


def shares(counts: list[int]) -> list[Decimal]:
    """Percent shares to one decimal that add up to exactly 100.0 (largest remainder)."""
    n = sum(counts)
    if n == 0:
        return [Decimal("0.0") for _ in counts]
    tenths = [c * 1000 for c in counts]
    floors = [t // n for t in tenths]
    rest = 1000 - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(tenths[i] % n), i))
    for i in order[:rest]:
        floors[i] += 1
    return [(Decimal(f) / 10).quantize(Decimal("0.1")) for f in floors]


def _line(name: str, code: str, rows: list[VillageIncome], settings: TierSettings) -> TownshipTiers:
    by_kind: dict[str, tuple[TierCount, ...]] = {}
    for kind in KINDS:
        labels = settings.labels(kind)
        counts = [0] * len(labels)
        amounts = [ZERO] * len(labels)
        for r in rows:
            t = settings.tier_of(r.amount(kind))
            counts[t] += 1
            amounts[t] += r.amount(kind)
        by_kind[kind] = tuple(TierCount(lab, c, s, a)
                              for lab, c, s, a in zip(labels, counts, shares(counts), amounts, strict=True))
    return TownshipTiers(name, code, len(rows), by_kind["operating"], by_kind["total"],
                         sum((r.operating for r in rows), ZERO), sum((r.total for r in rows), ZERO))


def tier_counts(session: Session, year: int, month: int | None = None, *,
                settings: TierSettings | None = None, incomes: list[VillageIncome] | None = None) -> TierReport:
    """收入分档统计: per township and for the district, how many villages fall in each tier of
    经营性收入 and of 总收入 (counts, shares, the tier's income), with the settings used. Villages
    without books in the period are listed apart, in no tier."""
    settings = settings or get_settings(session)
    rows = incomes if incomes is not None else village_income(session, year, month, settings=settings)
    first, last = period_range(year, month)
    kept = [r for r in rows if r.kept]
    towns: dict[tuple[str, str], list[VillageIncome]] = defaultdict(list)
    for r in kept:
        towns[(r.village.township_code, r.village.township)].append(r)
    lines = tuple(_line(name, code, towns[(code, name)], settings) for code, name in sorted(towns))
    district = _line("全区", "", kept, settings)
    return TierReport(year, month, first, last, settings, lines, district,
                      tuple(r.village for r in rows if not r.kept))


def _pct(change: Decimal, base: Decimal) -> Decimal | None:
    if base == 0:
        return None
    return (change * HUNDRED / abs(base)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def villages_in_tier(session: Session, year: int, month: int | None, kind: IncomeKind, tier: int | None, *,
                     township_code: str | None = None, settings: TierSettings | None = None,
                     incomes: list[VillageIncome] | None = None) -> list[VillageTierRow]:
    """The villages of one tier (``tier`` None: every tier) of one income kind, optionally of one
    township, highest income first, each with the same months of the year before and the change.
    ``incomes``: this period's ``village_income`` when the caller has it already."""
    if kind not in KINDS:
        raise ValidationError(f"收入口径须为 operating（经营性收入）或 total（总收入），不是“{kind}”", field="口径")
    settings = settings or get_settings(session)
    labels = settings.labels(kind)
    if tier is not None and not 0 <= tier < len(labels):
        raise ValidationError(f"没有第{tier}档（共{len(labels)}档）", field="档次")
    now = incomes if incomes is not None else village_income(session, year, month, settings=settings)
    prev = {r.village.organisation_id: r for r in village_income(session, year - 1, month, settings=settings,
                                                                 kinds=(kind,))}
    other = "total" if kind == "operating" else "operating"
    out = []
    for r in now:
        if not r.kept or (township_code and r.village.township_code != township_code):
            continue
        amount = r.amount(kind)
        if tier is not None and settings.tier_of(amount) != tier:
            continue
        p = prev.get(r.village.organisation_id)
        if p is None or not p.kept:
            out.append(VillageTierRow(r.village, amount, r.amount(other), None, None, None, None))
            continue
        pa = p.amount(kind)
        out.append(VillageTierRow(r.village, amount, r.amount(other), pa, amount - pa, _pct(amount - pa, pa),
                                  labels[settings.tier_of(pa)]))
    out.sort(key=lambda x: (-x.amount, x.village.region_code))
    return out


def village_monthly_income(session: Session, organisation_id: uuid.UUID, year: int, *,
                           settings: TierSettings | None = None) -> VillageMonthly:
    """One village's 经营性收入 and 总收入 month by month (each equals the village's 收支明细表 本月数)."""
    first, last = period_range(year, None)
    village = next((v for v in villages(session) if v.organisation_id == organisation_id), None)
    if village is None:
        raise NotFoundError("没有这个村级集体经济组织")
    settings = settings or get_settings(session)
    months: dict[str, list[Decimal]] = {f"{year:04d}-{m:02d}": [ZERO, ZERO] for m in range(1, 13)}
    session.flush()
    for _org, period, op, tot in session.connection().execute(
            _sums(True, settings), {"first": first, "last": last, "org": organisation_id}):
        months[period] = [op or ZERO, tot or ZERO]
    rows = tuple(MonthIncome(p, v[0], v[1]) for p, v in months.items())
    return VillageMonthly(village, year, rows, sum((m.operating for m in rows), ZERO),
                          sum((m.total for m in rows), ZERO))
