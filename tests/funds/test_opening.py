"""Opening balances: entry, xlsx import (validate → preview → apply), the 2004 → 2023 conversion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.services.ledgers import trial_balance, trial_balance_total
from desktop_app.core.services.opening import (
    OpeningInput,
    convert_2004_to_2023,
    preview_opening,
    read_opening_xlsx,
    set_opening_balances,
)
from desktop_app.core.services.orgs import create_book
from desktop_app.core.services.periods import close_period
from desktop_app.core.services.statements import balance_sheet_values
from desktop_app.core.services.yearend import close_year
from tests.funds.conftest import Env, make_env

D = Decimal


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["科目编码", "科目名称", "借方余额", "贷方余额"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_enter_and_refuse(env: Env) -> None:
    good = [OpeningInput("101", D("1000.00")), OpeningInput("10201", D("9000.00")), OpeningInput("301", credit=D("10000.00"))]
    with pytest.raises(ValidationError, match="不平衡"), env.db.begin() as s:
        set_opening_balances(s, env.book.id, [*good[:2], OpeningInput("301", credit=D("9999.99"))], user=env.maker)
    with pytest.raises(ValidationError, match="有明细科目"), env.db.begin() as s:
        set_opening_balances(s, env.book.id, [OpeningInput("102", D("1")), OpeningInput("301", credit=D("1"))],
                             user=env.maker)
    with env.db.begin() as s:
        set_opening_balances(s, env.book.id, good, user=env.maker)
        set_opening_balances(s, env.book.id, [*good[1:], OpeningInput("311", credit=D("-1000.00"))], user=env.maker)
        rows = {r.code: r for r in trial_balance(s, env.book.id, "2026-01", "2026-01")}
        assert "101" not in rows and rows["311"].opening_debit == D("1000.00")
        assert rows["102"].opening_debit == D("9000.00")  # rolled up from 10201
    env.vouch(date(2026, 1, 2), "收租金", ("101", "10.00", "0"), ("50101", "0", "10.00"))
    with pytest.raises(ConflictError, match="已有记账凭证"), env.db.begin() as s:
        set_opening_balances(s, env.book.id, good, user=env.maker)


def test_xlsx_import_validate_preview_apply(env: Env, tmp_path: Path) -> None:
    bad = _sheet(tmp_path / "bad.xlsx", [["101", "库存现金", 100.005, None], ["151", "固定资产", 5, None],
                                          ["301", "资本", None, "abc"]])
    lines, errors = read_opening_xlsx(bad)
    assert errors[0] == "第2行C列“借方余额”：金额最多两位小数（到分）"
    assert len(errors) == 2 and errors[1].startswith("第4行D列“贷方余额”：“abc”不是贷方余额")
    with env.db.begin() as s:
        preview = preview_opening(s, env.book.id, lines)
    assert any("第3行“科目编码”列" in e and "有明细科目" in e for e in preview.errors)
    ok = _sheet(tmp_path / "ok.xlsx", [[101, "库存现金", 1234.56, None], ["10201", "农商行", "98,765.44", ""],
                                         ["301", "资本", None, 100000]])
    lines, errors = read_opening_xlsx(ok)
    assert errors == []
    with env.db.begin() as s:
        preview = preview_opening(s, env.book.id, lines)
        assert preview.ok and preview.total_debit == preview.total_credit == D("100000.00")
        set_opening_balances(s, env.book.id, lines, user=env.maker)
        t = trial_balance_total(trial_balance(s, env.book.id, "2026-01", "2026-01"))
        assert t.opening_debit == t.opening_credit == D("100000.00")


def test_convert_2004_book_to_2023(tmp_path: Path) -> None:
    env = make_env(tmp_path / "c.db", chart_version="2004", start="2023-01")
    with env.db.begin() as s:
        set_opening_balances(s, env.book.id, [
            OpeningInput("101", D("500.00")), OpeningInput("102", D("80000.00")), OpeningInput("154", D("20000.00")),
            OpeningInput("15101", D("50000.00")), OpeningInput("152", credit=D("10000.00")),
            OpeningInput("202", credit=D("3000.00")), OpeningInput("211", credit=D("2000.00")),
            OpeningInput("301", credit=D("100000.00")), OpeningInput("32201", credit=D("35500.00"))], user=env.maker)
    env.vouch(date(2023, 6, 1), "收承包金", ("102", "6000.00", "0"), ("51101", "0", "6000.00"))
    with env.db.begin() as s:
        close_year(s, env.book.id, 2023, user=env.maker)
        for m in range(1, 13):
            close_period(s, env.book.id, f"2023-{m:02d}", user=env.maker)
        new = create_book(s, organisation_id=env.book.organisation_id, name="新制度账套", kind="股份经济合作社",
                          start_period="2024-01", chart_version="2023", user=env.maker)
        preview = convert_2004_to_2023(s, env.book.id, new.id, user=env.maker)
        assert preview.total_debit == D("156500.00")
        tb = {r.code: r for r in trial_balance(s, new.id, "2024-01", "2024-01")}
        assert tb["153"].opening_debit == D("20000.00")  # 2004 在建工程 154 → 2023 153
        assert tb["211"].opening_credit == D("3000.00") and tb["212"].opening_credit == D("2000.00")
        assert tb["32201"].opening_credit == D("41500.00")
        old_start, _ = balance_sheet_values(s, env.book.id, "2024-01")
        new_start, _ = balance_sheet_values(s, new.id, "2024-01")
        assert old_start["a19"] == new_start["a23"] and new_start["a23"] == new_start["e5"]
    env.db.close()
