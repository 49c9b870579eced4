"""资产清查 tab of the assets page: the stock-takes of the current book and the count sheet of one.

Keyboard: Alt+N 开始清查, Alt+O mark the selected cards 相符 (the cursor moves on, so O O O walks
down the sheet), Alt+K 盘亏 (asks for the reason), Alt+J or Enter 登记 one line, Alt+Y 盘盈登记,
Alt+P 审批 (posts the adjusting vouchers and names them), Alt+X 导出结果表 (PDF, in the
background). Every action is one service call through ``ctx.call``; the services refuse what is
not allowed (an approved stock-take, unchecked cards) and their Chinese message is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.progress import Progress
from desktop_app.core.rows_assets import AssetRow, StockTakeLineRow, StockTakeRow
from desktop_app.core.services import assets as asset_svc
from desktop_app.core.services import stocktake as st
from desktop_app.core.services.vouchers import find_vouchers_by_source
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import report_exception, show_user_error
from desktop_app.ui.file_dialogs import PDF_FILTER, save_file_name
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages.assets_forms import combo
from desktop_app.ui.permissions import press
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets.dates import DateEdit
from desktop_app.ui.widgets.money_edit import MoneyEdit

__all__ = ["CountLine", "StocktakeTab"]

RELOAD_KINDS = ("stocktake", "asset", "voucher", "period", "refresh")


@dataclass(frozen=True)
class CountLine:
    """One line of the count sheet: the service's line plus the card's quantity and unit."""

    line: StockTakeLineRow
    quantity: Decimal | None  # 账面数量 (None for 盘盈: not on the books)
    unit: str
    category: str


def _qty(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _counted(c: CountLine) -> str:
    """实盘 as the result says: 相符 → the book quantity, 盘亏 → 0, 盘盈 → 1 item found."""
    result = c.line.result
    if result == "相符":
        return _qty(c.quantity)
    if result == "盘亏":
        return "0"
    if result == "盘盈":
        return "1"
    return ""


TAKE_COLUMNS = [
    Column("name", "清查名称", "pinyin-text", width=200),
    Column("started_on", "开始日期", "date", width=90),
    Column("status", "状态", width=70),
    Column("approved_on", "审批日期", "date", width=90),
    Column("approved_by", "审批人", "pinyin-text", width=80),
]
LINE_COLUMNS = [
    Column("code", "资产编号", getter=lambda c: c.line.code, width=90),
    Column("name", "资产名称", "pinyin-text", getter=lambda c: c.line.name, width=160),
    Column("category", "类别", getter=lambda c: c.category, width=90),
    Column("book_qty", "账面数量", getter=lambda c: _qty(c.quantity) if c.quantity is not None else "0",
           alignment="right", width=70),
    Column("counted", "实盘", getter=_counted, alignment="right", width=60),
    Column("unit", "单位", getter=lambda c: c.unit, width=50),
    Column("result", "结果", getter=lambda c: c.line.result, width=60),
    Column("book_value", "账面净值/评估价值", "money", getter=lambda c: c.line.book_value, width=130),
    Column("notes", "说明", getter=lambda c: c.line.notes, width=220),  # as on the printed result sheet
]


def _button(text: str, handler: Callable[[], Any], name: str) -> QPushButton:
    btn = QPushButton(text)
    btn.setObjectName(name)
    if "&" in text:  # explicit, so it works whatever the platform's mnemonic setting
        btn.setShortcut(QKeySequence(f"Alt+{text[text.index('&') + 1]}"))
    btn.clicked.connect(handler)
    return btn


class StocktakeTab(QWidget):
    """Stock-takes of ``ctx.book`` on top, the count sheet of the current one below."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = TaskRunner(self)
        self.takes = LedgerView(RowTableModel(TAKE_COLUMNS), settings=ctx.settings, settings_key="table:stocktakes",
                                filter_placeholder="筛选：清查名称或拼音首字母")
        self.takes.setObjectName("stocktakes_table")
        self.sheet = LedgerView(RowTableModel(LINE_COLUMNS), settings=ctx.settings,
                                settings_key="table:stocktake_lines",
                                filter_placeholder="筛选：资产编号、名称、结果（如 未盘点）或拼音首字母")
        self.sheet.setObjectName("stocktake_sheet")
        self.summary = QLabel()
        self.summary.setObjectName("stocktake_summary")
        self.vouchers_label = QLabel()
        self.vouchers_label.setObjectName("stocktake_vouchers")
        self.vouchers_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setObjectName("stocktake_status")
        bar = QHBoxLayout()
        for text, handler, name in (
            ("开始清查(&N)", self.start, "btn_start_stocktake"), ("相符(&O)", self.mark_found, "btn_found"),
            ("盘亏(&K)", self.mark_missing, "btn_missing"), ("登记(&J)", self.record, "btn_record"),
            ("盘盈登记(&Y)", self.add_surplus, "btn_surplus"), ("审批(&P)", self.approve, "btn_approve_stocktake"),
            ("导出结果表(&X)", self.export_pdf, "btn_stocktake_pdf"),
        ):
            bar.addWidget(_button(text, handler, name))
        bar.addStretch(1)
        bar.addWidget(self.status)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.takes)
        split.addWidget(self.sheet)
        split.setSizes([120, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.vouchers_label)
        self.takes.current_row_changed.connect(lambda _r: self._load_sheet())
        self.sheet.row_activated.connect(lambda _r: press(self, "btn_record"))
        ctx.data_changed.connect(lambda kind, _ids: self.reload() if kind in RELOAD_KINDS else None)
        ctx.context_changed.connect(self.reload)
        self.reload()

    # -- loading -------------------------------------------------------------------------
    def reload(self, select_take: Any = None) -> None:
        book = self.ctx.book
        current = self.current_take()
        wanted = select_take or (current.id if current is not None else None)
        rows = self.ctx.read(st.list_stocktakes, book.id) if book is not None else []
        model = self.takes.model()
        model.set_rows(rows)
        if rows:
            at = model.find_row(lambda r: r.id == wanted) if wanted is not None else -1
            self.takes.select_row(max(at, 0))
        self._load_sheet()

    def current_take(self) -> StockTakeRow | None:
        row = self.takes.current_row()
        return row if isinstance(row, StockTakeRow) else None

    def _load_sheet(self, move_to: tuple[Any, int] | None = None) -> None:
        """``move_to`` = (line id, fallback position): put the cursor there after loading."""
        take = self.current_take()
        model = self.sheet.model()
        if take is None:
            model.set_rows([])
            self.summary.setText("还没有资产清查。按“开始清查”列出本账套全部在用资产卡片，逐项盘点。"
                                 if self.ctx.book is not None else "请先在左侧选择组织和账套")
            self.vouchers_label.setText("")
            return

        def load(session: Any) -> tuple[Any, list[AssetRow], list[Any]]:
            sheet = st.stocktake_sheet(session, take.id)
            cards = asset_svc.list_assets(session, take.organisation_id, book_id=take.book_id)
            vouchers = find_vouchers_by_source(session, take.book_id, "stocktake", take.id) if sheet.voucher_ids else []
            return sheet, cards, vouchers

        sheet, cards, vouchers = self.ctx.call(load)
        by_id = {a.id: a for a in cards}
        lines = []
        for ln in sheet.lines:
            card = by_id.get(ln.asset_id) if ln.asset_id is not None else None  # 盘盈: its card once approved
            book_qty = card.quantity if card is not None and ln.result != "盘盈" else None
            lines.append(CountLine(ln, book_qty, card.unit if card else "项", card.category if card else ""))
        current = self.sheet.current_row()
        model.set_rows(lines)
        if move_to is not None:
            at = model.find_row(lambda c: c.line.id == move_to[0])
            self.sheet.select_row(at if at >= 0 else min(move_to[1], model.rowCount() - 1))
        elif current is not None:
            at = model.find_row(lambda c: c.line.id == current.line.id)
            if at >= 0:
                self.sheet.select_row(at)
        self.summary.setText(
            f"{take.name}（{take.status}）：共 {len(sheet.lines)} 项；相符 {sheet.found} 项，"
            f"盘亏 {sheet.missing} 项（净值 {sheet.missing_value:,.2f} 元），"
            f"盘盈 {sheet.surplus} 项（评估价值 {sheet.surplus_value:,.2f} 元），未盘点 {sheet.unchecked} 项")
        self.vouchers_label.setText(f"调整凭证：{voucher_text(vouchers)}" if vouchers else "")

    # -- helpers -------------------------------------------------------------------------
    def _take(self) -> StockTakeRow | None:
        take = self.current_take()
        if take is None:
            show_user_error(self, "请先开始或选择一次资产清查")
        return take

    def _cards(self) -> list[CountLine]:
        """The selected lines that are cards (盘盈 lines are not counted, they are found)."""
        lines = [c for c in self.sheet.selected_rows() if isinstance(c, CountLine)]
        current = self.sheet.current_row()
        if not lines and isinstance(current, CountLine):
            lines = [current]
        lines = [c for c in lines if c.line.asset_id is not None and c.line.result != "盘盈"]
        if not lines:
            show_user_error(self, "请先在盘点表中选择资产卡片（盘盈的资产不需要盘点）")
        return lines

    def _dialog(self, title: str, fields: list[Field], save: Callable[[dict[str, Any]], Any],
                values: dict[str, Any] | None = None) -> Any:
        dialog = FormDialog(title, fields, save, values=values, parent=self)
        dialog.setObjectName("stocktake_form")
        return dialog.result_value if dialog.exec() else None

    def _save_counts(self, take: StockTakeRow, lines: list[CountLine], result: str, notes: str | None,
                     keep_notes: bool = False) -> bool:
        def work(session: Any) -> bool:
            for c in lines:
                assert c.line.asset_id is not None  # _cards() keeps card lines only
                st.record_count(session, take.id, c.line.asset_id, result, c.line.notes if keep_notes else notes,
                                user=self.ctx.user)
            return True

        return self.ctx.call(work)

    def _after_count(self, take: StockTakeRow, lines: list[CountLine]) -> None:
        """Reload and move the cursor to the line after the last one counted (filter or not)."""
        rows = self.sheet.model().rows()
        done = {c.line.id for c in lines}
        last = max((i for i, r in enumerate(rows) if r.line.id in done), default=-1)
        following = rows[last + 1].line.id if 0 <= last < len(rows) - 1 else None
        self.sheet.table.clearSelection()
        self._load_sheet(move_to=(following, last + 1) if last >= 0 else None)
        self.ctx.notify("stocktake", (take.id,))

    # -- actions -------------------------------------------------------------------------
    def start(self) -> None:
        book = self.ctx.book
        if self.ctx.org is None or book is None:
            show_user_error(self, "请先在左侧选择组织和账套")
            return
        today = dt.date.today()
        fields = [Field("name", "清查名称", QLineEdit(f"{today.year}年度资产清查"), required=True),
                  Field("started_on", "开始日期", DateEdit(today), required=True,
                        hint="开始时列出本账套全部在用资产卡片，逐项登记相符或盘亏")]
        row = self._dialog(f"开始资产清查：{book.name}", fields,
                           lambda v: self.ctx.call(st.start_stocktake, book_id=book.id, **v, user=self.ctx.user))
        if row is not None:
            self.reload(select_take=row.id)
            self.ctx.notify("stocktake", (row.id,))

    def mark_found(self) -> None:
        take = self._take()
        lines = self._cards() if take is not None else []
        if take is None or not lines:
            return
        try:
            self._save_counts(take, lines, "相符", None, keep_notes=True)
        except UserError as err:
            show_user_error(self, err)
            return
        self._after_count(take, lines)

    def mark_missing(self) -> None:
        take = self._take()
        lines = self._cards() if take is not None else []
        if take is None or not lines:
            return
        names = "、".join(f"{c.line.code} {c.line.name}" for c in lines[:3]) + ("等" if len(lines) > 3 else "")
        fields = [Field("notes", "说明", QLineEdit(lines[0].line.notes or ""),
                        hint="盘亏原因，如“已丢失”“已拆除未报废”；审批时作为处置原因")]
        saved = self._dialog(f"盘亏：{names}", fields,
                             lambda v: self._save_counts(take, lines, "盘亏", v["notes"]))
        if saved:
            self._after_count(take, lines)

    def record(self) -> None:
        take = self._take()
        current = self.sheet.current_row() if take is not None else None
        if take is None:
            return
        if not isinstance(current, CountLine) or current.line.asset_id is None or current.line.result == "盘盈":
            show_user_error(self, "请先在盘点表中选择一张资产卡片")
            return
        result = current.line.result if current.line.result in st.RESULTS else "相符"
        fields = [Field("result", "盘点结果", combo(st.RESULTS, result), required=True,
                        hint="相符：实物在；盘亏：找不到（整张卡片）。账外多出的资产用“盘盈登记”"),
                  Field("notes", "说明", QLineEdit(current.line.notes or ""))]
        saved = self._dialog(f"登记盘点结果：{current.line.code} {current.line.name}（账面 "
                             f"{_qty(current.quantity)} {current.unit}）", fields,
                             lambda v: self._save_counts(take, [current], v["result"], v["notes"]))
        if saved:
            self._after_count(take, [current])

    def add_surplus(self) -> None:
        take = self._take()
        if take is None:
            return
        fields = [Field("name", "资产名称", QLineEdit(), required=True),
                  Field("value", "评估价值", MoneyEdit("评估价值", allow_zero=False), required=True,
                        hint="审批时按此价值登记新资产卡片（盘盈）"),
                  Field("nature", "资产性质", combo(asset_svc.NATURES, "经营性"), required=True),
                  Field("category", "资产类别", combo(asset_svc.CATEGORIES), required=True),
                  Field("notes", "说明", QLineEdit())]
        saved = self._dialog(f"盘盈登记：{take.name}", fields,
                             lambda v: self.ctx.call(st.record_surplus, take.id, **v, user=self.ctx.user) or True)
        if saved:
            self.ctx.notify("stocktake", (take.id,))

    def approve(self) -> None:
        take = self._take()
        if take is None:
            return

        def save(v: dict[str, Any]) -> list[Any]:
            def work(session: Any) -> list[Any]:
                st.approve_stocktake(session, take.id, approved_on=v["approved_on"], user=self.ctx.user)
                return find_vouchers_by_source(session, take.book_id, "stocktake", take.id)

            return self.ctx.call(work)

        fields = [Field("approved_on", "审批日期", DateEdit(dt.date.today()), required=True,
                        hint="盘亏卡片当月照提折旧后转出；调整凭证记入审批日期所在月份")]
        vouchers = self._dialog(f"审批资产清查：{take.name}", fields, save)
        if vouchers is None:
            return
        self.ctx.notify("asset")
        self.ctx.notify("voucher", tuple(x.id for x in vouchers))
        text = (f"{take.name}已审批，已生成并记账调整凭证：{voucher_text(vouchers)}。" if vouchers
                else f"{take.name}已审批：全部相符，无需调整凭证。")
        QMessageBox.information(self, "资产清查审批", text)

    def export_pdf(self) -> None:
        take = self._take()
        if take is None:
            return
        org = self.ctx.org.name if self.ctx.org is not None else ""
        suggested = f"{org}_{take.name}结果表.pdf" if org else f"{take.name}结果表.pdf"
        path = save_file_name(self, self.ctx.settings, "stocktake_pdf", "导出资产清查结果表", suggested, PDF_FILTER)
        if not path:
            return
        out = Path(path) if path.lower().endswith(".pdf") else Path(f"{path}.pdf")
        db, actor = self.ctx.db, self.ctx.user.username

        def work(progress: Progress) -> Path:
            from desktop_app.reports.assets_pdf import write_sheet_pdf  # reportlab: only when exporting
            from desktop_app.reports.assets_sheets import stocktake_result
            from desktop_app.reports.sealed_kinds import seal_asset_sheet

            progress.report(0, 0, "正在生成资产清查结果表…")
            with db.begin(actor) as session:  # sealed: verify-sheet checks the paper against the books later
                sheet = stocktake_result(session, take.id)
                seal = seal_asset_sheet(session, sheet, "stocktake", take_id=take.id)
            progress.check()
            return write_sheet_pdf(sheet, out, seal)

        self.status.setText("正在导出…")
        self.runner.run(work, title="正在导出资产清查结果表…",
                        on_result=lambda p: self.status.setText(f"已导出：{p}"),
                        on_error=lambda exc: self._export_failed(exc),
                        on_cancelled=lambda: self.status.setText("已取消导出"))

    def _export_failed(self, exc: BaseException) -> None:
        self.status.setText("")
        if isinstance(exc, OSError):
            show_user_error(self, f"无法保存文件：{exc.strerror or exc}")
            return
        report_exception(self, exc)


def voucher_text(vouchers: list[Any]) -> str:
    """``2026-03 记-0001、记-0002`` grouped by month."""
    by_month: dict[str, list[str]] = {}
    for x in vouchers:
        by_month.setdefault(x.period, []).append(x.code)
    return "；".join(f"{period} {'、'.join(codes)}" for period, codes in by_month.items())
