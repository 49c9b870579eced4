"""Errors the user sees (re-exported from ``db.errors`` so the whole program shares one class).

``db`` must raise readable errors too (a database newer than the program, a damaged
file) without importing ``desktop_app``; so the base lives there and this module is
where the rest of the program imports it from.
"""

from db.errors import (
    ConflictError,
    DatabaseBusy,
    DatabaseTooNew,
    IntegrityProblem,
    NotFoundError,
    PermissionDenied,
    UserError,
    ValidationError,
)

__all__ = [
    "ConflictError",
    "DatabaseBusy",
    "DatabaseTooNew",
    "IntegrityProblem",
    "NotFoundError",
    "PermissionDenied",
    "UserError",
    "ValidationError",
]
