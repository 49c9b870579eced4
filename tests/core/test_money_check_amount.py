"""money.check_amount: the one check of an amount a service is handed (voucher lines, the
distribution's exclusions): exact, two places, within the limit; a float is refused, not rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.core.errors import ValidationError
from desktop_app.core.money import MAX_AMOUNT, check_amount


def test_exact_amounts_come_back_with_two_places() -> None:
    assert str(check_amount(Decimal("12.5"))) == "12.50"
    assert str(check_amount(7)) == "7.00"
    assert str(check_amount(Decimal("1.500"))) == "1.50"  # value-based: 1.500 is 1.50
    assert check_amount(-MAX_AMOUNT, allow_negative=True) == -MAX_AMOUNT


@pytest.mark.parametrize(("value", "kwargs", "words"), [
    (1.5, {}, "必须是精确的数字（不能用浮点数）"),
    (True, {}, "必须是精确的数字"),
    ("12", {}, "必须是精确的数字"),
    (Decimal("NaN"), {}, "无效"),
    (Decimal("1.005"), {}, "1.005 超过两位小数（只能精确到分）"),
    (MAX_AMOUNT + 1, {}, "过大"),
    (Decimal("-1"), {}, "不能为负数"),
    (Decimal("0"), {"allow_zero": False}, "必须大于零"),
])
def test_refusals_name_the_field_and_row(value: object, kwargs: dict[str, bool], words: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_amount(value, field="跨年租金", row=3, **kwargs)
    assert str(err.value.message).startswith("跨年租金") and words in err.value.message
    assert err.value.row == 3 and err.value.field == "跨年租金"


def test_excel_numbers_keep_the_digits_typed() -> None:
    from desktop_app.core.money import excel_number

    assert excel_number(12000.1) == Decimal("12000.1") and str(excel_number(0.1 + 0.2)) == "0.30000000000000004"
    assert excel_number(1234.5) == Decimal("1234.5") and type(excel_number(3.0)) is int and excel_number(3.0) == 3
    assert excel_number(-0.07) == Decimal("-0.07")
    for same in ("12.50", None, 7, Decimal("1.10"), True):
        assert excel_number(same) is same
    assert excel_number(float("nan")) != excel_number(float("nan"))  # not a number stays what it was
