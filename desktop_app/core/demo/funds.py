"""Demo vouchers: opening balances and ``ctx.years`` years of realistic posted vouchers per book.

Rent and 发包 receipts, 村级组织运转经费 subsidies, 干部报酬, office and utility costs paid in cash
(topped up from the bank so cash never goes negative), 公益 spending, project investment carried to
fixed assets at year end, bank interest and 一事一议 items. Every past December gets its
distribution and year-end closing; every month before the current one is closed and sealed.
Written through the bulk path (``voucher_bulk``): one audit entry per book's batch of vouchers and
one per batch of closed months, as that module documents.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import OpeningBalance
from db.types import uuid7
from desktop_app.core.services.funds_base import (
    YEAR_END_KIND,
    book_accounts,
    period_of,
    periods_between,
    prev_period,
)
from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_close_periods, bulk_post_vouchers
from desktop_app.core.services.voucher_lines import LineInput

if TYPE_CHECKING:
    from desktop_app.core.demo import DemoContext

TODAY = date(2026, 11, 23)  # the demo's "now": 2026-11 is the current (open) month
CURRENT_PERIOD = period_of(TODAY)
Y = Decimal("1.00")


class _Book:
    """Generates one book's vouchers, keeping balances to stay realistic (cash ≥ 0)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bal: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))  # debit-positive per code
        self.out: list[BulkVoucher] = []

    def money(self, lo: int, hi: int, step: int = 1) -> Decimal:
        return Decimal(self.rng.randrange(lo, hi, step)) * Y

    def add(self, day: date, summary: str, lines: list[tuple[str, Decimal, Decimal]], *,
            kind: str | None = None, flags: tuple[str, ...] = (), source_id: uuid.UUID | None = None) -> None:
        for code, d, c in lines:
            self.bal[code] += d - c
        self.out.append(BulkVoucher(day, summary, [LineInput(code, d, c) for code, d, c in lines],
                                    source_kind=kind, source_id=source_id, flags=flags,
                                    attachments=self.rng.randint(1, 4)))

    def pay(self, day: date, summary: str, debit_code: str, amount: Decimal, *, cash: bool = False,
            flags: tuple[str, ...] = ()) -> None:
        if cash and self.bal["101"] < amount:
            self.add(day, "从银行提取备用金", [("101", Decimal(3000) * Y, Decimal(0)), ("102", Decimal(0), Decimal(3000) * Y)])
        self.add(day, summary, [(debit_code, amount, Decimal(0)), ("101" if cash else "102", Decimal(0), amount)],
                 flags=flags)

    def receive(self, day: date, summary: str, credit_code: str, amount: Decimal, *, flags: tuple[str, ...] = ()) -> None:
        self.add(day, summary, [("102", amount, Decimal(0)), (credit_code, Decimal(0), amount)], flags=flags)

    def month(self, y: int, m: int, village: str) -> None:
        rng = self.rng

        def d(day: int) -> date:
            return date(y, m, min(day, 28))

        for _ in range(rng.randint(1, 3)):
            who = rng.choice(["王建国", "李秀英", "张志强", "刘海军", "陈德明", "江宁农业科技有限公司", "绿源合作社"])
            what = rng.choice(["厂房租金", "门面房租金", "仓库租金"])
            self.receive(d(rng.randint(3, 25)), f"收{who}{what}", "50101", self.money(2000, 30000, 100))
        if m in (1, 12):
            self.receive(d(10), f"收{y}年度耕地发包承包金", "50102", self.money(40000, 160000, 500))
        if m % 3 == 0:
            self.receive(d(15), f"收到{y}年第{m // 3}季度村级组织运转经费补助", "50301", self.money(50000, 120000, 1000))
            self.receive(d(21), f"银行存款利息（{y}年第{m // 3}季度）", "504", self.money(80, 900))
        self.pay(d(5), f"发放{m}月村干部报酬", "51301", self.money(12000, 24000, 100))
        self.pay(d(rng.randint(6, 20)), "购买办公用品", "51302", self.money(200, 1500), cash=True)
        self.pay(d(rng.randint(6, 25)), f"支付{m}月村部水电费", "51306", self.money(300, 1200), cash=True)
        if rng.random() < 0.4:
            self.pay(d(rng.randint(8, 26)), rng.choice(["村庄环境整治保洁费", "道路维修", "路灯维修"]),
                     "514", self.money(2000, 15000, 100))
        if m in (4, 9):
            amount = self.money(80000, 300000, 1000)
            self.pay(d(18), f"{village}村道硬化工程进度款", "153", amount, flags=("工程招投标",))
        if m == 5:
            raised = self.money(20000, 60000, 100)
            self.receive(d(12), "收一事一议筹资（村内道路亮化）", "231", raised, flags=("一事一议",))
            self.pay(d(26), "一事一议项目支出：村内道路亮化", "231", raised, flags=("一事一议",))

    def year_end(self, y: int, *, distribute: bool) -> None:
        day = date(y, 12, 31)
        if self.bal["153"] > 0:
            self.add(day, "在建工程完工转入固定资产", [("15102", self.bal["153"], Decimal(0)),
                                                      ("153", Decimal(0), self.bal["153"])])
        pl_codes = [c for c in self.bal if c[0] == "5" and self.bal[c] != 0]
        net = -sum((self.bal[c] for c in pl_codes), Decimal(0))
        if net > 0 and distribute:
            reserve = (net * Decimal("0.3")).quantize(Y)
            members = (net * Decimal("0.4")).quantize(Y)
            self.add(day, f"{y}年度提取公积公益金", [("3220201", reserve, Decimal(0)), ("311", Decimal(0), reserve)])
            self.add(day, f"{y}年度向成员分配收益", [("3220202", members, Decimal(0)), ("113", Decimal(0), members)])
        src = uuid.UUID(int=y)
        lines = [(c, -self.bal[c] if self.bal[c] < 0 else Decimal(0), self.bal[c] if self.bal[c] > 0 else Decimal(0))
                 for c in pl_codes]
        if net != 0:
            lines.append(("321", -net, Decimal(0)) if net < 0 else ("321", Decimal(0), net))
        if len(lines) >= 2:
            self.add(day, f"{y}年结转本年损益", lines, kind=YEAR_END_KIND, source_id=src)
        n321 = self.bal["321"]
        if n321 != 0:
            self.add(day, f"{y}年结转本年收益至未分配收益",
                     [("321", -n321, Decimal(0)), ("32201", Decimal(0), -n321)] if n321 < 0 else
                     [("32201", n321, Decimal(0)), ("321", Decimal(0), n321)], kind=YEAR_END_KIND, source_id=src)
        dist = [c for c in ("3220201", "3220202", "3220203") if self.bal[c] != 0]
        if dist:
            total = sum((self.bal[c] for c in dist), Decimal(0))
            self.add(day, f"{y}年结转各项分配至未分配收益",
                     [("32201", total, Decimal(0))] + [(c, Decimal(0), self.bal[c]) for c in dist],
                     kind=YEAR_END_KIND, source_id=src)


def _opening(book: _Book) -> list[tuple[str, Decimal]]:
    """A balanced opening 科目余额表 (debit-positive)."""
    m = book.money
    lines = [("101", m(2000, 8000)), ("102", m(150000, 900000, 100)), ("112", m(0, 60000, 100)),
             ("15101", m(300000, 2000000, 1000)), ("15102", m(200000, 1500000, 1000))]
    dep = -(sum((v for c, v in lines if c.startswith("151")), Decimal(0)) * Decimal("0.2")).quantize(Y)
    assets = sum((v for _, v in lines), Decimal(0)) + dep
    capital = -(assets * Decimal("0.6")).quantize(Y)
    reserve = -(assets * Decimal("0.3")).quantize(Y)
    lines += [("152", dep), ("301", capital), ("311", reserve), ("32201", -(assets + capital + reserve))]
    return lines


def seed_vouchers(session: Session, ctx: DemoContext) -> None:
    """For every village book: opening balances, ``ctx.years`` (1–3) years of vouchers, months closed."""
    years = max(1, min(3, ctx.years))
    first_year = TODAY.year - years + 1
    maker, reviewer = ctx.users["bookkeeper"], ctx.users["reviewer"]
    for book_row in ctx.books:
        accounts = book_accounts(session, book_row.id)
        gen = _Book(ctx.rng)
        opening = _opening(gen)
        for code, v in opening:
            gen.bal[code] += v
        bulk_insert(session, OpeningBalance, [{
            "id": uuid7(), "book_id": book_row.id, "account_id": accounts[c].id,
            "debit": v if v > 0 else Decimal("0.00"), "credit": -v if v < 0 else Decimal("0.00"),
        } for c, v in opening])
        record_audit(session, AuditRecord("create", "opening_balance", str(book_row.id),
                                          f"{book_row.name}：录入期初余额（示例数据，{len(opening)}个科目）"))
        village = book_row.name.split("村")[0]
        for y in range(first_year, TODAY.year + 1):
            for m in range(1, 13):
                if date(y, m, 1) > TODAY:
                    break
                gen.month(y, m, village)
            if y < TODAY.year:
                # Last year's distribution is the members demo's, through the distribution
                # service (plan, roster, vouchers); a 村民委员会 book distributes nothing.
                gen.year_end(y, distribute=y < TODAY.year - 1 and book_row.kind != "村民委员会")
        gen.out.sort(key=lambda v: v.voucher_date)  # numbers follow the dates within each month
        bulk_post_vouchers(session, book_row.id, gen.out, maker=maker, reviewer=reviewer,
                           audit_summary="生成示例凭证并记账")
        closed = periods_between(book_row.start_period, prev_period(CURRENT_PERIOD))
        bulk_close_periods(session, book_row.id, closed, closed_by=maker.display_name)
