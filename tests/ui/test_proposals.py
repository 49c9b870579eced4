"""The correction-proposal pages offscreen (issue #13), on a real township and district carried by
the real export and import: the district proposes from 合同监管 and from 村账查阅 and sees the
status on 更正建议; the township answers on 区级更正建议 (采纳/驳回), its tab showing the count."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from desktop_app.core.services import proposals as svc
from desktop_app.core.services.users import authenticate, create_user
from desktop_app.ui import forms
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.district_contracts import DistrictContractsPage
from desktop_app.ui.pages.district_proposals import DistrictProposalsPage
from desktop_app.ui.pages.proposals import ProposalsPage
from desktop_app.ui.settings import WindowSettings
from tests.acting import keeper
from tests.sync.conftest import SyncPair


def _window(qtbot, pair: SyncPair, district: bool, tmp_path: Path) -> MainWindow:
    db = pair.district if district else pair.town
    with db.begin() as s:
        if district:
            create_user(s, username="quji", display_name="区经管站", password="demo1234", roles=["district_admin"],
                        must_change_password=False)
        user = authenticate(s, "quji" if district else "kuaiji", "demo1234")
    ctx = AppContext(db, user, WindowSettings(tmp_path / ("d.json" if district else "t.json")))
    ctx.period = "2026-11"
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    return win


def _page(win: MainWindow, page_id: str) -> tuple[int, QWidget]:
    i = next(i for i, p in enumerate(win.pages) if p.id == page_id)
    win.tabs.setCurrentIndex(i)
    page = win.page_widget(i)
    assert page is not None
    return i, page


def _answer_forms(monkeypatch: pytest.MonkeyPatch, fill) -> list[forms.FormDialog]:
    seen: list[forms.FormDialog] = []

    def fake_exec(dialog: forms.FormDialog) -> int:
        seen.append(dialog)
        fill(dialog.form)
        return 1 if dialog.try_save() else 0

    monkeypatch.setattr(forms.FormDialog, "exec", fake_exec)
    return seen


def _carry(pair: SyncPair, src, dst) -> None:
    _out, report = pair.carry(src, dst)
    assert not report.problems


def test_district_proposes_from_contracts_and_voucher_lookup(qtbot, sync_pair: SyncPair, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch, shown_boxes) -> None:
    _carry(sync_pair, sync_pair.town, sync_pair.district)
    win = _window(qtbot, sync_pair, True, tmp_path)
    _i, contracts = _page(win, "district_contracts")
    assert isinstance(contracts, DistrictContractsPage)
    tab = next(t for t in range(3) if contracts.views[t].model().rowCount())  # a tab with lines
    contracts.tabs.setCurrentIndex(tab)
    contracts.views[tab].select_row(0)
    line = contracts.views[tab].current_row()
    seen = _answer_forms(monkeypatch, lambda form: None)  # the suggested kind and text as they are
    contracts.propose_button.click()
    assert len(seen) == 1 and seen[0].form.widget("text").toPlainText()  # the text was suggested
    kind = seen[0].form.widget("kind").currentText()
    assert kind in ("手续不全", "合同超期", "合同欠款", "其他")

    i, page = _page(win, "district_proposals")
    assert isinstance(page, DistrictProposalsPage)
    qtbot.waitUntil(lambda: win.tabs.tabText(i) == "更正建议（1）")  # shown: its tab counts what waits
    (row,) = page.list.model.all_rows()
    contract_id = getattr(line, "finding", None) or getattr(line, "contract", None) or line.installment
    assert row.target_id == contract_id.contract_id and row.status == "待答复" and row.kind == kind
    assert row.township and row.proposed_by == "区经管站（quji）"
    assert "待答复" in page.list.detail.text() and row.short_id in page.list.detail.text()
    assert page.list.count_label.text() == "待答复 1 条，已采纳 0 条，已驳回 0 条"

    # 村账查阅: a village's voucher by organisation, month and number
    from desktop_app.ui.pages.proposal_dialogs import VoucherLookupDialog

    monkeypatch.setattr(VoucherLookupDialog, "exec", lambda self: 0)
    dialog = page.lookup()
    qtbot.addWidget(dialog)
    dialog.org_combo.setCurrentIndex(1)
    dialog.period_edit.setText("2026-03")
    dialog.search()
    hits = dialog.model.all_rows()
    assert hits and all(h.period == "2026-03" for h in hits)
    dialog.number_spin.setValue(hits[-1].number)
    dialog.search()
    assert [h.number for h in dialog.model.all_rows()] == [hits[-1].number]
    _answer_forms(monkeypatch, lambda form: (form.widget("kind").setCurrentText("金额有误"),
                                             form.widget("text").setPlainText("金额与附件发票不符")))
    dialog.propose()
    assert len(dialog.proposed) == 1 and "已提出更正建议" in dialog.status.text()
    dialog.period_edit.setText("2026-13")
    dialog.search()
    assert shown_boxes.texts[-1].endswith("格式应为 YYYY-MM")
    assert win.tabs.tabText(i) == "更正建议（2）"
    assert {r.kind for r in page.list.model.all_rows()} == {kind, "金额有误"}

    # an empty text is refused in the dialog, nothing saved
    seen = _answer_forms(monkeypatch, lambda form: form.widget("text").setPlainText(""))
    contracts.propose_button.click()
    assert seen[0].form.errors() == {"text": "请填写建议内容"} and seen[0].result_value is None
    assert len(page.list.model.all_rows()) == 2

    # withdraw the voucher proposal (confirm answered 确定 by the fixture)
    voucher_row = next(r for r in page.list.model.all_rows() if r.kind == "金额有误")
    page.list.view.select_row(page.list.model.all_rows().index(voucher_row))
    page.withdraw()
    assert [r.kind for r in page.list.model.all_rows()] == [kind]
    assert win.tabs.tabText(i) == "更正建议（1）"


def test_township_answers_in_its_review_queue(qtbot, sync_pair: SyncPair, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, shown_boxes) -> None:
    town, district = sync_pair.town, sync_pair.district
    _carry(sync_pair, town, district)
    with district.read() as s:
        from sqlalchemy import select

        from db.models import Contract

        contracts = s.execute(select(Contract.organisation_id, Contract.number).order_by(Contract.number).limit(2)).all()
    with district.begin("quji") as s:
        for org, number in contracts:
            svc.propose(s, svc.find_target(s, org, "contract", number), "合同超期", f"合同 {number} 已到期", user=keeper(s, "district_admin"))
    _carry(sync_pair, district, town)

    win = _window(qtbot, sync_pair, False, tmp_path)
    i, page = _page(win, "proposals")
    assert isinstance(page, ProposalsPage)
    qtbot.waitUntil(lambda: win.tabs.tabText(i) == "区级更正建议（2）")
    rows = page.list.model.all_rows()
    assert len(rows) == 2 and {r.status for r in rows} == {"待答复"}
    assert page.accept_button.isEnabled() and page.reject_button.isEnabled()

    page.list.view.select_row(0)
    first = page.list.current()
    _answer_forms(monkeypatch, lambda form: form.widget("reference").setText("续签合同 HT-2026-009"))
    page.answer(True)
    assert win.tabs.tabText(i) == "区级更正建议（1）"
    page.list.filter_combo.setCurrentText("全部")
    done = next(r for r in page.list.model.all_rows() if r.id == first.id)
    assert (done.status, done.reference, done.answered_by) == ("已采纳", "续签合同 HT-2026-009", "王会计（kuaiji）")

    page.list.filter_combo.setCurrentText("待答复")
    page.list.view.select_row(0)
    seen = _answer_forms(monkeypatch, lambda form: None)  # 驳回 without a reason: refused, stays open
    page.answer(False)
    assert seen[0].form.errors() == {"reason": "请填写驳回理由"} and seen[0].result_value is None
    assert win.tabs.tabText(i) == "区级更正建议（1）"
    _answer_forms(monkeypatch, lambda form: form.widget("reason").setPlainText("承包方已办理续约，合同在备案中"))
    page.answer(False)
    assert win.tabs.tabText(i) == "区级更正建议"
    assert page.list.model.all_rows() == [] and not page.accept_button.isEnabled()

    _carry(sync_pair, town, district)
    with district.read() as s:
        assert sorted(r.status for r in svc.list_proposals(s)) == ["已采纳", "已驳回"]
