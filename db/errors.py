"""Errors the user sees. Messages are Chinese and written where they are raised.

Import them from ``desktop_app.core.errors``; they live here only so that ``db`` can raise them.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with what the user asked for or typed; shown calmly, never a crash.

    ``field`` names the form field (or Excel column) at fault, ``row`` the 1-based
    row of an import or table, so the UI can point at it.
    """

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行")
        # The field is a prefix only where it points at something typed (a value, a cell) the
        # sentence does not already name: "“凭证”：…凭证已被冲销" read as a stray label.
        if self.field and (self.row is not None
                           or (not isinstance(self, _STATE_ERRORS) and self.field not in self.message)):
            where.append(f"“{self.field}”")
        return f"{'，'.join(where)}：{self.message}" if where else self.message


class ValidationError(UserError):
    """A value that fails a format or business rule (amount, USCC, 身份证 …)."""


class NotFoundError(UserError):
    """The thing the user named does not exist (an organisation code, a book …)."""


class PermissionDenied(UserError):
    """The current user's role does not allow this action."""


class ConflictError(UserError):
    """The action clashes with existing data (duplicate code, closed period …)."""


class IntegrityProblem(UserError):
    """``verify`` found the database damaged or edited behind the program's back."""


class DatabaseTooNew(UserError):
    """The database was written by a newer version of the program."""


# Errors about the state of things rather than a typed value (see ``UserError.__str__``).
_STATE_ERRORS = (NotFoundError, PermissionDenied, ConflictError)


class DatabaseBusy(UserError):
    """Another writer (a background import, a batch, the command line) holds the write lock
    longer than this action waits. Nothing was written; the action may simply be tried again."""

    def __init__(self, message: str = "数据库正忙：另一个操作（导入、批量记账、同步或命令行）正在写入，本次操作未保存任何内容，"
                                      "请稍候重试。") -> None:
        super().__init__(message)


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" (the busy timeout ran out), through SQLAlchemy or not."""
    text = str(getattr(exc, "orig", None) or exc)
    return "database is locked" in text or "database table is locked" in text
