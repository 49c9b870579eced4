"""The ledger documents a page prints or exports: 现金/银行存款日记账, 明细账, 总账 (科目余额表 is the
statement of ``services.statements``), and 记账凭证 — built from the same services the pages show,
written as PDF (sealed with a check code, like the statements) or xlsx by the file's suffix.

``write_ledger_output`` is the one entry of the CLI (``print``/``export``) and the pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import format_amount
from desktop_app.core.rows_funds import GeneralLedgerLine, Journal, JournalLine
from desktop_app.core.services import ledgers
from desktop_app.core.services.funds_base import get_book_row, range_label
from desktop_app.core.services.periods import period_row
from desktop_app.core.services.statements import statement_owner
from desktop_app.reports.sealing import (
    DocumentKind,
    SealedContent,
    SealRow,
    register_kind,
    seal_document,
    section,
    table_item,
    text_item,
)

if TYPE_CHECKING:
    from desktop_app.reports.voucher_pdf import VoucherForms

LEDGER, VOUCHERS = "ledger", "vouchers"
TITLES = {"cash-journal": "现金日记账", "bank-journal": "银行存款日记账", "ledger": "明细账",
          "general-ledger": "总账", "trial-balance": "科目余额表", "vouchers": "记账凭证"}
JOURNAL_HEADERS = ("日期", "凭证号", "摘要", "科目", "借方", "贷方", "方向", "余额")
GENERAL_HEADERS = ("科目编码", "科目名称", "期间", "方向", "期初余额", "本期借方", "本期贷方", "方向", "期末余额")


@dataclass(frozen=True)
class LedgerSheet:
    """A 日记账/明细账 (``journal``) or a 总账 (``general``) with everything its header prints."""

    kind: str
    title: str
    organisation: str
    organisation_code: str
    book_id: uuid.UUID
    book_name: str
    book_code: str
    organisation_id: uuid.UUID
    period_from: str
    period_to: str
    period_label: str
    account: str  # "1001 库存现金" for a journal, "" (all) or one account for a 总账
    journal: Journal | None = None
    general: tuple[GeneralLedgerLine, ...] = ()
    seal_hash: str | None = None

    @property
    def owner_line(self) -> str:
        return f"编制单位：{self.organisation}（统一社会信用代码：{self.organisation_code or '未登记'}）"


def amount_text(value: Decimal, *, blank_zero: bool = True) -> str:
    return "" if blank_zero and value == 0 else format_amount(value)


def voucher_code(number: int | None) -> str:
    return "" if number is None else f"记-{number:04d}"


def journal_cells(line: JournalLine) -> list[str]:
    """One journal line as printed (PDF and the sealed content alike)."""
    entry = line.kind == "entry"
    return [f"{line.voucher_date:%Y-%m-%d}" if line.voucher_date else "", voucher_code(line.voucher_number),
            line.summary, line.account_code if entry else "",
            "" if line.kind == "opening" else amount_text(line.debit, blank_zero=entry),
            "" if line.kind == "opening" else amount_text(line.credit, blank_zero=entry),
            line.direction, format_amount(line.balance_amount)]


def general_cells(line: GeneralLedgerLine) -> list[str]:
    return [line.code, line.name, line.period, line.opening_direction, format_amount(line.opening_amount),
            amount_text(line.debit, blank_zero=False), amount_text(line.credit, blank_zero=False),
            line.closing_direction, format_amount(line.closing_amount)]


def build_ledger_sheet(session: Session, book_id: uuid.UUID, kind: str, first: str, last: str,
                       account: str | None = None) -> LedgerSheet:
    """The sheet of ``kind`` (cash-journal / bank-journal / ledger / general-ledger) for the months."""
    book = get_book_row(session, book_id)
    org, code = statement_owner(session, book_id)
    journal: Journal | None = None
    general: tuple[GeneralLedgerLine, ...] = ()
    if kind == "cash-journal":
        journal = ledgers.cash_journal(session, book_id, first, last)
    elif kind == "bank-journal":
        journal = ledgers.bank_journal(session, book_id, first, last)
    elif kind == "ledger":
        if not account:
            raise ValidationError("明细账须指定科目编码（--account，如 102）", field="科目")
        journal = ledgers.account_ledger(session, book_id, account, first, last)
    elif kind == "general-ledger":
        general = tuple(ledgers.general_ledger(session, book_id, first, last, account or None))
    else:
        raise ValidationError(f"未知账簿 {kind}", field="账簿")
    shown = f"{journal.account_code} {journal.account_name}" if journal is not None else (
        f"{general[0].code} {general[0].name}" if account and general else "")
    seal = period_row(session, book_id, last).seal_hash
    return LedgerSheet(kind, TITLES[kind], org, code, book_id, book.name, book.code, book.organisation_id, first, last,
                       range_label(first, last), shown, journal, general, seal)


# -- sealing: what the PDF printed, rebuilt by verify-sheet from the books ----------------------------

def ledger_content(sheet: LedgerSheet) -> SealedContent:
    if sheet.journal is not None:
        table = table_item(sheet.title, JOURNAL_HEADERS, [journal_cells(x) for x in sheet.journal.lines], fmt=str)
    else:
        table = table_item(sheet.title, GENERAL_HEADERS, [general_cells(x) for x in sheet.general], fmt=str)
    head = f"{sheet.owner_line}　账套：{sheet.book_name}　{sheet.period_label}　单位：元"
    items = [text_item(head + (f"　科目：{sheet.account}" if sheet.account else "")), table]
    params = {"book_id": str(sheet.book_id), "kind": sheet.kind, "from": sheet.period_from, "to": sheet.period_to,
              "account": sheet.account.split(" ")[0] if sheet.account else ""}
    return SealedContent(LEDGER, params, sheet.title, sheet.organisation, sheet.period_label,
                         (section("第1节", sheet.title, items),), sheet.book_code, sheet.organisation_id,
                         sheet.book_id, sheet.seal_hash)


def _rebuild(session: Session, params: Mapping[str, Any]) -> SealedContent:
    sheet = build_ledger_sheet(session, uuid.UUID(str(params["book_id"])), str(params["kind"]), str(params["from"]),
                               str(params["to"]), str(params.get("account") or "") or None)
    return ledger_content(sheet)


def _period_problems(_session: Session, now: SealedContent, stored: str) -> list[str]:
    if (now.period_seal or "") != stored:
        return [f"结账封存：{now.period_label}的结账封存码在账簿打印后已变化（反结账后重新结账或修改）"]
    return []


register_kind(DocumentKind(LEDGER, _rebuild, _period_problems))


def seal_ledger(session: Session, sheet: LedgerSheet) -> SealRow:
    return seal_document(session, LEDGER, content=ledger_content(sheet))


def vouchers_content(session: Session, book_id: uuid.UUID, forms: VoucherForms,
                     ids: Sequence[uuid.UUID] | None) -> SealedContent:
    """Every form's figures and names as printed (not how many to a page: the same vouchers)."""
    book = get_book_row(session, book_id)
    rows = [[v.code, f"{v.voucher_date:%Y-%m-%d}", ln.summary, ln.account, ln.detail, amount_text(ln.debit),
             amount_text(ln.credit)] for v in forms.vouchers for ln in v.lines]
    totals = [[v.code, f"附单据{v.attachments}张", f"合计（大写）{v.words}", format_amount(v.total),
               f"制单：{v.maker} 审核：{v.reviewer} 记账：{v.poster}"] for v in forms.vouchers]
    items = [text_item(f"单位：{forms.organisation}　账套：{forms.book_name}"),
             table_item("记账凭证", ["凭证号", "日期", "摘要", "总账科目", "明细科目", "借方金额", "贷方金额"], rows, fmt=str),
             table_item("合计", ["凭证号", "附单据", "合计", "金额", "签章"], totals, fmt=str)]
    params = {"book_id": str(book_id), "from": forms.period_from, "to": forms.period_to,
              "ids": sorted(str(i) for i in ids) if ids is not None else None}
    return SealedContent(VOUCHERS, params, "记账凭证", forms.organisation, range_label(forms.period_from, forms.period_to),
                         (section("第1节", "记账凭证", items),), book.code, book.organisation_id, book_id)


def _rebuild_vouchers(session: Session, params: Mapping[str, Any]) -> SealedContent:
    from desktop_app.reports.voucher_pdf import build_voucher_forms

    book_id = uuid.UUID(str(params["book_id"]))
    raw = params.get("ids")
    ids = [uuid.UUID(str(i)) for i in raw] if isinstance(raw, list) else None
    forms = build_voucher_forms(session, book_id, str(params["from"]), str(params["to"]), ids)
    return vouchers_content(session, book_id, forms, ids)


register_kind(DocumentKind(VOUCHERS, _rebuild_vouchers))


# -- one entry for the CLI and the pages ------------------------------------------------------------

@dataclass(frozen=True)
class Output:
    data: bytes
    title: str  # 现金日记账 …
    label: str  # what was written, for the message: "东湖村…，2026年1月，共 3 页"


def render_ledger_output(session: Session, book_id: uuid.UUID, kind: str, first: str, last: str, fmt: str, *,
                         account: str | None = None, per_page: int = 2,
                         voucher_ids: Sequence[uuid.UUID] | None = None) -> Output:
    """The document as bytes: ``fmt`` "pdf" (sealed: a write, call it in a write transaction) or "xlsx"."""
    if fmt not in ("pdf", "xlsx"):
        raise UserError("输出文件应以 .pdf 或 .xlsx 结尾", field="--out")
    if kind == "trial-balance":
        from desktop_app.core.services.statements import build_statement

        st = build_statement(session, book_id, kind, first, last)
        if fmt == "xlsx":
            from desktop_app.excel.statements_xlsx import statement_xlsx_bytes

            return Output(statement_xlsx_bytes(st), st.title, f"{st.organisation}，{st.period_label}")
        from desktop_app.reports.sealed_kinds import seal_statement
        from desktop_app.reports.statements_pdf import statement_pdf_bytes

        return Output(statement_pdf_bytes(st, seal_statement(session, book_id, st)), st.title,
                      f"{st.organisation}，{st.period_label}")
    if kind == "vouchers":
        from desktop_app.reports.voucher_pdf import build_voucher_forms, vouchers_pdf_bytes

        forms = build_voucher_forms(session, book_id, first, last, voucher_ids)
        if not forms.vouchers:
            raise UserError(f"{range_label(first, last)}没有可打印的凭证（作废的凭证不打印）")
        label = f"{forms.organisation}，{range_label(first, last)}，凭证 {len(forms.vouchers)} 张"
        if fmt == "xlsx":
            from desktop_app.excel.ledgers_xlsx import vouchers_xlsx_bytes

            return Output(vouchers_xlsx_bytes(forms), "记账凭证", label)
        seal = seal_document(session, VOUCHERS, content=vouchers_content(session, book_id, forms, voucher_ids))
        return Output(vouchers_pdf_bytes(forms, per_page=per_page, seal=seal), "记账凭证", label)
    sheet = build_ledger_sheet(session, book_id, kind, first, last, account)
    label = f"{sheet.organisation}，{sheet.period_label}" + (f"，{sheet.account}" if sheet.account else "")
    if fmt == "xlsx":
        from desktop_app.excel.ledgers_xlsx import ledger_xlsx_bytes

        return Output(ledger_xlsx_bytes(sheet), sheet.title, label)
    from desktop_app.reports.ledgers_pdf import ledger_pdf_bytes

    return Output(ledger_pdf_bytes(sheet, seal_ledger(session, sheet)), sheet.title, label)


def write_ledger_output(session: Session, book_id: uuid.UUID, kind: str, first: str, last: str, path: Path | str,
                        **options: Any) -> Output:
    """Render by ``path``'s suffix and write the file atomically."""
    from desktop_app.reports.disclosure.files import write_atomically

    path = Path(path)
    out = render_ledger_output(session, book_id, kind, first, last, path.suffix.lower().lstrip("."), **options)
    write_atomically(path, out.data)
    return out
