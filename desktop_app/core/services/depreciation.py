"""The monthly depreciation run (计提折旧) and per-asset schedules.

One run per book and month posts one voucher (借 生产成本/管理费用/经营支出/公益支出 by the asset's
use, 贷 累计折旧 per asset) through the funds services. It is idempotent: the voucher's source is
``("depreciation", uuid5(book, month))`` and a second run finds it and changes nothing. A closed
month is refused (``ensure_period_open``), and so is a month whose previous month's charges were
never run, so the cards and 152 never drift apart. Assets with status 报废 (scrapped, awaiting
disposal) are not charged; 闲置 assets are (seasonal idleness, REFERENCE §2.5).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import Asset, AssetAdjustment, AssetDepreciation, AssetWorkload, Book, Voucher
from db.types import uuid7
from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_assets import DepreciationCharge, DepreciationRunResult, ScheduleRow
from desktop_app.core.rules.depreciation import UNITS, Adjustment, Terms, month_of, schedule
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.assets import load_asset
from desktop_app.core.services.assets_books import EXPENSE_ROLE, role_code
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.depreciation_month import straight_month
from desktop_app.core.services.funds_base import (
    check_period,
    get_book_row,
    next_period,
    period_end,
    period_label,
    period_of,
    read_cache,
)
from desktop_app.core.services.permissions import MAKE_VOUCHER
from desktop_app.core.services.voucher_bulk import BulkVoucher
from desktop_app.core.services.voucher_lines import LineInput

if TYPE_CHECKING:
    from desktop_app.core.services.posting_batch import PostingBatch

SOURCE_KIND = "depreciation"
_NS = uuid.UUID("5b7c1a52-8d1e-4c55-9a0e-6f3b2a1d0c11")
ZERO = Decimal("0.00")


RUN_YEARS = 1  # depreciation may be run at most to the end of next year
SCHEDULE_YEARS = 100  # a schedule may be shown this far ahead (the longest lives are 50 years)


def check_horizon(period: str, field: str = "会计期间", *, years: int = RUN_YEARS) -> str:
    """``check_period`` plus a sane range: a month past the end of next year (9999-12 …) is refused
    at once instead of building a schedule month by month up to it."""
    period = check_period(period, field)
    limit = f"{date.today().year + years:04d}-12"
    if period > limit:
        what = "折旧最多计提到" if years == RUN_YEARS else "折旧计划最多列到"
        raise ValidationError(f"{period_label(period)}超出合理范围：{what}{period_label(limit)}，请检查输入的期间",
                              field=field)
    return period


def refuse_future_run(period: str) -> None:
    """A month's depreciation is charged in that month or after, never ahead: a run of a month still
    to come would count in every list and balance dated before it is over."""
    this_month = period_of(date.today())
    if period > this_month:
        raise ValidationError(f"{period_label(period)}尚未到来，不能计提该月折旧（最多计提到本月{period_label(this_month)}）",
                              field="会计期间")


def run_source_id(book_id: uuid.UUID, period: str) -> uuid.UUID:
    """The deterministic source id of a book's run for a month."""
    return uuid.uuid5(_NS, f"{book_id}:{period}")


def terms_of(a: Any) -> Terms:
    disposal = month_of(a.disposed_on) if a.disposed_on is not None else None
    return Terms(cost=a.original_value, residual_rate=a.residual_rate, life_months=a.useful_life_months,
                 acquired_on=a.acquired_on, method=a.method, total_workload=a.total_workload,
                 opening_accumulated=a.opening_accumulated, opening_workload=a.opening_workload or Decimal(0),
                 first_period=a.first_period, disposal_period=disposal)


def adjustments_of(session: Session, asset_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Adjustment]]:
    out: dict[uuid.UUID, list[Adjustment]] = defaultdict(list)
    rows = session.execute(select(AssetAdjustment.asset_id, AssetAdjustment.effective_on, AssetAdjustment.delta_cost,
                                  AssetAdjustment.delta_accumulated, AssetAdjustment.new_life_months,
                                  AssetAdjustment.new_residual_rate)
                           .where(AssetAdjustment.asset_id.in_(asset_ids), AssetAdjustment.deleted.is_(False)))
    for aid, on, dc, da, life, rate in rows:
        out[aid].append(Adjustment(month_of(on), dc, da, life, rate))
    return out


def workloads_of(session: Session, asset_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Decimal]]:
    out: dict[uuid.UUID, dict[str, Decimal]] = defaultdict(dict)
    for aid, period, qty in session.execute(select(AssetWorkload.asset_id, AssetWorkload.period, AssetWorkload.quantity)
                                            .where(AssetWorkload.asset_id.in_(asset_ids),
                                                   AssetWorkload.deleted.is_(False))):
        out[aid][period] = qty
    return out


def record_workload(session: Session, asset_id: uuid.UUID, period: str, quantity: Any, *, user: UserRow) -> None:
    """The month's units of work of a 工作量法 asset (needed before that month's run)."""
    a = load_asset(session, asset_id)
    require_role(session, user, *MAKE_VOUCHER, book_id=a.book_id)  # it sets the month's depreciation
    period = check_period(period)
    qty = v.decimal(quantity, "本月工作量")
    if a.method != "工作量法":
        raise ValidationError(f"资产 {a.code} 按{a.method}计提折旧，无需登记工作量", field="本月工作量")
    from desktop_app.core.services.periods import ensure_period_open

    ensure_period_open(session, a.book_id, period)
    charged = session.scalar(select(AssetDepreciation.id).where(
        AssetDepreciation.asset_id == asset_id, AssetDepreciation.period == period, AssetDepreciation.deleted.is_(False)))
    if charged is not None:
        raise ConflictError(f"资产 {a.code} {period_label(period)}的折旧已计提，请先冲销该月折旧凭证再修改工作量",
                            field="本月工作量")
    w = session.execute(select(AssetWorkload).where(AssetWorkload.asset_id == asset_id,
                                                    AssetWorkload.period == period)).scalar()
    before = None if w is None else {"quantity": w.quantity}
    if w is None:
        session.add(AssetWorkload(asset_id=asset_id, period=period, quantity=qty))
    else:
        w.quantity, w.deleted = qty, False  # type: ignore[assignment]
    session.flush()
    record_audit(session, AuditRecord("update", "asset_workload", str(asset_id),
                                      f"资产 {a.code} {period_label(period)}工作量 {qty}", before, {"quantity": qty}))


def asset_schedule(session: Session, asset_id: uuid.UUID, *, until: str) -> list[ScheduleRow]:
    """The card's schedule through ``until``, with which months were posted."""
    a = load_asset(session, asset_id)
    until = check_horizon(until, years=SCHEDULE_YEARS)
    lines = schedule(terms_of(a), adjustments_of(session, [a.id])[a.id], until=until,
                     workloads=workloads_of(session, [a.id])[a.id])
    posted = set(session.scalars(select(AssetDepreciation.period).where(
        AssetDepreciation.asset_id == asset_id, AssetDepreciation.deleted.is_(False))))
    return [ScheduleRow(ln.period, ln.amount, ln.accumulated, ln.cost, ln.net_value, ln.period in posted)
            for ln in lines]


def _live_run(session: Session, book_id: uuid.UUID, period: str) -> tuple[uuid.UUID | None, str | None, set[uuid.UUID]]:
    from desktop_app.core.services.vouchers import find_vouchers_by_source

    found = find_vouchers_by_source(session, book_id, SOURCE_KIND, run_source_id(book_id, period))
    reversed_ids = {x.reversal_of_id for x in found if x.reversal_of_id is not None and x.status == "记账"}
    live = [x for x in found if x.reversal_of_id is None and x.id not in reversed_ids]
    return (live[0].id, live[0].code, reversed_ids) if live else (None, None, reversed_ids)


def live_run_voucher(session: Session, book_id: uuid.UUID, period: str) -> uuid.UUID | None:
    """The month's depreciation voucher still standing (None: not run yet, or reversed)."""
    return _live_run(session, book_id, period)[0]


def compute_charges(session: Session, book_id: uuid.UUID, period: str) -> list[DepreciationCharge]:
    """What the run for ``period`` would charge (refuses when an earlier month was never run)."""
    return compute_charges_books(session, [book_id], period)[book_id]


# what a run reads of a card (columns, not ORM objects: a township's cards every month)
_CARD_COLUMNS = (Asset.id, Asset.code, Asset.name, Asset.status, Asset.use_kind, Asset.disposed_on,
                 Asset.original_value, Asset.residual_rate, Asset.useful_life_months, Asset.acquired_on, Asset.method,
                 Asset.total_workload, Asset.opening_accumulated, Asset.opening_workload, Asset.first_period)


def compute_charges_books(session: Session, book_ids: Sequence[uuid.UUID],
                          period: str) -> dict[uuid.UUID, list[DepreciationCharge]]:
    """:func:`compute_charges` of many books (their cards, adjustments, workloads and charged
    months read once for all, each by the books' cards: no list of every card's id is sent)."""
    books = {b: get_book_row(session, b) for b in book_ids}
    out: dict[uuid.UUID, list[DepreciationCharge]] = {b: [] for b in books}
    if not books:
        return out
    in_books = Asset.book_id.in_(list(books))
    conn = session.connection()  # Core rows: a township's cards every month, no ORM machinery
    # the card's id and book also as the driver gives them (``raw``, ``raw_book``): keys to match the
    # charged months' rows and the books by, without making a UUID of each twice
    everything = conn.execute(select(*_CARD_COLUMNS, type_coerce(Asset.id, String).label("raw"),
                                     type_coerce(Asset.book_id, String).label("raw_book"))
                              .where(in_books, Asset.deleted.is_(False), Asset.first_period <= period)
                              .order_by(Asset.code)).all()
    assets = [a for a in everything
              if a.status != "报废" and (a.disposed_on is None or month_of(a.disposed_on) >= period)]
    if not assets:
        return out
    adjs, works = _adjustments_in(conn, in_books), _workloads_in(conn, in_books)
    # each card's charged months from its book's start through the month: how many before the
    # month, the first and last of them, and whether the month itself is charged (one row a card)
    before = AssetDepreciation.period < period
    charged = {r[0]: r[1:] for r in conn.execute(
        select(type_coerce(AssetDepreciation.asset_id, String), func.sum(case((before, 1), else_=0)),
               func.min(case((before, AssetDepreciation.period))), func.max(case((before, AssetDepreciation.period))),
               func.max(case((before, 0), else_=1)))
        .join(Book, Book.id == AssetDepreciation.book_id)  # a line's book is its card's (cards never move)
        .where(AssetDepreciation.book_id.in_(list(books)), AssetDepreciation.deleted.is_(False),
               AssetDepreciation.period >= Book.start_period, AssetDepreciation.period <= period)
        .group_by(AssetDepreciation.asset_id))}  # by ix_asset_depreciation_book_period
    book_of = {raw: b for b in books for raw in (b, b.hex, str(b))}  # as SQLite's CHAR(32) or a driver's UUID
    codes = {b: {use: role_code(session, b, role) for use, role in EXPENSE_ROLE.items()}
             for b in {book_of[a.raw_book] for a in assets}}
    # the common card (straight line, no value change) in closed form; the others, and a card whose
    # charged months do not cover its span exactly, by the whole schedule against each month charged
    fast: dict[uuid.UUID, Decimal | None] = {}
    for a in assets:
        if a.method == UNITS or a.id in adjs:
            continue
        amount, span = straight_month(
            cost=a.original_value, residual_rate=a.residual_rate, life_months=a.useful_life_months,
            acquired_on=a.acquired_on, opening_accumulated=a.opening_accumulated, first_period=a.first_period,
            disposed_on=a.disposed_on, period=period, start=books[book_of[a.raw_book]].start_period)
        done = charged.get(a.raw)
        if span is None or (done is not None and done[:3] == (span[2], span[0], span[1])):
            fast[a.id] = None if done is not None and done[3] else amount
    slow = [a.id for a in assets if a.id not in fast]
    posted = _posted_months(conn, slow, period) if slow else {}
    no_workloads: dict[str, Decimal] = {}
    for a in assets:
        aid, book = a.id, book_of[a.raw_book]
        if aid in fast:
            amount = fast[aid]
        else:
            lines = schedule(terms_of(a), adjs.get(aid, []), until=period, workloads=works.get(aid, no_workloads))
            done_months = posted.get(aid, set())
            start = books[book].start_period
            missing = [ln.period for ln in lines if start <= ln.period < period and ln.period not in done_months]
            if missing:
                raise ConflictError(f"资产 {a.code} {a.name} 的{period_label(missing[0])}折旧尚未计提，请按月依次计提",
                                    field="期间")
            amount = lines[-1].amount if lines and lines[-1].period == period and period not in done_months else None
        if amount is not None:
            out[book].append(DepreciationCharge(aid, a.code, a.name, codes[book][a.use_kind], amount))
    return out


def _posted_months(conn: Any, asset_ids: list[uuid.UUID], period: str) -> dict[uuid.UUID, set[str]]:
    """The months charged (through ``period``) of these cards, in rounds of ids."""
    out: dict[uuid.UUID, set[str]] = defaultdict(set)
    for i in range(0, len(asset_ids), _ROUND):
        for aid, p in conn.execute(select(AssetDepreciation.asset_id, AssetDepreciation.period)
                                   .where(AssetDepreciation.asset_id.in_(asset_ids[i:i + _ROUND]),
                                          AssetDepreciation.deleted.is_(False), AssetDepreciation.period <= period)):
            out[aid].add(p)
    return out


_ROUND = 500  # ids a query is given at once


def _adjustments_in(conn: Any, in_books: Any) -> dict[uuid.UUID, list[Adjustment]]:
    """:func:`adjustments_of` of every card of the books (by the cards' book, not a list of ids)."""
    out: dict[uuid.UUID, list[Adjustment]] = defaultdict(list)
    for aid, on, dc, da, life, rate in conn.execute(
            select(AssetAdjustment.asset_id, AssetAdjustment.effective_on, AssetAdjustment.delta_cost,
                   AssetAdjustment.delta_accumulated, AssetAdjustment.new_life_months,
                   AssetAdjustment.new_residual_rate)
            .join(Asset, Asset.id == AssetAdjustment.asset_id)
            .where(in_books, AssetAdjustment.deleted.is_(False))):
        out[aid].append(Adjustment(month_of(on), dc, da, life, rate))
    return out


def _workloads_in(conn: Any, in_books: Any) -> dict[uuid.UUID, dict[str, Decimal]]:
    """:func:`workloads_of` of every card of the books."""
    out: dict[uuid.UUID, dict[str, Decimal]] = defaultdict(dict)
    for aid, p, qty in conn.execute(select(AssetWorkload.asset_id, AssetWorkload.period, AssetWorkload.quantity)
                                    .join(Asset, Asset.id == AssetWorkload.asset_id)
                                    .where(in_books, AssetWorkload.deleted.is_(False))):
        out[aid][p] = qty
    return out


def run_depreciation(session: Session, *, book_id: uuid.UUID, period: str, user: UserRow,
                     progress: Progress | None = None) -> DepreciationRunResult:
    """计提 one month's depreciation of a book: one voucher, idempotent, refused in a closed month."""
    from desktop_app.core.services.periods import ensure_period_open
    from desktop_app.core.services.vouchers import record_auto_voucher

    period = check_horizon(period)
    refuse_future_run(period)
    ensure_period_open(session, book_id, period)
    done_id, done_code, reversed_ids = _live_run(session, book_id, period)
    if done_id is not None:
        rows = session.execute(select(AssetDepreciation.asset_id, Asset.code, Asset.name, AssetDepreciation.account_code,
                                      AssetDepreciation.amount).join(Asset, Asset.id == AssetDepreciation.asset_id)
                               .where(AssetDepreciation.voucher_id == done_id, AssetDepreciation.deleted.is_(False))
                               .order_by(Asset.code)).all()
        done = tuple(DepreciationCharge(*r) for r in rows)
        return DepreciationRunResult(book_id, period, True, done_id, done_code, sum((c.amount for c in done), ZERO),
                                     done)
    if reversed_ids:  # the month's earlier run was reversed (红字冲销): its lines no longer count
        for line in session.scalars(select(AssetDepreciation).where(AssetDepreciation.voucher_id.in_(reversed_ids))):
            line.deleted = True
        session.flush()
    if progress is not None:
        progress.report(0, 2, "正在计算折旧")
    charges = compute_charges(session, book_id, period)
    total = sum((c.amount for c in charges), ZERO)
    if not charges:
        return DepreciationRunResult(book_id, period, False, None, None, ZERO, ())
    voucher = record_auto_voucher(session, book_id=book_id, voucher_date=period_end(period),
                                  summary=f"计提{period_label(period)}固定资产折旧",
                                  lines=_run_lines(session, book_id, period, charges), user=user,
                                  source_kind=SOURCE_KIND, source_id=run_source_id(book_id, period))
    _write_lines(session, book_id, period, charges, voucher.id)
    _audit_run(session, book_id, period, charges, voucher.id, voucher.code)
    if progress is not None:
        progress.report(2, 2, "折旧已计提")
    return DepreciationRunResult(book_id, period, False, voucher.id, voucher.code, total, tuple(charges))


def _run_lines(session: Session, book_id: uuid.UUID, period: str, charges: list[DepreciationCharge]) -> list[LineInput]:
    """The run's voucher: 借 each expense account its total, 贷 累计折旧 per asset."""
    by_account: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for c in charges:
        by_account[c.account_code] += c.amount
    acc_dep = role_code(session, book_id, "accumulated_depreciation")
    label = period_label(period)
    lines = [LineInput(code, debit=amount, summary=f"计提{label}折旧") for code, amount in sorted(by_account.items())]
    lines += [LineInput(acc_dep, credit=c.amount, summary=f"{c.code} {c.name}"[:200], asset_id=c.asset_id)
              for c in charges]
    return lines


def _audit_run(session: Session, book_id: uuid.UUID, period: str, charges: list[DepreciationCharge],
               voucher_id: uuid.UUID, code: str) -> None:
    record_audit(session, _run_audit(book_id, period, charges, voucher_id, code))


def _run_audit(book_id: uuid.UUID, period: str, charges: list[DepreciationCharge], voucher_id: uuid.UUID,
               code: str) -> AuditRecord:
    total = sum((c.amount for c in charges), ZERO)
    return AuditRecord("create", "depreciation_run", str(run_source_id(book_id, period)),
                       f"计提{period_label(period)}折旧：{len(charges)} 项资产，合计 {total}（{code}）", None,
                       {"voucher": str(voucher_id), "total": str(total), "assets": len(charges)})


def run_depreciation_books(session: Session, *, book_ids: Sequence[uuid.UUID], period: str, user: UserRow,
                           batch: PostingBatch | None = None) -> dict[uuid.UUID, tuple[DepreciationCharge, ...]]:
    """计提 one month's depreciation of many books at once (a township's month end): each book's
    charges computed and checked as :func:`run_depreciation` does (refused in a closed month or
    when an earlier month was never run), its voucher posted through ``batch`` (the bulk voucher
    path; with no ``batch`` one is posted here; posted, or left in 填制 for 审核, as the book's
    自动凭证 setting says, like :func:`run_depreciation`) and its lines and audit entry written after.
    A book whose month already has a run (standing or reversed) goes through
    :func:`run_depreciation` itself, which finds it or brings the reversed lines back."""
    from desktop_app.core.services.periods import ensure_period_open
    from desktop_app.core.services.posting_batch import Posted, PostingBatch
    from desktop_app.core.services.vouchers import MAKER_ROLES

    require_role(session, user, *MAKER_ROLES)
    period = check_period(period)
    refuse_future_run(period)
    sources = {run_source_id(b, period): b for b in book_ids}
    ran = set(session.scalars(select(Voucher.book_id).where(
        Voucher.source_kind == SOURCE_KIND, Voucher.source_id.in_(list(sources)), Voucher.status != "作废")))
    with read_cache(session):  # reads only: each book's chart and balances once
        todo = [b for b in book_ids if b not in ran]
        for b in todo:
            ensure_period_open(session, b, period)
        fresh = compute_charges_books(session, todo, period) if todo else {}
    out = {b: run_depreciation(session, book_id=b, period=period, user=user).charges for b in book_ids if b in ran}
    own = batch is None
    batch = batch if batch is not None else PostingBatch(user, summary=f"批量计提{period_label(period)}折旧")
    for b, charges in fresh.items():
        out[b] = tuple(charges)
        if charges:
            batch.add(b, [BulkVoucher(period_end(period), f"计提{period_label(period)}固定资产折旧",
                                      _run_lines(session, b, period, charges), source_kind=SOURCE_KIND,
                                      source_id=run_source_id(b, period), attachments=0)])

    def finish(posted: dict[uuid.UUID, Posted]) -> None:
        rows, audits = [], []
        for b, charges in fresh.items():
            if charges:
                v = posted[run_source_id(b, period)]
                rows += [{"id": uuid7(), "asset_id": c.asset_id, "book_id": b, "period": period, "amount": c.amount,
                          "account_code": c.account_code, "voucher_id": v.id} for c in charges]
                audits.append(_run_audit(b, period, charges, v.id, v.code))
        bulk_insert(session, AssetDepreciation, rows)
        record_audit(session, audits)  # one chained append, each book's run its own entry

    batch.then(finish)
    if own:
        batch.post(session)
    return out


def _write_lines(session: Session, book_id: uuid.UUID, period: str, charges: list[DepreciationCharge],
                 voucher_id: uuid.UUID) -> None:
    # a month's lines of the book are few or none before the run (a reversed run's tombstones):
    # found by (book, month), not by a list of every charged card's id
    charged = {c.asset_id for c in charges}
    old = {d.asset_id: d for d in session.scalars(select(AssetDepreciation).where(
        AssetDepreciation.book_id == book_id, AssetDepreciation.period == period)) if d.asset_id in charged}
    new = []
    for c in charges:
        if c.asset_id in old:  # a tombstoned line of a reversed run comes back to life
            d = old[c.asset_id]
            d.amount, d.account_code, d.voucher_id, d.deleted = c.amount, c.account_code, voucher_id, False
        else:
            new.append({"id": uuid7(), "asset_id": c.asset_id, "book_id": book_id, "period": period,
                        "amount": c.amount, "account_code": c.account_code, "voucher_id": voucher_id})
    session.flush()
    bulk_insert(session, AssetDepreciation, new)


def run_depreciation_through(session: Session, *, book_id: uuid.UUID, first: str, last: str, user: UserRow,
                             progress: Progress | None = None) -> list[DepreciationRunResult]:
    """Run month after month (catching up), stopping at the first refusal."""
    out, p, last = [], check_period(first), check_horizon(last)
    while p <= last:
        out.append(run_depreciation(session, book_id=book_id, period=p, user=user))
        p = next_period(p)
        if progress is not None:
            progress.report(len(out), 0, f"已计提 {period_label(out[-1].period)}")
    return out

