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
from itertools import repeat
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, select, type_coerce
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert, paused_gc
from db.models import Asset, AssetAdjustment, AssetDepreciation, AssetWorkload, Book, Voucher
from db.types import to_scaled_int, uuid7_hex_many
from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.money import from_fen
from desktop_app.core.periods import month_index, period_at
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_assets import DepreciationCharge, DepreciationRunResult, ScheduleRow
from desktop_app.core.rules.depreciation import UNITS, Adjustment, Terms, month_of, schedule
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.assets import load_asset
from desktop_app.core.services.assets_books import EXPENSE_ROLE, role_code
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.depreciation_charged import charged_column, charged_exceptions, stored_hex
from desktop_app.core.services.depreciation_month import straight_month_fen
from desktop_app.core.services.entry_tuples import FenLines
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
# … and as the run's hot loop reads it: stored forms as the driver gives them (ids as text, money
# in 分, the residual rate times 10⁴, dates as ISO text on SQLite), no conversion per cell
_RAW_CARD_COLUMNS = (type_coerce(Asset.id, String), Asset.code, Asset.name, Asset.status, Asset.use_kind,
                     type_coerce(Asset.disposed_on, String), type_coerce(Asset.original_value, Integer),
                     type_coerce(Asset.residual_rate, Integer), Asset.useful_life_months,
                     type_coerce(Asset.acquired_on, String), Asset.method,
                     type_coerce(Asset.opening_accumulated, Integer), Asset.first_period,
                     type_coerce(Asset.book_id, String))


class _Run:
    """A book's charges for the month: the rows the caller sees (``charges``) and, beside each, the
    card's id as stored (hex) and the amount in 分 — what the writes need, made once."""

    __slots__ = ("accounts", "charges", "fens", "hexes")

    def __init__(self) -> None:
        self.charges: list[DepreciationCharge] = []
        self.hexes: list[str] = []
        self.fens: list[int] = []
        self.accounts: list[str] = []


def _day_index(value: Any) -> int:
    """A date's month index (year · 12 + month − 1) from SQLite's ISO text or a driver's date."""
    return month_index(value if type(value) is str else value.isoformat())  # 2026-10-05: month_index reads [:7]


def compute_charges_books(session: Session, book_ids: Sequence[uuid.UUID],
                          period: str) -> dict[uuid.UUID, list[DepreciationCharge]]:
    """:func:`compute_charges` of many books (their cards, adjustments, workloads and charged
    months read once for all, each by the books' cards: no list of every card's id is sent)."""
    return {b: run.charges for b, run in _compute_runs(session, book_ids, period).items()}


def _compute_runs(session: Session, book_ids: Sequence[uuid.UUID], period: str) -> dict[uuid.UUID, _Run]:
    with paused_gc():  # a row, an id and a charge per card, none in a cycle: no collection passes over them
        return _compute_runs_of(session, book_ids, period)


def _compute_runs_of(session: Session, book_ids: Sequence[uuid.UUID], period: str) -> dict[uuid.UUID, _Run]:
    books = {b: get_book_row(session, b) for b in book_ids}
    out = {b: _Run() for b in books}
    if not books:
        return out
    in_books = Asset.book_id.in_(list(books))
    conn = session.connection()  # Core rows: a township's cards every month, no ORM machinery
    # with each card, its charged months from its book's start before the month ("n first last",
    # by the cards' unique (asset, period) index: depreciation_charged); tombstones and the month
    # itself apart (they are few)
    everything = conn.execute(select(*_RAW_CARD_COLUMNS, charged_column(period))
                              .join(Book, Book.id == Asset.book_id)
                              .where(in_books, Asset.deleted.is_(False), Asset.first_period <= period)
                              .order_by(Asset.code)).all()
    if not everything:
        return out
    adjs, works = _adjustments_in(conn, in_books), _workloads_in(conn, in_books)
    adjusted = {a.hex for a in adjs}
    exact, this_month = charged_exceptions(conn, list(books), period)
    book_of = {raw: b for b in books for raw in (b, b.hex, str(b))}  # as SQLite's CHAR(32) or a driver's UUID
    starts = {raw: month_index(books[b].start_period) for raw, b in book_of.items()}  # by the book as read
    now = month_index(period)
    # the common card (straight line, no value change) in closed form on its stored values; the
    # others, and a card whose charged months do not cover its span exactly, by the whole schedule
    # against each month charged (read again as typed rows: they are few)
    months: dict[Any, int] = {}  # month index of each distinct date / period text met
    wanted: dict[tuple[int, int, int], str] = {}  # a span's months as the charged column words them
    items: list[tuple[Any, str, str, str, str, int | None]] = []  # book as read, hex, code, name, use, 分 (None: slow)
    slow: list[str] = []
    for raw, code, name, status, use, disp, cost, rate, life, acq, method, opening, first, raw_book, done in everything:
        if status == "报废":
            continue
        disposed = None
        if disp is not None:
            disposed = months.get(disp)
            if disposed is None:
                disposed = months[disp] = _day_index(disp)
            if disposed < now:
                continue
        hid = raw if type(raw) is str and len(raw) == 32 else stored_hex(raw)
        if method == UNITS or hid in adjusted:
            slow.append(hid)
            items.append((raw_book, hid, code, name, use, None))
            continue
        acquired = months.get(acq)
        if acquired is None:
            acquired = months[acq] = _day_index(acq)
        first_ix = None
        if first:
            first_ix = months.get(first)
            if first_ix is None:
                first_ix = months[first] = month_index(first)
        fen, span = straight_month_fen(cost, rate, life, acquired, opening, first_ix, disposed, now,
                                       starts[raw_book])
        if span is not None:
            if exact and hid in exact:
                done = exact[hid]
            want = wanted.get(span)
            if want is None:
                want = wanted[span] = f"{span[2]} {period_at(span[0])} {period_at(span[1])}"
            if done != want:
                slow.append(hid)
                items.append((raw_book, hid, code, name, use, None))
                continue
        if fen is not None and not (this_month and hid in this_month):
            items.append((raw_book, hid, code, name, use, fen))
    slow_fen = _slow_charges(conn, slow, books, adjs, works, period) if slow else {}
    # each book's run and expense accounts, by the book as read (a text key: no UUID hash a card)
    runs = {raw: (out[b], {use: role_code(session, b, role) for use, role in EXPENSE_ROLE.items()})
            for raw, b in {(r, book_of[r]) for r in {it[0] for it in items}}}
    make, put, unknown, UUID = object.__new__, object.__setattr__, uuid.SafeUUID.unknown, uuid.UUID
    for raw_book, hid, code, name, use, fen in items:
        if fen is None:
            got = slow_fen[hid]
            if got is None:
                continue
            fen = got
        run, codes = runs[raw_book]
        account = codes[use]
        aid = make(UUID)  # uuid.UUID(hex=hid) as db.types.uuid7 makes one: the hex is the database's own
        put(aid, "int", int(hid, 16))
        put(aid, "is_safe", unknown)
        run.charges.append(DepreciationCharge(aid, code, name, account, from_fen(fen)))
        run.hexes.append(hid)
        run.fens.append(fen)
        run.accounts.append(account)
    return out


def _slow_charges(conn: Any, slow: list[str], books: dict[uuid.UUID, Any], adjs: dict[uuid.UUID, list[Adjustment]],
                  works: dict[uuid.UUID, dict[str, Decimal]], period: str) -> dict[str, int | None]:
    """The month's charge in 分 (None: none) of cards the schedule answers, refusing at the first
    (in code order) whose schedule charges a month from its book's start that was never posted."""
    ids = [uuid.UUID(hex=h) for h in slow]
    cards: dict[uuid.UUID, Any] = {}
    for i in range(0, len(ids), _ROUND):
        for a in conn.execute(select(*_CARD_COLUMNS, Asset.book_id).where(Asset.id.in_(ids[i:i + _ROUND]))):
            cards[a.id] = a
    posted = _posted_months(conn, ids, period)
    no_workloads: dict[str, Decimal] = {}
    out: dict[str, int | None] = {}
    for aid in ids:
        a = cards[aid]
        lines = schedule(terms_of(a), adjs.get(aid, []), until=period, workloads=works.get(aid, no_workloads))
        done_months = posted.get(aid, set())
        start = books[a.book_id].start_period
        missing = [ln.period for ln in lines if start <= ln.period < period and ln.period not in done_months]
        if missing:
            raise ConflictError(f"资产 {a.code} {a.name} 的{period_label(missing[0])}折旧尚未计提，请按月依次计提",
                                field="期间")
        amount = lines[-1].amount if lines and lines[-1].period == period and period not in done_months else None
        out[aid.hex] = None if amount is None else to_scaled_int(amount, 2)
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
    with read_cache(session):  # reads only: the book's row and roles once, not a query each
        run = _compute_runs(session, [book_id], period)[book_id]
        lines = list(_run_lines(session, book_id, period, run)) if run.charges else []  # LineInputs: one voucher
    charges = run.charges
    total = sum((c.amount for c in charges), ZERO)
    if not charges:
        return DepreciationRunResult(book_id, period, False, None, None, ZERO, ())
    voucher = record_auto_voucher(session, book_id=book_id, voucher_date=period_end(period),
                                  summary=f"计提{period_label(period)}固定资产折旧", lines=lines, user=user,
                                  source_kind=SOURCE_KIND, source_id=run_source_id(book_id, period))
    _write_lines(session, book_id, period, run, voucher.id)
    _audit_run(session, book_id, period, charges, voucher.id, voucher.code)
    if progress is not None:
        progress.report(2, 2, "折旧已计提")
    return DepreciationRunResult(book_id, period, False, voucher.id, voucher.code, total, tuple(charges))


def _run_lines(session: Session, book_id: uuid.UUID, period: str, run: _Run) -> FenLines:
    """The run's voucher: 借 each expense account its total, 贷 累计折旧 per asset (in 分, a column
    each: the bulk path stores them as they are; as a sequence, the ``LineInput`` lines)."""
    by_account: dict[str, int] = defaultdict(int)  # 分
    for account, fen in zip(run.accounts, run.fens, strict=True):
        by_account[account] += fen
    acc_dep = role_code(session, book_id, "accumulated_depreciation")
    label = f"计提{period_label(period)}折旧"
    debits = sorted(by_account.items())
    k, n = len(debits), len(run.fens)
    return FenLines([code for code, _ in debits] + [acc_dep] * n, [fen for _, fen in debits] + [0] * n,
                    [0] * k + run.fens, [label] * k + [f"{c.code} {c.name}"[:200] for c in run.charges],
                    [*repeat(None, k), *run.hexes])


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
        fresh = _compute_runs(session, todo, period) if todo else {}
        lines = {b: _run_lines(session, b, period, run) for b, run in fresh.items() if run.charges}
    out = {b: run_depreciation(session, book_id=b, period=period, user=user).charges for b in book_ids if b in ran}
    own = batch is None
    batch = batch if batch is not None else PostingBatch(user, summary=f"批量计提{period_label(period)}折旧")
    for b, run in fresh.items():
        out[b] = tuple(run.charges)
        if run.charges:
            batch.add(b, [BulkVoucher(period_end(period), f"计提{period_label(period)}固定资产折旧",
                                      lines[b], source_kind=SOURCE_KIND,
                                      source_id=run_source_id(b, period), attachments=0)])

    def finish(posted: dict[uuid.UUID, Posted]) -> None:
        parts, audits = [], []
        for b, run in fresh.items():
            if run.charges:
                v = posted[run_source_id(b, period)]
                parts.append((b, run, v.id))
                audits.append(_run_audit(b, period, run.charges, v.id, v.code))
        _insert_lines(session, period, parts)
        record_audit(session, audits)  # one chained append, each book's run its own entry

    batch.then(finish)
    if own:
        batch.post(session)
    return out


def _write_lines(session: Session, book_id: uuid.UUID, period: str, run: _Run, voucher_id: uuid.UUID) -> None:
    # a month's lines of the book are few or none before the run (a reversed run's tombstones):
    # found by (book, month), not by a list of every charged card's id
    old = {d.asset_id.hex: d for d in session.scalars(select(AssetDepreciation).where(
        AssetDepreciation.book_id == book_id, AssetDepreciation.period == period))}
    if old:
        fresh = _Run()
        for c, hid, fen, account in zip(run.charges, run.hexes, run.fens, run.accounts, strict=True):
            d = old.get(hid)
            if d is not None:  # a tombstoned line of a reversed run comes back to life
                d.amount, d.account_code, d.voucher_id, d.deleted = c.amount, c.account_code, voucher_id, False
            else:
                fresh.charges.append(c)
                fresh.hexes.append(hid)
                fresh.fens.append(fen)
                fresh.accounts.append(account)
        session.flush()
        run = fresh
    _insert_lines(session, period, [(book_id, run, voucher_id)])


_LINE_COLUMNS = ("id", "asset_id", "book_id", "voucher_id", "amount", "account_code")


def _insert_lines(session: Session, period: str, parts: Sequence[tuple[uuid.UUID, _Run, uuid.UUID]]) -> None:
    """The month's new lines (``asset_depreciation``) of each (book, run, voucher), in one
    ``bulk_insert`` of tuples in their stored forms (ids as hex, amounts in 分): no dict, UUID or
    Decimal per line; stored as the ORM stores them, change log and row hash included."""
    ids = uuid7_hex_many(sum(len(run.hexes) for _, run, _ in parts))
    rows: list[tuple[Any, ...]] = []
    k = 0
    for book_id, run, voucher_id in parts:
        m = len(run.hexes)
        rows += zip(ids[k:k + m], run.hexes, repeat(book_id.hex), repeat(voucher_id.hex), run.fens, run.accounts,
                    strict=False)
        k += m
    bulk_insert(session, AssetDepreciation, rows, columns=_LINE_COLUMNS, constants={"period": period},
                stored=("id", "asset_id", "book_id", "voucher_id", "amount"))


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

