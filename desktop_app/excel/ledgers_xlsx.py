"""日记账 / 明细账 / 总账 and 记账凭证 as xlsx: real numbers with '#,##0.00' (exact to the 分), dates
as dates, written through ``print_setup.StreamSheet`` (a 100,000-line journal keeps memory flat;
user text beginning with = + - @ stays text). 科目余额表 is ``statements_xlsx``."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from desktop_app.excel.print_setup import StreamSheet
from desktop_app.reports.ledger_docs import LedgerSheet, voucher_code
from desktop_app.reports.voucher_pdf import VoucherForms

NUMBER = "#,##0.00"
# a 红字 voucher's figures in red without the minus sign, as on paper (the cell keeps its negative value)
RED_NUMBER = "#,##0.00;[Red]#,##0.00"
DATE = "yyyy-mm-dd"
ZERO = Decimal("0.00")
JOURNAL = (("日期", 12, DATE), ("凭证号", 10, None), ("摘要", 40, None), ("科目", 10, None), ("往来单位", 18, None),
           ("借方", 15, NUMBER), ("贷方", 15, NUMBER), ("方向", 6, None), ("余额", 16, NUMBER))
GENERAL = (("科目编码", 10, None), ("科目名称", 22, None), ("期间", 10, None), ("方向", 6, None),
           ("期初余额", 16, NUMBER), ("本期借方", 16, NUMBER), ("本期贷方", 16, NUMBER), ("方向", 6, None),
           ("期末余额", 16, NUMBER))
VOUCHERS = (("日期", 12, DATE), ("凭证号", 10, None), ("摘要", 36, None), ("总账科目", 18, None),
            ("明细科目", 22, None), ("借方金额", 15, RED_NUMBER), ("贷方金额", 15, RED_NUMBER), ("附单据", 7, None),
            ("状态", 7, None), ("制单", 9, None), ("审核", 9, None), ("记账", 9, None))
_BOLD = Font(bold=True)


def _sheet(wb: Workbook, name: str, title: str, subtitle: str, spec: Sequence[tuple[str, int, str | None]]
           ) -> StreamSheet:
    return StreamSheet(wb, name, title=title, subtitle=subtitle, headers=[h for h, _, _ in spec],
                       widths=[w for _, w, _ in spec], formats=[f for _, _, f in spec])


def _bold_row(out: StreamSheet, values: Sequence[Any], spec: Sequence[tuple[str, int, str | None]]) -> None:
    cells = []
    for value, (_h, _w, fmt) in zip(values, spec, strict=True):
        cell = WriteOnlyCell(out.ws, value=value)
        cell.font = _BOLD
        if fmt:
            cell.number_format = fmt
        cells.append(cell)
    out.append(cells)


def _or_none(value: Decimal) -> Decimal | None:
    return None if value == 0 else value


def _save(wb: Workbook) -> bytes:
    wb.properties.creator = "阳光台账"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ledger_xlsx_bytes(sheet: LedgerSheet) -> bytes:
    wb = Workbook(write_only=True)
    subtitle = (f"{sheet.owner_line}　账套：{sheet.book_name}　{sheet.period_label}"
                + (f"　科目：{sheet.account}" if sheet.account else "") + "　单位：元")
    if sheet.journal is not None:
        out = _sheet(wb, sheet.title, sheet.title, subtitle, JOURNAL)
        for x in sheet.journal.lines:
            if x.kind == "entry":
                out.append([x.voucher_date, voucher_code(x.voucher_number), x.summary, x.account_code,
                            x.counterparty, _or_none(x.debit), _or_none(x.credit), x.direction, x.balance_amount])
            else:
                amounts = [None, None] if x.kind == "opening" else [x.debit, x.credit]
                _bold_row(out, [None, None, x.summary, None, None, *amounts, x.direction, x.balance_amount], JOURNAL)
    else:
        out = _sheet(wb, sheet.title, sheet.title, subtitle, GENERAL)
        for g in sheet.general:
            out.append([g.code, g.name, g.period, g.opening_direction, g.opening_amount, g.debit, g.credit,
                        g.closing_direction, g.closing_amount])
    out.close()
    return _save(wb)


def vouchers_xlsx_bytes(forms: VoucherForms) -> bytes:
    wb = Workbook(write_only=True)
    subtitle = f"单位：{forms.organisation}　账套：{forms.book_name}　凭证 {len(forms.vouchers)} 张　单位：元"
    out = _sheet(wb, "记账凭证", "记账凭证", subtitle, VOUCHERS)
    total = ZERO
    for v in forms.vouchers:
        for ln in v.lines:
            out.append([v.voucher_date, v.code, ln.summary, ln.account, ln.detail or None, _or_none(ln.debit),
                        _or_none(ln.credit), v.attachments, v.status, v.maker, v.reviewer or None, v.poster or None])
        _bold_row(out, [None, v.code, f"合计（大写）{v.words}", None, None, v.total, v.total, None, None, None, None,
                        None], VOUCHERS)
        total += v.total
    last = out.rows
    _bold_row(out, [None, None, "总计", None, None, total, total, None, None, None, None, None], VOUCHERS)
    out.close(last_row=last)
    return _save(wb)


# the flat journal the voucher import reads back (excel.import_vouchers): one row per line
VOUCHER_JOURNAL = (("日期", 12, DATE), ("凭证号", 10, None), ("摘要", 36, None), ("科目编码", 12, "@"),
                   ("科目名称", 28, None), ("借方", 15, NUMBER), ("贷方", 15, NUMBER), ("往来单位", 20, None))


def voucher_journal_xlsx_bytes(lines: Sequence[Any], *, organisation: str, book_name: str, label: str) -> bytes:
    """凭证 as a flat journal (``core.services.voucher_import.JournalLine`` rows) with exactly the
    import's columns, so the file re-imports into another book with the same chart; the 合计 row at
    the bottom is one the import skips."""
    wb = Workbook(write_only=True)
    codes = {ln.code for ln in lines}
    subtitle = f"单位：{organisation}　账套：{book_name}　{label}　凭证 {len(codes)} 张　单位：元"
    out = _sheet(wb, "凭证", "凭证列表", subtitle, VOUCHER_JOURNAL)
    debit = credit = ZERO
    for ln in lines:
        out.append([ln.voucher_date, ln.code, ln.summary, ln.account_code, ln.account_name, ln.debit, ln.credit,
                    ln.counterparty])
        debit += ln.debit or ZERO
        credit += ln.credit or ZERO
    last = out.rows
    _bold_row(out, [None, None, "合计", None, None, debit, credit, None], VOUCHER_JOURNAL)
    out.close(last_row=last)
    return _save(wb)
