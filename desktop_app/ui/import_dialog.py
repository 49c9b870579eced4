"""从Excel导入 for every kind (issue #15): file → check in the background → ``ImportDialog`` → 确认导入.

The work is ``excel.importers.run_import``'s, the same the CLI's ``import KIND FILE`` does; this
module only shows it. ``ImportRun`` (one import started from a page) asks for the file
(``file_dialogs.open_file_name``, which remembers the folder), runs ``inspect`` on the database
thread (``tasks.TaskRunner``) and opens ``ImportDialog``:

- 识别结果: the sheet, the header row and one line per file column (列, 文件中的列名, 示例值,
  导入为 — a combo of the kind's fields and 不导入). Changing a combo or the 导入方式 checks the
  file again with the new mapping;
- 略过的行: title, note and 合计 rows with their reason;
- the counts (新增/更新/无变化/跳过), the rows with their changes field by field, or — when the
  file is not clean — every problem by 行/列 and no 确认导入 button.

确认导入 checks and writes again in one transaction (nothing written unless the whole file is
clean), then remembers the column mapping for the file's layout in the window settings
(``import_layouts`` → {kind: {layout signature: mapping}}) so the same layout is recognised
the same way next time. 身份证号 are masked everywhere in the dialog, as in every list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.progress import Progress
from desktop_app.excel.inspection import Inspection, inspect, masked
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.file_dialogs import XLSX_FILTER, open_file_name, save_file_name
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskHandle, TaskRunner
from desktop_app.ui.widgets.base import ERROR_COLOR
from desktop_app.ui.widgets.dates import DateEdit

__all__ = ["FILE_FILTER", "LAYOUTS_KEY", "SKIP", "DateOption", "ImportDialog", "ImportRun", "Inspection", "import_button",
           "inspect", "masked", "save_template"]

FILE_FILTER = "Excel 文件 (*.xlsx *.xlsm *.xls);;所有文件 (*)"
LAYOUTS_KEY = "import_layouts"  # window settings: {kind: {layout signature: {header: field key}}}
SKIP = "不导入"
@dataclass(frozen=True)
class DateOption:
    """A date the kind's import asks for (成员名册: 初始登记日期 → ``event_date``)."""

    key: str  # the option ``run_import`` passes on to the kind's apply
    label: str  # 初始登记日期(&D)：
    tip: str = ""


PROBLEM_COLUMNS = [
    Column("row", "行", width=50),
    Column("column", "列", width=230),
    Column("message", "问题", width=600),  # stretches to the dialog's width; long problems wrap
]
WRAP_ROWS = 500  # up to this many rows a table's rows grow to show wrapped text whole (beyond: tooltips)


class WholeTextModel(RowTableModel):
    """A row model whose cells also give their whole text as the tooltip (a cut cell stays readable)."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            text = super().data(index, Qt.ItemDataRole.DisplayRole)
            return text or None
        return super().data(index, role)


def wrap_rows(view: LedgerView) -> None:
    """The view's last column takes the width left and its rows grow to show their text whole
    (word wrap); a very long list keeps one line a row (the tooltip shows a cut cell whole)."""
    table = view.table
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    table.horizontalHeader().setStretchLastSection(True)

    def fit(*_args: Any) -> None:
        few = view.model().rowCount() <= WRAP_ROWS
        table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if few else QHeaderView.ResizeMode.Fixed)

    view.model().modelReset.connect(fit)
    view.model().layoutChanged.connect(fit)
    fit()


def outcome_columns(key_label: str) -> list[Column]:
    return [
        Column("row", "行", "int", width=50),
        Column("key", key_label, width=170),
        Column("name", "名称", "pinyin-text", width=120),
        Column("status", "结果", width=60),
        Column("changes", "变化", width=560),
    ]


class ImportDialog(QDialog):
    """The preview of one file. ``recheck(mapping, mode)`` asks for a new check (the caller
    answers with ``show_inspection``); ``template()`` saves the kind's template."""

    def __init__(self, result: Inspection, file_name: str, parent: QWidget | None = None, *,
                 recheck: Callable[[dict[str, str], str], None] | None = None,
                 template: Callable[[], object] | None = None, dates: tuple[DateOption, ...] = ()) -> None:
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self.setWindowTitle(f"导入{result.label}：{file_name}")
        self.result_shown = result
        self.user_mapping: dict[str, str] = {}  # corrections made in this dialog (header → key or "")
        self._recheck = recheck
        self.busy = False
        outer = QVBoxLayout(self)
        self.info = QLabel()
        self.info.setObjectName("import_info")
        self.info.setWordWrap(True)
        outer.addWidget(self.info)

        top = QHBoxLayout()
        mapping_box = QGroupBox("识别结果（可修改“导入为”）")
        self.mapping_table = QTableWidget(0, 4)
        self.mapping_table.setObjectName("import_mapping")
        self.mapping_table.setHorizontalHeaderLabels(["列", "文件中的列名", "示例值", "导入为"])
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.mapping_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mapping_table.setTabKeyNavigation(False)  # Tab walks the 导入为 combos, not the read-only cells
        head = self.mapping_table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.mapping_table.setColumnWidth(1, 150)
        self.mapping_table.setColumnWidth(3, 170)
        self.mapping_table.setTextElideMode(Qt.TextElideMode.ElideNone)  # wrapped whole, never cut with …
        head.sectionResized.connect(lambda *_a: self.mapping_table.resizeRowsToContents())
        self.mapping_table.setMinimumHeight(220)
        QVBoxLayout(mapping_box).addWidget(self.mapping_table)
        top.addWidget(mapping_box, 3)

        side = QVBoxLayout()
        mode_box = QGroupBox("导入方式")
        mode_layout = QVBoxLayout(mode_box)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[str, QRadioButton] = {}
        from desktop_app.excel.importers import MODES

        hints = {"add": "（文件中的记录都应是新的）", "skip": "（已登记的略过，只加新的）",
                 "update": "（已登记的按文件修改，空格保留原值）"}
        for m in result.modes:
            radio = QRadioButton(f"{MODES.get(m, m)}{hints.get(m, '')}")
            radio.setObjectName(f"mode_{m}")
            self.mode_group.addButton(radio)
            self.mode_buttons[m] = radio
            mode_layout.addWidget(radio)
            radio.toggled.connect(lambda on, m=m: self._mode_chosen(m) if on else None)
        side.addWidget(mode_box)
        skipped_box = QGroupBox("略过的行")
        self.skipped_list = QListWidget()
        self.skipped_list.setWordWrap(True)
        self.skipped_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.skipped_list.setObjectName("import_skipped")
        QVBoxLayout(skipped_box).addWidget(self.skipped_list)
        side.addWidget(skipped_box, 1)
        top.addLayout(side, 2)
        upper = QWidget()  # 识别结果 above, the preview below: the user may move the line between them
        upper.setLayout(top)
        top.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(upper)
        lower = QWidget()
        below = QVBoxLayout(lower)
        below.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(split, 1)

        self.verdict = QLabel()
        self.verdict.setObjectName("import_verdict")
        self.verdict.setWordWrap(True)
        self.counts = QLabel()
        self.counts.setObjectName("import_counts")
        self.counts.setWordWrap(True)
        below.addWidget(self.verdict)
        below.addWidget(self.counts)

        self.date_edits: dict[str, DateEdit] = {}
        if dates:
            form = QHBoxLayout()
            for option in dates:
                edit = DateEdit(dt.date.today())
                edit.setObjectName(f"option_{option.key}")
                label = QLabel(option.label)
                label.setBuddy(edit)
                label.setToolTip(option.tip)
                form.addWidget(label)
                form.addWidget(edit)
                self.date_edits[option.key] = edit
            form.addStretch(1)
            below.addLayout(form)

        self.tabs = QTabWidget()
        self.rows_view = LedgerView(WholeTextModel(outcome_columns(result.key_label), []),
                                    filter_placeholder="筛选：编号、名称或拼音首字母")
        self.rows_view.setObjectName("import_rows")
        self.problems_view = LedgerView(WholeTextModel(PROBLEM_COLUMNS, []), filter_placeholder="筛选")
        self.problems_view.setObjectName("import_problems")
        wrap_rows(self.problems_view)  # every problem readable whole: 问题 stretches, rows wrap
        wrap_rows(self.rows_view)  # and the 变化 of a row
        self.tabs.addTab(self.rows_view, "导入预览")
        self.tabs.addTab(self.problems_view, "问题")
        below.addWidget(self.tabs, 1)
        split.addWidget(lower)
        split.setSizes([300, 420])

        buttons = QHBoxLayout()
        self.template_button = QPushButton("下载导入模板(&T)…")
        self.template_button.setObjectName("btn_template")
        self.template_button.setToolTip(f"保存{result.label}的导入模板：表头、示例行和填写说明")
        self.template_button.setVisible(template is not None)
        if template is not None:
            self.template_button.clicked.connect(lambda _c=False: template())
        buttons.addWidget(self.template_button)
        buttons.addStretch(1)
        self.import_button = QPushButton("确认导入(&Y)")
        self.import_button.setObjectName("btn_confirm_import")
        self.import_button.clicked.connect(self.accept)
        self.close_button = QPushButton("取消")
        self.close_button.setObjectName("btn_close_import")
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)
        self.resize(1080, 760)
        self.show_inspection(result)

    # -- what the user chose ---------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self.result_shown.mode

    def mapping(self) -> dict[str, str]:
        return dict(self.user_mapping)

    def options(self) -> dict[str, Any]:
        """The options chosen for the import itself (the dates asked for)."""
        return {key: edit.value() or dt.date.today() for key, edit in self.date_edits.items()}

    def combo(self, letter: str) -> QComboBox:
        """The 导入为 combo of file column ``letter`` (tests, keyboard)."""
        for r in range(self.mapping_table.rowCount()):
            item = self.mapping_table.item(r, 0)
            if item is not None and item.text() == letter:
                widget = self.mapping_table.cellWidget(r, 3)
                assert isinstance(widget, QComboBox)
                return widget
        raise KeyError(letter)

    def _mode_chosen(self, mode: str) -> None:
        if mode != self.result_shown.mode:
            self._ask(mode)

    def _column_chosen(self, header: str, combo: QComboBox) -> None:
        self.user_mapping.pop(header, None)  # the latest choice goes last: it wins a field two columns claim
        self.user_mapping[header] = str(combo.currentData() or "")
        self._ask(self.result_shown.mode)

    def _ask(self, mode: str) -> None:
        if self._recheck is None:
            return
        self.busy = True
        self.import_button.setEnabled(False)
        self.verdict.setText("正在按新的设置重新检查…")
        self._recheck(self.mapping(), mode)

    # -- showing a check -------------------------------------------------------------------
    def show_inspection(self, result: Inspection) -> None:
        self.result_shown = result
        self.busy = False
        where = f"工作表“{result.sheet}”，表头在第 {result.header_row} 行，共 {len(result.columns)} 列。"
        memory = "已按上次的对应关系识别（同样列名的文件）。" if result.remembered else ""
        self.info.setText(f"{where}{memory}请核对每列“导入为”的字段；不需要的列选“{SKIP}”。")
        self._fill_mapping(result)
        for m, radio in self.mode_buttons.items():
            radio.blockSignals(True)
            radio.setChecked(m == result.mode)
            radio.blockSignals(False)
        self.skipped_list.clear()
        self.skipped_list.addItems(list(result.skipped) or ["（无）"])
        c = result.counts
        self.counts.setText(
            f"新增 {c.get('new', 0)} 条　更新 {c.get('changed', 0)} 条　无变化 {c.get('unchanged', 0)} 条　"
            f"跳过 {c.get('skipped', 0)} 条　略过非数据行 {len(result.skipped)} 行"
            + (f"\n{'；'.join(result.notes)}" if result.notes else ""))
        self.rows_view.model().set_rows(list(result.outcomes))
        self.problems_view.model().set_rows(list(result.problems))
        self.tabs.setTabText(0, f"导入预览（{len(result.outcomes)} 条）")
        self.tabs.setTabText(1, f"问题（{len(result.problems)} 处）")
        writes = result.ok and result.writes > 0
        if result.ok:
            self.verdict.setStyleSheet("")
            self.verdict.setText("检查通过。确认后一次写入全部记录；任何一处失败则全部不写入。" if writes else
                                 "检查通过，没有需要写入的数据（新增 0 条、更新 0 条），无需导入。")
            self.tabs.setCurrentIndex(0)
        else:
            self.verdict.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
            n = len(result.problems)
            self.verdict.setText(f"发现 {n} 处问题，未写入任何数据。请按“问题”表修改 Excel 文件，"
                                 "或在上方改正列的对应关系、导入方式后再检查。")
            self.tabs.setCurrentIndex(1)
        self.import_button.setVisible(result.ok)
        self.import_button.setEnabled(writes)  # nothing to write: nothing to confirm
        self.import_button.setToolTip("" if writes or not result.ok else "没有需要写入的数据")
        self.import_button.setDefault(writes)
        self.close_button.setText("取消" if writes else "关闭(&C)")
        self.close_button.setDefault(not writes)

    def _fill_mapping(self, result: Inspection) -> None:
        t = self.mapping_table
        t.setRowCount(len(result.columns))
        previous: QWidget = t
        widest = 0
        for r, col in enumerate(result.columns):
            t.setItem(r, 0, QTableWidgetItem(col.letter))
            header = QTableWidgetItem(col.header or "（无列名）")
            header.setToolTip(col.header)
            t.setItem(r, 1, header)
            sample = QTableWidgetItem("；".join(col.samples))
            sample.setToolTip("\n".join(col.samples))
            t.setItem(r, 2, sample)
            combo = QComboBox()
            combo.addItem(SKIP, "")
            for f in result.fields:
                combo.addItem(f"{f.label}（必填）" if f.required else f.label, f.key)
            combo.setCurrentIndex(max(0, combo.findData(col.field)) if col.field else 0)
            combo.setEnabled(bool(col.header))  # a mapping is by header text
            combo.setToolTip("该列没有列名，无法指定" if not col.header else f"文件 {col.letter} 列导入为哪个字段")
            combo.currentIndexChanged.connect(lambda _i, h=col.header, c=combo: self._column_chosen(h, c))
            t.setCellWidget(r, 3, combo)
            QWidget.setTabOrder(previous, combo)  # the table, then its combos in column order
            previous = combo
            widest = max(widest, combo.sizeHint().width())
        t.setColumnWidth(3, max(t.columnWidth(3), widest + 2))  # 统一社会信用代码（必填） whole (+ the grid line)
        t.resizeColumnToContents(1)
        t.setColumnWidth(1, min(max(t.columnWidth(1), 100), 240))  # a very long header wraps
        t.resizeRowsToContents()


# -- one import from a page --------------------------------------------------------------------
class ImportRun:
    """One 从Excel导入 from a page. ``start()`` asks for the file; the rest follows from the tasks'
    results. ``dialog``/``inspection``/``done`` hold the state (tests read them)."""

    def __init__(self, parent: QWidget, ctx: AppContext, runner: TaskRunner, kind: str, *, notify: str,
                 label: str = "", options: Mapping[str, Any] | None = None, dates: tuple[DateOption, ...] = (),
                 on_done: Callable[[Inspection], None] | None = None) -> None:
        self.parent, self.ctx, self.runner, self.kind = parent, ctx, runner, kind
        self.notify_kind, self.label = notify, label
        self.options = dict(options or {})  # passed to the kind's apply (成员名册: basis …)
        self.dates = dates
        self.on_done = on_done  # after the import went through (the caller reloads what it shows)
        self.use_org = self.use_book = False
        self.path: Path | None = None
        self.dialog: ImportDialog | None = None
        self.inspection: Inspection | None = None
        self.done: Any = None
        self.last: TaskHandle | None = None
        self.chosen: dict[str, Any] = {}  # the dialog's options for the import (dates)

    def start(self, path: Path | str | None = None) -> TaskHandle | None:
        from desktop_app.excel.importers import importer

        try:
            imp = importer(self.kind)
        except UserError as e:  # a kind this version cannot import yet
            show_user_error(self.parent, e)
            return None
        self.label = self.label or imp.label
        self.use_org, self.use_book = imp.needs_org, imp.needs_book
        if self.use_org and self.ctx.org is None:
            show_user_error(self.parent, "请先在左侧选择组织")
            return None
        if self.use_book and self.ctx.book is None:
            show_user_error(self.parent, "请先在左侧选择账套")
            return None
        if path is None:
            whose = f"：{self.ctx.org.name}" if self.use_org and self.ctx.org is not None else ""
            name = open_file_name(self.parent, self.ctx.settings, f"import_{self.kind}",
                                  f"从Excel导入{self.label}{whose}", FILE_FILTER)
            if not name:
                return None
            path = name
        self.path = Path(path)
        return self._run(mapping={}, mode=None, apply=False)

    def remembered(self) -> dict[str, dict[str, str]]:
        saved = self.ctx.settings.get(LAYOUTS_KEY) or {}
        kind = saved.get(self.kind) if isinstance(saved, dict) else None
        return {k: dict(v) for k, v in kind.items() if isinstance(v, dict)} if isinstance(kind, dict) else {}

    def _remember(self, result: Inspection) -> None:
        saved = self.ctx.settings.get(LAYOUTS_KEY) or {}
        layouts = {k: dict(v) for k, v in saved.items() if isinstance(v, dict)} if isinstance(saved, dict) else {}
        layouts.setdefault(self.kind, {})[result.signature] = dict(result.mapping)
        self.ctx.settings.set(LAYOUTS_KEY, layouts)

    def _run(self, *, mapping: dict[str, str], mode: str | None, apply: bool) -> TaskHandle:
        assert self.path is not None
        db, actor, kind, path = self.ctx.db, self.ctx.user.username, self.kind, self.path
        org_id = self.ctx.org.id if self.use_org and self.ctx.org is not None else None
        book_id = self.ctx.book.id if self.use_book and self.ctx.book is not None else None
        remembered, options = self.remembered(), {**self.options, **self.chosen} if apply else {}

        def work(progress: Progress) -> Inspection:
            progress.report(0, 0, f"正在{'导入' if apply else '检查'} {path.name}…")
            # a check only reads: under a snapshot it holds no write lock while the file is read
            with (db.begin(actor) if apply else db.read(actor)) as session:
                result = inspect(session, kind, path, organisation_id=org_id, book_id=book_id, mode=mode,
                                 mapping=mapping, remembered=remembered, apply=apply, progress=progress, **options)
                progress.check()  # 取消 after the work: the transaction rolls back, nothing written
            return result

        what = self.label or "文件"
        self.last = self.runner.run(work, title=f"正在{'导入' if apply else '检查'}{what}…",
                                    on_result=self._applied if apply else self._checked,
                                    on_cancelled=self._cancelled if apply else None,
                                    on_error=self._failed)
        return self.last

    def _failed(self, exc: BaseException) -> None:
        from desktop_app.ui.errors import report_exception

        if self.dialog is not None and self.dialog.busy:  # a re-check that failed: show the last one again
            self.dialog.show_inspection(self.dialog.result_shown)
        report_exception(self.dialog if self.dialog is not None and self.dialog.isVisible() else self.parent, exc)

    def _cancelled(self) -> None:
        QMessageBox.information(self.parent, "已取消", "已取消导入，未写入任何数据。")

    def _checked(self, result: Inspection) -> None:
        if self.dialog is None and self.inspection is not None:
            return  # a re-check that finished after the dialog was closed
        self._show(result)

    def _show(self, result: Inspection) -> None:
        self.inspection = result
        if self.dialog is not None:
            self.dialog.show_inspection(result)
            return
        assert self.path is not None
        self.dialog = ImportDialog(result, self.path.name, self.parent, recheck=self._recheck, dates=self.dates,
                                   template=lambda: save_template(self.dialog, self.ctx, self.kind, result.label))
        self.dialog.finished.connect(self._closed)
        self.dialog.open()

    def _recheck(self, mapping: dict[str, str], mode: str) -> None:
        self._run(mapping=mapping, mode=mode, apply=False)

    def _closed(self, code: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        if code == QDialog.DialogCode.Accepted and dialog.result_shown.ok and dialog.result_shown.writes:
            self.chosen = dialog.options()
            self._run(mapping=dialog.mapping(), mode=dialog.mode, apply=True)
        dialog.deleteLater()

    def _applied(self, result: Inspection) -> None:
        self.inspection = result
        if result.done is None:  # the file or the records changed since the preview: nothing was written
            self._show(result)
            return
        self.done = result.done
        self._remember(result)
        self.ctx.notify(self.notify_kind, ())
        if self.on_done is not None:
            self.on_done(result)
        QMessageBox.information(self.parent, "导入完成", result.done.message)


def save_template(parent: QWidget | None, ctx: AppContext, kind: str, label: str = "") -> Path | None:
    """下载导入模板…: ask where, write the kind's template (header, examples, 填写说明)."""
    from desktop_app.excel.importers import importer, write_template

    try:
        imp = importer(kind)
    except UserError as e:
        show_user_error(parent, e)
        return None
    name = save_file_name(parent, ctx.settings, f"import_{kind}", "保存导入模板", f"{label or imp.label}导入模板.xlsx",
                          XLSX_FILTER)
    if not name:
        return None
    org_id = ctx.org.id if ctx.org is not None else None
    try:
        path = ctx.read(lambda s: write_template(kind, name, session=s, organisation_id=org_id))
    except UserError as e:
        show_user_error(parent, e)
        return None
    except OSError as e:
        show_user_error(parent, f"无法保存 {name}：{e.strerror or e}（文件是否正在 Excel/WPS 中打开？）")
        return None
    QMessageBox.information(parent, "模板已保存", f"已保存{imp.label}导入模板：{path}")
    return Path(path)


def import_button(text: str, name: str, on_import: Callable[[], Any], on_template: Callable[[], Any],
                  parent: QWidget | None = None) -> QToolButton:
    """A page's 导入 button: a click imports; its menu also offers 下载导入模板…."""
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setText(text)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    menu = QMenu(button)
    menu.addAction("从Excel导入…", on_import).setObjectName(f"{name}_import")
    menu.addAction("下载导入模板…", on_template).setObjectName(f"{name}_template")
    button.setMenu(menu)
    button.clicked.connect(lambda _c=False: on_import())
    return button
