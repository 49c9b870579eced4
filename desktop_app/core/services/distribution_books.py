"""What the books say for a distribution (可分配收益) and the voucher lines a plan posts.

Read-only over the funds tables through the funds services (``income_figures``, balances); the
vouchers themselves are written by ``record_auto_voucher`` in ``distribution.py``.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from db.images import canonical_json
from db.models import Entry, Period, Voucher
from db.types import Fen
from desktop_app.core import charts
from desktop_app.core.errors import ValidationError
from desktop_app.core.money import check_amount
from desktop_app.core.rows import BookRow
from desktop_app.core.rows_members import DistributableIncome
from desktop_app.core.services.balances import balances_at_end, balances_before, period_totals
from desktop_app.core.services.funds_base import AccountInfo, book_accounts, get_book_row, subtree
from desktop_app.core.services.statements import income_figures
from desktop_app.core.services.vouchers import LineInput

__all__ = ["LAND_FLAG", "appropriation_lines", "distributable_income", "leaf_code", "payment_lines"]

ZERO = Decimal("0.00")
LAND_FLAG = "征地补偿"


def _sum(accounts: dict[str, AccountInfo], amounts: dict[uuid.UUID, Decimal], codes: tuple[str, ...]) -> Decimal:
    return sum((amounts.get(a.id, ZERO) for a in subtree(accounts, codes)), ZERO)


def _year_range(book: BookRow, year: int) -> tuple[str, str]:
    if not 2000 <= year <= 2100:
        raise ValidationError("年度无效", field="年度")
    first, last = f"{year:04d}-01", f"{year:04d}-12"
    if last < book.start_period:
        raise ValidationError(f"账套自{book.start_period}启用，没有{year}年的账", field="年度")
    return max(first, book.start_period), last


def distributable_income(session: Session, book_id: uuid.UUID, year: int, *, excluded_rent: Decimal = ZERO,
                         excluded_other: Decimal = ZERO) -> DistributableIncome:
    """可分配收益 = 本年收益 + 年初未分配收益 − distributions booked in the year (earlier plans)
    − 征地补偿 credited to income (vouchers flagged 征地补偿) − lump-sum rent for later years and
    other exclusions (given by the user, who knows which contracts they are)."""
    excluded_rent = check_amount(excluded_rent, field="跨年租金")
    excluded_other = check_amount(excluded_other, field="其他不分配收入")
    book = get_book_row(session, book_id)
    first, last = _year_range(book, year)
    v = book.chart_version
    accounts = book_accounts(session, book_id)
    income = income_figures(session, book_id, first, last).net_income
    opening = balances_before(session, book_id, first)
    pl_codes = tuple(a.code for a in accounts.values() if a.category == "损益" and a.level == 1)
    opening_undistributed = -(_sum(accounts, opening, charts.account_roles(v, "undistributed_income_total"))
                              + _sum(accounts, opening, pl_codes))
    activity = {a: d - c for a, (d, c) in period_totals(session, book_id, first, last, include_closing=False).items()}
    distributed = _sum(accounts, activity, charts.account_roles(v, "distributions"))
    income_ids = [a.id for a in subtree(accounts, charts.account_roles(v, "total_income"))]
    land = session.execute(
        select(type_coerce(func.coalesce(func.sum(Entry.credit), 0), Fen()),
               type_coerce(func.coalesce(func.sum(Entry.debit), 0), Fen()))
        .join(Voucher, Voucher.id == Entry.voucher_id)
        .where(Voucher.book_id == book_id, Voucher.status == "记账", Voucher.deleted.is_(False),
               Entry.deleted.is_(False), Voucher.flags.contains(LAND_FLAG), Entry.period >= first,
               Entry.period <= last, Entry.account_id.in_(income_ids))).one()
    excluded_land = max(land[0] - land[1], ZERO)
    cash = _sum(accounts, balances_at_end(session, book_id, last), charts.account_roles(v, "monetary_funds"))
    distributable = income + opening_undistributed - distributed - excluded_land - excluded_rent - excluded_other
    reopened = session.execute(select(func.coalesce(func.sum(Period.reopen_count), 0)).where(
        Period.book_id == book_id, Period.period >= first, Period.period <= last)).scalar()
    payload = {"book": str(book_id), "year": year, "income": income, "opening": opening_undistributed,
               "distributed": distributed, "land": excluded_land, "rent": excluded_rent, "other": excluded_other,
               "reopened": int(reopened or 0)}
    fingerprint = hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
    return DistributableIncome(book_id, year, income, opening_undistributed, distributed, excluded_land,
                               excluded_rent, excluded_other, distributable, cash, fingerprint)


def leaf_code(session: Session, book: BookRow, role: str) -> str:
    """The account a generated line posts to: the role's account if it is a leaf, else its first
    leaf sub-account (e.g. 10201 农商行 under 102 银行存款)."""
    accounts = book_accounts(session, book.id)
    for code in charts.account_roles(book.chart_version, role):
        leaves = [a for a in subtree(accounts, (code,)) if a.is_leaf and a.active]
        if leaves:
            return leaves[0].code
    raise ValidationError(f"账套“{book.name}”缺少“{charts.role_spec(role).label}”科目", field="科目")


MEMBERS_PARTY = "本社成员"  # the counterparty of the dividend payable and its payment


def appropriation_lines(session: Session, book: BookRow, *, reserve: Decimal, welfare: Decimal, members: Decimal,
                        other: Decimal, year: int) -> list[LineInput]:
    """提取公积公益金 / 福利费, 向成员分配 (credited to 内部往来 as payable to members), 其他."""
    lines: list[LineInput] = []

    def pair(debit_role: str, credit_role: str, amount: Decimal, text: str) -> None:
        if amount > 0:
            summary = f"{year}年度收益分配：{text}"
            lines.append(LineInput(leaf_code(session, book, debit_role), debit=amount, summary=summary))
            lines.append(LineInput(leaf_code(session, book, credit_role), credit=amount, summary=summary))

    pair("distribution_to_reserve", "reserve_fund", reserve, "提取公积公益金")
    if welfare > 0:
        if not charts.account_roles(book.chart_version, "distribution_to_welfare"):
            raise ValidationError("2023版会计制度已取消应付福利费，方案不能提取福利费", field="福利费")
        pair("distribution_to_welfare", "welfare_payable", welfare, "提取福利费")
    if members > 0:  # the payable names who is owed: the members (by household on the roster)
        summary = f"{year}年度收益分配：向成员分配"
        lines.append(LineInput(leaf_code(session, book, "distribution_to_members"), debit=members, summary=summary))
        lines.append(LineInput(leaf_code(session, book, "member_distribution_payable"), credit=members,
                               summary=summary, counterparty=MEMBERS_PARTY))
    pair("distribution_other", "payables", other, "其他分配")
    return lines


def payment_lines(session: Session, book: BookRow, *, gross: Decimal, net: Decimal, deduction: Decimal,
                  method: str, year: int, households: int) -> list[LineInput]:
    """Dr 内部往来 (the payable to members) / Cr 库存现金 or 银行存款, and Cr 应收款 for deductions."""
    summary = f"发放{year}年度成员分红（{households}户）"
    paid = f"{MEMBERS_PARTY}（{households}户）"
    lines = [LineInput(leaf_code(session, book, "member_distribution_payable"), debit=gross, summary=summary,
                       counterparty=MEMBERS_PARTY)]
    if net > 0:
        lines.append(LineInput(leaf_code(session, book, "cash" if method == "现金" else "bank"), credit=net,
                               summary=summary, counterparty=paid))
    if deduction > 0:
        lines.append(LineInput(leaf_code(session, book, "receivables"), credit=deduction,
                               summary=f"{year}年度分红抵扣成员欠款", counterparty=paid))
    return lines


def account_balance(session: Session, book_id: uuid.UUID, code: str, period: str) -> Decimal:
    """Debit-positive balance of an account subtree at the end of ``period`` (tests and checks)."""
    accounts = book_accounts(session, book_id)
    return _sum(accounts, balances_at_end(session, book_id, period), (code,))
