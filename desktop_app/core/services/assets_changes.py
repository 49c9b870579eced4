"""Value changes (改良, 部分处置, 重估) and disposals (出售, 报废, 毁损 …) of asset cards, with vouchers.

A change dated in month M is charged on the old basis in M; from M+1 the schedule is recomputed
(rules/depreciation.py). A change is refused when depreciation after M is already posted, since
those months would have been charged on the wrong basis. A disposal in month M charges M in full
(inside the disposal voucher when the monthly run has not charged it yet) and then moves the
card out through 固定资产清理: 借 清理 净值、借 累计折旧, 贷 固定资产; proceeds and expenses through
清理; the balance to 其他收入 / 其他支出 (roles ``disposal_gain`` / ``disposal_loss``).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import Asset, AssetAdjustment, AssetDepreciation, AssetDisposal, AssetHistory, Voucher
from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_assets import AdjustmentRow, DisposalRow
from desktop_app.core.rows_funds import VoucherRow
from desktop_app.core.rules.depreciation import month_of, residual_value, schedule, with_disposal
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.assets import load_asset
from desktop_app.core.services.assets_books import (
    EXPENSE_ROLE,
    card_totals,
    check_leaf,
    fixed_asset_role,
    role_code,
)
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.depreciation import adjustments_of, live_run_voucher, terms_of, workloads_of
from desktop_app.core.services.funds_base import get_book_row, period_label
from desktop_app.core.services.permissions import MAKE_VOUCHER

ADJUST_KINDS = ("改良", "部分处置", "重估")
DISPOSAL_KINDS = ("出售", "报废", "毁损", "捐出", "盘亏")
ZERO = Decimal("0.00")


def _signed(value: Any, field: str) -> Decimal:
    if isinstance(value, str) and value.strip().startswith("-"):
        return -v.money(value.strip()[1:], field)
    if isinstance(value, Decimal | int) and not isinstance(value, bool) and value < 0:
        return -v.money(-value, field)
    return v.money(value, field, required=False)


def adjust_asset(session: Session, asset_id: uuid.UUID, *, kind: str, effective_on: date, delta_cost: Any,
                 reason: str, delta_accumulated: Any = ZERO, new_life_months: int | None = None,
                 new_residual_rate: Any = None, user: UserRow,
                 counter_account: str | None = None) -> AdjustmentRow:
    from desktop_app.core.services.periods import ensure_period_open

    a = load_asset(session, asset_id)
    require_role(session, user, *MAKE_VOUCHER, book_id=a.book_id)
    if a.status == "已处置":
        raise ConflictError("已处置的资产不能调整价值", field="资产")
    kind = v.choice(kind, "调整类型", ADJUST_KINDS)
    on = v.day(effective_on, "调整日期")
    assert on is not None
    reason_text = v.text(reason, "调整原因", max_len=300) or ""
    dc, da = _signed(delta_cost, "原值变动"), _signed(delta_accumulated, "累计折旧变动")
    life = v.integer(new_life_months, "预计使用月数") if new_life_months is not None else None
    rate = v.decimal(new_residual_rate, "残值率（%）", required=False)
    if rate is not None and rate > 100:
        raise ValidationError("残值率不能超过100%", field="残值率（%）")
    if on < a.acquired_on:
        raise ValidationError("调整日期不能早于取得日期", field="调整日期")
    if kind == "改良" and dc <= 0:
        raise ValidationError("改良应增加原值（原值变动须大于零）", field="原值变动")
    if kind == "部分处置" and dc >= 0:
        raise ValidationError("部分处置应减少原值（原值变动须小于零）", field="原值变动")
    dcs, das = card_totals(session, [a.id]).get(a.id, (ZERO, ZERO))
    cost, acc = a.original_value + dcs + dc, a.opening_accumulated + das + da
    if cost <= 0:
        raise ValidationError("调整后原值必须大于零（全部处置请用资产处置）", field="原值变动")
    if acc < 0 or acc > cost - residual_value(cost, rate if rate is not None else a.residual_rate):
        raise ValidationError("调整后累计折旧须在 0 与（原值−预计净残值）之间", field="累计折旧变动")
    month = month_of(on)
    later = session.scalar(select(AssetDepreciation.period).where(
        AssetDepreciation.asset_id == a.id, AssetDepreciation.period > month, AssetDepreciation.deleted.is_(False))
        .order_by(AssetDepreciation.period.desc()).limit(1))
    if later is not None:
        raise ConflictError(f"该资产{period_label(later)}的折旧已计提，价值调整日期不能早于已计提的月份", field="调整日期")
    ensure_period_open(session, a.book_id, on)
    voucher_id = None
    if user is not None and (dc or da):
        if counter_account is None:
            role = {"部分处置": "fixed_asset_clearing", "重估": "reserve_fund"}.get(kind)
            if role is None:
                raise ValidationError("请选择改良支出的对方科目（如在建工程、银行存款）", field="对方科目")
            counter_account = role_code(session, a.book_id, role)
        counter_account = check_leaf(session, a.book_id, counter_account, "对方科目")
        voucher_id = _post_adjustment(session, a, kind, on, dc, da, counter_account, user)
    adj = AssetAdjustment(asset_id=a.id, kind=kind, effective_on=on, delta_cost=dc, delta_accumulated=da,
                          new_life_months=life, new_residual_rate=rate, voucher_id=voucher_id, reason=reason_text)
    session.add(adj)
    session.flush()
    v.write_history(session, a.id, "adjust", f"{kind}：原值 {dc:+}，累计折旧 {da:+}（{reason_text}）",
                    [("原值", str(cost - dc), str(cost)), ("累计折旧", str(acc - da), str(acc))])
    record_audit(session, AuditRecord("create", "asset_adjustment", str(adj.id), f"资产 {a.code} {kind}：原值 {dc:+}",
                                      None, row_image(adj)))
    return AdjustmentRow(adj.id, a.id, kind, on, dc, da, reason_text, voucher_id)


def latest_adjustment(session: Session, asset_id: uuid.UUID) -> AdjustmentRow | None:
    """The card's last standing value change (the only one that can be taken back)."""
    r = session.scalar(select(AssetAdjustment).where(AssetAdjustment.asset_id == asset_id,
                                                     AssetAdjustment.deleted.is_(False))
                       .order_by(AssetAdjustment.effective_on.desc(), AssetAdjustment.id.desc()).limit(1))
    return None if r is None else AdjustmentRow(r.id, r.asset_id, r.kind, r.effective_on, r.delta_cost,
                                                r.delta_accumulated, r.reason, r.voucher_id)


def cancel_adjustment(session: Session, asset_id: uuid.UUID, *, user: UserRow, on: date | None,
                      reason: str) -> VoucherRow | None:
    """撤销 the card's last value change recorded by mistake: its voucher reversed in red dated ``on``
    (voided if unposted), the change tombstoned, history and audit written. Refused while a month
    after the change has been charged on the changed value (reverse those runs first) or the card
    is disposed (撤销处置 first)."""
    from desktop_app.core.services.periods import ensure_period_open
    from desktop_app.core.services.vouchers import check_cancellation, undo_module_voucher

    reason, day = check_cancellation(reason, on, "撤销价值调整")
    a = load_asset(session, asset_id)
    last = latest_adjustment(session, asset_id)
    if last is None:
        raise ConflictError(f"资产 {a.code} 没有价值调整记录", field="资产")
    if a.status == "已处置":
        raise ConflictError(f"资产 {a.code} 已处置，请先撤销处置", field="资产")
    month = month_of(last.effective_on)
    # A later month's charge counts unless its run was reversed in red (the next run tombstones it).
    reversed_run = exists().where(Voucher.reversal_of_id == AssetDepreciation.voucher_id, Voucher.status == "记账")
    later = session.scalar(select(AssetDepreciation.period).where(
        AssetDepreciation.asset_id == a.id, AssetDepreciation.period > month, AssetDepreciation.deleted.is_(False),
        ~reversed_run).order_by(AssetDepreciation.period).limit(1))
    if later is not None:
        raise ConflictError(f"{period_label(later)}已按调整后的价值计提折旧，请先红字冲销该月及以后的折旧凭证",
                            field="资产")
    if day < last.effective_on:
        raise ValidationError("撤销日期不能早于调整日期", field="日期")
    ensure_period_open(session, a.book_id, day)
    adj = session.get(AssetAdjustment, last.id)
    assert adj is not None
    before = row_image(adj)
    adj.deleted = True
    session.flush()
    reversal, what = undo_module_voucher(session, adj.voucher_id, "asset_adjustment", user=user, on=day,
                                         reason=f"撤销资产{adj.kind}：{reason}")
    v.write_history(session, a.id, "unadjust", f"撤销{adj.kind}（原值 {adj.delta_cost:+}，累计折旧 "
                    f"{adj.delta_accumulated:+}）：{reason}，{what}")
    record_audit(session, AuditRecord("cancel", "asset_adjustment", str(adj.id),
                                      f"撤销资产 {a.code} {adj.kind}，原因：{reason}；{what}"[:300], before,
                                      row_image(adj)))
    return reversal


def _post_adjustment(session: Session, a: Asset, kind: str, on: date, dc: Decimal, da: Decimal, counter: str,
                     user: UserRow) -> uuid.UUID:
    from desktop_app.core.services.vouchers import LineInput, record_auto_voucher

    fa = role_code(session, a.book_id, fixed_asset_role(a.nature))
    ad = role_code(session, a.book_id, "accumulated_depreciation")
    lines = []
    if dc:
        lines.append(LineInput(fa, debit=dc if dc > 0 else ZERO, credit=-dc if dc < 0 else ZERO, asset_id=a.id))
    if da:
        lines.append(LineInput(ad, debit=-da if da < 0 else ZERO, credit=da if da > 0 else ZERO, asset_id=a.id))
    net = dc - da
    if net:
        lines.append(LineInput(counter, debit=-net if net < 0 else ZERO, credit=net if net > 0 else ZERO))
    return record_auto_voucher(session, book_id=a.book_id, voucher_date=on, summary=f"资产{kind} {a.code} {a.name}"[:200],
                               lines=lines, user=user, source_kind="asset_adjustment", source_id=a.id).id


def close_card(session: Session, a: Asset, on: date) -> tuple[Decimal, Decimal, Decimal, str]:
    """Cost, accumulated (including the month's charge) and the month's charge not yet posted,
    with the expense account; refuses when an earlier month was never charged."""
    book = get_book_row(session, a.book_id)
    month = month_of(on)
    lines = schedule(with_disposal(terms_of(a), month), adjustments_of(session, [a.id])[a.id], until=month,
                     workloads=workloads_of(session, [a.id])[a.id])
    posted = set(session.scalars(select(AssetDepreciation.period).where(
        AssetDepreciation.asset_id == a.id, AssetDepreciation.deleted.is_(False))))
    missing = [ln.period for ln in lines if book.start_period <= ln.period < month and ln.period not in posted]
    if missing:
        raise ConflictError(f"该资产{period_label(missing[0])}的折旧尚未计提，请先计提再处置", field="处置日期")
    charge = lines[-1].amount if lines and lines[-1].period == month and month not in posted else ZERO
    dcs, das = card_totals(session, [a.id]).get(a.id, (ZERO, ZERO))
    return a.original_value + dcs, a.opening_accumulated + das + charge, charge, role_code(
        session, a.book_id, EXPENSE_ROLE[a.use_kind])


def dispose_asset(session: Session, asset_id: uuid.UUID, *, disposed_on: date, kind: str, reason: str,
                  user: UserRow, proceeds: Any = ZERO, expenses: Any = ZERO, proceeds_account: str | None = None,
                  expense_account: str | None = None) -> DisposalRow:
    """出售/报废/毁损/捐出 an asset through 固定资产清理 (one voucher)."""
    from desktop_app.core.services.periods import ensure_period_open
    from desktop_app.core.services.vouchers import LineInput, record_auto_voucher

    a = load_asset(session, asset_id)
    if a.status == "已处置":
        raise ConflictError(f"资产 {a.code} 已处置", field="资产")
    kind = v.choice(kind, "处置方式", DISPOSAL_KINDS[:-1])
    on = v.day(disposed_on, "处置日期")
    assert on is not None
    if on < a.acquired_on:
        raise ValidationError("处置日期不能早于取得日期", field="处置日期")
    reason_text = v.text(reason, "处置原因", max_len=300) or ""
    got, paid = v.money(proceeds, "处置收入", required=False), v.money(expenses, "清理费用", required=False)
    if got and not proceeds_account:
        raise ValidationError("有处置收入时请选择收款科目", field="收款科目")
    if paid and not expense_account:
        raise ValidationError("有清理费用时请选择付款科目", field="付款科目")
    ensure_period_open(session, a.book_id, on)
    cost, acc, charge, expense_code = close_card(session, a, on)
    book_id = a.book_id
    fa, ad = role_code(session, book_id, fixed_asset_role(a.nature)), role_code(session, book_id, "accumulated_depreciation")
    clearing = role_code(session, book_id, "fixed_asset_clearing")
    net = cost - acc
    lines = []
    if charge:
        lines += [LineInput(expense_code, debit=charge, summary=f"{a.code} 处置当月折旧"),
                  LineInput(ad, credit=charge, summary=f"{a.code} 处置当月折旧", asset_id=a.id)]
    if net:
        lines.append(LineInput(clearing, debit=net, summary=f"{a.code} {a.name} 转入清理"))
    if acc:
        lines.append(LineInput(ad, debit=acc, summary=f"{a.code} 转销累计折旧", asset_id=a.id))
    lines.append(LineInput(fa, credit=cost, summary=f"{a.code} {a.name} {kind}", asset_id=a.id))
    if got:
        lines += [LineInput(check_leaf(session, book_id, proceeds_account or "", "收款科目"), debit=got),
                  LineInput(clearing, credit=got, summary="处置收入")]
    if paid:
        lines += [LineInput(clearing, debit=paid, summary="清理费用"),
                  LineInput(check_leaf(session, book_id, expense_account or "", "付款科目"), credit=paid)]
    result = got - paid - net
    if result > 0:
        lines += [LineInput(clearing, debit=result, summary="清理净收益"),
                  LineInput(role_code(session, book_id, "disposal_gain"), credit=result, summary=f"{a.code} 处置净收益")]
    elif result < 0:
        lines += [LineInput(role_code(session, book_id, "disposal_loss"), debit=-result, summary=f"{a.code} 处置净损失"),
                  LineInput(clearing, credit=-result, summary="清理净损失")]
    voucher = record_auto_voucher(session, book_id=book_id, voucher_date=on, summary=f"资产{kind} {a.code} {a.name}"[:200],
                                  lines=lines, user=user, source_kind="asset_disposal", source_id=a.id)
    return finish_disposal(session, a, on=on, kind=kind, cost=cost, acc=acc, charge=charge, expense_code=expense_code,
                           proceeds=got, expenses=paid, result=result, voucher_id=voucher.id, reason=reason_text, user=user)


def finish_disposal(session: Session, a: Asset, *, on: date, kind: str, cost: Decimal, acc: Decimal, charge: Decimal,
                    expense_code: str, proceeds: Decimal, expenses: Decimal, result: Decimal,
                    voucher_id: uuid.UUID | None, reason: str, user: UserRow) -> DisposalRow:
    """Close the card as disposed (报废/出售/盘亏 …) with its month's last charge, once the voucher
    is made: shared by 处置 and an approved 清查's 盘亏."""
    require_role(session, user, *MAKE_VOUCHER, book_id=a.book_id)
    before = row_image(a)
    # A card and a month have one row each: a cancelled disposal's rows (tombstones) come back.
    if charge:
        dep = session.scalar(select(AssetDepreciation).where(AssetDepreciation.asset_id == a.id,
                                                             AssetDepreciation.period == month_of(on)))
        if dep is None:
            session.add(AssetDepreciation(asset_id=a.id, book_id=a.book_id, period=month_of(on), amount=charge,
                                          account_code=expense_code, voucher_id=voucher_id))
        else:
            dep.amount, dep.account_code, dep.voucher_id, dep.deleted = charge, expense_code, voucher_id, False
    values = {"kind": kind, "disposed_on": on, "cost": cost, "accumulated": acc, "proceeds": proceeds,
              "expenses": expenses, "gain_loss": result, "voucher_id": voucher_id, "reason": reason, "deleted": False}
    d = session.scalar(select(AssetDisposal).where(AssetDisposal.asset_id == a.id))
    if d is None:
        session.add(AssetDisposal(asset_id=a.id, **values))
    else:
        for key, value in values.items():
            setattr(d, key, value)
    a.status, a.disposed_on = "已处置", on
    session.flush()
    v.write_history(session, a.id, "dispose", f"{kind}：原值 {cost}，累计折旧 {acc}，净损益 {result}（{reason}）",
                    [("使用状态", str(before["status"]), "已处置")])
    record_audit(session, AuditRecord("dispose", "asset", str(a.id), f"资产 {a.code} {a.name} {kind}", before,
                                      row_image(a)))
    return DisposalRow(a.id, kind, on, cost, acc, proceeds, expenses, result, voucher_id)


def cancel_disposal(session: Session, asset_id: uuid.UUID, *, user: UserRow, on: date | None,
                    reason: str) -> VoucherRow | None:
    """撤销处置 of a card disposed by mistake: the disposal voucher is reversed in red dated ``on``
    (voided if not yet posted), the disposal and the month's charge it made are tombstoned and the
    card is back in its earlier use. Only in the disposal's own month while it is open: the month's
    depreciation can then be charged again by the monthly run. 盘亏 is corrected in 资产清查."""
    from desktop_app.core.services.periods import ensure_period_open
    from desktop_app.core.services.vouchers import check_cancellation, get_voucher, undo_module_voucher

    reason, day = check_cancellation(reason, on, "撤销处置")
    a = load_asset(session, asset_id)
    d = session.scalar(select(AssetDisposal).where(AssetDisposal.asset_id == a.id, AssetDisposal.deleted.is_(False)))
    if d is None or a.status != "已处置":
        raise ConflictError(f"资产 {a.code} 没有处置记录，无需撤销", field="资产")
    if d.voucher_id is not None and get_voucher(session, d.voucher_id).voucher.source_kind != "asset_disposal":
        raise ConflictError(f"资产 {a.code} 的{d.kind}由资产清查生成，请在资产清查中更正", field="资产")
    if month_of(day) != month_of(d.disposed_on):
        raise ConflictError(f"只能在处置当月（{period_label(month_of(d.disposed_on))}）撤销处置；"
                            "以后的月份请重新登记该资产", field="日期")
    ensure_period_open(session, a.book_id, day)
    charged = session.scalars(select(AssetDepreciation).where(
        AssetDepreciation.asset_id == a.id, AssetDepreciation.voucher_id == d.voucher_id,
        AssetDepreciation.deleted.is_(False))).all()
    if charged and live_run_voucher(session, a.book_id, month_of(d.disposed_on)) is not None:
        # The month's run left this card out (the disposal had charged it); once the disposal is
        # gone the run must charge it, so the run has to be undone and made again.
        raise ConflictError(f"{period_label(month_of(d.disposed_on))}折旧已计提（未含该资产），请先红字冲销本月折旧凭证，"
                            "撤销处置后重新计提", field="资产")
    earlier = "自用"
    for changes in session.scalars(select(AssetHistory.changes_json).where(
            AssetHistory.asset_id == a.id, AssetHistory.action == "dispose", AssetHistory.deleted.is_(False))
            .order_by(AssetHistory.at.desc()).limit(1)):
        earlier = next((old for name, old, _new in json.loads(changes or "[]") if name == "使用状态"), earlier)
    before = row_image(a)
    d.deleted = True
    for dep in charged:
        dep.deleted = True
    a.status, a.disposed_on = earlier, None
    session.flush()
    reversal, what = undo_module_voucher(session, d.voucher_id, "asset_disposal", user=user, on=day,
                                         reason=f"撤销资产处置：{reason}")
    v.write_history(session, a.id, "undispose", f"撤销{d.kind}（{reason}），{what}", [("使用状态", "已处置", earlier)])
    record_audit(session, AuditRecord("cancel", "asset_disposal", str(d.id),
                                      f"撤销资产 {a.code} {a.name} {d.kind}，原因：{reason}；{what}"[:300],
                                      before, row_image(a)))
    return reversal


def get_disposal(session: Session, asset_id: uuid.UUID) -> DisposalRow | None:
    r = session.execute(select(AssetDisposal.asset_id, AssetDisposal.kind, AssetDisposal.disposed_on, AssetDisposal.cost,
                               AssetDisposal.accumulated, AssetDisposal.proceeds, AssetDisposal.expenses,
                               AssetDisposal.gain_loss, AssetDisposal.voucher_id)
                        .where(AssetDisposal.asset_id == asset_id, AssetDisposal.deleted.is_(False))).first()
    return DisposalRow(*r) if r else None
