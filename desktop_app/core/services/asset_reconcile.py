"""Asset cards against the books (账实/账卡核对): 151 固定资产 and 152 累计折旧 at a month's end.

Totals compare the cards with the account balances (经营性 15101, 非经营性 15102, 151, 152); the
detail compares each card with the posted entries that carry its ``asset_id`` (acquisition,
depreciation, value changes, disposal), so a voucher typed by hand against a card, or a card
disposed of without a voucher, shows up by name. A card registered without an acquisition voucher
is taken to be in the books already (opening balances, an old voucher): its original value and
opening depreciation are checked by the totals only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Account, Asset, Entry, Voucher
from desktop_app.core import charts
from desktop_app.core.rows_assets import ReconcileAssetLine, ReconcileLine, ReconcileReport
from desktop_app.core.services.assets_books import card_totals
from desktop_app.core.services.funds_base import book_accounts, check_period, get_book_row, period_end

ZERO = Decimal("0.00")


def card_values_at(session: Session, book_id: uuid.UUID, period: str) -> list[tuple[uuid.UUID, str, str, str,
                                                                                       Decimal, Decimal]]:
    """(id, code, name, nature, cost, accumulated) of every card on the books at the end of ``period``."""
    end = period_end(period)
    rows = session.execute(select(Asset.id, Asset.code, Asset.name, Asset.nature, Asset.original_value,
                                  Asset.opening_accumulated, Asset.disposed_on)
                           .where(Asset.book_id == book_id, Asset.deleted.is_(False), Asset.acquired_on <= end)
                           .order_by(Asset.code)).all()
    totals = card_totals(session, book_id=book_id, until=period)
    out = []
    for aid, code, name, nature, cost, opening, disposed in rows:
        if disposed is not None and disposed <= end:
            continue
        dc, da = totals.get(aid, (ZERO, ZERO))
        out.append((aid, code, name, nature, cost + dc, opening + da))
    return out


def reconcile_assets(session: Session, book_id: uuid.UUID, period: str) -> ReconcileReport:
    from desktop_app.core.services.balances import balances_at_end

    period = check_period(period)
    version = get_book_row(session, book_id).chart_version
    accounts = book_accounts(session, book_id)
    balances = balances_at_end(session, book_id, period)

    def book_balance(code: str) -> Decimal:
        return sum((balances.get(a.id, ZERO) for a in accounts.values() if a.code.startswith(code)), ZERO)

    cards = card_values_at(session, book_id, period)
    op_code = charts.account_role(version, "fixed_assets_operating")
    non_code = charts.account_role(version, "fixed_assets_non_operating")
    fa_code = charts.account_roles(version, "fixed_assets")[0]
    ad_code = charts.account_role(version, "accumulated_depreciation")
    op = sum((c[4] for c in cards if c[3] == "经营性"), ZERO)
    non = sum((c[4] for c in cards if c[3] != "经营性"), ZERO)
    acc = sum((c[5] for c in cards), ZERO)
    lines = (
        ReconcileLine("经营性固定资产", op_code, op, book_balance(op_code)),
        ReconcileLine("非经营性固定资产", non_code, non, book_balance(non_code)),
        ReconcileLine("固定资产合计", fa_code, op + non, book_balance(fa_code)),
        ReconcileLine("累计折旧", ad_code, acc, -book_balance(ad_code)),
    )
    per: dict[uuid.UUID, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    q = (select(Entry.asset_id, Account.code, func.sum(Entry.debit), func.sum(Entry.credit))
         .join(Voucher, Voucher.id == Entry.voucher_id).join(Account, Account.id == Entry.account_id)
         .where(Entry.book_id == book_id, Entry.period <= period, Entry.asset_id.is_not(None),
                Entry.deleted.is_(False), Voucher.status == "记账", Voucher.deleted.is_(False))
         .group_by(Entry.asset_id, Account.code))
    for aid, code, debit, credit in session.execute(q):
        if aid is None:
            continue
        if code.startswith(fa_code):
            per[aid][0] += (debit or ZERO) - (credit or ZERO)
        elif code.startswith(ad_code):
            per[aid][1] += (credit or ZERO) - (debit or ZERO)
    live = {c[0] for c in cards}
    values = {c[0]: (c[4], c[5]) for c in cards}
    end = period_end(period)
    detail = []
    for aid, code, name, original, opening, voucher_id, acquired in session.execute(
            select(Asset.id, Asset.code, Asset.name, Asset.original_value, Asset.opening_accumulated,
                   Asset.acquisition_voucher_id, Asset.acquired_on)
            .where(Asset.book_id == book_id, Asset.deleted.is_(False)).order_by(Asset.code)):
        bc, ba = per.get(aid, [ZERO, ZERO])
        if acquired > end and not (bc or ba):
            continue
        cost, accumulated = values.get(aid, (ZERO, ZERO)) if aid in live else (ZERO, ZERO)
        # a card registered without a voucher is taken to be in the books already (opening balances
        # or an earlier voucher): only the totals can check that part
        base_cost, base_acc = (original, opening) if voucher_id is None and acquired <= end else (ZERO, ZERO)
        if (bc, ba) != (cost - base_cost, accumulated - base_acc):
            detail.append(ReconcileAssetLine(code, name, cost, bc + base_cost, accumulated, ba + base_acc))
    return ReconcileReport(book_id, period, lines, tuple(detail))
