"""The statutory statements: 科目余额表, 收支明细表, 资产负债表, 收益及收益分配表; and ``income_figures``.

All figures are exact Decimals from the per-month summary. The balance sheet balances by
construction (every balance-sheet account sits on exactly one line; the year's unclosed result is
part of 未分配收益), and the 本年收益 line equals the net of the 损益 accounts; tests prove both.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db.models import Book, Organisation
from desktop_app.core import charts
from desktop_app.core.errors import ValidationError
from desktop_app.core.periods import check_period, period_end, period_label
from desktop_app.core.rows import BookRow
from desktop_app.core.rows_funds import IncomeFigures, Statement, StatementLine
from desktop_app.core.services.balances import balances_before, period_totals
from desktop_app.core.services.funds_base import (
    AccountInfo,
    book_accounts,
    cached,
    get_book_row,
    range_label,
    reads,
    subtree,
)
from desktop_app.core.services.ledgers import trial_balance, trial_balance_total
from desktop_app.core.services.orgs import ORG_OWN_BOOK_KINDS, book_credit_code
from desktop_app.core.services.periods import period_row
from desktop_app.core.services.statement_layouts import (
    BALANCE_SHEET,
    INCOME_DISTRIBUTION,
    YEAR_END_UNDISTRIBUTED_KEY,
    Line,
)

ZERO = Decimal("0.00")
Amounts = dict[uuid.UUID, Decimal]


def _range(first: str, last: str) -> tuple[str, str]:
    first, last = check_period(first, "起始期间"), check_period(last, "截止期间")
    if first > last:
        raise ValidationError("起始期间不能晚于截止期间", field="起始期间")
    return first, last


_OWNER = (select(Organisation.name).join(Book, Book.organisation_id == Organisation.id)
          .where(Book.id == bindparam("book_id")))  # built once: building costs more than running


def statement_owner(session: Session, book_id: uuid.UUID) -> tuple[str, str]:
    """(编制单位, 统一社会信用代码) a book's statements print: the organisation for its own books; for
    another body's book (a 村民委员会's) that body — the book's name — and its own code, never the
    cooperative's ("" when none is recorded)."""
    def compute() -> tuple[str, str]:
        book = get_book_row(session, book_id)
        name = reads(session).execute(_OWNER, {"book_id": book_id}).scalar_one()
        return (name if book.kind in ORG_OWN_BOOK_KINDS else book.name), book_credit_code(session, book_id) or ""

    return cached(session, ("statement_owner", book_id), compute)


def owner_line(st: Statement) -> str:
    """The 编制单位 line every printed statement carries."""
    return f"编制单位：{st.organisation}（统一社会信用代码：{st.organisation_code or '未登记'}）"


def _header(session: Session, book_id: uuid.UUID, kind: str, title: str, first: str, last: str,
            columns: tuple[str, ...], lines: list[StatementLine], label_header: str = "项目") -> Statement:
    book = get_book_row(session, book_id)
    org = statement_owner(session, book_id)
    seal = cached(session, ("statement_seal", book_id, last), lambda: period_row(session, book_id, last).seal_hash)
    return Statement(kind, title, org[0], org[1], book.name, book.chart_version, first, last, range_label(first, last),
                     columns, tuple(lines), seal, label_header=label_header)


def _sum(accounts: dict[str, AccountInfo], amounts: Amounts, codes: tuple[str, ...] | list[str]) -> Decimal:
    return sum((amounts.get(a.id, ZERO) for a in subtree(accounts, codes)), ZERO)


def _activity(session: Session, book_id: uuid.UUID, first: str, last: str) -> Amounts:
    """Debit-positive activity of each account, the year-end closing vouchers left out."""
    return {a: d - c for a, (d, c) in period_totals(session, book_id, first, last, include_closing=False).items()}


def _term(version: str, accounts: dict[str, AccountInfo], amounts: Amounts, term: str,
          extra: dict[str, Decimal]) -> Decimal:
    if term in extra:
        return extra[term]
    if term.startswith("r:"):
        return _sum(accounts, amounts, charts.account_roles(version, term[2:]))
    if term.startswith("c:"):
        return _sum(accounts, amounts, [term[2:]])
    if term in ("internal+", "internal-"):
        nodes = subtree(accounts, charts.account_roles(version, "internal_accounts"))
        vals = [amounts.get(a.id, ZERO) for a in nodes if a.is_leaf]
        return sum((v for v in vals if (v > 0 if term == "internal+" else v < 0)), ZERO)
    if term == "pl":
        return sum((amounts.get(a.id, ZERO) for a in accounts.values() if a.category == "损益"), ZERO)
    raise KeyError(term)


def evaluate_layout(version: str, layout: list[Line], accounts: dict[str, AccountInfo], amounts: Amounts,
                    extra: dict[str, Decimal] | None = None) -> dict[str, Decimal]:
    """Values of every keyed line: D lines debit-positive, C lines credit-positive, T lines totals."""
    values: dict[str, Decimal] = {}
    for key, _label, kind, terms in layout:
        if kind == "H":
            continue
        if kind == "T":
            values[key] = sum((ZERO - values[t[1:]] if t.startswith("-") else values[t] for t in terms), ZERO)
        else:
            raw = sum((ZERO - _term(version, accounts, amounts, t[1:], extra or {}) if t.startswith("-")
                       else _term(version, accounts, amounts, t, extra or {}) for t in terms), ZERO)
            values[key] = raw if kind == "D" else ZERO - raw
    return values


def _layout_lines(layout: list[Line], columns: Sequence[Mapping[str, Decimal | None]]) -> list[StatementLine]:
    out: list[StatementLine] = []
    n = 0
    for key, label, kind, _ in layout:
        if kind == "H":
            out.append(StatementLine(label, None, tuple(None for _ in columns), is_heading=True))
            continue
        n += 1
        out.append(StatementLine(label, n, tuple(c[key] for c in columns), indent=0 if kind == "T" else 1,
                                 is_total=kind == "T"))
    return out


def balance_sheet_values(session: Session, book_id: uuid.UUID, period: str) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(年初数, 期末数) of every balance-sheet line key at the end of ``period``."""
    book = get_book_row(session, book_id)
    accounts = book_accounts(session, book_id)
    layout = BALANCE_SHEET[book.chart_version]
    year_start = max(f"{period[:4]}-01", book.start_period)
    start = balances_before(session, book_id, year_start)
    end = balances_before(session, book_id, period)
    for a, (d, c) in period_totals(session, book_id, period, period).items():
        end[a] = end.get(a, ZERO) + d - c
    return (evaluate_layout(book.chart_version, layout, accounts, start),
            evaluate_layout(book.chart_version, layout, accounts, end))


def _in_book(book: BookRow, last: str) -> None:
    """A statement ending before the book was opened would print the opening as that month's figures."""
    if last < book.start_period:
        raise ValidationError(f"账套“{book.name}”自{period_label(book.start_period)}启用，"
                              f"{period_label(last)}尚无账，不能编制报表", field="期间")


def _year_start(book: BookRow, period: str) -> str:
    """The first month of ``period``'s year the book kept (January, or the book's first month)."""
    return max(f"{period[:4]}-01", book.start_period)


def _month_end(period: str) -> str:
    end = period_end(period)
    return f"{end.year}年{end.month}月{end.day}日"


def balance_sheet(session: Session, book_id: uuid.UUID, period: str) -> Statement:
    """资产负债表 at the end of ``period`` (年初数 = the start of that year or of the book)."""
    period = check_period(period)
    book = get_book_row(session, book_id)
    _in_book(book, period)
    start, end = balance_sheet_values(session, book_id, period)
    lines = _layout_lines(BALANCE_SHEET[book.chart_version], [start, end])
    cols = ("年初数", "年末数" if period.endswith("-12") else "期末数")
    notes: tuple[str, ...] = ()
    if _year_start(book, period) != f"{period[:4]}-01":
        notes = (f"账套自{period_label(book.start_period)}启用，年初数为启用时的期初余额。",)
    st = _header(session, book_id, "balance-sheet", "资产负债表", period, period, cols, lines)
    return replace(st, period_label=_month_end(period), notes=notes)


def income_distribution_values(session: Session, book_id: uuid.UUID, first: str, last: str) -> dict[str, Decimal]:
    """The 收益及收益分配表 over months ``first`` … ``last`` of one year. Its 年初未分配收益 is the
    balance at the start of that year, so the 年末未分配收益 line equals the balance sheet's
    未分配收益 only when ``first`` is the year's first month: the statement always asks for that."""
    book = get_book_row(session, book_id)
    v = book.chart_version
    accounts = book_accounts(session, book_id)
    year_start = _year_start(book, first)
    activity = _activity(session, book_id, first, last)
    opening = balances_before(session, book_id, year_start)
    extra = {
        "opening_undistributed": _term(v, accounts, opening, "r:undistributed_income_total", {})
        + _term(v, accounts, opening, "pl", {}),
        "other_transfers": _term(v, accounts, activity, "r:undistributed_income_total", {})
        - _term(v, accounts, activity, "r:distributions", {}),
    }
    return evaluate_layout(v, INCOME_DISTRIBUTION[v], accounts, activity, extra)


def income_distribution_statement(session: Session, book_id: uuid.UUID, period_from: str,
                                  period_to: str) -> Statement:
    """收益及收益分配表 for a month, a quarter or a year: 本年数 = the year to date through the period's
    end (from January or the book's first month), 上年数 = the same months of the year before (blank
    where the book was not yet kept). Its last line (年末/期末未分配收益) is the balance sheet's 未分配收益
    at the period's end."""
    first, last = _range(period_from, period_to)
    if first[:4] != last[:4]:
        raise ValidationError("收益及收益分配表的期间须在同一年度内", field="期间")
    book = get_book_row(session, book_id)
    _in_book(book, last)
    ytd_first = _year_start(book, last)
    this_year = income_distribution_values(session, book_id, ytd_first, last)
    py = str(int(last[:4]) - 1)
    prev_last = f"{py}{last[4:]}"
    prev: dict[str, Decimal | None]
    if prev_last >= book.start_period:
        prev_first = _year_start(book, prev_last)
        prev = dict(income_distribution_values(session, book_id, prev_first, prev_last))
    else:
        prev_first, prev = "", {k: None for k in this_year}
    year = last.endswith("-12")
    layout = INCOME_DISTRIBUTION[book.chart_version]
    if not year:
        layout = [(k, "期末未分配收益" if k == YEAR_END_UNDISTRIBUTED_KEY else label, kind, terms)
                  for k, label, kind, terms in layout]
    lines = _layout_lines(layout, [this_year, prev])
    cols = ("本年数", "上年数") if year else ("本年累计数", "上年同期累计数")
    notes = [f"{cols[0]}：{range_label(ytd_first, last)}；"
             + (f"{cols[1]}：{range_label(prev_first, prev_last)}。" if prev_first
                else f"账套自{period_label(book.start_period)}启用，{cols[1]}不填。")]
    st = _header(session, book_id, "income-distribution", "收益及收益分配表", first, last, cols, lines)
    return replace(st, notes=tuple(notes))


def _income_expense_columns(book: BookRow, first: str, last: str) -> tuple[tuple[str, str], bool]:
    """(column headings, whether the second column is last year's) of a 收支明细表: a month or a
    quarter prints 本月数/本季数 beside 本年累计数; a whole year prints 本年数 beside 上年数."""
    if first <= _year_start(book, last) and last.endswith("-12"):
        return ("本年数", "上年数"), True
    if first == last:
        return ("本月数", "本年累计数"), False
    quarter = first[5:] in ("01", "04", "07", "10") and int(last[5:]) == int(first[5:]) + 2
    return ("本季数" if quarter else "本期数", "本年累计数"), False


def income_expense_statement(session: Session, book_id: uuid.UUID, period_from: str, period_to: str) -> Statement:
    """收支明细表: income and expense by account and item, 本期数 and 本年累计数 (a whole year:
    本年数 and 上年数, blank where the book was not yet kept)."""
    first, last = _range(period_from, period_to)
    if first[:4] != last[:4]:
        raise ValidationError("收支明细表的期间须在同一年度内", field="期间")
    book = get_book_row(session, book_id)
    _in_book(book, last)
    accounts = book_accounts(session, book_id)
    cols, with_prev = _income_expense_columns(book, first, last)
    now = _activity(session, book_id, first, last)
    py_last = f"{int(last[:4]) - 1}-12"
    second: Amounts | None
    if not with_prev:
        second = _activity(session, book_id, f"{last[:4]}-01", last)
    elif py_last >= book.start_period:
        second = _activity(session, book_id, _year_start(book, py_last), py_last)
    else:
        second = None  # the book was not kept last year: the column stays blank
    lines: list[StatementLine] = []
    n = 0
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for side, heading in (("贷", "收入"), ("借", "支出")):
        lines.append(StatementLine(heading, None, (None, None), is_heading=True))
        t_now = t_ytd = ZERO
        for acc in accounts.values():
            if acc.category != "损益" or acc.normal_side != side:
                continue
            a, b = _sum(accounts, now, [acc.code]), _sum(accounts, second or {}, [acc.code])
            if side == "贷":
                a, b = ZERO - a, ZERO - b
            if acc.level > 1 and a == 0 and b == 0:
                continue
            n += 1
            lines.append(StatementLine(acc.name, n, (a, b if second is not None else None), code=acc.code,
                                       indent=acc.level - 1))
            if acc.level == 1:
                t_now, t_ytd = t_now + a, t_ytd + b
        n += 1
        lines.append(StatementLine(f"{heading}合计", n, (t_now, t_ytd if second is not None else None),
                                   is_total=True))
        totals[heading] = (t_now, t_ytd)
    n += 1
    diff = (totals["收入"][0] - totals["支出"][0], totals["收入"][1] - totals["支出"][1])
    lines.append(StatementLine("收支差额（收入合计－支出合计）", n,
                               (diff[0], diff[1] if second is not None else None), is_total=True))
    notes: tuple[str, ...] = ()
    if with_prev and second is None:
        notes = (f"账套自{period_label(book.start_period)}启用，上年数不填。",)
    elif not with_prev and first != last:
        notes = (f"本年累计数：{range_label(_year_start(book, last), last)}。",)
    st = _header(session, book_id, "income-expense", "收支明细表", first, last, cols, lines)
    return replace(st, notes=notes)


def trial_balance_statement(session: Session, book_id: uuid.UUID, period_from: str, period_to: str) -> Statement:
    """科目余额表 as a printable statement (first-level and detail accounts, 合计 line)."""
    first, last = _range(period_from, period_to)
    rows = trial_balance(session, book_id, first, last)
    lines = [StatementLine(r.name, None, (r.opening_debit, r.opening_credit, r.period_debit, r.period_credit,
                                          r.closing_debit, r.closing_credit), code=r.code, indent=r.level - 1)
             for r in rows]
    t = trial_balance_total(rows)
    lines.append(StatementLine("合计", None, (t.opening_debit, t.opening_credit, t.period_debit, t.period_credit,
                                            t.closing_debit, t.closing_credit), is_total=True))
    cols = ("期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方")
    return _header(session, book_id, "trial-balance", "科目余额表", first, last, cols, lines, label_header="科目")


def income_figures(session: Session, book_id: uuid.UUID, period_from: str, period_to: str) -> IncomeFigures:
    """经营性收入, 总收入, 补助收入, 总支出 and 本年收益 of a book over months (the one definition).

    经营性收入: 2023 = 501 经营收入 + 502 投资收益; 2004 = 501 + 511 发包及上交收入 + 561 投资收益
    (chart roles ``operating_income``/``total_income``/``total_expense``). Year-end closing
    vouchers are left out, so the figures are the same before and after the close.
    """
    first, last = _range(period_from, period_to)
    book = get_book_row(session, book_id)
    accounts = book_accounts(session, book_id)
    act = _activity(session, book_id, first, last)

    def credit(role: str) -> Decimal:
        return ZERO - _sum(accounts, act, charts.account_roles(book.chart_version, role))

    total_income = credit("total_income")
    total_expense = ZERO - credit("total_expense")
    return IncomeFigures(book_id, first, last, credit("operating_income"), total_income, credit("subsidy_income"),
                         total_expense, total_income - total_expense)


STATEMENTS = {
    "trial-balance": "科目余额表",
    "income-expense": "收支明细表",
    "balance-sheet": "资产负债表",
    "income-distribution": "收益及收益分配表",
}


def build_statement(session: Session, book_id: uuid.UUID, kind: str, period_from: str, period_to: str) -> Statement:
    """One entry point for the CLI, the UI and exports."""
    if kind == "trial-balance":
        return trial_balance_statement(session, book_id, period_from, period_to)
    if kind == "income-expense":
        return income_expense_statement(session, book_id, period_from, period_to)
    if kind == "balance-sheet":
        return balance_sheet(session, book_id, period_to)
    if kind == "income-distribution":
        return income_distribution_statement(session, book_id, period_from, period_to)
    raise ValidationError(f"未知的报表“{kind}”，可选：{'、'.join(f'{k}（{v}）' for k, v in STATEMENTS.items())}",
                          field="报表")
