"""The month-close checklist (结账检查): what 结账 will refuse and what it only warns about, shown to
the accountant before she confirms the close (GUI) and printed by the CLI.

Each area that has something to say about a month contributes a function
``close_checklist_items(session, book_id, period) -> list[ChecklistItem]`` in its own service
module, named in :data:`CONTRIBUTORS`. A blocking item repeats a refusal of
``periods.close_checks`` (the close itself still checks; the list only shows it first); a warning
(``blocking=False``) does not stop the close.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop_app.core.periods import check_period


@dataclass(frozen=True)
class ChecklistItem:
    title: str  # 检查项, e.g. 凭证均已记账
    ok: bool
    detail: str = ""  # what is wrong (or the figure that shows it is right)
    blocking: bool = True  # False: a warning; the month may still be closed


# The modules whose ``close_checklist_items`` make the list, in the order it is shown.
CONTRIBUTORS: tuple[str, ...] = (
    "desktop_app.core.services.close_checklist",
)

Contributor = Callable[[Session, uuid.UUID, str], list[ChecklistItem]]


def close_checklist_items(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """The checks 结账 itself makes (``periods.close_checks``), one item each; one ok item when none fails."""
    from desktop_app.core.services.periods import close_checks

    problems = close_checks(session, book_id, period)
    if not problems:
        return [ChecklistItem("凭证已全部记账，试算平衡", True)]
    return [ChecklistItem("结账条件", False, p) for p in problems]


def month_close_checklist(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """Every contributor's items for ``period`` of the book, in :data:`CONTRIBUTORS` order."""
    period = check_period(period)
    items: list[ChecklistItem] = []
    for name in CONTRIBUTORS:
        contribute: Contributor = importlib.import_module(name).close_checklist_items
        items.extend(contribute(session, book_id, period))
    return items


def can_close(items: list[ChecklistItem]) -> bool:
    return all(i.ok or not i.blocking for i in items)
