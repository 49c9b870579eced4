"""``entry_tuples.quick_entry_tuples`` is ``check_lines``' common case in stored forms: it accepts
only lines ``check_lines`` accepts, and each line is exactly what ``bulk_insert`` stores from
``entry_rows(…, check_lines(…))``' dict (ids as hex, amounts in 分); ``entry_tuples`` gives the same
tuples from those dicts. Then both ways are written into a real SQLite file and the stored rows
compared, row hashes checked by verify."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from db.changelog import bulk_insert
from db.models import Entry
from db.types import to_scaled_int, uuid7_hex_stream
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.entry_tuples import (
    ENTRY_COLUMNS,
    ENTRY_STORED,
    entry_tuples,
    quick_entry_tuples,
)
from desktop_app.core.services.funds_base import AccountInfo, book_accounts
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.voucher_lines import LineInput, check_lines, entry_rows
from desktop_app.core.services.vouchers import create_voucher
from tests.assets.conftest import make_env


def _acc(code: str, *, leaf: bool = True, active: bool = True) -> AccountInfo:
    return AccountInfo(uuid.uuid5(uuid.NAMESPACE_OID, code), code, f"科目{code}", "资产", "借", None, 1, leaf, active)


ACCOUNTS = {a.code: a for a in (_acc("101"), _acc("102", leaf=False), _acc("10201"), _acc("50101"),
                                _acc("50102", active=False))}
AMOUNTS = [D("0.00"), D("0"), D("-0.00"), D("sNaN"), D("-Infinity"), D("12.34"), D("1.5"), D("1.500"), D("1.505"),
           D("-3.00"), D("7"), D("999999999999.99"), D("1000000000000.00"), D("NaN"), D("Infinity"), 12, 1.5,
           D("30.00"), D("42.34")]
CODES = ["101", "10201", "50101", " 101", "102", "50102", "999", ""]
TEXTS = [None, "", "  ", "收款", " 收款 ", "长" * 200, "长" * 201]
IDS = [None, uuid.UUID(int=7), uuid.UUID("0192f0c4-8e7b-7c3a-9d2e-1f2a3b4c5d6e")]
VID, BOOK = uuid.UUID(int=1), uuid.UUID(int=2)


def _stored(row: dict[str, Any], new_id: str) -> tuple[Any, ...]:
    """What ``bulk_insert`` stores of a dict row, in ENTRY_COLUMNS order."""
    def conv(k: str) -> Any:
        v = row[k]
        if isinstance(v, uuid.UUID):
            return v.hex
        if k in ("debit", "credit"):
            return to_scaled_int(v, 2)
        return v
    return (new_id, *(conv(k) for k in ENTRY_COLUMNS[1:]))


line_st = st.builds(LineInput, st.sampled_from(CODES), st.sampled_from(AMOUNTS), st.sampled_from(AMOUNTS),
                    st.sampled_from(TEXTS), st.sampled_from(TEXTS), st.sampled_from(IDS), st.sampled_from(IDS),
                    st.sampled_from(IDS))


def _checked(lines: list[LineInput]) -> list[dict[str, Any]] | str:
    """What the form's full check makes of the lines: their rows, or its refusal's words."""
    try:
        return entry_rows(VID, BOOK, "2026-01", check_lines(ACCOUNTS, lines))
    except ValidationError as exc:
        return str(exc)


@given(st.lists(line_st, min_size=0, max_size=5))
def test_quick_tuples_are_check_lines_rows_as_stored(lines: list[LineInput]) -> None:
    got = quick_entry_tuples(ACCOUNTS, lines, VID.hex, BOOK.hex, "2026-01", (f"{n:032x}" for n in itertools.count(100)))
    if got is not None:  # accepted only what check_lines accepts, stored as bulk_insert stores its rows
        want = _checked(lines)
        assert not isinstance(want, str), want
        assert got == [_stored(r, f"{100 + i:032x}") for i, r in enumerate(want)]
        assert entry_tuples(want, (f"{n:032x}" for n in itertools.count(100))) == got


def test_quick_tuples_take_the_common_case() -> None:
    lines = [LineInput("101", debit=D("42.34"), summary=" 收款 "), LineInput("50101", credit=D("30.00")),
             LineInput("10201", credit=D("12.34"), counterparty="张三")]
    quick = quick_entry_tuples(ACCOUNTS, lines, VID.hex, BOOK.hex, "2026-01", iter(["a" * 32, "b" * 32, "c" * 32]))
    assert quick is not None and quick[0][6:9] == (4234, 0, "收款") and quick[2][9] == "张三"
    for odd in ([lines[0], LineInput("50101", credit=D("42.33"))],  # unbalanced
                [lines[0], LineInput("102", credit=D("42.34"))],  # a parent account
                [lines[0], LineInput("50101", credit=D("42.345"))],
                [lines[0]]):
        assert quick_entry_tuples(ACCOUNTS, odd, VID.hex, BOOK.hex, "2026-01", uuid7_hex_stream()) is None
        assert isinstance(_checked(odd), str)  # and check_lines words the refusal


def test_both_ways_store_the_same_rows(tmp_path: Path) -> None:
    """Both ways through ``bulk_insert`` into one real database, as lines of one voucher: the same
    stored values but for id and line number, a change-log record each, and ``verify`` (row hashes
    recomputed from the stored values) finds nothing."""
    env = make_env(tmp_path / "ways.db")
    try:
        with env.db.begin("test") as s:
            accounts = book_accounts(s, env.book.id)
            v = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 1, 31), summary="测试",
                               lines=[LineInput("101", debit=D("1.00")), LineInput("10201", credit=D("1.00"))],
                               user=env.user)
            lines = [LineInput("101", debit=D("42.34"), summary=" 收款 ", asset_id=uuid.UUID(int=9)),
                     LineInput("10201", credit=D("30.00"), counterparty="张三"), LineInput("10201", credit=D("12.34"))]
            rows = entry_rows(v.id, env.book.id, "2026-01", check_lines(accounts, lines))
            for r in rows:
                r["line_no"] = int(r["line_no"]) + 10  # type: ignore[call-overload]
            bulk_insert(s, Entry, rows)
            tuples = quick_entry_tuples(accounts, lines, v.id.hex, env.book.id.hex, "2026-01", uuid7_hex_stream())
            assert tuples is not None
            bulk_insert(s, Entry, [(*t[:4], t[4] + 20, *t[5:]) for t in tuples], columns=ENTRY_COLUMNS,
                        stored=ENTRY_STORED)
            got = s.execute(text(
                "SELECT line_no, voucher_id, book_id, period, account_id, debit, credit, summary, counterparty, "
                "project_id, contract_id, asset_id, origin, rev, deleted, id FROM entry WHERE line_no > 10 "
                "ORDER BY line_no")).all()
            logged = s.execute(text("SELECT row_id, op, rev, prev_rev FROM change_log WHERE table_name = 'entry'")).all()
        assert [r[0] for r in got] == [11, 12, 13, 21, 22, 23]
        assert [r[1:15] for r in got[:3]] == [r[1:15] for r in got[3:]]
        assert got[0][5:8] == (4234, 0, "收款") and got[0][11] == uuid.UUID(int=9).hex
        assert {(r[1], r[2], r[3]) for r in logged if r[0] in {g[15] for g in got}} == {("insert", 1, 0)}
        assert len({r[0] for r in logged} & {g[15] for g in got}) == 6
        with env.db.engine.connect() as conn:
            assert [(r.name, r.problems) for r in verify_database(conn) if r.problems] == []
    finally:
        env.db.close()
