"""Shared fixtures of the funds tests: a real SQLite file with one village and its book."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from db.engine import Database
from db.migrate import open_database
from desktop_app.core.rows import BookRow, UserRow
from desktop_app.core.services.orgs import add_sub_account, create_book, create_organisation, create_region
from desktop_app.core.services.users import create_user
from desktop_app.core.services.vouchers import LineInput, post_voucher, review_voucher


@dataclass
class Env:
    db: Database
    book: BookRow
    maker: UserRow
    reviewer: UserRow
    reviewer2: UserRow

    def vouch(self, day: date, summary: str, *lines: tuple[str, str, str], post: bool = True) -> uuid.UUID:
        """lines: (code, debit, credit) as text."""
        from desktop_app.core.services.vouchers import create_voucher

        with self.db.begin("test") as s:
            v = create_voucher(s, book_id=self.book.id, voucher_date=day, summary=summary,
                               lines=[LineInput(c, Decimal(d), Decimal(cr)) for c, d, cr in lines], user=self.maker)
            if post:
                review_voucher(s, v.id, user=self.reviewer)
                post_voucher(s, v.id, user=self.maker)
        return v.id


def make_env(path: Path, chart_version: str = "2023", start: str = "2026-01") -> Env:
    db = open_database(path)
    with db.begin("test") as s:
        maker = create_user(s, username="kj", display_name="王会计", password="secret1", roles=["bookkeeper"])
        rev = create_user(s, username="sh", display_name="李审核", password="secret1", roles=["reviewer"])
        rev2 = create_user(s, username="sh2", display_name="赵审核", password="secret1", roles=["reviewer", "bookkeeper"])
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115106201", "东湖村村民委员会")):
            create_region(s, code=code, name=name, user=maker)
        org = create_organisation(s, name="东湖村股份经济合作社", level="村", uscc="N2320115MF00000121",
                                  region_code="320115106201", user=maker)
        book = create_book(s, organisation_id=org.id, name="东湖村股份经济合作社", kind="股份经济合作社",
                           start_period=start, chart_version=chart_version, user=maker)
        if chart_version == "2023":
            add_sub_account(s, book_id=book.id, parent_code="102", code="10201", name="农商行", user=maker)
    return Env(db, book, maker, rev, rev2)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "funds.db")
    yield e
    e.db.close()


def table_counts(env: Env) -> dict[str, int]:
    """Rows per table the funds services write: equal before and after a refusal."""
    from sqlalchemy import func, select

    from db.models import (
        Account,
        AccountPeriodTotal,
        AuditEntry,
        ChangeLog,
        Entry,
        OpeningBalance,
        Period,
        Voucher,
    )

    with env.db.begin() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Voucher, Entry, Period, Account, OpeningBalance, AccountPeriodTotal, AuditEntry, ChangeLog)}
