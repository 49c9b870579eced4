"""Contracts (合同): counterparties, terms, billing schedule (应收期次), receipts and their
allocations, deposits (保证金), democratic procedure (四议两公开), township filing (备案),
attachments, year-by-year income recognition, compliance-rule settings and findings.

Subject links to asset cards and resource parcels are plain nullable UUIDs (``asset_id``,
``parcel_id``) without foreign keys for now: those tables belong to another area and the
services check that a given id exists when the table is present.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin
from db.types import Mu4

CONTRACT_KINDS = ("资产租赁", "资源发包", "工程", "投资/合作", "服务", "其他")
CONTRACT_STATUSES = ("草拟", "履行中", "到期", "终止", "纠纷")
PAYMENT_MODES = ("年付", "半年付", "季付", "一次性")
PRICE_BASES = ("年租金", "单价")
LAND_CLASSES = ("耕地", "园地", "林地", "草地", "水面", "四荒地", "建设用地", "其他")
FINDING_STATUSES = ("未整改", "整改中", "已整改", "已消除")


class ContractCounterparty(SyncMixin, Base):
    """承包/承租方: a person (身份证) or an entity (统一社会信用代码) of one organisation."""

    __tablename__ = "contract_counterparty"
    __table_args__ = (Index("ix_contract_counterparty_org_idno", "organisation_id", "id_number"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(4))  # 个人 / 单位
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))


class Contract(SyncMixin, Base):
    """One contract; ``number`` is unique within the organisation."""

    __tablename__ = "contract"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number"),
        Index("ix_contract_org_status", "organisation_id", "status"),
        Index("ix_contract_end", "end_date"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    official_code: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    area_mu: Mapped[Decimal | None] = mapped_column(Mu4())
    quantity: Mapped[str | None] = mapped_column(String(50))
    land_class: Mapped[str | None] = mapped_column(String(10))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(index=True)  # FK to the asset card, later
    parcel_id: Mapped[uuid.UUID | None] = mapped_column(index=True)  # FK to the resource parcel, later
    counterparty_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract_counterparty.id"), index=True)
    signed_on: Mapped[date | None]
    start_date: Mapped[date]
    end_date: Mapped[date]
    written: Mapped[bool] = mapped_column(default=True)  # 书面合同 (False: 口头协议)
    price_basis: Mapped[str] = mapped_column(String(4), default="年租金")
    annual_rent: Mapped[Decimal]
    unit_price: Mapped[Decimal | None]  # 元/亩·年 when price_basis is 单价
    escalation_pct: Mapped[Decimal] = mapped_column(Mu4(), default=Decimal(0))
    escalation_years: Mapped[int] = mapped_column(default=0)
    payment_mode: Mapped[str] = mapped_column(String(4))
    billing_align: Mapped[str] = mapped_column(String(8), default="calendar")  # calendar / contract
    due_days: Mapped[int] = mapped_column(default=30)
    deposit_required: Mapped[Decimal] = mapped_column(default=Decimal(0))
    status: Mapped[str] = mapped_column(String(4), default="履行中")
    terminated_on: Mapped[date | None]
    renewal_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contract.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)


class ContractProcedure(SyncMixin, Base):
    """A step of the democratic procedure (四议两公开), with its resolution number."""

    __tablename__ = "contract_procedure"

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"), index=True)
    step: Mapped[str] = mapped_column(String(30))  # e.g. 村民代表会议决议
    meeting_date: Mapped[date]
    resolution_no: Mapped[str | None] = mapped_column(String(50))
    votes: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(String(200))


class ContractFiling(SyncMixin, Base):
    """乡镇备案 of a contract."""

    __tablename__ = "contract_filing"

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"), index=True)
    filed_on: Mapped[date]
    filing_no: Mapped[str | None] = mapped_column(String(50))
    filed_with: Mapped[str | None] = mapped_column(String(100))


class ContractAttachment(SyncMixin, Base):
    """A scan of the contract or a resolution: metadata only; content addressed by SHA-256."""

    __tablename__ = "contract_attachment"

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    description: Mapped[str | None] = mapped_column(String(200))


class ContractInstallment(SyncMixin, Base):
    """应收期次: one billing line of the schedule."""

    __tablename__ = "contract_installment"
    __table_args__ = (
        UniqueConstraint("contract_id", "seq"),
        Index("ix_contract_installment_due", "contract_id", "due_date"),
    )

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"))
    seq: Mapped[int]
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_date: Mapped[date]
    amount: Mapped[Decimal]
    note: Mapped[str | None] = mapped_column(String(100))


class ContractRecognition(SyncMixin, Base):
    """How an installment is recognised as income, year by year (a lump sum over its years).

    ``deferred`` is what was received before the year (credited to 预收); ``recognised`` is what
    the yearly recognition has since moved to income."""

    __tablename__ = "contract_recognition"
    __table_args__ = (UniqueConstraint("installment_id", "year"),)

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"), index=True)
    installment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract_installment.id"))
    year: Mapped[int]
    amount: Mapped[Decimal]
    deferred: Mapped[Decimal] = mapped_column(default=Decimal(0))
    recognised: Mapped[Decimal] = mapped_column(default=Decimal(0))


class ContractReceipt(SyncMixin, Base):
    """收款: money received for a contract; what no installment absorbs is the tenant's credit."""

    __tablename__ = "contract_receipt"
    __table_args__ = (Index("ix_contract_receipt_contract_date", "contract_id", "received_on"),)

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"))
    received_on: Mapped[date]
    amount: Mapped[Decimal]
    method: Mapped[str] = mapped_column(String(4))  # 现金 / 银行
    receipt_no: Mapped[str | None] = mapped_column(String(50))
    payer: Mapped[str | None] = mapped_column(String(100))
    voucher_id: Mapped[uuid.UUID | None]  # the posted voucher (funds area; no FK across branches)
    note: Mapped[str | None] = mapped_column(String(200))


class ContractAllocation(SyncMixin, Base):
    """Part of a receipt applied to an installment on ``allocated_on``."""

    __tablename__ = "contract_allocation"
    __table_args__ = (Index("ix_contract_allocation_inst", "installment_id", "allocated_on"),)

    receipt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract_receipt.id"), index=True)
    installment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract_installment.id"))
    amount: Mapped[Decimal]
    allocated_on: Mapped[date]


class ContractDeposit(SyncMixin, Base):
    """保证金 movements: 收取 (positive) and 退还 (refund)."""

    __tablename__ = "contract_deposit"

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))  # 收取 / 退还
    on_date: Mapped[date]
    amount: Mapped[Decimal]
    method: Mapped[str] = mapped_column(String(4))
    voucher_id: Mapped[uuid.UUID | None]  # the posted voucher (funds area; no FK across branches)


class ContractRuleSetting(SyncMixin, Base):
    """A district's (``organisation_id`` NULL) or an organisation's override of a review rule."""

    __tablename__ = "contract_rule_setting"
    __table_args__ = (UniqueConstraint("organisation_id", "rule_code"),)

    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    rule_code: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(default=True)
    params_json: Mapped[str] = mapped_column(Text, default="{}")


class ContractReferencePrice(SyncMixin, Base):
    """The organisation's reference price per 亩·年 for a land class (a setting)."""

    __tablename__ = "contract_reference_price"
    __table_args__ = (UniqueConstraint("organisation_id", "land_class"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    land_class: Mapped[str] = mapped_column(String(10))
    price_per_mu: Mapped[Decimal]


class ContractFinding(SyncMixin, Base):
    """A compliance finding (合同清理), kept with its 整改 note across review runs."""

    __tablename__ = "contract_finding"
    __table_args__ = (UniqueConstraint("contract_id", "rule_code"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"))
    rule_code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(300))
    found_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(4), default="未整改")
    rectification_note: Mapped[str | None] = mapped_column(Text)
