"""期初余额 on the import pipeline (kind ``opening``), and the template that read back zeroed the grid (issue #15)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from db.models import AuditEntry
from desktop_app.cli import main as cli_main
from desktop_app.core.services.ledgers import trial_balance
from desktop_app.core.services.opening import OpeningInput, set_opening_balances
from desktop_app.core.services.periods import close_period
from desktop_app.excel.importers import run_import, write_template
from desktop_app.excel.opening_xlsx import read_opening_sheet
from tests.funds.conftest import Env, table_counts

USCC = "N2320115MF00000121"
D = Decimal


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")  # the fixture users' password


def _xlsx(path: Path, head: list[str], rows: list[list[Any]], *, title: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append(["东湖村股份经济合作社期初余额表"])
        ws.append(["2026年1月1日", None, None, "单位：元"])
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _run(env: Env, path: Path, *, mode: str = "add", apply: bool = False) -> Any:
    with env.db.begin("test") as s:
        return run_import(s, "opening", path, organisation_id=env.book.organisation_id, book_id=env.book.id,
                          mode=mode, apply=apply, user=env.maker)  # type: ignore[arg-type]


def _opening(env: Env) -> dict[str, Decimal]:
    with env.db.begin() as s:
        return {r.code: r.opening for r in trial_balance(s, env.book.id, "2026-01", "2026-01")
                if r.is_leaf and r.opening != 0}


def _set(env: Env, *lines: OpeningInput) -> None:
    with env.db.begin("test") as s:
        set_opening_balances(s, env.book.id, list(lines), user=env.maker)


HELD = (OpeningInput("101", D("1234.56")), OpeningInput("10201", D("98765.44")), OpeningInput("152", credit=D("500.00")),
        OpeningInput("15101", D("500.00")), OpeningInput("301", credit=D("100000.00")))


def test_the_template_read_back_gives_the_same_figures(env: Env, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _set(env, *HELD)
    before = _opening(env)
    assert before["152"] == D("-500.00")  # 累计折旧, whose name once made the row a "累计" total
    out = tmp_path / "期初余额表.xlsx"
    assert cli_main(["--user", "kj", "export", "opening-template", "--db", str(env.db.path), "--org", USCC,
                     "--out", str(out)]) == 0
    lines, errors = read_opening_sheet(out)  # the opening page's path
    assert errors == []
    assert {ln.account_code: ln.debit - ln.credit for ln in lines} == before
    for mode in ("add", "skip", "update"):
        check, _ = _run(env, out, mode=mode)
        assert check.ok, [str(p) for p in check.problems]
        assert check.count("unchanged") == 5 and check.count("new") == check.count("changed") == 0
    capsys.readouterr()
    assert cli_main(["--user", "kj", "import", "opening", str(out), "--db", str(env.db.path), "--org", USCC,
                     "--mode", "update"]) == 0
    assert "期初余额无变化：文件中 5 个科目的金额与账套相同" in capsys.readouterr().out
    assert _opening(env) == before


def test_an_empty_template_is_a_problem_never_a_zero_grid(env: Env, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "空模板.xlsx"
    assert cli_main(["--user", "kj", "export", "opening-template", "--db", str(env.db.path), "--org", USCC,
                     "--out", str(out)]) == 0
    _set(env, *HELD)  # the book has figures the empty file must not wipe
    lines, errors = read_opening_sheet(out)
    assert lines == [] and len(errors) == 1 and "没有填写任何期初余额" in errors[0]
    before = table_counts(env)
    check, done = _run(env, out, mode="update", apply=True)
    assert done is None and [p.row for p in check.problems] == [0]
    assert "没有填写任何期初余额" in str(check.problems[0])
    assert table_counts(env) == before and _opening(env)["101"] == D("1234.56")
    unmatched = _xlsx(tmp_path / "无金额列.xlsx", ["科目编码", "科目名称", "备注"], [["101", "库存现金", "x"]])
    check, _ = _run(env, unmatched)
    assert not check.ok and "找不到金额列" in str(check.problems[0])


def test_synonyms_one_balance_column_and_names(env: Env, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "别人的表.xlsx", ["科目代码", "科目", "期初余额"], [
        ["101", "库存现金", "1,234.56元"],
        [None, "银行存款/农商行", "９８７６５.４４"],
        ["152", "累计折旧", 500],  # a credit account: its normal side
        [None, "1510１ 经营性固定资产", 500],
        ["301", "资本", "100000"],
        ["合计", None, None],
    ])
    check, done = _run(env, path, apply=True)
    assert check.ok, [str(p) for p in check.problems]
    assert done is not None and done.added == 5 and check.skipped[-1].reason == "合计行"
    assert _opening(env) == {"101": D("1234.56"), "10201": D("98765.44"), "152": D("-500.00"), "15101": D("500.00"),
                             "301": D("-100000.00")}
    sided = _xlsx(tmp_path / "方向.xlsx", ["编码", "余额方向", "余额"],
                  [["101", "贷", 10], ["50101", "借", 10], ["10201", "平", None]], title=False)
    check, _ = _run(env, sided, mode="update")
    assert {o.key: (o.status, [str(c) for c in o.changes]) for o in check.outcomes} == {
        "101": ("changed", ["期初余额：借 1234.56 → 贷 10.00"]), "50101": ("new", []),
        "10201": ("changed", ["期初余额：借 98765.44 → 0"])}
    assert [p.row for p in check.problems] == [0] and "不平衡" in str(check.problems[0])


def test_modes_blank_keeps_zero_clears_unlisted_stay(env: Env, tmp_path: Path) -> None:
    _set(env, *HELD)
    head = ["科目编码", "科目名称", "借方余额", "贷方余额"]
    path = _xlsx(tmp_path / "改.xlsx", head, [
        ["101", "库存现金", 1000, None],  # changed (1234.56 → 1000)
        ["10201", "农商行", None, None],  # blank: kept
        ["111", "短期投资", "234.56", None],  # new
        ["15101", "经营性固定资产", 0, None],  # 0: cleared
        ["152", "累计折旧", None, 0],  # 0: cleared
    ], title=False)
    check, _ = _run(env, path)
    by_row = {p.row: str(p) for p in check.problems}
    assert "已有期初余额 借 1234.56，文件为 借 1000.00" in by_row[2] and "更新已有" in by_row[2]
    check, done = _run(env, path, mode="skip")
    assert check.count("skipped") == 3 and check.count("new") == 1  # 111 alone would not balance
    assert any("不平衡" in str(p) for p in check.problems)
    check, done = _run(env, path, mode="update", apply=True)
    assert check.ok, [str(p) for p in check.problems]
    changed = {o.key: [str(c) for c in o.changes] for o in check.outcomes if o.status == "changed"}
    assert changed["101"] == ["期初余额：借 1234.56 → 借 1000.00"] and changed["152"] == ["期初余额：贷 500.00 → 0"]
    assert done is not None and (done.added, done.updated) == (1, 3)
    assert _opening(env) == {"101": D("1000.00"), "10201": D("98765.44"), "111": D("234.56"),
                             "301": D("-100000.00")}


def test_every_problem_named_by_row_and_column_nothing_written(env: Env, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "坏.xlsx", ["科目编码", "科目名称", "期初借方", "期初贷方"], [
        ["102", "银行存款", 100, None],  # 4: has sub-accounts
        ["9999", "不存在", 100, None],  # 5
        ["101", "库存现金", "12.345", None],  # 6
        ["301", "资本", None, "abc"],  # 7
        ["101", "库存现金", 1, None],  # 8: twice
    ])
    before = table_counts(env)
    check, done = _run(env, path, apply=True)
    assert done is None
    by_row = {p.row: str(p) for p in check.problems}
    assert "A列“科目编码”" in by_row[4] and "10201 农商行" in by_row[4]
    assert "9999 不在本账套" in by_row[5]
    assert "C列“期初借方”：金额最多两位小数" in by_row[6]
    assert "D列“期初贷方”" in by_row[7]
    assert 8 not in by_row  # row 6 was refused: row 8 is the account's first, not a repeat
    assert set(by_row) == {0, 4, 5, 6, 7}
    assert table_counts(env) == before


def test_pipeline_template_reimports(env: Env, tmp_path: Path) -> None:
    path = write_template("opening", tmp_path / "期初模板.xlsx", examples=True)
    check, done = _run(env, path, apply=True)
    assert check.ok, [str(p) for p in check.problems]
    assert done is not None and done.added == 3
    assert _opening(env) == {"101": D("1234.56"), "10201": D("98765.44"), "301": D("-100000.00")}


def _audits(env: Env) -> list[AuditEntry]:
    with env.db.begin() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.entity == "opening_balance").order_by(AuditEntry.n)))


def test_a_closed_first_month_with_nothing_to_change_imports_nothing_and_succeeds(
        env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _set(env, *HELD)
    with env.db.begin("test") as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    before, audits = _opening(env), len(_audits(env))
    out = tmp_path / "期初余额表.xlsx"
    base = ["--user", "kj", "import", "opening", str(out), "--db", str(env.db.path), "--org", USCC]
    assert cli_main(["--user", "kj", "export", "opening-template", "--db", str(env.db.path), "--org", USCC,
                     "--out", str(out)]) == 0
    capsys.readouterr()
    for mode in ("add", "skip", "update"):
        assert cli_main([*base, "--mode", mode]) == 0, capsys.readouterr()
        text = capsys.readouterr().out
        assert "期初余额无变化" in text and "已结账" not in text
    assert _opening(env) == before and len(_audits(env)) == audits  # nothing written, nothing audited
    # a real change in the closed month is refused by the check (shown in the preview), never at apply
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws is not None
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "101")
    ws.cell(row, 4).value = 1000
    ws.cell(next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "111"), 4).value = "234.56"
    wb.save(out)
    check, done = _run(env, out, mode="update")
    assert done is None and [p.row for p in check.problems] == [0]
    assert "文件要修改 2 个科目的期初余额" in str(check.problems[0]) and "已结账" in str(check.problems[0])
    assert cli_main([*base, "--mode", "update", "--dry-run"]) == 1
    assert "已结账" in capsys.readouterr().out
    assert _opening(env) == before and len(_audits(env)) == audits


def test_an_unknown_account_names_the_column_it_was_read_from(env: Env, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "名称.xlsx", ["科目编码", "科目名称", "借方余额", "贷方余额"], [
        [None, "不存在的科目", 100, None],  # 4: by name
        ["9999", "也不存在", 100, None],  # 5: by code
        [None, "银行存款", 100, None],  # 6: by name, has sub-accounts
        ["101", "库存现金", 1, None],  # 7
        [None, "库存现金", 1, None],  # 8: by name, a repeat of row 7
    ])
    check, _ = _run(env, path)
    by_row = {p.row: str(p) for p in check.problems}
    assert by_row[4].startswith("第4行B列“科目名称”：") and "不存在的科目" in by_row[4]
    assert by_row[5].startswith("第5行A列“科目编码”：") and "9999" in by_row[5]
    assert by_row[6].startswith("第6行B列“科目名称”：") and "10201 农商行" in by_row[6]
    assert by_row[8].startswith("第8行B列“科目名称”：") and "与第7行重复" in by_row[8]


def test_the_audit_entry_keys_before_and_after_alike(env: Env, tmp_path: Path) -> None:
    import json

    _set(env, *HELD)
    path = _xlsx(tmp_path / "改.xlsx", ["科目编码", "借方余额"], [["101", 1000], ["15101", "734.56"]], title=False)
    check, done = _run(env, path, mode="update", apply=True)
    assert check.ok and done is not None, [str(p) for p in check.problems]
    entry = _audits(env)[-1]
    before, after = json.loads(entry.before_json or "{}"), json.loads(entry.after_json or "{}")
    assert set(before) == {"101", "10201", "152", "15101", "301"} == set(after)
    assert before["101"]["name"] == after["101"]["name"] == "库存现金"
    assert D(before["101"]["debit"]) == D("1234.56") and D(after["101"]["debit"]) == D("1000.00")
    assert D(after["301"]["credit"]) == D("100000.00")
    assert set(before["152"]) == set(after["152"]) == {"name", "debit", "credit"}
