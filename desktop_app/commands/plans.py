"""年度财务计划 CLI: ``plan template|export --out FILE.xlsx``, ``plan import FILE.xlsx [--dry-run]`` and
``plan show`` (plan against actual), each with ``--org [--book] --year``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.commands import resolve_book
from desktop_app.commands.funds import finish_import_check, resolve_user
from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount


def _write(args: argparse.Namespace, filled: bool) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.orgs import get_organisation
    from desktop_app.core.services.plans import plan_accounts
    from desktop_app.excel.plans_xlsx import write_plan_sheet

    if not args.out or not str(args.out).lower().endswith(".xlsx"):
        raise UserError("请用 --out 指定输出文件（.xlsx）", field="--out")
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        org = get_organisation(s, book.organisation_id)
        rows = plan_accounts(s, book.id, args.year)
    if not filled:
        rows = [r.__class__(r.code, r.name, r.side, r.level, r.is_leaf, None, None) for r in rows]
    out = write_plan_sheet(args.out, book, org.name, args.year, rows)
    planned = sum(1 for r in rows if r.amount is not None)
    what = f"已导出{args.year}年度财务计划（{planned}个科目）" if filled else f"已导出{args.year}年度财务计划模板（{len(rows)}个收支科目）"
    print(f"{what}：{out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.plans import preview_plan, set_plan
    from desktop_app.excel.opening_xlsx import by_row
    from desktop_app.excel.plans_xlsx import read_plan_xlsx

    path = Path(args.file or "")
    if not args.file or not path.is_file():
        raise UserError(f"文件不存在：{args.file or '（未指定）'}", field="FILE")
    lines, read_errors = read_plan_xlsx(path)
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        preview = preview_plan(s, book.id, args.year, lines)
        errors = by_row([*read_errors, *preview.errors])
        if not preview.lines and not errors:
            errors.append("表中没有填写任何计划金额")
        print(f"{args.year}年度财务计划：{path.name}（{book.name}）")
        print(f"  编列计划的科目 {len(preview.lines)} 个；收入计划 {format_amount(preview.income)}，"
              f"支出计划 {format_amount(preview.expense)}")
        checked = finish_import_check(errors, what="财务计划表", dry_run=args.dry_run)
        if checked is not None:
            return checked
        user = resolve_user(s, getattr(args, "user", None), "bookkeeper", "reviewer")
        s.info["actor"] = user.username
        done = set_plan(s, book.id, args.year, lines, user=user)
    print(f"已导入{done.year}年度财务计划：{done.lines} 个科目，收入 {format_amount(done.income)}，"
          f"支出 {format_amount(done.expense)}（原计划已替换）")
    return 0


def _show(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.plans import plan_vs_actual

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        report = plan_vs_actual(s, book.id, args.year, args.period)
    if not report.has_plan:
        print(f"{book.name}没有{args.year}年度财务计划")
        return 0
    print(f"{book.name}{args.year}年度财务计划执行情况（实际数截至{report.through}）")
    for ln in report.lines:
        rate = f"{ln.rate}%" if ln.rate is not None else ""
        planned = format_amount(ln.planned) if ln.planned is not None else "—"
        print(f"  {'　' * ln.indent}{ln.label}\t预算 {planned}\t实际 {format_amount(ln.actual)}\t{rate}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    if args.action == "import":
        return _import(args)
    if args.action == "show":
        return _show(args)
    return _write(args, filled=args.action == "export")


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("plan", cmd_plan, "年度财务计划：template 导出模板、export 导出、import 导入（替换该年计划）、show 计划执行情况")
    p.set_defaults(file=None, out=None, period=None, dry_run=False)
    actions = p.add_subparsers(dest="action", metavar="操作", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        # one parser per action, so options may come before or after the file (plan import --org X F.xlsx)
        a: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        a.add_argument("--db", default=argparse.SUPPRESS, help="数据库文件（默认为数据目录下的 ledger.db）")
        a.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
        a.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")
        a.add_argument("--year", type=int, required=True, help="计划年度，如 2026")
        return a

    a = action("import", "导入年度财务计划（替换该年计划；全部无误才写入）")
    a.add_argument("file", help="Excel 文件 .xlsx")
    a.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    for name, text in (("export", "导出该年计划"), ("template", "导出空白模板")):
        a = action(name, text)
        a.add_argument("--out", required=True, help="输出文件 .xlsx")
    a = action("show", "计划执行情况")
    a.add_argument("--period", help="实际数截至的月份，如 2026-10（默认全年）")
