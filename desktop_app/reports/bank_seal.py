"""The 银行存款余额调节表 as a sealed document: its printed content, the rebuild ``verify-sheet``
runs (the same ``reconciliation_report`` the PDF's caller used) and the sealed PDF writer the CLI
and the 银行对账 page call in a write transaction (sealing records the document).

The content is what the paper shows: both sides of the table, the verdict and every 未达账项.
Marking the month 已对账 changes the verdict line, so a sheet printed before the mark no longer
matches; so does any change of the books, the statement or the matching behind the month.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.services.bank_rows import BankReconciliationReport
from desktop_app.core.services.funds_base import get_book_row, period_label
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

BANK_RECONCILIATION = "bank_reconciliation"
TITLE = "银行存款余额调节表"


def reconciliation_content(session: Session, book_id: uuid.UUID, r: BankReconciliationReport) -> SealedContent:
    from desktop_app.reports.bank_pdf import summary_rows

    book = get_book_row(session, book_id)
    details = [[heading[2:], item.day, item.reference, item.summary, item.counterparty, item.amount]
               for heading, _sign, _total, items in r.sections() for item in items]
    items = [text_item(f"编制单位：{r.organisation}　账套：{r.book_name}　银行账户：{r.account_code} {r.account_name}"
                       f"　{period_label(r.period)}　单位：元"),
             table_item(TITLE, ["项目", "金额", "项目", "金额"], summary_rows(r), fmt=str),
             text_item(r.verdict),
             text_item(f"本月对账单 {r.statement_lines} 笔"),
             table_item("未达账项", ["未达账项", "日期", "凭证号/对账单", "摘要", "对方户名", "金额"], details)]
    params = {"book_id": str(book_id), "account": r.account_code, "period": r.period}
    return SealedContent(BANK_RECONCILIATION, params, TITLE, r.book_name,
                         f"{period_label(r.period)} {r.account_code}", (section("第1节", TITLE, items),), book.code,
                         book.organisation_id, book_id)


def _rebuild(session: Session, params: Mapping[str, Any]) -> SealedContent:
    from desktop_app.core.services.bank_reconcile import reconciliation_report

    book_id = uuid.UUID(str(params["book_id"]))
    return reconciliation_content(session, book_id, reconciliation_report(
        session, book_id, str(params["account"]), str(params["period"])))


register_kind(DocumentKind(BANK_RECONCILIATION, _rebuild))


def seal_reconciliation(session: Session, book_id: uuid.UUID, r: BankReconciliationReport) -> SealRow:
    return seal_document(session, BANK_RECONCILIATION, content=reconciliation_content(session, book_id, r))


def write_sealed_reconciliation_pdf(session: Session, book_id: uuid.UUID, account_code: str, period: str,
                                    path: Path | str, report: BankReconciliationReport | None = None) -> Path:
    """The month's 调节表 as a sealed PDF (QR + 校验码 on every page): a write, call it in a write
    transaction. ``report`` when the caller has it already (just marked, say)."""
    from desktop_app.core.services.bank_reconcile import reconciliation_report
    from desktop_app.reports.bank_pdf import write_reconciliation_pdf

    r = report or reconciliation_report(session, book_id, account_code, period)
    return write_reconciliation_pdf(r, path, seal_reconciliation(session, book_id, r))
