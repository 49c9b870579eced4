"""Fixtures of the contracts tests: a real SQLite file with one village, its book and users."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from db.engine import Database
from db.migrate import open_database
from desktop_app.core.rows import BookRow, OrgRow, UserRow
from desktop_app.core.services.book_settings import AUTO_POST, set_auto_vouchers
from desktop_app.core.services.contracts import ContractInput, create_contract
from desktop_app.core.services.orgs import create_book, create_organisation, create_region
from desktop_app.core.services.users import create_user

RIC = "11010519491231002X"  # GB 11643 example, valid
USCC = "91350100M000100Y43"  # a company code, valid


@dataclass
class Env:
    db: Database
    org: OrgRow
    book: BookRow
    user: UserRow
    reviewer: UserRow | None = None

    def contract(self, **overrides: Any) -> ContractInput:
        base = ContractInput(
            organisation_id=self.org.id, book_id=self.book.id, number="HT-001", name="鱼塘承包合同",
            kind="资源发包", subject="东湖鱼塘", counterparty_name="张三", counterparty_kind="个人",
            counterparty_id_number=RIC, start_date=date(2026, 1, 1), end_date=date(2030, 12, 31),
            payment_mode="年付", annual_rent=Decimal("12000.00"), due_days=0,
        )
        return replace(base, **overrides)

    def create(self, **overrides: Any) -> uuid.UUID:
        with self.db.begin("test") as s:
            return create_contract(s, self.contract(**overrides), user=self.user).id


def make_env(path: Path, chart_version: str = "2023", *, auto_post: bool = True) -> Env:
    db = open_database(path)
    with db.begin("test") as s:
        user = create_user(s, username="kj", display_name="王会计", password="secret1", roles=["bookkeeper"])
        rev = create_user(s, username="sh", display_name="李审核", password="secret1", roles=["reviewer"])
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115106201", "东湖村村民委员会")):
            create_region(s, code=code, name=name, user=user)
        org = create_organisation(s, name="东湖村股份经济合作社", level="村", uscc="N2320115MF00000121",
                                  region_code="320115106201", user=user)
        start = "2024-01" if chart_version == "2023" else "2020-01"
        book = create_book(s, organisation_id=org.id, name="东湖村股份经济合作社", kind="股份经济合作社",
                           start_period=start, chart_version=chart_version, user=user)
        # these tests model a book whose module vouchers are posted when made (自动凭证 ``post``);
        # the default (they wait for 审核) is tested in tests/funds/test_auto_voucher_setting.py
        if auto_post:
            set_auto_vouchers(s, book.id, AUTO_POST, user=rev)
    return Env(db, org, book, user, rev)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "contracts.db")
    yield e
    e.db.close()
