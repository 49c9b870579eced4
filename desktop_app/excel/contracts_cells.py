"""The 合同 import's cells (issue #15, #18): what each column's cell reads as (``READERS``: units,
full-width digits, Chinese dates, the 递增条款 and 计费周期 words), and the file's data rows read
column by column a chunk at a time (``ContractCells`` with ``column_cells.Cells``), as the member
import reads its roster: a column's distinct cells read once each, a whole column looked up in C;
the chunks come from ``Table.chunks`` (a plain one skips ``Table.rows``' per-row tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import repeat
from operator import methodcaller
from typing import Any

from desktop_app.core.cellvalues import (
    CellError,
    cell_date,
    cell_number,
    cell_ric,
    cell_text,
    cell_words,
    cell_yes_no,
    fold,
)
from desktop_app.excel.column_cells import CHUNK, Cells, texts
from desktop_app.excel.importers import Problem
from desktop_app.excel.table_read import Table

__all__ = ["ALIGN_LABELS", "CHUNK", "IGNORED", "READERS", "STATES", "WHOLE_COLUMNS", "ContractCells", "column_words", "read_align",
           "read_escalation"]

ALIGN_LABELS = {"calendar": "按自然年度", "contract": "按合同年度"}
_ALIGN_WORDS = {
    "calendar": ("按自然年度", "自然年度", "按自然年", "自然年", "按自然年度（季度）", "按自然年度(季度)", "按自然月",
                 "按日历年度", "日历年度", "calendar"),
    "contract": ("按合同年度", "合同年度", "按合同年", "合同年", "按合同期", "按签约年度", "按承包年度", "contract"),
}
_ALIGN = {fold(w).replace(" ", "").lower(): k for k, words in _ALIGN_WORDS.items() for w in words}
_PAYMENT = {"年付": "年付", "按年": "年付", "每年": "年付", "年缴": "年付", "按年付": "年付", "一年一付": "年付",
            "半年付": "半年付", "按半年": "半年付", "半年缴": "半年付", "每半年": "半年付",
            "季付": "季付", "按季": "季付", "季缴": "季付", "每季": "季付", "按季度": "季付",
            "一次性": "一次性", "一次付清": "一次性", "一次性付清": "一次性", "一次性支付": "一次性"}
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ESCALATION = re.compile(r"每(\d+|[一二两三四五六七八九十]+)年(?:递增|增长|增加|上浮|上调|提高)(\d+(?:\.\d+)?)%")
_NONE = ("", "无", "不递增", "无递增", "否", "-", "—", "/")

# columns the export writes that are not imported: they have their own forms and actions
IGNORED = {"民主程序": "民主程序请在合同页的“民主程序”中登记", "决策程序": "民主程序请在合同页的“民主程序”中登记",
           "组织": "合同导入到当前选择的组织"}
# 状态 as the export writes it (the status on its as-of date) → the status a new contract is registered with
STATES = {"草拟": "草拟", "纠纷": "纠纷", "未生效": None, "履行中": None, "已到期": None, "到期": None, "已终止": "终止",
           "终止": "终止"}


def read_align(value: object) -> str | None:
    """计费周期: calendar / contract; None for an empty cell."""
    text = cell_text(value).replace(" ", "").lower()
    if not text:
        return None
    align = _ALIGN.get(text)
    if align is None:
        raise CellError(f"计费周期“{cell_text(value)}”无法识别，应填“按自然年度”或“按合同年度”")
    return align


def read_escalation(value: object) -> tuple[Decimal, int] | None:
    """递增条款 as the export writes it (“每3年递增5%”, also 每三年上浮5%): (比例, 间隔年数);
    (0, 0) for 无/不递增; None for an empty cell."""
    text = cell_text(value).replace(" ", "")
    if not text:
        return None
    if text in _NONE:
        return Decimal(0), 0
    m = _ESCALATION.fullmatch(text.rstrip("。"))
    if m is None:
        raise CellError(f"递增条款“{text}”无法识别，应写成“每3年递增5%”；不递增写“无”，"
                        "也可改填“递增比例（%）”和“递增间隔（年）”两列")
    years_text = m.group(1)
    if years_text.isdigit():
        years = int(years_text)
    elif years_text.startswith("十"):
        years = 10 + _CN_DIGITS.get(years_text[1:], 0)
    elif years_text.endswith("十"):
        years = _CN_DIGITS[years_text[0]] * 10
    elif "十" in years_text:
        a, b = years_text.split("十")
        years = _CN_DIGITS[a] * 10 + _CN_DIGITS[b]
    else:
        years = _CN_DIGITS[years_text]
    return Decimal(m.group(2)), years


def _money(label: str, *units: str) -> Any:
    def read(value: object) -> Decimal | None:
        text = cell_text(value).replace(" ", "") if isinstance(value, str) else ""
        for unit in units:  # "1.2万元/年": the 万 is read with 元, the rest of the unit dropped
            if text.endswith(unit):
                try:
                    return cell_number(text[: -len(unit)] + "元", units=("元",), label=label)
                except CellError:
                    raise CellError(f"“{text}”不是{label}：请只填写数字，可带单位“元”或“{unit}”，如 1,200") from None
        return cell_number(value, units=("元",), label=label)
    return read


def _int(label: str) -> Any:
    def read(value: object) -> int | None:
        n = cell_number(value, units=("天", "年"), label=label)
        if n is None:
            return None
        if n != n.to_integral_value():
            raise CellError(f"“{cell_text(value)}”不是整数，{label}请填写整数")
        return int(n)
    return read


def _choice(allowed: dict[str, str] | tuple[str, ...], label: str) -> Any:
    words = allowed if isinstance(allowed, dict) else {a: a for a in allowed}

    def read(value: object) -> str | None:
        text = cell_text(value).replace(" ", "")
        if not text:
            return None
        if text not in words:
            names = "、".join(dict.fromkeys(words.values()))
            raise CellError(f"{label}“{text}”无效，应为：{names}")
        return words[text]
    return read


READERS: dict[str, Any] = {
    "number": lambda v: cell_text(v).replace(" ", ""), "counterparty_id_number": cell_ric,
    "parcel_code": lambda v: cell_text(v).replace(" ", "") or None,
    "asset_code": lambda v: cell_text(v).replace(" ", "") or None,
    "area_mu": lambda v: cell_number(v, units=("亩",), label="面积"),
    "signed_on": lambda v: cell_date(v, label="签订日期"), "start_date": lambda v: cell_date(v, label="起始日期"),
    "end_date": lambda v: cell_date(v, label="终止日期"), "filed_on": lambda v: cell_date(v, label="乡镇备案日期"),
    "term_years": lambda v: cell_number(v, units=("年",), label="期限"),
    "annual_rent": _money("年租金", "元/年", "元每年"), "unit_price": _money("单价", "元/亩·年", "元/亩/年", "元/亩"), "deposit_required": _money("保证金"),
    "escalation_text": read_escalation,
    "escalation_pct": lambda v: cell_number(v, units=("%",), label="递增比例"),
    "escalation_years": _int("递增间隔"), "due_days": _int("缴款期限"),
    "payment_mode": _choice(_PAYMENT, "付款方式"), "billing_align": read_align,
    "counterparty_kind": _choice(("个人", "单位"), "承包方类型"),
    "state": _choice({k: k for k in STATES}, "状态"),
    "written": lambda v: None if not cell_text(v) else cell_yes_no(v, label="书面合同"),
}


def _words(value: object) -> str | None:
    return cell_words(value) or None


# Whole columns read in C where every cell is of one plain kind (names, numbers, 身份证号, phones and
# rents mostly differ row by row, so a memo does not help them): each gives exactly what its key's
# reader gives cell by cell (``tests/contracts/test_contract_cells.py`` proves it), or None when the
# column is not of that kind (then read cell by cell).
_WORD_STRIP = methodcaller("strip", " \t\r\n\u3000")
_NO_DASH = methodcaller("replace", "-", "")
_NO_SPACE = methodcaller("replace", " ", "")


def _codes(col: Sequence[Any]) -> list[str]:
    """``cell_text(v).replace(" ", "")`` (合同编号) of every cell: ``column_cells.texts``, spaces dropped."""
    return list(map(_NO_SPACE, texts(col)))


def column_words(col: Sequence[Any]) -> list[str | None] | None:
    """``_words`` (``cell_words`` or None) of text cells without a space inside."""
    if set(map(type, col)) != {str}:
        return None
    out: list[str | None] = list(map(_WORD_STRIP, col))
    joined = "\x00".join(out)  # type: ignore[arg-type]
    if " " in joined or "\t" in joined or "\n" in joined or "\u3000" in joined:
        return None
    return out if all(out) else [v or None for v in out]


def _column_rics(col: Sequence[Any]) -> list[str] | None:
    """``cell_ric`` of text cells (a number cell is refused cell by cell)."""
    if set(map(type, col)) != {str}:
        return None
    return list(map(str.upper, map(_NO_DASH, map(_NO_SPACE, texts(col)))))


def _column_money(col: Sequence[Any]) -> list[Decimal] | None:
    """An amount reader's (``_money``) value of whole-number cells: the exact Decimal."""
    kinds = set(map(type, col))
    if kinds == {int}:
        return list(map(Decimal, col))
    if kinds == {float} and all(map(float.is_integer, col)) and max(map(abs, col)) < 2**53:
        return list(map(Decimal, map(int, col)))  # excel_number: a whole float is its int
    return None


WHOLE_COLUMNS: dict[str, Any] = {"number": _codes, "counterparty_id_number": _column_rics, "annual_rent": _column_money,
                                 "unit_price": _column_money}


class ContractCells:
    """The table's data rows as (Excel row, raw cells, {field key: value} or None), the values read
    with ``READERS`` (free text as written where no reader) column by column, a chunk at a time;
    each refused cell a problem at its row and column (in the column order), the row then None."""

    def __init__(self, table: Table, size: int = CHUNK) -> None:
        layout = table.layout
        self.table = table
        self.size = size
        self.keys = tuple(layout.columns)
        self.at = [layout.columns[k] for k in self.keys]
        self.cells = [Cells(READERS.get(k, _words)) for k in self.keys]
        self.whole = [WHOLE_COLUMNS.get(k, column_words if k not in READERS else None) for k in self.keys]
        self.where = [layout.where(k) for k in self.keys]

    def chunks(self, problems: list[Problem]) -> Iterator[tuple[Sequence[int], list[tuple[Any, ...]], dict[str, list[Any]],
                                                                set[int]]]:
        """(Excel rows, raw cells by column, {field key: the chunk's values}, the places of refused rows)
        a chunk at a time; each refused cell a problem at its row and column (in the column order)."""
        cells = self.cells
        for rows, by_column in self.table.chunks(self.size):  # a plain chunk skips Table.rows' tests a row
            for c in cells:
                c.bad = False
            values: list[list[Any]] = []
            for c, whole, i in zip(cells, self.whole, self.at, strict=True):
                col = by_column[i]
                read = whole(col) if whole is not None else None
                values.append(read if read is not None else c.column(col))
            refused: set[int] = set()
            for c, read_col, where in zip(cells, values, self.where, strict=True):
                if c.bad:
                    for j, v in enumerate(read_col):
                        if type(v) is CellError:
                            problems.append(Problem(rows[j], where, v.message))
                            refused.add(j)
            yield rows, by_column, dict(zip(self.keys, values, strict=True)), refused

    def rows(self, problems: list[Problem]) -> Iterator[tuple[int, Sequence[Any], dict[str, Any] | None]]:
        """The chunks row by row: (Excel row, raw cells, {field key: value} or None where refused)."""
        for chunk in self.chunks(problems):
            yield from self.chunk_rows(*chunk)

    def chunk_rows(self, rows: Sequence[int], by_column: list[tuple[Any, ...]], values: dict[str, list[Any]],
                   refused: set[int]) -> Iterator[tuple[int, Sequence[Any], dict[str, Any] | None]]:
        """One chunk of ``chunks`` row by row, as ``rows`` gives it."""
        raws = list(zip(*by_column, strict=True))
        records: list[dict[str, Any] | None] = list(map(dict, map(zip, repeat(self.keys), zip(*values.values(),
                                                                                               strict=True))))
        for j in refused:
            records[j] = None
        return zip(rows, raws, records, strict=True)
