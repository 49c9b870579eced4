"""Collective-economy projects (集体经济项目台账): funding by source, status dates, and the
工程 facts the 专项公开 (工程招投标及预决算) prints: budget, tender result, contract, final account.

Assets a project formed point at it (``asset.project_id``); its returns and its payments are read
from the books (entries carrying ``entry.project_id``), never stored here. ``book_id`` is the book
whose registers list the project; None (rows made before schema ``a0002``) means the
organisation's main book (``assets_common.register_book``). ``contract_id`` is a plain UUID
like ``asset.contract_id``: contracts belong to another area's migration branch.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin


class Project(SyncMixin, Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # 物业经济 / 光伏 / 厂房 / 农业设施 / 乡村旅游 / 其他
    status: Mapped[str] = mapped_column(String(4))  # 申报 / 在建 / 建成 / 运营 / 终止
    applied_on: Mapped[date | None]
    started_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    operating_on: Mapped[date | None]
    terminated_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(String(500))
    book_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("book.id"), index=True)
    budget: Mapped[Decimal | None]  # 预算金额
    tender_method: Mapped[str | None] = mapped_column(String(10))  # 公开招标 / 邀请招标 / 竞争性谈判 …
    tender_winner: Mapped[str | None] = mapped_column(String(100))  # 中标单位
    tender_amount: Mapped[Decimal | None]  # 中标金额
    tender_on: Mapped[date | None]  # 招标（开标）日期
    contract_id: Mapped[uuid.UUID | None]  # the 工程 contract, when one is registered
    final_amount: Mapped[Decimal | None]  # 决算金额
    final_on: Mapped[date | None]  # 决算日期


class ProjectFunding(SyncMixin, Base):
    __tablename__ = "project_funding"
    __table_args__ = (UniqueConstraint("project_id", "source"),)

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"))
    source: Mapped[str] = mapped_column(String(12))  # 中央 / 省 / 市 / 区扶持资金 / 自筹 / 社会资本
    amount: Mapped[Decimal]
