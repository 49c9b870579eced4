"""资产资源: asset cards (资产台账), land parcels (资源台账), collective-economy projects and the
annual stock-take (资产清查, ``assets_stocktake``).

Keyboard: Ctrl+Tab / Ctrl+Shift+Tab switch the three lists; Ctrl+F filters (pinyin initials
work: "cbbgl" finds 村部办公楼); Enter on a row edits it; Alt+N new, Alt+M edit, Alt+J 价值调整,
Alt+P 处置, Alt+C 撤销（处置，或最近一次价值调整）, Alt+S 折旧表, Alt+H 历史, Alt+A/Alt+L 附件, Alt+D 计提本月折旧, Alt+T 全乡镇计提 (every book of the township, one go), Alt+R 账卡核对. Every action is one service call through ``ctx.call``; the page reloads on
``data_changed`` ("asset", "resource", "project", "voucher") and when the organisation changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount
from desktop_app.core.periods import period_label
from desktop_app.core.rows_assets import AssetRow, ParcelRow, ProjectReturnRow, ProjectRow
from desktop_app.core.services import assets as asset_svc
from desktop_app.core.services import depreciation as dep_svc
from desktop_app.core.services import projects as project_svc
from desktop_app.core.services import resources as resource_svc
from desktop_app.core.services.asset_reconcile import reconcile_assets
from desktop_app.core.services.auth import user_organisations
from desktop_app.core.services.depreciation_township import run_township_depreciation
from desktop_app.core.services.home import HomeScope, home_scopes
from desktop_app.core.services.permissions import APPROVE_STOCKTAKE, ENTER_RECORDS, MAKE_VOUCHER, Roles
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import confirm, show_user_error
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.import_dialog import ImportRun, import_button, save_template
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages import assets_dialogs as dialogs
from desktop_app.ui.pages.assets_forms import (
    ASSET_COLUMNS,
    PARCEL_COLUMNS,
    PROJECT_COLUMNS,
    asset_fields,
    asset_values,
    clean_asset,
    parcel_fields,
    parcel_values,
    project_fields,
    split_project,
)
from desktop_app.ui.pages.assets_stocktake import StocktakeTab
from desktop_app.ui.permissions import gate_buttons, press
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets.flow import FlowLayout

RELOAD_KINDS = ("asset", "resource", "project", "voucher", "period", "refresh")


# who may press which button (the rest only read); the stocktake tab's buttons included
GATES: dict[str, Roles] = {
    "btn_new_asset": MAKE_VOUCHER, "btn_edit_asset": ENTER_RECORDS, "btn_adjust": MAKE_VOUCHER,
    "btn_dispose": MAKE_VOUCHER, "btn_cancel_change": MAKE_VOUCHER, "btn_attach": ENTER_RECORDS,
    "btn_depreciate": MAKE_VOUCHER, "btn_depreciate_township": MAKE_VOUCHER, "btn_new_parcel": ENTER_RECORDS, "btn_edit_parcel": ENTER_RECORDS,
    "btn_new_project": ENTER_RECORDS, "btn_edit_project": ENTER_RECORDS,
    "btn_import_assets": MAKE_VOUCHER, "btn_import_resources": ENTER_RECORDS, "btn_import_projects": ENTER_RECORDS,
    "btn_start_stocktake": ENTER_RECORDS, "btn_found": ENTER_RECORDS, "btn_missing": ENTER_RECORDS,
    "btn_record": ENTER_RECORDS, "btn_surplus": ENTER_RECORDS, "btn_approve_stocktake": APPROVE_STOCKTAKE,
}


def _key(row: Any) -> Any:
    return row.project.id if isinstance(row, ProjectReturnRow) else row.id


class _ListTab(QWidget):
    """A filterable ledger with a row of mnemonic buttons above it."""

    def __init__(self, ctx: AppContext, columns: list[Any], key: str,
                 buttons: list[tuple[str, Callable[[], None], str]]) -> None:
        super().__init__()
        self.model = RowTableModel(columns)
        self.view = LedgerView(self.model, settings=ctx.settings, settings_key=f"table:{key}")
        self.view.setObjectName(f"{key}_table")
        bar = QHBoxLayout()
        for text, handler, name in buttons:
            btn = QPushButton(text)
            btn.setObjectName(name)
            key = text[text.index("&") + 1] if "&" in text else ""
            if key:  # explicit, so it works whatever the platform's mnemonic setting
                btn.setShortcut(QKeySequence(f"Alt+{key}"))
            btn.clicked.connect(handler)
            bar.addWidget(btn)
        bar.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName(f"{self.view.objectName()}_summary")
        # beside the filter and its 共 N 条, not after the buttons: 资产卡片's row of buttons fills a
        # 1366-pixel screen, and a summary after it was cut at the right edge
        view_layout = self.view.layout()
        row = view_layout.itemAt(0) if view_layout is not None else None
        top = row.layout() if row is not None else None
        assert isinstance(top, QHBoxLayout)  # LedgerView's filter row: filter box, 共 N 条
        top.insertWidget(1, self.summary)
        top.insertSpacing(2, 12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # wraps onto a second line on a narrow window (资产卡片's eleven buttons were cut at the main
        # window's minimum width), as the 合同 and 凭证 rows do
        layout.addLayout(FlowLayout.from_row(bar))
        layout.addWidget(self.view, 1)

    def set_rows(self, rows: list[Any]) -> None:
        """Replace the rows, keeping the current row (by id) so the keyboard user stays in place."""
        current = self.view.current_row()
        self.model.set_rows(rows)
        if current is not None:
            row = self.model.find_row(lambda r: _key(r) == _key(current))
            if row >= 0:
                self.view.select_row(row)


class AssetsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.assets = _ListTab(ctx, ASSET_COLUMNS, "assets", [
            ("新增资产(&N)", self.new_asset, "btn_new_asset"), ("编辑(&M)", self.edit_asset, "btn_edit_asset"),
            ("价值调整(&J)", lambda: self._card(dialogs.adjust, "asset"), "btn_adjust"),
            ("处置(&P)", lambda: self._card(dialogs.dispose, "asset"), "btn_dispose"),
            ("撤销(&C)", lambda: self._card(dialogs.cancel_last_change, "asset"), "btn_cancel_change"),
            ("折旧表(&S)", lambda: self._card(dialogs.show_schedule), "btn_schedule"),
            ("历史(&H)", lambda: self._card(dialogs.show_history), "btn_history"),
            ("添加附件(&A)", lambda: self._card(dialogs.add_attachment, "asset"), "btn_attach"),
            ("附件(&L)", lambda: self._card(dialogs.show_attachments), "btn_attachments"),
            ("计提本月折旧(&D)", self.depreciate, "btn_depreciate"),
            ("全乡镇计提(&T)…", self.depreciate_township, "btn_depreciate_township"),
            ("账卡核对(&R)", self.reconcile, "btn_reconcile")])
        self.parcels = _ListTab(ctx, PARCEL_COLUMNS, "parcels", [
            ("新增地块(&N)", self.new_parcel, "btn_new_parcel"), ("编辑(&M)", self.edit_parcel, "btn_edit_parcel")])
        self.projects = _ListTab(ctx, PROJECT_COLUMNS, "projects", [
            ("新增项目(&N)", self.new_project, "btn_new_project"), ("编辑(&M)", self.edit_project, "btn_edit_project")])
        self.assets.view.row_activated.connect(lambda _r: press(self, "btn_edit_asset"))
        self.parcels.view.row_activated.connect(lambda _r: press(self, "btn_edit_parcel"))
        self.projects.view.row_activated.connect(lambda _r: press(self, "btn_edit_project"))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("assets_tabs")
        self.tabs.addTab(self.assets, "资产卡片")
        self.tabs.addTab(self.parcels, "资源地块")
        self.tabs.addTab(self.projects, "集体经济项目")
        self.stocktake = StocktakeTab(ctx)  # reloads itself on data_changed / context_changed
        self.tabs.addTab(self.stocktake, "资产清查")
        self.tabs.currentChanged.connect(lambda _i: self._focus_table())
        # 从Excel导入 beside the tabs (the 资产卡片 button row is full): the current tab's kind only
        self.runner = TaskRunner(self)
        self.importer: ImportRun | None = None
        corner = QWidget()
        corner_row = QHBoxLayout(corner)
        corner_row.setContentsMargins(0, 0, 0, 2)
        self.import_buttons: list[QWidget] = []
        for kind, notify, what in (("assets", "asset", "资产"), ("resources", "resource", "地块"),
                                   ("projects", "project", "项目")):
            button = import_button(f"从Excel导入{what}(&I)…", f"btn_import_{kind}",
                                   lambda k=kind, n=notify: self.import_xlsx(k, n),
                                   lambda k=kind: save_template(self, ctx, k), corner)
            corner_row.addWidget(button)
            self.import_buttons.append(button)
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(self._show_import)
        self._show_import(0)
        self.notice = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        gate_buttons(self, ctx, GATES)
        ctx.data_changed.connect(lambda kind, _ids: self.reload() if kind in RELOAD_KINDS else None)
        ctx.context_changed.connect(self.reload)
        self.reload()

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        org = self.ctx.org
        self.notice.setVisible(org is None)
        self.notice.setText("请先在左侧选择一个组织（和账套）")
        if org is None:
            for tab in (self.assets, self.parcels, self.projects):
                tab.set_rows([])
            return
        book = self.ctx.book
        rows = self.ctx.read(asset_svc.list_assets, org.id, book_id=book.id if book else None)
        self.assets.set_rows(rows)
        live = [a for a in rows if a.status != "已处置"]
        self.assets.summary.setText(f"在用 {len(live)} 项，已处置 {len(rows) - len(live)} 项")
        on = dt.date.today()
        parcels = self.ctx.read(resource_svc.list_parcels, org.id, book_id=book.id if book else None, on=on)
        self.parcels.set_rows(parcels)
        self.parcels.summary.setText(f"{len(parcels)} 块，共 {sum(p.area_mu for p in parcels):,.4f} 亩"
                                     f"（经营状态按{on.year}年{on.month}月{on.day}日有效的合同）")
        year = int(self.ctx.period[:4])
        self.projects.set_rows(self.ctx.read(project_svc.project_returns, org.id, year,
                                             book_id=book.id if book else None))

    def _focus_table(self) -> None:
        tab = self.tabs.currentWidget()
        if isinstance(tab, _ListTab):
            tab.view.table.setFocus()
        elif isinstance(tab, StocktakeTab):
            tab.sheet.table.setFocus()

    def _dialog(self, title: str, fields: list[Field], save: Callable[[dict[str, Any]], Any],
                values: dict[str, Any] | None = None) -> Any:
        dialog = FormDialog(title, fields, save, values=values, parent=self)
        dialog.setObjectName("form_dialog")
        return dialog.result_value if dialog.exec() else None

    def _need_book(self) -> bool:
        if self.ctx.org is None or self.ctx.book is None:
            show_user_error(self, "请先在左侧选择组织和账套")
            return False
        return True

    # -- assets --------------------------------------------------------------------------
    def _show_import(self, index: int) -> None:
        for i, button in enumerate(self.import_buttons):
            button.setVisible(i == index)  # 资产清查: none

    def import_xlsx(self, kind: str, notify: str) -> None:
        """从Excel导入 资产卡片/资源地块/集体经济项目 through the generic import dialog."""
        self.importer = ImportRun(self, self.ctx, self.runner, kind, notify=notify,
                                  options={"user": self.ctx.user})
        self.importer.start()

    def new_asset(self) -> None:
        if not self._need_book():
            return
        org, book = self.ctx.org, self.ctx.book
        assert org is not None and book is not None

        def save(values: dict[str, Any]) -> AssetRow:
            v = clean_asset(values)
            return self.ctx.call(asset_svc.create_asset, organisation_id=org.id, book_id=book.id, user=self.ctx.user,
                                 **v)

        row = self._dialog(f"新增资产卡片：{book.name}", asset_fields(None, dt.date.today()), save)
        if row is not None:
            self.ctx.notify("asset", (row.id,))

    def edit_asset(self) -> None:
        a = self.assets.view.current_row()
        if not isinstance(a, AssetRow):
            show_user_error(self, "请先在列表中选择一张资产卡片")
            return
        fixed = ("acquired_on", "original_value", "opening_accumulated", "method")

        def save(values: dict[str, Any]) -> AssetRow:
            v = {k: val for k, val in clean_asset(values).items() if k not in fixed}
            return self.ctx.call(asset_svc.update_asset, a.id, **v, user=self.ctx.user)

        row = self._dialog(f"编辑资产卡片：{a.code} {a.name}", asset_fields(a, a.acquired_on), save, asset_values(a))
        if row is not None:
            self.ctx.notify("asset", (row.id,))

    def _card(self, action: Callable[[QWidget, AppContext, AssetRow], Any], notify: str | None = None) -> None:
        a = self.assets.view.current_row()
        if not isinstance(a, AssetRow):
            show_user_error(self, "请先在列表中选择一张资产卡片")
            return
        try:
            result = action(self, self.ctx, a)
        except UserError as err:
            show_user_error(self, err)
            return
        if notify and result is not None:
            self.ctx.notify(notify, (a.id,))

    def depreciate(self) -> None:
        if not self._need_book():
            return
        book = self.ctx.book
        assert book is not None
        try:
            result = self.ctx.call(dep_svc.run_depreciation, book_id=book.id, period=self.ctx.period,
                                   user=self.ctx.user)
        except UserError as err:
            show_user_error(self, err)
            return
        month, total = period_label(self.ctx.period), format_amount(result.total)
        if result.already_done:
            text = f"{month}的折旧已计提（凭证 {result.voucher_code}，合计 {total} 元），未重复生成。"
        elif result.voucher_id is None:
            text = f"{month}没有需要计提折旧的资产。"
        else:
            text = f"已计提{month}折旧：{len(result.charges)} 项资产，合计 {total} 元（凭证 {result.voucher_code}）。"
            self.ctx.notify("voucher", (result.voucher_id,))
        QMessageBox.information(self, "计提折旧", text)

    def township(self) -> HomeScope | None:
        """The township of the organisation chosen (every organisation in it the user may see)."""
        scopes = [s for s in self.ctx.read(home_scopes, self.ctx.read(user_organisations, self.ctx.user.id))
                  if s.kind == "township"]
        org = self.ctx.org
        return next((s for s in scopes if org is not None and org.id in s.organisation_ids), scopes[0] if scopes else None)

    def depreciate_township(self) -> None:
        """全乡镇计提: the month's depreciation for every book of the township in one go; the result
        book by book (cards, amount, voucher) and what was refused and why."""
        town = self.township()
        if town is None:
            QMessageBox.information(self, "全乡镇计提折旧", "没有可计提的组织")
            return
        month = period_label(self.ctx.period)
        if not confirm(self, f"为{town.name}的每个账套计提{month}折旧？\n已计提的账套不会重复生成；"
                       "已结账或有更早月份未计提的账套不计提，并说明原因。", title="全乡镇计提折旧"):
            return
        try:
            run = self.ctx.call(run_township_depreciation, organisation_ids=town.organisation_ids,
                                period=self.ctx.period, user=self.ctx.user)
        except UserError as err:
            show_user_error(self, err)
            return
        if run.charged:
            self.ctx.notify("voucher", ())
        dialogs.show_township_run(self, run, town.name.split("（")[0]).exec()

    def reconcile(self) -> None:
        if not self._need_book():
            return
        book = self.ctx.book
        assert book is not None
        rep = self.ctx.call(reconcile_assets, book.id, self.ctx.period)
        lines = [f"{ln.account_code} {ln.label}：卡片 {ln.cards:,.2f}，账面 {ln.books:,.2f}，差额 {ln.difference:,.2f}"
                 for ln in rep.lines]
        lines += [f"{x.code} {x.name}：卡片 {x.card_cost:,.2f}/{x.card_accumulated:,.2f}，"
                  f"账面 {x.book_cost:,.2f}/{x.book_accumulated:,.2f}" for x in rep.assets[:20]]
        lines.append("账卡相符。" if rep.balanced else "账卡不符，请核对上列差异。")
        QMessageBox.information(self, f"资产账卡核对（{self.ctx.period}）", "\n".join(lines))

    # -- parcels -------------------------------------------------------------------------
    def new_parcel(self) -> None:
        org = self.ctx.org
        if org is None:
            show_user_error(self, "请先在左侧选择一个组织")
            return
        book = self.ctx.book
        row = self._dialog("新增地块", parcel_fields(None), lambda v: self.ctx.call(
            resource_svc.create_parcel, organisation_id=org.id, book_id=book.id if book else None,
            **{k: x for k, x in v.items() if x is not None}, user=self.ctx.user))
        if row is not None:
            self.ctx.notify("resource", (row.id,))

    def edit_parcel(self) -> None:
        p = self.parcels.view.current_row()
        if not isinstance(p, ParcelRow):
            show_user_error(self, "请先在列表中选择一个地块")
            return
        row = self._dialog(f"编辑地块：{p.code} {p.name}", parcel_fields(p),
                           lambda v: self.ctx.call(resource_svc.update_parcel, p.id, **v, user=self.ctx.user), parcel_values(p))
        if row is not None:
            self.ctx.notify("resource", (row.id,))

    # -- projects ------------------------------------------------------------------------
    def new_project(self) -> None:
        org = self.ctx.org
        if org is None:
            show_user_error(self, "请先在左侧选择一个组织")
            return

        book = self.ctx.book

        def save(values: dict[str, Any]) -> ProjectRow:
            plain, funding = split_project(values)
            return self.ctx.call(project_svc.create_project, organisation_id=org.id, funding=funding,
                                 book_id=book.id if book else None, **plain, user=self.ctx.user)

        contracts = self.ctx.read(project_svc.contract_choices, org.id)
        row = self._dialog("新增集体经济项目", project_fields(None, contracts), save)
        if row is not None:
            self.ctx.notify("project", (row.id,))

    def edit_project(self) -> None:
        current = self.projects.view.current_row()
        p = current.project if isinstance(current, ProjectReturnRow) else None
        if not isinstance(p, ProjectRow):
            show_user_error(self, "请先在列表中选择一个项目")
            return

        def save(values: dict[str, Any]) -> ProjectRow:
            plain, funding = split_project(values)
            return self.ctx.call(project_svc.update_project, p.id, funding=funding, **plain, user=self.ctx.user)

        values = {k: getattr(p, k) for k in ("code", "name", "kind", "status", "notes")}
        contracts = self.ctx.read(project_svc.contract_choices, p.organisation_id)
        row = self._dialog(f"编辑项目：{p.code} {p.name}", project_fields(p, contracts), save, values)
        if row is not None:
            self.ctx.notify("project", (row.id,))


PAGE = PageSpec("assets", "资产资源", 40, AssetsPage)
