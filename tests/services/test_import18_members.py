"""Member import's fast path (members.member_checker) accepts exactly what check_member_input
accepts, with the same fields, and refuses with the same message; an imported file of rows
with spaces, full-width digits, a lower-case x and odd cells gives the rows the form would."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from desktop_app.core.errors import ValidationError
from desktop_app.core.ids import make_ric
from desktop_app.core.services.members import MemberInput, check_member_input, member_checker
from desktop_app.excel.members_xlsx import import_members_xlsx
from tests.members.conftest import Village, make_village

TODAY = date(2026, 11, 23)
RIC = make_ric("320115", date(1980, 2, 29), 123)
BAD_CHECK = RIC[:17] + ("0" if RIC[17] != "0" else "1")


def _ric(first17: str) -> str:
    from stdnum.cn.ric import calc_check_digit

    return first17 + calc_check_digit(first17 + "0")


@pytest.fixture
def empty_village(tmp_path: Path) -> Iterator[Village]:
    v = make_village(tmp_path / "members.db")
    yield v
    v.db.close()


def _both(*fields: Any) -> tuple[Any, Any]:
    try:
        c = check_member_input(MemberInput(*fields), today=TODAY)
        slow: Any = (c.household_number, c.group_name, c.name, c.ric, c.sex, c.birth_date, c.relation,
                     c.confirmed_on, c.joined_on, c.note)
    except ValidationError as e:
        slow = ("refused", e.field, e.message)
    try:
        fast: Any = member_checker(TODAY)(*fields)
    except ValidationError as e:
        fast = ("refused", e.field, e.message)
    return fast, slow


CASES = {
    "number": ["001", " 001 ", "", "x" * 21, 7],
    "name": ["王建国", " 王建国\u3000", "", "名" * 51],
    "ric": [RIC, RIC.lower(), f" {RIC} ", BAD_CHECK, "１" + RIC[1:], RIC[:15], make_ric("320115", date(2027, 1, 1), 5),
            _ric("32011518991231005"), _ric("32011519800230005"), _ric("32011520261124005"), "", None],
    "relation": ["户主", " 子 ", "朋友", ""],
    "group": ["第一组", "", "组" * 31, None],
    "confirmed": [None, date(2019, 12, 31), date(1979, 1, 1), date(2027, 1, 1), datetime(2019, 12, 31, 8, 0)],
    "joined": [None, date(1980, 2, 29), date(2026, 11, 24)],
    "note": [None, "", "  ", " 备注 ", "注" * 201, 5],
}


def test_fast_path_agrees_with_check_member_input_on_every_mix() -> None:
    base = {k: v[0] for k, v in CASES.items()}
    seen = 0
    for key, values in CASES.items():  # every value of one field with the others clean …
        for value in values:
            fields = {**base, key: value}
            fast, slow = _both(*fields.values())
            assert fast == slow, (key, value)
            seen += 1
    for a, b in itertools.combinations(CASES, 2):  # … and every pair of fields varied together
        for va, vb in itertools.product(CASES[a][:3], CASES[b][:3]):
            fast, slow = _both(*{**base, a: va, b: vb}.values())
            assert fast == slow, (a, va, b, vb)
            seen += 1
    assert seen > 250


@given(st.integers(0, 10**17 - 1), st.sampled_from("0123456789Xx"))
def test_any_check_character_is_judged_as_the_library_judges_it(body: int, last: str) -> None:
    ric = f"320115{body:017d}"[:17] + last
    fast, slow = _both("001", "王建国", ric, "户主", "", None, None, None)
    assert fast == slow


def test_a_file_of_untidy_cells_imports_as_the_form_would_take_them(empty_village: Village, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["户号", "组别", "姓名", "身份证号", "与户主关系", "确认日期", "人口股", "农龄股", "备注"])
    r1, r2, r3 = (make_ric("320115", date(1970 + i, 3, 1), 11 + 2 * i) for i in range(3))
    ws.append([" 501 ", " 第五组 ", " 赵一 ", r1, " 户主 ", date(2019, 12, 31), 1, 0.5, "  "])
    ws.append([501, "第五组", "赵二", r2.replace("X", "x") if "X" in r2 else r2, "配偶", "2019-12-31", "1", None, " 迁入 "])
    ws.append(["501", "第五组", "赵三", "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in r3), "子", None,
               1, 1, None])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    with empty_village.db.begin("test") as s:
        preview, result = import_members_xlsx(s, empty_village.org.id, path, apply=True, event_date=date(2020, 1, 1),
                                              today=TODAY, user=empty_village.user)
    assert preview.errors == () and result is not None and result.members == 3 and result.households == 1
    rows = [(r.household_number, r.group_name, r.name, r.ric, r.relation, r.confirmed_on, r.note) for r in preview.rows]
    assert rows == [("501", "第五组", "赵一", r1, "户主", date(2019, 12, 31), None),
                    ("501", "第五组", "赵二", r2, "配偶", date(2019, 12, 31), "迁入"),
                    ("501", "第五组", "赵三", r3, "子", None, None)]
    assert [r.member.name for r in preview.rows] == ["赵一", "赵二", "赵三"]  # the preview page reads row.member
    assert [(r.sex, r.birth_date) for r in preview.rows] == [
        ("男" if int(r[16]) % 2 else "女", date(int(r[6:10]), int(r[10:12]), int(r[12:14]))) for r in (r1, r2, r3)]
