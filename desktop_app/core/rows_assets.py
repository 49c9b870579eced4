"""Frozen rows of the assets area (asset cards, resources, projects, depreciation, stock-takes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class AssetRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    book_id: uuid.UUID
    code: str
    name: str
    category: str
    nature: str
    use_kind: str
    location: str | None
    quantity: Decimal
    unit: str
    area_m2: Decimal | None
    acquisition_mode: str
    funding_source: str | None
    acquired_on: date
    original_value: Decimal
    cost: Decimal  # original value + value changes
    useful_life_months: int
    residual_rate: Decimal
    method: str
    total_workload: Decimal | None
    workload_unit: str | None
    opening_accumulated: Decimal
    accumulated: Decimal  # as recorded in the books: opening + posted charges + changes
    net_value: Decimal
    status: str
    custodian: str | None
    title_no: str | None
    poverty_alleviation: bool
    project_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    disposed_on: date | None
    notes: str | None


@dataclass(frozen=True)
class AssetHistoryRow:
    at: datetime
    actor: str
    action: str
    summary: str
    changes: tuple[tuple[str, str, str], ...]  # (field, before, after)


@dataclass(frozen=True)
class AttachmentRow:
    id: uuid.UUID
    asset_id: uuid.UUID
    file_name: str
    sha256: str
    size: int
    media_type: str
    stored_name: str
    note: str | None


@dataclass(frozen=True)
class AdjustmentRow:
    id: uuid.UUID
    asset_id: uuid.UUID
    kind: str
    effective_on: date
    delta_cost: Decimal
    delta_accumulated: Decimal
    reason: str
    voucher_id: uuid.UUID | None


@dataclass(frozen=True)
class DisposalRow:
    asset_id: uuid.UUID
    kind: str
    disposed_on: date
    cost: Decimal
    accumulated: Decimal
    proceeds: Decimal
    expenses: Decimal
    gain_loss: Decimal
    voucher_id: uuid.UUID | None


@dataclass(frozen=True)
class ScheduleRow:
    period: str
    amount: Decimal
    accumulated: Decimal
    cost: Decimal
    net_value: Decimal
    posted: bool  # a depreciation line exists for this month


@dataclass(frozen=True)
class DepreciationCharge:
    asset_id: uuid.UUID
    code: str
    name: str
    account_code: str
    amount: Decimal


@dataclass(frozen=True)
class DepreciationRunResult:
    book_id: uuid.UUID
    period: str
    already_done: bool
    voucher_id: uuid.UUID | None
    voucher_code: str | None
    total: Decimal
    charges: tuple[DepreciationCharge, ...]


@dataclass(frozen=True)
class AssetMovementRow:
    """One acquisition, value change or disposal of a card in a period, with the voucher that
    booked it (``voucher`` is "未记账" when the register has it and the books do not)."""

    day: date
    code: str
    name: str
    kind: str  # 购建 / 捐赠 … (acquisition mode), 改良 / 重估 … (value change), 出售 / 报废 … (disposal)
    increase: Decimal  # 原值 added
    decrease: Decimal  # 原值 taken off
    proceeds: Decimal  # what a disposal brought in
    voucher: str


@dataclass(frozen=True)
class ChangeRow:
    """One line of the 资产变动表: a card's movement over a period."""

    code: str
    name: str
    category: str
    nature: str
    opening_cost: Decimal
    increase: Decimal
    decrease: Decimal
    closing_cost: Decimal
    opening_accumulated: Decimal
    depreciation: Decimal
    accumulated_decrease: Decimal
    closing_accumulated: Decimal
    closing_net: Decimal
    note: str


@dataclass(frozen=True)
class ReconcileLine:
    label: str
    account_code: str
    cards: Decimal
    books: Decimal

    @property
    def difference(self) -> Decimal:
        return self.cards - self.books


@dataclass(frozen=True)
class ReconcileAssetLine:
    code: str
    name: str
    card_cost: Decimal
    book_cost: Decimal
    card_accumulated: Decimal
    book_accumulated: Decimal


@dataclass(frozen=True)
class ReconcileReport:
    book_id: uuid.UUID
    period: str
    lines: tuple[ReconcileLine, ...]
    assets: tuple[ReconcileAssetLine, ...]  # only cards that differ

    @property
    def balanced(self) -> bool:
        return all(ln.difference == 0 for ln in self.lines) and not self.assets


@dataclass(frozen=True)
class ParcelRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    code: str
    name: str
    land_class: str
    area_mu: Decimal
    location: str | None
    east: str | None
    south: str | None
    west: str | None
    north: str | None
    ownership: str
    group_name: str | None
    status: str  # as registered (家庭承包 / 机动地 / … / 已发包 / 出租 / 未利用)
    contract_id: uuid.UUID | None
    notes: str | None
    book_id: uuid.UUID | None = None  # the book whose registers list it (the main book when none is named)
    status_on: str = ""  # the use on the date asked for: 已发包/已出租 under a contract in force then
    contract_no: str | None = None  # that contract's number

    @property
    def shown_status(self) -> str:
        return self.status_on or self.status


@dataclass(frozen=True)
class ProjectRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    code: str
    name: str
    kind: str
    status: str
    applied_on: date | None
    started_on: date | None
    completed_on: date | None
    operating_on: date | None
    terminated_on: date | None
    notes: str | None
    funding: tuple[tuple[str, Decimal], ...]
    investment: Decimal  # Σ funding
    asset_count: int
    asset_value: Decimal
    book_id: uuid.UUID | None = None  # the book whose registers list it (the main book when none is named)
    budget: Decimal | None = None  # 预算金额
    tender_method: str | None = None  # 招标方式
    tender_winner: str | None = None  # 中标单位
    tender_amount: Decimal | None = None  # 中标金额
    tender_on: date | None = None
    contract_id: uuid.UUID | None = None
    final_amount: Decimal | None = None  # 决算金额
    final_on: date | None = None

    @property
    def is_works(self) -> bool:
        """A 工程 whose 招投标 and 预决算 are disclosed (专项公开): it has a budget, a tender or a final account."""
        return any(x is not None for x in (self.budget, self.tender_method, self.tender_amount, self.final_amount))


@dataclass(frozen=True)
class ProjectPaymentRow:
    """One line of a book paying for a project (a posted voucher line carrying its id)."""

    voucher_date: date
    period: str
    number: int
    summary: str
    account: str  # code and name
    amount: Decimal  # debit − credit
    counterparty: str | None


@dataclass(frozen=True)
class WorksRow:
    """A 工程 for 专项公开 (工程招投标及预决算): the ledger's facts and one book's payments to date."""

    project: ProjectRow
    contract: str | None  # 合同编号、名称、对方、签订日期, when a contract is linked
    payments: tuple[ProjectPaymentRow, ...]  # through the period's last month, every year
    paid: Decimal  # Σ payments

    @property
    def final_vs_budget(self) -> Decimal | None:
        """决算 − 预算 (negative: under budget); None until both exist."""
        p = self.project
        return None if p.final_amount is None or p.budget is None else p.final_amount - p.budget


@dataclass(frozen=True)
class ProjectReturnRow:
    project: ProjectRow
    year: int
    income: Decimal  # income entries carrying the project id (credit − debit)
    return_rate: Decimal | None  # income ÷ investment in %, 2 places; None when no investment


@dataclass(frozen=True)
class StockTakeRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    book_id: uuid.UUID
    name: str
    started_on: date
    status: str
    approved_on: date | None
    approved_by: str | None


@dataclass(frozen=True)
class StockTakeLineRow:
    id: uuid.UUID
    asset_id: uuid.UUID | None
    code: str
    name: str
    result: str  # 相符 / 盘亏 / 盘盈 / 未盘点
    book_value: Decimal  # net value on the card (盘盈: the assessed value)
    notes: str | None


@dataclass(frozen=True)
class StockTakeSheet:
    take: StockTakeRow
    lines: tuple[StockTakeLineRow, ...]
    found: int
    missing: int
    surplus: int
    unchecked: int
    missing_value: Decimal
    surplus_value: Decimal
    voucher_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class DisclosureRow:
    """One line of the assets section of a disclosure sheet (kind: 资产 / 资源 / 项目)."""

    kind: str
    label: str
    count: int
    quantity: Decimal | None  # 原值 for assets, 亩 for resources, investment for projects
    value: Decimal | None  # 净值 for assets, income for projects
    note: str


@dataclass(frozen=True)
class AssetsDisclosure:
    title: str
    period_label: str
    rows: tuple[DisclosureRow, ...]
