"""Reading a bank statement (对账单) as the common banks export it: xlsx (or xls) and CSV.

The header row is looked for in the first 20 rows (banks put the account, the 户名 and the date
range above it); its columns are recognised by their names and synonyms (交易日期/记账日期,
摘要/用途, 收入/支出 or 贷方发生额/借方发生额 or a 借贷标志 with one 金额, or one signed 金额,
余额, 对方户名/对方账户名称 …). The amounts are read from the cell's text or its exact number
(never float arithmetic). CSV comes in UTF-8 (with or without BOM) or GBK/GB18030, comma or tab
separated, with the ``="…"`` and tab padding some banks add. Rows without a date that say 合计 or
余额 are left out and named; any other row that cannot be read is an error naming its row (第N行,
as Excel or a text editor numbers it). Nothing is written here: the service checks and applies.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import excel_number, parse_amount
from desktop_app.core.services.bank_rows import IN, OUT, StatementFile, StatementInput

__all__ = ["HEADER_SCAN", "SYNONYMS", "parse_bank_date", "read_statement", "read_statement_rows"]

HEADER_SCAN = 20
# what each column is called by the banks (compared after NFKC, without spaces and a （元） suffix)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("交易日期", "记账日期", "入账日期", "交易时间", "日期", "发生日期", "交易日", "记账时间", "会计日期"),
    "summary": ("摘要", "交易摘要", "用途", "附言", "交易用途", "备注", "交易说明", "交易类型"),
    "income": ("收入", "收入金额", "存入", "存入金额", "贷方金额", "贷方发生额", "贷方", "收入(元)", "贷方发生额(元)"),
    "expense": ("支出", "支出金额", "付出", "支取", "支取金额", "借方金额", "借方发生额", "借方", "支出(元)"),
    "flag": ("借贷标志", "借贷", "借/贷", "借贷方向", "收支标志", "收/支", "收支", "方向", "借贷标识"),
    "amount": ("金额", "交易金额", "发生额", "交易额"),
    "balance": ("余额", "账户余额", "当前余额", "交易后余额", "联机余额", "余额(元)"),
    "counterparty": ("对方户名", "对方账户名称", "对方名称", "对方单位", "对方账户名", "对方户名称", "收/付款人名称",
                     "对方单位名称", "对方账号名称"),
}
LABELS = {"date": "日期", "summary": "摘要", "income": "收入", "expense": "支出", "flag": "借贷标志", "amount": "金额",
          "balance": "余额", "counterparty": "对方户名"}
_IN_FLAGS = {"贷", "收", "收入", "存", "存入", "C", "CR", "+", "贷方", "来账"}
_OUT_FLAGS = {"借", "付", "支", "支出", "付出", "支取", "D", "DR", "-", "借方", "往账"}
_SKIP_WORDS = ("合计", "总计", "小计", "余额", "承前", "过次页", "笔数")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s.*|\d{6})?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def _norm(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text if text is not None else "")).strip()
    s = s.replace(" ", "").replace("\u3000", "")
    return re.sub(r"\((元|人民币|RMB|CNY)\)$", "", s)


_LOOKUP = {_norm(name): key for key, names in SYNONYMS.items() for name in names}


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    s = str(excel_number(cell)).strip().strip("\t").strip()
    if s.startswith('="') and s.endswith('"'):  # ="6222…": how some banks keep long numbers as text
        s = s[2:-1]
    return s.strip()


def parse_bank_date(cell: object) -> date:
    """A date cell: an Excel date, an Excel serial number, or text (2026-06-03, 2026/6/3, 20260603,
    2026年6月3日, with or without a time)."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool) and 20000 < cell < 80000:
        return _EXCEL_EPOCH + timedelta(days=int(cell))
    text = unicodedata.normalize("NFKC", _cell_text(cell))
    m = _DATE_RE.match(text) or _COMPACT_RE.match(text)
    if m is None:
        raise ValidationError(f"“{text}”不是日期")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValidationError(f"“{text}”不是有效的日期") from None


def _amount(cell: object, *, signed: bool = False) -> Decimal:
    number = excel_number(cell)
    if isinstance(number, int | Decimal) and not isinstance(number, bool):
        return parse_amount(number, allow_negative=True)
    text = _cell_text(cell)
    if text in ("", "-", "—", "--"):
        return Decimal("0.00")
    return parse_amount(text, allow_negative=True)


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int], list[str]]:
    for i, row in enumerate(rows[:HEADER_SCAN]):
        names = [_norm(c) for c in row]
        cols: dict[str, int] = {}
        for j, name in enumerate(names):
            key = _LOOKUP.get(name)
            if key is not None and key not in cols:
                cols[key] = j
        if "date" in cols and ({"income", "expense"} <= cols.keys() or "amount" in cols):
            return i, cols, [_cell_text(c) for c in row]
    raise UserError(f"前{HEADER_SCAN}行中没有找到对账单的表头：应有“交易日期”，以及“收入”“支出”两列（或“借方发生额”“贷方发生额”，"
                    "或“借贷标志”和“金额”，或一个带正负号的“金额”列），并有“余额”列")


def read_statement_rows(rows: Sequence[Sequence[object]], *, name: str, sha256: str) -> StatementFile:
    """Understand rows (a sheet or a CSV, row 1 first) as a statement."""
    head_at, cols, header = _find_header(rows)
    if "balance" not in cols:
        raise UserError(f"第{head_at + 1}行表头中没有“余额”列：调节表需要银行对账单的余额")
    if "income" in cols and "expense" in cols:
        cols.pop("amount", None)
        cols.pop("flag", None)
    understood = tuple(f"{header[j]}→{LABELS[k]}" for k, j in sorted(cols.items(), key=lambda kv: kv[1]))
    lines: list[StatementInput] = []
    errors: list[str] = []
    skipped: list[str] = []
    for n, raw in enumerate(rows[head_at + 1:], start=head_at + 2):
        cells = list(raw) + [None] * (len(header) - len(raw))
        texts = [_cell_text(c) for c in cells]
        if all(t == "" for t in texts):
            continue

        def get(key: str, cells: list[object] = cells) -> object:
            return cells[cols[key]] if key in cols else None

        date_cell = get("date")
        if _cell_text(date_cell) == "" or any(w in _cell_text(date_cell) for w in _SKIP_WORDS):
            if any(w in t for t in texts for w in _SKIP_WORDS):
                skipped.append(f"第{n}行（{next(t for t in texts if t)}）")
                continue
            errors.append(f"第{n}行“{header[cols['date']]}”列：没有交易日期")
            continue
        try:
            day = parse_bank_date(date_cell)
        except ValidationError as err:
            if all(_cell_text(get(k)) == "" for k in ("income", "expense", "amount") if k in cols):
                skipped.append(f"第{n}行（{_cell_text(date_cell)[:30]}）")  # a note under the table: 打印日期、柜员 …
                continue
            errors.append(f"第{n}行“{header[cols['date']]}”列：{err.message}")
            continue
        try:
            direction, amount = _direction_amount(get, cols)
        except ValidationError as err:
            errors.append(f"第{n}行{err.field or ''}：{err.message}")
            continue
        if amount == 0:
            summary = _cell_text(get("summary"))
            if any(w in summary for w in _SKIP_WORDS):
                skipped.append(f"第{n}行（{summary}）")
                continue
            errors.append(f"第{n}行：没有发生额（收入、支出都为空或为零）")
            continue
        try:
            bal_text = _cell_text(get("balance"))
            balance = _amount(get("balance")) if bal_text else None
        except ValidationError as err:
            errors.append(f"第{n}行“{header[cols['balance']]}”列：{err.message}")
            continue
        summary = _cell_text(get("summary"))[:200]
        other = _cell_text(get("counterparty"))[:100] or None
        lines.append(StatementInput(n, day, direction, amount, balance, summary, other))
    return StatementFile(name, sha256, head_at + 1, understood, tuple(lines), tuple(errors), tuple(skipped))


def _direction_amount(get: Callable[[str], object], cols: dict[str, int]) -> tuple[str, Decimal]:
    if "income" in cols:
        try:
            income = _amount(get("income"))
        except ValidationError as err:
            raise ValidationError(err.message, field="“收入”列") from None
        try:
            expense = _amount(get("expense"))
        except ValidationError as err:
            raise ValidationError(err.message, field="“支出”列") from None
        if income and expense:
            raise ValidationError("同一行既有收入又有支出", field="")
        if income < 0 or expense < 0:  # a bank's 冲正 shown as a negative on its own side
            return (OUT, -income) if income else (IN, -expense)
        return (IN, income) if income else (OUT, expense)
    try:
        amount = _amount(get("amount"))
    except ValidationError as err:
        raise ValidationError(err.message, field="“金额”列") from None
    if "flag" in cols:
        flag = _norm(get("flag")).upper()
        if flag in _IN_FLAGS:
            return (IN, abs(amount)) if amount >= 0 else (OUT, -amount)
        if flag in _OUT_FLAGS:
            return (OUT, abs(amount)) if amount >= 0 else (IN, -amount)
        raise ValidationError(f"借贷标志“{flag}”无法识别（应为 借/贷 或 收/支）", field="“借贷标志”列")
    return (IN, amount) if amount >= 0 else (OUT, -amount)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError("CSV 文件的编码无法识别（应为 UTF-8 或 GBK）")


def _csv_rows(data: bytes) -> list[list[object]]:
    text = _decode(data)
    sample = text[:4000]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def read_statement(path: Path | str) -> StatementFile:
    """Read a bank's xlsx/xls or CSV file."""
    from desktop_app.excel.formulas import refuse_formulas_without_values

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取文件 {path.name}：{exc.strerror or exc}") from None
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return read_statement_rows(_csv_rows(data), name=path.name, sha256=sha)
    if suffix not in (".xlsx", ".xls", ".xlsm"):
        raise UserError(f"不支持的文件类型 {suffix or '（无扩展名）'}：请选择银行导出的 Excel（.xlsx/.xls）或 CSV 文件")
    from python_calamine import CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several kinds for an unreadable file
        raise UserError(f"无法读取 Excel 文件 {path.name}：{exc}") from None
    _head_at, _cols, header = _find_header(rows)
    refuse_formulas_without_values(path, header)
    return read_statement_rows(rows, name=path.name, sha256=sha)
