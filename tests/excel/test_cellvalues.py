"""Cell values as people write them (issue #15): every kind reads its cells through these."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from desktop_app.core.cellvalues import (
    CellError,
    cell_date,
    cell_number,
    cell_relation,
    cell_ric,
    cell_text,
    cell_yes_no,
)


@pytest.mark.parametrize(("raw", "units", "expected"), [
    ("1股", ("股",), Decimal(1)),
    ("3.5亩", ("亩",), Decimal("3.5")),
    ("1,200元", ("元",), Decimal(1200)),
    ("1.2万元", ("元",), Decimal(12000)),
    ("¥1,200", ("元",), Decimal(1200)),
    ("１２００", (), Decimal(1200)),  # full-width digits
    ("　３．５　亩", ("亩",), Decimal("3.5")),  # full-width point and spaces
    (3.5, (), Decimal("3.5")),
    (0.1, (), Decimal("0.1")),  # the float's shortest repr, never 0.1000000000000000055…
    (12000.0, (), Decimal(12000)),
    (7, (), Decimal(7)),
    (None, (), None),
    ("", (), None),
    ("-", (), None),
])
def test_numbers_with_units_and_full_width(raw: object, units: tuple[str, ...], expected: Decimal | None) -> None:
    got = cell_number(raw, units=units)
    assert got == expected
    assert got is None or isinstance(got, Decimal)


@pytest.mark.parametrize(("raw", "says"), [
    ("abc", "“abc”不是面积"),
    ("1股", "可带单位“亩”"),  # a unit the column does not take
    ("1.2.3", "请只填写数字"),
    (True, "不是面积"),
    (date(2020, 1, 1), "是日期，不是面积"),
])
def test_bad_numbers_say_what_to_write(raw: object, says: str) -> None:
    with pytest.raises(CellError) as err:
        cell_number(raw, units=("亩",), label="面积")
    assert says in err.value.message


def test_wan_yuan_only_for_money() -> None:
    """万 scales only a 元 column: 1.2万 in a 亩 column is not a number."""
    assert cell_number("1.2万元", units=("元",)) == Decimal(12000)
    assert str(cell_number("1.2万", units=("元",))) == "12000"  # no decimal places nobody wrote
    assert str(cell_number("1.23456万元", units=("元",))) == "12345.6"
    with pytest.raises(CellError):
        cell_number("1.2万亩", units=("亩",))


@pytest.mark.parametrize("raw", [
    "2020年1月31日", "2020.1.31", "2020/1/31", "2020-01-31", "2020 年 1 月 31 日", "２０２０－０１－３１",
    "2020年1月31号", 20200131, "20200131", 43861, 43861.0, datetime(2020, 1, 31), date(2020, 1, 31), "2020-01-31 00:00",
])
def test_dates_in_the_common_forms(raw: object) -> None:
    assert cell_date(raw) == date(2020, 1, 31)


def test_empty_date_is_none() -> None:
    assert cell_date(None) is None
    assert cell_date("") is None


@pytest.mark.parametrize(("raw", "says"), [
    ("2021-2-29", "2021年没有2月29日"),
    ("2021年2月29日", "2021年没有2月29日"),
    (20210229, "2021年没有2月29日"),
    ("2020-01", "只有年月，请写到日，如 2020-01-01"),
    ("2020年1月", "只有年月，请写到日，如 2020-01-01"),
    ("昨天", "应写成 2020-01-31 或 2020年1月31日"),
    (True, "不是出生日期"),
])
def test_bad_dates_refused(raw: object, says: str) -> None:
    with pytest.raises(CellError) as err:
        cell_date(raw, label="出生日期")
    assert says in str(err.value)


def test_29_february_of_a_leap_year_is_a_date() -> None:
    assert cell_date("2020年2月29日") == date(2020, 2, 29)


WIDE_RIC = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002x")  # full-width digits and x


@pytest.mark.parametrize("raw", [
    "11010519491231002x", " 1101 0519 4912 3100 2X ", WIDE_RIC, "110105-19491231-002X",
])
def test_ric_folded_and_upper_case_x(raw: str) -> None:
    assert cell_ric(raw) == "11010519491231002X"


@pytest.mark.parametrize("raw", [110105194912310021.0, 110105194912310021, 1.10105194912310e17])
def test_ric_stored_as_a_number_is_refused(raw: object) -> None:
    with pytest.raises(CellError, match="设为文本格式"):
        cell_ric(raw)


def test_empty_ric() -> None:
    assert cell_ric(None) == ""


@pytest.mark.parametrize(("raw", "relation"), [
    ("长子", "子"), ("次子", "子"), ("次女", "女"), ("长女", "女"), ("妻", "配偶"), ("丈夫", "配偶"),
    ("外孙女", "孙女"), ("儿媳妇", "儿媳"), ("婆婆", "母亲"), ("本人", "户主"), ("户 主", "户主"),
    ("22", "子"), ("31", "女"), ("10", "配偶"), ("02", "户主"),
    ("2", "户主"), (2, "户主"), (2.0, "户主"),  # a code stored as a number lost its leading 0: 02 is 户主
    (1, "户主"),  # 01 本人
    ("侄子", "其他"), (None, ""), ("", ""),
])
def test_relations_by_gbt_4761(raw: object, relation: str) -> None:
    assert cell_relation(raw) == relation


def test_unknown_relation_lists_the_allowed_ones() -> None:
    with pytest.raises(CellError) as err:
        cell_relation("邻居")
    assert "“邻居”无法识别" in str(err.value) and "户主、配偶" in str(err.value) and "GB/T 4761" in str(err.value)


@pytest.mark.parametrize(("raw", "value"), [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("√", True), ("TRUE", True), ("false", False),
    (1, True), (0, False), (True, True), (None, False), ("", False), ("有", True), ("无", False),
])
def test_yes_no(raw: object, value: bool) -> None:
    assert cell_yes_no(raw) is value


def test_yes_no_refuses_anything_else() -> None:
    with pytest.raises(CellError, match="是否户主“也许”应填“是”或“否”"):
        cell_yes_no("也许", label="是否户主")


@pytest.mark.parametrize(("raw", "text"), [
    (" 张 三 ", "张三"), ("\uff21\uff22\uff23\u3000\uff11\uff12", "ABC 12"), (12000.0, "12000"), (1.5, "1.5"), (None, ""),
    (date(2020, 1, 31), "2020-01-31"), (datetime(2020, 1, 31, 8, 30), "2020-01-31 08:30:00"), (True, "是"),
    ("Li  Ming", "Li Ming"),
])
def test_text(raw: object, text: str) -> None:
    assert cell_text(raw) == text
