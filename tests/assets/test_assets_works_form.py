"""The project dialog keeps a 工程's facts for 专项公开: budget, tender, contract, final account —
typed in a real offscreen dialog, saved through the service, shown again when edited."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.ui import errors as ui_errors
from desktop_app.ui import forms
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import assets as page_mod
from desktop_app.ui.settings import WindowSettings
from tests.assets.conftest import Env


def test_project_dialog_saves_and_shows_the_works_facts(env: Env, qtbot: Any, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.services.contracts import ContractInput, create_contract
    from desktop_app.core.services.projects import list_projects

    with env.db.begin("test") as s:
        contract = create_contract(s, ContractInput(
            organisation_id=env.org.id, book_id=env.book.id, number="HT2026-007", name="村道硬化施工合同", kind="工程",
            subject="村道", counterparty_name="江宁区通达路桥建设工程有限公司", counterparty_kind="单位",
            start_date=date(2026, 3, 10), end_date=date(2026, 12, 31), payment_mode="一次性",
            annual_rent=D("481200.50")), user=env.user)
    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "w.json"))
    ctx.period = "2026-10"
    page = page_mod.AssetsPage(ctx)
    qtbot.addWidget(page)
    ctx.set_selection(env.org, env.book)
    messages: list[str] = []
    monkeypatch.setattr(ui_errors, "_exec", lambda box: messages.append(box.text()) or 0)
    seen: dict[str, Any] = {}

    def new(dialog: forms.FormDialog) -> int:
        f = dialog.form
        f.widget("code").setText("XM-01")
        f.widget("name").setText("村内主干道硬化工程")
        f.widget("budget").setText("500000")
        f.widget("tender_method").setCurrentText("公开招标")
        f.widget("tender_winner").setText("江宁区通达路桥建设工程有限公司")
        f.widget("tender_amount").setText("481,200.50")
        f.widget("tender_on").setDate(date(2026, 3, 1))
        box = f.widget("contract_id")
        box.setCurrentIndex(box.findData(str(contract.id)))
        f.widget("final_amount").setText("492000")
        assert not dialog.try_save()  # a final amount without its date is refused, the dialog stays open
        seen["error"] = f.errors()
        f.widget("final_on").setDate(date(2026, 10, 28))
        dialog.try_save()
        return 1 if dialog.result_value is not None else 0

    def edit(dialog: forms.FormDialog) -> int:
        f = dialog.form
        seen["shown"] = (f.widget("budget").value(), f.widget("tender_winner").text(),
                         f.widget("contract_id").currentData(), f.widget("final_amount").value())
        dialog.try_save()  # saved unchanged: nothing is lost
        return 1

    monkeypatch.setattr(forms.FormDialog, "exec", new)
    page.new_project()
    assert "决算日期" in " ".join(seen["error"].values())
    with env.db.begin("test") as s:
        p = list_projects(s, env.org.id)[0]
    assert (p.book_id, p.budget, p.tender_method, p.tender_winner, p.tender_amount, p.tender_on, p.contract_id,
            p.final_amount, p.final_on) == (env.book.id, D("500000.00"), "公开招标", "江宁区通达路桥建设工程有限公司",
                                            D("481200.50"), date(2026, 3, 1), contract.id, D("492000.00"),
                                            date(2026, 10, 28))
    page.reload()
    page.tabs.setCurrentIndex(2)
    page.projects.view.select_row(0)
    monkeypatch.setattr(forms.FormDialog, "exec", edit)
    QTest.keyClick(page.projects.view.table, Qt.Key.Key_Return)
    assert seen["shown"] == (D("500000.00"), "江宁区通达路桥建设工程有限公司", str(contract.id), D("492000.00"))
    with env.db.begin("test") as s:
        assert list_projects(s, env.org.id)[0] == p
