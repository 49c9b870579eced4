"""CLI: ``export members|households|shares``, ``distribute`` and ``roster``.

Organisations are named by USCC or 区划代码; ``--book`` as every command reads it
(``commands.resolve_book``: an organisation with several books needs it). 身份证号 in a file follow
the screen's rule (``personal_data.id_rule``): full for the register's keepers, the export audited
as a reveal; masked (first 6 + last 4, the file says so) for everyone else.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop_app.commands import export_kind, resolve_book
from desktop_app.commands.auth import require_login
from desktop_app.core.errors import UserError

EXPORT_KINDS = {"members": "成员名册", "households": "户", "shares": "股份登记簿"}


def _amount(text: str) -> Decimal:
    from desktop_app.core.money import parse_amount

    return parse_amount(text, field="金额")


def cmd_export(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db
    from desktop_app.core.services.members import list_households
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.core.services.personal_data import id_rule, record_id_export
    from desktop_app.core.services.shares import list_holdings, list_share_types
    from desktop_app.excel.members_xlsx import export_members_xlsx, households_workbook, shares_workbook

    require_login(args, "成员、农户和股份名册")
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UserError("导出文件名应以 .xlsx 结尾")
    out.parent.mkdir(parents=True, exist_ok=True)
    db = open_db(args)
    try:
        with db.read() as s:  # a snapshot: no write lock while the file is written
            org = find_organisation(s, args.org)
            ids = id_rule(s, org.id, user=args.acting)
            names = [t.name for t in list_share_types(s, org.id)]
            if args.kind == "members":  # streamed from one query into the file: memory stays flat
                count, wb = export_members_xlsx(s, org.id, out, organisation=org.name, ids=ids), None
            elif args.kind == "households":  # no 身份证号 in it
                households = list_households(s, org.id)
                wb, count = households_workbook(households, organisation=org.name), len(households)
            else:
                holdings = list_holdings(s, org.id)
                wb, count = shares_workbook(holdings, names, organisation=org.name, ids=ids), len(holdings)
        if wb is not None:
            wb.save(out)
        if args.kind != "households":  # audited in a short write once the file is written
            with db.begin(args.acting.username) as s:
                record_id_export(s, org.id, ids, user=args.acting, document=EXPORT_KINDS[args.kind], count=count,
                                 path=out.resolve())
    finally:
        db.close()
    shown = "" if args.kind == "households" else "（含完整身份证号，已记入审计日志）" if ids.full else f"（{ids.note}）"
    print(f"已导出 {org.name} 的{EXPORT_KINDS[args.kind]}（{count} 行）{shown}：{out}")
    return 0


def cmd_distribute(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.commands.auth import cli_user
    from desktop_app.core.services.distribution import draft_plan, plan_violations
    from desktop_app.core.services.orgs import find_organisation

    amount = _amount(args.amount_for_members)
    reserve = _amount(args.reserve) if args.reserve is not None else None
    with cli_session(args, "cli") as s:
        org = find_organisation(s, args.org)
        book = resolve_book(s, org, args.book)
        plan = draft_plan(s, book_id=book.id, year=args.year, members_amount=amount, precision=args.precision,
                          reserve=reserve, excluded_rent=_amount(args.excluded_rent), user=cli_user(s))
        problems = plan_violations(s, plan.id)
    print(f"{org.name} {plan.year}年度收益分配方案（草案）已生成：")
    print(f"  可分配收益：{plan.distributable} 元；提取公积公益金：{plan.reserve} 元")
    print(f"  批准用于成员分配：{plan.members_amount} 元；总股数：{plan.total_shares.normalize():f} 股")
    print(f"  每股分红：{plan.per_share} 元（按“{plan.precision}”向下取整）")
    print(f"  花名册合计：{plan.roster_total} 元（{plan.members} 人，{plan.households} 户）")
    print(f"  尾差（留存未分配收益）：{plan.remainder} 元")
    for p in problems:
        print(f"  注意：{p}")
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.distribution_query import find_plan, plan_roster
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.core.services.personal_data import id_rule, record_id_export

    require_login(args, "分红花名册")
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise UserError("输出文件名应以 .pdf 或 .xlsx 结尾")
    with cli_session(args, "cli") as s:
        org = find_organisation(s, args.org)
        book = resolve_book(s, org, args.book)
        plan = find_plan(s, book.id, args.year)
        if plan is None:
            raise UserError(f"{org.name} 没有{args.year}年度的收益分配方案，请先运行 distribute")
        ids = id_rule(s, org.id, user=args.acting)
        roster = ids.roster(plan_roster(s, plan.id))
        if suffix == ".pdf":  # the PDF's QR code: what it prints is recorded for verify-sheet
            from desktop_app.reports.sealed_kinds import seal_roster

            seal = seal_roster(s, roster, public=args.public)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        from desktop_app.reports.distribution_pdf import roster_pdf

        out.write_bytes(roster_pdf(roster, public=args.public, seal=seal))
    else:
        from desktop_app.excel.members_xlsx import roster_workbook

        roster_workbook(roster, public=args.public).save(out)
    if not args.public:  # the 发放稿 lists members' numbers: a keeper's full copy is audited
        with cli_session(args, "cli") as s:
            record_id_export(s, org.id, ids, user=args.acting, document=f"{args.year}年度分红花名册（发放稿）",
                             count=len(roster.lines), path=out.resolve())
    kind = f"公示稿（按户，不列身份证号）：{len(roster.households)} 户" if args.public else \
        f"发放稿：{len(roster.lines)} 人，{'含完整身份证号，已记入审计日志' if ids.full else ids.note}"
    print(f"已输出 {org.name} {args.year}年度分红花名册{kind}，合计 {plan.roster_total} 元 → {out}"
          + (f"（校验码 {seal.code}）" if suffix == ".pdf" else ""))
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    for kind, label in EXPORT_KINDS.items():
        export_kind(kind, label, cmd_export)
    p = add("distribute", cmd_distribute, "按账簿和股份登记簿生成年度收益分配方案草案，显示每股分红、合计和尾差")
    p.add_argument("--org", required=True, help="组织（统一社会信用代码或12位区划代码）")
    p.add_argument("--year", type=int, required=True, help="分配年度")
    p.add_argument("--amount-for-members", required=True, help="批准用于成员分配的金额（元）")
    p.add_argument("--precision", choices=("分", "角", "元"), default="分", help="每股分红精度（默认 分）")
    p.add_argument("--reserve", help="提取公积公益金金额（默认按章程比例）")
    p.add_argument("--excluded-rent", default="0", help="一次性收取、属于以后年度的租金（不参与当年分配）")
    p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")
    p = add("roster", cmd_roster, "输出年度分红花名册（PDF 或 Excel）")
    p.add_argument("--org", required=True, help="组织（统一社会信用代码或12位区划代码）")
    p.add_argument("--year", type=int, required=True, help="分配年度")
    p.add_argument("--out", required=True, help="输出文件 .pdf 或 .xlsx")
    p.add_argument("--public", action="store_true",
                   help="公示稿：按户列出组别、户号、户主、人数、股数、每股、应分、扣减、实发（不列身份证号和签领）")
    p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")
