"""Contract reports as PDF (reportlab canvas; fixed column widths and row heights):
合同台账, 应收租金明细, 欠款明细 (with ageing) and 到期合同清单.

Every page carries the title, the organisation (or 全部组织), the as-of date, 单位：元, the
column header (repeated) and page x/y; the last page the totals and the sign-off lines. The
output is deterministic (``invariant=True``, fixed metadata): same data, same bytes.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session

from desktop_app.core.ids import mask_ric
from desktop_app.core.money import format_amount
from desktop_app.reports.canvas_text import clip_text
from desktop_app.reports.fonts import register_cjk_font

ROW_H = 6.0 * mm
MARGIN = 12 * mm
HEADER_H = 28 * mm
FOOTER_H = 18 * mm
SIZE = 7.5

Value = str | Decimal | int | date | None


@dataclass(frozen=True)
class PCol:
    header: str
    width: float  # relative width (mm on landscape A4)
    get: Callable[[Any], Value]
    total: bool = False


@dataclass(frozen=True)
class ContractSheet:
    title: str
    scope: str
    as_of: date
    columns: tuple[PCol, ...]
    rows: Sequence[Any]
    note: str = ""


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _cells(c: canvas.Canvas, font: str, values: Sequence[Value], widths: Sequence[float], y: float) -> None:
    x = MARGIN
    for value, cw in zip(values, widths, strict=True):
        text = clip_text(c, _text(value), font, SIZE, cw)
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            c.drawRightString(x + cw - 1 * mm, y + 2 * mm, text)
        else:
            c.drawString(x + 1 * mm, y + 2 * mm, text)
        x += cw


def sheet_pdf_bytes(sheet: ContractSheet) -> tuple[bytes, int]:
    """The PDF and its page count."""
    font = register_cjk_font()
    page = landscape(A4)
    usable = page[0] - 2 * MARGIN
    total_w = sum(col.width for col in sheet.columns)
    widths = [col.width / total_w * usable for col in sheet.columns]
    body: list[tuple[Value, ...]] = [tuple(col.get(r) for col in sheet.columns) for r in sheet.rows]
    if any(col.total for col in sheet.columns) and body:
        body.append(tuple(("合计" if i == 0 else sum((v[i] or Decimal(0) for v in body), Decimal("0.00"))
                           if col.total else None) for i, col in enumerate(sheet.columns)))
    per_page = int((page[1] - 2 * MARGIN - HEADER_H - FOOTER_H) // ROW_H)
    chunks = [body[i:i + per_page] for i in range(0, len(body), per_page)] or [[]]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    c.setTitle(f"{sheet.title} {sheet.scope} {sheet.as_of:%Y-%m-%d}")
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(sheet.title)
    w, h = page
    done = 0
    for n, chunk in enumerate(chunks, start=1):
        top = h - MARGIN
        c.setFont(font, 15)
        c.drawCentredString(w / 2, top - 6 * mm, sheet.title)
        c.setFont(font, 9)
        c.drawCentredString(w / 2, top - 12 * mm, f"截至 {sheet.as_of:%Y年%m月%d日}")
        c.drawString(MARGIN, top - 19 * mm, f"编制单位：{sheet.scope}")
        c.drawRightString(w - MARGIN, top - 19 * mm, f"第 {n} 页 / 共 {len(chunks)} 页　　单位：元")
        y = top - HEADER_H
        c.setLineWidth(0.6)
        c.line(MARGIN, y + ROW_H, w - MARGIN, y + ROW_H)
        c.setFont(font, SIZE)
        x = MARGIN
        for col, cw in zip(sheet.columns, widths, strict=True):
            c.drawCentredString(x + cw / 2, y + 2 * mm, clip_text(c, col.header, font, SIZE, cw))
            x += cw
        c.line(MARGIN, y, w - MARGIN, y)
        head_y = y
        for values in chunk:
            y -= ROW_H
            done += 1
            _cells(c, font, values, widths, y)
            c.setLineWidth(0.2)
            c.line(MARGIN, y, w - MARGIN, y)
        if not chunk:
            y -= ROW_H
            c.drawString(MARGIN + 2 * mm, y + 2 * mm, "（无记录）")
            c.line(MARGIN, y, w - MARGIN, y)
        c.setLineWidth(0.3)
        x = MARGIN
        for cw in [0.0, *widths]:
            x += cw
            c.line(x, head_y + ROW_H, x, y)
        if n == len(chunks):
            c.setFont(font, 8)
            if sheet.note:
                c.drawString(MARGIN, y - 5 * mm, f"说明：{sheet.note}")
            c.setFont(font, 9)
            c.drawString(MARGIN, y - 12 * mm, "单位负责人：____________　　会计：____________　　制表：____________　　"
                                             "审核：____________　　日期：______年____月____日")
        c.showPage()
    c.save()
    return buf.getvalue(), len(chunks)


def _org(names: dict[uuid.UUID, str]) -> list[PCol]:
    return [PCol("组织", 34, lambda r: names.get(r.organisation_id, ""))] if len(names) > 1 else []


def build_sheet(session: Session, kind: str, *, organisation_id: uuid.UUID | None, scope: str,
                as_of: date) -> ContractSheet:
    from desktop_app.core.services.contract_queries import installment_rows
    from desktop_app.core.services.contract_warnings import list_arrears, list_expiring
    from desktop_app.core.services.contracts import list_contracts
    from desktop_app.core.services.orgs import list_organisations

    names = {o.id: o.name for o in list_organisations(session)
             if organisation_id is None or o.id == organisation_id}
    if kind == "ledger":
        rows: Sequence[Any] = list_contracts(session, organisation_id)
        cols = [*_org(names), PCol("合同编号", 20, lambda r: r.number), PCol("类型", 14, lambda r: r.kind),
                PCol("标的", 26, lambda r: r.subject), PCol("面积（亩）", 16, lambda r: f"{r.area_mu:,.2f}" if r.area_mu else ""),
                PCol("承包（承租）方", 30, lambda r: r.counterparty_name),
                PCol("证件号码", 36, lambda r: mask_ric(r.counterparty_id_number) if r.counterparty_kind == "个人"
                     and r.counterparty_id_number else r.counterparty_id_number),
                PCol("起始日期", 18, lambda r: r.start_date), PCol("终止日期", 18, lambda r: r.end_date),
                PCol("年租金", 20, lambda r: r.annual_rent, True), PCol("付款", 10, lambda r: r.payment_mode),
                PCol("递增", 24, lambda r: r.escalation_text), PCol("民主程序", 15, lambda r: "有" if r.procedure_count else "无"),
                PCol("备案", 12, lambda r: "已备案" if r.filed_on else "未备案"), PCol("状态", 12, lambda r: r.status)]
        return ContractSheet("合同台账", scope, as_of, tuple(cols), rows, "个人证件号码已隐去中间八位。")
    if kind == "installments":
        rows = installment_rows(session, None, as_of, organisation_id)
        cols = [PCol("合同编号", 22, lambda r: r.contract_number), PCol("承包（承租）方", 34, lambda r: r.counterparty_name),
                PCol("期次", 10, lambda r: r.seq), PCol("所属期间", 40, lambda r: f"{r.period_start:%Y-%m-%d}至{r.period_end:%Y-%m-%d}"),
                PCol("缴款日期", 20, lambda r: r.due_date), PCol("应收", 22, lambda r: r.amount, True),
                PCol("实收", 22, lambda r: r.received, True), PCol("欠缴", 22, lambda r: r.outstanding, True),
                PCol("状态", 14, lambda r: r.status)]
        return ContractSheet("应收租金明细", scope, as_of, tuple(cols), rows, "实收为截至日期已冲抵该期的收款。")
    if kind == "arrears":
        rows = list_arrears(session, organisation_id, as_of)
        cols = [*_org(names), PCol("合同编号", 20, lambda r: r.contract_number),
                PCol("承包（承租）方", 30, lambda r: r.counterparty_name), PCol("期次", 8, lambda r: r.seq),
                PCol("缴款日期", 18, lambda r: r.due_date), PCol("欠缴", 20, lambda r: r.outstanding, True),
                PCol("逾期天数", 14, lambda r: r.days_overdue),
                PCol("≤1年", 20, lambda r: r.outstanding if r.bucket == "≤1年" else None, True),
                PCol("1–3年", 20, lambda r: r.outstanding if r.bucket == "1–3年" else None, True),
                PCol(">3年", 20, lambda r: r.outstanding if r.bucket == ">3年" else None, True)]
        return ContractSheet("欠款明细（账龄分析）", scope, as_of, tuple(cols), rows,
                             "账龄按缴款日期至截至日期计算：≤1年、1–3年、>3年。")
    if kind == "expiry":
        rows = list_expiring(session, organisation_id, as_of)
        cols = [*_org(names), PCol("合同编号", 22, lambda r: r.contract_number), PCol("合同名称", 44, lambda r: r.name),
                PCol("承包（承租）方", 34, lambda r: r.counterparty_name), PCol("终止日期", 20, lambda r: r.end_date),
                PCol("剩余天数", 16, lambda r: r.days_left), PCol("预警", 16, lambda r: r.bucket)]
        return ContractSheet("到期合同清单", scope, as_of, tuple(cols), rows,
                             "90天内、30天内到期及已到期未办理续签或终止的合同。")
    raise ValueError(f"unknown contract report {kind!r}")


def write_contract_report(session: Session, kind: str, path: Path | str, *, organisation_id: uuid.UUID | None,
                          scope: str, as_of: date) -> int:
    """Write one report; returns its page count."""
    data, pages = sheet_pdf_bytes(build_sheet(session, kind, organisation_id=organisation_id, scope=scope, as_of=as_of))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return pages
