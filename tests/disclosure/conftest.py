"""Fixtures of the disclosure tests: a small demo township (real SQLite, built once per session and
copied per test), a hand-made village with a 300-voucher month, and PDF reading helpers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from db.backup import backup_file
from db.engine import Database
from db.migrate import open_database
from desktop_app.core.rows import BookRow, OrgRow, UserRow

PERIOD = "2026-10"  # closed in the demo (its "today" is 2026-11-23)


@dataclass
class Village:
    db: Database
    org: OrgRow
    book: BookRow
    reviewer: UserRow


@pytest.fixture(scope="session")
def disclosure_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from desktop_app.core.demo import build_demo

    path = tmp_path_factory.mktemp("disclosure") / "demo.db"
    database = open_database(path)
    with database.begin("demo") as s:
        build_demo(s, villages=2, years=2, seed=11)
    database.close()
    return path


@pytest.fixture
def village(disclosure_demo: Path, tmp_path: Path) -> Iterator[Village]:
    """A private copy of the demo; the first village and its main book."""
    from desktop_app.core.services.orgs import list_books, list_organisations
    from desktop_app.core.services.users import list_users

    database = open_database(backup_file(disclosure_demo, tmp_path / "demo.db"))
    with database.begin() as s:
        org = next(o for o in list_organisations(s) if o.level == "村")
        book = list_books(s, org.id)[0]
        reviewer = next(u for u in list_users(s) if u.has_role("reviewer"))
    yield Village(database, org, book, reviewer)
    database.close()


LONG = ("支付村内主干道及三条支路硬化工程第二期进度款（含排水沟、路肩培土及两处涵洞加固），"
        "按合同约定比例支付，附监理签证单和验收记录")


@pytest.fixture(scope="session")
def busy_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A village whose 2026-03 has 300 posted vouchers, some with very long summaries."""
    from desktop_app.core.services.orgs import create_book, create_organisation, create_region
    from desktop_app.core.services.users import create_user
    from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers
    from desktop_app.core.services.voucher_lines import LineInput

    path = tmp_path_factory.mktemp("busy") / "busy.db"
    database = open_database(path)
    with database.begin("test") as s:
        maker = create_user(s, username="kj", display_name="王会计", password="secret1", roles=["bookkeeper"])
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115106201", "东湖村村民委员会")):
            create_region(s, code=code, name=name, user=maker)
        org = create_organisation(s, name="东湖村股份经济合作社", level="村", uscc="N2320115MF00000121",
                                  region_code="320115106201", user=maker)
        book = create_book(s, organisation_id=org.id, name="东湖村股份经济合作社", kind="股份经济合作社",
                           start_period="2026-01", user=maker)
        vouchers = []
        for i in range(300):
            day = date(2026, 3, 1 + i % 28)
            amount = Decimal(100 + i * 7) + Decimal("0.35")
            if i % 3 == 0:
                lines = [LineInput("102", amount, Decimal(0)), LineInput("50101", Decimal(0), amount,
                                                                        counterparty=f"租户{i:03d}号")]
                summary = f"收第{i}号门面房租金"
            elif i % 3 == 1:
                lines = [LineInput("51302", amount, Decimal(0)), LineInput("102", Decimal(0), amount)]
                summary = LONG if i % 10 == 1 else f"购买办公用品第{i}批"
            else:
                lines = [LineInput("101", amount, Decimal(0)), LineInput("102", Decimal(0), amount)]
                summary = f"从银行提取备用金（第{i}次）"
            vouchers.append(BulkVoucher(day, summary, lines))
        bulk_post_vouchers(s, book.id, vouchers, maker=maker)
    database.close()
    return path


_TEXT_CACHE: dict[tuple[str, int | None], list[list[str]]] = {}


def pdf_lines(pdf: bytes, pages: int | None = None) -> list[list[str]]:
    """The text lines of every page (or the first ``pages``), read back with pdfplumber.
    Renders are deterministic, so the same bytes are only read once per session."""
    import hashlib
    import io

    key = (hashlib.sha256(pdf).hexdigest(), pages)
    if key not in _TEXT_CACHE:
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            _TEXT_CACHE[key] = [(p.extract_text() or "").splitlines() for p in doc.pages[:pages]]
    return _TEXT_CACHE[key]


def codes_in(pdf: bytes) -> set[str]:
    """The check codes (校验码 SL2-…) printed on the first page, read back from the PDF text."""
    from desktop_app.reports.sealing import find_codes

    return {c for page in pdf_lines(pdf, 1) for line in page for c in find_codes(line)}


def book_ids(db: Database, org_id: uuid.UUID) -> list[uuid.UUID]:
    from desktop_app.core.services.orgs import list_books

    with db.begin() as s:
        return [b.id for b in list_books(s, org_id)]
