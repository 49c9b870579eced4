"""更正建议 (district): every proposal the district made, with the township's answer as it came
back up (待答复 / 已采纳 / 已驳回 with the reason, dates and who). 村账查阅 finds a village's
voucher to propose on; 合同监管 proposes on a contract. A proposal not yet answered can be
withdrawn. The townships' books stay read-only: a proposal is the district's own record."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QPushButton

from desktop_app.core.errors import UserError
from desktop_app.core.services import proposals as svc
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import confirm, show_user_error
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage
from desktop_app.ui.pages.proposal_dialogs import (
    PROPOSAL_KIND,
    ProposalList,
    VoucherLookupDialog,
    set_tab_count,
)

TITLE = "更正建议"
NOTE = ("区经管站不修改乡镇的数据：对某村的凭证、合同或收益分配方案有意见时提出更正建议，随下次发给该乡镇的"
        "同步包送达；乡镇采纳后自行更正，或写明理由驳回，答复随乡镇的同步包带回。")


class DistrictProposalsPage(DistrictPage):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setWindowTitle(TITLE)
        for w in (self.year_label, self.year_spin, self.month_combo, self.refresh_button):
            w.setVisible(False)  # proposals are not of a year
        self.note.setText(NOTE)
        self.list = ProposalList(ctx, "district_proposals", show_township=True)
        self.lookup_button = QPushButton("村账查阅(&V)…")
        self.lookup_button.setObjectName("proposal_lookup")
        self.lookup_button.setToolTip("按组织、期间、凭证号查找村的凭证，并对其提出更正建议")
        self.withdraw_button = QPushButton("撤回建议")
        self.withdraw_button.setObjectName("proposal_withdraw")
        for b in (self.lookup_button, self.withdraw_button):
            self.list.head.addWidget(b)
        self.lookup_button.clicked.connect(self.lookup)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.list.refresh_button.clicked.connect(self.reload)
        self.list.filter_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.list.view.current_row_changed.connect(lambda _r: self._buttons())
        self.body.addWidget(self.list, 1)
        self.reload()

    def _on_data_changed(self, kind: str, _ids: object) -> None:
        if kind in ("refresh", "sync", PROPOSAL_KIND):
            self.reload()

    def reload(self) -> None:
        if not hasattr(self, "list"):
            return  # the base class's header signals before the body exists
        rows = self.read(svc.list_proposals)
        self.list.fill(rows)
        self._buttons()
        self.pending = sum(r.status == "待答复" for r in rows)
        set_tab_count(self, TITLE, self.pending)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        set_tab_count(self, TITLE, self.pending)  # built before it was put on its tab

    def _buttons(self) -> None:
        row = self.list.current()
        self.withdraw_button.setEnabled(row is not None and row.status == "待答复")

    def lookup(self) -> VoucherLookupDialog:
        dialog = VoucherLookupDialog(self.ctx, self)
        dialog.exec()
        return dialog

    def withdraw(self) -> None:
        row = self.list.current()
        if row is None or row.status != "待答复":
            show_user_error(self, "请先选中一条待答复的建议")
            return
        if not confirm(self, f"撤回对{row.village_name}的更正建议 [{row.short_id}]（{row.target_text}）？"
                             "撤回随下次同步包送达乡镇，该建议从乡镇的待答复中消失。"):
            return
        try:
            self.ctx.call(svc.withdraw, row.id, user=self.ctx.user)
        except UserError as exc:
            show_user_error(self, exc)
            return
        self.ctx.notify(PROPOSAL_KIND)


PAGE = PageSpec("district_proposals", TITLE, 8, DistrictProposalsPage, site="district")
