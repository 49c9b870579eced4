"""The disclosure's assets and 专项公开 parts tie to the registers and the books, one book at a time:
land under a contract in force is 已发包/已出租; a two-book organisation prints each register
once, in its own book; a 工程 prints its budget, tender, contract, payments and final account
from the project ledger — all read back from real PDFs."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from desktop_app.core.errors import UserError
from desktop_app.core.rows import BookRow
from tests.assets.conftest import Env

PERIOD = "2026-10"


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join((p.extract_text() or "") for p in doc.pages)


def _sheet(env: Env, book: BookRow, period: str = PERIOD) -> str:
    from desktop_app.reports.disclosure.builder import build_disclosure

    with env.db.begin("test") as s:
        return _text(build_disclosure(s, env.org.id, period, book_ids=[book.id]).pdf)


def _second_book(env: Env) -> BookRow:
    from desktop_app.core.services.orgs import add_sub_account, create_book

    with env.db.begin("test") as s:
        book = create_book(s, organisation_id=env.org.id, name="东湖村村民委员会", kind="村民委员会",
                           start_period="2026-01", user=env.user)
        add_sub_account(s, book_id=book.id, parent_code="102", code="10201", name="农商行", user=env.user)
    return book


def _contract(env: Env, number: str, kind: str, parcel_id: object, start: date, end: date) -> object:
    from desktop_app.core.services.contracts import ContractInput, create_contract

    with env.db.begin("test") as s:
        return create_contract(s, ContractInput(
            organisation_id=env.org.id, book_id=env.book.id, number=number, name=f"{number}合同", kind=kind,
            subject="地块", counterparty_name="张三", counterparty_kind="个人", start_date=start, end_date=end,
            payment_mode="年付", annual_rent=Decimal("12000.00"), parcel_id=parcel_id), user=env.user)  # type: ignore[arg-type]


def _parcel(env: Env, code: str, land: str, status: str = "未利用", **kw: object) -> object:
    from desktop_app.core.services.resources import create_parcel

    with env.db.begin("test") as s:
        return create_parcel(s, organisation_id=env.org.id, code=code, name=f"{code}地块", land_class=land,
                             area_mu=Decimal("12.5000"), status=status, **kw, user=env.user).id


def test_parcel_under_a_contract_in_force_is_let_out_on_the_sheet(env: Env) -> None:
    from desktop_app.core.services.resources import list_parcels

    leased = _parcel(env, "DK-001", "耕地")
    rented = _parcel(env, "DK-002", "集体建设用地")
    ended = _parcel(env, "DK-003", "林地", status="已发包")
    _contract(env, "HT-1", "资源发包", leased, date(2026, 1, 1), date(2030, 12, 31))
    _contract(env, "HT-2", "资产租赁", rented, date(2026, 3, 1), date(2027, 2, 28))
    _contract(env, "HT-3", "资源发包", ended, date(2024, 1, 1), date(2026, 6, 30))
    with env.db.begin("test") as s:
        on = {p.code: (p.status, p.shown_status, p.contract_no) for p in list_parcels(s, env.org.id, on=date(2026, 10, 31))}
        before = {p.code: p.shown_status for p in list_parcels(s, env.org.id, on=date(2026, 2, 1))}
    # the register keeps what was entered; the use on a date follows the contracts' dates
    assert on == {"DK-001": ("未利用", "已发包", "HT-1"), "DK-002": ("未利用", "已出租", "HT-2"),
                  "DK-003": ("已发包", "合同已到期", "HT-3")}
    assert before == {"DK-001": "已发包", "DK-002": "未利用", "DK-003": "已发包"}
    text = _sheet(env, env.book)
    assert "已发包1块" in text and "已出租1块" in text and "合同已到期1块" in text
    assert "未利用" not in text.split("资源性资产（土地）情况")[1]


def test_two_books_print_each_register_once_in_its_own_book(env: Env) -> None:
    from desktop_app.core.services.projects import create_project
    from desktop_app.core.services.resources import list_parcels

    village = _second_book(env)
    _parcel(env, "DK-001", "耕地")  # no book named: the cooperative's (main) book
    _parcel(env, "DK-009", "公共管理与公共服务用地", book_id=village.id)
    with env.db.begin("test") as s:
        create_project(s, organisation_id=env.org.id, code="XM-01", name="合作社光伏发电项目", kind="光伏",
                       status="申报", user=env.user)
        create_project(s, organisation_id=env.org.id, code="XM-02", name="村委会文化广场项目", kind="其他",
                       status="申报", book_id=village.id, user=env.user)
        assert [p.code for p in list_parcels(s, env.org.id, book_id=env.book.id)] == ["DK-001"]
        assert [p.code for p in list_parcels(s, env.org.id, book_id=village.id)] == ["DK-009"]
    coop, vc = _sheet(env, env.book), _sheet(env, village)
    assert "耕地" in coop and "公共管理与公共服务用地" not in coop
    assert "合作社光伏发电项目" in coop and "村委会文化广场项目" not in coop
    assert "公共管理与公共服务用地" in vc and "耕地" not in vc
    assert "村委会文化广场项目" in vc and "合作社光伏发电项目" not in vc


def test_works_special_disclosure_prints_the_project_ledger(env: Env) -> None:
    from desktop_app.core.services.projects import create_project, update_project
    from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers
    from desktop_app.core.services.voucher_lines import LineInput

    contract = _contract(env, "HT2026-007", "工程", None, date(2026, 3, 10), date(2026, 12, 31))
    with env.db.begin("test") as s:
        p = create_project(s, organisation_id=env.org.id, code="XM-01", name="村内主干道硬化工程", kind="其他",
                           status="在建", started_on=date(2026, 3, 15), budget="500000",
                           tender_method="公开招标", tender_winner="江宁区通达路桥建设工程有限公司",
                           tender_amount="481200.50", tender_on=date(2026, 3, 1),
                           contract_id=contract.id, user=env.user)  # type: ignore[attr-defined]
        ZERO = Decimal(0)
        bulk_post_vouchers(s, env.book.id, [
            BulkVoucher(date(2026, 4, 20), "支付主干道工程预付款",
                        [LineInput("153", Decimal("150000.00"), ZERO, project_id=p.id,
                                   counterparty="江宁区通达路桥建设工程有限公司"),
                         LineInput("10201", ZERO, Decimal("150000.00"), project_id=p.id)]),
            BulkVoucher(date(2026, 10, 12), "支付主干道工程进度款",
                        [LineInput("153", Decimal("200000.25"), ZERO, project_id=p.id,
                                   counterparty="江宁区通达路桥建设工程有限公司"),
                         LineInput("10201", ZERO, Decimal("200000.25"))]),
            BulkVoucher(date(2026, 10, 25), "主干道工程完工转入固定资产",  # no payment: it nets out
                        [LineInput("15101", Decimal("350000.25"), ZERO, project_id=p.id),
                         LineInput("153", ZERO, Decimal("350000.25"), project_id=p.id)]),
        ], maker=env.user)
    text = _sheet(env, env.book)
    facts = text.split("集体工程招投标及预决算情况")[1]
    assert "完工转入固定资产" not in facts.split("收支公开")[0]
    for expected in ("XM-01 村内主干道硬化工程", "预算金额 500,000.00", "中标金额 481,200.50", "公开招标",
                     "江宁区通达路桥建设工程有限公司", "HT2026-007", "累计支付 350,000.25", "150,000.00", "200,000.25",
                     "2026年4月20日", "2026年10月12日", "尚未决算"):
        assert expected in facts, expected
    assert "10201" not in facts  # the bank side of a payment is not a second payment
    with env.db.begin("test") as s:
        update_project(s, p.id, status="建成", completed_on=date(2026, 10, 25), final_amount="492000.00",
                       final_on=date(2026, 10, 28), user=env.user)
    facts = _sheet(env, env.book).split("集体工程招投标及预决算情况")[1]
    assert "决算金额 492,000.00" in facts and "2026年10月28日决算" in facts
    assert "决算与预算差额 -8,000.00" in facts and "决算低于预算" in facts


def test_works_facts_are_checked_before_anything_is_written(env: Env) -> None:
    from desktop_app.core.services.projects import create_project, list_projects

    base = {"organisation_id": env.org.id, "code": "XM-01", "name": "工程", "kind": "其他", "status": "申报"}
    for bad, message in (({"budget": "12.345"}, "预算金额"), ({"tender_winner": "某公司"}, "招标方式"),
                         ({"final_amount": "100"}, "决算日期"), ({"tender_method": "抽签"}, "招标方式"),
                         ({"contract_id": "0190f0f0-0000-7000-8000-000000000000"}, "工程合同")):
        with pytest.raises(UserError, match=message), env.db.begin("test") as s:
            create_project(s, **base, **bad, user=env.user)  # type: ignore[arg-type]
    with env.db.begin("test") as s:
        assert list_projects(s, env.org.id) == []


def test_upgrade_from_a0001_keeps_rows_and_reads_them_as_the_main_books(tmp_path: Path) -> None:
    from db.engine import make_engine
    from db.migrate import current_revisions, head_revisions, open_database, upgrade
    from tests.assets.conftest import make_env

    path = tmp_path / "old.db"
    engine = make_engine(path)
    upgrade(engine, "a0001")
    upgrade(engine, "heads")
    assert current_revisions(engine) == head_revisions()  # a0002 ran (h0001 merges it into the recorded head)
    engine.dispose()
    env = make_env(tmp_path / "new.db")
    pid = _parcel(env, "DK-001", "耕地")
    with env.db.begin("test") as s:
        from sqlalchemy import text

        s.execute(text("UPDATE resource_parcel SET book_id = NULL"))  # as written before a0002
        from desktop_app.core.services.resources import list_parcels

        assert [(p.id, p.book_id) for p in list_parcels(s, env.org.id)] == [(pid, env.book.id)]
    env.db.close()
    open_database(path).close()


def test_asset_purchases_and_disposals_on_the_sheet_name_their_vouchers(env: Env) -> None:
    from desktop_app.core.services.assets_changes import dispose_asset
    from desktop_app.core.services.assets_report import asset_change_table, asset_movements

    bought = env.asset("ZC-001", name="联合收割机", acquired_on=date(2026, 10, 8), original_value=Decimal("36000.00"))
    sold = env.asset("ZC-002", name="旧拖拉机", acquired_on=date(2026, 2, 3), original_value=Decimal("12000.00"))
    env.asset("ZC-003", name="村部空调", voucher=False, acquired_on=date(2026, 10, 9), original_value=Decimal("5000.00"))
    from desktop_app.core.services.depreciation import run_depreciation_through

    with env.db.begin("test") as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-03", last="2026-09", user=env.user)
        dispose_asset(s, sold.id, disposed_on=date(2026, 10, 20), kind="出售", reason="更新换代", user=env.user,
                      proceeds="3000", proceeds_account="10201")
        moves = asset_movements(s, env.book.id, PERIOD, PERIOD)
        change = asset_change_table(s, env.book.id, PERIOD, PERIOD)
    assert [(m.code, m.kind, m.increase, m.decrease, m.proceeds) for m in moves] == [
        ("ZC-001", "购建", Decimal("36000.00"), 0, 0), ("ZC-003", "购建", Decimal("5000.00"), 0, 0),
        ("ZC-002", "出售", 0, Decimal("12000.00"), Decimal("3000.00"))]
    assert [m.voucher.startswith("记-") for m in moves] == [True, False, True]
    assert moves[1].voucher == "未记账"  # in the register, not in the books: shown, not hidden
    assert sum(m.increase for m in moves) == sum(r.increase for r in change)
    assert sum(m.decrease for m in moves) == sum(r.decrease for r in change)
    text = _sheet(env, env.book).split("本期固定资产增减明细")[1]
    for expected in ("ZC-001 联合收割机", "36,000.00", "ZC-002 旧拖拉机", "12,000.00", "3,000.00", "未记账",
                     moves[0].voucher, moves[2].voucher):
        assert expected in text.replace("\n", ""), expected
    assert bought.code == "ZC-001"


def test_land_table_adds_up_as_printed(env: Env) -> None:
    from desktop_app.core.services.resources import create_parcel

    with env.db.begin("test") as s:  # rounded to 2 places the classes would print 1.01 + 2.01 against 3.01
        for code, land, mu in (("DK-1", "耕地", "1.0050"), ("DK-2", "林地", "2.0050")):
            create_parcel(s, organisation_id=env.org.id, code=code, name=code, land_class=land, area_mu=Decimal(mu),
                          status="机动地", user=env.user)
    table = _sheet(env, env.book).split("资源性资产（土地）情况")[1].split("面积以亩")[0]
    rows = {line.split()[0]: line.split() for line in table.splitlines() if line.split()}
    assert rows["耕地"][2] == "1.0050" and rows["林地"][2] == "2.0050" and rows["合计"][2] == "3.0100"
