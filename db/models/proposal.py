"""District correction proposals (更正建议) and the townships' answers (issue #13).

The district never edits a township's rows: an officer attaches a proposal to a village's
voucher, contract or distribution plan. Proposals are the DISTRICT's own rows (written only in
the district database, ``__site__ = "district"``) and travel down in its packages; answers are
the TOWNSHIP's own rows (``__site__ = "township"``) in a second table and travel up. No row is
ever written by both sides (desktop_app/sync/district_guard.py enforces it).

``village_id`` and ``target_id`` carry no foreign keys, and neither table has an
``organisation_id`` or ``book_id``: the district's own records go to every township (one
gap-free stream per origin), so a township also holds proposals about other townships' villages
that it has no rows for. Without a key and without a path to a village, such a row neither
breaks the township's foreign-key check nor enters a village's state digest (sync/control.py);
the township's pages list only proposals about its own villages. An answer's id is derived from
its proposal's (:func:`answer_id`): two PCs of one township answering the same proposal write the
same row, which sync resolves like any other row written twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin

PROPOSAL_KINDS = ("科目用错", "金额有误", "摘要不清", "合同超期", "合同欠款", "手续不全", "分配不当", "其他")
TARGET_KINDS = {"voucher": "凭证", "contract": "合同", "plan": "收益分配方案"}
DECISIONS = ("采纳", "驳回")
_ANSWER_NS = uuid.UUID("6f1d2c5e-7a7b-4c1e-9a57-3b7e0d9a2f10")


def answer_id(proposal_id: uuid.UUID) -> uuid.UUID:
    """The one answer row a proposal can have, the same on every PC of the township."""
    return uuid.uuid5(_ANSWER_NS, proposal_id.hex)


class Proposal(SyncMixin, Base):
    """A district officer's proposal on one village's voucher, contract or plan."""

    __tablename__ = "proposal"
    __site__ = "district"
    __table_args__ = (Index("ix_proposal_village", "village_id"),)

    village_id: Mapped[uuid.UUID]  # the organisation (no FK: see the module docstring)
    village_name: Mapped[str] = mapped_column(String(100))
    target_kind: Mapped[str] = mapped_column(String(10))  # voucher / contract / plan
    target_id: Mapped[uuid.UUID]
    target_rev: Mapped[int]  # the version the officer looked at
    target_label: Mapped[str] = mapped_column(String(200))  # "2025年3月 记-0012 支付村道维修款"
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(500))
    proposed_by: Mapped[str] = mapped_column(String(50))
    proposed_at: Mapped[datetime]


class ProposalAnswer(SyncMixin, Base):
    """The township's answer: 采纳 (it made the edit itself; ``reference`` says which voucher or
    reversal did it) or 驳回 with a reason."""

    __tablename__ = "proposal_answer"
    __site__ = "township"

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposal.id"), index=True)
    decision: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    answered_by: Mapped[str] = mapped_column(String(50))
    answered_at: Mapped[datetime]
