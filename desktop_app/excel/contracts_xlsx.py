"""Contracts as xlsx: exports (合同台账, 应收租金明细, 欠款明细 with ageing, 合同审查结果) written
with openpyxl as real numbers and dates with number formats, never text; and the contract
import template. The 合同台账 export re-imports (``import_contracts``): its 计费周期 column says
按自然年度 or 按合同年度 so an imported contract gets the same schedule.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from desktop_app.core.ids import mask_ric
from desktop_app.core.rows_contracts import ArrearsRow, ContractRow, FindingRow, InstallmentRow
from desktop_app.excel.print_setup import finish_sheet

MONEY, AREA, DATE, INT, TEXT = "#,##0.00", "#,##0.0000", "yyyy-mm-dd", "0", "@"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class XCol:
    header: str
    width: int
    get: Callable[[Any], Any]
    fmt: str | None = None  # number format; None = general text
    total: bool = False


def _write(path: Path | str, title: str, subtitle: str, cols: Sequence[XCol], rows: Sequence[Any]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    last = get_column_letter(len(cols))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = title
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = subtitle
    ws["A2"].alignment = Alignment(horizontal="center")
    for i, col in enumerate(cols, start=1):
        cell = ws.cell(row=3, column=i, value=col.header)
        cell.font, cell.border, cell.fill = Font(bold=True), _BOX, _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = col.width
    for r, row in enumerate(rows, start=4):
        for i, col in enumerate(cols, start=1):
            value = col.get(row)
            cell = ws.cell(row=r, column=i, value=value)
            cell.border = _BOX
            if col.fmt and value is not None:
                cell.number_format = col.fmt
    if any(c.total for c in cols) and rows:
        r = len(rows) + 4
        ws.cell(row=r, column=1, value="合计").font = Font(bold=True)
        for i, col in enumerate(cols, start=1):
            if col.total:
                total = sum((col.get(x) or Decimal(0) for x in rows), Decimal("0.00"))
                cell = ws.cell(row=r, column=i, value=total)
                cell.number_format, cell.font = col.fmt or MONEY, Font(bold=True)
            ws.cell(row=r, column=i).border = _BOX
    ws.freeze_panes = "A4"
    finish_sheet(ws, title=title, subtitle=subtitle, header_rows=3, ncols=len(cols), last_row=max(len(rows), 1) + 3)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _id_shown(kind: str, number: str | None, *, mask: bool) -> str | None:
    if not number:
        return None
    return mask_ric(number) if mask and kind == "个人" else number


def link_codes(session: Any, rows: Sequence[ContractRow]) -> dict[uuid.UUID, str]:
    """The codes (地块编号, 资产编号) of the parcels and assets the rows are linked to, by id: rows
    carry only the ids."""
    from sqlalchemy import select

    from db.models import Asset, ResourceParcel

    out: dict[uuid.UUID, str] = {}
    for model, ids in ((ResourceParcel, {r.parcel_id for r in rows if r.parcel_id}),
                       (Asset, {r.asset_id for r in rows if r.asset_id})):
        found = list(ids)
        for i in range(0, len(found), 500):
            out.update((ident, code) for ident, code in session.execute(
                select(model.id, model.code).where(model.id.in_(found[i:i + 500]))))
    return out


def contract_columns(org_names: Mapping[uuid.UUID, str], *, mask_ids: bool = False,
                     codes: Mapping[uuid.UUID, str] | None = None) -> list[XCol]:
    """``codes``: 地块编号/资产编号 by the linked parcel's/asset's id (``link_codes``)."""
    code = dict(codes or {})
    cols = [XCol("组织", 24, lambda r: org_names.get(r.organisation_id, ""))] if len(set(org_names)) > 1 else []
    return [
        *cols,
        XCol("合同编号", 14, lambda r: r.number), XCol("合同名称", 24, lambda r: r.name),
        XCol("合同类型", 10, lambda r: r.kind), XCol("标的", 18, lambda r: r.subject),
        XCol("地块编号", 14, lambda r: code.get(r.parcel_id) if r.parcel_id else None),
        XCol("资产编号", 14, lambda r: code.get(r.asset_id) if r.asset_id else None),
        XCol("位置", 14, lambda r: r.location), XCol("地类", 8, lambda r: r.land_class),
        XCol("面积（亩）", 12, lambda r: r.area_mu, AREA), XCol("数量", 8, lambda r: r.quantity),
        XCol("承包方名称", 22, lambda r: r.counterparty_name), XCol("承包方类型", 8, lambda r: r.counterparty_kind),
        XCol("证件号码", 22, lambda r: _id_shown(r.counterparty_kind, r.counterparty_id_number, mask=mask_ids)),
        XCol("联系电话", 14, lambda r: r.counterparty_phone), XCol("签订日期", 12, lambda r: r.signed_on, DATE),
        XCol("起始日期", 12, lambda r: r.start_date, DATE), XCol("终止日期", 12, lambda r: r.end_date, DATE),
        XCol("期限（年）", 9, lambda r: r.term_years, "0.00"), XCol("计价方式", 8, lambda r: r.price_basis),
        XCol("年租金", 14, lambda r: r.annual_rent, MONEY, total=True),
        XCol("单价（元/亩·年）", 12, lambda r: r.unit_price, MONEY), XCol("递增条款", 16, lambda r: r.escalation_text),
        XCol("付款方式", 8, lambda r: r.payment_mode),
        XCol("计费周期", 10, lambda r: "按合同年度" if r.billing_align == "contract" else "按自然年度"),
        XCol("缴款期限（天）", 8, lambda r: r.due_days, INT),
        XCol("保证金", 12, lambda r: r.deposit_required, MONEY, total=True),
        XCol("书面合同", 8, lambda r: "是" if r.written else "否"),
        XCol("民主程序", 8, lambda r: "有" if r.procedure_count else "无"),
        XCol("乡镇备案日期", 12, lambda r: r.filed_on, DATE), XCol("状态", 8, lambda r: r.state),
        XCol("合同统一编码", 20, lambda r: r.official_code), XCol("备注", 30, lambda r: r.notes),
    ]


def export_contracts(path: Path | str, rows: Sequence[ContractRow], *, scope: str,
                     org_names: Mapping[uuid.UUID, str], as_of: date | None = None, mask_ids: bool = False,
                     codes: Mapping[uuid.UUID, str] | None = None) -> int:
    """``as_of``: the date the rows' status (``state``) was read for, printed in the subtitle;
    ``mask_ids``: persons' 身份证号 first 6 + last 4 (``personal_data.id_rule``), said in the subtitle.
    ``codes``: the linked parcels' and assets' codes by id (``link_codes``), written as 地块编号/资产编号.
    Returns how many persons' full numbers the file holds (for ``personal_data.export_ids``)."""
    when = f"　状态截至 {as_of:%Y年%m月%d日}" if as_of else ""
    note = "　承包方身份证号已隐去中间八位" if mask_ids else ""
    _write(path, "合同台账", f"{scope}{when}　单位：元　共 {len(rows)} 份{note}", contract_columns(org_names, mask_ids=mask_ids,
                                                                                                    codes=codes), rows)
    return 0 if mask_ids else sum(1 for r in rows if r.counterparty_kind == "个人" and r.counterparty_id_number)


INSTALLMENT_COLUMNS = [
    XCol("合同编号", 14, lambda r: r.contract_number), XCol("承包方", 22, lambda r: r.counterparty_name),
    XCol("期次", 6, lambda r: r.seq, INT), XCol("所属期间起", 12, lambda r: r.period_start, DATE),
    XCol("所属期间止", 12, lambda r: r.period_end, DATE), XCol("缴款日期", 12, lambda r: r.due_date, DATE),
    XCol("应收", 14, lambda r: r.amount, MONEY, True), XCol("实收", 14, lambda r: r.received, MONEY, True),
    XCol("已到期未收（欠缴）", 16, lambda r: r.overdue, MONEY, True), XCol("未到期", 14, lambda r: r.not_due, MONEY, True),
    XCol("状态", 12, lambda r: r.status),
]


def export_installments(path: Path | str, rows: Sequence[InstallmentRow], *, scope: str, as_of: date) -> Path:
    return _write(path, "应收租金明细", f"{scope}　截至 {as_of:%Y年%m月%d日}　单位：元", INSTALLMENT_COLUMNS, rows)


ARREARS_COLUMNS = [
    XCol("组织", 24, lambda r: r.organisation_name), XCol("合同编号", 14, lambda r: r.contract_number),
    XCol("承包方", 22, lambda r: r.counterparty_name), XCol("期次", 6, lambda r: r.seq, INT),
    XCol("缴款日期", 12, lambda r: r.due_date, DATE), XCol("应收", 14, lambda r: r.amount, MONEY, True),
    XCol("已收", 14, lambda r: r.received, MONEY, True), XCol("欠缴", 14, lambda r: r.outstanding, MONEY, True),
    XCol("逾期天数", 10, lambda r: r.days_overdue, INT), XCol("账龄", 8, lambda r: r.bucket),
    XCol("其中≤1年", 14, lambda r: r.outstanding if r.bucket == "≤1年" else None, MONEY, True),
    XCol("其中1–3年", 14, lambda r: r.outstanding if r.bucket == "1–3年" else None, MONEY, True),
    XCol("其中>3年", 14, lambda r: r.outstanding if r.bucket == ">3年" else None, MONEY, True),
]


def export_arrears(path: Path | str, rows: Sequence[ArrearsRow], *, scope: str, as_of: date) -> Path:
    return _write(path, "欠款明细（账龄分析）", f"{scope}　截至 {as_of:%Y年%m月%d日}　单位：元", ARREARS_COLUMNS, rows)


REVIEW_COLUMNS = [
    XCol("组织", 24, lambda r: r.organisation_name), XCol("合同编号", 14, lambda r: r.contract_number),
    XCol("合同名称", 24, lambda r: r.contract_name), XCol("承包方", 20, lambda r: r.counterparty_name),
    XCol("问题", 20, lambda r: r.rule_name), XCol("情况", 44, lambda r: r.message),
    XCol("依据", 40, lambda r: r.basis), XCol("发现日期", 12, lambda r: r.found_on, DATE),
    XCol("整改状态", 10, lambda r: r.status), XCol("整改说明", 30, lambda r: r.rectification_note),
]


def export_review(path: Path | str, rows: Sequence[FindingRow], *, scope: str, as_of: date) -> Path:
    return _write(path, "合同清理审查结果", f"{scope}　截至 {as_of:%Y年%m月%d日}　共 {len(rows)} 项", REVIEW_COLUMNS, rows)


# the columns of the earlier contract import template (still recognised: see ``import_contracts``)
IMPORT_HEADERS = ("合同编号", "合同名称", "合同类型", "标的", "位置", "地类", "面积（亩）", "承包方名称", "承包方类型",
                  "证件号码", "联系电话", "签订日期", "起始日期", "终止日期", "计价方式", "年租金", "单价（元/亩·年）",
                  "付款方式", "递增比例（%）", "递增间隔（年）", "缴款期限（天）", "保证金", "书面合同", "备注")


def write_import_template(path: Path | str) -> Path:
    """The contract import template of the import pipeline (``import_contracts``): header row,
    example rows (one 按自然年度, one 按合同年度) and a 填写说明 sheet."""
    from desktop_app.excel.importers import write_template

    return write_template("contracts", path)
