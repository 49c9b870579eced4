"""Identifiers: 统一社会信用代码 (GB 32100), 居民身份证号码 (GB 11643), 12-digit 区划代码.

Validators take what a user typed (full-width characters and surrounding spaces are fine),
return the canonical form, and raise ``ValidationError`` with Chinese text naming ``field``.
The ``make_*`` helpers build valid identifiers for demo data and raise ``ValueError`` on bad
arguments (a programming error, not user input).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache
from typing import Final

from desktop_app.core.errors import ValidationError

__all__ = [
    "ORG_USCC_PREFIX",
    "USCC_CHARSET",
    "convert_ric15",
    "make_region_code",
    "make_ric",
    "make_uscc",
    "mask_ric",
    "region_level",
    "region_parent",
    "region_parts",
    "ric_birth_date",
    "ric_sex",
    "uscc_check_char",
    "validate_org_uscc",
    "validate_region_code",
    "validate_ric",
    "validate_uscc",
]


def _clean(text: str) -> str:
    # NFKC turns full-width letters and digits (typed with a Chinese IME) into ASCII.
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    return unicodedata.normalize("NFKC", text).strip().upper()


def _digits(text: str) -> bool:
    # str.isdigit() alone also accepts "٣" and other non-ASCII digits.
    return text.isascii() and text.isdigit()


# --- 统一社会信用代码 (USCC) ---------------------------------------------------------------

USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_USCC_VALUES: Final = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# An organisation's own code must match its level (REFERENCE.md §6.1, N = 农业农村 registration).
ORG_USCC_PREFIX: Final = {"组": "N1", "村": "N2", "乡镇": "N3"}


def uscc_check_char(first17: str) -> str:
    """The 18th character for 17 characters of a USCC (GB 32100 mod-31 check)."""
    if len(first17) != 17 or any(c not in _USCC_VALUES for c in first17):
        raise ValueError(f"need 17 characters from {USCC_CHARSET}, got {first17!r}")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(text: str, *, field: str = "统一社会信用代码") -> str:
    """Check a USCC by GB 32100 and return it upper-case.

    Our own check, not python-stdnum's ``cn.uscc``: that one demands digits in positions 1-8
    and so rejects every N… (农业农村) code, which is what our organisations have.
    """
    code = _clean(text)
    if not code:
        raise ValidationError("请输入统一社会信用代码", field=field)
    if len(code) != 18:
        raise ValidationError(f"统一社会信用代码应为18位，现在是{len(code)}位", field=field)
    for position, char in enumerate(code, start=1):
        if char not in _USCC_VALUES:
            raise ValidationError(
                f"统一社会信用代码第{position}位“{char}”不是有效字符（只用数字和大写字母，不用 I、O、Z、S、V）",
                field=field,
            )
    if not _digits(code[2:8]):
        raise ValidationError("统一社会信用代码第3至8位（登记管理机关行政区划码）应为数字", field=field)
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(f"统一社会信用代码校验位错误，应为 {expected}，请核对号码", field=field)
    return code


def validate_org_uscc(text: str, level: str, *, field: str = "统一社会信用代码") -> str:
    """A collective economic organisation's own USCC: valid and N1/N2/N3 for 组/村/乡镇."""
    try:
        prefix = ORG_USCC_PREFIX[level]
    except KeyError:
        raise ValueError(f"level must be one of {sorted(ORG_USCC_PREFIX)}, got {level!r}") from None
    code = validate_uscc(text, field=field)
    if not code.startswith(prefix):
        raise ValidationError(
            f"{level}级集体经济组织的统一社会信用代码应以 {prefix} 开头，现在是 {code[:2]}", field=field
        )
    return code


def make_uscc(first17: str) -> str:
    """A valid USCC from its first 17 characters (positions 3-8 must be digits)."""
    if not _digits(first17[2:8]):
        raise ValueError(f"positions 3-8 must be digits, got {first17!r}")
    return first17 + uscc_check_char(first17)


# --- 居民身份证号码 (RIC) ------------------------------------------------------------------

_EARLIEST_BIRTH: Final = date(1900, 1, 1)  # earlier dates are typos (or century-off old data)


_RIC_CHECK: Final = "10X98765432"  # the check character by the weighted sum mod 11


def _ric_check_char(first17: str) -> str:
    """The check character of 17 ASCII digits (GB 11643: ISO 7064 MOD 11-2, the weighted sum
    Σ dᵢ·2^(17−i) mod 11). The digits read in base 13 give Σ dᵢ·13^(16−i), and 13 ≡ 2 (mod 11), so
    the sum mod 11 is twice that number's — one conversion in C; an import checks 100,000 numbers
    (a test keeps it equal to python-stdnum's)."""
    return _RIC_CHECK[2 * int(first17, 13) % 11]


@lru_cache(maxsize=8192)
def _birth_date(digits: str) -> date | None:
    """The date of 8 digits YYYYMMDD, or None when there is no such day (a township's members share
    a few thousand birthdays: each read once)."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


_clock_today = date.today()  # the latest day the clock gave: a birth up to it is not in the future


def _after_today(day: date) -> bool:
    """``day > date.today()``, asking the clock only for a day after the latest it gave (a date
    call per number was a quarter of the check)."""
    global _clock_today
    if day <= _clock_today:
        return False
    _clock_today = max(_clock_today, date.today())
    return day > _clock_today


def validate_ric(text: str, *, field: str = "身份证号", today: date | None = None) -> str:
    """Check an 18-digit 身份证号 (length, digits, check character, birth date); return it
    with an upper-case X. ``today`` is for tests; the birth date may not be after it."""
    ric = _clean(text)
    if not ric:
        raise ValidationError("请输入身份证号", field=field)
    if len(ric) != 18:
        if len(ric) == 15 and _digits(ric):
            raise ValidationError("身份证号应为18位；这是15位旧号码，请先转换为18位并核对", field=field)
        raise ValidationError(f"身份证号应为18位，现在是{len(ric)}位", field=field)
    if not (_digits(ric[:17]) and ric[17] in "0123456789X"):
        raise ValidationError("身份证号只能是数字，最后一位可以是 X", field=field)
    if ric[17] != _ric_check_char(ric[:17]):
        raise ValidationError("身份证号校验位错误，请逐位核对号码", field=field)
    birth = _birth_date(ric[6:14])  # the digits are checked above: the birth date is positions 7-14
    if birth is None or birth < _EARLIEST_BIRTH:
        raise ValidationError(f"出生日期无效（{ric[6:14]}）", field=field)
    if birth > today if today is not None else _after_today(birth):
        raise ValidationError(f"出生日期晚于今天（{ric[6:14]}）", field=field)
    return ric


def convert_ric15(text: str, *, field: str = "身份证号") -> str:
    """Upgrade a legacy 15-digit number: insert 19 before the 2-digit year, append the check
    character. The result is validated; callers should flag it for a human to confirm."""
    old = _clean(text)
    if len(old) != 15 or not _digits(old):
        raise ValidationError("15位旧身份证号应为15位数字", field=field)
    first17 = old[:6] + "19" + old[6:]
    return validate_ric(first17 + _ric_check_char(first17), field=field)


def ric_birth_date(ric: str) -> date:
    """Birth date encoded in a valid 18-digit 身份证号."""
    code = validate_ric(ric)
    return date(int(code[6:10]), int(code[10:12]), int(code[12:14]))


def ric_sex(ric: str) -> str:
    """ "男" for an odd sequence number, "女" for an even one."""
    code = validate_ric(ric)
    return "男" if int(code[14:17]) % 2 else "女"


def make_ric(area6: str, birth: date, seq3: int) -> str:
    """A valid 身份证号 for demo data (odd ``seq3`` = 男, even = 女)."""
    if len(area6) != 6 or not _digits(area6):
        raise ValueError(f"area6 must be 6 digits, got {area6!r}")
    if not 0 <= seq3 <= 999:
        raise ValueError(f"seq3 must be 0..999, got {seq3}")
    if birth < _EARLIEST_BIRTH:
        raise ValueError(f"birth date before {_EARLIEST_BIRTH}: {birth}")
    first17 = f"{area6}{birth:%Y%m%d}{seq3:03d}"
    return first17 + _ric_check_char(first17)


def mask_ric(ric: str) -> str:
    """First 6 + ******** + last 4, for anything posted on the public board.

    Never fails: odd stored values are masked too, showing at most 10 characters.
    """
    code = _clean(ric)
    if len(code) < 14:
        return "*" * len(code)
    return code[:6] + "*" * (len(code) - 10) + code[-4:]


# --- 统计用区划代码 (12 digits: 省2 地2 县2 乡镇3 村3) --------------------------------------

_REGION_WIDTHS: Final = (2, 2, 2, 3, 3)
_REGION_LEVELS: Final = ("省", "市", "县", "乡镇", "村")
_REGION_PART_NAMES: Final = ("省级", "地级", "县级", "乡镇级", "村级")


def _split_region(code: str) -> tuple[str, str, str, str, str]:
    return code[0:2], code[2:4], code[4:6], code[6:9], code[9:12]


def validate_region_code(text: str, *, field: str = "区划代码") -> str:
    """Check a 12-digit statistical division code and return it.

    A zero part may only be followed by zero parts: 320100000001 (村 001 under 乡镇 000)
    names nothing.
    """
    code = _clean(text)
    if not code:
        raise ValidationError("请输入区划代码", field=field)
    if len(code) != 12 or not _digits(code):
        raise ValidationError(f"区划代码应为12位数字，现在是“{code}”", field=field)
    parts = _split_region(code)
    if int(parts[0]) == 0:
        raise ValidationError("区划代码前两位（省级）不能为00", field=field)
    for index in range(1, len(parts)):
        if int(parts[index]) != 0 and int(parts[index - 1]) == 0:
            raise ValidationError(
                f"区划代码层级不连续：{_REGION_PART_NAMES[index - 1]}部分为全零，"
                f"{_REGION_PART_NAMES[index]}部分却是{parts[index]}",
                field=field,
            )
    return code


def region_parts(code: str) -> tuple[str, str, str, str, str]:
    """(省, 地, 县, 乡镇, 村) digit strings of a valid code."""
    return _split_region(validate_region_code(code))


def _deepest_part(code: str) -> int:
    parts = region_parts(code)
    return max(i for i, part in enumerate(parts) if int(part) != 0)


def region_level(code: str) -> str:
    """ "省", "市", "县", "乡镇" or "村": the deepest non-zero part."""
    return _REGION_LEVELS[_deepest_part(code)]


def region_parent(code: str) -> str | None:
    """The code one level up (last non-zero part zeroed); None for a province."""
    deepest = _deepest_part(code)
    if deepest == 0:
        return None
    parts = list(region_parts(code))
    parts[deepest] = "0" * _REGION_WIDTHS[deepest]
    return "".join(parts)


def make_region_code(
    province: str, prefecture: str = "00", county: str = "00", township: str = "000", village: str = "000"
) -> str:
    """Join the five parts (each at its exact width) into a valid 12-digit code."""
    parts = (province, prefecture, county, township, village)
    for part, width in zip(parts, _REGION_WIDTHS, strict=True):
        if len(part) != width or not _digits(part):
            raise ValueError(f"region code part {part!r} must be {width} digits")
    try:
        return validate_region_code("".join(parts))
    except ValidationError as error:
        raise ValueError(error.message) from None
