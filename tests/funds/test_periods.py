"""Month close, seals, reopening and the year-end closing."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core.errors import ConflictError, PermissionDenied, ValidationError
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.ledgers import trial_balance
from desktop_app.core.services.period_seals import verify_period_seals
from desktop_app.core.services.periods import (
    close_period,
    ensure_period_open,
    list_periods,
    period_reopen_info,
    period_status,
    reopen_period,
)
from desktop_app.core.services.statements import balance_sheet_values, income_distribution_values
from desktop_app.core.services.vouchers import LineInput, create_voucher
from desktop_app.core.services.yearend import close_year
from tests.funds.conftest import Env

D = Decimal


def test_close_checks_and_sequence(env: Env) -> None:
    env.vouch(date(2026, 1, 3), "收租金", ("101", "500.00", "0"), ("50101", "0", "500.00"))
    with env.db.begin() as s:
        v = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 1, 9), summary="付水电费",
                           lines=[LineInput("51306", D("20.00")), LineInput("101", credit=D("20.00"))], user=env.maker)
    with pytest.raises(ConflictError, match="尚未记账") as info, env.db.begin() as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    assert "第2号（填制）" in str(info.value)
    with pytest.raises(ConflictError, match="请先结账2026年1月"), env.db.begin() as s:
        close_period(s, env.book.id, "2026-02", user=env.maker)
    from desktop_app.core.services.vouchers import void_voucher

    with env.db.begin() as s:
        void_voucher(s, v.id, user=env.maker)
        row = close_period(s, env.book.id, "2026-01", user=env.maker)
        assert row.is_closed and row.seal_hash and len(row.seal_hash) == 64
        with pytest.raises(ConflictError, match="2026年1月已结账"):
            ensure_period_open(s, env.book.id, date(2026, 1, 31))
        ensure_period_open(s, env.book.id, date(2026, 2, 1))
        assert [p.period for p in list_periods(s, env.book.id)] == ["2026-01"]


def test_negative_cash_refuses_close(env: Env) -> None:
    env.vouch(date(2026, 1, 3), "付办公费", ("51302", "80.00", "0"), ("101", "0", "80.00"))
    with pytest.raises(ConflictError, match="库存现金期末余额为负数"), env.db.begin() as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)


def test_reopen_needs_reviewer_and_reason_and_is_recorded(env: Env) -> None:
    env.vouch(date(2026, 1, 3), "收租金", ("101", "500.00", "0"), ("50101", "0", "500.00"))
    with env.db.begin() as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
        close_period(s, env.book.id, "2026-02", user=env.maker)
    with pytest.raises(PermissionDenied), env.db.begin() as s:
        reopen_period(s, env.book.id, "2026-02", user=env.maker, reason="补记")
    with pytest.raises(ValidationError, match="必须填写原因"), env.db.begin() as s:
        reopen_period(s, env.book.id, "2026-02", user=env.reviewer, reason=" ")
    with pytest.raises(ConflictError, match="请先反结账以后的月份"), env.db.begin() as s:
        reopen_period(s, env.book.id, "2026-01", user=env.reviewer, reason="补记")
    with env.db.begin() as s:
        assert period_reopen_info(s, env.book.id, "2026-02") is None
        reopen_period(s, env.book.id, "2026-02", user=env.reviewer, reason="漏记一笔租金")
        assert not period_status(s, env.book.id, "2026-02").is_closed
    env.vouch(date(2026, 2, 27), "补记租金", ("101", "100.00", "0"), ("50101", "0", "100.00"))
    with env.db.begin() as s:
        close_period(s, env.book.id, "2026-02", user=env.maker)
        info = period_reopen_info(s, env.book.id, "2026-02")
        assert info and info.reopen_count == 1 and info.last_reason == "漏记一笔租金" and info.closed_again


def test_seal_detects_edit_behind_the_programs_back(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.vouch(date(2026, 1, 3), "收租金", ("101", "500.00", "0"), ("50101", "0", "500.00"))
    with env.db.begin() as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    with env.db.engine.connect() as conn:
        assert verify_period_seals(conn) == []
    env.db.close()
    raw = sqlite3.connect(env.db.path)
    raw.execute("UPDATE entry SET debit = 50100 WHERE debit = 50000")
    raw.execute("UPDATE entry SET credit = 50100 WHERE credit = 50000")
    raw.commit()
    raw.close()
    from db.migrate import open_database

    db = open_database(env.db.path)
    with db.engine.connect() as conn:
        problems = verify_period_seals(conn)
        assert len(problems) == 1 and "2026年1月已结账" in problems[0] and "封存哈希不符" in problems[0]
        assert any(not r.ok for r in verify_database(conn))
    db.close()
    assert cli_main(["verify", "--db", str(env.db.path)]) == 3
    assert "封存哈希不符" in capsys.readouterr().out


def test_year_end_close_carries_forward(tmp_path: object) -> None:
    from pathlib import Path

    from tests.funds.conftest import make_env

    env = make_env(Path(str(tmp_path)) / "y.db", start="2025-01")
    env.vouch(date(2025, 3, 1), "收租金", ("10201", "9000.00", "0"), ("50101", "0", "9000.00"))
    env.vouch(date(2025, 4, 1), "付干部报酬", ("51301", "3000.00", "0"), ("10201", "0", "3000.00"))
    env.vouch(date(2025, 12, 20), "提取公积公益金", ("3220201", "600.00", "0"), ("311", "0", "600.00"))
    with env.db.begin() as s:
        for m in range(1, 12):
            close_period(s, env.book.id, f"2025-{m:02d}", user=env.maker)
        with pytest.raises(ConflictError, match="先进行年终结转"):
            close_period(s, env.book.id, "2025-12", user=env.maker)
    with env.db.begin() as s:
        made = close_year(s, env.book.id, 2025, user=env.maker)
        assert len(made) == 3
        with pytest.raises(ConflictError, match="已经进行过年终结转"):
            close_year(s, env.book.id, 2025, user=env.maker)
        close_period(s, env.book.id, "2025-12", user=env.maker)
        tb = {r.code: r for r in trial_balance(s, env.book.id, "2026-01", "2026-01")}
        assert tb["32201"].opening_credit == D("5400.00")  # 9000 − 3000 − 600
        assert "501" not in tb and "321" not in tb and "3220201" not in tb
        dist = income_distribution_values(s, env.book.id, "2025-01", "2025-12")
        assert dist["i13"] == D("6000.00") and dist["i17"] == D("600.00") and dist["i20"] == D("5400.00")
        start, _end = balance_sheet_values(s, env.book.id, "2026-01")
        assert start["e3"] == D("5400.00") and start["a23"] == start["e5"]
    env.db.close()
