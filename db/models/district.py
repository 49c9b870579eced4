"""The district's own settings (issue #13): tier boundaries and the income definition of the
收入分档 statistics. Not synced: each district database keeps its own (a township never reads them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, RowHashMixin
from db.types import utcnow


class DistrictSetting(RowHashMixin, Base):
    """One setting by key (``tiers``: boundaries in 万元 "0,5,10,20,50,100"; ``operating_2023`` …
    ``total_2004``: account codes "501,502"); a key without a row takes its default."""

    __tablename__ = "district_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(50))
