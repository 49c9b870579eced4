"""Resource parcels, projects with returns from the books, and the stock-take with its vouchers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, ResourceParcel
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.services.asset_reconcile import reconcile_assets
from desktop_app.core.services.assets import list_assets, update_asset
from desktop_app.core.services.assets_report import asset_change_table, disclosure_assets_section
from desktop_app.core.services.projects import create_project, project_returns
from desktop_app.core.services.resources import create_parcel, list_parcels, update_parcel
from desktop_app.core.services.stocktake import (
    approve_stocktake,
    record_count,
    record_surplus,
    start_stocktake,
    stocktake_sheet,
)
from desktop_app.core.services.vouchers import (
    LineInput,
    find_vouchers_by_source,
    get_voucher,
    record_auto_voucher,
)
from tests.assets.conftest import Env, make_env

PARCEL = {"code": "DK-001", "name": "东湾机动地", "land_class": "耕地", "area_mu": D("12.3456"), "status": "机动地",
          "east": "村道", "south": "水渠", "west": "鱼塘", "north": "机耕路"}


def test_parcels_keep_four_decimals_and_refuse_a_fifth(env: Env) -> None:
    with env.db.begin() as s:
        p = create_parcel(s, organisation_id=env.org.id, **PARCEL, user=env.user)
        assert p.area_mu == D("12.3456")
    with env.db.begin() as s:
        audits = s.scalar(select(func.count()).select_from(AuditEntry))
    for bad, field in (({"area_mu": D("1.23456")}, "面积（亩）"), ({"area_mu": "-3"}, "面积（亩）"),
                       ({"code": "DK-001"}, "地块编号"), ({"land_class": "月球"}, "地类"),
                       ({"ownership": "组"}, "村民小组")):
        with env.db.begin() as s, pytest.raises(UserError) as err:
            create_parcel(s, organisation_id=env.org.id, **{**PARCEL, "code": "DK-002", **bad}, user=env.user)
        assert err.value.field == field, bad
    with env.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(ResourceParcel)) == 1
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits
        update_parcel(s, p.id, status="已发包", user=env.user)
        assert [x.status for x in list_parcels(s, env.org.id)] == ["已发包"]


def test_project_return_comes_from_income_entries_with_the_project_id(env: Env) -> None:
    with env.db.begin() as s:
        p = create_project(s, organisation_id=env.org.id, code="XM-01", name="光伏发电项目", kind="光伏", status="运营",
                           operating_on=date(2025, 7, 1), funding={"区级扶持资金": D("300000.00"), "自筹": D("100000.00")}, user=env.user)
        assert p.investment == D("400000.00")
        for amount in ("12000.00", "8000.00"):
            record_auto_voucher(s, book_id=env.book.id, voucher_date=date(2026, 3, 10), summary="光伏发电收益",
                                lines=[LineInput("10201", debit=D(amount), project_id=p.id),
                                       LineInput("50101", credit=D(amount), project_id=p.id)],
                                user=env.user, source_kind="test", source_id=None)
        # an expense tagged with the project is not income
        record_auto_voucher(s, book_id=env.book.id, voucher_date=date(2026, 3, 12), summary="维护费",
                            lines=[LineInput("511", debit=D("500.00"), project_id=p.id), LineInput("10201", credit=D("500.00"))],
                            user=env.user, source_kind="test", source_id=None)
    with env.db.begin() as s:
        (r,) = project_returns(s, env.org.id, 2026)
        # 20,000.00 / 400,000.00 = 5.00 %
        assert (r.income, r.return_rate) == (D("20000.00"), D("5.00"))
        with pytest.raises(ValidationError) as err:
            create_project(s, organisation_id=env.org.id, code="XM-02", name="厂房", kind="厂房", status="建成", user=env.user)
        assert err.value.field == "建成日期"


def test_stocktake_missing_and_surplus_post_through_pending_property_loss(env: Env) -> None:
    from desktop_app.core.services.depreciation import run_depreciation

    a = env.asset()  # 10,000.00 office, 266.67 a month from February
    b = env.asset("ZC-002", name="打印机", category="办公设备", original_value=D("3000.00"), residual_rate=D(0),
                  useful_life_months=30)  # 100.00 a month
    with env.db.begin() as s:
        run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
        take = start_stocktake(s, book_id=env.book.id, name="2026年度资产清查", started_on=date(2026, 3, 5), user=env.user)
        record_count(s, take.id, a.id, "相符", user=env.user)
        with pytest.raises(ValidationError, match="未盘点"):
            approve_stocktake(s, take.id, approved_on=date(2026, 3, 20), user=env.reviewer)
        record_count(s, take.id, b.id, "盘亏", "已丢失", user=env.user)
        record_surplus(s, take.id, name="旧电动三轮车", value=D("1200.00"), nature="经营性", category="运输设备", user=env.user)
    with env.db.begin() as s:
        sheet = approve_stocktake(s, take.id, approved_on=date(2026, 3, 20), user=env.reviewer)
    # missing printer: Feb 100.00 posted, March 100.00 charged on approval → accumulated 200.00, net 2,800.00
    assert (sheet.found, sheet.missing, sheet.surplus) == (1, 1, 1)
    assert sheet.missing_value == D("2800.00") and sheet.surplus_value == D("1200.00")
    assert len(sheet.voucher_ids) == 2
    with env.db.begin() as s:
        cards = {x.code: x for x in list_assets(s, env.org.id)}
        assert cards["ZC-002"].status == "已处置" and cards["PY2026-001"].cost == D("1200.00")
        assert reconcile_assets(s, env.book.id, "2026-03").balanced
        vouchers = find_vouchers_by_source(s, env.book.id, "stocktake", take.id)
        assert [v.total for v in vouchers] == [D("4300.00"), D("4000.00")]  # 100+2800+200+1200 ; 2800+1200
        with pytest.raises(UserError, match="已审批"):
            record_count(s, take.id, a.id, "盘亏", user=env.user)
        assert stocktake_sheet(s, take.id).take.status == "已审批"


def test_change_table_and_disclosure_section(env: Env) -> None:
    from desktop_app.core.services.depreciation import run_depreciation_through

    a = env.asset()
    with env.db.begin() as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-02", last="2026-04", user=env.user)
        create_parcel(s, organisation_id=env.org.id, **PARCEL, user=env.user)
        update_asset(s, a.id, status="出租", user=env.user)
    with env.db.begin() as s:
        (row,) = asset_change_table(s, env.book.id, "2026-03", "2026-04")
        assert (row.opening_cost, row.increase, row.closing_cost) == (D("10000.00"), D("0.00"), D("10000.00"))
        assert (row.opening_accumulated, row.depreciation, row.closing_accumulated) == (
            D("266.67"), D("533.34"), D("800.01"))
        sec = disclosure_assets_section(s, env.org.id, env.book.id, date(2026, 1, 1), date(2026, 4, 30))
    kinds = [(r.kind, r.label, r.count) for r in sec.rows]
    assert kinds == [("资产", "房屋及建筑物", 1), ("资源", "耕地", 1)]
    assert sec.rows[0].value == D("9199.99") and sec.rows[0].note == "出租1项" and sec.rows[1].quantity == D("12.3456")


def test_2004_book_uses_its_own_codes_and_posts_losses_directly(tmp_path: Path) -> None:
    # 2004: 管理费用 541, 固定资产清理 153 (2023: 154), 其他支出 551; no 181 待处理财产损溢.
    from desktop_app.core.services.assets_changes import dispose_asset
    from desktop_app.core.services.depreciation import run_depreciation

    env = make_env(tmp_path / "old.db", chart_version="2004")
    try:
        a = env.asset()
        b = env.asset("ZC-002", name="打印机", category="办公设备", original_value=D("3000.00"), residual_rate=D(0),
                      useful_life_months=30)
        with env.db.begin() as s:
            run = run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
            assert {c.account_code for c in run.charges} == {"541"}
            d = dispose_asset(s, a.id, disposed_on=date(2026, 3, 2), kind="报废", reason="危房拆除", user=env.user)
            assert d.gain_loss == D("-9466.66")  # 10,000.00 − (266.67 + 266.67)
            take = start_stocktake(s, book_id=env.book.id, name="清查", started_on=date(2026, 3, 5), user=env.user)
            record_count(s, take.id, b.id, "盘亏", user=env.user)
            sheet = approve_stocktake(s, take.id, approved_on=date(2026, 3, 20), user=env.reviewer)
            assert len(sheet.voucher_ids) == 1
            (voucher,) = find_vouchers_by_source(s, env.book.id, "stocktake", take.id)
            lines = {(ln.account_code, ln.debit, ln.credit) for ln in get_voucher(s, voucher.id).lines}
            assert ("551", D("2800.00"), D("0.00")) in lines and not any(code == "181" for code, _, _ in lines)
            clearing = {ln.account_code for ln in get_voucher(s, d.voucher_id).lines}  # type: ignore[arg-type]
            assert "153" in clearing and "154" not in clearing
            assert reconcile_assets(s, env.book.id, "2026-03").balanced
    finally:
        env.db.close()
