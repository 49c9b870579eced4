"""District statistics fixtures (issue #13): a hand-made township whose figures are worked out
by hand, carried into a district through the real export and import; and the demo township's
exchange (tests/sync/conftest.py's ``sync_pair``).

Both engines (``engine_kind``, tests/pg_support.py): the district's figures are read from
``HandTown.view`` — the district file itself on SQLite; on PostgreSQL a database that
``refresh_view`` makes an exact copy of the district file after each carry (the sync import into
PostgreSQL is helper work in progress: DESIGN-NOTES 35), so every district service and report
is run against PostgreSQL on the very rows the real import wrote."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import desktop_app.sync  # noqa: F401  (registers the district guard)
from db.engine import Database
from db.migrate import open_database
from desktop_app.core.ids import make_uscc
from desktop_app.core.rows import UserRow
from desktop_app.core.services.orgs import create_book, create_organisation, create_region
from desktop_app.core.services.users import create_user
from desktop_app.core.services.vouchers import LineInput, create_voucher, post_voucher, review_voucher
from desktop_app.sync import identity
from tests.pg_support import mirror_database
from tests.sync.conftest import SyncPair, make_district, sync_pair, trust_each_other

__all__ = ["HandTown", "PgView", "hand_town", "pg_view", "sync_pair"]


@dataclass
class PgView:
    """Where a test reads its district from: the file, or its PostgreSQL copy (``url``)."""

    engine_kind: str
    url: str = ""
    work_dir: Path | None = None
    db: Database | None = None

    def of(self, district: Database) -> Database:
        """The database to read ``district``'s figures from, as of now (a fresh copy on PostgreSQL)."""
        if self.engine_kind == "sqlite":
            return district
        self.close()
        assert self.work_dir is not None
        self.db = mirror_database(district, self.url, self.work_dir)
        return self.db

    def target(self, district: Database) -> str:
        """``--db`` for the CLI: the file, or the PostgreSQL URL."""
        return str(district.path) if self.engine_kind == "sqlite" else self.url

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


@pytest.fixture
def pg_view(engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[PgView]:
    if engine_kind == "sqlite":
        yield PgView("sqlite")
        return
    monkeypatch.setenv("SUNSHINE_LEDGER_DATA", str(tmp_path / "data"))  # the CLI's data folder for a URL
    view = PgView("postgresql", str(request.getfixturevalue("pg_migrated_url")), tmp_path / "pg-work")
    yield view
    view.close()


@dataclass
class HandTown:
    """Two townships' worth of villages in one township file (regions 106 and 107 of 江宁区)."""

    town: Database
    district: Database
    stick: Path
    maker: UserRow
    reviewer: UserRow
    books: dict[str, uuid.UUID] = field(default_factory=dict)  # village short name → its own book
    orgs: dict[str, uuid.UUID] = field(default_factory=dict)
    pg: PgView = field(default_factory=lambda: PgView("sqlite"))
    view: Database | None = None  # the district as the tests read it (see the module's docstring)

    def refresh_view(self) -> Database:
        """After packages were imported into ``district``: the database to read its figures from."""
        self.view = self.pg.of(self.district)
        return self.view

    @property
    def db_arg(self) -> str:
        """``--db`` naming the district (the file, or the PostgreSQL URL of its copy)."""
        return self.pg.target(self.district)

    def vouch(self, book: str, day: date, *lines: tuple[str, str, str], post: bool = True) -> uuid.UUID:
        with self.town.begin("test") as s:
            v = create_voucher(s, book_id=self.books[book], voucher_date=day, summary="测试收入",
                               lines=[LineInput(c, Decimal(d), Decimal(cr)) for c, d, cr in lines], user=self.maker)
            if post:
                review_voucher(s, v.id, user=self.reviewer)
                post_voucher(s, v.id, user=self.maker)
        return v.id

    def carry(self) -> None:
        pair = SyncPair(self.town, self.district, self.stick)
        _out, report = pair.carry(self.town, self.district)
        assert not report.problems, report.problems
        self.refresh_view()


VILLAGES = (  # short name, region code, name, chart
    ("东湖", "320115106201", "东湖村股份经济合作社", "2023"),
    ("西岭", "320115106202", "西岭村股份经济合作社", "2004"),
    ("南塘", "320115107201", "南塘村股份经济合作社", "2023"),
    ("北坡", "320115107202", "北坡村股份经济合作社", "2023"),
)


@pytest.fixture
def hand_town(tmp_path: Path, pg_view: PgView) -> Iterator[HandTown]:
    town = open_database(tmp_path / "town" / "town.db")
    with town.begin("admin") as s:
        identity.set_site(s, "township", "江宁区各镇（测试）", "320115106")
    district = make_district(tmp_path / "district" / "district.db")
    trust_each_other(town, district)
    stick = tmp_path / "stick"
    stick.mkdir()
    with town.begin("test") as s:
        maker = create_user(s, username="kj", display_name="王会计", password="secret1", roles=["bookkeeper"])
        rev = create_user(s, username="sh", display_name="李审核", password="secret1", roles=["reviewer"])
        h = HandTown(town, district, stick, maker, rev, pg=pg_view, view=district)
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115107000", "月湖镇")):
            create_region(s, code=code, name=name, user=maker)
        for i, (short, code, name, chart) in enumerate(VILLAGES):
            create_region(s, code=code, name=f"{short}村村民委员会", user=maker)
            org = create_organisation(s, name=name, level="村", uscc=make_uscc(f"N2320115MF0000{i:03d}"),
                                      region_code=code, user=maker)
            book = create_book(s, organisation_id=org.id, name=name, kind="股份经济合作社", start_period="2025-01",
                               chart_version=chart, user=maker)
            h.orgs[short], h.books[short] = org.id, book.id
        # 东湖's village committee keeps a book of its own: never counted as the collective's income
        committee = create_book(s, organisation_id=h.orgs["东湖"], name="东湖村村民委员会", kind="村民委员会",
                                start_period="2025-01", credit_code=make_uscc("54320115MF0000001"), user=maker)
        h.books["东湖委"] = committee.id
    yield h
    town.close()
    district.close()
