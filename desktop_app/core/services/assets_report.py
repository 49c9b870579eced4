"""Read-only figures of the assets area for reports: the 资产变动表 and the disclosure section."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db.models import Asset, AssetAdjustment, AssetDepreciation, AssetDisposal, Voucher
from desktop_app.core.rows_assets import AssetMovementRow, AssetsDisclosure, ChangeRow, DisclosureRow
from desktop_app.core.services.assets import CATEGORIES
from desktop_app.core.services.funds_base import (
    check_period,
    period_end,
    period_of,
    period_start,
    range_label,
    reads,
)
from desktop_app.core.services.projects import list_projects, project_income
from desktop_app.core.services.resources import area_by_class, contracts_in_force, list_parcels

ZERO = Decimal("0.00")


# Built once: building a statement costs SQLAlchemy more than running it (every disclosure sheet
# runs these).
_CARDS = (select(Asset.id, Asset.code, Asset.name, Asset.category, Asset.nature, Asset.acquired_on,
                 Asset.original_value, Asset.opening_accumulated)
          .where(Asset.book_id == bindparam("book_id"), Asset.deleted.is_(False), Asset.acquired_on <= bindparam("end"))
          .order_by(Asset.code))
_ADJUSTMENTS = (select(AssetAdjustment.asset_id, AssetAdjustment.effective_on, AssetAdjustment.delta_cost,
                       AssetAdjustment.delta_accumulated)
                .where(AssetAdjustment.asset_id.in_(bindparam("ids", expanding=True)),
                       AssetAdjustment.deleted.is_(False)))
_DEPRECIATION = (select(AssetDepreciation.asset_id, AssetDepreciation.period, AssetDepreciation.amount)
                 .where(AssetDepreciation.asset_id.in_(bindparam("ids", expanding=True)),
                        AssetDepreciation.deleted.is_(False)))
_DISPOSALS = (select(AssetDisposal.asset_id, AssetDisposal.disposed_on, AssetDisposal.kind)
              .where(AssetDisposal.asset_id.in_(bindparam("ids", expanding=True)), AssetDisposal.deleted.is_(False)))
_STATUSES = select(Asset.code, Asset.status).where(Asset.book_id == bindparam("book_id"))
_CARD_IDS = select(Asset.id, Asset.code).where(Asset.book_id == bindparam("book_id"))


def asset_change_table(session: Session, book_id: uuid.UUID, first: str, last: str) -> list[ChangeRow]:
    """资产变动表: each card's cost and depreciation movement over months ``first`` … ``last``."""
    first, last = check_period(first), check_period(last)
    start, end = period_start(first), period_end(last)
    conn = reads(session)
    cards = conn.execute(_CARDS, {"book_id": book_id, "end": end}).all()
    ids = {"ids": [c.id for c in cards]}
    adj: dict[uuid.UUID, list[tuple[date, Decimal, Decimal]]] = defaultdict(list)
    for aid, on, dc, da in conn.execute(_ADJUSTMENTS, ids):
        adj[aid].append((on, dc, da))
    dep: dict[uuid.UUID, list[tuple[str, Decimal]]] = defaultdict(list)
    for aid, p, amount in conn.execute(_DEPRECIATION, ids):
        dep[aid].append((p, amount))
    disposals = {r[0]: r[1:] for r in conn.execute(_DISPOSALS, ids)}
    out = []
    before_start = date.fromordinal(start.toordinal() - 1)
    for c in cards:
        disposed = disposals.get(c.id)

        def at(day: date, c: Any = c, disposed: Any = disposed) -> tuple[Decimal, Decimal]:
            if c.acquired_on > day or (disposed is not None and disposed[0] <= day):
                return ZERO, ZERO
            cost = c.original_value + sum((dc for on, dc, _ in adj[c.id] if on <= day), ZERO)
            acc = c.opening_accumulated + sum((da for on, _, da in adj[c.id] if on <= day), ZERO)
            return cost, acc + sum((x for p, x in dep[c.id] if p <= period_of(day)), ZERO)

        o_cost, o_acc = at(before_start)
        e_cost, e_acc = at(end)
        new = start <= c.acquired_on
        in_range = [(dc, da) for on, dc, da in adj[c.id] if start <= on <= end]
        inc = (c.original_value if new else ZERO) + sum((dc for dc, _ in in_range if dc > 0), ZERO)
        charged = sum((x for p, x in dep[c.id] if first <= p <= last), ZERO)
        acc_inc = charged + (c.opening_accumulated if new else ZERO) + sum((da for _, da in in_range if da > 0), ZERO)
        if not (o_cost or e_cost or inc):
            continue
        gone = disposed is not None and start <= disposed[0] <= end
        note = f"{disposed[1]}（{disposed[0].isoformat()}）" if gone and disposed else ("本期新增" if new else "")
        out.append(ChangeRow(c.code, c.name, c.category, c.nature, o_cost, inc, o_cost + inc - e_cost, e_cost, o_acc,
                             acc_inc, o_acc + acc_inc - e_acc, e_acc, e_cost - e_acc, note))
    return out


_NEW_CARDS = (select(Asset.acquired_on, Asset.code, Asset.name, Asset.acquisition_mode, Asset.original_value,
                     Asset.acquisition_voucher_id)
              .where(Asset.book_id == bindparam("book_id"), Asset.deleted.is_(False),
                     Asset.acquired_on >= bindparam("start"), Asset.acquired_on <= bindparam("end")))
_CHANGES_IN = (select(AssetAdjustment.effective_on, Asset.code, Asset.name, AssetAdjustment.kind,
                      AssetAdjustment.delta_cost, AssetAdjustment.voucher_id)
               .join(Asset, Asset.id == AssetAdjustment.asset_id)
               .where(Asset.book_id == bindparam("book_id"), AssetAdjustment.deleted.is_(False),
                      AssetAdjustment.delta_cost != 0, AssetAdjustment.effective_on >= bindparam("start"),
                      AssetAdjustment.effective_on <= bindparam("end")))
_DISPOSALS_IN = (select(AssetDisposal.disposed_on, Asset.code, Asset.name, AssetDisposal.kind, AssetDisposal.cost,
                        AssetDisposal.proceeds, AssetDisposal.voucher_id)
                 .join(Asset, Asset.id == AssetDisposal.asset_id)
                 .where(Asset.book_id == bindparam("book_id"), AssetDisposal.deleted.is_(False),
                        AssetDisposal.disposed_on >= bindparam("start"), AssetDisposal.disposed_on <= bindparam("end")))
_VOUCHERS = (select(Voucher.id, Voucher.period, Voucher.number, Voucher.status, Voucher.deleted)
             .where(Voucher.id.in_(bindparam("ids", expanding=True))))


def _voucher_labels(session: Session, ids: list[uuid.UUID], month: str | None) -> dict[uuid.UUID, str]:
    """记-0005 for a voucher of ``month`` (a one-month sheet), else 2026年3月记-0005."""
    out = {}
    for vid, period, number, status, deleted in reads(session).execute(_VOUCHERS, {"ids": ids}):
        label = f"记-{number:04d}" if period == month else f"{period[:4]}年{int(period[5:])}月记-{number:04d}"
        out[vid] = label if status == "记账" and not deleted else f"{label}（{'已作废' if deleted else '未记账'}）"
    return out


def asset_movements(session: Session, book_id: uuid.UUID, first: str, last: str) -> list[AssetMovementRow]:
    """The cards' acquisitions, value changes (原值) and disposals in months ``first`` … ``last``,
    each with the voucher that booked it, by date; their sums are the 资产变动表's 本期增加/减少."""
    params = {"book_id": book_id, "start": period_start(check_period(first)), "end": period_end(check_period(last))}
    conn = reads(session)
    raw: list[tuple[date, str, str, str, Decimal, Decimal, Decimal, uuid.UUID | None]] = []
    for day, code, name, mode, cost, vid in conn.execute(_NEW_CARDS, params):
        raw.append((day, code, name, mode, cost, ZERO, ZERO, vid))
    for day, code, name, kind, dc, vid in conn.execute(_CHANGES_IN, params):
        raw.append((day, code, name, kind, max(dc, ZERO), max(-dc, ZERO), ZERO, vid))
    for day, code, name, kind, cost, proceeds, vid in conn.execute(_DISPOSALS_IN, params):
        raw.append((day, code, name, kind, ZERO, cost, proceeds, vid))
    labels = _voucher_labels(session, [r[7] for r in raw if r[7] is not None], first if first == last else None)
    raw.sort(key=lambda r: (r[0], r[1]))
    return [AssetMovementRow(day, code, name, kind, inc, dec, got, labels.get(vid, "未记账") if vid else "未记账")
            for day, code, name, kind, inc, dec, got, vid in raw]


def disclosure_assets_section(session: Session, org_id: uuid.UUID, book_id: uuid.UUID, period_from: date,
                              period_to: date) -> AssetsDisclosure:
    """The disclosure's assets part for one book: its cards by class (count, 原值, 净值, statuses) as
    at the end of the period, its land by GB/T 21010 class in 亩 with the use on the period's last
    day (已发包/已出租 under a contract in force then), its projects with investment and the
    period's return in this book. A register row naming no book is the main book's."""
    first, last = period_of(period_from), period_of(period_to)
    rows: list[DisclosureRow] = []
    table = [r for r in asset_change_table(session, book_id, first, last) if r.closing_cost]
    statuses = {c: st for c, st in reads(session).execute(_STATUSES, {"book_id": book_id})}
    leased = {a for _, a, _, kind in contracts_in_force(session, org_id, period_to).values() if a is not None}
    codes = {c: aid for aid, c in reads(session).execute(_CARD_IDS, {"book_id": book_id})}
    for cat in CATEGORIES:
        group = [r for r in table if r.category == cat]
        if group:
            counts = Counter("出租" if codes.get(r.code) in leased else statuses.get(r.code, "") for r in group)
            rows.append(DisclosureRow("资产", cat, len(group), sum((r.closing_cost for r in group), ZERO),
                                      sum((r.closing_net for r in group), ZERO),
                                      "、".join(f"{k}{n}项" for k, n in sorted(counts.items()))))
    parcels = list_parcels(session, org_id, book_id=book_id, on=period_to)
    for land, n, mu in area_by_class(parcels):
        counts = Counter(p.shown_status for p in parcels if p.land_class == land)
        rows.append(DisclosureRow("资源", land, n, mu, None, "、".join(f"{k}{c}块" for k, c in sorted(counts.items()))))
    income = project_income(session, [book_id], first, last)
    for p in list_projects(session, org_id):
        if p.book_id != book_id and p.id not in income:
            continue  # another book's project with no income in this book
        got = income.get(p.id, ZERO)
        rate = f"，收益率 {(got * 100 / p.investment).quantize(Decimal('0.01'))}%" if p.investment else ""
        rows.append(DisclosureRow("项目", p.name, p.asset_count, p.investment, got, f"{p.kind}，{p.status}{rate}"))
    return AssetsDisclosure("资产、资源和项目情况", range_label(first, last), tuple(rows))
