"""All mapped classes; importing this package registers every table on ``Base.metadata``."""

from db.models.account import Account
from db.models.asset import (
    Asset,
    AssetAdjustment,
    AssetAttachment,
    AssetDepreciation,
    AssetDisposal,
    AssetHistory,
    AssetWorkload,
    StockTake,
    StockTakeLine,
)
from db.models.audit import AuditEntry, AuditHead
from db.models.contract import (
    Contract,
    ContractAllocation,
    ContractAttachment,
    ContractCounterparty,
    ContractDeposit,
    ContractFiling,
    ContractFinding,
    ContractInstallment,
    ContractProcedure,
    ContractReceipt,
    ContractRecognition,
    ContractReferencePrice,
    ContractRuleSetting,
)
from db.models.disclosure import DisclosureRecord, DisclosureSetting
from db.models.installation import Installation
from db.models.member import (
    DistributionPlan,
    DistributionPlanLine,
    DistributionSetting,
    DividendDeduction,
    DividendLine,
    DividendPayout,
    Household,
    Member,
    MembershipEvent,
    ShareEvent,
    ShareHolding,
    ShareType,
)
from db.models.org import Book, Organisation, Region
from db.models.plan import BudgetLine
from db.models.project import Project, ProjectFunding
from db.models.resource import ResourceParcel
from db.models.sync import ChangeLog, SyncCounter
from db.models.user import User
from db.models.voucher import AccountPeriodTotal, Entry, OpeningBalance, Period, SummaryPhrase, Voucher

__all__ = [
    "Account",
    "AccountPeriodTotal",
    "Asset",
    "AssetAdjustment",
    "AssetAttachment",
    "AssetDepreciation",
    "AssetDisposal",
    "AssetHistory",
    "AssetWorkload",
    "AuditEntry",
    "AuditHead",
    "Book",
    "BudgetLine",
    "ChangeLog",
    "Contract",
    "ContractAllocation",
    "ContractAttachment",
    "ContractCounterparty",
    "ContractDeposit",
    "ContractFiling",
    "ContractFinding",
    "ContractInstallment",
    "ContractProcedure",
    "ContractReceipt",
    "ContractRecognition",
    "ContractReferencePrice",
    "ContractRuleSetting",
    "DisclosureRecord",
    "DisclosureSetting",
    "DistributionPlan",
    "DistributionPlanLine",
    "DistributionSetting",
    "DividendDeduction",
    "DividendLine",
    "DividendPayout",
    "Entry",
    "Household",
    "Installation",
    "Member",
    "MembershipEvent",
    "OpeningBalance",
    "Organisation",
    "Period",
    "Project",
    "ProjectFunding",
    "Region",
    "ResourceParcel",
    "ShareEvent",
    "ShareHolding",
    "ShareType",
    "StockTake",
    "StockTakeLine",
    "SummaryPhrase",
    "SyncCounter",
    "User",
    "Voucher",
]
