"""Fixed-asset cards (资产台账) and everything that happens to them.

* ``asset``: the card. ``original_value`` is the cost at acquisition; later value changes are
  ``asset_adjustment`` rows, so the card's cost at any date is original + Σ adjustments up to it.
  ``opening_accumulated`` is the depreciation charged before the program took the card over
  (清产核资 or an old ledger); everything charged since is in ``asset_depreciation``.
* ``asset_depreciation``: one line per asset and month, written by the monthly run (or by a
  disposal for its own month) with the voucher that posted it.
* ``asset_workload``: the month's units of work for 工作量法 assets.
* ``asset_disposal``: the end of a card (出售 / 报废 / 毁损 / 盘亏 …) with its voucher.
* ``asset_history``: readable change history of a card (field → before/after).
* ``asset_attachment``: photos and scans. Files live in a managed, content-addressed folder
  (``<data dir>/attachments/ab/abcdef….ext``) named by their SHA-256; the row keeps the hash, so
  a file changed on disk is detected and sync packages can carry attachments by hash.
* ``stocktake`` / ``stocktake_line``: the annual 清查 and its result per asset.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin
from db.types import Mu4


class Asset(SyncMixin, Base):
    __tablename__ = "asset"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code"),
        Index("ix_asset_book_status", "book_id", "status"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))  # 房屋及建筑物 / 机器设备 / 运输设备 / 办公设备 / 其他 …
    nature: Mapped[str] = mapped_column(String(8))  # 经营性 / 非经营性 / 公益性
    use_kind: Mapped[str] = mapped_column(String(8))  # 生产 / 管理 / 出租 / 公益: where depreciation goes
    location: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Mu4(), default=Decimal(1))
    unit: Mapped[str] = mapped_column(String(10), default="项")
    area_m2: Mapped[Decimal | None] = mapped_column(Mu4())
    acquisition_mode: Mapped[str] = mapped_column(String(12))  # 购建 / 捐赠 / 投资投入 / 盘盈 / 财政项目形成
    funding_source: Mapped[str | None] = mapped_column(String(50))
    acquired_on: Mapped[date]
    original_value: Mapped[Decimal]
    useful_life_months: Mapped[int]
    residual_rate: Mapped[Decimal] = mapped_column(Mu4())  # percent, e.g. 5.0000
    method: Mapped[str] = mapped_column(String(8), default="年限平均法")  # 年限平均法 / 工作量法
    total_workload: Mapped[Decimal | None] = mapped_column(Mu4())
    workload_unit: Mapped[str | None] = mapped_column(String(10))
    opening_accumulated: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    opening_workload: Mapped[Decimal | None] = mapped_column(Mu4())
    first_period: Mapped[str] = mapped_column(String(7))  # first month the program may charge
    status: Mapped[str] = mapped_column(String(8), default="自用")  # 自用 / 出租 / 闲置 / 报废 / 已处置
    custodian: Mapped[str | None] = mapped_column(String(50))
    title_no: Mapped[str | None] = mapped_column(String(60))
    poverty_alleviation: Mapped[bool] = mapped_column(default=False)  # 扶贫资产
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"), index=True)
    contract_id: Mapped[uuid.UUID | None]
    acquisition_voucher_id: Mapped[uuid.UUID | None]
    disposed_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(String(500))


class AssetAdjustment(SyncMixin, Base):
    """A value change: 改良 (+cost), 部分处置 (−cost, −accumulated), 重估 (±cost), 盘盈入账 …

    The month of the change is charged on the old basis; the schedule is recomputed from the
    next month on (当月增加当月不提、当月减少当月照提, as for acquisitions and disposals)."""

    __tablename__ = "asset_adjustment"

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    effective_on: Mapped[date]
    delta_cost: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    delta_accumulated: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    new_life_months: Mapped[int | None]
    new_residual_rate: Mapped[Decimal | None] = mapped_column(Mu4())
    voucher_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = mapped_column(String(300))


class AssetDepreciation(SyncMixin, Base):
    __tablename__ = "asset_depreciation"
    __table_args__ = (
        UniqueConstraint("asset_id", "period"),
        Index("ix_asset_depreciation_book_period", "book_id", "period"),
    )

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset.id"))
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal]
    account_code: Mapped[str] = mapped_column(String(20))  # the expense account charged
    voucher_id: Mapped[uuid.UUID | None]


class AssetWorkload(SyncMixin, Base):
    __tablename__ = "asset_workload"
    __table_args__ = (UniqueConstraint("asset_id", "period"),)

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset.id"))
    period: Mapped[str] = mapped_column(String(7))
    quantity: Mapped[Decimal] = mapped_column(Mu4())


class AssetDisposal(SyncMixin, Base):
    __tablename__ = "asset_disposal"

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # 出售 / 报废 / 毁损 / 捐出 / 盘亏
    disposed_on: Mapped[date]
    cost: Mapped[Decimal]
    accumulated: Mapped[Decimal]
    proceeds: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    expenses: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    gain_loss: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))  # + gain / − loss
    voucher_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = mapped_column(String(300))


class AssetHistory(SyncMixin, Base):
    __tablename__ = "asset_history"

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(String(300))
    changes_json: Mapped[str | None] = mapped_column(String(4000))


class AssetAttachment(SyncMixin, Base):
    __tablename__ = "asset_attachment"

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(60))
    stored_name: Mapped[str] = mapped_column(String(120))  # relative to the attachments folder
    note: Mapped[str | None] = mapped_column(String(200))


class StockTake(SyncMixin, Base):
    __tablename__ = "stocktake"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    name: Mapped[str] = mapped_column(String(100))
    started_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(8), default="进行中")  # 进行中 / 已审批
    approved_on: Mapped[date | None]
    approved_by: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(String(500))


class StockTakeLine(SyncMixin, Base):
    __tablename__ = "stocktake_line"
    __table_args__ = (Index("ix_stocktake_line_take", "stocktake_id", "asset_id"),)

    stocktake_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stocktake.id"))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset.id"))
    result: Mapped[str] = mapped_column(String(4))  # 相符 / 盘亏 / 盘盈
    name: Mapped[str | None] = mapped_column(String(100))  # surplus: what was found
    value: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))  # surplus: assessed value
    nature: Mapped[str | None] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(String(300))
