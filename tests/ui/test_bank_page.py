"""The 银行对账 page offscreen: import a real statement, 自动勾对, 手工勾对 and 取消勾对 through the
buttons, the 调节表 beside them, 标记已对账, exports, and a 监督 who may only read and export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtCore import QItemSelectionModel

from desktop_app.core.services.users import create_user
from desktop_app.ui.context import AppContext
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages.funds_bank import BankPage
from desktop_app.ui.settings import WindowSettings
from tests.funds.bank_data import june_books, write_june_gbk_csv
from tests.funds.conftest import Env, make_env
from tests.ui.conftest import ShownBoxes


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    e = make_env(tmp_path / "bank.db")
    yield e
    e.db.close()


def _page(qtbot: object, env: Env, tmp_path: Path, user: object = None) -> BankPage:
    ctx = AppContext(env.db, user or env.maker, WindowSettings(tmp_path / "w.json"))  # type: ignore[arg-type]
    ctx.book = env.book
    ctx.period = "2026-06"
    page = BankPage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.resize(1400, 860)
    return page


def _select(view: LedgerView, predicate: object) -> None:
    view.table.clearSelection()
    model = view.table.model()
    for row in range(model.rowCount()):
        if predicate(view.model().row_at(row)):  # type: ignore[operator]
            view.table.selectionModel().select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                                               | QItemSelectionModel.SelectionFlag.Rows)


def test_the_month_reconciled_through_the_page(qtbot: object, env: Env, tmp_path: Path,
                                               shown_boxes: ShownBoxes) -> None:
    june_books(env)
    env.vouch(date(2026, 6, 12), "收水费（两组合并存入）", ("10201", "700.00", "0"), ("50104", "0", "700.00"))
    page = _page(qtbot, env, tmp_path)
    assert page.account.currentText() == "10201 农商行"
    assert [r.summary for r in page.book_model.rows()][:2] == ["收东湖渔场租金", "付办公用品款"]
    assert page.import_file(write_june_gbk_csv(tmp_path / "june.csv"))
    assert "新增 4 笔" in shown_boxes.texts[-1]  # the confirmation showed what the file holds
    assert len(page.bank_model.rows()) == 4
    page.buttons["auto"].click()
    assert "自动勾对 2 笔" in page.message.text()
    assert page.report is not None and page.report.balanced
    assert "调节后余额相等" in page.table_label.text() and "99,387.50" in page.table_label.text()
    # the interest is matched by hand with nothing on the book side: refused, nothing changed
    _select(page.bank_view, lambda i: i.summary == "结息")
    _select(page.book_view, lambda i: i.amount == D("700.00"))
    page.buttons["match"].click()
    assert "金额不等" in shown_boxes.texts[-1]
    page.show_kind.setCurrentText("未达账项")
    assert {r.summary for r in page.bank_model.rows()} == {"结息", "账户管理费"}
    page.show_kind.setCurrentText("全部")
    _select(page.bank_view, lambda i: i.summary == "租金")
    page.buttons["unmatch"].click()
    assert "恢复为未达账项" in page.message.text()
    assert not next(i for i in page.items if i.summary == "租金").matched
    _select(page.bank_view, lambda i: i.summary == "租金")
    _select(page.book_view, lambda i: i.summary == "收东湖渔场租金")
    page.buttons["match"].click()
    assert next(i for i in page.items if i.summary == "租金").state == "手工勾对"
    page.grab().save(str(tmp_path / "bank_page.png"))
    page.buttons["mark"].click()
    assert page.report.reconciled and not page.buttons["auto"].isEnabled() and page.buttons["unmark"].isEnabled()
    assert "已由王会计于" in page.table_label.text()
    page.export_to(tmp_path / "调节表.pdf")
    with pdfplumber.open(tmp_path / "调节表.pdf") as pdf:
        assert "已由王会计于" in pdf.pages[0].extract_text()
    page.export_to(tmp_path / "调节表.xlsx")
    assert (tmp_path / "调节表.xlsx").is_file()
    assert not page.buttons["delete"].isEnabled()  # a reconciled month keeps its statement
    page.unmark()
    page.buttons["delete"].click()
    assert "已删除本月对账单 4 笔" in page.message.text() and page.bank_model.rows() == []


def test_a_supervisor_reads_and_exports_only(qtbot: object, env: Env, tmp_path: Path) -> None:
    june_books(env)
    with env.db.begin("test") as s:
        watcher = create_user(s, username="jd", display_name="监督", password="secret1", roles=["supervisor"])
    page = _page(qtbot, env, tmp_path, watcher)
    enabled = {k for k, b in page.buttons.items() if b.isEnabled()}
    assert enabled == {"pdf", "xlsx"}
    assert "仅限" in page.buttons["delete"].toolTip()
    assert "仅限" in page.buttons["import"].toolTip()
    assert "尚未导入本月银行对账单" in page.table_label.text()
