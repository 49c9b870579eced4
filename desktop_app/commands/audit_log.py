"""``audit-log``: the 审计日志 on the command line, as the page lists it (newest first, the same
filters, personal data masked for the user), or the filtered rows to an xlsx; ``--verify`` adds
whether the hash chain verifies (``verify``'s own check).

    audit-log --user 用户名 [--org 组织 [--book 账套]] [--actor 用户名] [--month 2026-10 | --since 日期 --until 日期]
              [--action 操作] [--entity 对象] [--text 内容] [--limit 条数] [--out 文件.xlsx] [--verify]

Reading it needs a login of a user who may see the trail (监督、记账员、审核员、系统管理员).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from itertools import islice
from typing import Any

from desktop_app.core.errors import UserError, ValidationError

DEFAULT_LIMIT = 50


def _code(value: str | None, words: dict[str, str], what: str, option: str) -> str | None:
    """An action or object named by its code (create) or its Chinese word (新增)."""
    if not value:
        return None
    if value in words:
        return value
    for code, word in words.items():
        if word == value:
            return code
    raise ValidationError(f"未知的{what}“{value}”，可选：{'、'.join(sorted(set(words.values())))}", field=option)


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"日期“{text}”格式应为 YYYY-MM-DD", field=option) from None


def cmd_audit_log(args: argparse.Namespace) -> int:
    from desktop_app.cli import check_out_path, cli_session
    from desktop_app.commands import resolve_book
    from desktop_app.commands.auth import cli_user
    from desktop_app.core.services import audit_trail as svc
    from desktop_app.core.services.orgs import find_organisation

    out = check_out_path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".xlsx":
        raise UserError("输出文件应以 .xlsx 结尾", field="--out")
    if args.month and (args.date_from or args.date_to):
        raise ValidationError("--month 与 --since/--until 只能用其中一种", field="--month")
    if args.book and not args.org:
        raise ValidationError("--book 须与 --org 一起使用", field="--book")
    limit = DEFAULT_LIMIT if args.limit is None else args.limit
    if limit < 0:
        raise ValidationError("--limit 不能是负数（0 表示全部）", field="--limit")
    with cli_session(args, "cli") as s:
        user = cli_user(s, *svc.VIEW_AUDIT)
        org_id = book_id = None
        if args.org:
            org = find_organisation(s, args.org)
            org_id = org.id
            if args.book:
                book_id = resolve_book(s, org, args.book).id
        filt = svc.AuditFilter(organisation_id=org_id, book_id=book_id, actor=args.actor or None,
                               month=args.month or None, date_from=_day(args.date_from, "--since"),
                               date_to=_day(args.date_to, "--until"), action=_code(args.action, svc.ACTIONS, "操作", "--action"),
                               entity=_code(args.entity, svc.ENTITIES, "对象", "--entity"), text=args.text or "")
        if out is not None:
            from desktop_app.excel.audit_xlsx import export_audit_xlsx

            count = export_audit_xlsx(s, filt, out, user=user)  # the same workbook as the page's 导出Excel
            print(f"已导出审计日志 {count} 条：{out}")
        else:
            rows = svc.iter_audit_rows(s, filt, user=user)
            count, more = 0, False
            for r in islice(rows, limit + 1 if limit else None):
                if limit and count == limit:
                    more = True
                    break
                count += 1
                where = f"  {r.organisation}" if r.organisation else ""
                print(f"第{r.n}条  {r.at}  {r.actor_name}（{r.actor}）  {r.action} {r.entity}{where}  {r.summary}")
            if not count:
                print("没有符合条件的审计记录")
            elif more:
                print(f"已列出最新的 {count} 条（从新到旧），还有更早的记录：--limit 0 列出全部，或 --out 导出")
            else:
                print(f"共 {count} 条（从新到旧）")
        status = svc.audit_chain_status(s, user=user) if args.verify else None
    if status is not None:
        print(status.text)
        return 0 if status.ok else 3
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("audit-log", cmd_audit_log, "列出审计日志（谁在何时改了什么，从新到旧）；--out 导出 Excel，--verify 校验哈希链")
    p.add_argument("--org", help="组织的统一社会信用代码或12位区划代码")
    p.add_argument("--book", help="账套编号或ID（与 --org 一起）")
    p.add_argument("--actor", metavar="用户名", help="只列此用户的操作")
    p.add_argument("--month", metavar="月份", help="月份，如 2026-10")
    p.add_argument("--since", dest="date_from", metavar="日期", help="起始日期 YYYY-MM-DD（含）")
    p.add_argument("--until", dest="date_to", metavar="日期", help="截止日期 YYYY-MM-DD（含）")
    p.add_argument("--action", metavar="操作", help="操作，如 修改、作废、记账（或其英文代码）")
    p.add_argument("--entity", metavar="对象", help="对象，如 凭证、合同、成员（或其英文代码）")
    p.add_argument("--text", metavar="内容", help="摘要中包含的文字")
    p.add_argument("--limit", type=int, metavar="条数", help=f"最多列出几条（默认 {DEFAULT_LIMIT}，0 为全部；导出时不限）")
    p.add_argument("--out", metavar="文件", help="导出到 .xlsx 文件（全部符合条件的记录）")
    p.add_argument("--verify", action="store_true", help="同时校验审计日志哈希链（有问题时退出码为 3）")
