"""Frozen rows of the contracts area (services → UI, reports, Excel, CLI)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ContractRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    book_id: uuid.UUID
    number: str
    official_code: str | None
    name: str
    kind: str
    subject: str
    location: str | None
    area_mu: Decimal | None
    quantity: str | None
    land_class: str | None
    asset_id: uuid.UUID | None
    parcel_id: uuid.UUID | None
    counterparty_id: uuid.UUID
    counterparty_kind: str
    counterparty_name: str
    counterparty_id_number: str | None
    counterparty_phone: str | None
    signed_on: date | None
    start_date: date
    end_date: date
    term_years: Decimal
    written: bool
    price_basis: str
    annual_rent: Decimal
    unit_price: Decimal | None
    escalation_pct: Decimal
    escalation_years: int
    payment_mode: str
    billing_align: str
    due_days: int
    deposit_required: Decimal
    status: str
    terminated_on: date | None
    renewal_of_id: uuid.UUID | None
    notes: str | None
    procedure_count: int
    filed_on: date | None
    state: str = ""  # the status on the as-of date the row was read for (rules.contract_state)

    @property
    def escalation_text(self) -> str:
        if not self.escalation_years or not self.escalation_pct:
            return ""
        return f"每{self.escalation_years}年递增{self.escalation_pct.normalize():f}%"


@dataclass(frozen=True)
class InstallmentRow:
    id: uuid.UUID
    contract_id: uuid.UUID
    contract_number: str
    counterparty_name: str
    seq: int
    period_start: date
    period_end: date
    due_date: date
    amount: Decimal
    received: Decimal
    outstanding: Decimal  # overdue + not_due
    status: str  # 已收清 / 部分收款 / 未收 / 未到期
    overdue: Decimal = Decimal("0.00")  # 已到期未收 (欠缴): due by the as-of date, not received by it
    not_due: Decimal = Decimal("0.00")  # 未到期: due on or after the as-of date, not yet received


@dataclass(frozen=True)
class AllocationRow:
    installment_id: uuid.UUID
    seq: int
    amount: Decimal


@dataclass(frozen=True)
class ReceiptRow:
    id: uuid.UUID
    contract_id: uuid.UUID
    received_on: date
    amount: Decimal
    method: str
    receipt_no: str | None
    payer: str | None
    allocated: Decimal
    credit: Decimal  # what this receipt still holds unallocated (carried forward)
    voucher_id: uuid.UUID | None


@dataclass(frozen=True)
class ReceiptResult:
    receipt: ReceiptRow
    allocations: tuple[AllocationRow, ...]
    credit_after: Decimal  # the contract's unallocated credit after this receipt
    voucher_id: uuid.UUID | None
    voucher_label: str | None


@dataclass(frozen=True)
class DepositRow:
    id: uuid.UUID
    contract_id: uuid.UUID
    kind: str
    on_date: date
    amount: Decimal
    method: str
    voucher_id: uuid.UUID | None


@dataclass(frozen=True)
class ProcedureRow:
    id: uuid.UUID
    contract_id: uuid.UUID
    step: str
    meeting_date: date
    resolution_no: str | None
    votes: str | None
    notes: str | None


@dataclass(frozen=True)
class AttachmentRow:
    id: uuid.UUID
    contract_id: uuid.UUID
    file_name: str
    sha256: str
    size: int
    description: str | None


@dataclass(frozen=True)
class ArrearsRow:
    organisation_id: uuid.UUID
    organisation_name: str
    contract_id: uuid.UUID
    contract_number: str
    counterparty_name: str
    installment_id: uuid.UUID
    seq: int
    due_date: date
    amount: Decimal
    received: Decimal
    outstanding: Decimal
    days_overdue: int
    bucket: str  # ≤1年 / 1–3年 / >3年


@dataclass(frozen=True)
class ExpiryRow:
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    contract_number: str
    name: str
    counterparty_name: str
    end_date: date
    days_left: int
    bucket: str  # 90天内 / 30天内 / 已到期


@dataclass(frozen=True)
class DepositWarningRow:
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    contract_number: str
    counterparty_name: str
    status: str
    ended_on: date
    held: Decimal


@dataclass(frozen=True)
class WarningCounts:
    organisation_id: uuid.UUID
    organisation_name: str
    expiring_90: int
    expiring_30: int
    expired: int
    overdue_installments: int
    overdue_amount: Decimal
    overdue_le1: Decimal
    overdue_1to3: Decimal
    overdue_gt3: Decimal
    deposits_unrefunded: int


@dataclass(frozen=True)
class ContractWarnings:
    as_of: date
    expiring: tuple[ExpiryRow, ...]
    arrears: tuple[ArrearsRow, ...]
    deposits: tuple[DepositWarningRow, ...]


@dataclass(frozen=True)
class FindingRow:
    id: uuid.UUID | None  # None when the review was not saved
    organisation_id: uuid.UUID
    organisation_name: str
    contract_id: uuid.UUID
    contract_number: str
    contract_name: str
    counterparty_name: str
    rule_code: str
    rule_name: str
    basis: str
    message: str
    found_on: date
    status: str
    rectification_note: str | None


@dataclass(frozen=True)
class RuleSettingRow:
    code: str
    name: str
    basis: str
    enabled: bool
    params: str  # JSON text


@dataclass(frozen=True)
class RecognitionResult:
    year: int
    contracts: int
    amount: Decimal
    voucher_id: uuid.UUID | None


@dataclass(frozen=True)
class DisclosureContractRow:
    """One line of the disclosure's 合同 section (counterparty ID masked)."""

    contract_number: str
    name: str
    kind: str
    subject: str
    counterparty_name: str
    counterparty_id_masked: str
    start_date: date
    end_date: date
    annual_rent: Decimal
    due_in_period: Decimal
    received_in_period: Decimal  # posted receipt vouchers of the period (red reversals negative)
    arrears_at_end: Decimal  # the arrears report's figure as of the period's last day
    state: str  # status at the period's end (rules.contract_state)


@dataclass(frozen=True)
class DisclosureContracts:
    """The disclosure's 合同 section: its rows, and the period's receipts that have no posted
    voucher (legacy or still unposted): not in 本期实收, told apart in the note."""

    rows: tuple[DisclosureContractRow, ...]
    unbooked_count: int
    unbooked_amount: Decimal
