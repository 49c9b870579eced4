"""The demo township: deterministic, realistic data for first runs, screenshots and benchmarks.

One seeding function per area, in ``SEEDERS`` order: users, organisations and books, opening
balances, then the registers each area keeps (members and shares, asset cards, parcels and
projects, contracts); each area adds its month's business to ``ctx.monthly``, and the last
seeder runs the months in order through the services a user's actions use, closing each month
after its business (``funds.seed_vouchers``). All randomness comes from one
``random.Random(seed)`` so the same seed gives the same database content.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.demo.assets import seed_assets
from desktop_app.core.demo.bank import seed_bank
from desktop_app.core.demo.contracts import seed_contracts
from desktop_app.core.demo.funds import BatchHook, MonthHook, seed_opening, seed_vouchers
from desktop_app.core.demo.members import seed_members
from desktop_app.core.demo.orgs import TOWNSHIP, seed_organisations, township_of
from desktop_app.core.demo.users import DEMO_PASSWORD, seed_users
from desktop_app.core.progress import Progress
from desktop_app.core.rows import BookRow, OrgRow, UserRow


@dataclass
class DemoContext:
    """What seeders share: the RNG, the size asked for, and what earlier seeders made."""

    rng: random.Random
    villages: int
    years: int
    orgs: list[OrgRow] = field(default_factory=list)  # the villages
    books: list[BookRow] = field(default_factory=list)
    idle_books: list[BookRow] = field(default_factory=list)  # kept but not simulated (联合社): its months are closed
    users: dict[str, UserRow] = field(default_factory=dict)  # first role -> user
    gens: dict[uuid.UUID, Any] = field(default_factory=dict)  # book id -> its day-to-day voucher generator
    monthly: list[MonthHook] = field(default_factory=list)  # each area's business of a month
    batched: list[BatchHook] = field(default_factory=list)  # each area's batched business of a month (all books)
    works: dict[tuple[uuid.UUID, int], tuple[uuid.UUID, str, Decimal]] = field(default_factory=dict)  # (book, year) -> 工程
    solar: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)  # book id -> its 光伏 projects
    receipts: dict[uuid.UUID, dict[str, list[Any]]] = field(default_factory=dict)  # book id -> month -> money due in
    progress: Progress | None = None
    township: tuple[str, str] = TOWNSHIP  # (12-digit region code, name) of the demo township
    village_stems: list[str] = field(default_factory=list)  # its villages' names (without 村); empty: orgs.village_stems
    plan: list[str] = field(default_factory=list)  # the labels of the seeders that run
    step: int = 0  # the one running
    _numbers: dict[uuid.UUID, int] = field(default_factory=dict)  # book id -> its place in ``books``

    def book_number(self, book_id: uuid.UUID) -> int:
        """The book's place in ``books`` (what ``books.index`` gives, without a scan per call)."""
        if len(self._numbers) != len(self.books):
            self._numbers = {b.id: i for i, b in reversed(list(enumerate(self.books)))}
        return self._numbers[book_id]

    def report(self, done: int, total: int, text: str) -> None:
        """The running seeder's progress (``done`` of ``total``) as part of the whole run's (0–1000)."""
        if self.progress is not None and self.plan:
            weights = [_WEIGHTS.get(label, 1) for label in self.plan]
            at = sum(weights[:self.step]) + weights[self.step] * min(done, total) / max(total, 1)
            self.progress.report(int(1000 * at / sum(weights)), 1000,
                                 f"正在生成示例数据：{self.plan[self.step]}（{text}）")


Seeder = Callable[[Session, DemoContext], None]
_WEIGHTS = {"成员与股份": 4, "资产、资源与项目": 2, "合同": 3, "逐月业务与结账": 40}  # rough shares of the time (others 1)
SEEDERS: list[tuple[str, Seeder]] = [
    ("用户", seed_users),
    ("组织与账套", seed_organisations),
    ("期初余额", seed_opening),
    ("成员与股份", seed_members),
    ("资产、资源与项目", seed_assets),
    ("合同", seed_contracts),
    ("逐月业务与结账", seed_vouchers),
    ("银行对账", seed_bank),
]


@dataclass(frozen=True)
class DemoSummary:
    villages: int
    organisations: int
    books: int
    users: int
    password: str


def build_demo(session: Session, *, villages: int = 20, years: int = 1, seed: int = 2026,
               only: Collection[str] | None = None, progress: Progress | None = None,
               township: str | None = None, region: str | None = None,
               village_names: Sequence[str] | None = None) -> DemoSummary:
    """Fill an empty database with a demo township (in the caller's transaction).

    ``only`` limits the run to the seeders with those labels (benchmarks that need just
    organisations, say); users and organisations are always seeded since all else needs them.
    ``township``/``region`` (9-digit code) name the township (default 阳光街道 320115106); its
    villages' names (without 村) are ``village_names`` when given (a district's, distinct across its
    townships), else ``orgs.village_stems`` of the region (the default township's 李家庄, 东湖 …).
    """
    ctx = DemoContext(rng=random.Random(seed), villages=villages, years=years, progress=progress,
                      township=township_of(township, region), village_stems=list(village_names or []))
    seeders = [(label, fn) for label, fn in SEEDERS
               if only is None or label in only or fn in (seed_users, seed_organisations)]
    ctx.plan = [label for label, _ in seeders]
    for i, (_, seeder) in enumerate(seeders):
        ctx.step = i
        ctx.report(0, 1, "开始")
        seeder(session, ctx)
    if progress is not None:
        progress.report(1000, 1000, "示例数据已生成")
    return DemoSummary(villages=villages, organisations=len(ctx.orgs) + 1, books=len(ctx.books),
                       users=len(ctx.users), password=DEMO_PASSWORD)
