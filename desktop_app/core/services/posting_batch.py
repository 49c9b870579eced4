"""Many generated vouchers of many books posted at once: a month's receipts, depreciation runs …

The batch form of a service (``receipts.record_receipts``, ``depreciation.run_depreciation_books``)
checks each record exactly like its one-at-a-time form, adds the record's voucher here with its
source (a record made in this batch, so each source id is new) and registers what to write once
the vouchers exist (the record with its voucher id, its audit entry). :meth:`PostingBatch.post`
posts every book's vouchers through ``voucher_bulk.bulk_post_books`` (each book's in date order,
numbered after the month's existing vouchers; checked like any voucher, one audit entry per book
and batch; the rows of all the books written together), then runs those steps with the vouchers'
ids and numbers (as the bulk path hands them back, not read again).

Whether a book's vouchers are posted is the rule of ``record_auto_voucher``: with a named
``reviewer`` (people reviewed them: the demo's 审核员) they are; otherwise the book's 自动凭证
setting decides (``book_settings.auto_vouchers_posted``), and under ``review`` they wait in 填制.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.services.book_settings import auto_vouchers_posted
from desktop_app.core.services.funds_base import period_label
from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_books


@dataclass(frozen=True)
class Posted:
    """A voucher the batch posted for a record (found again by the record's id, its source)."""

    id: uuid.UUID
    period: str
    number: int

    @property
    def code(self) -> str:
        return f"{period_label(self.period)}第{self.number}号"


Finisher = Callable[[dict[uuid.UUID, Posted]], None]


class PostingBatch:
    """Vouchers of many books waiting to be posted together, and what to write after."""

    def __init__(self, maker: UserRow, reviewer: UserRow | None = None, *, summary: str = "批量记账") -> None:
        self.maker, self.reviewer, self.summary = maker, reviewer, summary
        self._vouchers: dict[uuid.UUID, list[BulkVoucher]] = {}
        self._finishers: list[Finisher] = []

    def add(self, book_id: uuid.UUID, vouchers: Iterable[BulkVoucher]) -> None:
        self._vouchers.setdefault(book_id, []).extend(vouchers)

    def then(self, finish: Finisher) -> None:
        """``finish(posted)`` runs after posting; ``posted`` maps each source id to its voucher."""
        self._finishers.append(finish)

    def __len__(self) -> int:
        return sum(len(v) for v in self._vouchers.values())

    def post(self, session: Session, progress: Progress | None = None) -> dict[uuid.UUID, Posted]:
        """Post everything added (each book's vouchers by date), then run the finishing steps."""
        books, finishers = self._vouchers, self._finishers
        self._vouchers, self._finishers = {}, []
        found: dict[uuid.UUID, tuple[uuid.UUID, str, int]] = {}
        for vouchers in books.values():
            vouchers.sort(key=lambda v: v.voucher_date)  # stable: same day keeps the order added
        post = {book_id: self.reviewer is not None or auto_vouchers_posted(session, book_id) for book_id in books}
        bulk_post_books(session, books, maker=self.maker, reviewer=self.reviewer, audit_summary=self.summary,
                        posted=found, post=post)
        if progress is not None:
            progress.report(len(books), len(books), f"已记账 {len(books)} 个账套")
        posted = {sid: Posted(*v) for sid, v in found.items()}
        for finish in finishers:
            finish(posted)
        return posted
