"""The contracts page (offscreen): lists the organisation's contracts, shows the selected one's
schedule and receipts, the warnings and the review; models pass qtmodeltester."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from desktop_app.core.services.receipts import record_receipt
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.contracts import ContractsPage, write_export
from desktop_app.ui.settings import WindowSettings
from tests.contracts.conftest import Env


def test_page_shows_register_detail_warnings_and_review(env: Env, tmp_path: Path, qtbot: Any,
                                                       qtmodeltester: Any) -> None:
    cid = env.create(start_date=date(2020, 1, 1), end_date=date(2030, 12, 31), annual_rent=D("1000.00"))
    env.create(number="HT-2", counterparty_name="李四", counterparty_id_number=None, written=False)
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2024, 2, 1), amount="1500", method="现金", user=env.user)
    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "s.json"))
    ctx.set_selection(env.org, env.book)
    page = ContractsPage(ctx)
    qtbot.addWidget(page)
    page.as_of.setValue(date(2026, 3, 1))
    assert page.contracts.model().rowCount() == 2
    page.contracts.select_row(0)
    assert page.installments.model().rowCount() == 11
    assert page.receipts.model().rowCount() == 1
    assert page.arrears.model().rowCount() > 0 and "逾期" in page.counts_label.text()
    page.run_review()
    qtbot.waitUntil(lambda: page.findings.model().rowCount() > 0, timeout=10_000)
    rules = {f.rule_code for f in page.findings.model().all_rows()}
    assert {"no_written_contract", "not_filed", "arrears"} <= rules
    page.contracts.filter_edit.setText("ls")  # 李四 by pinyin initials
    page.contracts.apply_filter_now()
    assert [r.number for r in page.contracts.model().rows()] == ["HT-2"]
    out = tmp_path / "arrears.xlsx"
    with env.db.begin() as s:
        write_export(s, "arrears", str(out), env.org.id, "东湖村", date(2026, 3, 1))
    assert out.stat().st_size > 0
    for view in (page.contracts, page.installments, page.arrears, page.findings):
        qtmodeltester.check(view.model())


def test_contract_form_saves_and_shows_errors_beside_fields(env: Env, tmp_path: Path, qtbot: Any) -> None:
    from desktop_app.ui.forms import FormDialog
    from desktop_app.ui.pages import contracts_forms as cf

    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "s.json"))
    saved: list[Any] = []

    def save(v: dict[str, Any]) -> Any:
        row = cf._remap(lambda: ctx.call(cf.svc.create_contract, cf._input(env.org.id, env.book.id, v), user=ctx.user))
        saved.append(row)
        return row

    dialog = FormDialog("新增合同", cf.contract_fields(ctx, env.org.id), save,
                        values={"written": True, "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31)})
    qtbot.addWidget(dialog)
    form = dialog.form
    for name, text in (("number", "UI-1"), ("name", "鱼塘承包"), ("subject", "东塘"), ("counterparty_name", "王五"),
                       ("counterparty_id_number", "110105194912310021"), ("area_mu", "3.5")):
        form.widget(name).setText(text)  # type: ignore[attr-defined]
    form.widget("annual_rent").setValue(D("3600.00"))  # type: ignore[attr-defined]
    assert not dialog.try_save()
    assert "校验位" in form.errors().get("counterparty_id_number", "")  # shown beside 证件号码
    form.widget("counterparty_id_number").setText("11010519491231002X")  # type: ignore[attr-defined]
    assert dialog.try_save()
    assert saved[0].number == "UI-1" and saved[0].annual_rent == D("3600.00") and saved[0].area_mu == D("3.5000")
