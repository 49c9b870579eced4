"""Asset cards (资产台账): register, edit, list, history, attachments; acquisition vouchers.

Every refusal is a ValidationError/ConflictError naming the field, raised before anything is
written. Attachments are kept in a managed, content-addressed folder (``attachments_dir``,
normally ``<data dir>/attachments``): ``ab/abcdef….jpg`` named by SHA-256, never in the database.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import shutil
import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import Asset, AssetAttachment, AssetDepreciation, AssetHistory, Project
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_assets import AssetHistoryRow, AssetRow, AttachmentRow
from desktop_app.core.rules.depreciation import (
    METHODS,
    STRAIGHT_LINE,
    UNITS,
    add_months,
    month_of,
    residual_value,
)
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.assets_books import card_totals, check_leaf, fixed_asset_role, role_code
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import get_book_row, period_start
from desktop_app.core.services.permissions import ENTER_RECORDS, MAKE_VOUCHER

CATEGORIES = ("房屋及建筑物", "机器设备", "运输设备", "办公设备", "生物资产", "无形资产", "其他")
NATURES = ("经营性", "非经营性", "公益性")
USE_KINDS = ("生产", "管理", "出租", "公益")
MODES = ("购建", "捐赠", "投资投入", "盘盈", "财政项目形成")
STATUSES = ("自用", "出租", "闲置", "报废", "已处置")
DISPOSED = "已处置"
ACTIVE_STATUSES = ("自用", "出租", "闲置")
ZERO = Decimal("0.00")
ACQUISITION_KIND = "asset_acquisition"
LABELS = {
    "code": "资产编号", "name": "资产名称", "category": "资产类别", "nature": "资产性质", "use_kind": "用途",
    "location": "坐落位置", "quantity": "数量", "unit": "计量单位", "area_m2": "面积（㎡）",
    "acquisition_mode": "取得方式", "funding_source": "资金来源", "acquired_on": "取得日期",
    "original_value": "原值", "useful_life_months": "预计使用月数", "residual_rate": "残值率（%）",
    "method": "折旧方法", "total_workload": "预计总工作量", "workload_unit": "工作量单位",
    "opening_accumulated": "期初累计折旧", "status": "使用状态", "custodian": "管理责任人",
    "title_no": "权证号", "poverty_alleviation": "扶贫资产", "project_id": "所属项目",
    "contract_id": "关联合同", "notes": "备注",
}
_CARD_FIXED = ("original_value", "acquired_on", "opening_accumulated", "method", "book_id")


def default_use(nature: str, status: str) -> str:
    if nature == "公益性":
        return "公益"
    if status == "出租":
        return "出租"
    return "生产" if nature == "经营性" else "管理"


def validated_asset(session: Session, values: dict[str, Any], org_id: uuid.UUID, asset_id: uuid.UUID | None,
                    codes: Mapping[str, uuid.UUID] | None = None) -> dict[str, Any]:
    """The card as it is stored, or a refusal naming the field. ``codes``: the organisation's codes
    (deleted cards' too) → card id, read once by an import for all its rows, in place of the
    per-card lookup (the form passes none); same message either way."""
    L = LABELS
    code = v.text(values.get("code"), L["code"], max_len=30) or ""
    clash = codes.get(code) if codes is not None else \
        session.scalar(select(Asset.id).where(Asset.organisation_id == org_id, Asset.code == code))
    if clash is not None and clash != asset_id:
        raise ConflictError(f"资产编号 {code} 已被其他资产卡片使用", field=L["code"])
    out: dict[str, Any] = {"code": code, "name": v.text(values.get("name"), L["name"])}
    out["category"] = v.choice(values.get("category"), L["category"], CATEGORIES)
    out["nature"] = v.choice(values.get("nature"), L["nature"], NATURES)
    out["status"] = v.choice(values.get("status"), L["status"], STATUSES, "自用")
    out["use_kind"] = v.choice(values.get("use_kind"), L["use_kind"], USE_KINDS,
                               default_use(out["nature"], out["status"]))
    out["location"] = v.text(values.get("location"), L["location"], required=False, max_len=200)
    quantity = values.get("quantity")  # blank is one item (the import template says 空白按 1)
    out["quantity"] = v.decimal(1 if quantity is None or quantity == "" else quantity, L["quantity"], positive=True)
    out["unit"] = v.text(values.get("unit") or "项", L["unit"], max_len=10)
    out["area_m2"] = v.decimal(values.get("area_m2"), L["area_m2"], required=False)
    out["acquisition_mode"] = v.choice(values.get("acquisition_mode"), L["acquisition_mode"], MODES, "购建")
    out["funding_source"] = v.text(values.get("funding_source"), L["funding_source"], required=False, max_len=50)
    out["acquired_on"] = v.day(values.get("acquired_on"), L["acquired_on"])
    cost = v.money(values.get("original_value"), L["original_value"], allow_zero=False)
    out["original_value"] = cost
    out["useful_life_months"] = v.integer(values.get("useful_life_months"), L["useful_life_months"])
    rate = v.decimal(values.get("residual_rate", 0), L["residual_rate"], required=False) or Decimal("0.0000")
    if rate > 100:
        raise ValidationError("残值率不能超过100%", field=L["residual_rate"])
    out["residual_rate"] = rate
    out["method"] = v.choice(values.get("method"), L["method"], METHODS, STRAIGHT_LINE)
    out["total_workload"] = v.decimal(values.get("total_workload"), L["total_workload"],
                                      required=out["method"] == UNITS, positive=True)
    out["workload_unit"] = v.text(values.get("workload_unit"), L["workload_unit"], required=False, max_len=10)
    opening = v.money(values.get("opening_accumulated"), L["opening_accumulated"], required=False)
    if opening > cost - residual_value(cost, rate):
        raise ValidationError("期初累计折旧不能超过原值减预计净残值", field=L["opening_accumulated"])
    out["opening_accumulated"] = opening
    out["custodian"] = v.text(values.get("custodian"), L["custodian"], required=False, max_len=50)
    out["title_no"] = v.text(values.get("title_no"), L["title_no"], required=False, max_len=60)
    out["poverty_alleviation"] = bool(values.get("poverty_alleviation", False))
    project_id = values.get("project_id")
    if project_id is not None and session.scalar(select(Project.id).where(
            Project.id == project_id, Project.organisation_id == org_id)) is None:
        raise NotFoundError("所属项目不存在", field=L["project_id"])
    out["project_id"] = project_id
    out["contract_id"] = values.get("contract_id")
    out["notes"] = v.text(values.get("notes"), L["notes"], required=False, max_len=500)
    return out


def _row(session: Session, a: Asset) -> AssetRow:
    dc, da = card_totals(session, [a.id]).get(a.id, (ZERO, ZERO))
    return to_asset_row(a, dc, da)


def to_asset_row(a: Any, delta_cost: Decimal, delta_acc: Decimal) -> AssetRow:
    cost = a.original_value + delta_cost
    acc = a.opening_accumulated + delta_acc
    return AssetRow(a.id, a.organisation_id, a.book_id, a.code, a.name, a.category, a.nature, a.use_kind,
                    a.location, a.quantity, a.unit, a.area_m2, a.acquisition_mode, a.funding_source, a.acquired_on,
                    a.original_value, cost, a.useful_life_months, a.residual_rate, a.method, a.total_workload,
                    a.workload_unit, a.opening_accumulated, acc, cost - acc, a.status, a.custodian, a.title_no,
                    a.poverty_alleviation, a.project_id, a.contract_id, a.disposed_on, a.notes)


def load_asset(session: Session, asset_id: uuid.UUID) -> Asset:
    a = session.get(Asset, asset_id)
    if a is None or a.deleted:
        raise NotFoundError("找不到该资产卡片", field="资产")
    return a


def create_asset(session: Session, *, organisation_id: uuid.UUID, book_id: uuid.UUID, user: UserRow,
                 payment_account: str | None = None, voucher_date: date | None = None,
                 **values: Any) -> AssetRow:
    """Register a card. With ``payment_account`` (a leaf code, e.g. 银行存款) an acquisition voucher
    is posted: 借 固定资产 原值, 贷 累计折旧 期初累计折旧, 贷 payment_account 净值."""
    v.check_org(session, organisation_id)
    book = get_book_row(session, book_id)
    if book.organisation_id != organisation_id:
        raise ValidationError("账套不属于该组织", field="账套")
    require_role(session, user, *MAKE_VOUCHER, organisation_id=organisation_id)  # as the 新增卡片 button
    fields = validated_asset(session, values, organisation_id, None)
    done = depreciated_or_closed_through(session, book_id)
    fields["first_period"] = card_first_period(fields["acquired_on"], book.start_period, done)
    if payment_account is not None:
        payment_account = check_leaf(session, book_id, payment_account, "付款科目")
    a = Asset(organisation_id=organisation_id, book_id=book_id, **fields)
    session.add(a)
    session.flush()
    if payment_account is not None:
        when = voucher_date or max(fields["acquired_on"], period_start(book.start_period))
        a.acquisition_voucher_id = post_acquisition(session, a, user=user, credit_account=payment_account, on=when)
    v.write_history(session, a.id, "create", f"登记资产卡片 {a.code} {a.name}")
    record_audit(session, AuditRecord("create", "asset", str(a.id), f"登记资产 {a.code} {a.name}（原值 {a.original_value}）",
                                      None, row_image(a)))
    return _row(session, a)


def natural_first_period(acquired: date, start: str) -> str:
    """The month a card's depreciation would start by the rules: the month after it was acquired
    (当月增加当月不提), or the book's first month for a card taken over."""
    return max(add_months(month_of(acquired), 1), start)


def card_first_period(acquired: date, start: str, done: str | None) -> str:
    """The month a new card's depreciation starts. A card registered after months were charged or
    closed (``done``, ``depreciated_or_closed_through``) starts in the first month not yet done;
    what it lost before is its 期初累计折旧 or is spread over the remaining life."""
    first = natural_first_period(acquired, start)
    return max(first, add_months(done, 1)) if done else first


def depreciated_or_closed_through(session: Session, book_id: uuid.UUID) -> str | None:
    """The latest month of the book that is closed or already had a depreciation run."""
    from desktop_app.core.services.periods import last_closed_period

    charged = session.scalar(select(func.max(AssetDepreciation.period))
                             .where(AssetDepreciation.book_id == book_id, AssetDepreciation.deleted.is_(False)))
    months = [m for m in (charged, last_closed_period(session, book_id)) if m]
    return max(months) if months else None


def post_acquisition(session: Session, a: Asset, *, user: UserRow, credit_account: str, on: date) -> uuid.UUID:
    from desktop_app.core.services.vouchers import LineInput, record_auto_voucher

    fa = role_code(session, a.book_id, fixed_asset_role(a.nature))
    lines = [LineInput(fa, debit=a.original_value, summary=f"{a.code} {a.name}", asset_id=a.id)]
    if a.opening_accumulated:
        lines.append(LineInput(role_code(session, a.book_id, "accumulated_depreciation"),
                               credit=a.opening_accumulated, summary=f"{a.code} 已提折旧", asset_id=a.id))
    net = a.original_value - a.opening_accumulated
    if net:
        lines.append(LineInput(credit_account, credit=net, summary=f"{a.code} {a.name}"))
    voucher = record_auto_voucher(session, book_id=a.book_id, voucher_date=on, summary=f"购置资产 {a.name}"[:200],
                                  lines=lines, user=user, source_kind=ACQUISITION_KIND, source_id=a.id)
    return voucher.id


def _changed(key: str, new: Any, old: Any) -> bool:
    cleaned: object = v.integer(new, LABELS[key]) if key == "useful_life_months" else v.decimal(
        new, LABELS[key], required=False)
    return bool(cleaned != old)


def update_asset(session: Session, asset_id: uuid.UUID, *, user: UserRow, **values: Any) -> AssetRow:
    """Edit a card's descriptive fields. Cost, acquisition date, opening depreciation and method are
    fixed once registered: value changes go through ``adjust_asset`` (the method never changes)."""
    a = load_asset(session, asset_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=a.organisation_id)
    before = row_image(a)
    current = {k: getattr(a, k) for k in LABELS}
    for key in _CARD_FIXED:
        if key in values and values[key] != getattr(a, key, None):
            raise ValidationError(f"{LABELS.get(key, key)}登记后不能直接修改（原值变动请做资产价值调整）",
                                  field=LABELS.get(key, key))
    if a.status == "已处置":
        raise ConflictError("已处置的资产卡片不能修改", field="使用状态")
    if session.scalar(select(AssetDepreciation.id).where(AssetDepreciation.asset_id == a.id).limit(1)) is not None:
        for key in ("useful_life_months", "residual_rate", "total_workload"):
            if key in values and values[key] is not None and _changed(key, values[key], getattr(a, key)):
                raise ValidationError(f"该资产已计提折旧，{LABELS[key]}不能直接修改；请做价值调整（重估），"
                                      "自调整次月起按剩余年限重新计算", field=LABELS[key])
    merged = {**current, **values}
    if "use_kind" not in values and ("nature" in values or "status" in values):
        merged["use_kind"] = None
    fields = validated_asset(session, merged, a.organisation_id, a.id)
    if fields["status"] == "已处置":
        raise ValidationError("处置资产请使用“资产处置”，不能直接改状态", field="使用状态")
    changes = v.diff(current, fields, LABELS)
    for key, value in fields.items():
        setattr(a, key, value)
    session.flush()
    if changes:
        v.write_history(session, a.id, "update", f"修改资产卡片 {a.code}", changes)
        record_audit(session, AuditRecord("update", "asset", str(a.id), f"修改资产 {a.code} {a.name}", before,
                                          row_image(a)))
    return _row(session, a)


def get_asset(session: Session, asset_id: uuid.UUID) -> AssetRow:
    return _row(session, load_asset(session, asset_id))


def list_assets(session: Session, organisation_id: uuid.UUID, *, book_id: uuid.UUID | None = None,
                include_disposed: bool = True) -> list[AssetRow]:
    """Cards of an organisation (optionally one book), by code, read as tuples."""
    q = select(*Asset.__table__.c).where(Asset.organisation_id == organisation_id, Asset.deleted.is_(False))
    if book_id is not None:
        q = q.where(Asset.book_id == book_id)
    if not include_disposed:
        q = q.where(Asset.status != "已处置")
    rows = session.execute(q.order_by(Asset.code)).all()
    totals = card_totals(session, [r.id for r in rows]) if rows else {}
    return [to_asset_row(r, *totals.get(r.id, (ZERO, ZERO))) for r in rows]


def asset_history(session: Session, asset_id: uuid.UUID) -> list[AssetHistoryRow]:
    rows = session.execute(select(AssetHistory.at, AssetHistory.actor, AssetHistory.action, AssetHistory.summary,
                                  AssetHistory.changes_json).where(AssetHistory.asset_id == asset_id)
                           .order_by(AssetHistory.at, AssetHistory.id)).all()
    return [AssetHistoryRow(at, actor, action, summary,
                            tuple(tuple(c) for c in json.loads(cj)) if cj else ())
            for at, actor, action, summary, cj in rows]


def add_attachment(session: Session, asset_id: uuid.UUID, source: Path, *, attachments_dir: Path, user: UserRow,
                   note: str | None = None) -> AttachmentRow:
    """Copy a photo/scan into the managed folder under its SHA-256 and record it on the card."""
    a = load_asset(session, asset_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=a.organisation_id)
    source = Path(source)
    if not source.is_file():
        raise NotFoundError(f"附件文件不存在：{source}", field="附件")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    stored = f"{digest[:2]}/{digest}{source.suffix.lower()[:10]}"
    target = Path(attachments_dir) / stored
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    media = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    att = AssetAttachment(asset_id=a.id, file_name=source.name[:200], sha256=digest, size=source.stat().st_size,
                          media_type=media, stored_name=stored, note=v.text(note, "说明", required=False, max_len=200))
    session.add(att)
    session.flush()
    v.write_history(session, a.id, "attach", f"添加附件 {source.name}")
    record_audit(session, AuditRecord("create", "asset_attachment", str(att.id),
                                      f"资产 {a.code} 添加附件 {source.name}（SHA-256 {digest[:12]}…）", None, row_image(att)))
    return _attachment_row(att)


def _attachment_row(t: Any) -> AttachmentRow:
    return AttachmentRow(t.id, t.asset_id, t.file_name, t.sha256, t.size, t.media_type, t.stored_name, t.note)


def list_attachments(session: Session, asset_id: uuid.UUID) -> list[AttachmentRow]:
    rows = session.execute(select(*AssetAttachment.__table__.c).where(
        AssetAttachment.asset_id == asset_id, AssetAttachment.deleted.is_(False)).order_by(AssetAttachment.id))
    return [_attachment_row(r) for r in rows]


def verify_attachments(session: Session, attachments_dir: Path) -> list[str]:
    """Names every attachment whose file is missing or no longer matches its SHA-256."""
    problems = []
    for att in session.execute(select(AssetAttachment.file_name, AssetAttachment.sha256, AssetAttachment.stored_name)
                               .where(AssetAttachment.deleted.is_(False))):
        path = Path(attachments_dir) / att.stored_name
        if not path.is_file():
            problems.append(f"附件 {att.file_name} 的文件缺失（{att.stored_name}）")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != att.sha256:
            problems.append(f"附件 {att.file_name} 的内容与登记时的 SHA-256 不符（文件被改动）")
    return problems
