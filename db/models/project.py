"""Collective-economy projects (集体经济项目台账): funding by source, status dates.

Assets a project formed point at it (``asset.project_id``); its returns are read from the books
(income entries carrying ``entry.project_id``), never stored here.
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


class ProjectFunding(SyncMixin, Base):
    __tablename__ = "project_funding"
    __table_args__ = (UniqueConstraint("project_id", "source"),)

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"))
    source: Mapped[str] = mapped_column(String(12))  # 中央 / 省 / 市 / 区扶持资金 / 自筹 / 社会资本
    amount: Mapped[Decimal]
