"""Demo asset cards, land parcels and projects for every book, consistent with the demo books.

Runs after the funds seeder: the cards split each book's 151 (经营性 15101 / 非经营性 15102) and 152
balances exactly, so ``reconcile_assets`` balances; 在建工程 transfers the funds demo posted become
cards of their own. Months before the demo's current month are closed, so the cards are taken over
with their depreciation to date and the program charges from the current month: one depreciation
run per book (through the real service), one purchase with an acquisition voucher, and project
income vouchers carrying the project id. Rows are written with bulk Core inserts.
"""

from __future__ import annotations

import random
import uuid
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import Account, Asset, Entry, Project, ProjectFunding, ResourceParcel, Voucher
from db.types import uuid7
from desktop_app.core import charts
from desktop_app.core.demo.funds import CURRENT_PERIOD, TODAY
from desktop_app.core.rules.depreciation import add_months
from desktop_app.core.services.assets import create_asset
from desktop_app.core.services.balances import balances_at_end
from desktop_app.core.services.depreciation import run_depreciation
from desktop_app.core.services.funds_base import book_accounts, period_start
from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers
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


def _card(book: Any, code: str, name: str, category: str, nature: str, status: str, life: int, unit: str,
          area: int | None, acquired: date, cost: Decimal, opening: Decimal, project_id: uuid.UUID | None) -> dict[str, Any]:
    use = "公益" if nature == "公益性" else "出租" if status == "出租" else "生产" if nature == "经营性" else "管理"
    return {"id": uuid7(), "organisation_id": book.organisation_id, "book_id": book.id, "code": code, "name": name,
            "category": category, "nature": nature, "use_kind": use, "location": None, "quantity": Decimal(1),
            "unit": unit, "area_m2": Decimal(area) if area else None, "acquisition_mode": "购建",
            "funding_source": "集体自有资金", "acquired_on": acquired, "original_value": cost, "useful_life_months": life,
            "residual_rate": Decimal(5), "method": "年限平均法", "total_workload": None, "workload_unit": None,
            "opening_accumulated": opening, "opening_workload": None, "first_period": CURRENT_PERIOD, "status": status,
            "custodian": None, "title_no": None, "poverty_alleviation": False, "project_id": project_id,
            "contract_id": None, "acquisition_voucher_id": None, "disposed_on": None, "notes": "清产核资入账"}


def _transfers(session: Session, book_id: uuid.UUID, fa_code: str) -> list[tuple[str, date, Decimal]]:
    """Debits to 151 posted by the funds demo without a card (在建工程 completed)."""
    rows = session.execute(select(Account.code, Voucher.voucher_date, Entry.debit)
                           .join(Voucher, Voucher.id == Entry.voucher_id).join(Account, Account.id == Entry.account_id)
                           .where(Entry.book_id == book_id, Account.code.startswith(fa_code), Entry.debit > 0,
                                  Entry.asset_id.is_(None), Voucher.status == "记账")).all()
    return [(c, d, a) for c, d, a in rows]


def _seed_book(session: Session, ctx: DemoContext, book: Any, n: int) -> None:
    rng, version = ctx.rng, book.chart_version
    accounts = book_accounts(session, book.id)
    bal = balances_at_end(session, book.id, CURRENT_PERIOD)
    op_code, non_code = (charts.account_role(version, r) for r in ("fixed_assets_operating", "fixed_assets_non_operating"))
    ad_code = charts.account_role(version, "accumulated_depreciation")

    def balance(prefix: str) -> Decimal:
        return sum((bal.get(a.id, ZERO) for a in accounts.values() if a.code.startswith(prefix)), ZERO)

    org = book.organisation_id
    first_book = book.code == "01"  # parcels and projects belong to the organisation: seed them once
    projects: list[dict[str, Any]] = []
    funding: list[dict[str, Any]] = []
    kinds = [("光伏发电项目", "光伏", "区级扶持资金", 300000), ("标准厂房项目", "厂房", "市级扶持资金", 800000)]
    for i, (pname, kind, source, base) in enumerate(kinds[: (1 + n % 2) if first_book else 0]):
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
    cards: list[dict[str, Any]] = []
    moved = _transfers(session, book.id, op_code[:3])
    for acode, day, amount in moved:
        road_nature = "经营性" if acode.startswith(op_code) else "公益性"
        cards.append(_card(book, "", f"村道硬化工程（{day.year}年）", "房屋及建筑物", road_nature, "自用", 240, "条", None, day,
                           amount, ZERO, None))
    acc_total = -balance(ad_code)
    plan: list[tuple[list[Any], str, str | None]] = [(OPERATING, op_code, "经营性"), (NON_OPERATING, non_code, None)]
    opening_cards: list[dict[str, Any]] = []
    for templates, code, nature in plan:
        total = balance(code) - sum((a for c, _, a in moved if c.startswith(code)), ZERO)
        if total <= 0:
            continue
        chosen = rng.sample(templates, rng.randint(3, 5))
        for (name, category, kind, life, unit, area), cost in zip(chosen, _split(rng, total, [t[1] for t in chosen]), strict=True):
            status = kind if nature else "自用"
            # in the books' opening balances, so acquired before the book started, and still within its life
            back = add_months(min(book.start_period, CURRENT_PERIOD), -rng.randint(3, max(4, life // 3)))
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
    cards = opening_cards + cards
    for i, c in enumerate(cards, start=1):
        c["code"] = f"ZC{book.code}-{i:03d}"
    bulk_insert(session, Project, projects)
    bulk_insert(session, ProjectFunding, funding)
    bulk_insert(session, Asset, cards)
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
    bulk_insert(session, ResourceParcel, parcels)
    bank = charts.account_role(version, "bank")
    income = charts.account_role(version, "rent_income")
    day = min(TODAY, date(int(CURRENT_PERIOD[:4]), int(CURRENT_PERIOD[5:]), 10))
    bulk_post_vouchers(session, book.id, [
        BulkVoucher(day, f"收{p['name'].replace('项目', '')}{'发电收益' if p['kind'] == '光伏' else '租金'}",
                    [LineInput(bank, debit=amount, project_id=p["id"]),
                     LineInput(income, credit=amount, summary=p["name"], project_id=p["id"])], source_kind="demo")
        for p in projects for amount in [Decimal(rng.randrange(8000, 60000, 100))]], maker=ctx.users["bookkeeper"],
        reviewer=ctx.users["reviewer"], audit_summary="生成示例项目收益凭证")
    record_audit(session, AuditRecord("create", "asset", str(book.id),
                                      f"{book.name}：示例资产卡片 {len(cards)} 张、地块 {len(parcels)} 块、项目 {len(projects)} 个"))
    if n % 2 == 0 and accounts.get(bank) is not None and accounts[bank].is_leaf:
        create_asset(session, organisation_id=org, book_id=book.id, user=ctx.users["bookkeeper"], payment_account=bank,
                     voucher_date=day, code=f"ZC{book.code}-{len(cards) + 1:03d}", name="视频监控设备", category="办公设备",
                     nature="非经营性", acquired_on=max(day, period_start(CURRENT_PERIOD)),
                     original_value=Decimal("18600.00"), useful_life_months=60, residual_rate=Decimal(5), unit="套")
    run_depreciation(session, book_id=book.id, period=CURRENT_PERIOD, user=ctx.users["bookkeeper"])


def seed_assets(session: Session, ctx: DemoContext) -> None:
    for n, book in enumerate(ctx.books):
        if book.organisation_id in {o.id for o in ctx.orgs}:
            _seed_book(session, ctx, book, n)
