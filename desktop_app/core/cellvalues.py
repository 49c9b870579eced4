"""Values as people write them in a spreadsheet cell, read into exact values (issue #15).

Every importer reads its cells through these, so "1股", "3.5亩", "1,200元", "１２００", " 张 三 ",
"2020年1月31日", "2020.1.31", 20200131, an Excel date serial, 长子 (GB/T 4761) and a lower-case x in
a 身份证号 mean the same in every kind. Each function takes the raw cell (as python-calamine gives
it: str, float, int, bool, date, datetime or None) and returns the value, or raises ``CellError``
with a Chinese message that says what to write instead. No Qt, no openpyxl: services may use them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from desktop_app.core.money import excel_number

__all__ = [
    "GBT4761",
    "CellError",
    "cell_date",
    "cell_number",
    "cell_relation",
    "cell_ric",
    "cell_text",
    "cell_words",
    "cell_yes_no",
    "fold",
]


class CellError(ValueError):
    """A cell that cannot be read as the column's value; ``str(e)`` says why and what to write."""

    @property
    def message(self) -> str:
        return str(self)


_SPACES = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def fold(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation to ASCII, the ideographic space to a space),
    trimmed, runs of spaces made one, and no space between two Chinese characters ("张 三" → "张三")."""
    s = unicodedata.normalize("NFKC", text).strip()
    if " " in s or "\t" in s or "\n" in s:
        s = _CJK_GAP.sub("", _SPACES.sub(" ", s))
    return s


def cell_words(value: object) -> str:
    """Free text (a name, place, note, 摘要) as written: trimmed, runs of spaces (the ideographic
    one too) made one, none between two Chinese characters — but NOT folded: "（第一组）" and "，"
    stay full-width, so a name read back from an export compares equal to the registered one.
    Non-text cells as ``cell_text``."""
    if not isinstance(value, str):
        return cell_text(value)
    s = value.strip(" \t\r\n\u3000")
    if " " in s or "\t" in s or "\n" in s or "\u3000" in s:
        s = _CJK_GAP.sub("", _SPACES.sub(" ", s.replace("\u3000", " ")))
    return s


def cell_text(value: object) -> str:
    """The cell as text, folded (``fold``: for codes, numbers and words compared with a list): a
    number as the digits typed (12000.0 → "12000"), a date as 2020-01-31. Free text a person wrote
    and wants kept as written goes through ``cell_words``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    number = excel_number(value)
    if isinstance(number, Decimal):
        return format(number.normalize(), "f")
    return str(number)


# units a number may carry in its cell; 万 scales (1.2万元 = 12000 元)
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?")
_CURRENCY = ("人民币", "¥", "RMB")


def cell_number(value: object, *, units: tuple[str, ...] = (), label: str = "数值") -> Decimal | None:
    """A number, exactly; None for an empty cell. Text may carry one of ``units`` after the digits
    ("1股", "3.5亩", "1,200元"; for 元 also "1.2万元" and "¥1,200"), full-width digits and
    thousands commas. ``label`` names the column in the message."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"“{'TRUE' if value else 'FALSE'}”不是{label}，请填写数字")
    if isinstance(value, (date, datetime)):
        raise CellError(f"“{cell_text(value)}”是日期，不是{label}；请把该列设为数字格式后重新填写")
    number = excel_number(value)
    if isinstance(number, int):
        return Decimal(number)
    if isinstance(number, Decimal):
        return number
    text = fold(str(value)).replace(" ", "")
    if not text or text in ("-", "—", "/", "无"):
        return None
    s = text
    scale = Decimal(1)
    for prefix in _CURRENCY:
        if s.startswith(prefix) and "元" in units:
            s = s[len(prefix):]
    for unit in sorted(units, key=len, reverse=True):
        if unit and s.endswith(unit):
            s = s[: -len(unit)]
            if unit == "元" and s.endswith("万"):
                s, scale = s[:-1], Decimal(10000)
            break
    else:
        if "元" in units and s.endswith("万"):  # "1.2万" in a 元 column
            s, scale = s[:-1], Decimal(10000)
    if not s or not _NUMBER.fullmatch(s) or not re.search(r"\d", s):
        hint = f"，可带单位“{'/'.join(units)}”" if units else ""
        raise CellError(f"“{text}”不是{label}：请只填写数字{hint}，如 {'1,200' if '元' in units else '3.5'}")
    try:
        number = Decimal(s.replace(",", "")) * scale
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise CellError(f"“{text}”不是{label}") from None
    if scale == 1:
        return number
    # 1.2万元 is 12000 元, not 12000.0: no decimal places the person did not write
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


_EPOCH = date(1899, 12, 30)  # Excel's day 0 in the 1900 system (its 29 Feb 1900 is before 1 Mar 1900)
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _ymd(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise CellError(f"“{text}”不是存在的日期（{y}年没有{m}月{d}日）") from None


def cell_date(value: object, *, label: str = "日期") -> date | None:
    """A date; None for an empty cell. Accepts real date cells, Excel date serials, 20200131, and
    the common text forms 2020-1-31, 2020/1/31, 2020.1.31, 2020年1月31日 (full-width too)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError(f"“{cell_text(value)}”不是{label}")
    number = excel_number(value)
    if isinstance(number, int):
        if 19000101 <= number <= 29991231:
            return _ymd(number // 10000, number // 100 % 100, number % 100, str(number))
        if 1 <= number <= 2958465:  # a date cell whose format was lost: Excel's day number
            return _EPOCH + timedelta(days=number)
        raise CellError(f"“{number}”不是{label}，应写成 2020-01-31 或 2020年1月31日")
    text = fold(str(value))
    if not text:
        return None
    m = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if m is None:
        ym = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text)
        if ym:
            raise CellError(f"“{text}”只有年月，请写到日，如 {ym.group(1)}-{int(ym.group(2)):02d}-01")
        raise CellError(f"“{text}”不是{label}，应写成 2020-01-31 或 2020年1月31日")
    return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)


def cell_ric(value: object) -> str:
    """A 身份证号 as text: spaces dropped, full-width folded, a final x made X. A number cell is
    refused (Excel keeps 15 digits: the last ones are already lost)."""
    if value is None:
        return ""
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and value >= 10**14):
        raise CellError("身份证号被保存成了数字（末几位已丢失），请把该列设为文本格式后重新填写")
    return fold(str(value)).replace(" ", "").replace("-", "").upper()


# GB/T 4761-2008 家庭关系代码 (and the words people write) → the register's relation
_RELATION_WORDS: dict[str, tuple[str, ...]] = {
    "户主": ("户主", "本人", "01", "02"),
    "配偶": ("配偶", "夫", "妻", "丈夫", "妻子", "爱人", "老婆", "老公", "10", "11", "12"),
    "子": ("子", "儿子", "独生子", "长子", "次子", "二子", "三子", "四子", "五子", "小儿子", "大儿子", "养子",
          "继子", "养子或继子", "其他儿子", "20", "21", "22", "23", "24", "25", "26", "27", "29"),
    "女": ("女", "女儿", "独生女", "长女", "次女", "二女", "三女", "四女", "五女", "小女儿", "大女儿", "养女",
          "继女", "养女或继女", "其他女儿", "30", "31", "32", "33", "34", "35", "36", "37", "39"),
    "女婿": ("女婿", "28"),
    "儿媳": ("儿媳", "儿媳妇", "媳妇", "38"),
    "孙子": ("孙子", "外孙", "外孙子", "曾孙", "曾孙子", "外曾孙子", "41", "43", "45"),
    "孙女": ("孙女", "外孙女", "曾孙女", "外曾孙女", "42", "44", "46"),
    "父亲": ("父亲", "父", "爸爸", "公公", "岳父", "继父", "养父", "继父或养父", "51", "53", "55", "57"),
    "母亲": ("母亲", "母", "妈妈", "婆婆", "岳母", "继母", "养母", "继母或养母", "52", "54", "56", "58"),
    "兄弟": ("兄弟", "兄", "哥哥", "弟", "弟弟", "71", "73"),
    "姐妹": ("姐妹", "姐", "姐姐", "妹", "妹妹", "75", "77"),
    "其他": ("其他", "其它", "孙媳妇", "孙媳", "孙女婿", "祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶",
           "嫂", "嫂子", "弟媳", "弟媳妇", "姐夫", "妹夫", "伯父", "伯母", "叔父", "叔叔", "婶母", "婶婶",
           "舅父", "舅舅", "舅母", "姨父", "姨母", "姑父", "姑母", "侄子", "侄女", "外甥", "外甥女", "堂兄弟",
           "堂姐妹", "表兄弟", "表姐妹", "其他亲属", "非亲属", "其他关系", "47", "48", "59", "61", "62", "63",
           "64", "69", "72", "74", "76", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88",
           "89", "90", "91", "92", "93", "94", "95", "96", "97", "99"),
}
GBT4761: dict[str, str] = {word: relation for relation, words in _RELATION_WORDS.items() for word in words}


def cell_relation(value: object) -> str:
    """与户主关系 as the register keeps it: GB/T 4761 codes and the words people write (长子, 次女,
    外孙女, 婆婆 …) map to 户主/配偶/子/女/儿媳/女婿/孙子/孙女/父亲/母亲/兄弟/姐妹/其他; "" when empty.
    Anything else is refused with the list."""
    text = cell_text(value).replace(" ", "")
    if not text:
        return ""
    if text.isdigit() and len(text) == 1:  # a code cell stored as a number lost its leading 0
        text = text.zfill(2)
    relation = GBT4761.get(text)
    if relation is None:
        raise CellError(f"与户主关系“{text}”无法识别，应为 户主、配偶、子、女（或长子、次女等）、儿媳、女婿、孙子、"
                        "孙女、父亲、母亲、兄弟、姐妹、其他，或 GB/T 4761 家庭关系代码")
    return relation


_YES = frozenset(("是", "y", "yes", "true", "1", "√", "✓", "有"))
_NO = frozenset(("否", "n", "no", "false", "0", "\u00d7", "无", ""))


def cell_yes_no(value: object, *, label: str = "该列") -> bool:
    """是/否 (also Y/N, √, 1/0, TRUE/FALSE); an empty cell is 否."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"{label}“{text}”应填“是”或“否”")
