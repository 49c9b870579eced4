"""Assets tests: a real SQLite file with one village, its 2023 book (from 2026-01) and two users."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from db.engine import Database
from db.migrate import open_database
from db.types import uuid7
from desktop_app.core.rows import BookRow, OrgRow, UserRow
from desktop_app.core.rows_assets import AssetRow
from desktop_app.core.services.book_settings import AUTO_POST, set_auto_vouchers
from desktop_app.core.services.orgs import add_sub_account, create_book, create_organisation, create_region
from desktop_app.core.services.users import create_user


@dataclass
class Env:
    db: Database
    org: OrgRow
    book: BookRow
    user: UserRow
    reviewer: UserRow

    def asset(self, code: str = "ZC-001", *, voucher: bool = True, **values: Any) -> AssetRow:
        from desktop_app.core.services.assets import create_asset

        fields: dict[str, Any] = {"code": code, "name": "村部办公楼", "category": "房屋及建筑物", "nature": "非经营性",
                                  "acquired_on": date(2026, 1, 20), "original_value": Decimal("10000.00"),
                                  "useful_life_months": 36, "residual_rate": Decimal(4)}
        fields.update(values)
        with self.db.begin("test") as s:
            return create_asset(s, organisation_id=self.org.id, book_id=self.book.id, user=self.user,
                                payment_account="10201" if voucher else None, **fields)


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
        book = create_book(s, organisation_id=org.id, name="东湖村股份经济合作社", kind="股份经济合作社",
                           start_period="2026-01", chart_version=chart_version, user=user)
        add_sub_account(s, book_id=book.id, parent_code="102", code="10201", name="农商行", user=user)
        # these tests model a book whose module vouchers are posted when made (自动凭证 ``post``);
        # the default (they wait for 审核) is tested in tests/funds/test_auto_voucher_setting.py
        if auto_post:
            set_auto_vouchers(s, book.id, AUTO_POST, user=rev)
    return Env(db, org, book, user, rev)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "assets.db")
    yield e
    e.db.close()


@pytest.fixture
def cli_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")  # the CLI's user (kj) signs in


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Env]:
    """A second, empty organisation's database: where an export is imported anew."""
    e = make_env(tmp_path / "fresh.db")
    yield e
    e.db.close()


def card_row(book: BookRow, code: str, **over: Any) -> dict[str, Any]:
    """An asset card's stored values (for ``bulk_insert``): a 60-month straight-line machine of the book."""
    row = {"id": uuid7(), "organisation_id": book.organisation_id, "book_id": book.id, "code": code,
           "name": f"设备{code}", "category": "机器设备", "nature": "经营性", "use_kind": "生产", "location": None,
           "quantity": Decimal(1), "unit": "台", "area_m2": None, "acquisition_mode": "购建", "funding_source": "集体自有资金",
           "acquired_on": date(2024, 5, 9), "original_value": Decimal("12345.67"), "useful_life_months": 60,
           "residual_rate": Decimal("4.5"), "method": "年限平均法", "total_workload": None, "workload_unit": None,
           "opening_accumulated": Decimal("1000.01"), "opening_workload": None, "first_period": book.start_period,
           "status": "自用", "custodian": None, "title_no": None, "poverty_alleviation": False, "project_id": None,
           "contract_id": None, "acquisition_voucher_id": None, "disposed_on": None, "notes": None}
    row.update(over)
    return row
