"""区级更正建议 (township): the district's correction proposals on this township's villages, as
they arrived with the district's packages — the review queue. 采纳 (then the township corrects
its books itself, the normal way) or 驳回 with a reason; the answer goes up with the next
package. The proposals themselves are the district's: nothing here edits them."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.errors import UserError
from desktop_app.core.services import proposals as svc
from desktop_app.core.services.permissions import ANSWER_PROPOSAL
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.proposal_dialogs import PROPOSAL_KIND, ProposalList, answer_dialog, set_tab_count
from desktop_app.ui.permissions import gate

TITLE = "区级更正建议"
NOTE = ("区经管站对本乡镇各村的凭证、合同、收益分配方案提出的更正建议，随区级同步包送达。"
        "采纳后请按正常流程在本机更正（如红字冲销后重新编制凭证）；驳回须写明理由。答复随下次同步包带回区经管站。")


class ProposalsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(TITLE)
        note = QLabel(NOTE)
        note.setObjectName("proposals_note")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666")
        self.list = ProposalList(ctx, "township_proposals", show_township=False)
        self.accept_button = QPushButton("采纳(&A)…")
        self.accept_button.setObjectName("proposal_accept")
        self.reject_button = QPushButton("驳回(&J)…")
        self.reject_button.setObjectName("proposal_reject")
        for b in (self.accept_button, self.reject_button):
            self.list.head.addWidget(b)
            self.may_answer = gate(b, ctx, ANSWER_PROPOSAL)
        self.accept_button.clicked.connect(lambda: self.answer(True))
        self.reject_button.clicked.connect(lambda: self.answer(False))
        self.list.refresh_button.clicked.connect(self.reload)
        self.list.filter_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.list.view.current_row_changed.connect(lambda _r: self._buttons())
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.list, 1)
        ctx.data_changed.connect(self._on_data_changed)
        self.reload()

    def _on_data_changed(self, kind: str, _ids: object) -> None:
        if kind in ("refresh", "sync", PROPOSAL_KIND):
            self.reload()

    def reload(self) -> None:
        rows = self.ctx.read(svc.list_proposals)
        self.list.fill(rows)
        self._buttons()
        self.pending = sum(r.status == "待答复" for r in rows)
        set_tab_count(self, TITLE, self.pending)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        set_tab_count(self, TITLE, self.pending)  # built before it was put on its tab

    def _buttons(self) -> None:
        row = self.list.current()
        open_ = row is not None and row.status == "待答复" and self.may_answer
        self.accept_button.setEnabled(open_)
        self.reject_button.setEnabled(open_)

    def answer(self, accept: bool) -> None:
        row = self.list.current()
        if row is None or row.status != "待答复":
            show_user_error(self, "请先选中一条待答复的建议")
            return
        try:
            answer_dialog(self.ctx, self, row, accept=accept)
        except UserError as exc:  # pragma: no cover - the dialog shows its own errors
            show_user_error(self, exc)


PAGE = PageSpec("proposals", TITLE, 91, ProposalsPage)
