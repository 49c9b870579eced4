"""``close-period`` prints the month-close checklist before it closes (``--check``: only the list),
``close-year`` the transfers before it posts them (``--preview``: only the list)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core.services.periods import period_status
from tests.funds.conftest import Env

USCC = "N2320115MF00000121"


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")  # the fixture users' password


def _run(env: Env, *args: str) -> int:
    return cli_main([*args, "--db", str(env.db.path), "--org", USCC])


def test_close_period_lists_the_checklist_and_refuses_on_a_cross(env: Env, capsys: Any) -> None:
    env.vouch(date(2026, 1, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"), post=False)
    assert _run(env, "close-period", "--period", "2026-01", "--check") == 1
    out = capsys.readouterr().out
    assert "结账检查：东湖村股份经济合作社 2026年1月" in out
    assert "✖ 凭证均已审核　未审核 1 张：记-0001" in out and "✔ 库存现金余额不为负数" in out
    assert "以上 ✖ 项不满足结账条件" in out
    assert _run(env, "--user", "kj", "close-period", "--period", "2026-01") == 1
    assert "以上 ✖ 项不满足结账条件" in capsys.readouterr().out  # refused by the list, after the login
    with env.db.read() as s:
        assert not period_status(s, env.book.id, "2026-01").is_closed


def test_close_period_closes_after_the_list(env: Env, capsys: Any) -> None:
    env.vouch(date(2026, 1, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    assert _run(env, "close-period", "--period", "2026-01", "--check") == 0
    assert "只检查（--check）" in capsys.readouterr().out
    assert _run(env, "--user", "kj", "close-period", "--period", "2026-01") == 0
    out = capsys.readouterr().out
    assert out.index("✔ 试算平衡") < out.index("2026年1月 已结账")
    with env.db.read() as s:
        assert period_status(s, env.book.id, "2026-01").is_closed


def test_close_year_previews_then_posts(tmp_path: Any, capsys: Any) -> None:
    from tests.funds.conftest import make_env

    env = make_env(tmp_path / "dec.db", start="2026-12")
    try:
        env.vouch(date(2026, 12, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
        assert _run(env, "close-year", "--year", "2026", "--preview") == 0
        out = capsys.readouterr().out
        assert "结转本年损益　50101 出租收入　借 1,000.00　贷 " in out and "未结转：只预览" in out
        assert _run(env, "--user", "kj", "close-period", "--period", "2026-12") == 1
        assert "✖ 已年终结转" in capsys.readouterr().out
        assert _run(env, "--user", "kj", "close-year", "--year", "2026") == 0
        assert "年度年终结转完成，生成凭证 2 张" in capsys.readouterr().out
        assert _run(env, "--user", "kj", "close-period", "--period", "2026-12") == 0
        with env.db.read() as s:
            assert period_status(s, env.book.id, "2026-12").is_closed
    finally:
        env.db.close()
