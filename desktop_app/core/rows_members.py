"""Frozen rows of the members, shares and distribution services (never ORM objects)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class HouseholdRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    number: str  # 户号
    group_name: str  # 组别
    head_name: str  # 户主
    address: str | None
    phone: str | None
    certificate_no: str | None  # 股权证号
    bank_tail: str | None
    members: int  # members on the roll (在册)
    shares: Decimal  # Σ holdings of the household's members


@dataclass(frozen=True)
class MemberRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    household_id: uuid.UUID
    household_number: str
    group_name: str
    head_name: str
    name: str
    ric: str
    sex: str
    birth_date: date
    relation: str
    status: str  # 在册 / 迁出 / 死亡 / 丧失
    confirmed_on: date | None
    joined_on: date | None
    left_on: date | None
    note: str | None
    shares: Decimal


@dataclass(frozen=True)
class MembershipEventRow:
    id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    event_date: date
    basis: str
    status_after: str


@dataclass(frozen=True)
class DuplicateRicRow:
    ric: str
    members: tuple[tuple[str, str, str], ...]  # (organisation name, household number, member name)


@dataclass(frozen=True)
class ShareTypeRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    code: str
    name: str
    sort_order: int


@dataclass(frozen=True)
class HoldingRow:
    """One member's line of the 股份登记簿: shares per type (in share-type order) and total."""

    member_id: uuid.UUID
    household_id: uuid.UUID
    household_number: str
    group_name: str
    head_name: str
    name: str
    ric: str
    relation: str
    status: str
    by_type: tuple[tuple[str, Decimal], ...]  # (share type name, shares)
    total: Decimal


@dataclass(frozen=True)
class ShareEventRow:
    id: uuid.UUID
    kind: str
    event_date: date
    share_type: str
    from_name: str | None
    to_name: str | None
    shares: Decimal
    basis: str


@dataclass(frozen=True)
class CertificateRow:
    """A household's 股权证: its members and their holdings."""

    household: HouseholdRow
    organisation_name: str
    holders: tuple[HoldingRow, ...]
    type_names: tuple[str, ...]
    total: Decimal


@dataclass(frozen=True)
class DistributionSettingsRow:
    organisation_id: uuid.UUID
    reserve_rate: Decimal
    reserve_floor: Decimal | None
    members_cap: Decimal | None
    welfare_rate: Decimal
    forbid_borrowing: bool
    deadline_month: int
    deadline_day: int


@dataclass(frozen=True)
class DistributableIncome:
    """可分配收益 from the books: 本年收益 + 年初未分配收益 − what was distributed in the year − exclusions."""

    book_id: uuid.UUID
    year: int
    current_year_income: Decimal
    opening_undistributed: Decimal
    distributed_in_year: Decimal
    excluded_land: Decimal  # 征地补偿 credited to income (vouchers flagged 征地补偿)
    excluded_rent: Decimal  # lump-sum rent for later years (given by the user)
    excluded_other: Decimal
    distributable: Decimal
    cash_available: Decimal  # 货币资金 at the end of the year
    fingerprint: str  # changes when the year's figures change or a month is reopened


@dataclass(frozen=True)
class PlanLineRow:
    seq: int
    kind: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class PlanRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    book_id: uuid.UUID
    year: int
    status: str  # 草案 / 公示 / 批准 / 发放 / 作废
    precision: str
    distributable: Decimal
    reserve: Decimal
    welfare: Decimal
    other: Decimal
    members_amount: Decimal
    total_shares: Decimal
    per_share: Decimal
    roster_total: Decimal
    deductions: Decimal
    remainder: Decimal
    members: int  # roster lines
    households: int
    publicised_on: date | None
    approved_on: date | None
    resolution_no: str | None
    resolution_text: str | None
    paid_on: date | None
    paid_total: Decimal
    appropriation_voucher_id: uuid.UUID | None
    exclusion_note: str
    lines: tuple[PlanLineRow, ...]
    stepped_down: bool  # 每股 lowered one unit so that Σ roster ≤ approved


@dataclass(frozen=True)
class RosterLine:
    """One line of the 分红花名册 (ID masked on public copies by the renderer)."""

    seq: int
    member_id: uuid.UUID
    household_id: uuid.UUID
    group_name: str
    household_number: str
    head_name: str
    name: str
    ric: str
    relation: str
    by_type: tuple[Decimal, ...]  # shares per share type (in PlanRoster.type_names order)
    shares: Decimal
    amount: Decimal  # 应分
    deduction: Decimal  # 扣减
    net: Decimal  # 实发


@dataclass(frozen=True)
class HouseholdTotal:
    household_id: uuid.UUID
    group_name: str
    household_number: str
    head_name: str
    members: int
    shares: Decimal
    amount: Decimal
    deduction: Decimal
    net: Decimal
    paid: bool


@dataclass(frozen=True)
class PlanRoster:
    plan: PlanRow
    type_names: tuple[str, ...]
    lines: tuple[RosterLine, ...]
    households: tuple[HouseholdTotal, ...]


@dataclass(frozen=True)
class PayoutRow:
    id: uuid.UUID
    household_id: uuid.UUID
    household_number: str
    head_name: str
    amount: Decimal
    method: str
    paid_on: date
    bank_tail: str | None
    receiver: str
    voucher_id: uuid.UUID | None


@dataclass(frozen=True)
class DistributionReminder:
    organisation_id: uuid.UUID
    organisation_name: str
    year: int
    deadline: date
    status: str  # 未编制 / 草案 / 公示 / 批准
    overdue: bool
    message: str


@dataclass(frozen=True)
class DisclosureDistributionSection:
    """What the 财务公开 sheet shows of a year's distribution as it stood on ``as_of`` (the last day
    of the disclosed period; no ID numbers). ``stage``: 公示 (publicised, not yet approved by
    ``as_of``), 批准, or 发放 (every household paid by ``as_of``)."""

    year: int
    stage: str
    per_share: Decimal
    total_shares: Decimal
    members_amount: Decimal  # 批准用于成员分配 (the resolution's amount)
    roster_total: Decimal  # Σ 应分 = what the appropriation voucher books
    remainder: Decimal
    lines: tuple[PlanLineRow, ...]
    households: tuple[HouseholdTotal, ...]
    paid_net: tuple[Decimal, ...]  # per household (same order): 实发 paid by ``as_of``
    publicised_on: date | None
    approved_on: date | None  # None while not approved by ``as_of``
    resolution_no: str | None
    appropriation_voucher: str  # "2026年11月第5号" once approved, else ""
    payout_vouchers: tuple[str, ...]  # the payment vouchers dated by ``as_of``
    as_of: date | None

    @property
    def status(self) -> str:
        return self.stage

    @property
    def paid_total(self) -> Decimal:
        return sum(self.paid_net, Decimal("0.00"))
