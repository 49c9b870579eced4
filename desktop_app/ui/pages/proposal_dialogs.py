"""What the correction-proposal pages share (更正建议, issue #13; no ``PAGE`` here): the list of
proposals with its status filter and detail line, and the dialogs — proposing on a target
(district), answering one (township), and 村账查阅: finding a village's voucher by organisation,
month and number to propose on (district, read-only)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.services import proposals as svc
from desktop_app.core.services.district_common import places
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.tables import RowTableModel

PROPOSAL_KIND = "proposal"  # the data_changed kind announced after a proposal or an answer


def _text_box(text: str = "", height: int = 90) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlainText(text)
    box.setFixedHeight(height)
    return box


def _read_only(text: str) -> QLineEdit:
    line = QLineEdit(text)
    line.setReadOnly(True)
    line.setCursorPosition(0)
    return line


def _add_note(dialog: FormDialog, text: str) -> None:
    """A grey line between the form and the buttons."""
    note = QLabel(text)
    note.setObjectName("dialog_note")
    note.setWordWrap(True)
    note.setStyleSheet("color: #666")
    layout = dialog.layout()
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(1, note)


def propose_dialog(ctx: AppContext, parent: QWidget, target: svc.Target, *, kind: str = "其他",
                   text: str = "") -> svc.ProposalRow | None:
    """Propose on ``target``; the proposal goes to the township with the next district package."""
    kinds = QComboBox()
    kinds.addItems(list(svc.PROPOSAL_KINDS))
    kinds.setObjectName("proposal_kind")
    fields = [
        Field("village", "村", _read_only(target.organisation_name)),
        Field("target", target.kind_text, _read_only(target.label)),
        Field("kind", "建议类别", kinds, required=True),
        Field("text", "建议内容", _text_box(text), required=True, hint="500字以内：哪里不对、建议怎样更正"),
    ]

    def save(values: dict[str, Any]) -> svc.ProposalRow:
        return ctx.call(svc.propose, target, values["kind"], values["text"], user=ctx.user)

    dialog = FormDialog("提出更正建议", fields, save, values={"kind": kind}, parent=parent)
    dialog.save_button.setText("提出")
    _add_note(dialog, "建议随下次发给该乡镇的同步包送达；乡镇答复后随其同步包带回。区级不修改乡镇的数据。")
    if not dialog.exec():
        return None
    ctx.notify(PROPOSAL_KIND)
    return dialog.result_value  # type: ignore[no-any-return]


def answer_dialog(ctx: AppContext, parent: QWidget, row: svc.ProposalRow, *, accept: bool) -> svc.ProposalRow | None:
    """The township's 采纳 (then it corrects its books itself) or 驳回 (with a reason)."""
    fields = [
        Field("target", "对象", _read_only(f"{row.village_name} {row.target_text}")),
        Field("proposal", "建议", _read_only(f"（{row.kind}）{row.text}")),
        Field("reason", "说明" if accept else "驳回理由", _text_box(), required=not accept),
    ]
    if accept:
        fields.append(Field("reference", "更正凭证", QLineEdit(), hint="如 2025年3月 记-0031 红字冲销并重新编制"))

    def save(values: dict[str, Any]) -> svc.ProposalRow:
        return ctx.call(svc.answer, row.id, accept=accept, reason=values.get("reason") or "",
                        reference=values.get("reference") or "", user=ctx.user)

    dialog = FormDialog("采纳更正建议" if accept else "驳回更正建议", fields, save, parent=parent)
    dialog.save_button.setText("采纳" if accept else "驳回")
    if accept:
        _add_note(dialog, "采纳后请按正常流程在本机更正（如红字冲销后重新编制凭证、修改合同），可在此注明所用凭证。")
    if not dialog.exec():
        return None
    ctx.notify(PROPOSAL_KIND)
    return dialog.result_value  # type: ignore[no-any-return]


VOUCHER_COLUMNS = [
    Column("book_name", "账套", "pinyin-text"),
    Column("period", "期间"),
    Column("number", "凭证号", "int"),
    Column("voucher_date", "日期", "date"),
    Column("summary", "摘要", "pinyin-text"),
    Column("status", "状态"),
    Column("amount", "金额", "money", total=True),
]


class VoucherLookupDialog(QDialog):
    """村账查阅: a village's vouchers of one month (read-only), and a proposal on the chosen one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("村账查阅 — 查找凭证并提出更正建议")
        self.org_combo = QComboBox()
        self.org_combo.setObjectName("lookup_org")
        for v in ctx.read(places):
            if v.level != "乡镇":
                self.org_combo.addItem(f"{v.township} {v.name}", v.organisation_id)
        self.period_edit = QLineEdit(ctx.period)
        self.period_edit.setObjectName("lookup_period")
        self.period_edit.setPlaceholderText("YYYY-MM")
        self.period_edit.setMaximumWidth(90)
        self.number_spin = QSpinBox()
        self.number_spin.setObjectName("lookup_number")
        self.number_spin.setRange(0, 99999)
        self.number_spin.setSpecialValueText("全部")
        self.search_button = QPushButton("查询(&Q)")
        self.search_button.clicked.connect(self.search)
        head = QHBoxLayout()
        for w in (QLabel("组织"), self.org_combo, QLabel("期间"), self.period_edit, QLabel("凭证号"),
                  self.number_spin, self.search_button):
            head.addWidget(w)
        head.addStretch(1)
        self.model = RowTableModel(VOUCHER_COLUMNS)
        self.view = LedgerView(self.model, settings=ctx.settings, settings_key="table:proposal_voucher_lookup")
        self.view.setObjectName("lookup_vouchers")
        self.status = QLabel("各乡镇数据只读：选中凭证后可提出更正建议")
        self.status.setStyleSheet("color: #666")
        buttons = QDialogButtonBox()
        self.propose_button = buttons.addButton("对所选凭证提出更正建议…", QDialogButtonBox.ButtonRole.ActionRole)
        self.propose_button.setObjectName("lookup_propose")
        self.propose_button.clicked.connect(self.propose)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(900, 560)
        self.proposed: list[svc.ProposalRow] = []

    def search(self) -> None:
        org = self.org_combo.currentData()
        if org is None:
            return
        number = self.number_spin.value() or None
        try:
            hits = self.ctx.read(svc.search_vouchers, org, self.period_edit.text().strip(), number)
        except UserError as exc:
            show_user_error(self, exc)
            return
        self.model.set_rows(hits)
        if hits:
            self.view.select_row(0)
        self.status.setText(f"{self.org_combo.currentText()} {self.period_edit.text().strip()}：共 {len(hits)} 张凭证"
                            if hits else "没有符合条件的凭证")

    def propose(self) -> None:
        hit = self.view.current_row()
        if hit is None:
            show_user_error(self, "请先查询并选中一张凭证")
            return
        try:
            target = self.ctx.read(svc.target_of, "voucher", hit.id)
        except UserError as exc:
            show_user_error(self, exc)
            return
        row = propose_dialog(self.ctx, self, target, kind="科目用错")
        if row is not None:
            self.proposed.append(row)
            self.status.setText(f"已提出更正建议 [{row.short_id}]：{row.target_text}")


PROPOSAL_COLUMNS = [  # what was asked and what was answered first; who and when after
    Column("short_id", "编号"),
    Column("status", "状态"),
    Column("township", "乡镇", "pinyin-text"),
    Column("village_name", "村", "pinyin-text"),
    Column("target_text", "对象", "pinyin-text"),
    Column("kind", "类别"),
    Column("text", "建议内容", "pinyin-text"),
    Column("reason", "驳回理由/说明", "pinyin-text"),
    Column("reference", "更正凭证"),
    Column("proposed_by", "提出人"),
    Column("proposed_at", "提出日期", getter=lambda r: f"{r.proposed_at.astimezone():%Y-%m-%d}"),
    Column("answered_by", "答复人"),
    Column("answered_at", "答复日期",
           getter=lambda r: f"{r.answered_at.astimezone():%Y-%m-%d}" if r.answered_at else ""),
    Column("changed", "对象现状", getter=lambda r: r.changed_text),
]
WIDTHS = {"village_name": 170, "target_text": 240, "text": 260, "reason": 200, "reference": 180}
FILTERS = ("待答复", "全部", "已采纳", "已驳回")


def detail_text(r: svc.ProposalRow | None) -> str:
    if r is None:
        return "选中一条建议可在此查看全文"
    lines = [f"[{r.short_id}] {r.village_name} {r.target_text}",
             f"{r.proposed_by} {r.proposed_at.astimezone():%Y-%m-%d %H:%M} 提出（{r.kind}）：{r.text}",
             f"对象现状：{r.changed_text}"]
    if r.answered_at is not None:
        said = "：" + r.reason if r.reason else ""
        lines.append(f"{r.answered_by} {r.answered_at.astimezone():%Y-%m-%d %H:%M} {r.status}{said}"
                     + (f"（更正：{r.reference}）" if r.reference else ""))
    else:
        lines.append("状态：待答复")
    return "\n".join(lines)


class ProposalList(QWidget):
    """A status filter, the proposals, and the selected one in full."""

    def __init__(self, ctx: AppContext, key: str, *, show_township: bool) -> None:
        super().__init__()
        self.ctx = ctx
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("proposal_filter")
        self.filter_combo.addItems(list(FILTERS))
        self.count_label = QLabel()
        self.count_label.setObjectName("proposal_counts")
        self.refresh_button = QPushButton("刷新(&R)")
        self.head = QHBoxLayout()
        for w in (QLabel("显示"), self.filter_combo, self.refresh_button, self.count_label):
            self.head.addWidget(w)
        self.head.addStretch(1)
        columns = [c for c in PROPOSAL_COLUMNS if show_township or c.key != "township"]
        self.model = RowTableModel(columns)
        self.view = LedgerView(self.model, settings=ctx.settings, settings_key=f"table:{key}")
        self.view.setObjectName("proposal_table")
        if ctx.settings.get(f"table:{key}") is None:  # first use: room for the texts that matter
            for col, width in WIDTHS.items():
                if col in [c.key for c in columns]:
                    self.view.table.setColumnWidth([c.key for c in columns].index(col), width)
        self.detail = QLabel(detail_text(None))
        self.detail.setObjectName("proposal_detail")
        self.detail.setWordWrap(True)
        self.detail_box = QGroupBox("建议详情")
        QVBoxLayout(self.detail_box).addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.head)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail_box)
        self.view.current_row_changed.connect(lambda _r: self.show_detail())

    def status(self) -> str | None:
        text = self.filter_combo.currentText()
        return None if text == "全部" else text

    def fill(self, rows: tuple[svc.ProposalRow, ...]) -> None:
        """All rows (counted), those of the chosen status shown."""
        counts = {st: sum(r.status == st for r in rows) for st in svc.STATUSES}
        self.count_label.setText("，".join(f"{k} {v} 条" for k, v in counts.items()))
        wanted = self.status()
        self.model.set_rows([r for r in rows if wanted is None or r.status == wanted])
        if self.model.rowCount():
            self.view.select_row(0)
        self.show_detail()

    def current(self) -> svc.ProposalRow | None:
        row = self.view.current_row()
        return row if isinstance(row, svc.ProposalRow) else None

    def show_detail(self) -> None:
        self.detail.setText(detail_text(self.current()))


def set_tab_count(page: QWidget, title: str, pending: int) -> None:
    """"区级更正建议（3）" on the page's own tab, once the page is built."""
    holder: QWidget | None = page
    while holder is not None:
        parent = holder.parentWidget()
        tabs = parent.parentWidget() if parent is not None else None
        if isinstance(tabs, QTabWidget):
            i = tabs.indexOf(holder)
            if i >= 0:
                tabs.setTabText(i, f"{title}（{pending}）" if pending else title)
                return
        holder = parent
