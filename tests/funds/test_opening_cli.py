"""``export opening-template`` and ``import opening``: the template read back, filled in and imported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core.services.ledgers import trial_balance, trial_balance_total
from desktop_app.core.services.orgs import list_accounts
from tests.funds.conftest import Env, table_counts

USCC = "N2320115MF00000121"
D = Decimal


def _template(env: Env, tmp_path: Path) -> Path:
    out = tmp_path / "期初余额模板.xlsx"
    assert cli_main(["--user", "kj", "export", "opening-template", "--db", str(env.db.path), "--org", USCC, "--out", str(out)]) == 0
    return out


def _fill(template: Path, target: Path, amounts: dict[str, tuple[Any, Any]]) -> Path:
    """Type amounts into the template's 借方余额/贷方余额 cells the way Excel would store them."""
    wb = openpyxl.load_workbook(template)
    ws = wb.active
    assert ws is not None
    for row in ws.iter_rows(min_row=3):
        if row[0].value in amounts:
            row[3].value, row[4].value = amounts[row[0].value]
    wb.save(target)
    return target


def _import(env: Env, path: Path, *extra: str) -> int:
    """Checks and refusals need no login (nothing is written, not even a login's audit entry)."""
    return cli_main(["import", "opening", str(path), "--db", str(env.db.path), "--org", USCC, *extra])


def test_template_lists_every_leaf_with_number_cells(env: Env, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = _template(env, tmp_path)
    assert "期初余额表模板" in capsys.readouterr().out
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    assert [c.value for c in ws[1]] == ["科目编码", "科目名称", "方向", "借方余额", "贷方余额"]
    assert str(ws["A2"].value).startswith("说明")
    with env.db.begin() as s:
        leaves = [a for a in list_accounts(s, env.book.id) if a.is_leaf]
    body = list(ws.iter_rows(min_row=3))
    assert [r[0].value for r in body] == [a.code for a in leaves]  # every leaf, code order, codes as text
    assert "102" not in [r[0].value for r in body] and "10201" in [r[0].value for r in body]
    assert {r[0].value: r[2].value for r in body}["301"] == "贷"
    assert all(r[3].value is None and r[4].value is None for r in body)
    assert all(r[3].number_format == r[4].number_format == "#,##0.00" for r in body)

    filled = _fill(path, tmp_path / "filled.xlsx", {"101": (1234.56, None), "10201": (D("98765.44"), None),
                                                     "301": (None, 100000)})
    ws = openpyxl.load_workbook(filled).active
    assert ws is not None
    cell = next(r[3] for r in ws.iter_rows(min_row=3) if r[0].value == "101")
    assert isinstance(cell.value, float) and cell.number_format == "#,##0.00"  # a number, not text


def test_fill_and_import(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filled = _fill(_template(env, tmp_path), tmp_path / "filled.xlsx",
                   {"101": (1234.56, None), "10201": (98765.44, None), "301": (None, 100000)})
    capsys.readouterr()
    assert _import(env, filled, "--user", "kj") == 0
    assert "已导入期初余额：3 个科目" in capsys.readouterr().out
    with env.db.begin() as s:
        rows = {r.code: r for r in trial_balance(s, env.book.id, "2026-01", "2026-01")}
        total = trial_balance_total(list(rows.values()))
    assert rows["101"].opening_debit == D("1234.56") and rows["102"].opening_debit == D("98765.44")
    assert rows["301"].opening_credit == D("100000.00")
    assert total.opening_debit == total.opening_credit == D("100000.00")


def test_dry_run_prints_the_preview_and_writes_nothing(env: Env, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    filled = _fill(_template(env, tmp_path), tmp_path / "filled.xlsx", {"101": (500, None), "301": (None, 500)})
    before = table_counts(env)
    capsys.readouterr()
    assert _import(env, filled, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "导入后：借方合计 500.00，贷方合计 500.00，试算平衡" in out and "新增 2 行" in out and "未写入" in out
    assert table_counts(env) == before


def test_unbalanced_is_refused_with_the_difference(env: Env, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    filled = _fill(_template(env, tmp_path), tmp_path / "filled.xlsx", {"101": (1000, None), "301": (None, 999.99)})
    before = table_counts(env)
    capsys.readouterr()
    assert _import(env, filled, "--dry-run") == 1
    out = capsys.readouterr().out
    assert "导入后期初余额不平衡：借方合计 1000.00，贷方合计 999.99，相差 0.01" in out
    assert _import(env, filled) == 1
    captured = capsys.readouterr()
    assert "相差 0.01" in captured.out and "未写入任何数据" in captured.err
    assert table_counts(env) == before


def test_bad_amount_names_row_and_column(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = _template(env, tmp_path)
    filled = _fill(template, tmp_path / "filled.xlsx", {"101": (12.345, None), "301": (None, 12.35)})
    row = next(i for i, r in enumerate(openpyxl.load_workbook(template).active.iter_rows(), start=1)  # type: ignore[union-attr]
               if r[0].value == "101")
    before = table_counts(env)
    capsys.readouterr()
    assert _import(env, filled) == 1
    captured = capsys.readouterr()
    assert f"第{row}行D列“借方余额”：金额最多两位小数（到分）" in captured.out
    assert "发现 2 处错误" in captured.err  # the bad cell, and the table no longer balances without it
    assert table_counts(env) == before


def test_refused_after_posting_and_for_an_empty_sheet(env: Env, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    template = _template(env, tmp_path)
    assert _import(env, template) == 1
    assert "没有填写任何期初余额" in capsys.readouterr().out
    env.vouch(date(2026, 1, 2), "收租金", ("101", "10.00", "0"), ("50101", "0", "10.00"))
    filled = _fill(template, tmp_path / "filled.xlsx", {"101": (5, None), "301": (None, 5)})
    before = table_counts(env)
    assert _import(env, filled, "--user", "kj") == 1
    assert "已有记账凭证" in capsys.readouterr().out
    logged_in = {**before, "audit_entry": before["audit_entry"] + 1}  # the login is audited, nothing else
    assert table_counts(env) == logged_in


def test_wrong_usage(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--user", "kj", "export", "opening-template", "--db", str(env.db.path), "--org", USCC,
                     "--out", str(tmp_path / "t.pdf")]) == 1
    assert ".xlsx" in capsys.readouterr().err
    assert _import(env, tmp_path / "missing.xlsx") == 1
    assert "找不到文件" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
