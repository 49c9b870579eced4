"""Imports name the row Excel shows even when the sheet's first rows are empty (calamine starts a
sheet at its first used row unless told otherwise): 财务计划 plans."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from openpyxl import Workbook

from desktop_app.excel.plans_xlsx import read_plan_xlsx


def test_plan_rows_below_empty_rows_keep_their_excel_numbers(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A3"], ws["B3"], ws["C3"], ws["D3"], ws["E3"] = "科目编码", "科目名称", "收支", "计划金额", "说明"
    ws.append(["501", "经营收入", "收入", 12000.5, "发包"])     # row 4
    ws.append(["502", "投资收益", "收入", "一万", None])         # row 5: not an amount
    ws.append([])                                               # row 6
    ws.append(["540", "其他支出", "支出", "3,000", None])        # row 7
    wb.save(tmp_path / "plan.xlsx")
    lines, errors = read_plan_xlsx(tmp_path / "plan.xlsx")
    assert [(ln.account_code, ln.amount, ln.row) for ln in lines] == [("501", D("12000.50"), 4), ("540", D("3000.00"), 7)]
    assert len(errors) == 1 and errors[0].startswith("第5行“计划金额”列")
