"""打印/导出PDF/导出Excel on the 账簿 page and the voucher list, offscreen; a long journal's paging."""

from __future__ import annotations

import io
import itertools
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMessageBox

from desktop_app.core.money import format_amount
from desktop_app.core.rows_funds import Journal, JournalLine, balance_direction
from desktop_app.reports.ledger_docs import LedgerSheet
from desktop_app.reports.ledgers_pdf import ROW_H, journal_pages, ledger_pdf_bytes
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.ledger_print import add_voucher_outputs
from desktop_app.ui.pages.funds_ledgers import KINDS, LedgersPage
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.funds.conftest import Env


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes recorded instead of run modally."""
    shown: list[str] = []

    def record(box: QMessageBox) -> int:
        shown.append(box.text())
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(ui_errors, "_exec", record)
    return shown


def _ctx(env: Env, tmp_path: Path) -> AppContext:
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    ctx.period = "2026-03"
    return ctx


def _wait(qtbot: object, outputs: object) -> None:
    qtbot.waitUntil(lambda: outputs.runner.active == 0, timeout=30_000)  # type: ignore[attr-defined]


def _text(path: Path) -> str:
    with pdfplumber.open(path) as doc:
        return "".join((p.extract_text() or "") for p in doc.pages).replace(" ", "")


def test_ledger_page_prints_and_exports_what_it_shows(qtbot: object, env: Env, tmp_path: Path,
                                                      boxes: list[str]) -> None:
    env.vouch(date(2026, 3, 2), "提现", ("101", "300.00", "0"), ("10201", "0", "300.00"))
    env.vouch(date(2026, 3, 9), "付办公费", ("51301", "120.50", "0"), ("101", "0", "120.50"))
    ctx = _ctx(env, tmp_path)
    page = LedgersPage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.resize(1300, 600)
    page.show()
    outputs = page.outputs
    assert [b.text() for b in outputs.widgets()] == ["打印…", "导出PDF…", "导出Excel…"]
    titles = {"现金日记账": "现金日记账", "银行存款日记账": "银行存款日记账", "科目余额表": "科目余额表",
              "明细账": "明细账", "总账": "总账"}
    for kind in KINDS:
        page.account.setText("10201" if kind == "明细账" else "")
        page.kind.setCurrentText(kind)
        pdf, xlsx = tmp_path / f"{kind}.pdf", tmp_path / f"{kind}.xlsx"
        outputs.export("pdf", str(pdf))
        _wait(qtbot, outputs)
        outputs.export("xlsx", str(xlsx))
        _wait(qtbot, outputs)
        assert titles[kind] in _text(pdf)
        ws = openpyxl.load_workbook(xlsx).active
        assert ws is not None and ws["A1"].value == titles[kind]
    assert page.output_note.text().startswith("已导出总账")
    # the page's 现金日记账 and its printed copy: the closing balance the page shows is on the paper
    page.kind.setCurrentText("现金日记账")
    assert format_amount(Decimal("179.50")) in page.summary.text()
    printer = QPrinter()
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    outputs.print_document(printer)
    _wait(qtbot, outputs)
    assert "本月合计300.00120.50借179.50" in _text(printed)
    outputs.export("pdf", str(tmp_path / "same.pdf"))
    _wait(qtbot, outputs)
    assert printed.read_bytes() == (tmp_path / "same.pdf").read_bytes()  # print to file = the vector PDF
    assert page.output_note.text().startswith("已导出现金日记账")
    page.grab().save(str(tmp_path / "ledgers.png"))
    page.account.setText("")
    page.kind.setCurrentText("明细账")
    outputs.export("pdf", str(tmp_path / "none.pdf"))
    assert boxes == ["请先输入明细账的科目编码"] and not (tmp_path / "none.pdf").exists()


def test_voucher_list_prints_selected_or_all(qtbot: object, env: Env, tmp_path: Path, boxes: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        env.vouch(date(2026, 3, 2 + i), f"提现{i}", ("101", "100.00", "0"), ("10201", "0", "100.00"))
    ctx = _ctx(env, tmp_path)
    page = VouchersPage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    outputs = getattr(page, "outputs", None) or add_voucher_outputs(page, QHBoxLayout())
    assert outputs.per_page is not None and outputs.per_page_value() == 2
    outputs.per_page.setCurrentIndex(1)
    assert ctx.settings.get("voucher_print") == {"per_page": 3}
    every = tmp_path / "all.pdf"
    outputs.export("pdf", str(every))
    _wait(qtbot, outputs)
    with pdfplumber.open(every) as doc:
        assert [(p.extract_text() or "").replace(" ", "").count("记字第") for p in doc.pages] == [3, 2]
    page.view.select_row(1)
    one = tmp_path / "one.xlsx"
    outputs.export("xlsx", str(one))
    _wait(qtbot, outputs)
    ws = openpyxl.load_workbook(one).active
    assert ws is not None
    codes = {r[1].value for r in ws.iter_rows(min_row=4) if r[1].value}
    assert codes == {"记-0002"}
    # the button asks where to save (the dialog opens where PDFs went last, and remembers)
    asked: list[str] = []

    def dialog(_parent: object, _title: str, where: str, _filter: str) -> tuple[str, str]:
        asked.append(where)
        return str(tmp_path / "out" / "chosen.pdf"), ""

    (tmp_path / "out").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    outputs.pdf_button.click()
    _wait(qtbot, outputs)
    assert asked[0].endswith("_记账凭证_2026-03.pdf") and (tmp_path / "out" / "chosen.pdf").stat().st_size > 0
    assert ctx.settings.last_folder("ledger_pdf") == tmp_path / "out"
    assert boxes == []


def test_a_long_journal_pages_and_carries() -> None:
    """5,000 lines over three months: every 承前页 is the 过次页 before it; the month sums restart."""
    lines: list[JournalLine] = [JournalLine(None, None, "2026-01", None, "期初余额", "101", None, Decimal(0),
                                            Decimal(0), Decimal("1000.00"), "opening", "借", Decimal("1000.00"))]
    balance = Decimal("1000.00")
    for month in (1, 2, 3):
        p = f"2026-{month:02d}"
        d = c = Decimal(0)
        for i in range(1666):
            debit, credit = (Decimal("12.34"), Decimal(0)) if i % 3 else (Decimal(0), Decimal("20.01"))
            balance += debit - credit
            d, c = d + debit, c + credit
            lines.append(JournalLine(uuid.uuid4(), date(2026, month, 1 + i % 28), p, i + 1, f"摘要{i}", "101", None,
                                     debit, credit, balance, "entry", *balance_direction(balance)))
        lines.append(JournalLine(None, None, p, None, f"2026年{month}月 本月合计", "101", None, d, c, balance,
                                 "month_total", *balance_direction(balance)))
        lines.append(JournalLine(None, None, p, None, "本年累计", "101", None, d, c, balance, "year_total",
                                 *balance_direction(balance)))
    widths = [57.0, 45.0, 150.0, 48.0, 77.0, 77.0, 23.0, 80.0]
    pages = journal_pages(tuple(lines), 40 * ROW_H, widths)
    assert len(pages) > 5000 // 40
    assert pages[0][0] is None and pages[-1][2] is None
    for (_, rows, out), (carried_in, _next, _) in itertools.pairwise(pages):
        assert out is not None and carried_in == out and len(rows) <= 39
    printed = [r.cells[2] for _, rows, _ in pages for r in rows]
    assert printed == [x.summary for x in lines]  # every line once, in order
    sheet = LedgerSheet("cash-journal", "现金日记账", "东湖村股份经济合作社", "N2320115MF00000121", uuid.uuid4(),
                        "东湖村股份经济合作社", "01", uuid.uuid4(), "2026-01", "2026-03", "2026年第1季度",
                        "101 库存现金", Journal("101", "库存现金", "2026-01", "2026-03", Decimal("1000.00"), Decimal(0),
                                               Decimal(0), balance, tuple(lines)))
    pdf = ledger_pdf_bytes(sheet)  # its speed: bench/bench_ledger_pdf.py
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        n = len(doc.pages)
        last = (doc.pages[-1].extract_text() or "").replace(" ", "")
    assert n > 100 and f"第{n}页/共{n}页" in last and f"借{format_amount(balance)}" in last


def test_a_printer_gets_every_page_turned_as_the_pdf(qtbot: object, env: Env, tmp_path: Path) -> None:
    """The real-printer path (pages drawn at the printer's resolution), caught in a PDF file."""
    from pypdf import PdfReader

    from desktop_app.reports.ledger_docs import render_ledger_output
    from desktop_app.ui.ledger_print import paint_pages

    env.vouch(date(2026, 3, 2), "提现", ("101", "300.00", "0"), ("10201", "0", "300.00"))
    with env.db.begin("kj") as s:
        out = render_ledger_output(s, env.book.id, "general-ledger", "2026-01", "2026-03", "pdf")
    source = PdfReader(io.BytesIO(out.data))
    printer = QPrinter()
    printer.setFullPage(True)
    printer.setOutputFileName(str(tmp_path / "painted.pdf"))
    paint_pages(printer, out.data)
    painted = PdfReader(tmp_path / "painted.pdf")
    assert len(painted.pages) == len(source.pages) > 1
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in painted.pages)  # 总账 is landscape
