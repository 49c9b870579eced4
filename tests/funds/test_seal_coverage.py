"""The seal and ``verify`` cover what statements read (#9): opening balances, the account tree and
who made/reviewed/posted each voucher are sealed; ``account_period_total`` is rebuilt from the
posted entries and every differing row is named."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from db.images import canonical_json
from db.migrate import open_database
from desktop_app.cli import main as cli_main
from desktop_app.core.services.balances import verify_account_totals
from desktop_app.core.services.integrity import CHECKS
from desktop_app.core.services.opening import OpeningInput, set_opening_balances
from desktop_app.core.services.orgs import add_sub_account
from desktop_app.core.services.period_seals import verify_period_seals, voucher_images
from desktop_app.core.services.periods import close_period
from tests.funds.conftest import Env, make_env

D = Decimal


def _closed_book(tmp_path: Path) -> Env:
    env = make_env(tmp_path / "seal.db")
    with env.db.begin() as s:
        set_opening_balances(s, env.book.id, [OpeningInput("101", D("1000.00")), OpeningInput("10201", D("9000.00")),
                                              OpeningInput("301", credit=D("10000.00"))], user=env.maker)
    env.vouch(date(2026, 1, 3), "收租金", ("10201", "500.00", "0"), ("50101", "0", "500.00"))
    env.vouch(date(2026, 2, 3), "付办公费", ("51302", "80.00", "0"), ("101", "0", "80.00"))
    with env.db.begin() as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
        close_period(s, env.book.id, "2026-02", user=env.maker)
    with env.db.engine.connect() as conn:
        assert verify_period_seals(conn) == [] and verify_account_totals(conn) == []
    return env


def _edit(env: Env, sql: str, *params: object) -> list[str]:
    """Run ``sql`` with plain sqlite3 (behind the program's back), then the seal check."""
    env.db.close()
    raw = sqlite3.connect(env.db.path)
    assert raw.execute(sql, params).rowcount >= 1
    raw.commit()
    raw.close()
    db = open_database(env.db.path)
    with db.engine.connect() as conn:
        problems = verify_period_seals(conn)
    db.close()
    return problems


ACC = "(SELECT id FROM account WHERE code = '{}')"  # one book in these files
EDITS: dict[str, str] = {
    "opening balance": f"UPDATE opening_balance SET debit = debit + 10000000 WHERE account_id = {ACC.format('101')}",
    "account category": "UPDATE account SET category = '资产' WHERE code = '50101'",
    "account parent": f"UPDATE account SET parent_id = {ACC.format('112')} WHERE code = '10201'",
    "normal side": "UPDATE account SET normal_side = '借' WHERE code = '50101'",
    "account level": "UPDATE account SET level = 1 WHERE code = '10201'",
    "reviewer": "UPDATE voucher SET reviewer_name = '王会计' WHERE number = 1 AND period = '2026-01'",
    "poster": "UPDATE voucher SET poster_name = '张三' WHERE number = 1 AND period = '2026-01'",
    "maker": "UPDATE voucher SET maker_id = (SELECT id FROM app_user WHERE username = 'sh') WHERE period = '2026-01'",
}


@pytest.mark.parametrize("what", list(EDITS))
def test_seal_covers_opening_accounts_and_people(tmp_path: Path, what: str) -> None:
    env = _closed_book(tmp_path)
    problems = _edit(env, EDITS[what])
    assert problems and all("封存哈希不符" in p for p in problems), what
    assert "2026年1月已结账" in problems[0]


def test_adding_a_sub_account_later_keeps_closed_seals(tmp_path: Path) -> None:
    env = _closed_book(tmp_path)
    with env.db.begin() as s:
        add_sub_account(s, book_id=env.book.id, parent_code="102", code="10202", name="信用社", user=env.maker)
    env.vouch(date(2026, 3, 3), "转存信用社", ("10202", "100.00", "0"), ("10201", "0", "100.00"))
    with env.db.engine.connect() as conn:
        assert verify_period_seals(conn) == []


def test_a_month_sealed_by_the_first_release_still_verifies(tmp_path: Path) -> None:
    env = _closed_book(tmp_path)
    with env.db.engine.connect() as conn:
        vouchers, _people = voucher_images(conn, env.book.id, ["2026-01"])
        legacy = hashlib.sha256(canonical_json({"book": str(env.book.id), "period": "2026-01",
                                                "vouchers": vouchers["2026-01"]}).encode()).hexdigest()
    problems = _edit(env, "UPDATE period SET seal_hash = ? WHERE period = '2026-01'", legacy)
    assert problems == []
    problems = _edit(env, "UPDATE entry SET debit = 50100 WHERE debit = 50000")
    assert len(problems) == 1 and "2026年1月已结账" in problems[0]


def test_verify_rebuilds_the_account_totals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = _closed_book(tmp_path)
    assert "科目汇总表与已记账分录一致" in [name for name, _ in CHECKS]
    env.db.close()
    raw = sqlite3.connect(env.db.path)
    raw.execute("UPDATE account_period_total SET credit = credit + 5000000 WHERE period = '2026-01' AND credit = 50000")
    raw.execute("DELETE FROM account_period_total WHERE period = '2026-02' AND debit = 8000")
    raw.commit()
    raw.close()
    db = open_database(env.db.path)
    with db.engine.connect() as conn:
        problems = verify_account_totals(conn)
    db.close()
    assert problems == [
        "账套“东湖村股份经济合作社”2026年1月 科目 50101 出租收入的汇总发生额（借 0.00，贷 50500.00）与已记账分录合计"
        "（借 0.00，贷 500.00）不符：科目汇总表已被程序以外的方式修改，报表数字不可信",
        "账套“东湖村股份经济合作社”2026年2月 科目 51302 办公费的汇总发生额（无此汇总记录）与已记账分录合计"
        "（借 80.00，贷 0.00）不符：科目汇总表已被程序以外的方式修改，报表数字不可信",
    ]
    assert cli_main(["verify", "--db", str(env.db.path)]) != 0
    assert "科目 50101 出租收入的汇总发生额" in capsys.readouterr().out


def test_verify_names_a_total_whose_entries_net_to_zero(env: Env) -> None:
    from desktop_app.core.services.vouchers import post_voucher, reverse_voucher, review_voucher

    vid = env.vouch(date(2026, 1, 3), "收租金", ("10201", "500.00", "0"), ("50101", "0", "500.00"))
    with env.db.begin() as s:
        red = reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 1, 9), reason="重复")
        review_voucher(s, red.id, user=env.reviewer)
        post_voucher(s, red.id, user=env.maker)
    with env.db.engine.connect() as conn:
        assert verify_account_totals(conn) == []
    env.db.close()
    raw = sqlite3.connect(env.db.path)
    raw.execute("UPDATE account_period_total SET credit = 70000 WHERE credit = 0 AND debit = 0 AND period = '2026-01'"
                " AND account_id = (SELECT id FROM account WHERE code = '50101')")
    raw.commit()
    raw.close()
    db = open_database(env.db.path)
    with db.engine.connect() as conn:
        problems = verify_account_totals(conn)
    db.close()
    assert len(problems) == 1 and "科目 50101 出租收入的汇总发生额（借 0.00，贷 700.00）与已记账分录合计（借 0.00，贷 0.00）不符" in problems[0]
