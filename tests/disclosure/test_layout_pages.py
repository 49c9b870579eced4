"""No page is wasted and every page is signed, over a whole demo township (3 villages, 2 years):
every book is laid out for every month, quarter and year on A4 and on the A3 board sheet, and every
page holds at least one table row or body paragraph besides its headers, notes and footer, and
carries the sign-off lines in its footer. A sample is rendered and read back: sign-off lines,
公开日期 and 监督电话 on every page, page x/y counted per book, the same bytes twice."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import Database
from db.migrate import open_database
from desktop_app.core.services.disclosure import parse_disclosure_period
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.reports.disclosure.builder import build_disclosure, build_sheet
from desktop_app.reports.disclosure.layout import CONTENT_KINDS, page_kinds
from tests.conftest import copy_of

from .conftest import pdf_lines

pytestmark = pytest.mark.slow

MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13) if (y, m) <= (2026, 11)]
PERIODS = [*MONTHS, *(f"{y}-Q{q}" for y in (2025, 2026) for q in range(1, 5) if (y, q) <= (2026, 4)), "2025", "2026"]


@pytest.fixture(scope="module")
def township(two_year_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_database(copy_of(two_year_demo, tmp_path_factory.mktemp("layout_pages")))
    yield database
    database.close()


def _books(db: Database) -> list[tuple[uuid.UUID, uuid.UUID, str, str]]:
    with db.begin() as s:
        return [(o.id, b.id, b.name, b.start_period) for o in list_organisations(s) if o.level == "村"
                for b in list_books(s, o.id)]


@pytest.mark.parametrize("a3", [False, True], ids=["A4", "A3"])
def test_every_page_of_every_sheet_holds_content_and_is_signed(township: Database, a3: bool) -> None:
    books = _books(township)
    assert len({org for org, *_ in books}) == 3
    seen = 0
    wasted: list[str] = []
    with township.begin() as s:
        for _org, book_id, name, start in books:
            for code in PERIODS:
                period = parse_disclosure_period(code)
                if period.last < start:
                    continue
                sheet = build_sheet(s, book_id, period, a3=a3)[0]
                for n, ops in enumerate(sheet.pages, start=1):
                    kinds = page_kinds(ops)
                    seen += 1
                    assert kinds[-1] == "signoff", (name, code, n)
                    if not CONTENT_KINDS & set(kinds):
                        wasted.append(f"{name} {code} 第{n}页: {kinds}")
    assert seen > 500
    assert not wasted, "\n".join(wasted[:20])


@pytest.mark.parametrize("a3", [False, True], ids=["A4", "A3"])
def test_rendered_pages_carry_the_sign_off_and_their_books_page_numbers(township: Database, a3: bool) -> None:
    books = _books(township)
    org_id = books[0][0]
    for code in ("2026-10", "2026-Q3"):
        with township.begin() as s:
            doc = build_disclosure(s, org_id, code, a3=a3)
            again = build_disclosure(s, org_id, code, a3=a3)
        assert doc.pdf == again.pdf  # deterministic
        pages = pdf_lines(doc.pdf)
        assert len(pages) == doc.pages == sum(sheet.pages for sheet in doc.sheets)
        assert len(doc.sheets) > 1
        numbers = []
        for lines in pages:
            text = "\n".join(lines)
            for needed in ("制表人（会计）", "单位负责人（签字）", "审核意见", "公开日期", "监督电话"):
                assert needed in text, (code, needed, text[-400:])
            (found,) = re.findall(r"第 (\d+) 页 / 共 (\d+) 页", text)
            numbers.append((int(found[0]), int(found[1])))
        expected = [(n, sheet.pages) for sheet in doc.sheets for n in range(1, sheet.pages + 1)]
        assert numbers == expected
