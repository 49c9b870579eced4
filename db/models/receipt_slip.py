"""收款收据 (numbered receipt slips) handed to a payer for money received (issue #20).

One row per slip of a book. ``year`` + ``seq`` is the slip's number, gap-free per book and
calendar year of issue (a receipt book is used up in order and a new one starts each year); a
voided slip keeps its number and its row. ``source_kind``/``source_id`` name what was received:
a contract receipt (``contract_receipt``), a deposit taken (``contract_deposit``) or, for other
income received in cash or at the bank, the voucher that recorded it (``voucher``). No foreign
keys to those: they belong to other areas and the service checks them. The 大写 of ``amount``
is not stored: it is derived (``core.money.amount_in_words``) when the slip is printed.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin

SLIP_STATUSES = ("正常", "作废")
SLIP_SOURCES = ("contract_receipt", "contract_deposit", "voucher")


class ReceiptSlip(SyncMixin, Base):
    __tablename__ = "receipt_slip"
    __table_args__ = (
        UniqueConstraint("book_id", "year", "seq"),
        Index("ix_receipt_slip_book_received", "book_id", "received_on"),
        Index("ix_receipt_slip_source", "source_kind", "source_id"),
    )

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    year: Mapped[int]
    seq: Mapped[int]
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[uuid.UUID]
    contract_id: Mapped[uuid.UUID | None]
    voucher_id: Mapped[uuid.UUID | None]
    payer: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal]
    method: Mapped[str] = mapped_column(String(4))  # 现金 / 银行
    received_on: Mapped[date]  # the day the money came in (the month the slip is reconciled in)
    issued_on: Mapped[date]  # the day the slip was made (later than received_on for a 补开)
    collector: Mapped[str] = mapped_column(String(50))  # 收款人/经手人: who recorded it
    status: Mapped[str] = mapped_column(String(4), default="正常")
    void_reason: Mapped[str | None] = mapped_column(String(200))
    print_count: Mapped[int] = mapped_column(default=0)
