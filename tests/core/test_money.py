"""Money: parsing, 分 round trip, display formats and 大写金额 (REFERENCE.md §8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.errors import ValidationError
from desktop_app.core.money import (
    CENT,
    MAX_AMOUNT,
    amount_in_words,
    format_amount,
    from_fen,
    parse_amount,
    round_half_up,
    sum_amounts,
    to_fen,
)

D = Decimal

# REFERENCE.md §8.1; where two forms are allowed ours writes the optional 零.
REFERENCE_VECTORS = [
    ("101.50", "人民币壹佰零壹元伍角整"),
    ("1004.56", "人民币壹仟零肆元伍角陆分"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("1320.56", "人民币壹仟叁佰贰拾元零伍角陆分"),
    ("1000.56", "人民币壹仟元零伍角陆分"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    # Both optional 零 (万 digit and 元 digit are zero); the table lists each one alone.
    ("107000.53", "人民币壹拾万零柒仟元零伍角叁分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
]

MORE_VECTORS = [
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("0.05", "伍分"),
    ("0.50", "伍角整"),
    ("0.42", "肆角贰分"),
    ("0", "零元整"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("19", "壹拾玖元整"),
    ("110", "壹佰壹拾元整"),
    ("100.05", "壹佰元零伍分"),
    ("10100", "壹万零壹佰元整"),
    ("100000000", "壹亿元整"),
    ("100010000.00", "壹亿零壹万元整"),
    ("100005000", "壹亿零伍仟元整"),
    ("1000001", "壹佰万零壹元整"),
    ("20000000.30", "贰仟万元零叁角整"),
    ("121000", "壹拾贰万壹仟元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "words"), REFERENCE_VECTORS)
def test_amount_in_words_reference_vectors(amount: str, words: str) -> None:
    assert amount_in_words(D(amount), prefix=True) == words
    assert amount_in_words(D(amount)) == words.removeprefix("人民币")


@pytest.mark.parametrize(("amount", "words"), MORE_VECTORS)
def test_amount_in_words_more_vectors(amount: str, words: str) -> None:
    assert amount_in_words(D(amount)) == words


def test_amount_in_words_refuses() -> None:
    with pytest.raises(ValueError):
        amount_in_words(D("-1.00"))
    with pytest.raises(ValueError):
        amount_in_words(D("1.005"))
    with pytest.raises(ValueError):
        amount_in_words(MAX_AMOUNT + CENT)
    with pytest.raises(TypeError):
        amount_in_words(1.5)  # type: ignore[arg-type]


PARSE_VECTORS = [
    ("1,234.50", "1234.50"),
    ("1234.5", "1234.50"),
    ("１２３４.５", "1234.50"),
    ("１，２３４．５０", "1234.50"),
    ("¥12", "12.00"),
    ("￥12", "12.00"),
    ("12元", "12.00"),
    ("人民币1,000元", "1000.00"),
    ("  12.3  ", "12.30"),
    ("\u300012\u3000", "12.00"),  # ideographic spaces from a Chinese IME
    ("0", "0.00"),
    (".5", "0.50"),
    ("12.", "12.00"),
    ("1.500", "1.50"),  # exactly 1.50: nothing is rounded
    ("1,234,567.89", "1234567.89"),
    ("999,999,999,999.99", "999999999999.99"),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_VECTORS)
def test_parse_amount(text: str, expected: str) -> None:
    result = parse_amount(text)
    assert result == D(expected)
    assert str(result) == expected  # always two places


NEGATIVE_VECTORS = [
    ("-12", "-12.00"),
    ("\u221212", "-12.00"),  # U+2212 minus sign
    ("－12", "-12.00"),  # full-width hyphen-minus
    ("(12.00)", "-12.00"),
    ("（1,234.5）", "-1234.50"),
    ("¥-3", "-3.00"),
    ("-¥3", "-3.00"),
    ("-0", "0.00"),
]


@pytest.mark.parametrize(("text", "expected"), NEGATIVE_VECTORS)
def test_parse_amount_negative_when_allowed(text: str, expected: str) -> None:
    assert str(parse_amount(text, allow_negative=True)) == expected


def test_parse_amount_numbers() -> None:
    assert str(parse_amount(12)) == "12.00"
    assert str(parse_amount(D("3.1"))) == "3.10"
    assert str(parse_amount(D("-3.1"), allow_negative=True)) == "-3.10"


REFUSALS = [
    ("", "请输入金额"),
    ("   ", "请输入金额"),
    ("abc", "不是有效的金额"),
    ("1e3", "不是有效的金额"),
    ("1 234", "不是有效的金额"),
    ("--1", "不是有效的金额"),
    ("(-12)", "不是有效的金额"),
    (",", "不是有效的金额"),
    ("١٢", "不是有效的金额"),  # Arabic-Indic digits are not ours
    ("12,34", "千分位逗号位置不对"),
    ("1,234,5", "千分位逗号位置不对"),
    ("1.234", "金额最多两位小数（到分）"),
    ("0.001", "金额最多两位小数（到分）"),
    ("-12", "金额不能为负数"),
    ("(12.00)", "金额不能为负数"),
    ("1000000000000", "金额过大"),
    ("1,000,000,000,000.00", "金额过大"),
]


@pytest.mark.parametrize(("text", "message"), REFUSALS)
def test_parse_amount_refusals(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, field="租金")
    assert caught.value.field == "租金"
    assert message in caught.value.message


def test_parse_amount_default_field_and_exact_messages() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount("")
    assert (caught.value.field, caught.value.message) == ("金额", "请输入金额")
    with pytest.raises(ValidationError) as caught:
        parse_amount("-1")
    assert caught.value.message == "金额不能为负数"


def test_parse_amount_zero() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount("0.00", field="收款", allow_zero=False)
    assert caught.value.field == "收款"
    assert "金额不能为零" in caught.value.message


def test_parse_amount_refuses_decimal_and_int_input() -> None:
    for value in (D("1.001"), D("NaN"), D("Infinity"), 10**13):
        with pytest.raises(ValidationError) as caught:
            parse_amount(value, field="单价")
        assert caught.value.field == "单价"


@pytest.mark.parametrize("value", [1.5, True, None])
def test_parse_amount_type_errors(value: object) -> None:
    with pytest.raises(TypeError):
        parse_amount(value)  # type: ignore[arg-type]


def test_fen_conversions() -> None:
    assert to_fen(D("1234.56")) == 123456
    assert to_fen(D("-0.05")) == -5
    assert to_fen(D("1.500")) == 150
    assert to_fen(D("1E+3")) == 100000
    assert to_fen(D("0")) == 0
    assert str(from_fen(123456)) == "1234.56"
    assert str(from_fen(-5)) == "-0.05"
    assert str(from_fen(0)) == "0.00"


def test_fen_refusals() -> None:
    with pytest.raises(ValueError):
        to_fen(D("0.001"))
    with pytest.raises(ValueError):
        to_fen(D("1E-1000000"))
    with pytest.raises(ValueError):
        to_fen(D("1E+30"))  # beyond SQLite's 64-bit INTEGER
    with pytest.raises(ValueError):
        to_fen(D("NaN"))
    with pytest.raises(TypeError):
        to_fen(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_fen(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "kwargs", "expected"),
    [
        ("1234.5", {}, "1,234.50"),
        ("-1234.5", {}, "-1,234.50"),
        ("0", {}, "0.00"),
        ("0", {"blank_zero": True}, ""),
        ("5", {"blank_zero": True}, "5.00"),
        ("999999999999.99", {}, "999,999,999,999.99"),
        ("12345678", {"unit": "万元"}, "1,234.57"),
        ("50", {"unit": "万元"}, "0.01"),  # 0.005 万元 rounds half up
        ("49.99", {"unit": "万元"}, "0.00"),
        ("-30", {"unit": "万元"}, "0.00"),  # never "-0.00"
        ("-12345678", {"unit": "万元"}, "-1,234.57"),
    ],
)
def test_format_amount(amount: str, kwargs: dict[str, object], expected: str) -> None:
    assert format_amount(D(amount), **kwargs) == expected  # type: ignore[arg-type]


def test_format_amount_refusals() -> None:
    with pytest.raises(ValueError):
        format_amount(D("1"), unit="千元")
    with pytest.raises(TypeError):
        format_amount(1.0)  # type: ignore[arg-type]


def test_round_half_up() -> None:
    assert round_half_up(D("2.345")) == D("2.35")
    assert round_half_up(D("-2.345")) == D("-2.35")
    assert round_half_up(D("2.5"), 0) == D("3")
    assert round_half_up(D("0.125"), 2) == D("0.13")  # banker's rounding would give 0.12
    assert str(round_half_up(D("7"), 2)) == "7.00"
    with pytest.raises(ValueError):
        round_half_up(D("1"), -1)
    with pytest.raises(TypeError):
        round_half_up(2.345)  # type: ignore[arg-type]


def test_sum_amounts() -> None:
    assert str(sum_amounts([])) == "0.00"
    assert str(sum_amounts([D("0.10")] * 10)) == "1.00"
    assert str(sum_amounts(iter([D("1.5"), D("2")]))) == "3.50"
    big = [D("999999999999.99")] * 1000
    assert sum_amounts(big) == D("999999999999990")
    with pytest.raises(TypeError):
        sum_amounts([D("1"), 0.1])  # type: ignore[list-item]


# --- properties ---------------------------------------------------------------------------

amounts = st.integers(min_value=-to_fen(MAX_AMOUNT), max_value=to_fen(MAX_AMOUNT)).map(from_fen)
non_negative = st.integers(min_value=0, max_value=to_fen(MAX_AMOUNT)).map(from_fen)


@given(st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1))
def test_fen_round_trip(fen: int) -> None:
    assert to_fen(from_fen(fen)) == fen


@given(amounts)
def test_decimal_round_trip(amount: Decimal) -> None:
    assert from_fen(to_fen(amount)) == amount


@given(amounts)
def test_parse_reads_what_format_writes(amount: Decimal) -> None:
    parsed = parse_amount(format_amount(amount), allow_negative=True)
    assert parsed == amount
    assert parsed.as_tuple().exponent == -2


@given(non_negative)
def test_amount_in_words_character_rules(amount: Decimal) -> None:
    words = amount_in_words(amount)
    assert not set(words) & set("一二三十两毛另\u30070123456789")  # \u3007 is the ideographic zero
    assert words.endswith(("整", "分"))
    assert not words.endswith("分整")
    assert "零零" not in words
    assert not words.startswith("零") or words == "零元整"
    # Every unit follows a digit: 壹拾, never a bare 拾 (nor 零拾).
    for index, char in enumerate(words):
        if char in "拾佰仟角分":
            assert index > 0 and words[index - 1] in "壹贰叁肆伍陆柒捌玖"
    assert _decode_words(words) == amount


def _decode_words(words: str) -> Decimal:
    """An independent reader of 大写, to check the words say the right amount."""
    digits = "零壹贰叁肆伍陆柒捌玖"
    units = {"拾": 10, "佰": 100, "仟": 1000}
    total = section = number = 0
    fen = 0
    for char in words.removeprefix("人民币"):
        if char in digits:
            number = digits.index(char)
        elif char in units:
            section += number * units[char]
            number = 0
        elif char == "亿":
            total = (total + section + number) * 10**8
            section = number = 0
        elif char == "万":
            total += (section + number) * 10**4
            section = number = 0
        elif char == "元":
            fen += (total + section + number) * 100
            total = section = number = 0
        elif char == "角":
            fen += number * 10
            number = 0
        elif char == "分":
            fen += number
            number = 0
        else:
            assert char == "整", char
    return from_fen(fen)


@given(st.lists(amounts, max_size=50))
def test_sum_amounts_matches_integer_sum(values: list[Decimal]) -> None:
    assert sum_amounts(values) == from_fen(sum(to_fen(v) for v in values))
