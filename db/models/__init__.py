"""All mapped classes; importing this package registers every table on ``Base.metadata``."""

from db.models.account import Account
from db.models.audit import AuditEntry, AuditHead
from db.models.disclosure import DisclosureRecord, DisclosureSetting
from db.models.installation import Installation
from db.models.org import Book, Organisation, Region
from db.models.sync import ChangeLog, SyncCounter
from db.models.user import User
from db.models.voucher import AccountPeriodTotal, Entry, OpeningBalance, Period, SummaryPhrase, Voucher

__all__ = [
    "Account",
    "AccountPeriodTotal",
    "AuditEntry",
    "AuditHead",
    "Book",
    "ChangeLog",
    "DisclosureRecord",
    "DisclosureSetting",
    "Entry",
    "Installation",
    "OpeningBalance",
    "Organisation",
    "Period",
    "Region",
    "SummaryPhrase",
    "SyncCounter",
    "User",
    "Voucher",
]
