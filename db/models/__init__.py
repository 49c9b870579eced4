"""All mapped classes; importing this package registers every table on ``Base.metadata``."""

from db.models.account import Account
from db.models.audit import AuditEntry
from db.models.installation import Installation
from db.models.org import Book, Organisation, Region
from db.models.sync import ChangeLog, SyncCounter
from db.models.user import User

__all__ = [
    "Account",
    "AuditEntry",
    "Book",
    "ChangeLog",
    "Installation",
    "Organisation",
    "Region",
    "SyncCounter",
    "User",
]
