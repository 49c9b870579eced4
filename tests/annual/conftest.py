"""A hand-made township file for the annual tables (issue #17): two townships, a 2004-chart village,
a village committee's own book, a village whose books start the year after, members joining and
leaving, land let out under a contract; the figures are worked out by hand in the tests."""

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
from desktop_app.core.ids import make_ric, make_uscc
from desktop_app.core.rows import UserRow
from desktop_app.core.services.members import add_member, create_household, record_membership_event
from desktop_app.core.services.orgs import create_book, create_organisation, create_region
from desktop_app.core.services.resources import create_parcel
from desktop_app.core.services.users import create_user
from desktop_app.core.services.vouchers import LineInput, create_voucher, post_voucher, review_voucher


@dataclass
class Town:
    db: Database
    maker: UserRow
    reviewer: UserRow
    books: dict[str, uuid.UUID] = field(default_factory=dict)
    orgs: dict[str, uuid.UUID] = field(default_factory=dict)
    uscc: dict[str, str] = field(default_factory=dict)

    def vouch(self, book: str, day: date, *lines: tuple[str, str, str]) -> None:
        with self.db.begin("test") as s:
            v = create_voucher(s, book_id=self.books[book], voucher_date=day, summary="测试",
                               lines=[LineInput(c, Decimal(d), Decimal(cr)) for c, d, cr in lines], user=self.maker)
            review_voucher(s, v.id, user=self.reviewer)
            post_voucher(s, v.id, user=self.maker)


VILLAGES = (  # short name, region code, name, chart, first month of its books
    ("东湖", "320115106201", "东湖村股份经济合作社", "2023", "2025-01"),
    ("西岭", "320115106202", "西岭村股份经济合作社", "2004", "2025-01"),
    ("南塘", "320115107201", "南塘村股份经济合作社", "2023", "2025-01"),
    ("北坡", "320115107202", "北坡村股份经济合作社", "2023", "2026-01"),
)


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Town]:
    db = open_database(tmp_path / "town.db")
    with db.begin("test") as s:
        maker = create_user(s, username="kj", display_name="王会计", password="secret1", roles=["bookkeeper"])
        rev = create_user(s, username="sh", display_name="李审核", password="secret1", roles=["reviewer"])
        t = Town(db, maker, rev)
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115107000", "月湖镇")):
            create_region(s, code=code, name=name, user=maker)
        for i, (short, code, name, chart, start) in enumerate(VILLAGES):
            create_region(s, code=code, name=f"{short}村村民委员会", user=maker)
            uscc = make_uscc(f"N2320115MF0000{i:03d}")
            org = create_organisation(s, name=name, level="村", uscc=uscc, region_code=code, user=maker)
            book = create_book(s, organisation_id=org.id, name=name, kind="股份经济合作社", start_period=start,
                               chart_version=chart, user=maker)
            t.orgs[short], t.books[short], t.uscc[short] = org.id, book.id, uscc
        committee = create_book(s, organisation_id=t.orgs["东湖"], name="东湖村村民委员会", kind="村民委员会",
                                start_period="2025-01", credit_code=make_uscc("54320115MF0000001"), user=maker)
        t.books["东湖委"] = committee.id
        # 东湖: one household, three members — one joins in 2026, one dies in 2025
        h = create_household(s, organisation_id=t.orgs["东湖"], number="001", group_name="第一组", user=maker)
        add_member(s, organisation_id=t.orgs["东湖"], household_id=h.id, name="张三",
                   ric=make_ric("320115", date(1970, 1, 1), 11), relation="户主", user=maker)
        add_member(s, organisation_id=t.orgs["东湖"], household_id=h.id, name="李四",
                   ric=make_ric("320115", date(1972, 2, 2), 12), relation="配偶", joined_on=date(2026, 3, 1), user=maker)
        old = add_member(s, organisation_id=t.orgs["东湖"], household_id=h.id, name="张老",
                         ric=make_ric("320115", date(1940, 3, 3), 13), relation="父亲", user=maker)
        record_membership_event(s, old.id, kind="死亡", event_date=date(2025, 6, 30), basis="死亡证明", user=maker)
        create_parcel(s, organisation_id=t.orgs["东湖"], code="D01", name="东大田", land_class="耕地",
                      area_mu=Decimal("12.3456"), status="机动地", user=maker)
        create_parcel(s, organisation_id=t.orgs["东湖"], code="D02", name="后山", land_class="林地",
                      area_mu=Decimal("30.5000"), status="已发包", user=maker)
        create_parcel(s, organisation_id=t.orgs["南塘"], code="N01", name="塘面", land_class="水面",
                      area_mu=Decimal("8.2500"), status="集体统一经营", user=maker)
    t.vouch("东湖", date(2025, 3, 10), ("101", "1000.00", "0"), ("50101", "0", "1000.00"))
    t.vouch("东湖", date(2025, 5, 10), ("51302", "300.00", "0"), ("101", "0", "300.00"))
    t.vouch("东湖委", date(2025, 4, 1), ("101", "777.00", "0"), ("50101", "0", "777.00"))  # not the collective's
    t.vouch("西岭", date(2025, 6, 1), ("101", "2000.00", "0"), ("51101", "0", "2000.00"))
    t.vouch("南塘", date(2025, 7, 1), ("102", "5000.00", "0"), ("502", "0", "5000.00"))
    t.vouch("北坡", date(2026, 2, 1), ("101", "400.00", "0"), ("50101", "0", "400.00"))
    yield t
    db.close()
