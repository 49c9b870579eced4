"""Funds CLI: ``report NAME``, ``close-period``, ``reopen-period``, ``close-year``; the kinds
``import opening`` (期初余额) and ``export opening-template`` (期初余额表模板).

Organisations are named by USCC or 区划代码; ``--book`` as every command reads it
(``commands.resolve_book``). The acting user is ``--user`` or else the first active user holding
the role the action needs (the CLI has no login).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db.engine import is_database_url
from desktop_app.commands import export_kind, import_kind, resolve_book
from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount
from desktop_app.core.rows import UserRow


def resolve_user(session: Session, username: str | None, *roles: str) -> UserRow:
    """The command's logged-in ``--user`` (password checked in ``cli.main``), holding one of ``roles``."""
    from desktop_app.commands.auth import cli_user

    return cli_user(session, *roles)


def finish_import_check(errors: list[str], *, what: str, dry_run: bool) -> int | None:
    """After a file's preview is printed: list its errors; a dry run ends here (exit 1 with errors,
    else 0); otherwise any error refuses the whole file. None: go on and write it."""
    for e in errors:
        print(f"  {e}")
    if dry_run:
        print(f"检查完成：{'没有错误，可以导入' if not errors else f'{len(errors)} 处错误'}（只检查，未写入任何数据）")
        return 1 if errors else 0
    if errors:
        more = "……" if len(errors) > 3 else ""
        raise UserError(f"{what}有 {len(errors)} 处错误，未导入（没有写入任何数据）：{'；'.join(errors[:3])}{more}")
    return None


def cmd_report(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.funds_base import parse_period_range
    from desktop_app.core.services.statements import STATEMENTS, build_statement

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise UserError("输出文件应以 .pdf 或 .xlsx 结尾", field="--out")
    if args.name not in STATEMENTS:
        raise UserError(f"未知报表 {args.name}，可选：{'、'.join(f'{k}（{v}）' for k, v in STATEMENTS.items())}")
    first, last = parse_period_range(args.period)
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        st = build_statement(s, book.id, args.name, first, last)
        seal = None
        if suffix == ".pdf":
            from desktop_app.reports.sealed_kinds import seal_statement

            seal = seal_statement(s, book.id, st)  # the printed content, checked by verify-sheet
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        from desktop_app.reports.statements_pdf import write_statement_pdf

        write_statement_pdf(st, out, seal)
    else:
        from desktop_app.excel.statements_xlsx import write_statement_xlsx

        write_statement_xlsx(st, out)
    print(f"已生成{st.title}（{st.organisation}，{st.period_label}）：{out}")
    return 0


def cmd_close_period(args: argparse.Namespace) -> int:
    """The month-close checklist first (✔ / ✖ refuses / ⚠ warns), then 结账 unless ``--check``."""
    from desktop_app.cli import cli_session
    from desktop_app.core.services.close_checklist import can_close, month_close_checklist
    from desktop_app.core.services.funds_base import period_label
    from desktop_app.core.services.periods import close_period

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        user = None if args.check else resolve_user(s, args.user, "bookkeeper", "reviewer")  # a look needs no login
        items = month_close_checklist(s, book.id, args.period)
        print(f"结账检查：{book.name} {period_label(args.period)}")
        for i in items:
            print(f"  {'✔' if i.ok else ('✖' if i.blocking else '⚠')} {i.title}　{i.detail}")
        if user is None or not can_close(items):
            print("未结账：" + ("以上 ✖ 项不满足结账条件" if not can_close(items) else "只检查（--check）"))
            return 0 if user is None and can_close(items) else 1
        s.info["actor"] = user.username
        row = close_period(s, book.id, args.period, user=user)
    print(f"{book.name} {period_label(row.period)} 已结账，封存码 {row.seal_hash}")
    if not is_database_url(args.db):  # a month close leaves a 月末结账 backup beside the file
        from desktop_app.core.services.backups import backup_quietly

        entry = backup_quietly(Path(args.db), "month-close")
        if entry is not None:
            print(f"已备份：{entry.path}")
        else:  # the close stands; the next start of the program makes the backup (month_close_if_missing)
            print("月末结账备份未能写入（见日志）：结账已完成，下次打开阳光台账窗口时会补做此备份", file=sys.stderr)
    return 0


def cmd_reopen_period(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.funds_base import period_label
    from desktop_app.core.services.periods import reopen_period

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        user = resolve_user(s, args.user, "reviewer")
        s.info["actor"] = user.username
        row = reopen_period(s, book.id, args.period, user=user, reason=args.reason)
    print(f"{book.name} {period_label(row.period)} 已反结账（第{row.reopen_count}次），原因：{args.reason}")
    return 0


def cmd_close_year(args: argparse.Namespace) -> int:
    """The transfers first (step, account, debit, credit), then 年终结转 unless ``--preview``."""
    from desktop_app.cli import cli_session
    from desktop_app.core.services.yearend import close_year, preview_year_end, year_end_warnings

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        user = None if args.preview else resolve_user(s, args.user, "bookkeeper", "reviewer")
        print(f"年终结转：{book.name} {args.year}年度")
        lines = preview_year_end(s, book.id, args.year)  # refused (unposted vouchers …) before any warning
        for warning in year_end_warnings(s, book.id, args.year):
            print(f"注意：{warning}")
        for ln in lines:
            print(f"  {ln.step}　{ln.account_code} {ln.account_name}　借 {format_amount(ln.debit, blank_zero=True)}"
                  f"　贷 {format_amount(ln.credit, blank_zero=True)}")
        if user is None:
            print("未结转：只预览（--preview）")
            return 0
        s.info["actor"] = user.username
        made = close_year(s, book.id, args.year, user=user)
    print(f"{book.name} {args.year}年度年终结转完成，生成凭证 {len(made)} 张")
    return 0


def cmd_export_opening_template(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.orgs import list_accounts
    from desktop_app.excel.opening_xlsx import template_accounts, write_opening_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UserError("导出文件应以 .xlsx 结尾", field="--out")
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        accounts = list_accounts(s, book.id)
        from desktop_app.core.services.balances import opening_totals  # the figures the book holds

        codes = {a.id: a.code for a in accounts}
        held = {codes[a]: d - c for a, (d, c) in opening_totals(s, book.id).items() if a in codes and d != c}
    write_opening_template(out, book, accounts, balances=held)
    print(f"已导出期初余额表模板（{book.name}，{len(template_accounts(accounts))} 个末级科目）：{out}")
    return 0


def cmd_import_opening(args: argparse.Namespace) -> int:
    """Check the sheet (always), print the preview; write only without --dry-run and only if all is well."""
    from desktop_app.cli import cli_session
    from desktop_app.core.services.funds_base import period_label
    from desktop_app.core.services.opening import preview_opening, set_opening_balances
    from desktop_app.excel.opening_xlsx import by_row, read_opening_sheet

    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"文件不存在：{path}", field="FILE")
    lines, read_errors = read_opening_sheet(path)
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        preview = preview_opening(s, book.id, lines)
        errors = by_row([*read_errors, *preview.errors])
        if not preview.lines and not errors:
            errors.append("表中没有填写任何期初余额（借方余额、贷方余额都是空的）")
        difference = preview.total_debit - preview.total_credit
        print(f"期初余额表：{path.name}（{book.name}，{period_label(book.start_period)}启用）")
        print(f"  有余额的科目 {len(preview.lines)} 个；借方合计 {format_amount(preview.total_debit)}，"
              f"贷方合计 {format_amount(preview.total_credit)}，"
              + ("试算平衡" if difference == 0 else f"不平衡，差额 {format_amount(difference)}"))
        checked = finish_import_check(errors, what="期初余额表", dry_run=args.dry_run)
        if checked is not None:
            return checked
        user = resolve_user(s, getattr(args, "user", None), "bookkeeper", "reviewer")
        s.info["actor"] = user.username
        done = set_opening_balances(s, book.id, lines, user=user)
    print(f"已导入期初余额：{len(done.lines)} 个科目，借贷合计 {format_amount(done.total_debit)}")
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    def org_book(p: argparse.ArgumentParser) -> None:
        p.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
        p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")

    export_kind("opening-template", "期初余额表模板", cmd_export_opening_template)
    import_kind("opening", "期初余额", cmd_import_opening)
    p = add("report", cmd_report, "生成财务报表（科目余额表、收支明细表、资产负债表、收益及收益分配表）")
    p.add_argument("name", help="trial-balance | income-expense | balance-sheet | income-distribution")
    org_book(p)
    p.add_argument("--period", required=True, help="期间：2026-10（月）、2026-Q3（季度）或 2026（年度）")
    p.add_argument("--out", required=True, help="输出文件 .pdf 或 .xlsx")
    p = add("close-period", cmd_close_period, "月末结账（先列出结账检查，通过后封存该月凭证）")
    org_book(p)
    p.add_argument("--period", required=True, help="会计期间，如 2026-10")
    p.add_argument("--check", action="store_true", help="只列出结账检查，不结账")
    p = add("reopen-period", cmd_reopen_period, "反结账（需审核员，须填写原因）")
    org_book(p)
    p.add_argument("--period", required=True, help="会计期间，如 2026-10")
    p.add_argument("--reason", required=True, help="反结账原因（将在财务公开中显示）")
    p = add("close-year", cmd_close_year, "年终结转（损益→本年收益→未分配收益）")
    org_book(p)
    p.add_argument("--year", type=int, required=True, help="年度，如 2026")
    p.add_argument("--preview", action="store_true", help="只列出将要结转的科目和金额，不生成凭证")
