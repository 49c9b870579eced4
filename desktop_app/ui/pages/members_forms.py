"""Dialog fields and column declarations of the members pages (kept apart to keep the page small)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit

from desktop_app.core.rows_members import PlanRow
from desktop_app.core.services import distribution as dist
from desktop_app.core.services import distribution_query as dq
from desktop_app.core.services.members import RELATIONS
from desktop_app.core.services.personal_data import id_rule, shown_birth, shown_ric
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.forms import Field
from desktop_app.ui.widgets import DateEdit, IdNumberEdit, MoneyEdit


def shares_text(value: Any) -> str:
    return f"{value.normalize():f}"


def _member_id(row: Any) -> uuid.UUID | None:
    """A member list's row is a member (``id``) or a holding (``member_id``)."""
    found = getattr(row, "member_id", None) or getattr(row, "id", None)
    return found if isinstance(found, uuid.UUID) else None


def member_columns(revealed: dict[uuid.UUID, str]) -> list[Column]:
    """The columns of a member list; 身份证号 masked unless this user revealed it (``revealed``,
    filled by the page's 显示身份证 through the audited ``reveal_id_numbers``)."""
    return [
        Column("group_name", "组别", width=90), Column("household_number", "户号", width=70),
        Column("head_name", "户主", "pinyin-text", width=70, searchable=False),
        Column("name", "姓名", "pinyin-text", width=70),
        Column("ric", "身份证号", getter=lambda r: shown_ric(r.ric, revealed, _member_id(r)), width=150),
        Column("sex", "性别", width=40),
        # the masked digits are the birth date: with it beside them the number would be whole again
        Column("birth_date", "出生日期", getter=lambda r: shown_birth(r.birth_date, _member_id(r) in revealed),
               width=90),
        Column("relation", "关系", width=50), Column("status", "状态", width=50),
        Column("confirmed_on", "确认日期", "date"),
        Column("shares", "股数", "decimal", formatter=shares_text, total=True, width=60),
    ]


MEMBER_COLUMNS = member_columns({})  # masked, for lists that never reveal
HOUSEHOLD_COLUMNS = [
    Column("group_name", "组别", width=90), Column("number", "户号", width=70),
    Column("head_name", "户主", "pinyin-text", width=80), Column("members", "在册人数", "int", total=True),
    Column("shares", "持股合计", "decimal", formatter=shares_text, total=True), Column("certificate_no", "股权证号", width=100),
    Column("address", "地址", width=200),
]
HISTORY_COLUMNS = [
    Column("event_date", "日期", "date"), Column("kind", "变动", width=60), Column("basis", "依据", width=260),
    Column("status_after", "变动后状态", width=80),
]
SHARE_EVENT_COLUMNS = [
    Column("event_date", "日期", "date"), Column("kind", "变动", width=70), Column("share_type", "股份类型", width=70),
    Column("from_name", "转出", width=70), Column("to_name", "转入", width=70),
    Column("shares", "股数", "decimal", formatter=shares_text), Column("basis", "依据", width=260),
]
PLAN_COLUMNS = [
    Column("year", "年度", "int", width=50), Column("status", "状态", width=50), Column("precision", "精度", width=40),
    Column("distributable", "可分配收益", "money"), Column("reserve", "公积公益金", "money"),
    Column("members_amount", "成员分配额度", "money"), Column("total_shares", "总股数", "decimal", formatter=shares_text),
    Column("per_share", "每股分红", "money"), Column("roster_total", "花名册合计", "money"),
    Column("remainder", "尾差", "money"), Column("paid_total", "已发放", "money"),
]
PLAN_LINE_COLUMNS = [Column("seq", "行次", "int", width=40), Column("label", "项目", width=280),
                     Column("amount", "金额", "money")]
ROSTER_COLUMNS = [
    Column("seq", "序号", "int", width=50), Column("group_name", "组别", width=90),
    Column("household_number", "户号", width=70), Column("name", "成员", "pinyin-text", width=70),
    Column("relation", "关系", width=50), Column("shares", "股数", "decimal", formatter=shares_text, total=True),
    Column("amount", "应分", "money", total=True), Column("deduction", "扣减", "money", total=True),
    Column("net", "实发", "money", total=True),
]


def combo(items: list[str], current: str | None = None) -> QComboBox:
    box = QComboBox()
    for item in items:
        box.addItem(item, item)
    if current is not None:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def household_fields() -> list[Field]:
    return [Field("number", "户号", QLineEdit(), required=True), Field("group_name", "组别", QLineEdit()),
            Field("address", "地址", QLineEdit()), Field("phone", "电话", QLineEdit()),
            Field("certificate_no", "股权证号", QLineEdit()), Field("bank_tail", "银行卡尾号", QLineEdit())]


def member_fields() -> list[Field]:
    return [Field("name", "姓名", QLineEdit(), required=True),
            Field("ric", "身份证号", IdNumberEdit(), required=True, hint="性别和出生日期由身份证号得出"),
            Field("relation", "与户主关系", combo(list(RELATIONS), "子"), required=True),
            Field("confirmed_on", "确认日期", DateEdit(dt.date.today()))]


def event_fields() -> list[Field]:
    return [Field("kind", "变动类型", combo(["迁出", "死亡", "丧失", "迁入", "恢复", "确认"]), required=True),
            Field("event_date", "变动日期", DateEdit(dt.date.today()), required=True),
            Field("basis", "依据", QLineEdit(), required=True, hint="决议文号、证明等")]


def plan_fields(year: int) -> list[Field]:
    year_box = combo([str(y) for y in range(year, year - 6, -1)])
    return [Field("year", "分配年度", year_box, required=True),
            Field("members_amount", "成员分配额度", MoneyEdit(), required=True),
            Field("precision", "每股精度", combo(["分", "角", "元"]), required=True),
            Field("reserve", "提取公积公益金", MoneyEdit(), hint="留空则按章程比例"),
            Field("excluded_rent", "跨年一次性租金", MoneyEdit(), hint="属于以后年度、不参与当年分配的租金"),
            Field("exclusion_note", "说明", QLineEdit())]


def approve_fields() -> list[Field]:
    return [Field("on", "批准日期", DateEdit(dt.date.today()), required=True),
            Field("resolution_no", "决议文号", QLineEdit(), required=True),
            Field("resolution_text", "决议内容", QLineEdit(), required=True)]


def payout_fields() -> list[Field]:
    return [Field("paid_on", "发放日期", DateEdit(dt.date.today()), required=True),
            Field("method", "发放方式", combo(["转账", "现金"]), required=True)]


def cancel_payout_fields() -> list[Field]:
    """撤销发放: the date of the red reversal and the reason (both required by the service)."""
    reason = QLineEdit()
    reason.setMaxLength(150)
    reason.setPlaceholderText("如：发放方式录错、发放日期录错")
    return [Field("on", "撤销日期", DateEdit(dt.date.today()), required=True),
            Field("reason", "原因", reason, required=True)]


def clean_plan_values(v: dict[str, Any]) -> dict[str, Any]:
    out = dict(v)
    out["year"] = int(out["year"])
    for key in ("reserve", "excluded_rent"):
        if out.get(key) is None:
            out.pop(key, None)
    out["exclusion_note"] = out.get("exclusion_note") or ""
    return out


def data_combo(items: list[tuple[str, Any]]) -> QComboBox:
    box = QComboBox()
    for text, data in items:
        box.addItem(text, data)
    return box


def transfer_fields(types: list[tuple[str, Any]], takers: list[tuple[str, Any]]) -> list[Field]:
    return [Field("kind", "变动类型", combo(["继承", "户内赠与"]), required=True),
            Field("to_member_id", "转入成员", data_combo(takers), required=True),
            Field("share_type_id", "股份类型", data_combo(types), required=True),
            Field("shares", "股数", QLineEdit(), required=True, hint="可以是小数，如 0.5"),
            Field("event_date", "变动日期", DateEdit(dt.date.today()), required=True),
            Field("basis", "依据", QLineEdit(), required=True, hint="继承公证、赠与协议等")]


def adjust_fields(types: list[tuple[str, Any]]) -> list[Field]:
    return [Field("share_type_id", "股份类型", data_combo(types), required=True),
            Field("new_shares", "调整后股数", QLineEdit(), required=True),
            Field("event_date", "变动日期", DateEdit(dt.date.today()), required=True),
            Field("basis", "依据（决议）", QLineEdit(), required=True, hint="成员（代表）大会决议文号")]


def deduction_fields() -> list[Field]:
    return [Field("amount", "扣减金额", MoneyEdit(), required=True),
            Field("reason", "扣减原因", QLineEdit(), required=True, hint="如：欠缴2025年鱼塘承包费"),
            Field("consent", "成员同意", QLineEdit(), required=True, hint="同意方式，如：本人签字确认书")]


def _percent_edit(value: Any) -> QLineEdit:
    edit = QLineEdit("" if value is None else f"{value.normalize():f}")
    edit.setPlaceholderText("百分数，留空表示不设此规则")
    return edit


def settings_fields(s: Any) -> list[Field]:
    return [Field("reserve_rate", "公积公益金提取比例（章程，%）", _percent_edit(s.reserve_rate), required=True),
            Field("reserve_floor", "公积公益金最低比例（%）", _percent_edit(s.reserve_floor)),
            Field("members_cap", "成员分配最高比例（%）", _percent_edit(s.members_cap)),
            Field("deadline", "分配截止日期（月-日）", QLineEdit(f"{s.deadline_month}-{s.deadline_day}"), required=True)]


def clean_settings(v: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal, InvalidOperation

    from desktop_app.core.errors import ValidationError

    out: dict[str, Any] = {}
    for key in ("reserve_rate", "reserve_floor", "members_cap"):
        text = (v.get(key) or "").strip().rstrip("%")
        try:
            out[key] = Decimal(text) if text else None
        except InvalidOperation:
            raise ValidationError("请输入百分数，例如 30", field=key) from None
    month, _, day = (v.get("deadline") or "").partition("-")
    if not (month.strip().isdigit() and day.strip().isdigit()):
        raise ValidationError("截止日期格式为 月-日，例如 4-30", field="分配截止日期")
    out["deadline_month"], out["deadline_day"] = int(month), int(day)
    return out


def distribution_pdf(ctx: AppContext, p: PlanRow, kind: str) -> tuple[bytes, str, int]:
    """One of the plan's PDFs (plan / roster / public / slips), the name it is saved under and how
    many members' full 身份证号 it carries (the 发放稿 of a register keeper: ``personal_data.id_rule``;
    the page audits the saved file with ``record_id_export``)."""
    from desktop_app.reports.distribution_pdf import (  # reportlab
        household_slips_pdf,
        plan_pdf,
        roster_pdf,
    )

    full = 0
    if kind == "plan":
        data, name = plan_pdf(p, violations=ctx.read(dist.plan_violations, p.id)), "收益分配方案"
    else:
        ids = ctx.read(id_rule, p.organisation_id, user=ctx.user)
        roster = ids.roster(ctx.read(dq.plan_roster, p.id))
        if kind == "slips":
            data, name = household_slips_pdf(roster), "分红到户通知单"
        else:  # the roster's QR code: what it prints is recorded for verify-sheet
            from desktop_app.reports.sealed_kinds import seal_roster

            public = kind == "public"
            seal = ctx.call(seal_roster, roster, public=public)
            data, name = roster_pdf(roster, public=public, seal=seal), "分红花名册_公示稿" if public else "分红花名册"
            full = len(roster.lines) if ids.full and not public else 0
    return data, name, full
