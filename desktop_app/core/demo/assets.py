"""Demo asset cards, land parcels and projects for every book, and their business month by month.

The cards are taken over at the book's start (清产核资入账): they split its opening 151 (经营性
15101 / 非经营性 15102) and 152 balances exactly, so ``reconcile_assets`` balances, and are charged
from the book's first month. Each month goes through the real services: the depreciation run of
every book (``ctx.batched``: the batch form, posted with the month's other vouchers) and the 光伏
project's power sales (a voucher carrying the project, with the day-to-day vouchers), then
(``ctx.monthly``) a purchase paid
from the bank (one card with its acquisition voucher), one scrapping through the disposal service,
the year's road 工程 registered as a project in March (budget, tender, contract sum; its payments
carry the project) and in December completed: its 决算 and a card (Dr 固定资产, Cr 在建工程).
Cards, parcels and projects themselves are written with bulk Core inserts.
"""

from __future__ import annotations

import random
import uuid
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import Asset, Project, ProjectFunding, ResourceParcel
from db.types import uuid7
from desktop_app.core import charts
from desktop_app.core.demo.funds import BUILDERS, POWER, demo_years
from desktop_app.core.rows import BookRow
from desktop_app.core.rules.depreciation import add_months
from desktop_app.core.services.assets import create_asset, list_assets
from desktop_app.core.services.assets_changes import dispose_asset
from desktop_app.core.services.balances import balances_at_end
from desktop_app.core.services.depreciation import run_depreciation_books
from desktop_app.core.services.funds_base import book_accounts
from desktop_app.core.services.posting_batch import PostingBatch
from desktop_app.core.services.projects import create_project, update_project
from desktop_app.core.services.voucher_bulk import BulkVoucher
from desktop_app.core.services.voucher_lines import LineInput

if TYPE_CHECKING:
    from desktop_app.core.demo import DemoContext

ZERO = Decimal("0.00")
# name, category, nature, status, life in months, unit, area (㎡)
OPERATING = [("标准厂房", "房屋及建筑物", "出租", 240, "幢", 1200), ("沿街门面房", "房屋及建筑物", "出租", 240, "间", 260),
             ("农产品仓库", "房屋及建筑物", "自用", 240, "幢", 800), ("光伏发电设备", "机器设备", "自用", 240, "套", None),
             ("联合收割机", "机器设备", "出租", 120, "台", None), ("农用运输车", "运输设备", "自用", 96, "辆", None)]
NON_OPERATING = [("村部办公楼", "房屋及建筑物", "非经营性", 360, "幢", 650), ("文化活动中心", "房屋及建筑物", "公益性", 300, "幢", 420),
                 ("村卫生室", "房屋及建筑物", "公益性", 300, "间", 120), ("办公电脑及打印机", "办公设备", "非经营性", 60, "套", None),
                 ("健身路径器材", "其他", "公益性", 96, "套", None), ("村庄路灯", "其他", "公益性", 120, "盏", None)]
LAND = [("耕地", "家庭承包", 80, 900), ("耕地", "机动地", 5, 60), ("园地", "已发包", 10, 120), ("林地", "集体统一经营", 30, 500),
        ("水面", "已发包", 5, 80), ("四荒地", "未利用", 2, 40), ("集体建设用地", "出租", 1, 20), ("草地", "未利用", 1, 15)]
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组"]


WEIGHT = {"房屋及建筑物": (30, 60), "机器设备": (8, 20), "运输设备": (4, 8)}


def _split(rng: random.Random, total: Decimal, categories: list[str]) -> list[Decimal]:
    """Positive whole-元 parts, buildings weighing most (the last takes the 分), summing to ``total``."""
    weights = [rng.randint(*WEIGHT.get(c, (1, 3))) for c in categories]
    parts = [(total * w / sum(weights)).quantize(Decimal(1)) for w in weights[:-1]]
    parts.append(total - sum(parts, ZERO))
    return [p.quantize(Decimal("0.01")) for p in parts]


def _card(book: BookRow, code: str, name: str, category: str, nature: str, status: str, life: int, unit: str,
          area: int | None, acquired: date, cost: Decimal, opening: Decimal, project_id: uuid.UUID | None) -> dict[str, Any]:
    use = "公益" if nature == "公益性" else "出租" if status == "出租" else "生产" if nature == "经营性" else "管理"
    return {"id": uuid7(), "organisation_id": book.organisation_id, "book_id": book.id, "code": code, "name": name,
            "category": category, "nature": nature, "use_kind": use, "location": None, "quantity": Decimal(1),
            "unit": unit, "area_m2": Decimal(area) if area else None, "acquisition_mode": "购建",
            "funding_source": "集体自有资金", "acquired_on": acquired, "original_value": cost, "useful_life_months": life,
            "residual_rate": Decimal(5), "method": "年限平均法", "total_workload": None, "workload_unit": None,
            "opening_accumulated": opening, "opening_workload": None, "first_period": book.start_period, "status": status,
            "custodian": None, "title_no": None, "poverty_alleviation": False, "project_id": project_id,
            "contract_id": None, "acquisition_voucher_id": None, "disposed_on": None, "notes": "清产核资入账"}


Rows = dict[type, list[dict[str, Any]]]  # model -> rows to insert


def _seed_book(session: Session, ctx: DemoContext, book: BookRow, out: Rows) -> tuple[AuditRecord, list[uuid.UUID]]:
    """The book's cards (its opening balances), parcels and projects, added to ``out``; returns
    its audit entry and its 光伏 projects' ids."""
    rng, version = ctx.rng, book.chart_version
    accounts = book_accounts(session, book.id)
    bal = balances_at_end(session, book.id, book.start_period)  # nothing posted yet: the opening balances
    op_code, non_code = (charts.account_role(version, r) for r in ("fixed_assets_operating", "fixed_assets_non_operating"))
    ad_code = charts.account_role(version, "accumulated_depreciation")

    def balance(prefix: str) -> Decimal:
        return sum((bal.get(a.id, ZERO) for a in accounts.values() if a.code.startswith(prefix)), ZERO)

    org = book.organisation_id
    first_book = book.code == "01"  # parcels and projects belong to the organisation: seed them once
    projects: list[dict[str, Any]] = []
    funding: list[dict[str, Any]] = []
    kinds = [("光伏发电项目", "光伏", "区级扶持资金", 300000), ("标准厂房项目", "厂房", "市级扶持资金", 800000)]
    for i, (pname, kind, source, base) in enumerate(kinds[: rng.randint(1, 2) if first_book else 0]):
        pid = uuid7()
        projects.append({"id": pid, "organisation_id": org, "code": f"XM{book.code}-{i + 1:02d}", "name": pname,
                         "kind": kind, "status": "运营", "applied_on": date(2019 + i, 3, 1),
                         "started_on": date(2019 + i, 6, 1), "completed_on": date(2020 + i, 5, 30),
                         "operating_on": date(2020 + i, 7, 1), "terminated_on": None, "notes": None})
        grant = Decimal(base + rng.randrange(0, 200000, 10000))
        funding += [{"id": uuid7(), "project_id": pid, "source": source, "amount": grant},
                    {"id": uuid7(), "project_id": pid, "source": "自筹", "amount": (grant * Decimal("0.25")).quantize(Decimal(1))}]
    project_for = {"光伏发电设备": projects[0]["id"] if projects else None,
                   "标准厂房": projects[-1]["id"] if len(projects) > 1 else None}
    acc_total = -balance(ad_code)
    plan: list[tuple[list[Any], str, str | None]] = [(OPERATING, op_code, "经营性"), (NON_OPERATING, non_code, None)]
    opening_cards: list[dict[str, Any]] = []
    for templates, code, nature in plan:
        total = balance(code)
        if total <= 0:
            continue
        chosen = rng.sample(templates, rng.randint(3, 5))
        for (name, category, kind, life, unit, area), cost in zip(chosen, _split(rng, total, [t[1] for t in chosen]), strict=True):
            status = kind if nature else "自用"
            # in the books' opening balances, so acquired before the book started, and still within its life
            back = add_months(book.start_period, -rng.randint(3, max(4, life // 3)))
            acquired = date(int(back[:4]), int(back[5:]), rng.randint(1, 28))
            opening_cards.append(_card(book, "", name, category, nature or kind, status, life, unit, area, acquired,
                                       cost, ZERO, project_for.get(name)))
    total_cost = sum((c["original_value"] for c in opening_cards), ZERO)
    left = acc_total
    for c in opening_cards[:-1]:
        share = (acc_total * c["original_value"] / total_cost).quantize(Decimal("0.01")) if total_cost else ZERO
        c["opening_accumulated"], left = share, left - share
    if opening_cards:
        opening_cards[-1]["opening_accumulated"] = left
    cards = opening_cards
    for i, c in enumerate(cards, start=1):
        c["code"] = f"ZC{book.code}-{i:03d}"
    parcels = []
    for i, (land, status, lo, hi) in enumerate(rng.sample(LAND, rng.randint(5, 8)) if first_book else [], start=1):
        mu = Decimal(rng.randint(lo * 10000, hi * 10000)).scaleb(-4)
        group = rng.choice(GROUPS) if land == "耕地" and status == "家庭承包" else None
        parcels.append({"id": uuid7(), "organisation_id": org, "code": f"DK{book.code}-{i:03d}",
                        "name": f"{rng.choice(['东', '西', '南', '北', '后', '前'])}{rng.choice(['湾', '岗', '塘', '坝', '山', '圩'])}{land}",
                        "land_class": land, "area_mu": mu, "location": f"{book.name.split('村')[0]}村",
                        "east": rng.choice(["村道", "河沟", "一组耕地", "林地"]), "south": rng.choice(["水渠", "省道", "二组耕地"]),
                        "west": rng.choice(["山脚", "村界", "鱼塘"]), "north": rng.choice(["村部", "河堤", "机耕路"]),
                        "ownership": "组" if group else "村", "group_name": group, "status": status, "contract_id": None,
                        "notes": None})
    for model, rows in ((Project, projects), (ProjectFunding, funding), (Asset, cards), (ResourceParcel, parcels)):
        out.setdefault(model, []).extend(rows)
    audit = AuditRecord("create", "asset", str(book.id),
                        f"{book.name}：示例资产卡片 {len(cards)} 张、地块 {len(parcels)} 块、项目 {len(projects)} 个")
    return audit, [p["id"] for p in projects if p["kind"] == "光伏"]


def _month(session: Session, ctx: DemoContext, book: BookRow, y: int, m: int) -> None:
    """The book's asset business of month ``y-m``, through the services (see the module's docstring)."""
    rng, maker = ctx.rng, ctx.users["bookkeeper"]
    period = f"{y:04d}-{m:02d}"
    bank = charts.account_role(book.chart_version, "bank")
    last_year = y == demo_years(ctx.years)[1]
    n = ctx.book_number(book.id)
    if last_year and m == 6 and n % 2 == 0:
        codes = [a.code for a in list_assets(session, book.organisation_id, book_id=book.id)]
        create_asset(session, organisation_id=book.organisation_id, book_id=book.id, user=maker, payment_account=bank,
                     voucher_date=date(y, 6, 16), code=f"ZC{book.code}-{len(codes) + 1:03d}", name="视频监控设备",
                     category="办公设备", nature="非经营性", acquired_on=date(y, 6, 16),
                     original_value=Decimal("18600.00"), useful_life_months=60, residual_rate=Decimal(5), unit="套")
    if last_year and m == 8 and n % 3 == 0:
        cards = [a for a in list_assets(session, book.organisation_id, book_id=book.id)
                 if a.status in ("自用", "闲置") and a.category in ("办公设备", "其他", "运输设备")]
        if cards:
            old = min(cards, key=lambda a: (a.acquired_on, a.code))
            dispose_asset(session, old.id, disposed_on=date(y, 8, 28), kind="报废", user=maker,
                          reason="使用年限已满，经村务监督委员会查验无修复价值，同意报废")
    if m == 3:  # the year's road 工程: budget, tender (村级议标) and contract sum, paid in April and September
        budget = Decimal(rng.randrange(150000, 520000, 1000))
        winner = rng.choice(BUILDERS)
        price = (budget * Decimal(rng.randint(88, 98)) / 100).quantize(Decimal(1))
        village = book.name.split("村")[0]
        works = create_project(session, organisation_id=book.organisation_id, book_id=book.id, code=f"GC{book.code}-{y}",
                               name=f"{village}村道硬化工程（{y}年）", kind="其他", status="在建",
                               applied_on=date(y, 2, 10), started_on=date(y, 4, 1), budget=budget,
                               tender_method="村级议标", tender_winner=winner, tender_amount=price,
                               tender_on=date(y, 3, 18), funding={"自筹": price}, user=maker)
        ctx.works[(book.id, y)] = (works.id, winner, price)
    if m == 12:
        road = balances_at_end(session, book.id, period).get(book_accounts(session, book.id)[
            charts.account_role(book.chart_version, "construction_in_progress")].id, ZERO)
        works_id = ctx.works[(book.id, y)][0] if (book.id, y) in ctx.works else None
        if road > 0:
            codes = [a.code for a in list_assets(session, book.organisation_id, book_id=book.id)]
            create_asset(session, organisation_id=book.organisation_id, book_id=book.id, user=maker,
                         payment_account=charts.account_role(book.chart_version, "construction_in_progress"),
                         voucher_date=date(y, 12, 31), code=f"ZC{book.code}-{len(codes) + 1:03d}",
                         name=f"村道硬化工程（{y}年）", category="房屋及建筑物", nature="公益性",
                         acquired_on=date(y, 12, 31), original_value=road, useful_life_months=240,
                         residual_rate=Decimal(0), unit="条", acquisition_mode="购建", funding_source="集体自有资金",
                         project_id=works_id)
            if works_id is not None:  # 决算: the final account is what was paid
                update_project(session, works_id, status="建成", completed_on=date(y, 12, 31), final_amount=road,
                               final_on=date(y, 12, 31), user=maker)


def _batched(session: Session, ctx: DemoContext, books: list[BookRow], y: int, m: int, batch: PostingBatch) -> None:
    """Every book's 光伏 power sales of the quarter (a voucher carrying the project) and the month's
    depreciation run, posted with the month's batch."""
    for book in books:
        bank = charts.account_role(book.chart_version, "bank")
        income = charts.account_roles(book.chart_version, "sales_income")[-1]
        for pid in ctx.solar.get(book.id, []) if m % 3 == 0 else []:
            amount = Decimal(ctx.rng.randrange(8000, 30000, 100))
            batch.add(book.id, [BulkVoucher(date(y, m, 20), f"收{y}年第{m // 3}季度光伏发电收益", [
                LineInput(bank, debit=amount, counterparty=POWER, project_id=pid),
                LineInput(income, credit=amount, summary="光伏发电上网电费", counterparty=POWER, project_id=pid)])])
    run_depreciation_books(session, book_ids=[b.id for b in books], period=f"{y:04d}-{m:02d}",
                           user=ctx.users["bookkeeper"], batch=batch)


def seed_assets(session: Session, ctx: DemoContext) -> None:
    villages = {o.id for o in ctx.orgs}
    rows: Rows = {Project: [], ProjectFunding: [], Asset: [], ResourceParcel: []}  # written in this order
    audits = []
    for book in ctx.books:  # each book reads only its own opening balances: all written together after
        if book.organisation_id in villages:
            audit, ctx.solar[book.id] = _seed_book(session, ctx, book, rows)
            audits.append(audit)
    for model, values in rows.items():
        bulk_insert(session, model, values)
    record_audit(session, audits)
    ctx.batched.append(_batched)
    ctx.monthly.append(_month)
