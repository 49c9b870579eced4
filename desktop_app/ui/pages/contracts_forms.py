"""Forms of the contracts page: the contract, a receipt, a deposit, a procedure record, a filing,
and the 整改 note of a review finding. Field labels are the names the services use in their
errors, so a refusal lands beside the field it names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.rows_contracts import ContractRow, FindingRow
from desktop_app.core.services import contracts as svc
from desktop_app.core.services.receipts import METHODS
from desktop_app.ui.context import AppContext
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.widgets import DateEdit, MoneyEdit

ID_FIELDS = ("承包方身份证号", "承包方统一社会信用代码")
ALIGN = [("按自然年度（季度）", "calendar"), ("按合同年度", "contract")]


def combo(items: list[str] | list[tuple[str, Any]], current: Any = None, *, empty: str | None = None) -> QComboBox:
    box = QComboBox()
    if empty is not None:
        box.addItem(empty, "")  # reads as empty (None) in forms, falsy as a filter
    for item in items:
        text, data = item if isinstance(item, tuple) else (item, item)
        box.addItem(text, data)
    if current is not None:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _spin(value: int, top: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, top)
    box.setValue(value)
    return box


def _links(ctx: AppContext, org_id: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(parcels, assets) to link to, from the assets area's services when they are present."""
    parcels: list[tuple[str, Any]] = []
    assets: list[tuple[str, Any]] = []
    try:
        from desktop_app.core.services.assets import list_assets
        from desktop_app.core.services.resources import list_parcels
    except ImportError:  # the assets area is not installed
        return parcels, assets
    for p in ctx.read(list_parcels, org_id):
        parcels.append((f"{getattr(p, 'code', '')} {getattr(p, 'name', '')}（{getattr(p, 'land_class', '')}）", p.id))
    for a in ctx.read(list_assets, org_id):
        assets.append((f"{getattr(a, 'code', '')} {getattr(a, 'name', '')}", a.id))
    return parcels, assets


def contract_fields(ctx: AppContext, org_id: Any, row: ContractRow | None = None) -> list[Field]:
    parcels, assets = _links(ctx, org_id)
    return [
        Field("number", "合同编号", QLineEdit(), required=True),
        Field("name", "合同名称", QLineEdit(), required=True),
        Field("kind", "合同类型", combo(list(svc.CONTRACT_KINDS), row.kind if row else "资源发包"), required=True),
        Field("subject", "标的", QLineEdit(), required=True, hint="地块、房屋、设备等名称"),
        Field("parcel_id", "资源地块", combo(parcels, row.parcel_id if row else None, empty="（不关联）")),
        Field("asset_id", "资产", combo(assets, row.asset_id if row else None, empty="（不关联）")),
        Field("location", "位置", QLineEdit()),
        Field("land_class", "地类", combo(list(svc.LAND_CLASSES), row.land_class if row else None, empty="（无）")),
        Field("area_mu", "面积（亩）", QLineEdit(), hint="最多四位小数"),
        Field("counterparty_name", "承包方名称", QLineEdit(), required=True),
        Field("counterparty_kind", "承包方类型", combo(["个人", "单位"], row.counterparty_kind if row else "个人"),
              required=True),
        Field("counterparty_id_number", "证件号码", QLineEdit(), hint="个人填身份证号，单位填统一社会信用代码"),
        Field("counterparty_phone", "联系电话", QLineEdit()),
        Field("signed_on", "签订日期", DateEdit(allow_empty=True)),
        Field("start_date", "起始日期", DateEdit(), required=True),
        Field("end_date", "终止日期", DateEdit(), required=True),
        Field("price_basis", "计价方式", combo(list(svc.PRICE_BASES), row.price_basis if row else "年租金"), required=True),
        Field("annual_rent", "年租金", MoneyEdit("年租金"), hint="按单价计租时可不填"),
        Field("unit_price", "单价（元/亩·年）", MoneyEdit("单价（元/亩·年）")),
        Field("escalation_pct", "递增比例（%）", QLineEdit(), hint="如 5，表示每次递增5%"),
        Field("escalation_years", "递增间隔（年）", _spin(row.escalation_years if row else 0, 50)),
        Field("payment_mode", "付款方式", combo(list(svc.PAYMENT_MODES), row.payment_mode if row else "年付"), required=True),
        Field("billing_align", "计费周期", combo(ALIGN, row.billing_align if row else "calendar"), required=True),
        Field("due_days", "缴款期限（天）", _spin(row.due_days if row else 30, 366), hint="每期开始后多少天内缴清"),
        Field("deposit_required", "保证金", MoneyEdit("保证金")),
        Field("written", "书面合同", QCheckBox("已签订书面合同")),
        Field("notes", "备注", QPlainTextEdit()),
    ]


def contract_values(row: ContractRow) -> dict[str, Any]:
    values = {k: getattr(row, k) for k in (
        "number", "name", "subject", "location", "counterparty_name", "counterparty_id_number", "counterparty_phone",
        "signed_on", "start_date", "end_date", "annual_rent", "unit_price", "deposit_required", "written", "notes")}
    values["area_mu"] = format(row.area_mu.normalize(), "f") if row.area_mu is not None else None
    values["escalation_pct"] = format(row.escalation_pct.normalize(), "f") if row.escalation_pct else None
    if values["signed_on"] is None:
        values.pop("signed_on")
    return values


def _input(org_id: Any, book_id: Any, v: dict[str, Any]) -> svc.ContractInput:
    data = {k: val for k, val in v.items() if val is not None or k in ("annual_rent", "unit_price", "area_mu")}
    data.setdefault("escalation_pct", "0")
    data.setdefault("deposit_required", "0")
    data["written"] = bool(v.get("written"))
    return svc.ContractInput(organisation_id=org_id, book_id=book_id, **data)


def _remap(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except UserError as err:
        if err.field in ID_FIELDS:
            err.field = "证件号码"
        raise


def contract_dialog(ctx: AppContext, parent: QWidget, org_id: Any, book_id: Any, row: ContractRow | None = None,
                    *, renew: bool = False) -> ContractRow | None:
    if row is None:
        title, action = "新增合同", lambda v: ctx.call(svc.create_contract, _input(org_id, book_id, v), user=ctx.user)
    elif renew:
        title, action = f"续签合同：{row.number}", lambda v: ctx.call(svc.renew_contract, row.id, _input(org_id, book_id, v), user=ctx.user)
    else:
        title, action = f"编辑合同：{row.number}", lambda v: ctx.call(svc.update_contract, row.id, _input(org_id, book_id, v), user=ctx.user)
    values = contract_values(row) if row else {"written": True, "start_date": dt.date.today()}
    if renew and row is not None:
        values.update(number=f"{row.number}-续", start_date=row.end_date + dt.timedelta(days=1),
                      end_date=dt.date(row.end_date.year + 5, row.end_date.month, min(row.end_date.day, 28)))
    dialog = FormDialog(title, contract_fields(ctx, org_id, row), lambda v: _remap(lambda: action(v)),
                        values=values, parent=parent)
    dialog.setObjectName("contract_dialog")
    scrollable(dialog)
    return dialog.result_value if dialog.exec() else None


def scrollable(dialog: FormDialog, height: int = 620) -> None:
    """Put a long form in a scroll area so the dialog fits a 1366x768 screen."""
    layout = dialog.layout()
    layout.removeWidget(dialog.form)
    area = QScrollArea(dialog)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(dialog.form)
    layout.insertWidget(0, area, 1)
    dialog.resize(max(dialog.form.sizeHint().width() + 40, 520), height)


def receipt_fields() -> list[Field]:
    return [Field("received_on", "收款日期", DateEdit(), required=True),
            Field("amount", "收款金额", MoneyEdit("收款金额", allow_zero=False), required=True),
            Field("method", "收款方式", combo(list(METHODS), "银行"), required=True),
            Field("receipt_no", "票据号", QLineEdit()), Field("payer", "交款人", QLineEdit()),
            Field("note", "备注", QLineEdit())]


def cancel_receipt_fields() -> list[Field]:
    """撤销收款: the date of the red reversal and the reason (both required by the service)."""
    reason = QLineEdit()
    reason.setMaxLength(150)
    reason.setPlaceholderText("如：金额录错、重复录入")
    return [Field("on", "日期", DateEdit(), required=True), Field("reason", "原因", reason, required=True)]


def deposit_fields() -> list[Field]:
    return [Field("kind", "业务类型", combo(["收取", "退还"]), required=True),
            Field("on_date", "日期", DateEdit(), required=True),
            Field("amount", "保证金金额", MoneyEdit("保证金金额", allow_zero=False), required=True),
            Field("method", "收款方式", combo(list(METHODS), "银行"), required=True)]


def procedure_fields() -> list[Field]:
    steps = ["村党组织提议", "村“两委”会议商议", "党员大会审议", "村民代表会议决议", "村民会议决议", "决议公开", "实施结果公开"]
    return [Field("step", "程序", combo(steps, "村民代表会议决议"), required=True),
            Field("meeting_date", "会议日期", DateEdit(), required=True),
            Field("resolution_no", "决议编号", QLineEdit()), Field("votes", "表决情况", QLineEdit()),
            Field("notes", "备注", QLineEdit())]


def filing_fields() -> list[Field]:
    return [Field("filed_on", "备案日期", DateEdit(), required=True), Field("filing_no", "备案编号", QLineEdit()),
            Field("filed_with", "备案机关", QLineEdit())]


def finding_fields(f: FindingRow) -> list[Field]:
    note = QPlainTextEdit()
    note.setPlainText(f.rectification_note or "")
    return [Field("status", "整改状态", combo(["未整改", "整改中", "已整改"], f.status), required=True),
            Field("note", "整改说明", note, hint="已整改时必填：采取的措施、补签协议、收回欠款等")]
