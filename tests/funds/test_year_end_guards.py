"""Reviewer #17.1: 年终结转 refuses while the year has vouchers not yet posted (naming them, as
the month close does), and warns — CLI and dialog — when December's depreciation is due and not run."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core.errors import ConflictError
from desktop_app.core.services.funds_base import YEAR_END_KIND
from desktop_app.core.services.vouchers import (
    LineInput,
    create_voucher,
    find_vouchers_by_source,
    post_voucher,
    review_voucher,
)
from desktop_app.core.services.yearend import close_year, preview_year_end, year_end_warnings
from desktop_app.ui import close_dialogs
from desktop_app.ui.context import AppContext
from desktop_app.ui.settings import WindowSettings
from tests.assets.conftest import Env as AssetsEnv
from tests.assets.conftest import make_env as make_assets_env
from tests.funds.conftest import Env, make_env, table_counts

USCC = "N2320115MF00000121"


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")


@pytest.fixture
def dec(tmp_path: Path) -> Any:
    e = make_env(tmp_path / "dec.db", start="2026-12")
    yield e
    e.db.close()


def test_year_end_refused_while_december_has_vouchers_not_posted(dec: Env, capsys: Any) -> None:
    dec.vouch(date(2026, 12, 3), "收租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    second = dec.vouch(date(2026, 12, 5), "付办公费", ("51302", "300.00", "0"), ("10201", "0", "300.00"), post=False)
    dec.vouch(date(2026, 12, 6), "付电费", ("51302", "50.00", "0"), ("10201", "0", "50.00"), post=False)
    before = table_counts(dec)
    with dec.db.read() as s, pytest.raises(ConflictError) as preview_info:
        preview_year_end(s, dec.book.id, 2026)
    with dec.db.begin() as s, pytest.raises(ConflictError) as info:
        close_year(s, dec.book.id, 2026, user=dec.maker)
    text = str(info.value)
    assert text == str(preview_info.value)
    assert "2026年度有 2 张凭证尚未记账：2026年12月记-0002（填制）、2026年12月记-0003（填制）" in text
    assert not text.startswith("“年度”")  # no stray field label (#17.5)
    assert table_counts(dec) == before, "nothing may be written on refusal"
    cmd = ["--db", str(dec.db.path), "--org", USCC]
    assert cli_main(["close-year", "--year", "2026", "--preview", *cmd]) == 1
    err = capsys.readouterr().err
    assert "2026年12月记-0002（填制）" in err and "结转本年损益" not in err
    with dec.db.begin("test") as s:  # reviewed but not posted still refuses, named with its status
        review_voucher(s, second, user=dec.reviewer)
    assert cli_main(["--user", "kj", "close-year", "--year", "2026", *cmd]) == 1
    assert "2026年12月记-0002（审核）" in capsys.readouterr().err
    with dec.db.read() as s:
        assert find_vouchers_by_source(s, dec.book.id, YEAR_END_KIND, uuid.UUID(int=2026)) == []


def _december_asset_book(tmp_path: Path) -> AssetsEnv:
    """An asset bought in November (depreciated from December) and a posted income voucher."""
    aenv = make_assets_env(tmp_path / "assets.db")
    aenv.asset(acquired_on=date(2026, 11, 20))
    with aenv.db.begin("test") as s:
        v = create_voucher(s, book_id=aenv.book.id, voucher_date=date(2026, 12, 3), summary="收租金",
                           lines=[LineInput("10201", Decimal("1000.00"), Decimal(0)),
                                  LineInput("50101", Decimal(0), Decimal("1000.00"))], user=aenv.user)
        review_voucher(s, v.id, user=aenv.reviewer)
        post_voucher(s, v.id, user=aenv.user)
    return aenv


def test_december_depreciation_not_run_is_warned_in_cli_and_dialog(
        tmp_path: Path, capsys: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    aenv = _december_asset_book(tmp_path)
    try:
        with aenv.db.read() as s:
            warnings = year_end_warnings(s, aenv.book.id, 2026)
        assert len(warnings) == 1
        assert warnings[0].startswith("2026年12月折旧：1 项资产本月应计提折旧共 266.67 元，尚未计提")
        assert cli_main(["close-year", "--year", "2026", "--preview", "--db", str(aenv.db.path), "--org", USCC]) == 0
        out = capsys.readouterr().out
        assert "注意：2026年12月折旧：1 项资产本月应计提折旧" in out
        assert out.index("注意：") < out.index("结转本年损益")

        ctx = AppContext(aenv.db, aenv.user, WindowSettings(tmp_path / "w.json"))
        ctx.book = aenv.book
        asked: list[str] = []

        def cancel(box: Any) -> int:
            asked.append(box.text())
            return 0  # 取消

        monkeypatch.setattr(close_dialogs.QDialog, "open", lambda self: None)
        dlg = close_dialogs.open_year_end(ctx, 2026, None)
        assert dlg is not None
        qtbot.addWidget(dlg)
        assert not dlg.warning_label.isHidden() and "⚠ 2026年12月折旧：1 项资产" in dlg.warning_label.text()
        from desktop_app.ui import errors
        monkeypatch.setattr(errors, "_exec", cancel)
        dlg.carry_forward()
        assert asked and "仍要结转吗" in asked[0]
        with aenv.db.read() as s:  # cancelled: nothing carried
            assert find_vouchers_by_source(s, aenv.book.id, YEAR_END_KIND, uuid.UUID(int=2026)) == []
    finally:
        aenv.db.close()
