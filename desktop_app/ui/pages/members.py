"""成员与分配: 成员名册 (search by name, pinyin initials, ID or 户号), 户 with its members and
history, 股份登记簿, and 收益分配 (plans from the books, 公示 → 批准 → 发放, roster PDF);
成员名册 从Excel导入 is the generic ``ui.import_dialog`` (mapping, 导入方式, preview → 确认导入, in the
background); 导出成员名册 writes the CLI's ``export members`` file.

Thin: handlers read widgets, call one service through ``ctx.call`` (the distribution run goes to
the DB thread with a progress dialog) and fire ``data_changed``; the page reloads itself.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.progress import Progress
from desktop_app.core.rows_members import HouseholdRow, MemberRow, PlanRow
from desktop_app.core.services import distribution as dist
from desktop_app.core.services import distribution_query as dq
from desktop_app.core.services import members as svc
from desktop_app.core.services import shares as sh
from desktop_app.core.services.orgs import list_books
from desktop_app.core.services.permissions import ENTER_RECORDS, MAKE_VOUCHER, REVEAL_ID_NUMBER, Roles
from desktop_app.core.services.personal_data import IdRule, id_rule, record_id_export
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_done, show_user_error
from desktop_app.ui.file_dialogs import PDF_FILTER, XLSX_FILTER, save_file_name
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.import_dialog import DateOption, ImportRun, import_button, save_template
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages import members_forms as mf
from desktop_app.ui.pages.members_ric import SHOW, MemberRowsModel, RicReveal
from desktop_app.ui.permissions import gate_buttons
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets.buttons import button_row

SEARCH_HINT = "搜索：姓名、拼音首字母、身份证号或户号（Ctrl+F）"




def _tab(*parts: Any) -> QWidget:
    tab = QWidget()
    lay = QVBoxLayout(tab)
    for p in parts:
        if isinstance(p, QHBoxLayout):
            lay.addLayout(p)
        else:
            lay.addWidget(p, 1 if isinstance(p, LedgerView | QSplitter) else 0)
    return tab


def row_org(ctx: AppContext) -> Any:
    return ctx.org.id if ctx.org is not None else None


BASIS = "Excel导入成员名册"
REGISTERED_ON = DateOption("event_date", "初始登记日期(&D)：",
                           "股份初始登记的日期；Excel 中没有“确认日期”的成员也以此为确认日期")

# who may press which button (the rest only read: PDFs and certificates)
GATES: dict[str, Roles] = {name: ENTER_RECORDS for name in (
    "btn_event", "btn_edit", "btn_import", "btn_new_household", "btn_new_member", "btn_transfer", "btn_adjust",
    "btn_plan", "btn_publicise", "btn_deduct", "btn_approve", "btn_settings")} | {
    "btn_payout": MAKE_VOUCHER, "btn_cancel_payout": MAKE_VOUCHER, "btn_reveal_ric": REVEAL_ID_NUMBER}


class MembersPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.ric = RicReveal(ctx, self, self.reload)  # 身份证号 masked in every list; 显示身份证 is audited
        self.runner = TaskRunner(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._members_tab(), "成员名册")
        self.tabs.addTab(self._households_tab(), "户")
        self.tabs.addTab(self._shares_tab(), "股份登记簿")
        self.tabs.addTab(self._plans_tab(), "收益分配")
        QVBoxLayout(self).addWidget(self.tabs)
        gate_buttons(self, ctx, GATES)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.context_changed.connect(self.reload)
        self.reload()

    def _view(self, columns: list[Column], key: str, hint: str = SEARCH_HINT) -> LedgerView:
        view = LedgerView(MemberRowsModel(columns), settings=self.ctx.settings, settings_key=f"table:members:{key}",
                          filter_placeholder=hint)
        view.setObjectName(f"members_{key}")
        return view

    # -- tabs -------------------------------------------------------------------------------
    def _members_tab(self) -> QWidget:
        self.members = self._view(mf.member_columns(self.ric.revealed), "roll")
        self.history = self._view(mf.HISTORY_COLUMNS, "history", "筛选")
        self.members.current_row_changed.connect(self._load_history)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.members)
        split.addWidget(self.history)
        split.setSizes([420, 160])
        bar = button_row([("成员变动(&V)", self.member_event, "btn_event"), ("修改(&M)", self.edit_member, "btn_edit"),
                          ("导出成员名册(&X)…", self.export_members, "btn_export_members"),
                          (SHOW, self.ric.toggle, "btn_reveal_ric")])
        bar.insertWidget(2, import_button("从Excel导入(&I)…", "btn_import", self.import_members,
                                          lambda: save_template(self, self.ctx, "members"), self))
        tab = _tab(bar, split)
        QShortcut(QKeySequence("Ctrl+F"), tab, activated=self.members.focus_filter)
        return tab

    def _households_tab(self) -> QWidget:
        self.households = self._view(mf.HOUSEHOLD_COLUMNS, "households", "搜索：户号、户主或拼音首字母")
        self.household_members = self._view(mf.member_columns(self.ric.revealed), "household_members", "筛选")
        self.households.current_row_changed.connect(self._load_household)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.households)
        split.addWidget(self.household_members)
        split.setSizes([380, 200])
        return _tab(button_row([("新增户(&H)", self.new_household, "btn_new_household"),
                          ("新增成员(&M)", self.new_member, "btn_new_member"),
                          ("股权证(&C)", self.certificate, "btn_certificate")]), split)

    def _shares_tab(self) -> QWidget:
        self.holdings = self._view(mf.member_columns(self.ric.revealed)[:5], "holdings")
        self.share_events = self._view(mf.SHARE_EVENT_COLUMNS, "share_events", "筛选")
        self.holdings.current_row_changed.connect(self._load_share_events)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.holdings)
        split.addWidget(self.share_events)
        split.setSizes([400, 180])
        bar = button_row([("继承/户内赠与(&T)", self.transfer, "btn_transfer"), ("决议调整(&A)", self.adjust, "btn_adjust")])
        bar.insertWidget(0, QLabel("股份实行静态管理（生不增、死不减）：只能通过继承、户内赠与或决议调整变动。"))
        return _tab(bar, split)

    def _plans_tab(self) -> QWidget:
        self.plans = self._view(mf.PLAN_COLUMNS, "plans", "筛选")
        self.plan_lines = self._view(mf.PLAN_LINE_COLUMNS, "plan_lines", "筛选")
        self.roster = self._view(mf.ROSTER_COLUMNS, "roster", "搜索：成员、户号或拼音首字母")
        self.plans.current_row_changed.connect(self._load_plan)
        self.reminder = QLabel()
        self.reminder.setObjectName("reminder")
        self.reminder.setWordWrap(True)
        self.violations = QLabel()
        self.violations.setObjectName("violations")
        self.violations.setWordWrap(True)
        detail = QSplitter(Qt.Orientation.Horizontal)
        detail.addWidget(self.plan_lines)
        detail.addWidget(self.roster)
        detail.setSizes([360, 640])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plans)
        split.addWidget(detail)
        split.setSizes([160, 420])
        bar = button_row([("计算方案(&J)", self.new_plan, "btn_plan"), ("公示(&S)", self.publicise, "btn_publicise"),
                    ("扣减(&K)", self.deduct, "btn_deduct"), ("批准(&P)", self.approve, "btn_approve"),
                    ("发放(&D)", self.payout, "btn_payout"), ("撤销发放", self.cancel_payout, "btn_cancel_payout"),
                    ("分配规则", self.edit_settings, "btn_settings"),
                    ("方案PDF", lambda: self.export_pdf("plan"), "btn_plan_pdf"),
                    ("花名册PDF", lambda: self.export_pdf("roster"), "btn_roster_pdf"),
                    ("公示稿PDF", lambda: self.export_pdf("public"), "btn_public_pdf"),
                    ("到户通知单", lambda: self.export_pdf("slips"), "btn_slips")])
        return _tab(self.reminder, bar, split, self.violations)

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        org = self.ctx.org
        self.ric.forget_if_moved()
        self.members.model().set_rows(self.ctx.read(svc.list_members, org.id) if org else [])
        self.households.model().set_rows(self.ctx.read(svc.list_households, org.id) if org else [])
        self._reload_holdings()
        self.plans.model().set_rows(self.ctx.read(dq.list_plans, organisation_id=org.id) if org else [])
        reminders = self.ctx.read(dq.distribution_reminders, organisation_id=org.id) if org else []
        self.reminder.setText("；".join(r.message for r in reminders))
        self._load_history(self.members.current_row())
        self._load_household(self.households.current_row())
        self._load_plan(self.plans.current_row())

    def _reload_holdings(self) -> None:
        org = self.ctx.org
        types = self.ctx.read(sh.list_share_types, org.id) if org else []
        columns = [*mf.member_columns(self.ric.revealed)[:5],
                   *[Column(f"t{i}", t.name, "decimal", getter=lambda r, i=i: r.by_type[i][1], total=True,
                            formatter=mf.shares_text)
                     for i, t in enumerate(types)],
                   Column("total", "合计", "decimal", total=True, formatter=mf.shares_text)]
        self.holdings.set_model(MemberRowsModel(columns, self.ctx.read(sh.list_holdings, org.id) if org else []))

    def _load_history(self, row: Any) -> None:
        self.history.model().set_rows(self.ctx.read(svc.member_history, row.id) if isinstance(row, MemberRow) else [])

    def _load_household(self, row: Any) -> None:
        self.household_members.model().set_rows(
            self.ctx.read(svc.list_members, row.organisation_id, household_id=row.id)
            if isinstance(row, HouseholdRow) else [])

    def _load_share_events(self, row: Any) -> None:
        org = self.ctx.org
        self.share_events.model().set_rows(
            self.ctx.read(sh.share_history, org.id, row.member_id) if org and row is not None else [])

    def _load_plan(self, row: Any) -> None:
        if isinstance(row, PlanRow):
            self.plan_lines.model().set_rows(list(row.lines))
            self.roster.model().set_rows(list(self.ctx.read(dq.plan_roster, row.id).lines))
            problems = self.ctx.read(dist.plan_violations, row.id) if row.status in ("草案", "公示") else []
            self.violations.setText("\n".join(problems) or f"每股分红 {row.per_share} 元，尾差 {row.remainder} 元留存未分配收益")
        else:
            self.plan_lines.model().set_rows([])
            self.roster.model().set_rows([])
            self.violations.setText("")

    def _on_data_changed(self, kind: str, _ids: object) -> None:
        if kind in ("member", "distribution", "voucher", "organisation", "refresh"):
            self.reload()

    # -- actions ----------------------------------------------------------------------------
    def _form(self, title: str, fields: list[Field], save: Any, kind: str = "member") -> None:
        dialog = FormDialog(title, fields, save, parent=self)
        dialog.setObjectName("members_form")
        if dialog.exec() and dialog.result_value is not None:
            self.ctx.notify(kind, ())

    def _need_org(self) -> Any:
        if self.ctx.org is None:
            show_user_error(self, "请先在左侧选择组织")
        return self.ctx.org

    def import_members(self, path: Path | str | None = None) -> None:
        """从Excel导入 through the generic import dialog (mapping, modes, preview; 身份证号 masked)."""
        if self._need_org() is not None:
            self.importer = ImportRun(self, self.ctx, self.runner, "members", notify="member",
                                      options={"basis": BASIS, "user": self.ctx.user}, dates=(REGISTERED_ON,))
            self.importer.start(path)

    def export_members(self) -> None:
        """导出成员名册: the CLI's ``export members`` (full 身份证号 only for the register's keepers,
        audited; masked for everyone else), streamed in the background."""
        if (org := self._need_org()) is None:
            return
        name = save_file_name(self, self.ctx.settings, "members_xlsx", "导出成员名册",
                              f"{org.name}_成员名册_{dt.date.today():%Y%m%d}.xlsx", XLSX_FILTER)
        if not name:
            return
        db, user, path = self.ctx.db, self.ctx.user, Path(name)

        def work(progress: Progress) -> tuple[int, IdRule]:
            from desktop_app.excel.members_xlsx import export_members_xlsx

            progress.report(0, 0, f"正在导出 {path.name}…")
            with db.read(user.username) as s:  # a snapshot: no write lock while the file is written
                ids = id_rule(s, org.id, user=user)
                count = export_members_xlsx(s, org.id, path, organisation=org.name, ids=ids)
            with db.begin(user.username) as s:  # then the short write: who took which 身份证号 out
                record_id_export(s, org.id, ids, user=user, document="成员名册", count=count, path=path.resolve())
            return count, ids

        def done(result: tuple[int, IdRule]) -> None:
            count, ids = result
            shown = "含完整身份证号，已记入审计日志" if ids.full else ids.note
            show_done(self, f"已导出 {count} 名成员到 {path}（{shown}）", title="导出完成")

        self.runner.run(work, title="正在导出成员名册…", on_result=done)

    def new_household(self) -> None:
        if (org := self._need_org()) is not None:
            self._form("新增户", mf.household_fields(),
                       lambda v: self.ctx.call(svc.create_household, organisation_id=org.id, **v, user=self.ctx.user))

    def new_member(self) -> None:
        h = self.households.current_row()
        if not isinstance(h, HouseholdRow):
            show_user_error(self, "请先在“户”中选择一户")
            return
        self._form(f"新增成员：{h.number} 户", mf.member_fields(),
                   lambda v: self.ctx.call(svc.add_member, organisation_id=h.organisation_id, household_id=h.id, **v, user=self.ctx.user))

    def edit_member(self) -> None:
        m = self.members.current_row()
        if not isinstance(m, MemberRow):
            show_user_error(self, "请先选择一名成员")
            return
        fields = mf.member_fields()[:3]
        dialog = FormDialog(f"修改成员：{m.name}", fields,
                            lambda v: self.ctx.call(svc.update_member, m.id, **v, user=self.ctx.user), parent=self,
                            values={"name": m.name, "ric": m.ric, "relation": m.relation})
        if dialog.exec():
            self.ctx.notify("member", (m.id,))

    def member_event(self) -> None:
        m = self.members.current_row()
        if not isinstance(m, MemberRow):
            show_user_error(self, "请先选择一名成员")
            return
        self._form(f"成员变动：{m.name}", mf.event_fields(),
                   lambda v: self.ctx.call(svc.record_membership_event, m.id, **v, user=self.ctx.user))

    def certificate(self) -> None:
        h = self.households.current_row()
        if not isinstance(h, HouseholdRow):
            show_user_error(self, "请先选择一户")
            return
        from desktop_app.reports.distribution_pdf import certificates_pdf

        cert = self.ctx.read(sh.household_certificate, h.id)
        self._save_pdf(f"股权证_{h.number}.pdf", certificates_pdf([cert], issued_on=dt.date.today()))

    def _holder(self) -> Any:
        row, org = self.holdings.current_row(), self.ctx.org
        if row is None or org is None:
            show_user_error(self, "请先在股份登记簿中选择一名成员")
            return None, []
        return row, [(t.name, t.id) for t in self.ctx.read(sh.list_share_types, org.id)]

    def transfer(self) -> None:
        row, types = self._holder()
        if row is None:
            return
        takers = [(f"{m.name}（{m.relation}）", m.id) for m in self.ctx.call(
            svc.list_members, row_org(self.ctx), household_id=row.household_id) if m.id != row.member_id]
        self._form(f"股份转出：{row.name}", mf.transfer_fields(types, takers),
                   lambda v: self.ctx.call(sh.transfer_shares, from_member_id=row.member_id, **v, user=self.ctx.user))

    def adjust(self) -> None:
        row, types = self._holder()
        if row is not None:
            self._form(f"决议调整：{row.name}", mf.adjust_fields(types),
                       lambda v: self.ctx.call(sh.adjust_shares, member_id=row.member_id, **v, user=self.ctx.user))

    def _book_id(self) -> Any:
        org, book = self.ctx.org, self.ctx.book
        if book is not None and org is not None and book.organisation_id == org.id:
            return book.id
        books = [b for b in self.ctx.read(list_books, org.id) if b.kind != "村民委员会"] if org else []
        return books[0].id if books else None

    def _plan(self) -> PlanRow | None:
        row = self.plans.current_row()
        if not isinstance(row, PlanRow):
            show_user_error(self, "请先选择一个收益分配方案")
            return None
        return row

    def new_plan(self) -> None:
        book_id = self._book_id()
        if self._need_org() is None or book_id is None:
            return

        def save(v: dict[str, Any]) -> Any:
            values = mf.clean_plan_values(v)
            db, actor = self.ctx.db, self.ctx.user.username

            def work(progress: Progress) -> Any:
                with db.begin(actor) as s:
                    return dist.draft_plan(s, book_id=book_id, user=self.ctx.user, progress=progress, **values)

            self.runner.run(work, title="正在计算收益分配方案…",
                            on_result=lambda _r: self.ctx.notify("distribution", ()))
            return True

        dialog = FormDialog("计算收益分配方案（草案）", mf.plan_fields(dt.date.today().year - 1), save, parent=self)
        dialog.setObjectName("plan_form")
        dialog.exec()

    def publicise(self) -> None:
        if (p := self._plan()) is not None:
            self._form(f"公示 {p.year}年度方案", [mf.approve_fields()[0]],
                       lambda v: self.ctx.call(dist.publicise_plan, p.id, on=v["on"], user=self.ctx.user),
                       "distribution")

    def approve(self) -> None:
        if (p := self._plan()) is not None:
            self._form(f"批准 {p.year}年度方案", mf.approve_fields(),
                       lambda v: self.ctx.call(dist.approve_plan, p.id, user=self.ctx.user, **v), "distribution")

    def deduct(self) -> None:
        p, line = self._plan(), self.roster.current_row()
        if p is None:
            return
        if line is None:
            show_user_error(self, "请先在花名册中选择一名成员")
            return
        self._form(f"分红扣减：{line.name}（应分 {line.amount} 元）", mf.deduction_fields(),
                   lambda v: self.ctx.call(dist.add_deduction, p.id, member_id=line.member_id, **v, user=self.ctx.user), "distribution")

    def edit_settings(self) -> None:
        if (org := self._need_org()) is None:
            return
        current = self.ctx.read(dq.get_distribution_settings, org.id)
        self._form("收益分配规则（本组织章程及当地规定）", mf.settings_fields(current),
                   lambda v: self.ctx.call(dq.update_distribution_settings, org.id, **mf.clean_settings(v), user=self.ctx.user),
                   "distribution")

    def payout(self) -> None:
        if (p := self._plan()) is not None:
            self._form(f"发放 {p.year}年度分红（全部未发放的户）", mf.payout_fields(),
                       lambda v: self.ctx.call(dist.record_payout, p.id, user=self.ctx.user, **v), "distribution")

    def cancel_payout(self) -> None:
        """撤销发放 of the last payment batch; the service reverses its voucher."""
        if (p := self._plan()) is not None:
            self._form(f"撤销 {p.year}年度分红最近一次发放", mf.cancel_payout_fields(),
                       lambda v: self.ctx.call(dist.cancel_payout, p.id, user=self.ctx.user, **v), "distribution")

    def export_pdf(self, kind: str) -> None:
        if (p := self._plan()) is None:
            return
        data, name, full = mf.distribution_pdf(self.ctx, p, kind)
        path = self._save_pdf(f"{p.organisation_name}_{p.year}年度{name}.pdf", data)
        if path and full:  # a keeper's 发放稿 with full 身份证号 left the program: audited like a reveal
            self.ctx.call(record_id_export, p.organisation_id, IdRule(True), user=self.ctx.user,
                          document=f"{p.year}年度分红花名册（发放稿）", count=full, path=Path(path).resolve())

    def _save_pdf(self, suggested: str, data: bytes) -> str:
        path = save_file_name(self, self.ctx.settings, "distribution_pdf", "保存 PDF", suggested, PDF_FILTER)
        if path:
            Path(path).write_bytes(data)
        return path or ""


PAGE = PageSpec("members", "成员与分配", 50, MembersPage)
