"""Card actions of the assets page: 价值调整, 处置, 折旧计算表, 变动历史, 附件 (one service call each)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop_app.core.errors import ConflictError
from desktop_app.core.money import format_amount
from desktop_app.core.periods import period_label
from desktop_app.core.rows_assets import AssetRow
from desktop_app.core.rules.depreciation import add_months, month_of
from desktop_app.core.services import assets as asset_svc
from desktop_app.core.services import assets_changes as change_svc
from desktop_app.core.services import depreciation as dep_svc
from desktop_app.core.services.depreciation_township import TownshipRun
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.file_dialogs import open_file_name
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages.assets_forms import combo
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.widgets.dates import DateEdit
from desktop_app.ui.widgets.money_edit import MoneyEdit

SCHEDULE_COLUMNS = [
    Column("period", "月份", width=80), Column("amount", "本月折旧", "money", total=True, width=100),
    Column("accumulated", "累计折旧", "money", width=110), Column("cost", "原值", "money", width=110),
    Column("net_value", "净值", "money", width=110),
    Column("posted", "状态", formatter=lambda v: "已计提" if v else "未计提", width=60),
]
HISTORY_COLUMNS = [
    Column("at", "时间", "date", width=90), Column("actor", "操作人", width=80), Column("summary", "内容", width=320),
    Column("changes", "变动", formatter=lambda v: "；".join(f"{f}：{b}→{a}" for f, b, a in v), width=320),
]
TOWNSHIP_RUN_COLUMNS = [
    Column("organisation", "组织", "pinyin-text", width=150), Column("book", "账套", width=150),
    # 合计 is the month's depreciation shown in the rows: this run's and any found charged before
    # (the sentence above the table splits the two)
    Column("cards", "资产（项）", "int", total=True, width=70, total_if=lambda ln: ln.refused is None),
    Column("amount", "折旧额（元）", "money", total=True, width=110, total_if=lambda ln: ln.refused is None),
    Column("voucher_code", "凭证号", width=70), Column("result", "结果", width=480),
]
ATTACHMENT_COLUMNS = [
    Column("file_name", "文件名", "pinyin-text", width=200), Column("size", "大小（字节）", "int", width=90),
    Column("sha256", "SHA-256", width=200), Column("note", "说明", width=160),
]


def _form(parent: QWidget, title: str, fields: list[Field], save: Any) -> Any:
    dialog = FormDialog(title, fields, save, parent=parent)
    dialog.setObjectName("form_dialog")
    return dialog.result_value if dialog.exec() else None


def adjust(parent: QWidget, ctx: AppContext, a: AssetRow) -> Any:
    fields = [
        Field("kind", "调整类型", combo(change_svc.ADJUST_KINDS), required=True),
        Field("effective_on", "调整日期", DateEdit(dt.date.today()), required=True, hint="当月照旧计提，次月起按新价值重新计算"),
        Field("delta_cost", "原值变动", QLineEdit(), required=True, hint="增加填正数，减少填负数，如 -3000"),
        Field("delta_accumulated", "累计折旧变动", QLineEdit("0"), hint="部分处置时转销的累计折旧填负数"),
        Field("new_life_months", "预计使用月数", QLineEdit(), hint="重新估计的总使用月数；不变则留空"),
        Field("counter_account", "对方科目", QLineEdit(), hint="改良必填（如 153 在建工程）；部分处置默认固定资产清理，重估默认公积公益金"),
        Field("reason", "调整原因", QLineEdit(), required=True),
    ]

    def save(v: dict[str, Any]) -> Any:
        life = v.pop("new_life_months")
        return ctx.call(change_svc.adjust_asset, a.id, user=ctx.user, new_life_months=int(life) if life else None,
                        **{k: x for k, x in v.items() if x is not None})

    return _form(parent, f"价值调整：{a.code} {a.name}", fields, save)


def dispose(parent: QWidget, ctx: AppContext, a: AssetRow) -> Any:
    fields = [
        Field("kind", "处置方式", combo(change_svc.DISPOSAL_KINDS[:-1]), required=True),
        Field("disposed_on", "处置日期", DateEdit(dt.date.today()), required=True, hint="处置当月照提折旧"),
        Field("proceeds", "处置收入", MoneyEdit("处置收入")), Field("proceeds_account", "收款科目", QLineEdit()),
        Field("expenses", "清理费用", MoneyEdit("清理费用")), Field("expense_account", "付款科目", QLineEdit()),
        Field("reason", "处置原因", QLineEdit(), required=True),
    ]
    return _form(parent, f"资产处置：{a.code} {a.name}", fields, lambda v: ctx.call(
        change_svc.dispose_asset, a.id, user=ctx.user, **{k: x for k, x in v.items() if x is not None}))


def cancel_last_change(parent: QWidget, ctx: AppContext, a: AssetRow) -> Any:
    """撤销: a disposed card's disposal, otherwise the card's last value change."""
    return (cancel_disposal if a.status == "已处置" else cancel_adjustment)(parent, ctx, a)


def cancel_disposal(parent: QWidget, ctx: AppContext, a: AssetRow) -> Any:
    """撤销处置 (in the disposal's month): the service reverses the voucher and restores the card."""
    reason = QLineEdit()
    reason.setMaxLength(150)
    reason.setPlaceholderText("如：误录、处置方式录错")
    fields = [Field("on", "撤销日期", DateEdit(dt.date.today()), required=True, hint="须在处置当月"),
              Field("reason", "原因", reason, required=True)]
    return _form(parent, f"撤销处置：{a.code} {a.name}", fields,
                 lambda v: ctx.call(change_svc.cancel_disposal, a.id, user=ctx.user, **v) or "voided")


def cancel_adjustment(parent: QWidget, ctx: AppContext, a: AssetRow) -> Any:
    """撤销 the card's last value change; the service reverses its voucher."""
    last = ctx.read(change_svc.latest_adjustment, a.id)
    if last is None:
        raise ConflictError(f"资产 {a.code} 没有价值调整记录", field="资产")
    reason = QLineEdit()
    reason.setMaxLength(150)
    fields = [Field("on", "撤销日期", DateEdit(dt.date.today()), required=True),
              Field("reason", "原因", reason, required=True)]
    title = (f"撤销价值调整：{a.code} {last.kind} {last.effective_on:%Y-%m-%d} 原值 {last.delta_cost:+,.2f}"
             f"，累计折旧 {last.delta_accumulated:+,.2f}")
    return _form(parent, title, fields,
                 lambda v: ctx.call(change_svc.cancel_adjustment, a.id, user=ctx.user, **v) or "voided")


class TableDialog(QDialog):
    """A read-only list (schedule, history, attachments) with the ledger's filter and Ctrl+C."""

    def __init__(self, parent: QWidget, title: str, columns: list[Column], rows: list[Any], note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("table_dialog")
        self.model = RowTableModel(columns, rows)
        self.view = LedgerView(self.model)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(760, 480)


def show_schedule(parent: QWidget, ctx: AppContext, a: AssetRow) -> None:
    end_of_life = add_months(month_of(a.acquired_on), a.useful_life_months + 1)
    until = max(f"{dt.date.today().year + 1}-12", end_of_life)
    rows = ctx.call(dep_svc.asset_schedule, a.id, until=until)
    note = (f"{a.method}；原值 {a.cost:,.2f}，预计使用 {a.useful_life_months} 个月，残值率 {a.residual_rate.normalize()}%；"
            "当月取得次月起计提，处置当月照提，提足为止。")
    TableDialog(parent, f"折旧计算表：{a.code} {a.name}", SCHEDULE_COLUMNS, rows, note).exec()


def show_history(parent: QWidget, ctx: AppContext, a: AssetRow) -> None:
    TableDialog(parent, f"变动历史：{a.code} {a.name}", HISTORY_COLUMNS, ctx.call(asset_svc.asset_history, a.id)).exec()


def attachments_dir(ctx: AppContext) -> Path:
    """The managed attachments folder beside the database (content-addressed by SHA-256)."""
    return Path(ctx.db.path).parent / "attachments"


def add_attachment(parent: QWidget, ctx: AppContext, a: AssetRow) -> Any:
    name = open_file_name(parent, ctx.settings, "asset_attachment", f"添加附件：{a.code} {a.name}",
                          "照片和扫描件 (*.jpg *.jpeg *.png *.pdf *.tif *.tiff);;所有文件 (*)")
    if not name:
        return None
    return ctx.call(asset_svc.add_attachment, a.id, Path(name), attachments_dir=attachments_dir(ctx), user=ctx.user)


def show_attachments(parent: QWidget, ctx: AppContext, a: AssetRow) -> None:
    rows = ctx.read(asset_svc.list_attachments, a.id)
    TableDialog(parent, f"附件：{a.code} {a.name}", ATTACHMENT_COLUMNS, rows,
                f"文件保存在 {attachments_dir(ctx)}，以 SHA-256 命名，改动可被检出。").exec()


def township_run_note(run: TownshipRun, township: str) -> str:
    """Sentences above the per-book table: what this run charged, what had been charged before (the
    two make the 合计 below), the books with nothing due and the books refused."""
    month = period_label(run.period)
    done = run.charged
    text = (f"{township}{month}折旧：本次新计提 {len(done)} 个账套 {run.cards:,} 项，{format_amount(run.amount)} 元"
            if done else f"{township}{month}折旧：本次新计提 0 项，0.00 元")
    before = run.already
    if before:
        text += (f"；此前已计提 {len(before)} 个账套 {run.already_cards:,} 项，{format_amount(run.already_amount)} 元"
                 "（未重复生成）")
    if done and before:
        text += (f"；表中合计 {run.cards + run.already_cards:,} 项，{format_amount(run.amount + run.already_amount)} 元"
                 "为两者之和")
    elif before:
        text += "；表中合计为此前已计提的数"
    if run.nothing_due:
        text += f"；{len(run.nothing_due)} 个账套无需计提（没有应计提的资产）"
    if run.refused:
        text += f"；{len(run.refused)} 个账套未计提（原因见“结果”）"
    return text + "。"


def show_township_run(parent: QWidget, run: TownshipRun, township: str) -> TableDialog:
    """The township's run, book by book, in the navigation tree's order (refused books first, so none
    is missed); 结果 takes the width left (a reason longer still has a tooltip)."""
    order = {id(ln): i for i, ln in enumerate(run.lines)}
    rows = sorted(run.lines, key=lambda ln: (ln.refused is None, order[id(ln)]))
    dialog = TableDialog(parent, f"全乡镇计提折旧：{period_label(run.period)}", TOWNSHIP_RUN_COLUMNS, rows,
                         township_run_note(run, township))
    dialog.setObjectName("township_run_dialog")
    dialog.view.table.horizontalHeader().setStretchLastSection(True)
    dialog.resize(1180, 560)
    return dialog
