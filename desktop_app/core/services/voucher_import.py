"""Vouchers from a journal another program or a person kept (issue #15): rows → checked vouchers.

The Excel side (``excel.import_vouchers``) reads the rows' cells a chunk of columns at a time into
``JournalChunk``s (``JournalRow``'s fields by column); here the rows are grouped into vouchers and
checked against the book exactly as the voucher form is; ``voucher_import_apply`` writes them as
``create_voucher`` does (numbering, audit and change log as for a typed voucher).

Grouping (the rule the template's 说明 repeats):

- rows with the same month and the same 凭证号 (记-12, 记12, 记字第12号, 12, 0012 are one number)
  form one voucher, wherever they stand in the file;
- a row without 凭证号 continues the voucher of the row above when its 日期 is empty or the same
  as that row's; with another date it is a problem (the program does not guess a new voucher);
- a row with a 凭证号 but no 日期 takes the date of the row above when that row is the same voucher.

Checks (all at once, each naming the file's row): the account exists in the book's chart, is a
leaf (the leaves are suggested) and is in use; one amount per row, positive, exact to the 分;
each voucher balances (its rows and the difference named), has a 摘要 and at least two lines;
its month is not before the book's start and not closed. A voucher whose month and number (记 or
no word) are already in the book is ``existing``: the importer refuses it (仅新增) or leaves it
(跳过已有). New vouchers are numbered as the form numbers them: after the month's last number, in
the file's order of numbers, so the book's numbers stay gap-free (the preview says where a
file's number changes).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from itertools import compress, repeat
from operator import and_, attrgetter, eq, ge
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Voucher
from desktop_app.core.cellvalues import fold
from desktop_app.core.errors import UserError
from desktop_app.core.money import MAX_AMOUNT
from desktop_app.core.periods import period_label, period_of
from desktop_app.core.services.funds_base import AccountInfo, book_accounts
from desktop_app.core.services.periods import ensure_period_open
from desktop_app.core.services.voucher_lines import LineInput, check_lines

__all__ = ["AccountFinder", "JournalChunk", "JournalLine", "JournalRow", "PlannedVoucher", "RowProblem", "journal_lines",
           "number_new", "parse_number", "plan_journal", "plan_vouchers", "voucher_labels"]

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_WORDS = ("记", "收", "付", "转", "现收", "现付", "银收", "银付")
_NUMBER = re.compile(r"^(记|收|付|转|现收|现付|银收|银付)?字?第?[-#.:：]?0*(\d{1,6})号?$")


class JournalRow(NamedTuple):
    """One row of the journal as read: ``row`` is the file's row number, ``bad`` a cell already refused.
    (A named tuple: a journal has a hundred thousand of them.)"""

    row: int
    voucher_date: date | None = None
    number: str = ""
    summary: str = ""
    account_code: str = ""
    account_name: str = ""
    debit: Decimal | None = None
    credit: Decimal | None = None
    counterparty: str = ""
    bad: bool = False


@dataclass(frozen=True)
class RowProblem:
    row: int  # the file's row (0: the file as a whole)
    field: str  # date / number / summary / account / debit / credit / counterparty, or "" for the row
    message: str


@dataclass(slots=True)  # a journal plans tens of thousands: their fields looked up fast
class PlannedVoucher:
    period: str
    word: str  # 记, 收 … ("" when the file wrote only the number)
    file_number: int
    voucher_date: date
    rows: list[int] = field(default_factory=list)
    summary: str = ""
    # the lines as checked: (account code, debit, credit, 摘要 or None, 往来单位 or None); ``lines``
    # makes them the form's ``LineInput`` when they are needed (the check needs them only to word a refusal)
    parts: list[tuple[str, Decimal, Decimal, str | None, str | None]] = field(default_factory=list)
    debit: Decimal = ZERO  # the lines' totals
    credit: Decimal = ZERO
    top: Decimal = ZERO  # the largest amount of a line
    existing: bool = False  # the month already has this number
    number: int | None = None  # the number it will get (new vouchers)
    bad: bool = False

    @property
    def lines(self) -> list[LineInput]:
        return [LineInput(code, debit, credit, summary=summary, counterparty=counterparty)
                for code, debit, credit, summary, counterparty in self.parts]

    @property
    def label(self) -> str:
        """The voucher as the file names it: 2026年1月 记-12."""
        return _LABEL(_month_label(self.period), self.word or "记", self.file_number)

    @property
    def row_list(self) -> str:
        rows = self.rows
        shown = "、".join(str(r) for r in rows[:8]) + ("…" if len(rows) > 8 else "")
        return f"第{shown}行"


_month_label = cache(period_label)  # a journal's 33k vouchers name a dozen months
_LABEL = "{} {}-{}".format  # ``label``: month, word, number


def voucher_labels(vouchers: Sequence[PlannedVoucher]) -> list[str]:
    """Each voucher's ``label``, made in C (a journal's 33k vouchers)."""
    shown = {w: w for w in _WORDS} | {"": "记"}  # no word: 记
    return list(map(_LABEL, map(_month_label, map(attrgetter("period"), vouchers)),
                    map(shown.__getitem__, map(attrgetter("word"), vouchers)), map(attrgetter("file_number"), vouchers)))


def parse_number(text: str) -> tuple[str, int]:
    """凭证号 as written → (word, number): 记-12, 记12, 记字第12号, 12, 0012, 记-0012."""
    s = fold(text).replace(" ", "")
    m = _NUMBER.match(s)
    if m is None or int(m.group(2)) == 0:
        raise UserError(f"凭证号“{text}”无法识别，应写成 记-12 或 12")
    return m.group(1) or "", int(m.group(2))


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


_CODE_NAME = re.compile(r"^(\d{3,})(?:\s*[-_ ]?\s*)(.*)$")
_PATH_SPLIT = re.compile(r"\s*[/\\>—_]+\s*|\s*-\s*")


class AccountFinder:
    """A book's accounts found by code, by "1001 库存现金", by name or by a name path (应收款/张三)."""

    def __init__(self, accounts: dict[str, AccountInfo]) -> None:
        self.accounts = accounts
        self.by_id = by_id = {a.id: a for a in accounts.values()}
        self.paths: dict[str, tuple[str, ...]] = {}
        for a in accounts.values():
            names: list[str] = []
            cur: AccountInfo | None = a
            while cur is not None:
                names.append(_key(cur.name))
                cur = by_id.get(cur.parent_id) if cur.parent_id is not None else None
            self.paths[a.code] = tuple(reversed(names))
        self.children: dict[uuid.UUID, list[AccountInfo]] = {}
        for a in accounts.values():
            if a.parent_id is not None:
                self.children.setdefault(a.parent_id, []).append(a)

    def path_text(self, acc: AccountInfo) -> str:
        """应收款/张三: the names from the top account down, as the export writes them."""
        parts: list[str] = []
        cur: AccountInfo | None = acc
        while cur is not None:
            parts.append(cur.name)
            cur = self.by_id.get(cur.parent_id) if cur.parent_id is not None else None
        return "/".join(reversed(parts))

    def leaves_under(self, acc: AccountInfo) -> list[AccountInfo]:
        out: list[AccountInfo] = []
        stack = list(self.children.get(acc.id, []))
        while stack:
            a = stack.pop()
            kids = self.children.get(a.id)
            if kids:
                stack.extend(kids)
            elif a.active:
                out.append(a)
        return sorted(out, key=lambda a: a.code)

    def _by_name(self, text: str) -> list[AccountInfo]:
        parts = tuple(p for p in (_key(x) for x in _PATH_SPLIT.split(text)) if p)
        whole = _key(text)
        found = [a for a in self.accounts.values() if self.paths[a.code][-1] == whole]
        if found or len(parts) < 2:
            return found
        n = len(parts)
        return [a for a in self.accounts.values() if self.paths[a.code][-n:] == parts]

    def _named_as(self, acc: AccountInfo, text: str) -> bool:
        if not text:
            return True
        whole = _key(text)
        path = self.paths[acc.code]
        if whole in (path[-1], "/".join(path), "".join(path)):
            return True
        parts = tuple(p for p in (_key(x) for x in _PATH_SPLIT.split(text)) if p)
        return bool(parts) and path[-len(parts):] == parts

    def find(self, code_text: str, name_text: str = "", *, leaf: bool = True) -> AccountInfo:
        """The account the cells name; ``UserError`` saying why not and what to write."""
        code, name = fold(code_text).strip(), fold(name_text).strip()
        m = _CODE_NAME.match(code)
        if m is not None and m.group(2):  # "1001 库存现金" in the code cell
            code, name = m.group(1), name or m.group(2).strip()
        elif not code and (m := _CODE_NAME.match(name)) is not None:  # … or in the name cell, or a code alone
            code, name = m.group(1), m.group(2).strip()
        if code:
            acc = self.accounts.get(code)
            if acc is None:
                raise UserError(f"科目编码 {code} 不在本账套的科目表中，请核对（本账套的科目见“凭证”页填制凭证时的科目列表）")
            if name and not self._named_as(acc, name):
                raise UserError(f"科目编码 {code} 是“{self.path_text(acc)}”，与科目名称“{name}”不一致，请核对"
                                "（若两个程序的科目名称不同，可在导入预览中把科目名称列设为不导入，只按编码导入）")
        elif name:
            found = self._by_name(name)
            if not found:
                raise UserError(f"科目“{name}”不在本账套的科目表中，请填写科目编码，或写出上级科目（如 应收款/张三）")
            if len(found) > 1:
                leaves = [a for a in found if a.is_leaf] if leaf else found
                if len(leaves) != 1:
                    which = "、".join(f"{a.code} {self.path_text(a)}" for a in found[:6])
                    raise UserError(f"科目名称“{name}”对应多个科目（{which}），请填写科目编码")
                found = leaves
            acc = found[0]
        else:
            raise UserError("没有填写科目，请填写科目编码或科目名称")
        if leaf and not acc.is_leaf:
            leaves = self.leaves_under(acc)
            hint = "、".join(f"{a.code} {a.name}" for a in leaves[:5]) + ("等" if len(leaves) > 5 else "")
            raise UserError(f"科目 {acc.code} {acc.name} 有明细科目，请填到末级科目" + (f"：{hint}" if hint else ""))
        if leaf and not acc.active:
            raise UserError(f"科目 {acc.code} {acc.name} 已停用，不能记账")
        return acc


def _amount(value: Decimal | None, label: str) -> Decimal:
    if value is None:
        return ZERO
    if value != value.quantize(CENT):
        raise UserError(f"{label} {value} 超过两位小数（金额只能精确到分）")
    if value < 0:
        other = "贷方" if label.startswith("借") else "借方"
        raise UserError(f"{label}是负数 {value}：导入的凭证不能是红字凭证，请把金额改为正数填在{other}")
    return value.quantize(CENT)


def _accepted(values: list[Decimal], amounts: dict[Decimal | None, Decimal]) -> None:
    """Into ``amounts``: what ``_amount`` gives for each of ``values`` it accepts (exact to the 分, not
    negative: its quantized value), in C; a refused one is left out (``_amount`` words it at its row)."""
    try:
        cents = list(map(Decimal.quantize, values, repeat(CENT)))
        amounts.update(compress(zip(values, cents, strict=True),
                                map(and_, map(eq, values, cents), map(ge, values, repeat(ZERO)))))
    except ArithmeticError:  # a value Decimal cannot compare or quantize: one by one, as _amount does
        for value in values:
            try:
                amounts[value] = _amount(value, "")  # what it accepts does not depend on the label
            except (UserError, ArithmeticError):
                pass


class JournalChunk(NamedTuple):
    """Rows of the journal as read, by column (``JournalRow``'s fields, one sequence each): the Excel
    side reads a chunk of rows a column at a time, and the plan takes it so. ``bad`` None: no row bad."""

    row: Sequence[int]
    voucher_date: Sequence[date | None]
    number: Sequence[str]
    summary: Sequence[str]
    account_code: Sequence[str]
    account_name: Sequence[str]
    debit: Sequence[Decimal | None]
    credit: Sequence[Decimal | None]
    counterparty: Sequence[str]
    bad: Sequence[bool] | None = None


def plan_vouchers(session: Session, book_id: uuid.UUID, rows: Iterable[JournalRow], *, skip_existing: bool = False
                  ) -> tuple[list[PlannedVoucher], list[RowProblem]]:
    """``plan_journal`` of rows one by one (a list of ``JournalRow``)."""
    rows = list(rows)
    chunks = [JournalChunk(*map(list, zip(*rows, strict=True)))] if rows else []
    return plan_journal(session, book_id, chunks, skip_existing=skip_existing)


def plan_journal(session: Session, book_id: uuid.UUID, chunks: Iterable[JournalChunk], *,
                 skip_existing: bool = False) -> tuple[list[PlannedVoucher], list[RowProblem]]:
    """Group and check the rows (see the module's doc). Every problem is returned, none raised.
    With ``skip_existing`` (跳过已有) a voucher the book already has is left unchecked: re-importing
    a file after its first month was closed is no error.

    A chunk's distinct account cells and amounts are checked before its rows (by column, looked up
    in C); the rows then only group and sum. What a row's check says does not depend on the chunk."""
    finder = AccountFinder(book_accounts(session, book_id))
    numbers: dict[str, tuple[str, int] | UserError] = {}  # each distinct 凭证号 and account cell read once
    found: dict[tuple[str, str], AccountInfo | UserError] = {}
    # each distinct non-zero amount accepted once (a refusal, rare, is worded by ``amount`` at its row; a
    # zero, whose sign and places ``_amount`` keeps, too); a blank is ZERO
    amounts: dict[Decimal | None, Decimal] = {None: ZERO}
    periods: dict[date, str] = {}
    problems: list[RowProblem] = []
    groups: dict[tuple[str, str, int], PlannedVoucher] = {}
    # the row above as placed (its date, voucher key and voucher; key None: not placed), and the last
    # 凭证号 cell met and its voucher
    prev_day: date | None = None
    prev_key: tuple[str, str, int] | None = None
    last_number: str | None = None
    last_v: PlannedVoucher | None = None
    poisoned = False  # the row above could not be placed: rows continuing it are not reported again

    def amount(value: Decimal | None, label: str, field: str, row: int) -> Decimal | None:
        """The cell's amount (ZERO when blank), checked; None when refused, its problem recorded."""
        if value is None:
            return ZERO
        try:
            return _amount(value, label)
        except UserError as e:
            problems.append(RowProblem(row, field, e.message))
            return None

    def place(row: int, day: date | None, number: str, bad: bool) -> PlannedVoucher | None:
        """The voucher the row goes to (the row added to its rows), or None when it cannot be placed
        (its problem recorded)."""
        nonlocal prev_day, prev_key, last_number, last_v, poisoned
        if number == last_number and prev_key is not None and (day is None or day == prev_day):
            # the next line of the voucher above (the common case): the same 凭证号 cell and the same date
            # (or none) as the row above, so the voucher the steps below would find for it
            v = last_v
            assert v is not None
            day, key = prev_day, prev_key
        else:
            if number:
                parsed = numbers.get(number)
                if parsed is None:
                    try:
                        word, n = parse_number(number)
                        parsed = numbers[number] = ("" if word == "记" else word, n)  # 记 or no word: the same
                    except UserError as e:
                        parsed = numbers[number] = e
                if isinstance(parsed, UserError):
                    problems.append(RowProblem(row, "number", parsed.message))
                    prev_key, poisoned = None, True
                    return None
                word, n = parsed
                if day is None and prev_key is not None and prev_key[1:] == (word, n):
                    day = prev_day
                if day is None:
                    if not bad:
                        problems.append(RowProblem(row, "date", "没有填写日期，请填写凭证日期，如 2026-01-31"))
                    prev_key, poisoned = None, True
                    return None
                period = periods.get(day)
                if period is None:
                    period = periods[day] = period_of(day)
                key = (period, word, n)
            else:
                if prev_key is None:
                    if not poisoned and not bad:
                        problems.append(RowProblem(row, "number", "没有填写凭证号，请填写（如 记-1）"))
                    return None
                if day is not None and day != prev_day:
                    assert prev_day is not None
                    problems.append(RowProblem(row, "number",
                                               f"没有填写凭证号，且日期 {day.isoformat()} 与上一行的 "
                                               f"{prev_day.isoformat()} 不同，无法判断属于哪张凭证：请填写凭证号"))
                    prev_key, poisoned = None, True
                    return None
                day, key = prev_day, prev_key
            poisoned = False
            v = groups.get(key)
            if v is None:
                assert day is not None
                v = groups[key] = PlannedVoucher(key[0], key[1], key[2], day)
            if number:
                last_number, last_v = number, v
        if day != v.voucher_date:
            assert day is not None
            problems.append(RowProblem(row, "date", f"同一张凭证（{v.label}，第{v.rows[0]}行起）的日期应相同："
                                                      f"{v.voucher_date.isoformat()} 与 {day.isoformat()}"))
            v.bad = True
        v.rows.append(row)
        prev_day, prev_key = day, key
        return v

    for chunk in chunks:
        pairs = list(zip(chunk.account_code, chunk.account_name, strict=True))
        for cells in set(pairs).difference(found):
            try:
                found[cells] = finder.find(*cells)
            except UserError as e:
                found[cells] = e
        _accepted([x for x in set(chunk.debit).union(chunk.credit).difference(amounts) if x], amounts)
        get = amounts.get  # a refused or zero amount: None, checked at its row by ``amount``
        for (row, day, number, line_summary, debit_cell, credit_cell, party, bad, acc_or, debit, credit) in zip(
                chunk.row, chunk.voucher_date, chunk.number, chunk.summary, chunk.debit, chunk.credit,
                chunk.counterparty, chunk.bad or repeat(False), map(found.__getitem__, pairs),
                map(get, chunk.debit), map(get, chunk.credit), strict=False):
            if number == last_number and prev_key is not None and (day is None or day == prev_day) \
                    and last_v is not None and prev_day == last_v.voucher_date:
                v = last_v  # the next line of the voucher above (``place``'s first step), no problem
                v.rows.append(row)
            else:
                placed = place(row, day, number, bad)
                if placed is None:
                    continue
                v = placed
            if bad:
                v.bad = True
                continue
            if line_summary and not v.summary:
                v.summary = line_summary
            if isinstance(acc_or, UserError):
                problems.append(RowProblem(row, "account", acc_or.message))
                v.bad = True
                continue
            if debit is None:
                debit = amount(debit_cell, "借方金额", "debit", row)
                if debit is None:
                    v.bad = True
                    continue
            if credit is None:
                credit = amount(credit_cell, "贷方金额", "credit", row)
                if credit is None:
                    v.bad = True
                    continue
            if debit and credit:
                problems.append(RowProblem(row, "credit", "同一行只能填借方或贷方其中一方的金额，请分成两行"))
                v.bad = True
                continue
            if not debit and not credit:
                problems.append(RowProblem(row, "debit", "借方、贷方都没有金额，请填写其中一方（或删除该行）"))
                v.bad = True
                continue
            if len(line_summary) > 200:
                problems.append(RowProblem(row, "summary", "摘要不能超过200个字"))
                v.bad = True
                continue
            if len(party) > 100:
                problems.append(RowProblem(row, "counterparty", "往来单位不能超过100个字"))
                v.bad = True
                continue
            if debit:
                v.debit += debit
                if debit > v.top:
                    v.top = debit
            else:
                v.credit += credit
                if credit > v.top:
                    v.top = credit
            v.parts.append((acc_or.code, debit, credit, line_summary or None, party or None))
    order = {w: i for i, w in enumerate(_WORDS)} | {"": 0}  # "" is 记
    vouchers = sorted(groups.values(), key=lambda v: (v.period, order[v.word], v.file_number))
    held: dict[str, set[int]] = {}
    for v in vouchers:
        if v.period not in held:
            held[v.period] = set(session.scalars(select(Voucher.number).where(
                Voucher.book_id == book_id, Voucher.period == v.period, Voucher.deleted.is_(False))))
        v.existing = v.word == "" and v.file_number in held[v.period]
    if skip_existing:
        left = {r for v in vouchers if v.existing for r in v.rows}
        problems = [p for p in problems if p.row not in left]
    _check_vouchers(session, book_id, finder, [v for v in vouchers if not (skip_existing and v.existing)], problems)
    return vouchers, sorted(problems, key=lambda p: p.row)


def _check_vouchers(session: Session, book_id: uuid.UUID, finder: AccountFinder, vouchers: Sequence[PlannedVoucher],
                    problems: list[RowProblem]) -> None:
    months: dict[str, str | None] = {}
    for v in vouchers:
        if v.period not in months:
            try:
                ensure_period_open(session, book_id, v.period)
                months[v.period] = None
            except UserError as e:
                months[v.period] = e.message
                count = sum(1 for x in vouchers if x.period == v.period)
                problems.append(RowProblem(v.rows[0], "date", f"{e.message}（文件中该月共 {count} 张凭证，均不能导入）"))
        if months[v.period] is not None:
            v.bad = True
        if v.bad:
            continue
        if not v.summary:
            problems.append(RowProblem(v.rows[0], "summary", f"凭证 {v.label}（{v.row_list}）没有摘要，请至少在第一行填写摘要"))
            v.bad = True
            continue
        debit, credit = v.debit, v.credit
        if debit != credit:
            problems.append(RowProblem(v.rows[0], "", f"凭证 {v.label}（{v.row_list}）借贷不平衡：借方合计 {debit}，"
                                                      f"贷方合计 {credit}，相差 {debit - credit}"))
            v.bad = True
            continue
        if len(v.parts) >= 2 and v.top <= MAX_AMOUNT:
            # what is left of the form's own check: each line was checked above by the same rules
            # (an active leaf of the chart, one side positive in 分, 摘要 and 往来单位 within their
            # lengths) and the voucher balances; with two lines or more and no amount over the limit
            # ``check_lines`` accepts it (tests/funds/test_voucher_import.py runs both on every kind of line)
            continue
        try:  # the form's own check (two lines at least, the largest amount …), which words the refusal
            check_lines(finder.accounts, v.lines)
        except UserError as e:
            row = v.rows[e.row - 1] if e.row is not None and 0 < e.row <= len(v.rows) else v.rows[0]
            problems.append(RowProblem(row, "", f"凭证 {v.label}（{v.row_list}）：{e.message}"))
            v.bad = True


def number_new(session: Session, book_id: uuid.UUID, vouchers: Sequence[PlannedVoucher]) -> None:
    """The numbers the new vouchers will get: after each month's last, in the file's order."""
    top: dict[str, int] = {}
    for v in vouchers:
        if v.existing:
            continue
        if v.period not in top:
            top[v.period] = session.scalar(select(func.max(Voucher.number)).where(
                Voucher.book_id == book_id, Voucher.period == v.period)) or 0
        top[v.period] += 1
        v.number = top[v.period]


@dataclass(frozen=True)
class JournalLine:
    """One voucher line as the flat journal export writes it (the import's columns)."""

    voucher_date: date
    code: str  # 记-0005
    summary: str
    account_code: str
    account_name: str  # the name path: 应收款/张三
    debit: Decimal | None
    credit: Decimal | None
    counterparty: str | None


def journal_lines(session: Session, book_id: uuid.UUID, first: str, last: str) -> list[JournalLine]:
    """The lines of the book's vouchers in months ``first`` … ``last`` (作废 ones left out: a voided
    voucher re-imported would count), by month, number and line; each line's 摘要 is its own or,
    when it has none, the voucher's."""
    from db.models import Entry

    finder = AccountFinder(book_accounts(session, book_id))
    by_id = finder.by_id
    q = (select(Voucher.voucher_date, Voucher.number, Voucher.summary, Entry.account_id, Entry.debit, Entry.credit,
                Entry.summary, Entry.counterparty)
         .join(Entry, Entry.voucher_id == Voucher.id)
         .where(Voucher.book_id == book_id, Voucher.period >= first, Voucher.period <= last,
                Voucher.deleted.is_(False), Voucher.status != "作废", Entry.deleted.is_(False))
         .order_by(Voucher.period, Voucher.number, Entry.line_no))
    out: list[JournalLine] = []
    for day, number, v_summary, account_id, debit, credit, summary, counterparty in session.execute(q):
        acc = by_id[account_id]
        out.append(JournalLine(day, f"记-{number:04d}", summary or v_summary, acc.code, finder.path_text(acc),
                               debit if debit else None, credit if credit else None, counterparty or None))
    return out
