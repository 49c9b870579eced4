"""Members tests: a real SQLite file with one village, its book, users, households and shares."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from db.engine import Database
from db.migrate import open_database
from desktop_app.core.ids import make_ric
from desktop_app.core.rows import BookRow, OrgRow, UserRow
from desktop_app.core.services.book_settings import AUTO_POST, set_auto_vouchers
from desktop_app.core.services.members import add_member, create_household
from desktop_app.core.services.orgs import add_sub_account, create_book, create_organisation, create_region
from desktop_app.core.services.shares import ensure_default_share_types, register_shares
from desktop_app.core.services.users import create_user
from desktop_app.core.services.vouchers import LineInput, record_auto_voucher


@dataclass
class Village:
    db: Database
    org: OrgRow
    book: BookRow
    user: UserRow
    reviewer: UserRow
    members: dict[str, uuid.UUID] = field(default_factory=dict)
    households: dict[str, uuid.UUID] = field(default_factory=dict)

    def income(self, amount: str, day: date = date(2026, 6, 30), *, flags: tuple[str, ...] = ()) -> None:
        """Post a rent receipt: Dr bank / Cr 出租收入."""
        with self.db.begin("test") as s:
            record_auto_voucher(s, book_id=self.book.id, voucher_date=day, summary="收到租金",
                                lines=[LineInput("10201", debit=Decimal(amount)),
                                       LineInput("50101", credit=Decimal(amount))],
                                user=self.user, source_kind="test", source_id=None, flags=flags)


def make_village(path: Path, chart_version: str = "2023") -> Village:
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
        set_auto_vouchers(s, book.id, AUTO_POST, user=rev)
    return Village(db, org, book, user, rev)


def add_people(v: Village, spec: list[tuple[str, str, str, str, str]]) -> None:
    """spec: (户号, 姓名, 关系, 人口股, 农龄股) — births spread over 1950-2000."""
    with v.db.begin("test") as s:
        types = {t.code: t.id for t in ensure_default_share_types(s, v.org.id, user=v.user)}
        for i, (number, name, relation, rk, nl) in enumerate(spec):
            if number not in v.households:
                v.households[number] = create_household(s, organisation_id=v.org.id, number=number,
                                                        group_name="第一组", user=v.user).id
            ric = make_ric("320115", date(1950 + i % 50, 1 + i % 12, 1 + i % 28), (2 * i + 1) % 1000)
            m = add_member(s, organisation_id=v.org.id, household_id=v.households[number], name=name, ric=ric,
                           relation=relation, confirmed_on=date(2025, 1, 1), user=v.user)
            v.members[name] = m.id
            for code, count in (("RK", rk), ("NL", nl)):
                if Decimal(count):
                    register_shares(s, member_id=m.id, share_type_id=types[code], shares=Decimal(count),
                                    event_date=date(2025, 1, 1), basis="2025年股份量化决议", user=v.user)


PEOPLE = [
    ("001", "张建国", "户主", "1", "0.5"),
    ("001", "李秀英", "配偶", "1", "0.5"),
    ("001", "张小明", "子", "1", "0"),
    ("002", "王海军", "户主", "1", "1"),
    ("002", "赵红梅", "配偶", "1", "0"),
    ("003", "刘德明", "户主", "1", "0.5"),
]


@pytest.fixture
def village(tmp_path: Path) -> Iterator[Village]:
    v = make_village(tmp_path / "members.db")
    add_people(v, PEOPLE)
    yield v
    v.db.close()


@pytest.fixture
def empty_village(tmp_path: Path) -> Iterator[Village]:
    v = make_village(tmp_path / "members.db")
    yield v
    v.db.close()
