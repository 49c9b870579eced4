"""银行对账单 import: real xlsx and CSV files as banks export them, read back and stored all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, BankStatementLine
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.services.bank_statements import (
    bank_account,
    import_bank_statement,
    preview_bank_statement,
)
from desktop_app.excel.bank_statement_read import read_statement
from tests.funds.bank_data import write_flag_csv, write_june_gbk_csv, write_june_xlsx
from tests.funds.conftest import Env, table_counts


def _import(env: Env, path: Path, period: str = "2026-06", account: str = "10201") -> object:
    f = read_statement(path)
    assert not f.errors, f.errors
    with env.db.begin("test") as s:
        return import_bank_statement(s, env.book.id, account, period, f.lines, source_name=f.name,
                                     source_hash=f.sha256, user=env.maker)


def test_xlsx_header_below_the_banks_lines(tmp_path: Path) -> None:
    f = read_statement(write_june_xlsx(tmp_path / "june.xlsx"))
    assert f.header_row == 4 and f.errors == ()
    assert f.skipped == ("第9行（合计）",)
    assert [(ln.row, ln.line_date, ln.direction, ln.amount, ln.balance) for ln in f.lines] == [
        (5, date(2026, 6, 3), "收", D("5000.00"), D("105000.00")),
        (6, date(2026, 6, 11), "付", D("320.00"), D("104680.00")),
        (7, date(2026, 6, 21), "收", D("12.50"), D("104692.50")),
        (8, date(2026, 6, 30), "付", D("5.00"), D("104687.50"))]
    assert f.lines[0].counterparty == "东湖渔场" and f.lines[2].counterparty is None
    assert "收入金额→收入" in f.columns and "账户余额→余额" in f.columns


def test_gbk_csv_with_debit_credit_columns_newest_first(tmp_path: Path) -> None:
    f = read_statement(write_june_gbk_csv(tmp_path / "june.csv"))
    assert f.header_row == 3 and f.errors == ()
    # the bank's 借方 is money out of the account, 贷方 money in
    assert [(ln.row, ln.line_date.day, ln.direction, ln.amount) for ln in f.lines] == [
        (4, 30, "付", D("5.00")), (5, 21, "收", D("12.50")), (6, 11, "付", D("320.00")), (7, 3, "收", D("5000.00"))]
    assert f.lines[3].counterparty == "东湖渔场" and f.lines[0].balance == D("104687.50")


def test_one_amount_column_with_a_flag_in_utf8(tmp_path: Path) -> None:
    f = read_statement(write_flag_csv(tmp_path / "flag.csv"))
    assert [(ln.direction, ln.amount, ln.summary) for ln in f.lines] == [("收", D("5000.00"), "租金"),
                                                                         ("付", D("320.00"), "购货款")]


def test_signed_amount_column(tmp_path: Path) -> None:
    path = tmp_path / "signed.csv"
    path.write_text("日期,摘要,金额,余额\n2026-06-03,租金,5000,105000\n2026-06-11,购货款,-320.00,104680\n", encoding="utf-8")
    f = read_statement(path)
    assert [(ln.direction, ln.amount) for ln in f.lines] == [("收", D("5000.00")), ("付", D("320.00"))]


def test_unreadable_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("交易日期,摘要,收入,支出,余额\n2026-06-03,租金,5000,,105000\n六月五日,x,1,,1\n"
                    "2026-06-07,y,abc,,2\n2026-06-08,z,1,2,3\n2026-06-09,空,,,3\n打印日期：2026-07-01 柜员：0375,,,,\n",
                    encoding="utf-8")
    f = read_statement(path)
    assert len(f.lines) == 1 and f.skipped == ("第7行（打印日期：2026-07-01 柜员：0375）",)
    assert f.errors[0].startswith("第3行“交易日期”列：“六月五日”不是日期")
    assert f.errors[1].startswith("第4行“收入”列")
    assert f.errors[2] == "第5行：同一行既有收入又有支出"
    assert f.errors[3] == "第6行：没有发生额（收入、支出都为空或为零）"


def test_files_that_are_not_statements_are_refused(tmp_path: Path) -> None:
    no_head = tmp_path / "x.csv"
    no_head.write_text("名称,数量\n苹果,3\n", encoding="utf-8")
    with pytest.raises(UserError, match="前20行中没有找到对账单的表头"):
        read_statement(no_head)
    no_balance = tmp_path / "y.csv"
    no_balance.write_text("交易日期,摘要,收入,支出\n2026-06-03,租金,5000,\n", encoding="utf-8")
    with pytest.raises(UserError, match="没有“余额”列"):
        read_statement(no_balance)
    (tmp_path / "z.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(UserError, match=r"不支持的文件类型 \.pdf"):
        read_statement(tmp_path / "z.pdf")


def test_formula_without_a_stored_result_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "formula.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["交易日期", "摘要", "收入", "支出", "余额"])
    ws.append(["2026-06-03", "租金", 5000, None, "=100000+C2"])
    wb.save(path)
    with pytest.raises(UserError, match="第2行“余额”（单元格 E2）是公式"):
        read_statement(path)


def test_import_is_all_or_nothing_and_never_doubles(env: Env, tmp_path: Path) -> None:
    xlsx = write_june_xlsx(tmp_path / "june.xlsx")
    first = _import(env, xlsx)
    assert (first.new_lines, first.known_lines, first.closing_balance) == (4, 0, D("104687.50"))  # type: ignore[attr-defined]
    # the same statement again, and the same lines from the bank's CSV: nothing added
    again = _import(env, xlsx)
    assert (again.new_lines, again.known_lines) == (0, 4)  # type: ignore[attr-defined]
    with env.db.read() as s:
        assert s.scalar(select(func.count()).select_from(BankStatementLine)) == 4
        audits = list(s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "bank_statement_line")))
    assert len(audits) == 1 and "新增 4 行" in audits[0]
    # a line of July in a June import: the whole file is refused, nothing written
    before = table_counts(env)
    late = write_june_xlsx(tmp_path / "late.xlsx", [("2026-06-12", "a", 1, None, 104681, None),
                                                     ("2026-07-01", "b", 2, None, 104683, None)])
    f = read_statement(late)
    with env.db.begin("test") as s, pytest.raises(ValidationError, match="第6行交易日期 2026-07-01 不在2026年6月内"):
        import_bank_statement(s, env.book.id, "10201", "2026-06", f.lines, source_name=f.name, source_hash=f.sha256,
                              user=env.maker)
    assert table_counts(env) == before
    with env.db.read() as s:
        assert s.scalar(select(func.count()).select_from(BankStatementLine)) == 4


def test_balance_chain_break_is_a_warning(env: Env, tmp_path: Path) -> None:
    rows = [("2026-06-03", "租金", 5000, None, 105000, None), ("2026-06-11", "购货款", None, 320, 104000, None)]
    f = read_statement(write_june_xlsx(tmp_path / "gap.xlsx", rows))
    with env.db.read() as s:
        p = preview_bank_statement(s, env.book.id, "10201", "2026-06", f.lines)
    assert p.ok and p.warnings == ("第6行余额与上一笔不连续（按上一笔应为 104,680.00，对账单为 104,000.00），可能缺少交易行或行的顺序不对",)


def test_account_must_be_a_bank_leaf(env: Env) -> None:
    with env.db.read() as s:
        assert bank_account(s, env.book.id, "10201").name == "农商行"
        with pytest.raises(ValidationError, match="银行存款科目 102 银行存款 有明细科目，请按开户银行指定明细科目：10201 农商行"):
            bank_account(s, env.book.id, "102")
        with pytest.raises(ValidationError, match="科目 101 库存现金 不是银行存款科目"):
            bank_account(s, env.book.id, "101")


def test_a_supervisor_cannot_import(env: Env, tmp_path: Path) -> None:
    from desktop_app.core.errors import PermissionDenied
    from desktop_app.core.services.users import create_user

    f = read_statement(write_june_xlsx(tmp_path / "june.xlsx"))
    with env.db.begin("test") as s:
        watcher = create_user(s, username="jd", display_name="监督", password="secret1", roles=["supervisor"])
    with env.db.begin("test") as s, pytest.raises(PermissionDenied):
        import_bank_statement(s, env.book.id, "10201", "2026-06", f.lines, source_name=f.name, source_hash=f.sha256,
                              user=watcher)


def test_a_statement_imported_by_mistake_is_deleted_and_can_come_back(env: Env, tmp_path: Path) -> None:
    from desktop_app.core.errors import ConflictError
    from desktop_app.core.services.bank_matching import auto_match, bank_items
    from desktop_app.core.services.bank_reconcile import mark_reconciled
    from desktop_app.core.services.bank_statements import delete_statement
    from tests.funds.bank_data import june_books

    june_books(env)
    xlsx = write_june_xlsx(tmp_path / "june.xlsx")
    _import(env, xlsx)
    with env.db.begin("test") as s:
        assert auto_match(s, env.book.id, "10201", "2026-06", user=env.maker).groups == 2
        assert delete_statement(s, env.book.id, "10201", "2026-06", user=env.maker) == 4
        items = bank_items(s, env.book.id, "10201", "2026-06")
    assert [i for i in items if i.side == "bank"] == [] and not any(i.matched for i in items)
    again = _import(env, xlsx)  # the same file again: its rows come back, none doubled
    assert again.new_lines == 4  # type: ignore[attr-defined]
    with env.db.begin("test") as s:
        assert s.scalar(select(func.count()).select_from(BankStatementLine)) == 4
        assert s.scalar(select(func.count()).select_from(BankStatementLine).where(BankStatementLine.deleted)) == 0
        auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
        mark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker)
    with env.db.begin("test") as s, pytest.raises(ConflictError, match="不能删除对账单"):
        delete_statement(s, env.book.id, "10201", "2026-06", user=env.maker)
    with env.db.read() as s:
        audits = list(s.scalars(select(AuditEntry.summary).where(AuditEntry.action == "delete",
                                                                 AuditEntry.entity == "bank_statement_line")))
    assert audits == ["东湖村股份经济合作社：删除 10201 农商行 2026年6月银行对账单 4 行（勾对 2 组一并取消）"]


@pytest.mark.parametrize("cell", ["2026-06-03", "2026/6/3", "20260603", "2026.06.03", "2026年6月3日",
                                  "2026-06-03 10:22:11", "20260603 102211", "２０２６－０６－０３", 46176, 46176.5])
def test_bank_dates_as_banks_write_them(cell: object) -> None:
    from desktop_app.excel.bank_statement_read import parse_bank_date

    assert parse_bank_date(cell) == date(2026, 6, 3)


def test_a_date_that_is_not_one(tmp_path: Path) -> None:
    from desktop_app.excel.bank_statement_read import parse_bank_date

    with pytest.raises(ValidationError, match="不是有效的日期"):
        parse_bank_date("2026-02-30")
