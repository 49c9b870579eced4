"""银行对账 CLI, each with ``--org [--book] [--account 102…] --period P``:

- ``bank import FILE [--dry-run]``: a statement (xlsx/CSV) of the month, all or nothing;
- ``bank list [--open]``: both sides with their numbers (B1… statement lines, E1… entries);
- ``bank match --auto`` or ``bank match --items B1,E2,…`` (手工勾对), ``bank unmatch --item B1``;
- ``bank reconcile --out F.pdf|F.xlsx [--mark]``: the 银行存款余额调节表, and 标记已对账;
- ``bank unmark [--reason …]``: 取消已对账; ``bank delete``: the month's statement, imported by mistake.

``--account`` may be left out when the book has one bank account. Writes need ``--user``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.commands import resolve_book
from desktop_app.commands.funds import finish_import_check, resolve_user
from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount
from desktop_app.core.services.permissions import RECONCILE_BANK

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_app.core.rows import BookRow
    from desktop_app.core.services.bank_rows import BankItem


def _account(s: Session, book: BookRow, wanted: str | None) -> str:
    from desktop_app.core.services.bank_statements import bank_account, bank_accounts

    if wanted:
        return bank_account(s, book.id, wanted).code
    accounts = bank_accounts(s, book.id)
    if len(accounts) == 1:
        return accounts[0].code
    listing = "、".join(f"{a.code} {a.name}" for a in accounts)
    raise UserError(f"{book.name}有多个银行存款科目，请用 --account 指定：{listing}", field="--account")


def _numbered(items: list[BankItem]) -> dict[str, BankItem]:
    """B1… for statement lines, E1… for entries, in the order ``bank list`` prints them."""
    out: dict[str, BankItem] = {}
    for prefix, side in (("B", "bank"), ("E", "book")):
        for n, item in enumerate((i for i in items if i.side == side), start=1):
            out[f"{prefix}{n}"] = item
    return out


def _import(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.bank_statements import import_bank_statement, preview_bank_statement
    from desktop_app.excel.bank_statement_read import read_statement

    path = Path(args.file or "")
    if not args.file or not path.is_file():
        raise UserError(f"文件不存在：{args.file or '（未指定）'}", field="FILE")
    read = read_statement(path)
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        code = _account(s, book, args.account)
        p = preview_bank_statement(s, book.id, code, args.period, read.lines)
        print(f"银行对账单：{path.name}（{book.name}，{p.account_code} {p.account_name}，{p.period}）")
        print(f"  表头在第{read.header_row}行：{'，'.join(read.columns)}")
        print(f"  交易 {len(read.lines)} 笔：新增 {p.new_lines} 笔，已导入过 {p.known_lines} 笔；收入 {format_amount(p.total_in)}，"
              f"支出 {format_amount(p.total_out)}，期末余额 {format_amount(p.closing_balance) if p.closing_balance is not None else '—'}")
        if read.skipped:
            print(f"  未作为交易读取：{'、'.join(read.skipped)}")
        for w in p.warnings:
            print(f"  注意：{w}")
        checked = finish_import_check([*read.errors, *p.errors], what="对账单", dry_run=args.dry_run)
        if checked is not None:
            return checked
        if not p.new_lines:
            print("该对账单已全部导入过，没有新增")
            return 0
        user = resolve_user(s, getattr(args, "user", None), *RECONCILE_BANK)
        done = import_bank_statement(s, book.id, code, args.period, read.lines, source_name=path.name,
                                     source_hash=read.sha256, user=user)
    print(f"已导入银行对账单 {done.new_lines} 笔（{done.account_code} {done.period}）")
    return 0


def _line(key: str, i: BankItem) -> str:
    return (f"  {key:<5}{i.day.isoformat()}  {i.direction} {format_amount(i.amount):>14}  {i.reference:<12} "
            f"{i.summary[:24]}  {i.counterparty[:16]}  {i.state}")


def _list(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.bank_matching import bank_items, month_view

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        code = _account(s, book, args.account)
        items = month_view(bank_items(s, book.id, code, args.period), args.period)
    numbered = _numbered(items)
    for title, prefix in (("银行对账单", "B"), ("银行存款日记账", "E")):
        print(f"{title}（{code}，{args.period}）：")
        shown = [(k, i) for k, i in numbered.items() if k.startswith(prefix) and (not args.open or not i.matched)]
        for k, i in shown:
            print(_line(k, i))
        if not shown:
            print("  （无）")
    return 0


def _match(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.bank_matching import auto_match, bank_items, match_items, month_view

    if not args.auto and not args.items:
        raise UserError("请用 --auto 自动勾对，或用 --items B1,E2 指定要勾对的行（编号见 bank list）", field="--items")
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        code = _account(s, book, args.account)
        user = resolve_user(s, getattr(args, "user", None), *RECONCILE_BANK)
        if args.auto:
            done = auto_match(s, book.id, code, args.period, user=user)
            print(f"自动勾对 {done.groups} 笔（{code} {args.period}）")
            return 0
        numbered = _numbered(month_view(bank_items(s, book.id, code, args.period), args.period))
        keys = [k.strip().upper() for k in args.items.split(",") if k.strip()]
        unknown = [k for k in keys if k not in numbered]
        if unknown:
            raise UserError(f"没有编号为 {'、'.join(unknown)} 的行（编号见 bank list）", field="--items")
        chosen = [numbered[k] for k in keys]
        done = match_items(s, book.id, code, args.period, [i.id for i in chosen if i.side == "bank"],
                           [i.id for i in chosen if i.side == "book"], user=user)
    print(f"已手工勾对：对账单 {done.bank_lines} 笔与账面 {done.entries} 笔")
    return 0


def _unmatch(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.bank_matching import bank_items, month_view, unmatch_item

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        code = _account(s, book, args.account)
        user = resolve_user(s, getattr(args, "user", None), *RECONCILE_BANK)
        numbered = _numbered(month_view(bank_items(s, book.id, code, args.period), args.period))
        item = numbered.get(args.item.strip().upper())
        if item is None:
            raise UserError(f"没有编号为 {args.item} 的行（编号见 bank list）", field="--item")
        done = unmatch_item(s, book.id, code, item.id, user=user)
    print(f"已取消勾对：对账单 {done.bank_lines} 笔、账面 {done.entries} 笔恢复为未达账项")
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.bank_reconcile import mark_reconciled, reconciliation_report

    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        raise UserError("输出文件应以 .pdf 或 .xlsx 结尾", field="--out")
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        code = _account(s, book, args.account)
        if args.mark:
            user = resolve_user(s, getattr(args, "user", None), *RECONCILE_BANK)
            report = mark_reconciled(s, book.id, code, args.period, user=user)
        else:
            report = reconciliation_report(s, book.id, code, args.period)
        if out.suffix.lower() == ".pdf":  # sealed: its check code is recorded in this transaction
            from desktop_app.reports.bank_seal import write_sealed_reconciliation_pdf

            write_sealed_reconciliation_pdf(s, book.id, code, report.period, out, report)
    if out.suffix.lower() == ".xlsx":
        from desktop_app.excel.bank_xlsx import write_reconciliation_xlsx

        write_reconciliation_xlsx(report, out)
    adjusted_bank = format_amount(report.adjusted_bank) if report.adjusted_bank is not None else "—"
    print(f"银行存款余额调节表（{report.account_code} {report.account_name}，{report.period}）：{out}")
    print(f"  日记账余额 {format_amount(report.book_balance)}，调节后 {format_amount(report.adjusted_book)}；"
          f"对账单余额 {format_amount(report.bank_balance) if report.bank_balance is not None else '—'}，调节后 {adjusted_bank}")
    print(f"  {report.verdict}")
    return 0


def _unmark(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.bank_reconcile import unmark_reconciled

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        code = _account(s, book, args.account)
        user = resolve_user(s, getattr(args, "user", None), *RECONCILE_BANK)
        unmark_reconciled(s, book.id, code, args.period, user=user, reason=args.reason or "")
    print(f"已取消 {code} {args.period} 的已对账标记")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.bank_statements import delete_statement

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        code = _account(s, book, args.account)
        user = resolve_user(s, getattr(args, "user", None), *RECONCILE_BANK)
        n = delete_statement(s, book.id, code, args.period, user=user)
    print(f"已删除 {code} {args.period} 的银行对账单 {n} 行（其勾对一并取消）")
    return 0


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "import": _import, "list": _list, "match": _match, "unmatch": _unmatch, "reconcile": _reconcile, "unmark": _unmark,
    "delete": _delete}


def cmd_bank(args: argparse.Namespace) -> int:
    from desktop_app.core.periods import check_period

    args.period = check_period(args.period, "--period")
    return ACTIONS[args.action](args)


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("bank", cmd_bank, "银行对账：import 导入对账单、list 查看、match/unmatch 勾对、reconcile 余额调节表（--mark 标记已对账）")
    actions = p.add_subparsers(dest="action", metavar="操作", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        a.add_argument("--db", default=argparse.SUPPRESS, help="数据库文件（默认为数据目录下的 ledger.db）")
        a.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
        a.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")
        a.add_argument("--account", help="银行存款科目（末级），如 10201（只有一个银行账户时可省略）")
        a.add_argument("--period", required=True, help="月份，如 2026-06")
        return a

    a = action("import", "导入银行对账单（Excel 或 CSV；全部无误才写入；重复导入不会重复记录）")
    a.add_argument("file", help="银行导出的 .xlsx/.xls/.csv 文件")
    a.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    a = action("list", "列出对账单和银行存款日记账（带编号 B1…/E1…，供手工勾对）")
    a.add_argument("--open", action="store_true", help="只列未达账项")
    a = action("match", "勾对：--auto 自动，或 --items B1,E2 手工")
    a.add_argument("--auto", action="store_true", help="自动勾对（金额、方向相同，日期相近）")
    a.add_argument("--items", help="手工勾对的行编号，逗号分隔，如 B3,E5,E6")
    a = action("unmatch", "取消勾对")
    a.add_argument("--item", required=True, help="其所在勾对组中的任一行编号，如 B3")
    a = action("reconcile", "生成银行存款余额调节表")
    a.add_argument("--out", required=True, help="输出文件 .pdf 或 .xlsx")
    a.add_argument("--mark", action="store_true", help="调节后余额相等时标记本月已对账")
    a = action("unmark", "取消本月已对账标记")
    a.add_argument("--reason", help="原因")
    action("delete", "删除本月导入的对账单（导错账户或月份时；已对账的月份不能删除）")
