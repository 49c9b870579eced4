"""Identifiers: USCC (GB 32100), 身份证 (GB 11643), 12-digit 区划代码 (REFERENCE.md §6)."""

from __future__ import annotations

from datetime import date

import pytest
import stdnum.cn.ric
import stdnum.cn.uscc
from hypothesis import assume, given
from hypothesis import strategies as st

from desktop_app.core.errors import ValidationError
from desktop_app.core.ids import (
    USCC_CHARSET,
    convert_ric15,
    make_region_code,
    make_ric,
    make_uscc,
    mask_ric,
    region_level,
    region_parent,
    region_parts,
    ric_birth_date,
    ric_sex,
    uscc_check_char,
    validate_org_uscc,
    validate_region_code,
    validate_ric,
    validate_uscc,
)

GOOD_USCC = ["N2320115MF00000121", "N2110105MF0000017F", "91350100M000100Y43"]


def _refused(call: object, *args: object, field: str, message: str, **kwargs: object) -> None:
    """``call`` refuses with ``message``; ``field`` is passed on unless it is the default."""
    assert callable(call)
    defaults = {"统一社会信用代码", "身份证号", "区划代码"}
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs) if field in defaults else call(*args, field=field, **kwargs)
    assert caught.value.field == field
    assert message in caught.value.message, caught.value.message


# --- USCC ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", GOOD_USCC)
def test_known_good_uscc(code: str) -> None:
    assert validate_uscc(code) == code
    assert uscc_check_char(code[:17]) == code[17]
    assert make_uscc(code[:17]) == code


def test_uscc_is_cleaned() -> None:
    assert validate_uscc("  n2320115mf00000121 ") == "N2320115MF00000121"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "N2320115MF00000121")  # as a Chinese IME types
    assert validate_uscc(full_width) == "N2320115MF00000121"


def test_stdnum_uscc_rejects_n_codes() -> None:
    # Why we have our own check (REFERENCE.md "Our decisions"); if stdnum is fixed, this tells us.
    assert not stdnum.cn.uscc.is_valid("N2320115MF00000121")
    assert stdnum.cn.uscc.is_valid("91350100M000100Y43")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "请输入统一社会信用代码"),
        ("N2320115MF0000012", "统一社会信用代码应为18位，现在是17位"),
        ("N2320115MF000001210", "统一社会信用代码应为18位，现在是19位"),
        ("N2320115MF00000122", "校验位错误，应为 1"),
        ("91350100M000100Y44", "校验位错误，应为 3"),
        ("N2320115MF0000012I", "第18位“I”不是有效字符"),
        ("N2320115MO00000121", "第10位“O”不是有效字符"),
        ("N232011ZMF00000121", "第8位“Z”不是有效字符"),
        ("S2320115MF00000121", "第1位“S”不是有效字符"),
        ("N2320115MV00000121", "第10位“V”不是有效字符"),
        ("N2320115MF0000-121", "第15位“-”不是有效字符"),
        ("N2A20115MF00000121", "第3至8位（登记管理机关行政区划码）应为数字"),
    ],
)
def test_uscc_refusals(code: str, message: str) -> None:
    _refused(validate_uscc, code, field="承租方代码", message=message)
    _refused(validate_uscc, code, field="统一社会信用代码", message=message)  # default field


@pytest.mark.parametrize(
    ("code", "level"),
    [("N1320115MF0000010X", "组"), ("N2320115MF00000121", "村"), ("N3320115MF00000126", "乡镇")],
)
def test_org_uscc_levels(code: str, level: str) -> None:
    code = make_uscc(code[:17])
    assert validate_org_uscc(code, level) == code


@pytest.mark.parametrize(("level", "prefix"), [("组", "N1"), ("乡镇", "N3")])
def test_org_uscc_wrong_level(level: str, prefix: str) -> None:
    message = f"{level}级集体经济组织的统一社会信用代码应以 {prefix} 开头"
    _refused(validate_org_uscc, "N2320115MF00000121", level, field="本组织代码", message=message)
    _refused(validate_org_uscc, "91350100M000100Y43", level, field="统一社会信用代码", message=message)


def test_org_uscc_checks_the_code_first_and_knows_levels() -> None:
    _refused(validate_org_uscc, "N2320115MF00000122", "村", field="统一社会信用代码", message="校验位错误")
    with pytest.raises(ValueError):
        validate_org_uscc("N2320115MF00000121", "县")


def test_make_uscc_refuses_bad_input() -> None:
    for bad in ("N2320115MF000001", "N2320115MF0000012X", "N2320115MO0000012", "N2A20115MF0000012"):
        with pytest.raises(ValueError):
            make_uscc(bad)


uscc_tail = st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9)
digits = st.text(alphabet="0123456789", min_size=6, max_size=6)
org_first17 = st.builds(
    lambda a, b, d, t: a + b + d + t, st.sampled_from("159NY"), st.sampled_from("1239"), digits, uscc_tail
)


@given(org_first17)
def test_make_uscc_always_validates(first17: str) -> None:
    code = make_uscc(first17)
    assert validate_uscc(code) == code


@given(
    org_first17,
    st.integers(min_value=0, max_value=17),
    st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-*. "),
)
def test_any_single_change_of_a_valid_uscc_is_refused(first17: str, position: int, char: str) -> None:
    code = make_uscc(first17)
    assume(code[position] != char)
    changed = code[:position] + char + code[position + 1 :]
    assume(changed.strip() == changed or len(changed.strip()) != 18)
    with pytest.raises(ValidationError):
        validate_uscc(changed)


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9),
    st.sampled_from(USCC_CHARSET),
    st.booleans(),
)
def test_agrees_with_stdnum_on_all_digit_prefixes(head: str, body: str, check: str, fix: bool) -> None:
    # stdnum's cn.uscc is right where the first 8 characters are digits (e.g. 9x companies).
    code = make_uscc(head + body) if fix else head + body + check
    try:
        validate_uscc(code)
        ours = True
    except ValidationError:
        ours = False
    assert ours == stdnum.cn.uscc.is_valid(code)


# --- 身份证 -------------------------------------------------------------------------------


def test_standard_example_ric() -> None:
    ric = "11010519491231002X"
    assert validate_ric(ric) == ric
    assert validate_ric(" 11010519491231002x ") == ric
    assert ric_birth_date(ric) == date(1949, 12, 31)
    assert ric_sex(ric) == "女"
    assert mask_ric(ric) == "110105********002X"
    assert stdnum.cn.ric.is_valid(ric)


def test_ric_sex_and_birth() -> None:
    male = make_ric("320115", date(1980, 2, 29), 17)
    assert ric_sex(male) == "男"
    assert ric_birth_date(male) == date(1980, 2, 29)
    assert ric_sex(make_ric("320115", date(1980, 2, 29), 18)) == "女"


def test_convert_ric15() -> None:
    assert convert_ric15("110105491231002") == "11010519491231002X"
    _refused(convert_ric15, "11010549123100", field="身份证号", message="15位旧身份证号应为15位数字")
    _refused(convert_ric15, "110105491331002", field="成员身份证", message="出生日期无效")


TODAY = date(2026, 5, 1)


@pytest.mark.parametrize(
    ("ric", "message"),
    [
        ("", "请输入身份证号"),
        ("11010519491231002", "身份证号应为18位"),
        ("110105491231002", "身份证号应为18位"),  # a legacy number: convert it first
        ("1101051949123100200", "身份证号应为18位"),
        ("11010519491231002Y", "身份证号只能是数字，最后一位可以是 X"),
        ("X10105194912310021", "身份证号只能是数字，最后一位可以是 X"),
        ("110105194912310021", "身份证号校验位错误"),
        ("11010519491231003X", "身份证号校验位错误"),
        (make_ric("110105", date(2026, 5, 2), 1), "出生日期晚于今天"),
    ],
)
def test_ric_refusals(ric: str, message: str) -> None:
    _refused(validate_ric, ric, field="成员身份证", message=message, today=TODAY)


def test_ric_invalid_birth_dates() -> None:
    # Right check digit, impossible date: the date check must still catch it.
    for first17 in ("11010519491331002", "11010519490230002", "11010518991231002", "11010500000101002"):
        ric = first17 + stdnum.cn.ric.calc_check_digit(first17 + "0")
        _refused(validate_ric, ric, field="身份证号", message="出生日期无效")


def test_ric_today_defaults_to_the_real_today() -> None:
    ric = make_ric("110105", date(2999, 1, 1), 1)
    _refused(validate_ric, ric, field="身份证号", message="出生日期晚于今天")
    assert validate_ric(ric, today=date(2999, 1, 1)) == ric


def test_make_ric_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        make_ric("11010", date(1980, 1, 1), 1)
    with pytest.raises(ValueError):
        make_ric("110105", date(1980, 1, 1), 1000)
    with pytest.raises(ValueError):
        make_ric("110105", date(1899, 12, 31), 1)


def test_mask_odd_values_never_leak() -> None:
    assert mask_ric("110105491231002") == "110105*****1002"
    assert mask_ric("12345") == "*****"


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)
def test_make_ric_always_validates(area6: str, birth: date, seq3: int) -> None:
    ric = make_ric(area6, birth, seq3)
    assert validate_ric(ric, today=TODAY) == ric
    assert ric_birth_date(ric) == birth
    assert ric_sex(ric) == ("男" if seq3 % 2 else "女")
    assert stdnum.cn.ric.calc_check_digit(ric) == ric[-1]


# --- 区划代码 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("120115106201", "村", "120115106000"),
        ("320115106000", "乡镇", "320115000000"),
        ("320115000000", "县", "320100000000"),
        ("320100000000", "市", "320000000000"),
        ("320000000000", "省", None),
    ],
)
def test_region_levels(code: str, level: str, parent: str | None) -> None:
    assert validate_region_code(code) == code
    assert region_level(code) == level
    assert region_parent(code) == parent


def test_region_parts_and_make() -> None:
    assert region_parts("120115106201") == ("12", "01", "15", "106", "201")
    assert make_region_code("12", "01", "15", "106", "201") == "120115106201"
    assert make_region_code("32") == "320000000000"
    with pytest.raises(ValueError):
        make_region_code("32", "1")
    with pytest.raises(ValueError):
        make_region_code("32", "01", "00", "000", "001")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "请输入区划代码"),
        ("320115", "区划代码应为12位数字"),
        ("32011510620", "区划代码应为12位数字"),
        ("32011510620a", "区划代码应为12位数字"),
        ("000000000000", "前两位（省级）不能为00"),
        ("001501106201", "前两位（省级）不能为00"),
        ("320100000001", "乡镇级部分为全零，村级部分却是001"),
        ("320015000000", "地级部分为全零，县级部分却是15"),
        ("320100106000", "县级部分为全零，乡镇级部分却是106"),
    ],
)
def test_region_refusals(code: str, message: str) -> None:
    _refused(validate_region_code, code, field="村区划代码", message=message)
    _refused(validate_region_code, code, field="区划代码", message=message)


def test_region_helpers_refuse_bad_codes() -> None:
    for helper in (region_level, region_parent, region_parts):
        _refused(helper, "320100000001", field="区划代码", message="层级不连续")


region_codes = st.builds(
    lambda p, c, x, t, v, depth: "".join(
        part if i <= depth else "0" * len(part) for i, part in enumerate((p, c, x, t, v))
    ),
    st.integers(1, 99).map("{:02d}".format),
    st.integers(1, 99).map("{:02d}".format),
    st.integers(1, 99).map("{:02d}".format),
    st.integers(1, 999).map("{:03d}".format),
    st.integers(1, 999).map("{:03d}".format),
    st.integers(0, 4),
)


@given(region_codes)
def test_region_parent_chain_ends_at_a_province(code: str) -> None:
    levels = []
    current: str | None = code
    while current is not None:
        assert validate_region_code(current) == current
        levels.append(region_level(current))
        current = region_parent(current)
    assert levels == ["省", "市", "县", "乡镇", "村"][: len(levels)][::-1]
    assert "".join(region_parts(code)) == code


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), st.integers(min_value=0, max_value=999_999),
       st.integers(min_value=0, max_value=999))
def test_ric_check_character_is_stdnums(area6: str, day: int, seq3: int) -> None:
    """The check character (computed in one base-13 conversion) is python-stdnum's: the number with
    stdnum's character is taken, the same number with any other is refused as 校验位错误."""
    birth = date.fromordinal(date(1900, 1, 1).toordinal() + day % 46000)
    first17 = f"{area6}{birth:%Y%m%d}{seq3:03d}"
    right = str(stdnum.cn.ric.calc_check_digit(first17 + "0"))
    assert validate_ric(first17 + right, today=TODAY) == first17 + right
    for wrong in "0123456789X".replace(right, ""):
        _refused(validate_ric, first17 + wrong, field="身份证号", message="身份证号校验位错误", today=TODAY)


def test_ric_birth_dates_are_read_each_time_alike() -> None:
    """A birthday read before (remembered) is judged the same again: valid, invalid, future."""
    for _ in range(2):
        assert validate_ric(make_ric("110105", date(1980, 2, 29), 3), today=TODAY)
        bad = "11010519810229003"
        _refused(validate_ric, bad + stdnum.cn.ric.calc_check_digit(bad + "0"), field="身份证号",
                 message="出生日期无效")
        _refused(validate_ric, make_ric("110105", date(2999, 1, 1), 1), field="身份证号", message="出生日期晚于今天")
