"""Members (成员), households (户), shares (股份) and the yearly income distribution (收益分配).

Share counts are exact 4-decimal quantities (``Mu4``: 0.5 shares is common); money is ``Fen``.
Holdings change only through recorded ``ShareEvent`` rows (static management: 生不增、死不减).
A distribution plan's roster (``DividendLine``) is frozen when the plan is computed, so what was
publicised, approved and paid is exactly what was printed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin
from db.types import Mu4

MEMBER_STATUSES = ("在册", "迁出", "死亡", "丧失")
MEMBERSHIP_EVENT_KINDS = ("确认", "迁入", "迁出", "死亡", "丧失", "恢复")
SHARE_EVENT_KINDS = ("初始登记", "继承", "户内赠与", "决议调整")
PLAN_STATUSES = ("草案", "公示", "批准", "发放", "作废")
PRECISIONS = ("分", "角", "元")


class Household(SyncMixin, Base):
    """A 户 of an organisation: 户号 unique in the organisation; the head is a member row."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("organisation_id", "number"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))  # led by uq_household_organisation_id_number (m0002)
    number: Mapped[str] = mapped_column(String(20))  # 户号
    group_name: Mapped[str] = mapped_column(String(30), default="")  # 组别, e.g. 第三村民小组
    head_name: Mapped[str] = mapped_column(String(50), default="")  # 户主 (kept in step by the services)
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    certificate_no: Mapped[str | None] = mapped_column(String(30))  # 股权证号
    bank_tail: Mapped[str | None] = mapped_column(String(8))  # last digits of the payout card
    note: Mapped[str | None] = mapped_column(String(200))


class Member(SyncMixin, Base):
    """A 成员 with a validated 身份证号; sex and birth date are derived from it."""

    __tablename__ = "member"
    __table_args__ = (
        Index("ix_member_org_ric", "organisation_id", "ric"),
        Index("ix_member_household", "household_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))  # led by ix_member_org_ric (m0002)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"))
    name: Mapped[str] = mapped_column(String(50))
    ric: Mapped[str] = mapped_column(String(18))  # 身份证号, upper-case X
    sex: Mapped[str] = mapped_column(String(1))  # 男 / 女
    birth_date: Mapped[date]
    relation: Mapped[str] = mapped_column(String(10))  # 与户主关系: 户主 / 配偶 / 子 / 女 …
    status: Mapped[str] = mapped_column(String(4), default="在册")
    confirmed_on: Mapped[date | None]  # 成员身份确认日期
    joined_on: Mapped[date | None]  # 迁入
    left_on: Mapped[date | None]  # 迁出 / 死亡 / 丧失
    note: Mapped[str | None] = mapped_column(String(200))


class MembershipEvent(SyncMixin, Base):
    """History of a member's status: 确认, 迁入, 迁出, 死亡, 丧失, 恢复, each with its basis."""

    __tablename__ = "membership_event"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    event_date: Mapped[date]
    basis: Mapped[str] = mapped_column(String(200), default="")  # 依据 (决议、证明)
    status_after: Mapped[str] = mapped_column(String(4))


class ShareType(SyncMixin, Base):
    """人口股, 农龄股, 集体股 or an organisation's own type."""

    __tablename__ = "share_type"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(default=0)


class ShareHolding(SyncMixin, Base):
    """A member's current holding of one share type; changed only by ``ShareEvent``s."""

    __tablename__ = "share_holding"
    __table_args__ = (UniqueConstraint("member_id", "share_type_id"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("member.id"))
    share_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("share_type.id"))
    shares: Mapped[Decimal] = mapped_column(Mu4())


class ShareEvent(SyncMixin, Base):
    """One recorded change of holdings: 初始登记, 继承, 户内赠与, 决议调整 (date and basis)."""

    __tablename__ = "share_event"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    event_date: Mapped[date]
    share_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("share_type.id"))
    from_member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("member.id"), index=True)
    to_member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("member.id"), index=True)
    shares: Mapped[Decimal] = mapped_column(Mu4())  # moved from → to (an adjustment may be negative)
    basis: Mapped[str] = mapped_column(String(200), default="")


class DistributionSetting(SyncMixin, Base):
    """An organisation's distribution rules (章程 rate, local floors and caps, the deadline)."""

    __tablename__ = "distribution_setting"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), unique=True)
    reserve_rate: Mapped[Decimal] = mapped_column(Mu4())  # 章程 rate of 公积公益金, percent
    reserve_floor: Mapped[Decimal | None] = mapped_column(Mu4())  # ≥ this percent (None: no rule)
    members_cap: Mapped[Decimal | None] = mapped_column(Mu4())  # ≤ this percent to members
    welfare_rate: Mapped[Decimal] = mapped_column(Mu4(), default=Decimal("0"))
    forbid_borrowing: Mapped[bool] = mapped_column(default=True)  # members ≤ 货币资金
    deadline_month: Mapped[int] = mapped_column(default=4)
    deadline_day: Mapped[int] = mapped_column(default=30)


class DistributionPlan(SyncMixin, Base):
    """收益分配方案 of one book and year: figures from the books, lines, status and vouchers."""

    __tablename__ = "distribution_plan"
    __table_args__ = (Index("ix_distribution_plan_book_year", "book_id", "year"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(4), default="草案")
    precision: Mapped[str] = mapped_column(String(1), default="分")
    current_year_income: Mapped[Decimal]  # 本年收益
    opening_undistributed: Mapped[Decimal]  # 年初未分配收益 (negative: 未弥补亏损)
    distributed_in_year: Mapped[Decimal]  # appropriations already booked in the year
    excluded_land: Mapped[Decimal]  # 征地补偿 in income
    excluded_rent: Mapped[Decimal]  # lump-sum rent beyond the year
    excluded_other: Mapped[Decimal]
    exclusion_note: Mapped[str] = mapped_column(String(300), default="")
    distributable: Mapped[Decimal]  # 可分配收益
    cash_available: Mapped[Decimal]  # 货币资金 when computed
    members_amount: Mapped[Decimal]  # approved for members (成员分配总额)
    total_shares: Mapped[Decimal] = mapped_column(Mu4())
    per_share: Mapped[Decimal]  # 每股分红
    roster_total: Mapped[Decimal]
    remainder: Mapped[Decimal]  # approved − Σ roster, stays in 未分配收益
    books_fingerprint: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime]
    publicised_on: Mapped[date | None]
    approved_on: Mapped[date | None]
    resolution_no: Mapped[str | None] = mapped_column(String(50))
    resolution_text: Mapped[str | None] = mapped_column(String(500))
    approved_by: Mapped[str | None] = mapped_column(String(50))
    paid_on: Mapped[date | None]
    appropriation_voucher_id: Mapped[uuid.UUID | None]
    note: Mapped[str | None] = mapped_column(String(300))


class DistributionPlanLine(SyncMixin, Base):
    """One line of a plan, in the legal order (弥补亏损 → 公积公益金 → 福利费 → 成员分配 → 其他 → 年末未分配)."""

    __tablename__ = "distribution_plan_line"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("distribution_plan.id"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # loss / reserve / welfare / members / other / retained
    label: Mapped[str] = mapped_column(String(50))
    amount: Mapped[Decimal]


class DividendLine(SyncMixin, Base):
    """One member's line of the 分红花名册, frozen when the plan was computed."""

    __tablename__ = "dividend_line"
    __table_args__ = (UniqueConstraint("plan_id", "member_id"), Index("ix_dividend_line_plan_seq", "plan_id", "seq"))

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("distribution_plan.id"))
    seq: Mapped[int]
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("member.id"))
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), index=True)
    shares: Mapped[Decimal] = mapped_column(Mu4())
    shares_detail: Mapped[str] = mapped_column(String(200), default="")  # "RK=1;NL=0.5"
    amount: Mapped[Decimal]  # 应分 = shares * 每股分红, half-up to 分
    deduction: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))  # 扣减
    net: Mapped[Decimal]  # 实发


class DividendDeduction(SyncMixin, Base):
    """A deduction from a member's dividend (e.g. rent owed), with the member's consent recorded."""

    __tablename__ = "dividend_deduction"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("distribution_plan.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("member.id"))
    amount: Mapped[Decimal]
    reason: Mapped[str] = mapped_column(String(200))
    consent: Mapped[str] = mapped_column(String(200))  # how the member agreed (签字确认书 …)
    receivable_code: Mapped[str | None] = mapped_column(String(20))  # account credited (应收款 …)


class DividendPayout(SyncMixin, Base):
    """Payment of a household's dividends: cash or transfer, date, card tail, payment voucher."""

    __tablename__ = "dividend_payout"
    __table_args__ = (UniqueConstraint("plan_id", "household_id"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("distribution_plan.id"))
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"))
    amount: Mapped[Decimal]
    method: Mapped[str] = mapped_column(String(4))  # 现金 / 转账
    paid_on: Mapped[date]
    bank_tail: Mapped[str | None] = mapped_column(String(8))
    receiver: Mapped[str] = mapped_column(String(50), default="")
    voucher_id: Mapped[uuid.UUID | None]
