"""Where asset postings go in a book: account codes by chart role (2004 and 2023 codes collide)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Asset, AssetAdjustment, AssetDepreciation
from desktop_app.core import charts
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.funds_base import book_accounts, get_book_row

ZERO = Decimal("0.00")
EXPENSE_ROLE = {
    "生产": "depreciation_expense_production",
    "管理": "depreciation_expense_management",
    "出租": "depreciation_expense_leased_out",
    "公益": "depreciation_expense_public_welfare",
}


def fixed_asset_role(nature: str) -> str:
    return "fixed_assets_operating" if nature == "经营性" else "fixed_assets_non_operating"


def role_code(session: Session, book_id: uuid.UUID, role: str) -> str:
    """The leaf account a role posts to in this book (RoleAbsentError where the chart lacks it)."""
    version = get_book_row(session, book_id).chart_version
    return charts.account_role(version, role)


def has_role(session: Session, book_id: uuid.UUID, role: str) -> bool:
    version = get_book_row(session, book_id).chart_version
    return bool(charts.account_roles(version, role))


def check_leaf(session: Session, book_id: uuid.UUID, code: str, field: str) -> str:
    code = (code or "").strip()
    acc = book_accounts(session, book_id).get(code)
    if acc is None:
        raise ValidationError(f"科目 {code or '（空）'} 在本账套中不存在", field=field)
    if not acc.is_leaf:
        raise ValidationError(f"科目 {code} {acc.name} 有明细科目，请选择末级科目", field=field)
    return code


def card_totals(session: Session, asset_ids: list[uuid.UUID] | None = None, *,
                book_id: uuid.UUID | None = None, until: str | None = None
                ) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
    """(Σ value changes of cost, Σ accumulated: posted charges + changes) per asset, up to ``until``."""
    adj = select(AssetAdjustment.asset_id, func.sum(AssetAdjustment.delta_cost),
                 func.sum(AssetAdjustment.delta_accumulated)).where(AssetAdjustment.deleted.is_(False))
    dep = select(AssetDepreciation.asset_id, func.sum(AssetDepreciation.amount)).where(
        AssetDepreciation.deleted.is_(False))
    if asset_ids is not None:
        adj = adj.where(AssetAdjustment.asset_id.in_(asset_ids))
        dep = dep.where(AssetDepreciation.asset_id.in_(asset_ids))
    if book_id is not None:
        adj = adj.join(Asset, Asset.id == AssetAdjustment.asset_id).where(Asset.book_id == book_id)
        dep = dep.where(AssetDepreciation.book_id == book_id)
    if until is not None:
        from desktop_app.core.services.funds_base import period_end

        adj = adj.where(AssetAdjustment.effective_on <= period_end(until))
        dep = dep.where(AssetDepreciation.period <= until)
    out: dict[uuid.UUID, tuple[Decimal, Decimal]] = {}
    for aid, dc, da in session.execute(adj.group_by(AssetAdjustment.asset_id)):
        out[aid] = (dc or ZERO, da or ZERO)
    for aid, amount in session.execute(dep.group_by(AssetDepreciation.asset_id)):
        dc, da = out.get(aid, (ZERO, ZERO))
        out[aid] = (dc, da + (amount or ZERO))
    return out
