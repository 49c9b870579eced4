"""Demo books: opening balances, then a month-by-month simulation of ``ctx.years`` (1–3) years.

Each month of each book: the day-to-day vouchers (sales of the collective's produce and
services, 村级组织运转经费 subsidies, money advanced to a cooperative and recovered, 干部报酬, office and
utility costs paid in cash, topped up from the bank so cash never goes negative, 公益 spending; a
上级专项补助 arrives before a bank payment would leave less than a working reserve, so 货币资金 stays
positive whatever the contracts and the payout bring in or take out that month;
project investment, bank interest, 一事一议), every line naming its counterparty; then the other
areas' business of the month through their own services (``ctx.monthly``: contract receipts and
deposits, asset purchases, depreciation and disposals, the distribution plan and its payout);
in December the 在建工程 completed becomes an asset card, advance rent is recognised and the year
is closed (年终结转); then the month is closed (结账) for every book at once (``close_periods``,
checked like one close each), in order, as a user would. The current month stays open.
Day-to-day vouchers, depreciation runs, receipts and deposits of a month are posted together
through the bulk path (``PostingBatch`` → ``voucher_bulk``: checked like any voucher, one audit
entry per book and month, each record its own), reviewed by the demo's 审核员 and posted by its
记账员; everything else through the ordinary services, whose vouchers wait in 填制 (the books'
default 自动凭证 setting) until the 审核员 reviews and the 记账员 posts them, before 年终结转 and 结账.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import Account, AccountPeriodTotal, Book, OpeningBalance, Voucher
from db.types import uuid7
from desktop_app.core.rows import BookRow, UserRow
from desktop_app.core.services.funds_base import book_accounts, period_of, read_cache
from desktop_app.core.services.periods import close_periods
from desktop_app.core.services.plans import PlanInput, set_plan
from desktop_app.core.services.posting_batch import PostingBatch
from desktop_app.core.services.voucher_bulk import BulkVoucher
from desktop_app.core.services.voucher_lines import LineInput
from desktop_app.core.services.vouchers import post_voucher, review_voucher
from desktop_app.core.services.yearend import close_year

if TYPE_CHECKING:
    from desktop_app.core.demo import DemoContext

TODAY = date(2026, 11, 23)  # the demo's "now": 2026-11 is the current (open) month
CURRENT_PERIOD = period_of(TODAY)
Y = Decimal("1.00")
ZERO = Decimal("0.00")
BANK = "江苏江宁农村商业银行"
DISTRICT_FINANCE = "江宁区财政局"
RESERVE = Decimal(250000) * Y  # bank left after a payment: room for the month's payout and deposits
SUPPLIERS = ["苏果超市江宁店", "晨光文具江宁经营部", "江宁区东山办公用品商行"]
POWER = "国网南京供电公司江宁分公司"
CLEANERS = ["南京洁美环境服务有限公司", "江宁区绿洲保洁服务部", "南京通达道路养护有限公司"]
BUYERS = ["江宁区春晖苗木有限公司", "南京绿野园林绿化工程有限公司", "江宁区金穗农机专业合作社"]
BUILDERS = ["南京宏建建设工程有限公司", "江苏华禹市政工程有限公司"]
MonthHook = Callable[[Session, "DemoContext", BookRow, int, int], None]
BatchHook = Callable[[Session, "DemoContext", list[BookRow], int, int, PostingBatch], None]  # all books of a month


def demo_years(years: int) -> tuple[int, int]:
    """(first year, last year) the demo covers: ``years`` (1–3) years up to the current one."""
    n = max(1, min(3, years))
    return TODAY.year - n + 1, TODAY.year


def months(years: int) -> list[tuple[int, int]]:
    first, last = demo_years(years)
    return [(y, m) for y in range(first, last + 1) for m in range(1, 13) if date(y, m, 1) <= TODAY]


class _Book:
    """Generates one book's day-to-day vouchers, keeping its cash to stay realistic (cash ≥ 0)."""

    def __init__(self, rng: random.Random, township: str) -> None:
        self.rng = rng
        self.town_finance = f"{township}财政所"
        self.cash = ZERO
        self.bank = ZERO  # set from the books at the start of each month (other areas pay from it too)
        self.lent = ZERO
        self.out: list[BulkVoucher] = []

    def money(self, lo: int, hi: int, step: int = 1) -> Decimal:
        return Decimal(self.rng.randrange(lo, hi, step)) * Y

    def add(self, day: date, summary: str, who: str, lines: list[tuple[str, Decimal, Decimal]], *,
            flags: tuple[str, ...] = (), project_id: uuid.UUID | None = None) -> None:
        for code, d, c in lines:
            if code == "101":
                self.cash += d - c
            elif code == "102":
                self.bank += d - c
        self.out.append(BulkVoucher(day, summary, [
            LineInput(code, d, c, counterparty=who, project_id=project_id if code == lines[0][0] else None)
            for code, d, c in lines], flags=flags, attachments=self.rng.randint(1, 4)))

    def pay(self, day: date, summary: str, who: str, debit_code: str, amount: Decimal, *, cash: bool = False,
            flags: tuple[str, ...] = (), project_id: uuid.UUID | None = None) -> None:
        if cash and self.cash < amount:
            self.add(day, "从银行提取备用金", BANK, [("101", Decimal(3000) * Y, ZERO), ("102", ZERO, Decimal(3000) * Y)])
        if not cash and self.bank - amount < RESERVE:
            short = RESERVE + amount - self.bank
            grant = (short / 10000).to_integral_value(rounding=ROUND_CEILING) * 10000 * Y
            self.receive(day, f"收到上级专项补助（{summary}）", DISTRICT_FINANCE, "50302", grant)
        self.add(day, summary, who, [(debit_code, amount, ZERO), ("101" if cash else "102", ZERO, amount)], flags=flags,
                 project_id=project_id)

    def receive(self, day: date, summary: str, who: str, credit_code: str, amount: Decimal, *,
                flags: tuple[str, ...] = ()) -> None:
        self.add(day, summary, who, [("102", amount, ZERO), (credit_code, ZERO, amount)], flags=flags)

    def month(self, y: int, m: int, village: str, works: tuple[uuid.UUID, str, Decimal] | None = None
              ) -> list[BulkVoucher]:
        """The month's day-to-day vouchers (rent and 承包金 come from the contracts)."""
        rng = self.rng

        def d(day: int) -> date:
            return date(y, m, min(day, 28))

        if m % 3 == 0:
            self.receive(d(15), f"收到{y}年第{m // 3}季度村级组织运转经费补助", self.town_finance, "50301",
                         self.money(50000, 120000, 1000))
            self.receive(d(21), f"银行存款利息（{y}年第{m // 3}季度）", BANK, "504", self.money(80, 900))
        if m in (6, 10):  # the collective's own produce and services (rent and 承包金 come from the contracts)
            self.receive(d(rng.randint(8, 24)), "出售集体苗木收入" if m == 10 else "收取夏收农机作业服务费",
                         rng.choice(BUYERS), "50103" if m == 10 else "50104", self.money(3000, 25000, 100))
        self.pay(d(5), f"发放{m}月村干部报酬", f"{village}村两委干部", "51301", self.money(12000, 24000, 100))
        self.pay(d(rng.randint(6, 20)), "购买办公用品", rng.choice(SUPPLIERS), "51302", self.money(200, 1500), cash=True)
        self.pay(d(rng.randint(6, 25)), f"支付{m}月村部水电费", POWER, "51306", self.money(300, 1200), cash=True)
        if rng.random() < 0.4:
            self.pay(d(rng.randint(8, 26)), rng.choice(["村庄环境整治保洁费", "道路维修", "路灯维修"]),
                     rng.choice(CLEANERS), "514", self.money(2000, 15000, 100))
        if m == 3:  # money advanced to a cooperative (应收款), recovered in August
            self.lent = self.money(5000, 30000, 100)
            self.pay(d(rng.randint(2, 12)), "代垫农机作业燃油款", BUYERS[2], "112", self.lent)
        if m == 8 and self.lent:
            self.receive(d(rng.randint(5, 25)), "收回代垫农机作业燃油款", BUYERS[2], "112", self.lent)
            self.lent = ZERO
        if m in (4, 9):  # the year's 工程 (``works``: its project, contractor and contract sum) paid 60% / 40%
            project, builder, total = works or (None, rng.choice(BUILDERS), self.money(130000, 500000, 1000))
            amount = (total * Decimal("0.6")).quantize(Y) if m == 4 else total - (total * Decimal("0.6")).quantize(Y)
            self.pay(d(18), f"{village}村道硬化工程{'进度款' if m == 4 else '尾款'}", builder, "153", amount,
                     flags=("工程招投标",), project_id=project)
        if m == 5:
            raised = self.money(20000, 60000, 100)
            self.receive(d(12), "收一事一议筹资（村内道路亮化）", f"{village}村农户（一事一议筹资）", "231", raised,
                         flags=("一事一议",))
            self.pay(d(26), "一事一议项目支出：村内道路亮化", rng.choice(CLEANERS), "231", raised, flags=("一事一议",))
        out, self.out = self.out, []
        out.sort(key=lambda v: v.voucher_date)  # numbers follow the dates among these
        return out


def _opening(book: _Book) -> list[tuple[str, Decimal]]:
    """A balanced opening 科目余额表 (debit-positive); no 往来 balance, since an opening balance names
    no counterparty (债权债务 are listed item by item)."""
    m = book.money
    lines = [("101", m(2000, 8000)), ("102", m(150000, 900000, 100)),
             ("15101", m(300000, 2000000, 1000)), ("15102", m(200000, 1500000, 1000))]
    dep = -(sum((v for c, v in lines if c.startswith("151")), ZERO) * Decimal("0.2")).quantize(Y)
    assets = sum((v for _, v in lines), ZERO) + dep
    capital = -(assets * Decimal("0.6")).quantize(Y)
    reserve = -(assets * Decimal("0.3")).quantize(Y)
    lines += [("152", dep), ("301", capital), ("311", reserve), ("32201", -(assets + capital + reserve))]
    return [(c, v) for c, v in lines if v != 0]


def seed_opening(session: Session, ctx: DemoContext) -> None:
    """Every book's opening balances (期初余额) at its start month (one bulk insert for all books,
    then each book's audit entry)."""
    rows: list[dict[str, Any]] = []
    audits: list[AuditRecord] = []
    for book_row in ctx.books:
        if book_row.id in ctx.gens:
            continue
        accounts = book_accounts(session, book_row.id)
        gen = ctx.gens[book_row.id] = _Book(ctx.rng, ctx.township[1])
        opening = _opening(gen)
        gen.cash = dict(opening)["101"]
        rows += [{"id": uuid7(), "book_id": book_row.id, "account_id": accounts[c].id,
                  "debit": v if v > 0 else ZERO, "credit": -v if v < 0 else ZERO} for c, v in opening]
        audits.append(AuditRecord("create", "opening_balance", str(book_row.id),
                                  f"{book_row.name}：录入期初余额（示例数据，{len(opening)}个科目）"))
    bulk_insert(session, OpeningBalance, rows)
    record_audit(session, audits)


_BANK = (Account.code.like("102%"), Account.deleted.is_(False))
_BOOKS: BindParameter[Any] = bindparam("books", expanding=True)
_BANK_OPENING = (select(OpeningBalance.book_id, OpeningBalance.debit, OpeningBalance.credit)
                 .join(Account, Account.id == OpeningBalance.account_id)
                 .where(OpeningBalance.book_id.in_(_BOOKS), OpeningBalance.deleted.is_(False), *_BANK))
_BANK_BEFORE = (select(AccountPeriodTotal.book_id, func.sum(AccountPeriodTotal.debit),
                       func.sum(AccountPeriodTotal.credit))
                .join(Account, Account.id == AccountPeriodTotal.account_id)
                .where(AccountPeriodTotal.book_id.in_(_BOOKS), AccountPeriodTotal.period < bindparam("period"), *_BANK)
                .group_by(AccountPeriodTotal.book_id))


def _bank_balances(session: Session, book_ids: list[uuid.UUID], period: str) -> dict[uuid.UUID, Decimal]:
    """银行存款 (every 102 account) in each book before ``period`` (receipts and payouts of other
    areas included): the opening balances and the posted totals the balances service reads
    (``balances.balances_before``), for all the books in two queries."""
    out = dict.fromkeys(book_ids, ZERO)
    conn = session.connection()
    for book_id, debit, credit in conn.execute(_BANK_OPENING, {"books": book_ids}):
        out[book_id] += debit - credit
    for book_id, debit, credit in conn.execute(_BANK_BEFORE, {"books": book_ids, "period": period}):
        out[book_id] += (debit or ZERO) - (credit or ZERO)
    return out


def _plan_lines(rng: random.Random) -> list[PlanInput]:
    """A 年度财务计划 by first-level income and expense account, in the range the months produce."""
    def amount(lo: int, hi: int) -> Decimal:
        return Decimal(rng.randrange(lo, hi, 1000)) * Y

    return [PlanInput("501", amount(60000, 260000)), PlanInput("503", amount(250000, 420000)),
            PlanInput("504", amount(1000, 5000)), PlanInput("511", amount(10000, 40000)),
            PlanInput("513", amount(200000, 320000)), PlanInput("514", amount(40000, 90000))]


def _review_and_post(session: Session, book_ids: list[uuid.UUID], reviewer: UserRow, poster: UserRow) -> None:
    """The month's module vouchers (asset purchases, disposals, distributions … that wait in 填制 under
    the books' default 自动凭证 setting) reviewed by the 审核员 and posted by the 记账员, as an office does
    before 结账: through the services, one audit entry each."""
    waiting = session.scalars(select(Voucher.id).where(Voucher.book_id.in_(book_ids), Voucher.status == "填制",
                                                       Voucher.deleted.is_(False))
                              .order_by(Voucher.book_id, Voucher.period, Voucher.number)).all()
    for voucher_id in waiting:
        review_voucher(session, voucher_id, user=reviewer)
        post_voucher(session, voucher_id, user=poster)


def seed_vouchers(session: Session, ctx: DemoContext) -> None:
    """The month-by-month simulation of every book (see the module's docstring).

    Each month, every book's day-to-day vouchers and the areas' batched business (``ctx.batched``:
    depreciation runs, contract receipts and deposits, through the services' batch forms) are
    posted together, one bulk call per book; then each book's other business (``ctx.monthly``),
    its year-end close in December, and the month is closed for all books at once."""
    seed_opening(session, ctx)
    maker, reviewer = ctx.users["bookkeeper"], ctx.users["reviewer"]
    every = months(ctx.years)
    steps = sum(1 for y, m in every for b in ctx.books if f"{y:04d}-{m:02d}" >= b.start_period) or 1
    done = 0
    # the books stay in the session's identity map for the whole run, so the services looking a
    # book up (every voucher, close, run) find it there instead of reading it again
    loaded = session.scalars(select(Book).where(Book.id.in_([b.id for b in ctx.books]))).all()
    for y, m in every:
        period = f"{y:04d}-{m:02d}"
        books = [b for b in ctx.books if period >= b.start_period]
        if m == 1:  # the year's 财务计划 is entered before its first voucher, as the 村民代表会议 adopted it
            for book in books:
                set_plan(session, book.id, y, _plan_lines(ctx.rng), user=maker)
        batch = PostingBatch(maker, reviewer, summary=f"录入{y}年{m}月日常凭证、收款与折旧并记账（示例数据）")
        # until the batch is posted everything only reads (the batch forms write their records
        # after posting): each book's chart and balances are read once for all of it
        with read_cache(session):
            banks = _bank_balances(session, [b.id for b in books], period)
            for book in books:
                gen = ctx.gens[book.id]
                gen.bank = banks[book.id]
                batch.add(book.id, gen.month(y, m, book.name.split("村")[0], ctx.works.get((book.id, y))))
            for batched in ctx.batched:
                batched(session, ctx, books, y, m, batch)
        batch.post(session)
        for book in books:
            for hook in ctx.monthly:
                hook(session, ctx, book, y, m)
        _review_and_post(session, [b.id for b in books], reviewer, maker)
        for book in books:
            if m == 12:
                close_year(session, book.id, y, user=maker)
            done += 1
            ctx.report(done, steps, f"{y}年{m}月 {book.name}")
        # the 联合社's book has no business in the demo (nothing to carry in December), but its months end
        # like everyone's (else 首页 greets a new user with two years of months to close)
        idle = [b for b in ctx.idle_books if period >= b.start_period]
        if period < CURRENT_PERIOD:
            close_periods(session, [(book.id, period) for book in [*books, *idle]], user=maker)
    del loaded
