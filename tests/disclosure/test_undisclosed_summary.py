"""尚未公开 over every book of the township, computed by one query: the same books and states as
the rule says (month, quarter with its three months, year; quarterly villages; townships)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from db.engine import Database
from db.migrate import open_database
from desktop_app.core.ids import make_uscc
from desktop_app.core.rows import BookRow, OrgRow
from desktop_app.core.services.disclosure import (
    compute_disclosure_seal,
    list_undisclosed,
    mark_disclosure_posted,
    parse_disclosure_period,
    record_disclosure_generated,
    update_disclosure_settings,
)
from desktop_app.core.services.orgs import (
    create_book,
    create_organisation,
    create_region,
    list_books,
    list_organisations,
)
from tests.acting import keeper

CODES = ["2026-07", "2026-08", "2026-09", "2026-Q3", "2026"]
OTHER_TOWN = "320115107000"


@pytest.fixture
def township(tmp_path: Path) -> Iterator[Database]:
    """Four demo villages (organisations and books), plus a village of a second township."""
    from desktop_app.core.demo import build_demo

    db = open_database(tmp_path / "township.db")
    with db.begin("demo") as s:
        build_demo(s, villages=4, only=("用户", "组织与账套"))
        create_region(s, code=OTHER_TOWN, name="青山镇", user=keeper(s))
        create_region(s, code="320115107201", name="青山村村民委员会", user=keeper(s))
        org = create_organisation(s, name="青山村股份经济合作社", level="村", uscc=make_uscc("N2320115MF0000991"),
                                  region_code="320115107201", user=keeper(s))
        create_book(s, organisation_id=org.id, name="青山村股份经济合作社", kind="股份经济合作社", start_period="2026-01", user=keeper(s))
    yield db
    db.close()


def expected(code: str, state: dict[tuple[object, str], str], books: list[tuple[OrgRow, BookRow]],
             quarterly: set[object], town: str = "") -> list[tuple[object, str]]:
    """The rule, spelled out book by book."""
    period = parse_disclosure_period(code)
    out = []
    for org, book in books:
        if town and not org.region_code.startswith(town[:9]):
            continue
        if len(period.months) == 1 and org.id in quarterly:
            continue
        own = state.get((book.id, code), "未生成")
        if own == "posted":
            continue
        if len(period.months) == 3 and org.id not in quarterly and all(
                state.get((book.id, m)) == "posted" for m in period.months):
            continue
        out.append((book.id, own))
    return out


def test_undisclosed_books_of_every_village_in_one_query(township: Database) -> None:
    rng = random.Random(18)
    state: dict[tuple[object, str], str] = {}
    with township.begin("test") as s:
        orgs = [o for o in list_organisations(s) if o.level == "村"]
        books = sorted(((o, b) for o in orgs for b in list_books(s, o.id)),
                       key=lambda ob: (ob[0].region_code, ob[0].uscc, ob[1].code))
        quarterly = {orgs[2].id}
        update_disclosure_settings(s, orgs[2].id, frequency="quarter", user=keeper(s))
        fixed = {  # the cases the rule turns on; the other books get their states at random
            books[0][1].id: {"2026-07": "posted", "2026-08": "posted", "2026-09": "posted", "2026-Q3": "未生成",
                             "2026": "已生成未张贴"},  # a monthly village done with its three months
            books[1][1].id: {"2026-07": "posted", "2026-08": "已生成未张贴", "2026-09": "posted",
                             "2026-Q3": "已生成未张贴", "2026": "posted"},  # one month not posted: owes the quarter
        }
        fixed.update({b.id: {"2026-07": "未生成", "2026-08": "已生成未张贴", "2026-09": "未生成", "2026-Q3": "未生成",
                             "2026": "未生成"} for o, b in books if o.id in quarterly})  # owes no month
        assert books[0][0].id not in quarterly and books[1][0].id not in quarterly
        for _org, book in books:
            for code in CODES:
                choice = fixed.get(book.id, {}).get(code) or rng.choice(["未生成", "已生成未张贴", "posted", "posted"])
                if choice == "未生成":
                    continue
                period = parse_disclosure_period(code)
                record_disclosure_generated(s, book_id=book.id, period=period,
                                            seal=compute_disclosure_seal(s, book.id, period), pages=1,
                                            content_sha256="0" * 64, user=keeper(s))
                if choice == "posted":
                    mark_disclosure_posted(s, book_id=book.id, period_code=code, posted_on=date(2026, 11, 5), user=keeper(s))
                state[(book.id, code)] = choice
    assert len({o.region_code[:9] for o in orgs}) == 2 and len(books) > len(orgs)
    names = {b.id: (o.id, o.name, o.uscc, b.name) for o, b in books}
    seen = set()
    with township.read() as s:
        for code in CODES:
            rows = list_undisclosed(s, code)
            assert [(r.book_id, r.status) for r in rows] == expected(code, state, books, quarterly), code
            assert all((r.organisation_id, r.organisation_name, r.uscc, r.book_name) == names[r.book_id] for r in rows)
            seen |= {r.status for r in rows}
            for town in ("320115106000", OTHER_TOWN):
                got = [(r.book_id, r.status) for r in list_undisclosed(s, code, township_code=town)]
                assert got == expected(code, state, books, quarterly, town), (code, town)
        q3 = {r.book_id for r in list_undisclosed(s, "2026-Q3")}
        july = {r.book_id for r in list_undisclosed(s, "2026-07")}
    assert seen == {"未生成", "已生成未张贴"}
    assert books[0][1].id not in q3  # its three posted months stand for the quarter never made
    assert books[1][1].id in q3 and books[1][1].id not in july
    owes_quarter = {b.id for o, b in books if o.id in quarterly}
    assert owes_quarter <= q3 and not july & owes_quarter  # a quarterly village owes no month
