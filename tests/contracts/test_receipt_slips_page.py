"""收款收据 in the GUI (offscreen, issue #20): the 收款收据 page lists a month's slips with the check
against the vouchers, 补开 fills what is missing, prints (the second time 补打) and voids; the
contracts page's receipt list prints and voids a receipt's slip; a 监督 finds those buttons off."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from desktop_app.core.services.receipts import record_receipt
from desktop_app.core.services.users import create_user
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.contracts import ContractsPage
from desktop_app.ui.pages.receipt_slips import ReceiptSlipsPage, void_dialog
from desktop_app.ui.settings import WindowSettings
from tests.contracts.conftest import Env
from tests.contracts.test_receipt_slips import other_income

SHOTS = Path("/tmp/h_receipt")


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes answered 确定 instead of run modally (the documented seam)."""
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box.text())
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(ui_errors, "_exec", fake_exec)
    return shown


def pdf_text(path: Path) -> str:
    return "".join("".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def _ctx(env: Env, tmp_path: Path, user: Any = None) -> AppContext:
    ctx = AppContext(env.db, user or env.user, WindowSettings(tmp_path / "s.json"))
    ctx.set_selection(env.org, env.book)
    ctx.set_period("2026-03")
    return ctx


def test_slips_page_issues_prints_and_voids(env: Env, tmp_path: Path, qtbot: Any, boxes: list[str]) -> None:
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 10), amount="1200", method="现金", user=env.user)
    other_income(env, date(2026, 3, 12), "80")
    page = ReceiptSlipsPage(_ctx(env, tmp_path))
    qtbot.addWidget(page)
    page.resize(1300, 500)
    assert page.period.value() == "2026-03"
    assert page.view.model().rowCount() == 1
    assert page.check_label.text().startswith("⚠ 收款收据与收款凭证核对：收款 2 笔 1,280.00 元，正常收据 1 张 1,200.00 元")

    page.issue_missing()  # 补开 for the voucher's 80 元 (confirmed 确定)
    assert any("1 笔未开收据" in t for t in boxes)
    assert [r.number for r in page.view.model().all_rows()] == ["2026-00001", "2026-00002"]
    assert page.check_label.text().endswith("正常收据 2 张 1,280.00 元，一致")

    page.view.select_row(0)
    first = page.print_selected(str(tmp_path / "a.pdf"))
    assert first is not None and "No.2026-00001" in pdf_text(first) and "补打" not in pdf_text(first)
    page.view.select_row(0)
    again = page.print_selected(str(tmp_path / "b.pdf"))
    assert again is not None and "补打（第2次打印）" in pdf_text(again)
    assert page.view.model().all_rows()[0].print_count == 2

    slip = page.view.model().all_rows()[1]
    dialog = void_dialog(page, page.ctx, slip)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.form.widget("reason").setText("交款人写错")  # type: ignore[attr-defined]
    assert dialog.try_save()
    rows = page.view.model().all_rows()
    assert (rows[1].number, rows[1].status, rows[1].void_reason) == ("2026-00002", "作废", "交款人写错")
    assert "未开收据" in page.check_label.text()
    page.grab().save(str(SHOTS / "slips_page.png")) if SHOTS.is_dir() else None


def test_contracts_page_prints_and_voids_a_receipts_slip(env: Env, tmp_path: Path, qtbot: Any, boxes: list[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 10), amount="1200", method="银行", user=env.user)
        watcher = create_user(s, username="jd", display_name="监督员", password="secret1", roles=["supervisor"])
    page = ContractsPage(_ctx(env, tmp_path))
    qtbot.addWidget(page)
    page.contracts.select_row(0)
    page.receipts.select_row(0)
    out = tmp_path / "r.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF 文件 (*.pdf)"))
    print_button = page.findChild(QPushButton, "btn_print_slip")
    assert print_button is not None and print_button.isEnabled() and print_button.text() == "打印收据"
    print_button.click()
    text = pdf_text(out)
    assert "No.2026-00001" in text and "壹仟贰佰元整" in text and "第二联收据" in text

    opened: list[Any] = []
    monkeypatch.setattr("desktop_app.ui.forms.FormDialog.open", lambda self: opened.append(self))
    page.findChild(QPushButton, "btn_void_slip").click()
    dialog = opened[0]
    qtbot.addWidget(dialog)
    dialog.form.widget("reason").setText("收款方式记错")
    assert dialog.try_save()
    page.findChild(QPushButton, "btn_void_slip").click()
    assert boxes[-1] == "这笔收款没有未作废的收据"
    print_button.click()  # no live slip: 补开 (confirmed), then printed
    assert "No.2026-00002" in pdf_text(out)

    supervised = ContractsPage(_ctx(env, tmp_path, watcher))
    qtbot.addWidget(supervised)
    assert not supervised.findChild(QPushButton, "btn_print_slip").isEnabled()
    assert not supervised.findChild(QPushButton, "btn_void_slip").isEnabled()
    slips = ReceiptSlipsPage(_ctx(env, tmp_path, watcher))
    qtbot.addWidget(slips)
    enabled = {b.objectName() for b in slips.findChildren(QPushButton) if b.isEnabled()}
    assert enabled == {"btn_slip_check"} and slips.view.model().rowCount() == 2
