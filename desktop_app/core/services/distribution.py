"""收益分配方案 and dividends: 草案 → 公示 → 批准 (resolution, appropriation voucher) → 发放 (payment vouchers).

A plan is computed from the books (``distributable_income``) and the share register; its roster
is frozen then. Recomputing voids the old draft and makes a new one (deductions carry over).
Approval re-reads the books: if the year's figures changed or one of its months was reopened
since the plan was computed, approval is refused until the plan is recomputed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.images import row_image
from db.models import (
    DistributionPlan,
    DistributionPlanLine,
    DividendDeduction,
    DividendLine,
    DividendPayout,
    Household,
    Member,
)
from db.types import utcnow, uuid7
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.money import check_amount, format_amount
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_members import PayoutRow, PlanRow
from desktop_app.core.rules.distribution import (
    PRECISIONS,
    PlanFigures,
    PlanLineFigure,
    check_plan,
    compute_dividends,
    default_reserve,
    plan_lines,
)
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.distribution_books import (
    appropriation_lines,
    distributable_income,
    payment_lines,
)
from desktop_app.core.services.distribution_query import (
    get_plan,
    has_welfare,
    plan_rules,
    roster_holdings,
)
from desktop_app.core.services.funds_base import get_book_row
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.services.vouchers import record_auto_voucher

__all__ = ["add_deduction", "approve_plan", "draft_plan", "plan_violations", "publicise_plan", "record_payout"]

ZERO = Decimal("0.00")
SOURCE_APPROPRIATION = "distribution"
SOURCE_PAYOUT = "dividend_payout"


def _load(session: Session, plan_id: uuid.UUID) -> DistributionPlan:
    p = session.get(DistributionPlan, plan_id)
    if p is None or p.deleted:
        raise NotFoundError("找不到该收益分配方案", field="方案")
    return p


def _figures(p: DistributionPlan, reserve: Decimal, welfare: Decimal, other: Decimal) -> PlanFigures:
    return PlanFigures(p.current_year_income, p.opening_undistributed, p.distributable, reserve, welfare,
                       p.members_amount, other, p.cash_available)


def _active_plan(session: Session, book_id: uuid.UUID, year: int) -> DistributionPlan | None:
    return session.execute(select(DistributionPlan).where(
        DistributionPlan.book_id == book_id, DistributionPlan.year == year, DistributionPlan.deleted.is_(False),
        DistributionPlan.status != "作废").order_by(DistributionPlan.computed_at.desc())).scalars().first()


def _write_plan_lines(session: Session, plan_id: uuid.UUID, lines: Sequence[PlanLineFigure]) -> None:
    bulk_insert(session, DistributionPlanLine, [
        {"id": uuid7(), "plan_id": plan_id, "seq": i, "kind": ln.kind, "label": ln.label, "amount": ln.amount}
        for i, ln in enumerate(lines, start=1)])


def draft_plan(session: Session, *, book_id: uuid.UUID, year: int, members_amount: Decimal, user: UserRow,
               precision: str = "分", reserve: Decimal | None = None, welfare: Decimal | None = None,
               other: Decimal = ZERO, excluded_rent: Decimal = ZERO, excluded_other: Decimal = ZERO,
               exclusion_note: str = "", note: str | None = None, progress: Progress | None = None) -> PlanRow:
    """Compute a 草案 from the books and the share register (replacing an earlier 草案/公示)."""
    if precision not in PRECISIONS:
        raise ValidationError("每股分红精度应为 分、角 或 元", field="精度")
    members_amount = check_amount(members_amount, field="成员分配金额", allow_zero=False)
    other = check_amount(other, field="其他分配")
    book = get_book_row(session, book_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=book.organisation_id)
    income = distributable_income(session, book_id, year, excluded_rent=excluded_rent, excluded_other=excluded_other)
    rules = plan_rules(session, book.organisation_id)
    reserve = (check_amount(reserve, field="提取公积公益金") if reserve is not None
               else default_reserve(income.distributable, rules))
    welfare = check_amount(welfare, field="提取福利费") if welfare is not None else ZERO
    if welfare > 0 and not has_welfare(book):
        raise ValidationError("2023版会计制度已取消应付福利费，方案不能提取福利费", field="提取福利费")
    # Every refusal comes before the old draft is voided (a caller that catches the error must
    # not find the year without a plan).
    if progress is not None:
        progress.report(0, 3, "正在读取股份登记簿")
    holdings = roster_holdings(session, book.organisation_id)
    if not holdings:
        raise ConflictError("本组织尚未登记股份，不能计算分红", field="股份")
    result = compute_dividends(members_amount, [h.shares for h in holdings], precision)
    old = _active_plan(session, book_id, year)
    carried: list[DividendDeduction] = []
    if old is not None:
        if old.status in ("批准", "发放"):
            raise ConflictError(f"{year}年度收益分配方案已{old.status}，不能重新计算", field="方案")
        carried = list(session.scalars(select(DividendDeduction).where(
            DividendDeduction.plan_id == old.id, DividendDeduction.deleted.is_(False))))
        before = row_image(old)
        old.status = "作废"
        session.flush()
        record_audit(session, AuditRecord("void", "distribution_plan", str(old.id),
                                          f"{year}年度收益分配方案重新计算，原{before['status']}作废", before, row_image(old)))
    plan = DistributionPlan(
        organisation_id=book.organisation_id, book_id=book_id, year=year, status="草案", precision=precision,
        current_year_income=income.current_year_income, opening_undistributed=income.opening_undistributed,
        distributed_in_year=income.distributed_in_year, excluded_land=income.excluded_land,
        excluded_rent=income.excluded_rent, excluded_other=income.excluded_other,
        exclusion_note=(exclusion_note or "").strip()[:300], distributable=income.distributable,
        cash_available=income.cash_available, members_amount=members_amount, total_shares=result.total_shares,
        per_share=result.per_share, roster_total=result.total, remainder=result.remainder,
        books_fingerprint=income.fingerprint, computed_at=utcnow(), note=(note or "").strip()[:300] or None)
    session.add(plan)
    session.flush()
    if progress is not None:
        progress.report(1, 3, "正在生成分红花名册")
    bulk_insert(session, DividendLine, [
        {"id": uuid7(), "plan_id": plan.id, "seq": i, "member_id": h.member_id, "household_id": h.household_id,
         "shares": h.shares, "shares_detail": h.detail, "amount": amt, "deduction": ZERO, "net": amt}
        for i, (h, amt) in enumerate(zip(holdings, result.amounts, strict=True), start=1)])
    figures = _figures(plan, reserve, welfare, other)
    _write_plan_lines(session, plan.id, plan_lines(figures, result.remainder,
                                                  income.excluded_land + income.excluded_rent + income.excluded_other,
                                                  income.distributed_in_year, welfare_row=has_welfare(book)))
    record_audit(session, AuditRecord(
        "create", "distribution_plan", str(plan.id),
        f"计算{year}年度收益分配方案草案：成员分配 {format_amount(members_amount)} 元，总股数 {result.total_shares}，"
        f"每股 {result.per_share} 元，花名册合计 {format_amount(result.total)} 元，尾差 {format_amount(result.remainder)} 元",
        None, row_image(plan)))
    for d in carried:
        add_deduction(session, plan.id, member_id=d.member_id, amount=d.amount, reason=d.reason, consent=d.consent,
                      user=user)
    if progress is not None:
        progress.report(3, 3, "方案已生成")
    return get_plan(session, plan.id)


def cancel_payout(session: Session, plan_id: uuid.UUID, *, user: UserRow, on: date | None, reason: str) -> int:
    """撤销发放 of the plan's last payment batch (one voucher) recorded by mistake: its voucher
    reversed in red dated ``on`` (voided if unposted), the households' payments tombstoned (they
    are unpaid again and can be paid later), a 发放 plan back to 批准. Returns the households."""
    from desktop_app.core.services.periods import ensure_period_open
    from desktop_app.core.services.vouchers import check_cancellation, undo_module_voucher

    reason, on = check_cancellation(reason, on, "撤销发放")
    p = _load(session, plan_id)
    payouts = session.scalars(select(DividendPayout).where(DividendPayout.plan_id == plan_id,
                                                           DividendPayout.deleted.is_(False))).all()
    if not payouts:
        raise ConflictError(f"{p.year}年度分红尚未发放，无需撤销", field="方案")
    last_day = max(d.paid_on for d in payouts)
    batch_voucher = max((d for d in payouts if d.paid_on == last_day), key=lambda d: d.id).voucher_id
    batch = [d for d in payouts if d.voucher_id == batch_voucher and d.paid_on == last_day]
    if on < last_day:
        raise ValidationError("撤销日期不能早于发放日期", field="日期")
    ensure_period_open(session, p.book_id, on)
    before = row_image(p)
    for d in batch:
        d.deleted = True
    if p.status == "发放":
        p.status, p.paid_on = "批准", None
    session.flush()
    _reversal, what = undo_module_voucher(session, batch_voucher, SOURCE_PAYOUT, user=user, on=on,
                                          reason=f"撤销分红发放：{reason}")
    record_audit(session, AuditRecord("cancel", "distribution_plan", str(p.id),
                                      f"撤销{p.year}年度分红发放 {len(batch)} 户（{last_day.isoformat()}），"
                                      f"原因：{reason}；{what}"[:300], before, row_image(p)))
    return len(batch)


def plan_violations(session: Session, plan_id: uuid.UUID) -> list[str]:
    """The organisation's rules this plan breaks, each naming the rule (empty: it may be approved)."""
    p = _load(session, plan_id)
    row = get_plan(session, plan_id)
    figures = _figures(p, row.reserve, row.welfare, row.other)
    return [f"违反规则“{v.rule}”：{v.message}" for v in check_plan(figures, plan_rules(session, p.organisation_id))]


def _refuse_violations(session: Session, p: DistributionPlan, action: str) -> None:
    problems = plan_violations(session, p.id)
    if problems:
        raise ConflictError(f"{p.year}年度收益分配方案不能{action}：" + "；".join(problems), field="方案")


def publicise_plan(session: Session, plan_id: uuid.UUID, *, on: date, user: UserRow) -> PlanRow:
    """公示: the plan is posted for all members (it must satisfy the organisation's rules)."""
    p = _load(session, plan_id)
    me = require_role(session, user, *ENTER_RECORDS, organisation_id=p.organisation_id)
    if p.status != "草案":
        raise ConflictError(f"方案状态为“{p.status}”，只有草案可以公示", field="状态")
    _refuse_violations(session, p, "公示")
    before = row_image(p)
    p.status, p.publicised_on = "公示", on
    session.flush()
    record_audit(session, AuditRecord("publicise", "distribution_plan", str(p.id),
                                      f"{p.year}年度收益分配方案公示（{on.isoformat()}，{me.display_name}）",
                                      before, row_image(p)))
    return get_plan(session, p.id)


def approve_plan(session: Session, plan_id: uuid.UUID, *, on: date, resolution_no: str, resolution_text: str,
                 user: UserRow) -> PlanRow:
    """批准 by the 成员（代表）大会 resolution; posts the appropriation voucher dated ``on``."""
    p = _load(session, plan_id)
    if p.status != "公示":
        raise ConflictError(f"方案状态为“{p.status}”，须先公示才能批准", field="状态")
    resolution_no, resolution_text = (resolution_no or "").strip(), (resolution_text or "").strip()
    if not resolution_no or len(resolution_no) > 50:
        raise ValidationError("请填写决议文号（50字以内）", field="决议文号")
    if not resolution_text or len(resolution_text) > 500:
        raise ValidationError("请填写决议内容（500字以内）", field="决议内容")
    if p.publicised_on is not None and on < p.publicised_on:
        raise ValidationError("批准日期不能早于公示日期", field="批准日期")
    now = distributable_income(session, p.book_id, p.year, excluded_rent=p.excluded_rent,
                               excluded_other=p.excluded_other)
    if now.fingerprint != p.books_fingerprint:
        raise ConflictError(f"{p.year}年度的账簿在方案计算后已变动或反结账（可分配收益现为 {now.distributable} 元，"
                            f"方案计算时为 {p.distributable} 元），请重新计算方案并重新公示后再批准", field="方案")
    _refuse_violations(session, p, "批准")
    row = get_plan(session, p.id)
    book = get_book_row(session, p.book_id)
    lines = appropriation_lines(session, book, reserve=row.reserve, welfare=row.welfare, members=p.roster_total,
                                other=row.other, year=p.year)
    voucher = record_auto_voucher(session, book_id=p.book_id, voucher_date=on, summary=f"{p.year}年度收益分配",
                                  lines=lines, user=user, source_kind=SOURCE_APPROPRIATION, source_id=p.id)
    before = row_image(p)
    p.status, p.approved_on, p.resolution_no, p.resolution_text = "批准", on, resolution_no, resolution_text
    p.approved_by, p.appropriation_voucher_id = user.display_name, voucher.id
    session.flush()
    record_audit(session, AuditRecord("approve", "distribution_plan", str(p.id),
                                      f"{p.year}年度收益分配方案批准（{resolution_no}），生成凭证第{voucher.number}号",
                                      before, row_image(p)))
    return get_plan(session, p.id)


def add_deduction(session: Session, plan_id: uuid.UUID, *, member_id: uuid.UUID, amount: Decimal, reason: str,
                  consent: str, user: UserRow) -> PlanRow:
    """扣减 from a member's dividend (e.g. rent owed), with the member's consent recorded."""
    p = _load(session, plan_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=p.organisation_id)
    if p.status not in ("草案", "公示"):
        raise ConflictError(f"方案状态为“{p.status}”，不能再登记扣减", field="状态")
    amount = check_amount(amount, field="扣减金额", allow_zero=False)
    reason, consent = (reason or "").strip(), (consent or "").strip()
    if not reason:
        raise ValidationError("请填写扣减原因", field="扣减原因")
    if not consent:
        raise ValidationError("扣减须有成员本人同意（请填写同意方式，如签字确认书）", field="成员同意")
    line = session.execute(select(DividendLine).where(DividendLine.plan_id == plan_id,
                                                      DividendLine.member_id == member_id)).scalar()
    if line is None:
        raise NotFoundError("该成员不在本方案的分红花名册中", field="成员")
    if line.deduction + amount > line.amount:
        raise ConflictError(f"扣减合计 {format_amount(line.deduction + amount)} 元超过该成员应分 {format_amount(line.amount)} 元", field="扣减金额")
    d = DividendDeduction(plan_id=plan_id, member_id=member_id, amount=amount, reason=reason[:200],
                          consent=consent[:200], receivable_code=None)
    session.add(d)
    before = row_image(line)
    line.deduction += amount
    line.net = line.amount - line.deduction
    session.flush()
    name = session.scalar(select(Member.name).where(Member.id == member_id))
    record_audit(session, AuditRecord("create", "dividend_deduction", str(d.id),
                                      f"{p.year}年度分红扣减：{name} {amount} 元（{reason}；{consent}）",
                                      before, row_image(line)))
    return get_plan(session, p.id)


def record_payout(session: Session, plan_id: uuid.UUID, *, paid_on: date, method: str, user: UserRow,
                  household_ids: Sequence[uuid.UUID] | None = None, bank_tail: str | None = None,
                  receiver: str | None = None, progress: Progress | None = None) -> list[PayoutRow]:
    """Record payment to households (``None``: every unpaid one) with one payment voucher.
    When every household is paid, the plan becomes 发放."""
    p = _load(session, plan_id)
    if p.status not in ("批准", "发放"):
        raise ConflictError(f"方案状态为“{p.status}”，批准后才能发放", field="状态")
    if method not in ("现金", "转账"):
        raise ValidationError("发放方式应为 现金 或 转账", field="发放方式")
    tail = (bank_tail or "").strip() or None
    if tail is not None and (not tail.isdigit() or len(tail) > 8):
        raise ValidationError("银行卡尾号应为1到8位数字", field="银行卡尾号")
    if p.approved_on is not None and paid_on < p.approved_on:
        raise ValidationError("发放日期不能早于批准日期", field="发放日期")
    totals: dict[uuid.UUID, list[Decimal]] = {}
    for hid, amount, deduction, net in session.execute(select(
            DividendLine.household_id, DividendLine.amount, DividendLine.deduction, DividendLine.net)
            .where(DividendLine.plan_id == plan_id, DividendLine.deleted.is_(False))):
        t = totals.setdefault(hid, [ZERO, ZERO, ZERO])
        t[0], t[1], t[2] = t[0] + amount, t[1] + deduction, t[2] + net
    paid = set(session.scalars(select(DividendPayout.household_id).where(
        DividendPayout.plan_id == plan_id, DividendPayout.deleted.is_(False))))
    wanted = list(dict.fromkeys(household_ids)) if household_ids is not None else [h for h in totals if h not in paid]
    for hid in wanted:
        if hid not in totals:
            raise NotFoundError("该户不在本方案的分红花名册中", field="户")
        if hid in paid:
            raise ConflictError("该户已经发放，不能重复发放", field="户")
    if not wanted:
        raise ConflictError("没有待发放的户", field="户")
    heads: dict[uuid.UUID, tuple[str, str, str | None]] = {
        r[0]: (r[1], r[2], r[3]) for r in session.execute(select(
            Household.id, Household.number, Household.head_name, Household.bank_tail).where(Household.id.in_(wanted)))}
    gross = sum((totals[h][0] for h in wanted), ZERO)
    deducted = sum((totals[h][1] for h in wanted), ZERO)
    net = sum((totals[h][2] for h in wanted), ZERO)
    book = get_book_row(session, p.book_id)
    voucher = None
    if gross > 0:
        voucher = record_auto_voucher(
            session, book_id=p.book_id, voucher_date=paid_on, summary=f"发放{p.year}年度成员分红",
            lines=payment_lines(session, book, gross=gross, net=net, deduction=deducted, method=method, year=p.year,
                                households=len(wanted)),
            user=user, source_kind=SOURCE_PAYOUT, source_id=p.id)
    rows: list[dict[str, Any]] = []
    # One row per household and plan: a cancelled payment's row (a tombstone) is paid again in place.
    taken_back = {d.household_id: d for d in session.scalars(select(DividendPayout).where(
        DividendPayout.plan_id == plan_id, DividendPayout.deleted.is_(True), DividendPayout.household_id.in_(wanted)))}
    for hid in wanted:
        _number, head, card = heads[hid]
        row = {"plan_id": p.id, "household_id": hid, "amount": totals[hid][2], "method": method,
               "paid_on": paid_on, "bank_tail": tail or (card if method == "转账" else None),
               "receiver": (receiver or head or "")[:50], "voucher_id": voucher.id if voucher else None}
        if hid in taken_back:
            old = taken_back[hid]
            for key, value in row.items():
                setattr(old, key, value)
            old.deleted = False
            rows.append({"id": old.id, **row})
        else:
            rows.append({"id": uuid7(), **row})
    session.flush()
    bulk_insert(session, DividendPayout, [r for r in rows if r["household_id"] not in taken_back])
    before = row_image(p)
    if len(paid) + len(wanted) == len(totals):
        p.status, p.paid_on = "发放", paid_on
    session.flush()
    record_audit(session, AuditRecord("payout", "distribution_plan", str(p.id),
                                      f"发放{p.year}年度分红 {len(wanted)} 户，实发 {net} 元（{method}）"
                                      + (f"，凭证第{voucher.number}号" if voucher else ""), before, row_image(p)))
    return [PayoutRow(r["id"], r["household_id"], heads[r["household_id"]][0], heads[r["household_id"]][1],
                      r["amount"], method, paid_on, r["bank_tail"], r["receiver"], r["voucher_id"]) for r in rows]
