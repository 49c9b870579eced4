"""组织与账套: the organisations of this installation, their books, and new 区划 units."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.rows import BookRow, OrgRow
from desktop_app.core.services import orgs as svc
from desktop_app.core.services.permissions import ENTER_RECORDS, Roles
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext, UndoEntry
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.import_dialog import ImportRun, import_button, save_template
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.permissions import gate_buttons, press
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets.buttons import button_row
from desktop_app.ui.widgets.id_edits import RegionCodeEdit, UsccEdit

ORG_COLUMNS = [
    Column("name", "名称", "pinyin-text", width=240),
    Column("level", "层级", width=50),
    Column("uscc", "统一社会信用代码", width=170),
    Column("region_code", "区划代码", width=110),
    Column("township_name", "所属乡镇", "pinyin-text", width=110),
    Column("legal_rep", "法定代表人", "pinyin-text", width=90),
    Column("phone", "联系电话", width=120),
]
BOOK_COLUMNS = [
    Column("code", "编号", width=50),
    Column("name", "账套名称", "pinyin-text", width=240),
    Column("kind", "类型", width=120),
    Column("chart_version", "会计制度", width=80, formatter=lambda v: f"{v}版"),
    Column("start_period", "启用期间", width=90),
    Column("credit_code", "本账套统一社会信用代码", width=190, formatter=lambda v: v or ""),
]


def _combo(items: list[str], current: str | None = None) -> QComboBox:
    box = QComboBox()
    for item in items:
        box.addItem(item, item)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def org_fields(org: OrgRow | None = None) -> list[Field]:
    return [
        Field("name", "名称", QLineEdit(), required=True),
        Field("level", "层级", _combo(list(svc.ORG_LEVELS), org.level if org else "村"), required=True),
        Field("uscc", "统一社会信用代码", UsccEdit(), required=True,
              hint="组级以 N1、村级以 N2、乡镇级以 N3 开头"),
        Field("region_code", "区划代码", RegionCodeEdit(), required=True, hint="12位统计用区划代码"),
        Field("legal_rep", "法定代表人", QLineEdit()),
        Field("phone", "联系电话", QLineEdit()),
        Field("address", "地址", QLineEdit()),
    ]


def _credit_code_field() -> Field:
    return Field("credit_code", "账套单位统一社会信用代码", UsccEdit("账套单位统一社会信用代码"),
                 hint="村民委员会等其他单位的账套填其自己的代码（村民委员会为54开头）；集体经济组织自己的账套可不填")


GATES: dict[str, Roles] = {name: ENTER_RECORDS for name in (
    "btn_new_org", "btn_edit_org", "btn_new_book", "btn_edit_book", "btn_new_region", "btn_import_orgs")}


class OrgsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.org_model = RowTableModel(ORG_COLUMNS)
        self.book_model = RowTableModel(BOOK_COLUMNS)
        self.org_view = LedgerView(self.org_model, settings=ctx.settings, settings_key="table:orgs")
        self.org_view.setObjectName("orgs_table")
        self.book_view = LedgerView(self.book_model, settings=ctx.settings, settings_key="table:books",
                                    filter_placeholder="筛选账套")
        self.org_view.current_row_changed.connect(self._load_books)
        self.org_view.row_activated.connect(lambda _row: press(self, "btn_edit_org"))
        self.book_view.row_activated.connect(lambda _row: press(self, "btn_edit_book"))

        buttons = button_row([
            ("新增组织(&N)", self.new_org, "btn_new_org"),
            ("编辑组织(&M)", self.edit_org, "btn_edit_org"),
            ("新增账套(&A)", self.new_book, "btn_new_book"),
            ("编辑账套(&B)", self.edit_book, "btn_edit_book"),
            ("新增区划(&Q)", self.new_region, "btn_new_region"),
        ])
        self.runner = TaskRunner(self)
        self.importer: ImportRun | None = None
        buttons.insertWidget(buttons.count() - 1, import_button(
            "导入组织(&I)…", "btn_import_orgs", self.import_orgs, lambda: save_template(self, ctx, "orgs"), self))

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel("所选组织的账套"))
        lower_layout.addWidget(self.book_view)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.org_view)
        split.addWidget(lower)
        split.setSizes([420, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        gate_buttons(self, ctx, GATES)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.context_changed.connect(self._follow_navigation)
        self.reload()

    def import_orgs(self) -> None:
        """导入组织: 组织与账套 from Excel through the generic import dialog (no organisation needed)."""
        self.importer = ImportRun(self, self.ctx, self.runner, "orgs", notify="organisation",
                                  options={"user": self.ctx.user})
        self.importer.start()

    def reload(self) -> None:
        self.org_model.set_rows(self.ctx.read(svc.list_organisations))
        self._follow_navigation()

    def _follow_navigation(self) -> None:
        """Keep the table on the organisation chosen in the navigation tree."""
        org = self.ctx.org
        row = self.org_model.find_row(lambda r: org is not None and r.id == org.id) if org else -1
        if row >= 0:
            self.org_view.select_row(row)
        self._load_books(self.org_view.current_row())

    def _load_books(self, org: Any) -> None:
        self.book_model.set_rows(self.ctx.read(svc.list_books, org.id) if isinstance(org, OrgRow) else [])

    def _on_data_changed(self, kind: str, _ids: object) -> None:
        if kind in ("organisation", "book", "region", "refresh"):
            self.reload()

    def _dialog(self, title: str, fields: list[Field], save: Any, values: dict[str, Any] | None = None) -> Any:
        dialog = FormDialog(title, fields, save, values=values, parent=self)
        dialog.setObjectName("form_dialog")
        return dialog.result_value if dialog.exec() else None

    def new_org(self) -> None:
        row = self._dialog("新增组织", org_fields(), lambda v: self.ctx.call(svc.create_organisation, **v, user=self.ctx.user))
        if row is not None:
            self.ctx.saved("organisation", (row.id,), undo=UndoEntry(
                f"新增组织「{row.name}」", "organisation", (row.id,),
                lambda s: svc.remove_organisation(s, row.id, expected=row, user=self.ctx.user)))

    def edit_org(self) -> None:
        org = self.org_view.current_row()
        if not isinstance(org, OrgRow):
            show_user_error(self, "请先在列表中选择一个组织")
            return
        values = {k: getattr(org, k) for k in ("name", "level", "uscc", "region_code", "legal_rep", "phone", "address")}
        row = self._dialog(f"编辑组织：{org.name}", org_fields(org),
                           lambda v: self.ctx.call(svc.update_organisation, org.id, **v, user=self.ctx.user), values)
        if row is not None:
            self.ctx.saved("organisation", (row.id,), undo=UndoEntry(
                f"修改组织「{org.name}」", "organisation", (row.id,),
                lambda s: svc.update_organisation(s, row.id, expected=row, **values, user=self.ctx.user)))

    def new_book(self) -> None:
        org = self.org_view.current_row()
        if not isinstance(org, OrgRow):
            show_user_error(self, "请先在列表中选择一个组织")
            return
        fields = [
            Field("name", "账套名称", QLineEdit(org.name), required=True),
            Field("kind", "账套类型", _combo(list(svc.BOOK_KINDS)), required=True),
            Field("chart_version", "会计制度", _combo(["2023", "2004"]), required=True,
                  hint="2023版：财会〔2023〕14号，2024年起施行"),
            Field("start_period", "启用期间", QLineEdit(f"{self.ctx.period[:4]}-01"), required=True, hint="YYYY-MM"),
            _credit_code_field(),
        ]
        book: BookRow | None = self._dialog(
            f"新增账套：{org.name}", fields, lambda v: self.ctx.call(svc.create_book, organisation_id=org.id, **v, user=self.ctx.user))
        if book is not None:
            self.ctx.notify("book", (book.id,))

    def edit_book(self) -> None:
        book = self.book_view.current_row()
        if not isinstance(book, BookRow):
            show_user_error(self, "请先在账套列表中选择一个账套")
            return
        values = {"name": book.name, "credit_code": self.ctx.read(svc.book_credit_code, book.id, own_only=True)}
        fields = [Field("name", "账套名称", QLineEdit(), required=True), _credit_code_field()]

        def save(v: dict[str, Any]) -> BookRow:
            return self.ctx.call(svc.update_book, book.id, name=v["name"], credit_code=v.get("credit_code") or "", user=self.ctx.user)

        row: BookRow | None = self._dialog(f"编辑账套：{book.name}（{book.kind}）", fields, save, values)
        if row is not None:
            self.ctx.notify("book", (row.id,))

    def new_region(self) -> None:
        fields = [Field("code", "区划代码", RegionCodeEdit(), required=True), Field("name", "名称", QLineEdit(), required=True)]
        region = self._dialog("新增区划", fields, lambda v: self.ctx.call(svc.create_region, **v, user=self.ctx.user))
        if region is not None:
            self.ctx.notify("region", (region.id,))


PAGE = PageSpec("orgs", "组织与账套", 90, OrgsPage)
