"""Money: parsing what users type, 分 <-> Decimal, display formats and 大写金额.

Money is never a float. Storage holds integer 分; Python code holds ``Decimal`` with two
places. Input with more than two decimals is refused, never rounded; rounding happens only
where a rule asks for it, and then ROUND_HALF_UP (REFERENCE.md "Our decisions").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import MAX_PREC, ROUND_HALF_UP, Context, Decimal, Inexact, localcontext

from desktop_app.core.errors import ValidationError

__all__ = [
    "CENT",
    "MAX_AMOUNT",
    "amount_in_words",
    "check_amount",
    "excel_number",
    "float_decimal",
    "format_amount",
    "from_fen",
    "parse_amount",
    "round_half_up",
    "sum_amounts",
    "to_fen",
]

CENT = Decimal("0.01")
# Largest amount anyone can type (just under 1 万亿元); larger input is a typo or a paste accident.
MAX_AMOUNT = Decimal("999999999999.99")
# SQLite INTEGER is signed 64-bit; a 分 value beyond it cannot be stored.
_MAX_FEN = 2**63 - 1
# Private context so a caller's changed default context cannot alter our rounding.
_CTX = Context(prec=40, rounding=ROUND_HALF_UP)
_EXACT = Context(prec=MAX_PREC)  # scaling 分 to 元 never rounds, whatever the size

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_POSITION_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿")

# Digits with optional 3-digit comma grouping, optional fraction; at least one digit somewhere.
_NUMBER_RE = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?")
_CURRENCY_PREFIXES = ("人民币", "¥")
_CURRENCY_SUFFIX = "元"


def _as_decimal(value: object, what: str = "amount") -> Decimal:
    """Exact Decimal from a Decimal or int; floats are a bug (inexact), not bad input."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be Decimal or int, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, got {result}")
    return result


def _has_more_than_cents(amount: Decimal) -> bool:
    # Value-based: 1.500 is exactly 1.50 and is accepted; 1.505 is not.
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked by callers
    if exponent >= -2:
        return False
    return amount != amount.quantize(CENT, context=_CTX)


def parse_amount(
    value: str | int | Decimal,
    *,
    field: str = "金额",
    allow_negative: bool = False,
    allow_zero: bool = True,
) -> Decimal:
    """Read an amount typed by a user or found in an Excel cell; return it with two places.

    Accepts "1,234.50", full-width "１，２３４．５０", "¥12", "￥12", "12元", "人民币12",
    "-12", the Unicode minus sign, "(12.00)" (negatives only when ``allow_negative``).
    """
    if isinstance(value, str):
        amount = _parse_text(value, field)
    elif isinstance(value, Decimal | int) and not isinstance(value, bool):
        amount = Decimal(value)
        if not amount.is_finite():
            raise ValidationError(f"“{value}”不是有效的金额", field=field)
    else:
        raise TypeError(f"parse_amount takes str, int or Decimal, not {type(value).__name__}")

    if abs(amount) > MAX_AMOUNT:
        raise ValidationError("金额过大，不能超过 999,999,999,999.99 元", field=field)
    if _has_more_than_cents(amount):
        raise ValidationError("金额最多两位小数（到分）", field=field)
    if amount == 0:
        if not allow_zero:
            raise ValidationError("金额不能为零", field=field)
        return Decimal("0.00")  # also turns "-0" into plain zero
    if amount < 0 and not allow_negative:
        raise ValidationError("金额不能为负数", field=field)
    return amount.quantize(CENT, context=_CTX)


def check_amount(value: object, *, field: str = "金额", row: int | None = None, allow_negative: bool = False,
                 allow_zero: bool = True) -> Decimal:
    """The one check of an amount a service is handed (already a number, not text): an exact
    Decimal or int (a float is refused, never rounded), at most two places, within MAX_AMOUNT,
    sign and zero as allowed. Returns it with two places; refusals name the row and field."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(f"{field}必须是精确的数字（不能用浮点数）", row=row, field=field)
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValidationError(f"{field}无效", row=row, field=field)
    if _has_more_than_cents(amount):
        raise ValidationError(f"{field} {amount} 超过两位小数（只能精确到分）", row=row, field=field)
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError(f"{field}过大", row=row, field=field)
    if amount < 0 and not allow_negative:
        raise ValidationError(f"{field}不能为负数", row=row, field=field)
    if amount == 0 and not allow_zero:
        raise ValidationError(f"{field}必须大于零", row=row, field=field)
    return amount.quantize(CENT, context=_CTX)


def excel_number(value: object) -> object:
    """A cell as calamine/openpyxl read it, its number made exact: a float becomes the Decimal of
    its shortest repr, the digits typed (12000.1 → Decimal("12000.1"), never float arithmetic), or
    an int when whole; anything else (text, dates, None, int) comes back as it is."""
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        # whole and exactly representable: an int; 1e300 stays "1E+300", not 301 digits of float error
        return int(value) if value.is_integer() and abs(value) < 2**53 else Decimal(repr(value))
    return value


def _parse_text(text: str, field: str) -> Decimal:
    # NFKC folds full-width digits, ，．（）－￥ and the ideographic space to ASCII.
    s = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if not s:
        raise ValidationError("请输入金额", field=field)
    invalid = ValidationError(f"“{text.strip()}”不是有效的金额", field=field)

    negative = False
    if s.startswith("(") and s.endswith(")"):  # accounting style negative
        negative, s = True, s[1:-1].strip()
    # The sign may come before or after the currency symbol: "-¥12" and "¥-12".
    s, sign = _take_sign(s)
    for prefix in _CURRENCY_PREFIXES:
        if s.startswith(prefix):
            s = s[len(prefix) :].strip()
            break
    if s.endswith(_CURRENCY_SUFFIX):
        s = s[: -len(_CURRENCY_SUFFIX)].strip()
    if sign is None:
        s, sign = _take_sign(s)
    if sign is not None and negative:
        raise invalid  # "(-12)" is not a number anyone means
    negative = negative or sign == "-"

    if not re.search(r"[0-9]", s):
        raise invalid
    if not _NUMBER_RE.fullmatch(s):
        if re.fullmatch(r"[0-9,]+(?:\.[0-9]*)?", s):
            raise ValidationError(f"“{text.strip()}”不是有效的金额（千分位逗号位置不对）", field=field)
        raise invalid
    amount = Decimal(s.replace(",", "").rstrip(".") or "0")
    return -amount if negative else amount


def _take_sign(s: str) -> tuple[str, str | None]:
    if s[:1] in ("-", "+"):
        return s[1:].strip(), s[0]
    return s, None


def to_fen(amount: Decimal) -> int:
    """Integer 分 for storage; an amount with a fraction of a 分 is refused, not rounded."""
    value = _as_decimal(amount)
    if value.adjusted() > 18:
        raise ValueError(f"amount {value} is too large to store")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    coefficient = int("".join(map(str, digits)))
    shift = exponent + 2
    fen: int  # int ** int is typed Any, so say it
    if shift >= 0:
        fen = coefficient * 10**shift
    else:
        # Only trailing zeros may be dropped (1.500 -> 150); counting them avoids huge powers.
        text = str(coefficient)
        if coefficient and len(text) - len(text.rstrip("0")) < -shift:
            raise ValueError(f"amount {value} has more than 2 decimal places")
        fen = int(text[:shift] or "0") if coefficient else 0
    if fen > _MAX_FEN:
        raise ValueError(f"amount {value} is too large to store")
    return -fen if sign else fen


def from_fen(fen: int) -> Decimal:
    """Decimal with exactly two places from integer 分 (built exactly, no context rounding)."""
    if fen.__class__ is not int:  # bool is not 分; a hot path (a depreciation run: one per card)
        raise TypeError(f"fen must be int, not {type(fen).__name__}")
    return Decimal(fen).scaleb(-2, _EXACT)


def float_decimal(value: float) -> Decimal:
    """A finite float cell as the Decimal of the digits typed: ``excel_number``'s rule, always a
    Decimal (a whole float below 2**53 is its int, any other its shortest repr)."""
    return Decimal(int(value)) if value.is_integer() and abs(value) < 2**53 else Decimal(repr(value))


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round to ``places`` decimals, halves away from zero (the accounting rule)."""
    number = _as_decimal(value, "value")
    if places < 0:
        raise ValueError("places must be >= 0")
    return number.quantize(Decimal(1).scaleb(-places), context=_CTX)


def sum_amounts(values: Iterable[Decimal]) -> Decimal:
    """Exact sum (at least two places); raises instead of silently losing digits."""
    ctx = Context(prec=100, traps=[Inexact])
    total = Decimal("0.00")
    with localcontext(ctx):
        for value in values:
            total += _as_decimal(value)
    exponent = total.as_tuple().exponent
    assert isinstance(exponent, int)
    return total.quantize(CENT, context=ctx) if exponent > -2 else total


def format_amount(amount: Decimal, *, blank_zero: bool = False, unit: str = "元") -> str:
    """'#,##0.00' for reports and tables; ``unit='万元'`` scales and rounds half up.

    Display only: an amount with extra decimals (a computed ratio) is rounded half up.
    """
    value = _as_decimal(amount)
    if unit == "万元":
        value = value.scaleb(-4, context=_CTX)
    elif unit != "元":
        raise ValueError(f"unknown unit {unit!r}; use '元' or '万元'")
    if blank_zero and amount == 0:
        return ""
    shown = value.quantize(CENT, context=_CTX)
    if shown == 0:
        shown = Decimal("0.00")  # never print "-0.00"
    return f"{shown:,.2f}"


def amount_in_words(amount: Decimal, *, prefix: bool = False) -> str:
    """大写金额 in our one canonical form (REFERENCE.md "Our decisions", §8.1).

    Every optional 零 is written, 10 to 19 start with 壹拾, 整 follows 元 or 角 but never 分,
    amounts under 1 元 start at 角/分, zero is 零元整. Negative amounts have no 大写.
    """
    value = _as_decimal(amount)
    if value < 0:
        raise ValueError("negative amounts are not written in 大写")
    if value > MAX_AMOUNT:
        raise ValueError(f"amount {value} is too large for 大写")
    fen = to_fen(value)  # refuses fractions of a 分
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)

    words, zero_pending = _integer_words(yuan)
    if yuan == 0 and cents == 0:
        words = "零元整"
    elif cents == 0:
        words += "元整"
    else:
        if yuan:
            words += "元"
            # A zero 元 digit before 角 (optional 零, always written) or a zero 角 before 分 (required).
            if zero_pending or jiao == 0:
                words += "零"
        if jiao:
            words += _DIGITS[jiao] + "角"
        words += _DIGITS[fen_digit] + "分" if fen_digit else "整"
    return "人民币" + words if prefix else words


def _integer_words(number: int) -> tuple[str, bool]:
    """Words for the 元 part and whether it ended in zeros (so a 零 is owed before 角).

    A run of zeros between two non-zero digits becomes one 零, also across 万/亿 boundaries
    (107000 -> 壹拾万零柒仟): that is the optional 零 our canonical form always writes.
    """
    if number == 0:
        return "", False
    text = str(number)
    parts: list[str] = []
    zero_pending = False
    for index, char in enumerate(text):
        position = len(text) - 1 - index  # 0 = 个位
        digit = int(char)
        if digit == 0:
            zero_pending = True
        else:
            if zero_pending:
                parts.append("零")
            parts.append(_DIGITS[digit] + _POSITION_UNITS[position % 4])
            zero_pending = False
        if position % 4 == 0 and position > 0:
            group = (number // 10**position) % 10000
            if group:
                parts.append(_GROUP_UNITS[position // 4])
    return "".join(parts), zero_pending
