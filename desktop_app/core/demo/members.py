"""Demo households, members and shares for every village, and last year's distribution paid.

Families are plausible (a head of 30–80, a spouse of about the same age, children born when the
parents were 22–36, sometimes an elderly parent or grandchildren); every ID number is valid
(area code of the district, 320115) and unique. Shares follow a 2019 quantification: one 人口股
per member born by then, 农龄股 by years of farming. Written through the import path (validated,
Core executemany). In the month simulation (``ctx.monthly``) each year's plan is computed from the
closed books in the next spring, publicised, approved (March) and paid (April) through the
distribution services, so its vouchers are in the books.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from desktop_app.core.demo.funds import demo_years
from desktop_app.core.ids import make_ric
from desktop_app.core.rows import BookRow
from desktop_app.core.services.distribution import approve_plan, draft_plan, publicise_plan, record_payout
from desktop_app.core.services.distribution_books import distributable_income
from desktop_app.core.services.distribution_query import find_plan, update_distribution_settings
from desktop_app.core.services.members import MemberInput
from desktop_app.core.services.members_import import ImportRow, apply_member_import, validate_member_import
from desktop_app.core.services.shares import ensure_default_share_types

if TYPE_CHECKING:
    from desktop_app.core.demo import DemoContext

TODAY = date(2026, 11, 23)  # the demo's "now" (as the funds demo)
QUANTIFIED = date(2019, 12, 31)  # 股份量化基准日: 生不增、死不减 after it
AREA = "320115"
SURNAMES = ("王" * 8 + "李" * 8 + "张" * 7 + "刘" * 6 + "陈" * 6 + "杨" * 4 + "黄" * 3 + "赵" * 3 + "吴" * 3 + "周" * 3
            + "徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛")
MALE = "建国志强海军德明国华文斌伟明永刚金宝春生长林学军建平振华勇俊杰浩宇子轩明辉家豪晓东立新卫东红兵"
FEMALE = "秀英红梅桂兰玉珍凤英淑芬丽华美玲海燕春燕小红晓敏雅婷欣怡梦瑶静怡佳琪月娥翠花兰英彩霞"


_PAIRS = {pool: [pool[i:i + 2] for i in range(0, len(pool) - 1, 2)] for pool in (MALE, FEMALE)}  # two-character names


def _given(rng: random.Random, pool: str) -> str:
    return rng.choice(_PAIRS[pool]) if rng.random() < 0.85 else rng.choice(pool)


class _People:
    def __init__(self, rng: random.Random, used: set[str]) -> None:
        self.rng, self.used = rng, used

    def birth(self, lo_age: float, hi_age: float) -> date:
        days = self.rng.uniform(lo_age, hi_age) * 365.25
        return min(TODAY - timedelta(days=int(days)), TODAY - timedelta(days=30))

    def ric(self, birth: date, male: bool) -> str:
        for _ in range(200):
            seq = self.rng.randrange(1, 1000)
            if (seq % 2 == 1) != male:
                seq = seq - 1 if seq > 1 else seq + 1
            ric = make_ric(AREA, birth, seq)
            if ric not in self.used:
                self.used.add(ric)
                return ric
        raise RuntimeError("no free ID sequence number")  # pragma: no cover

    def person(self, surname: str, male: bool, birth: date) -> tuple[str, str]:
        return surname + _given(self.rng, MALE if male else FEMALE), self.ric(birth, male)


def _shares(birth: date) -> dict[str, object]:
    if birth > QUANTIFIED:
        return {}  # born after the quantification: 生不增
    age = (QUANTIFIED - birth).days / 365.25
    farm = Decimal("1") if age >= 35 else Decimal("0.5") if age >= 16 else Decimal("0")
    return {"人口股": Decimal("1"), "农龄股": farm}


def _household(p: _People, number: str, group: str) -> list[ImportRow]:
    rng = p.rng
    head_male = rng.random() < 0.88
    surname = rng.choice(SURNAMES)
    head_birth = p.birth(30, 80)
    rows: list[tuple[str, str, str, date]] = []
    name, ric = p.person(surname, head_male, head_birth)
    rows.append((name, ric, "户主", head_birth))
    if rng.random() < 0.85:
        sb = head_birth + timedelta(days=rng.randint(-1500, 1500))
        sb = min(sb, TODAY - timedelta(days=18 * 366))
        n, r = p.person(rng.choice(SURNAMES), not head_male, sb)
        rows.append((n, r, "配偶", sb))
    child_surname = surname if head_male else rng.choice(SURNAMES)
    for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3))):
        cb = head_birth + timedelta(days=int(rng.uniform(22, 36) * 365.25))
        if cb >= TODAY - timedelta(days=30):
            continue
        male = rng.random() < 0.52
        n, r = p.person(child_surname, male, cb)
        rows.append((n, r, "子" if male else "女", cb))
        if (TODAY - cb).days > 30 * 365 and rng.random() < 0.3:
            gb = cb + timedelta(days=int(rng.uniform(24, 32) * 365.25))
            if gb < TODAY - timedelta(days=30):
                gm = rng.random() < 0.5
                n2, r2 = p.person(child_surname, gm, gb)
                rows.append((n2, r2, "孙子" if gm else "孙女", gb))
    if (TODAY - head_birth).days < 50 * 365 and rng.random() < 0.25:
        pb = head_birth - timedelta(days=int(rng.uniform(24, 32) * 365.25))
        if pb.year >= 1925:
            n, r = p.person(surname, False, pb)
            rows.append((n, r, "母亲", pb))
    return [ImportRow(0, MemberInput(number, n, r, rel, group, confirmed_on=QUANTIFIED if b <= QUANTIFIED else b),
                      _shares(b)) for n, r, rel, b in rows]


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    return ("" if n < 20 else digits[n // 10]) + "十" + (digits[n % 10] if n % 10 else "")


def _village_size(rng: random.Random, index: int) -> int:
    return 400 + int(2600 * rng.random() ** 10)  # 400–3,000: most villages small, a few large


def seed_members(session: Session, ctx: DemoContext) -> None:
    rng = ctx.rng
    used: set[str] = set()
    people = _People(rng, used)
    for index, org in enumerate(ctx.orgs):
        target = _village_size(rng, index)
        groups = max(4, target // 180)
        ensure_default_share_types(session, org.id, user=ctx.users["bookkeeper"])
        rows: list[ImportRow] = []
        n = 0
        while len(rows) < target:
            n += 1
            g = (n - 1) % groups + 1
            rows.extend(_household(people, f"{g:02d}{n:04d}", f"第{_cn(g)}村民小组"))
        rows = [ImportRow(i, r.member, r.shares) for i, r in enumerate(rows, start=2)]
        preview = validate_member_import(session, org.id, rows, today=TODAY)
        apply_member_import(session, preview, event_date=QUANTIFIED, basis="2019年股份经济合作社股权量化决议",
                            user=ctx.users["bookkeeper"])
        update_distribution_settings(session, org.id, reserve_rate=Decimal("30"), reserve_floor=Decimal("30"),
                                     members_cap=Decimal("60"), user=ctx.users["bookkeeper"])
    ctx.monthly.append(_distribute)


def _distribute(session: Session, ctx: DemoContext, book: BookRow, y: int, m: int) -> None:
    """Last year's plan on a cooperative's book: computed from the closed year and publicised in
    early March, approved by the members' meeting late in March, paid in April."""
    user = ctx.users["bookkeeper"]
    year = y - 1
    if book.kind == "村民委员会" or year < demo_years(ctx.years)[0] or m not in (3, 4):
        return
    if m == 4:
        plan = find_plan(session, book.id, year)
        if plan is not None and plan.status == "批准":
            record_payout(session, plan.id, paid_on=date(y, 4, 10), method="转账", user=user)
        return
    income = distributable_income(session, book.id, year)
    if income.distributable <= Decimal("1000"):
        return
    members = min(income.distributable * Decimal("0.4"), income.cash_available * Decimal("0.9"))
    members = (members / 100).to_integral_value() * 100
    if members <= 0:
        return
    plan = draft_plan(session, book_id=book.id, year=year, members_amount=members, user=user)
    publicise_plan(session, plan.id, on=date(y, 3, 5), user=user)
    approve_plan(session, plan.id, on=date(y, 3, 25), resolution_no=f"股东代表大会决议〔{y}〕1号",
                 resolution_text=f"成员代表大会表决通过{year}年度收益分配方案", user=user)
