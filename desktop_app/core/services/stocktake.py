"""Annual stock-take (资产清查): start, record each card as 相符 / 盘亏 and anything found as 盘盈,
print the result sheet, and on approval post the adjusting vouchers.

2023 books go through 181 待处理财产损溢: the first voucher takes 盘亏 cards out (借 待处理 净值、
借 累计折旧, 贷 固定资产; the month's depreciation first) and brings 盘盈 items in (借 固定资产,
贷 待处理); the second, "经批准处理", clears 181 to 其他支出 / 其他收入. 2004 books have no 181: one
voucher posts straight to 其他支出 / 其他收入 (charts.json ``pending_property_loss`` absent note).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.images import row_image
from db.models import StockTake, StockTakeLine
from db.types import uuid7
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_assets import StockTakeLineRow, StockTakeRow, StockTakeSheet
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.assets import (
    CATEGORIES,
    DISPOSED,
    NATURES,
    create_asset,
    list_assets,
    load_asset,
)
from desktop_app.core.services.assets_books import fixed_asset_role, has_role, role_code
from desktop_app.core.services.assets_changes import close_card, finish_disposal
from desktop_app.core.services.funds_base import get_book_row
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.services.users import require_role

RESULTS = ("相符", "盘亏")
UNCHECKED = "未盘点"
SURPLUS_LIFE = {"房屋及建筑物": 240, "机器设备": 120, "运输设备": 96}
ZERO = Decimal("0.00")


def _take(session: Session, take_id: uuid.UUID) -> StockTake:
    t = session.get(StockTake, take_id)
    if t is None or t.deleted:
        raise NotFoundError("找不到该清查", field="清查")
    return t


def _open(session: Session, take_id: uuid.UUID) -> StockTake:
    t = _take(session, take_id)
    if t.status != "进行中":
        raise ConflictError("该清查已审批，不能再修改", field="清查")
    return t


def start_stocktake(session: Session, *, book_id: uuid.UUID, name: str, started_on: date,
                    user: UserRow) -> StockTakeRow:
    book = get_book_row(session, book_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=book.organisation_id)
    t = StockTake(organisation_id=book.organisation_id, book_id=book_id, name=v.text(name, "清查名称"),
                  started_on=v.day(started_on, "开始日期"), status="进行中")
    session.add(t)
    session.flush()
    cards = list_assets(session, book.organisation_id, book_id=book_id, include_disposed=False)
    bulk_insert(session, StockTakeLine, [{"id": uuid7(), "stocktake_id": t.id, "asset_id": a.id, "result": UNCHECKED,
                                          "value": ZERO} for a in cards])
    record_audit(session, AuditRecord("create", "stocktake", str(t.id), f"开始资产清查 {t.name}（{len(cards)} 张卡片）",
                                      None, row_image(t)))
    return _row(t)


def _row(t: Any) -> StockTakeRow:
    return StockTakeRow(t.id, t.organisation_id, t.book_id, t.name, t.started_on, t.status, t.approved_on, t.approved_by)


def record_count(session: Session, take_id: uuid.UUID, asset_id: uuid.UUID, result: str,
                 notes: str | None = None, *, user: UserRow) -> None:
    """Mark one card 相符 (found) or 盘亏 (missing)."""
    take = _open(session, take_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=take.organisation_id)
    result = v.choice(result, "盘点结果", RESULTS)
    line = session.execute(select(StockTakeLine).where(StockTakeLine.stocktake_id == take_id,
                                                       StockTakeLine.asset_id == asset_id)).scalar()
    if line is None:
        raise NotFoundError("该资产不在本次清查范围内", field="资产")
    card = load_asset(session, asset_id)
    if result == "盘亏" and card.status == DISPOSED:
        raise ConflictError(f"资产 {card.code} {card.name} 已处置，不能再记为盘亏", field="盘点结果")
    before = {"result": line.result, "notes": line.notes}
    line.result, line.notes = result, v.text(notes, "说明", required=False, max_len=300)
    session.flush()
    record_audit(session, AuditRecord("update", "stocktake_line", str(line.id),
                                      f"清查：{card.code} {result}", before,
                                      {"result": result, "notes": line.notes}))


def record_surplus(session: Session, take_id: uuid.UUID, *, name: str, value: Any, nature: str, category: str,
                   user: UserRow, notes: str | None = None) -> None:
    """An asset found without a card (盘盈), at its assessed value."""
    take = _open(session, take_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=take.organisation_id)
    line = StockTakeLine(stocktake_id=take_id, asset_id=None, result="盘盈", name=v.text(name, "资产名称"),
                         value=v.money(value, "评估价值", allow_zero=False), nature=v.choice(nature, "资产性质", NATURES),
                         category=v.choice(category, "资产类别", CATEGORIES),
                         notes=v.text(notes, "说明", required=False, max_len=300))
    session.add(line)
    session.flush()
    record_audit(session, AuditRecord("create", "stocktake_line", str(line.id), f"清查盘盈：{line.name} {line.value}",
                                      None, row_image(line)))


def stocktake_sheet(session: Session, take_id: uuid.UUID) -> StockTakeSheet:
    t = _take(session, take_id)
    cards = {a.id: a for a in list_assets(session, t.organisation_id, book_id=t.book_id)}
    rows = session.execute(select(StockTakeLine.id, StockTakeLine.asset_id, StockTakeLine.result, StockTakeLine.name,
                                  StockTakeLine.value, StockTakeLine.notes)
                           .where(StockTakeLine.stocktake_id == take_id, StockTakeLine.deleted.is_(False))).all()
    lines = []
    for lid, aid, result, name, value, notes in rows:
        card = cards.get(aid) if aid else None
        if card is not None:
            lines.append(StockTakeLineRow(lid, aid, card.code, card.name, result, card.net_value, notes))
        else:
            lines.append(StockTakeLineRow(lid, aid, "（无卡片）", name or "", result, value, notes))
    lines.sort(key=lambda x: (x.result == "盘盈", x.code))
    missing = [x for x in lines if x.result == "盘亏"]
    surplus = [x for x in lines if x.result == "盘盈"]
    vouchers: tuple[uuid.UUID, ...] = ()
    if t.status == "已审批":
        from desktop_app.core.services.vouchers import find_vouchers_by_source

        vouchers = tuple(x.id for x in find_vouchers_by_source(session, t.book_id, "stocktake", t.id))
    return StockTakeSheet(_row(t), tuple(lines), sum(x.result == "相符" for x in lines), len(missing), len(surplus),
                          sum(x.result == UNCHECKED for x in lines), sum((x.book_value for x in missing), ZERO),
                          sum((x.book_value for x in surplus), ZERO), vouchers)


def approve_stocktake(session: Session, take_id: uuid.UUID, *, approved_on: date, user: UserRow) -> StockTakeSheet:
    """审批: takes 盘亏 cards out, registers 盘盈 items as cards, posts the adjusting vouchers."""
    from desktop_app.core.services.periods import ensure_period_open
    from desktop_app.core.services.vouchers import LineInput, record_auto_voucher

    require_role(session, user, "reviewer", "bookkeeper")
    t = _open(session, take_id)
    on = v.day(approved_on, "审批日期")
    assert on is not None
    ensure_period_open(session, t.book_id, on)
    sheet = stocktake_sheet(session, take_id)
    if sheet.unchecked:
        raise ValidationError(f"还有 {sheet.unchecked} 项资产未盘点，不能审批", field="盘点结果")
    book_id = t.book_id
    pending = role_code(session, book_id, "pending_property_loss") if has_role(session, book_id, "pending_property_loss") else None
    loss, gain = role_code(session, book_id, "disposal_loss"), role_code(session, book_id, "disposal_gain")
    ad = role_code(session, book_id, "accumulated_depreciation")
    first: list[LineInput] = []
    missing_net = surplus_value = ZERO
    closings = []
    for line in [x for x in sheet.lines if x.result == "盘亏" and x.asset_id]:
        a = load_asset(session, line.asset_id)  # type: ignore[arg-type]
        if a.status == DISPOSED:  # disposed after it was counted
            raise ConflictError(f"资产 {a.code} {a.name} 已在清查期间处置，请把它的盘点结果改为相符后再审批",
                                field="盘点结果")
        cost, acc, charge, expense = close_card(session, a, on)
        closings.append((a, cost, acc, charge, expense, line.notes))
        if charge:
            first += [LineInput(expense, debit=charge, summary=f"{a.code} 当月折旧"),
                      LineInput(ad, credit=charge, summary=f"{a.code} 当月折旧", asset_id=a.id)]
        if cost - acc:
            first.append(LineInput(pending or loss, debit=cost - acc, summary=f"盘亏 {a.code} {a.name}"))
        if acc:
            first.append(LineInput(ad, debit=acc, summary=f"盘亏 {a.code} 转销累计折旧", asset_id=a.id))
        first.append(LineInput(role_code(session, book_id, fixed_asset_role(a.nature)), credit=cost,
                               summary=f"盘亏 {a.code} {a.name}", asset_id=a.id))
        missing_net += cost - acc
    year = on.year
    surplus_cards: list[uuid.UUID] = []
    for n, line in enumerate([x for x in sheet.lines if x.result == "盘盈"], start=1):
        src = session.get(StockTakeLine, line.id)
        assert src is not None and src.category is not None and src.nature is not None
        card = create_asset(session, organisation_id=t.organisation_id, book_id=book_id, code=f"PY{year}-{n:03d}",
                            name=src.name, category=src.category, nature=src.nature, acquisition_mode="盘盈",
                            acquired_on=on, original_value=src.value, residual_rate=Decimal(5),
                            useful_life_months=SURPLUS_LIFE.get(src.category, 60), notes=f"{t.name}盘盈", user=user)
        src.asset_id = card.id
        surplus_cards.append(card.id)
        first += [LineInput(role_code(session, book_id, fixed_asset_role(card.nature)), debit=card.cost,
                            summary=f"盘盈 {card.code} {card.name}", asset_id=card.id),
                  LineInput(pending or gain, credit=card.cost, summary=f"盘盈 {card.name}")]
        surplus_value += card.cost
    voucher_ids = []
    if first:
        summary = f"{t.name}：盘亏、盘盈转入待处理财产损溢" if pending else f"{t.name}：经批准处理盘亏、盘盈"
        voucher_ids.append(record_auto_voucher(session, book_id=book_id, voucher_date=on, summary=summary[:200],
                                               lines=first, user=user, source_kind="stocktake", source_id=t.id).id)
    for card_id in surplus_cards:  # the surplus is in the books through the stock-take voucher
        load_asset(session, card_id).acquisition_voucher_id = voucher_ids[0]
    if pending and (missing_net or surplus_value):
        second = []
        if missing_net:
            second += [LineInput(loss, debit=missing_net, summary="盘亏经批准转销"),
                       LineInput(pending, credit=missing_net, summary="盘亏经批准转销")]
        if surplus_value:
            second += [LineInput(pending, debit=surplus_value, summary="盘盈经批准转销"),
                       LineInput(gain, credit=surplus_value, summary="盘盈经批准转销")]
        voucher_ids.append(record_auto_voucher(session, book_id=book_id, voucher_date=on,
                                               summary=f"{t.name}：经批准处理清查结果"[:200], lines=second, user=user,
                                               source_kind="stocktake", source_id=t.id).id)
    for a, cost, acc, charge, expense, notes in closings:
        finish_disposal(session, a, on=on, kind="盘亏", cost=cost, acc=acc, charge=charge, expense_code=expense,
                        proceeds=ZERO, expenses=ZERO, result=-(cost - acc),
                        voucher_id=voucher_ids[0] if voucher_ids else None, reason=notes or f"{t.name}盘亏", user=user)
    before = row_image(t)
    t.status, t.approved_on, t.approved_by = "已审批", on, user.display_name
    session.flush()
    record_audit(session, AuditRecord("approve", "stocktake", str(t.id),
                                      f"审批资产清查 {t.name}：盘亏 {missing_net}，盘盈 {surplus_value}", before, row_image(t)))
    return stocktake_sheet(session, take_id)


def list_stocktakes(session: Session, book_id: uuid.UUID) -> list[StockTakeRow]:
    rows = session.execute(select(*StockTake.__table__.c).where(StockTake.book_id == book_id,
                                                                StockTake.deleted.is_(False))
                           .order_by(StockTake.started_on.desc()))
    return [_row(r) for r in rows]

