"""Resource register (资源台账): land parcels with their GB/T 21010 class and exact area in 亩.

``book_id`` is the book whose registers list the parcel; None (rows made before schema ``a0002``)
means the organisation's main book. ``status`` is the registered use; a contract in force on a
date (``contract.parcel_id``) makes the parcel 已发包/已出租 on that date whatever it says here."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin
from db.types import Mu4


class ResourceParcel(SyncMixin, Base):
    __tablename__ = "resource_parcel"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    land_class: Mapped[str] = mapped_column(String(20))  # 耕地 / 园地 / 林地 / 草地 / 水域 …
    area_mu: Mapped[Decimal] = mapped_column(Mu4())  # 亩, exact to 4 decimals
    location: Mapped[str | None] = mapped_column(String(200))
    east: Mapped[str | None] = mapped_column(String(100))  # 四至
    south: Mapped[str | None] = mapped_column(String(100))
    west: Mapped[str | None] = mapped_column(String(100))
    north: Mapped[str | None] = mapped_column(String(100))
    ownership: Mapped[str] = mapped_column(String(4), default="村")  # 村 / 组
    group_name: Mapped[str | None] = mapped_column(String(50))  # the 村民小组 when owned by a 组
    status: Mapped[str] = mapped_column(String(10))  # 家庭承包 / 机动地 / 集体统一经营 / 已发包 / 出租 / 未利用
    contract_id: Mapped[uuid.UUID | None]
    notes: Mapped[str | None] = mapped_column(String(500))
    book_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("book.id"), index=True)
