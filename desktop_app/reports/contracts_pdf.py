"""Contract reports as PDF (reportlab canvas; fixed column widths and row heights):
合同台账, 应收租金明细, 欠款明细 (with ageing), 到期合同清单 and 合同清理审查结果.

Every page carries the title, the organisation (or 全部组织), the as-of date, 单位：元, the
column header (repeated), page x/y and the sign-off lines; the last page the totals and the
note. Cells wrap: every name, code and number is printed whole (rows grow to the lines they
need). The output is deterministic (``invariant=True``, fixed metadata): same data, same bytes.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session

from desktop_app.core.ids import mask_ric
from desktop_app.reports.canvas_text import column_rules, draw_check_code
from desktop_app.reports.disclosure.layout import text_width, wrap
from desktop_app.reports.fonts import register_cjk_font
from desktop_app.reports.sealing import cell_str

if TYPE_CHECKING:
    from desktop_app.reports.sealing import SealRow

LINE_H = 3.4 * mm  # one text line of a cell
PAD_Y = 1.3 * mm  # above and below a cell's lines: a one-line row is 6 mm high
PAD_X = 1.0 * mm
MARGIN = 12 * mm
HEADER_H = 28 * mm
FOOTER_H = 22 * mm  # a two-line note and the sign-off line
SIZE = 7.5
QR_SIZE = 18 * mm  # the check-code QR in the bottom-right corner of every page of a sealed sheet

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


def _is_number(value: Value) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


Cell = tuple[list[str], float, bool]  # lines, font size, right-aligned


def _layout(values: Sequence[Value], widths: Sequence[float]) -> tuple[list[Cell], float]:
    """Each cell's lines and the row's height. Text wraps onto as many lines as it needs (a name,
    a code, a USCC is never cut); a number stays on one line, its font shrunk if it must."""
    cells: list[Cell] = []
    for value, cw in zip(values, widths, strict=True):
        text, room = cell_str(value), cw - 2 * PAD_X
        if _is_number(value):
            tw = text_width(text, SIZE)
            cells.append(([text], SIZE if tw <= room else SIZE * room / tw, True))
        else:
            cells.append((wrap(text, SIZE, room), SIZE, False))
    return cells, max(len(c[0]) for c in cells) * LINE_H + 2 * PAD_Y


def _draw_cells(c: canvas.Canvas, font: str, cells: Sequence[Cell], widths: Sequence[float], top: float,
                centred: bool = False) -> None:
    x = MARGIN
    for (lines, size, right), cw in zip(cells, widths, strict=True):
        c.setFont(font, size)
        for k, line in enumerate(lines):
            y = top - PAD_Y - (k + 1) * LINE_H + 0.9 * mm
            if centred:
                c.drawCentredString(x + cw / 2, y, line)
            elif right:
                c.drawRightString(x + cw - PAD_X, y, line)
            else:
                c.drawString(x + PAD_X, y, line)
        x += cw


def _draw_seal(c: canvas.Canvas, font: str, seal: SealRow, page_width: float) -> None:
    draw_check_code(c, font, seal, page_width, MARGIN, qr_size=QR_SIZE, code_y=MARGIN)


def sheet_pdf_bytes(sheet: ContractSheet, seal: SealRow | None = None) -> tuple[bytes, int]:
    """The PDF and its page count; with ``seal`` (``reports.sealed_kinds.seal_contract_sheet``)
    every page carries the QR code and check code of what it prints."""
    font = register_cjk_font()
    page = landscape(A4)
    w, h = page
    usable = w - 2 * MARGIN
    total_w = sum(col.width for col in sheet.columns)
    widths = [col.width / total_w * usable for col in sheet.columns]
    body: list[tuple[Value, ...]] = [tuple(col.get(r) for col in sheet.columns) for r in sheet.rows]
    if any(col.total for col in sheet.columns) and body:
        body.append(tuple(("合计" if i == 0 else sum((v[i] or Decimal(0) for v in body), Decimal("0.00"))
                           if col.total else None) for i, col in enumerate(sheet.columns)))
    head_cells, head_h = _layout([col.header for col in sheet.columns], widths)
    rows = [_layout(values, widths) for values in body]
    room = h - 2 * MARGIN - HEADER_H - FOOTER_H - head_h
    chunks: list[list[tuple[list[Cell], float]]] = [[]]
    used = 0.0
    for row in rows:
        if chunks[-1] and used + row[1] > room:
            chunks.append([])
            used = 0.0
        chunks[-1].append(row)
        used += row[1]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    c.setTitle(f"{sheet.title} {sheet.scope} {sheet.as_of:%Y-%m-%d}")
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(sheet.title)
    for n, chunk in enumerate(chunks, start=1):
        top = h - MARGIN
        c.setFont(font, 15)
        c.drawCentredString(w / 2, top - 6 * mm, sheet.title)
        c.setFont(font, 9)
        c.drawCentredString(w / 2, top - 12 * mm, f"截至 {sheet.as_of:%Y年%m月%d日}")
        c.drawString(MARGIN, top - 19 * mm, f"编制单位：{sheet.scope}")
        c.drawRightString(w - MARGIN, top - 19 * mm, f"第 {n} 页 / 共 {len(chunks)} 页　　单位：元")
        y = top - HEADER_H + 6 * mm
        head_top = y
        c.setLineWidth(0.6)
        c.line(MARGIN, y, w - MARGIN, y)
        _draw_cells(c, font, head_cells, widths, y, centred=True)
        y -= head_h
        c.line(MARGIN, y, w - MARGIN, y)
        for cells, row_h in chunk:
            _draw_cells(c, font, cells, widths, y)
            y -= row_h
            c.setLineWidth(0.2)
            c.line(MARGIN, y, w - MARGIN, y)
        if not chunk:
            y -= 6 * mm
            c.setFont(font, SIZE)
            c.drawString(MARGIN + 2 * mm, y + 2 * mm, "（无记录）")
            c.line(MARGIN, y, w - MARGIN, y)
        column_rules(c, widths, MARGIN, head_top, y)
        c.setFont(font, 8)
        note_w = usable - (QR_SIZE + 4 * mm if seal is not None else 0)
        note = wrap(f"说明：{sheet.note}", 8, note_w) if n == len(chunks) and sheet.note else []
        for k, line in enumerate(note):
            c.drawString(MARGIN, y - 5 * mm - k * 3.6 * mm, line)
        c.setFont(font, 9)
        c.drawString(MARGIN, y - 12 * mm - max(len(note) - 1, 0) * 3.6 * mm, "单位负责人：____________　　会计：____________　　制表：____________　　"
                                         "审核：____________　　日期：______年____月____日")
        if seal is not None:
            _draw_seal(c, font, seal, w)
        c.showPage()
    c.save()
    return buf.getvalue(), len(chunks)


def _org(names: dict[uuid.UUID, str]) -> list[PCol]:
    return [PCol("组织", 34, lambda r: names.get(r.organisation_id, ""))] if len(names) > 1 else []


def build_sheet(session: Session, kind: str, *, organisation_id: uuid.UUID | None, scope: str,
                as_of: date) -> ContractSheet:
    from desktop_app.core.services.contract_queries import installment_rows
    from desktop_app.core.services.contract_review import current_findings
    from desktop_app.core.services.contract_warnings import list_arrears, list_expiring
    from desktop_app.core.services.contracts import list_contracts
    from desktop_app.core.services.orgs import list_organisations

    names = {o.id: o.name for o in list_organisations(session)
             if organisation_id is None or o.id == organisation_id}
    if kind == "ledger":
        rows: Sequence[Any] = list_contracts(session, organisation_id, as_of=as_of)
        cols = [*_org(names), PCol("合同编号", 20, lambda r: r.number), PCol("类型", 16, lambda r: r.kind),
                PCol("标的", 26, lambda r: r.subject), PCol("面积（亩）", 19, lambda r: f"{r.area_mu:,.2f}" if r.area_mu else ""),
                PCol("承包（承租）方", 30, lambda r: r.counterparty_name),
                PCol("证件号码", 36, lambda r: mask_ric(r.counterparty_id_number) if r.counterparty_kind == "个人"
                     and r.counterparty_id_number else r.counterparty_id_number),
                PCol("起始日期", 18, lambda r: r.start_date), PCol("终止日期", 18, lambda r: r.end_date),
                PCol("年租金", 20, lambda r: r.annual_rent, True), PCol("付款", 10, lambda r: r.payment_mode),
                PCol("递增", 24, lambda r: r.escalation_text), PCol("民主程序", 15, lambda r: "有" if r.procedure_count else "无"),
                PCol("备案", 12, lambda r: "已备案" if r.filed_on else "未备案"), PCol("状态", 12, lambda r: r.state)]
        return ContractSheet("合同台账", scope, as_of, tuple(cols), rows,
                             "状态为截至日期的状态（未生效、履行中、纠纷、已到期、已终止）。个人证件号码已隐去中间八位。")
    if kind == "installments":
        rows = installment_rows(session, None, as_of, organisation_id)
        cols = [PCol("合同编号", 22, lambda r: r.contract_number), PCol("承包（承租）方", 34, lambda r: r.counterparty_name),
                PCol("期次", 10, lambda r: r.seq), PCol("所属期间", 40, lambda r: f"{r.period_start:%Y-%m-%d}至{r.period_end:%Y-%m-%d}"),
                PCol("缴款日期", 20, lambda r: r.due_date), PCol("应收", 22, lambda r: r.amount, True),
                PCol("实收", 22, lambda r: r.received, True),
                PCol("已到期未收（欠缴）", 24, lambda r: r.overdue, True), PCol("未到期", 22, lambda r: r.not_due, True),
                PCol("状态", 16, lambda r: r.status)]
        return ContractSheet("应收租金明细", scope, as_of, tuple(cols), rows,
                             "实收为截至日期已冲抵该期的收款；欠缴仅指缴款日期已过仍未收的金额（与欠款明细一致），"
                             "缴款日期未到的列入未到期；合同终止后的期次不计收。")
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
                             "欠缴为截至日期（含当日）已到缴款日期仍未收清的金额，与同日财务公开表的期末欠缴一致；"
                             "账龄按缴款日期至截至日期计算：≤1年、1–3年、>3年；合同终止后的期次不计收。")
    if kind == "expiry":
        rows = list_expiring(session, organisation_id, as_of)
        cols = [*_org(names), PCol("合同编号", 22, lambda r: r.contract_number), PCol("合同名称", 44, lambda r: r.name),
                PCol("承包（承租）方", 34, lambda r: r.counterparty_name), PCol("终止日期", 20, lambda r: r.end_date),
                PCol("剩余天数", 16, lambda r: r.days_left), PCol("预警", 16, lambda r: r.bucket)]
        return ContractSheet("到期合同清单", scope, as_of, tuple(cols), rows,
                             "90天内、30天内到期及已到期未办理续签或终止的合同。")
    if kind == "review":
        rows = current_findings(session, organisation_id, as_of=as_of)
        cols = [*_org(names), PCol("合同编号", 20, lambda r: r.contract_number), PCol("合同名称", 30, lambda r: r.contract_name),
                PCol("承包（承租）方", 28, lambda r: r.counterparty_name), PCol("问题", 24, lambda r: r.rule_name),
                PCol("情况", 56, lambda r: r.message), PCol("依据", 44, lambda r: r.basis),
                PCol("整改状态", 14, lambda r: r.status), PCol("整改说明", 30, lambda r: r.rectification_note)]
        return ContractSheet("合同清理审查结果", scope, as_of, tuple(cols), rows,
                             "按截至日期的合同审查规则逐份审查；整改状态为最近一次记录。")
    raise ValueError(f"unknown contract report {kind!r}")


def write_contract_report(session: Session, kind: str, path: Path | str, *, organisation_id: uuid.UUID | None,
                          scope: str, as_of: date) -> int:
    """Write one report, sealed (what it prints is recorded, so ``verify-sheet`` can check the
    paper against the books later: the caller's transaction must be a write); returns its page
    count."""
    from desktop_app.reports.sealed_kinds import seal_contract_sheet

    sheet = build_sheet(session, kind, organisation_id=organisation_id, scope=scope, as_of=as_of)
    seal = seal_contract_sheet(session, kind, sheet, organisation_id=organisation_id, scope=scope, as_of=as_of)
    data, pages = sheet_pdf_bytes(sheet, seal)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return pages
