"""CLI: ``org add`` (an organisation with its first book), ``book add`` and ``export orgs``.

A fresh database gets its first organisation here (issue #15): ``init`` makes the administrator,
then ``org add --name … --uscc … --region … --user admin``. The codes are checked by the services
the 组织与账套 page's forms call (``services.org_setup``); a missing 区划 is added. Writing needs
``--user`` like every other write command (the roles of the page's 新增组织 button).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.commands import EXPORTS, Kind
from desktop_app.core.errors import UserError


@dataclass(frozen=True)
class _AllKind(Kind):
    """An ``export`` kind above the organisations: ``cli._dispatch`` asks no ``--org`` for it."""

    needs_org: bool = False

# the services' field names → this command's options, so an error points at what was typed
_OPTIONS = {"名称": "--name", "层级": "--level", "统一社会信用代码": "--uscc", "区划代码": "--region",
            "区划名称": "--region-name", "法定代表人": "--legal-rep", "联系电话": "--phone", "地址": "--address",
            "账套名称": "--book-name", "账套类型": "--book-kind", "会计制度": "--chart", "启用期间": "--start",
            "账套单位统一社会信用代码": "--credit-code", "组织": "--org"}


def _optioned(error: UserError, book_only: bool = False) -> UserError:
    option = _OPTIONS.get(error.field or "")
    if book_only and option == "--book-name":
        option = "--name"
    if option is not None:
        error.field = option
    return error


def _acting(session: Any) -> Any:
    from desktop_app.commands.auth import cli_user
    from desktop_app.core.services.permissions import ENTER_RECORDS

    return cli_user(session, *ENTER_RECORDS)  # the roles of the page's 新增组织/新增账套 buttons


def cmd_org(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.org_setup import setup_organisation

    try:
        with cli_session(args, "cli") as s:
            made = setup_organisation(
                s, user=_acting(s), name=args.name, uscc=args.uscc, region_code=args.region, level=args.level,
                legal_rep=args.legal_rep, phone=args.phone, address=args.address, region_name=args.region_name,
                township=args.township, book_name=args.book_name, chart_version=args.chart.strip().removesuffix("版"),
                start_period=args.start, book_kind=args.book_kind, with_book=not args.no_book)
    except UserError as e:
        raise _optioned(e) from None
    org, book = made.organisation, made.book
    print(f"已新增组织：{org.name}（{org.level}级，统一社会信用代码 {org.uscc}，区划代码 {org.region_code}"
          f"{'，已新增该区划：' + org.region_name if made.region_added else ''}）")
    if book is not None:
        print(f"已新建账套 {book.code} {book.name}（{book.kind}，{book.chart_version}版会计制度，{book.start_period}启用）")
    print(f"此后用 --org {org.uscc} 指定该组织")
    return 0


def cmd_book(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.org_setup import add_book
    from desktop_app.core.services.orgs import find_organisation

    try:
        with cli_session(args, "cli") as s:
            user = _acting(s)
            org = find_organisation(s, args.org)
            book = add_book(s, org.id, user=user, name=args.name, chart_version=args.chart.strip().removesuffix("版"), start_period=args.start,
                            kind=args.kind, credit_code=args.credit_code)
    except UserError as e:
        raise _optioned(e, book_only=True) from None
    print(f"已为 {org.name} 新建账套 {book.code} {book.name}（{book.kind}，{book.chart_version}版会计制度，"
          f"{book.start_period}启用）")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.excel.import_orgs import export_orgs_xlsx

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UserError("导出文件名应以 .xlsx 结尾", field="--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    with cli_session(args, "cli") as s:
        orgs, books = export_orgs_xlsx(s, out)
    print(f"已导出组织与账套：{orgs} 个组织，{books} 个账套 → {out}")
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    from desktop_app.core.services.orgs import BOOK_KINDS, ORG_LEVELS

    levels = "、".join(ORG_LEVELS)

    EXPORTS["orgs"] = _AllKind("orgs", "组织与账套（不需 --org）", cmd_export)
    p = add("org", cmd_org, "组织：add 新增组织及其第一个账套（从空数据库开始；须 --user）")
    actions = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = actions.add_parser("add", help="新增组织及其第一个账套", description=(
        "新增集体经济组织（代码按与图形界面相同的规则校验：统一社会信用代码校验位、组/村/乡镇级应以 N1/N2/N3 开头、"
        "12位区划代码），并新建它的第一个账套。区划代码尚未登记时一并登记（名称取 --region-name，默认取组织名称去掉"
        "“股份经济合作社”等）。"))
    a.add_argument("--db", default=argparse.SUPPRESS, help="数据库文件（默认为数据目录下的 ledger.db）")
    a.add_argument("--name", required=True, help="组织名称，如 新华村股份经济合作社")
    a.add_argument("--uscc", required=True, help="统一社会信用代码（18位；村级以 N2 开头）")
    a.add_argument("--region", required=True, help="12位统计用区划代码（村级组织为村的代码）")
    a.add_argument("--level", help=f"层级：{levels}（默认按统一社会信用代码的 N1/N2/N3 判断）")
    a.add_argument("--legal-rep", dest="legal_rep", help="法定代表人")
    a.add_argument("--phone", help="联系电话")
    a.add_argument("--address", help="地址")
    a.add_argument("--region-name", dest="region_name", help="区划尚未登记时它的名称（默认取组织名称，如 新华村）")
    a.add_argument("--township", help="村的区划尚未登记、其乡镇也未登记时，乡镇的名称（如 阳光街道）")
    a.add_argument("--book-name", dest="book_name", help="第一个账套的名称（默认与组织名称相同）")
    a.add_argument("--book-kind", dest="book_kind", help=f"账套类型：{'、'.join(BOOK_KINDS)}（默认按组织名称判断）")
    a.add_argument("--chart", default="2023", help="会计制度（默认 2023 版）")
    a.add_argument("--start", help="启用期间 YYYY-MM（默认今年1月）")
    a.add_argument("--no-book", dest="no_book", action="store_true", help="只新增组织，不建账套")
    p = add("book", cmd_book, "账套：add 为组织新建账套（须 --user）")
    actions = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = actions.add_parser("add", help="为组织新建账套", description="为组织新建账套，并复制所选会计制度的科目表")
    a.add_argument("--db", default=argparse.SUPPRESS, help="数据库文件（默认为数据目录下的 ledger.db）")
    a.add_argument("--org", required=True, help="组织（统一社会信用代码或12位区划代码）")
    a.add_argument("--name", help="账套名称（默认与组织名称相同）")
    a.add_argument("--chart", default="2023", help="会计制度（默认 2023 版）")
    a.add_argument("--start", help="启用期间 YYYY-MM（默认今年1月）")
    a.add_argument("--kind", help=f"账套类型：{'、'.join(BOOK_KINDS)}（默认按组织名称判断）")
    a.add_argument("--credit-code", dest="credit_code",
                   help="账套单位统一社会信用代码（村民委员会等其他单位的账套填其自己的代码）")
