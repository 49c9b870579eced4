"""Demo contracts for every village: on its parcels and assets (when the asset seeder ran first)
or on free-text subjects; most paid on time, a few in arrears (one expired contract still owes),
a few paying ahead, a few expiring, a few that fail the compliance rules.

Contracts and their schedules are registered in bulk (Core executemany, change log and audit in
bulk); a parcel or asset card let out under a live contract is marked 已发包/出租 and linked to
it through the resources and assets services. The
money is business of its month: each receipt and 保证金 is recorded in the month simulation
(``ctx.batched``) through the receipts service's batch forms (allocated oldest-first like any
receipt; their vouchers posted with the month's other vouchers); every December the year's
share of rent received ahead is recognised (``recognise_deferred_rent``).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import (
    Contract,
    ContractCounterparty,
    ContractFiling,
    ContractInstallment,
    ContractProcedure,
    ContractRecognition,
    ContractReferencePrice,
)
from db.types import uuid7
from desktop_app.core.demo.funds import demo_years
from desktop_app.core.demo.orgs import TOWNSHIP
from desktop_app.core.ids import make_ric, make_uscc
from desktop_app.core.rows import BookRow, OrgRow, UserRow
from desktop_app.core.rules.contract_schedule import Terms, add_years, round_fen
from desktop_app.core.services.assets import update_asset
from desktop_app.core.services.contracts import schedule_rows
from desktop_app.core.services.posting_batch import PostingBatch
from desktop_app.core.services.receipts import recognise_deferred_rent
from desktop_app.core.services.receipts_batch import (
    DepositInput,
    ReceiptInput,
    record_deposits,
    record_receipts,
)
from desktop_app.core.services.resources import update_parcel

if TYPE_CHECKING:
    from desktop_app.core.demo import DemoContext

TODAY = date(2026, 11, 23)  # the demo's "now" (same as the funds seeder)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "国华", "志强", "秀英", "红梅", "海军", "德明", "小平", "桂兰", "永胜", "春生", "玉珍"]
FIRMS = ["绿源农业发展有限公司", "金穗家庭农场", "兴旺水产养殖专业合作社", "宏达物流有限公司", "春晖苗木有限公司",
         "鑫源建材经营部", "四季果蔬专业合作社"]
PRICE = {"耕地": 800, "园地": 700, "林地": 120, "水面": 900, "四荒地": 60, "草地": 80, "建设用地": 6000}
FREE_LAND = [("耕地", "机动地"), ("水面", "鱼塘"), ("园地", "果园"), ("林地", "山林"), ("四荒地", "荒坡")]
FREE_ASSETS = ["沿街门面房", "标准厂房", "农产品仓库", "村部闲置用房", "晒场"]
_LAND_MAP = {"集体建设用地": "建设用地", "水域": "水面", "未利用地": "四荒地"}


@dataclass(frozen=True)
class Money:
    """Money a tenant will pay (收款) or a 保证金 收取/退还, recorded in its month by the services."""

    on: date
    contract_id: uuid.UUID
    kind: str  # 收款 / 收取 / 退还
    amount: Decimal


@dataclass
class _Batch:
    """One organisation's contracts as rows, and what follows once they are written."""

    counterparties: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    installments: list[dict[str, Any]]
    recognitions: list[dict[str, Any]]
    procedures: list[dict[str, Any]]
    filings: list[dict[str, Any]]
    money: list[Money] = field(default_factory=list)
    prices: list[dict[str, Any]] = field(default_factory=list)
    let_out: dict[uuid.UUID, tuple[str, uuid.UUID]] = field(default_factory=dict)  # parcel or card -> (state, contract)

    def tables(self) -> list[tuple[type, list[dict[str, Any]]]]:
        return [(ContractCounterparty, self.counterparties), (Contract, self.contracts),
                (ContractInstallment, self.installments), (ContractRecognition, self.recognitions),
                (ContractProcedure, self.procedures), (ContractFiling, self.filings), (ContractReferencePrice, self.prices)]


def _write(session: Session, batches: list[_Batch]) -> None:
    """Every batch's rows, one bulk insert per table for all of them."""
    for i, (model, _) in enumerate(batches[0].tables() if batches else []):
        bulk_insert(session, model, [row for b in batches for row in b.tables()[i][1]])


def _finish(session: Session, org: OrgRow, b: _Batch, user: UserRow) -> None:
    """After the rows are written: the parcels and cards let out under a live contract marked
    so through their services, and the organisation's audit entry."""
    for subject_id, (state, cid) in b.let_out.items():  # the parcel or card is let out under the contract
        if state == "出租":
            update_asset(session, subject_id, status=state, contract_id=cid, user=user)
        else:
            update_parcel(session, subject_id, status=state, contract_id=cid, user=user)
    record_audit(session, AuditRecord("create", "contract", str(org.id),
                                      f"{org.name}：示例合同 {len(b.contracts)} 份、应收期次 {len(b.installments)} 期"))


def _subjects(session: Session, org_id: uuid.UUID) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(parcels, assets) of the organisation if those areas' tables exist and have rows."""
    from db.base import Base

    insp = inspect(session.connection())
    parcels: list[tuple[Any, ...]] = []
    assets: list[tuple[Any, ...]] = []
    t = Base.metadata.tables.get("resource_parcel")
    if t is not None and insp.has_table("resource_parcel"):
        parcels = [tuple(r) for r in session.execute(select(t.c.id, t.c.name, t.c.land_class, t.c.area_mu, t.c.location,
                                                            t.c.status)
                   .where(t.c.organisation_id == org_id, t.c.status.in_(("已发包", "出租", "机动地", "未利用"))))]
    t = Base.metadata.tables.get("asset")
    if t is not None and insp.has_table("asset"):
        assets = [tuple(r) for r in session.execute(select(t.c.id, t.c.name, t.c.location)
                  .where(t.c.organisation_id == org_id, t.c.status == "出租"))]
    return parcels, assets


def _person(rng: random.Random, i: int) -> tuple[str, str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    ric = make_ric("320115", date(rng.randint(1955, 1995), rng.randint(1, 12), rng.randint(1, 28)), (i * 7) % 1000)
    return "个人", name, ric


def _firm(rng: random.Random, i: int) -> tuple[str, str, str]:
    body = f"{rng.randint(0, 9)}{i % 10}{rng.randint(1000000, 9999999)}"
    return "单位", f"江宁区{rng.choice(FIRMS)}", make_uscc(f"91320115{body[:9]}")


def seed_org_contracts(session: Session, org: OrgRow, book: BookRow, rng: random.Random, n: int, *,
                       user: UserRow, today: date = TODAY, years: int | None = None,
                       money: list[Money] | None = None) -> int:
    """``n`` contracts for one organisation, starting no earlier than its book; ``years`` forces
    every term to that many years (benchmarks), otherwise terms are 2–15 years. The tenants'
    payments are appended to ``money`` (the caller records them month by month). Returns the
    number of installments."""
    b = _plan(session, org, book, rng, n, today=today, years=years)
    _write(session, [b])
    _finish(session, org, b, user)
    if money is not None:
        money.extend(b.money)
    return len(b.installments)


def _plan(session: Session, org: OrgRow, book: BookRow, rng: random.Random, n: int, *,
          today: date, years: int | None, township: str = TOWNSHIP[1]) -> _Batch:
    """The rows of :func:`seed_org_contracts` (reads the organisation's parcels and cards only)."""
    parcels, assets = _subjects(session, org.id)
    first = date(int(book.start_period[:4]), int(book.start_period[5:]), 1)
    b = _Batch([], [], [], [], [], [])
    b.prices = [{"id": uuid7(), "organisation_id": org.id, "land_class": land, "price_per_mu": Decimal(price)}
                for land, price in PRICE.items()]
    let_out = b.let_out
    owing_expired = False
    for i in range(n):
        lease = rng.random() < 0.4
        kind = "资产租赁" if lease else "资源发包"
        cp_kind, cp_name, cp_id = (_firm if rng.random() < 0.3 else _person)(rng, i + 13 * len(org.name))
        cp = {"id": uuid7(), "organisation_id": org.id, "kind": cp_kind, "name": cp_name, "id_number": cp_id,
              "phone": f"13{rng.randint(100000000, 999999999)}", "address": None}
        b.counterparties.append(cp)
        term = years or rng.choice([2, 3, 5, 5, 8, 10, 15])
        if years:
            start = date(today.year - years + 1, rng.choice([1, 1, 3, 7]), 1)
        else:  # contracts signed (or renewed) since the books were taken over
            start = date(rng.randint(first.year, today.year), rng.choice([1, 1, 3, 4, 7, 10]), 1)
            start = max(first, start if start <= today - timedelta(days=30) else date(today.year, 1, 1))
        end = add_years(start, term) - timedelta(days=1)
        roll = rng.random()
        if not years and i % 9 == 7:  # ended some months ago, settled (a lease's 保证金 refunded)
            end = today - timedelta(days=rng.randint(60, 240))
            start = max(first, min(start, end - timedelta(days=730)))
            if i == 7:
                lease, kind = True, "资产租赁"
        if not years and i % 9 in (1, 3):  # a few expiring within 90 days, one just past its end date
            end = today + timedelta(days=-20 if i == 3 else rng.choice([0, 12, 25, 60, 85]))
            start = max(first, min(start, end - timedelta(days=365)))
        area: Decimal | None
        land: str | None
        if lease:
            a = assets[i % len(assets)] if assets and i % 3 else None
            subject, asset_id, parcel_id, land = (a[1] if a else rng.choice(FREE_ASSETS)), (a[0] if a else None), None, None
            location, area = (a[2] if a else None), None
            rent = Decimal(rng.randrange(6000, 90000, 500))
            mode = rng.choice(["年付", "年付", "半年付", "季付"])
            if not years and roll < 0.05:  # 租期超过20年
                end = add_years(start, 25) - timedelta(days=1)
        else:
            p = parcels[i % len(parcels)] if parcels and i % 2 else None
            if p:
                subject, parcel_id, land, area, location = p[1], p[0], _LAND_MAP.get(p[2], p[2]), p[3], p[4]
            else:
                land, what = rng.choice(FREE_LAND)
                subject, parcel_id, location = f"{rng.choice('东西南北')}{what}", None, None
                area = Decimal(rng.randint(20000, 800000)).scaleb(-4)
            asset_id = None
            land = land if land in PRICE else "其他"
            unit = Decimal(PRICE.get(land, 300)) * Decimal(rng.choice(["0.85", "1", "1", "1.1", "1.2"]) if roll > 0.08 else "0.5")
            rent = round_fen(unit.quantize(Decimal(1)) * area) if area else Decimal(5000)
            mode = "一次性" if roll > 0.93 else "年付"
            if not years and land == "耕地" and roll < 0.12:
                end = date(2035, 12, 31)  # beyond the 二轮延包 end
        escal = (Decimal(5), 3) if rng.random() < 0.25 else (Decimal(0), 0)
        cid = uuid7()
        stop = min(today - timedelta(days=40), end)
        status = ("终止" if not years and i % 17 == 5 and stop > start + timedelta(days=90)
                  else "到期" if end < today else "履行中")
        signed = start - timedelta(days=rng.randint(5, 40))
        c: dict[str, Any] = {"id": cid, "organisation_id": org.id, "book_id": book.id, "number": f"HT{start.year}-{i + 1:03d}",
             "official_code": None, "name": f"{subject}{'租赁' if lease else '承包'}合同", "kind": kind,
             "subject": subject, "location": location, "area_mu": area, "quantity": None, "land_class": land,
             "asset_id": asset_id, "parcel_id": parcel_id, "counterparty_id": cp["id"],
             "signed_on": signed, "start_date": start, "end_date": end,
             "written": rng.random() > 0.06, "price_basis": "年租金", "annual_rent": rent, "unit_price": None,
             "escalation_pct": escal[0], "escalation_years": escal[1], "payment_mode": mode,
             "billing_align": rng.choice(["calendar", "contract"]), "due_days": rng.choice([0, 15, 30]),
             "deposit_required": Decimal(2000) if lease else Decimal(0), "status": status,
             "terminated_on": stop if status == "终止" else None,
             "renewal_of_id": None, "notes": None}
        b.contracts.append(c)
        if status == "履行中" and parcel_id is not None:
            let_out[parcel_id] = ("已发包", cid)
        elif status == "履行中" and asset_id is not None:
            let_out[asset_id] = ("出租", cid)
        insts, recs = schedule_rows(cid, Terms(start, end, rent, mode, escal[0], escal[1], c["due_days"],
                                               c["billing_align"]))
        b.installments += insts
        b.recognitions += recs
        if rng.random() > 0.12:
            b.procedures.append({"id": uuid7(), "contract_id": cid, "step": "村民代表会议决议",
                                 "meeting_date": signed - timedelta(days=10), "resolution_no": f"决〔{start.year}〕{i + 1}号",
                                 "votes": "同意28票，反对1票", "notes": None})
        if rng.random() > 0.2:
            b.filings.append({"id": uuid7(), "contract_id": cid, "filed_on": signed + timedelta(days=7),
                              "filing_no": f"备{start.year}-{i + 1:03d}", "filed_with": f"{township}农经站"})
        expired_owing = not years and not owing_expired and status == "到期"
        owing_expired = owing_expired or expired_owing
        if lease and start <= today:
            b.money.append(Money(start, cid, "收取", Decimal(2000)))
            if end + timedelta(days=10) <= today and not expired_owing:
                b.money.append(Money(end + timedelta(days=10), cid, "退还", Decimal(2000)))
        _pay(b, rng, cid, insts, today, stop if status == "终止" else end, late=rng.random() < 0.1,
             owe_all=expired_owing, ahead=rng.random() < 0.15)
    return b


def _pay(b: _Batch, rng: random.Random, cid: uuid.UUID, insts: list[dict[str, Any]], today: date, stop: date, *,
         late: bool, owe_all: bool, ahead: bool) -> None:
    """The tenant's payments: each installment within a few weeks of its due date; a tenant in
    arrears skips the recent ones (``owe_all``: every one), one who pays ahead pays each
    installment (the next one too) weeks before it is due, a December payment for January's
    installment being rent received in advance."""
    if owe_all:
        return
    for inst in insts:
        due = inst["due_date"]
        if inst["period_start"] >= stop:  # nothing is billed from a 终止 date on
            break
        if due > today:
            if ahead and due - timedelta(days=60) <= today:  # the next one, paid early
                on = max(inst["period_start"] - timedelta(days=60), due - timedelta(days=rng.randint(20, 60)),
                         b.contracts[-1]["start_date"])
                b.money.append(Money(min(on, today), cid, "收款", inst["amount"]))
            break
        if late and due > today - timedelta(days=rng.randint(200, 1500)):
            continue
        early = max(inst["period_start"] - timedelta(days=60), b.contracts[-1]["start_date"])
        on = min(today, max(early, due - timedelta(days=rng.randint(10, 50))) if ahead
                 else due + timedelta(days=rng.randint(0, 45)))
        amount = inst["amount"] if rng.random() > 0.01 else round_fen(inst["amount"] / 2)
        if amount > 0:
            b.money.append(Money(on, cid, "收款", amount))


def _money(session: Session, ctx: DemoContext, books: list[BookRow], y: int, m: int, batch: PostingBatch) -> None:
    """The month's receipts and 保证金 of every book's contracts (the batch forms, posted with the
    month's other vouchers)."""
    user = ctx.users["bookkeeper"]
    items = [item for book in books for item in ctx.receipts.get(book.id, {}).get(f"{y:04d}-{m:02d}", [])]
    record_receipts(session, [ReceiptInput(i.contract_id, i.on, i.amount, "银行") for i in items if i.kind == "收款"],
                    user=user, batch=batch)
    record_deposits(session, [DepositInput(i.contract_id, i.kind, i.on, i.amount, "银行")
                              for i in items if i.kind != "收款"], user=user, batch=batch)


def _month(session: Session, ctx: DemoContext, book: BookRow, y: int, m: int) -> None:
    """December: the year's share of rent received in advance is recognised."""
    if m == 12:
        recognise_deferred_rent(session, book.id, y, user=ctx.users["bookkeeper"])


def seed_contracts(session: Session, ctx: DemoContext) -> None:
    """About a dozen contracts per village, on its first (股份经济合作社) book; their money is
    recorded month by month (``ctx.monthly``)."""
    last = demo_years(ctx.years)[1]
    first_book: dict[uuid.UUID, BookRow] = {}
    for bk in ctx.books:
        first_book.setdefault(bk.organisation_id, bk)
    planned: list[tuple[OrgRow, BookRow, _Batch]] = []
    for org in ctx.orgs:  # planned first (each reads only its own parcels and cards), written together
        book = first_book.get(org.id)
        if book is not None:
            planned.append((org, book, _plan(session, org, book, ctx.rng, 12, today=min(TODAY, date(last, 12, 31)),
                                             years=None, township=ctx.township[1])))
    _write(session, [b for _, _, b in planned])
    for org, book, b in planned:
        _finish(session, org, b, ctx.users["bookkeeper"])
        months: dict[str, list[Money]] = {}
        for item in sorted(b.money, key=lambda x: (x.on, x.kind != "收取", str(x.contract_id))):
            months.setdefault(f"{item.on.year:04d}-{item.on.month:02d}", []).append(item)
        ctx.receipts[book.id] = months
    ctx.batched.append(_money)
    ctx.monthly.append(_month)
