"""Reviewer #17.6/#17.7 on the 账簿 page, offscreen on a real SQLite file: journals show 凭证号 as the
voucher list does (记-0002) on the page, in the PDF and in the xlsx; switching village clears the
"已导出…" note of the old one."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pdfplumber
from PySide6.QtWidgets import QLabel

from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.funds_ledgers import LedgersPage
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.funds.conftest import Env


def test_journal_voucher_codes_and_the_note_cleared_on_switch(qtbot: Any, env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 3, 2), "提现", ("101", "300.00", "0"), ("10201", "0", "300.00"))
    env.vouch(date(2026, 3, 9), "付办公费", ("51301", "120.50", "0"), ("101", "0", "120.50"))
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    ctx.period = "2026-03"
    page = LedgersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 500)
    page.show()
    page.kind.setCurrentText("现金日记账")
    model = page.view.model()
    codes = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert "记-0001" in codes and "记-0002" in codes and "2" not in codes
    pdf, xlsx = tmp_path / "cash.pdf", tmp_path / "cash.xlsx"
    for kind, path in (("pdf", pdf), ("xlsx", xlsx)):
        page.outputs.export(kind, str(path))
        qtbot.waitUntil(lambda: page.outputs.runner.active == 0, timeout=30_000)
    with pdfplumber.open(pdf) as doc:
        text = "".join(p.extract_text() or "" for p in doc.pages).replace(" ", "")
    assert "记-0001" in text and "记-0002" in text
    ws = openpyxl.load_workbook(xlsx).active
    assert ws is not None
    column = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("记-")]
    assert column[:2] == ["记-0001", "记-0002"]
    assert page.output_note.text().startswith("已导出现金日记账") and "cash.xlsx" in page.output_note.text()
    ctx.set_selection(None, None)  # another village chosen (here: none yet)
    assert page.output_note.text() == ""


def test_voucher_list_note_cleared_on_switch(qtbot: Any, env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 3, 2), "提现", ("101", "300.00", "0"), ("10201", "0", "300.00"))
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    ctx.period = "2026-03"
    page = VouchersPage(ctx)
    qtbot.addWidget(page)
    page.outputs.export("pdf", str(tmp_path / "v.pdf"))
    qtbot.waitUntil(lambda: page.outputs.runner.active == 0, timeout=30_000)

    def notes() -> list[str]:
        return [w.text() for w in page.findChildren(QLabel) if w.text().startswith("已导出")]

    assert len(notes()) == 1 and "v.pdf" in notes()[0]
    ctx.set_selection(None, None)
    assert notes() == []
