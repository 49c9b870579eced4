"""``receipt-slip`` 收款收据: list a book's slips, print them (``--out F.pdf``; a reprint says 补打), void
one (``--reason``), issue one for a receipt recorded without it (补开: ``--voucher 2026-03-12``, or
every receipt of a month that has none: ``--period 2026-03 --missing``), check a month."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.commands.auth import cli_user
from desktop_app.core.errors import ValidationError

_VOUCHER_REF = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,5})")


def _book(s: Any, args: argparse.Namespace) -> Any:
    from desktop_app.commands import resolve_book

    return resolve_book(s, args.org, getattr(args, "book", None))


def _period(text: str | None) -> str | None:
    from desktop_app.core.periods import check_period

    return check_period(text, "--period") if text else None


def _show(r: Any) -> str:
    extra = f"  作废：{r.void_reason}" if r.status == "作废" else ""
    printed = f"  已打印{r.print_count}次" if r.print_count else "  未打印"
    return (f"No.{r.number}  {r.received_on:%Y-%m-%d}  {r.status}  {r.payer}  {r.amount:>12,.2f} 元  {r.purpose}"
            f"  凭证 {r.voucher_label or '—'}  经手人 {r.collector}{printed}{extra}")


def _list(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.receipt_slips import list_slips

    period = _period(args.period)
    with cli_session(args) as s:
        rows = list_slips(s, _book(s, args).id, period_from=period, period_to=period, status=args.status)
    for r in rows:
        print(_show(r))
    live = [r for r in rows if r.status == "正常"]
    print(f"共 {len(rows)} 张收据（正常 {len(live)} 张，合计 {sum(r.amount for r in live):,.2f} 元；"
          f"作废 {len(rows) - len(live)} 张）")
    return 0


def _print(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.receipt_slips import find_slip
    from desktop_app.reports.receipt_pdf import write_receipt_pdf

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise ValidationError("输出文件应为 .pdf", field="--out")
    with cli_session(args) as s:
        user = cli_user(s)
        book = _book(s, args)
        ids = [find_slip(s, book.id, n).id for n in args.numbers]
        prints, pages = write_receipt_pdf(s, ids, out, user=user, layout=args.layout)
    for p in prints:
        print(f"No.{p.slip.number}" + ("（补打）" if p.reprint else "") + ("（作废）" if p.slip.status == "作废" else ""))
    print(f"已生成 {out}（{len(prints)} 张收据，{pages} 页）")
    return 0


def _void(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.receipt_slips import find_slip, void_slip

    with cli_session(args) as s:
        user = cli_user(s)
        row = void_slip(s, find_slip(s, _book(s, args).id, args.number).id, reason=args.reason or "", user=user)
    print(f"已作废收据 No.{row.number}（{row.payer} {row.amount:,.2f} 元），编号保留；原因：{row.void_reason}")
    return 0


def _issue(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.receipt_slip_check import receipts_without_slip
    from desktop_app.core.services.receipt_slips import issue_slips, source_of_voucher

    if (args.voucher is None) == (not args.missing):
        raise ValidationError("请用 --voucher 年-月-号 指定一笔收款，或用 --period 年-月 --missing 为该月未开收据的收款补开",
                              field="收款")
    try:
        on = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise ValidationError(f"日期“{args.date}”格式应为 YYYY-MM-DD", field="--date") from None
    with cli_session(args) as s:
        user = cli_user(s)
        book = _book(s, args)
        if args.voucher is not None:
            m = _VOUCHER_REF.fullmatch(args.voucher.strip())
            if not m or not 1 <= int(m.group(2)) <= 12:
                raise ValidationError(f"凭证“{args.voucher}”的写法应为 年-月-号，如 2026-03-12", field="--voucher")
            kind, sid = source_of_voucher(s, book.id, f"{m.group(1)}-{int(m.group(2)):02d}", int(m.group(3)))
            rows = issue_slips(s, kind, [sid], user=user, payer=args.payer, on=on)
        else:
            period = _period(args.period)
            if period is None:
                raise ValidationError("--missing 需要 --period 年-月", field="--period")
            rows = []
            for src in receipts_without_slip(s, book.id, period):
                rows += issue_slips(s, src.kind, [src.id], user=user, on=max(on, src.received_on))
    for r in rows:
        print(f"已开具收据 No.{r.number}：{r.payer} {r.amount:,.2f} 元（{r.purpose}）")
    print(f"共开具 {len(rows)} 张收据" + ("；打印请用 receipt-slip print 收据号 --out 文件.pdf" if rows else ""))
    return 0


def _check(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.receipt_slip_check import close_checklist_items

    period = _period(args.period)
    assert period is not None
    with cli_session(args) as s:
        item = close_checklist_items(s, _book(s, args).id, period)[0]
    print(f"{'✓' if item.ok else '⚠'} {item.title}：{item.detail}")
    return 0 if item.ok else 3


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": _list, "print": _print, "void": _void, "issue": _issue, "check": _check}


def cmd_receipt(args: argparse.Namespace) -> int:
    return HANDLERS[args.action](args)


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    from desktop_app.core.services.receipt_slips import LAYOUTS

    p = add("receipt-slip", cmd_receipt, "收款收据：list 收据登记簿、print 打印（重印标补打）、void 作废、issue 补开、check 与收款凭证核对")
    actions = p.add_subparsers(dest="action", metavar="操作", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        a.add_argument("--db", default=argparse.SUPPRESS, help="数据库文件")
        a.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
        a.add_argument("--book", help="账套编号（组织只有一个账套时可省略）")
        return a

    a = action("list", "列出账套的收款收据（按编号）")
    a.add_argument("--period", help="只列该月收款的收据，如 2026-03")
    a.add_argument("--status", choices=("正常", "作废"), help="只列此状态的")
    a = action("print", "打印收据到 PDF（三联：存根/收据/记账）；已打印过的标“补打”，作废的标“作废”")
    a.add_argument("numbers", nargs="+", metavar="收据号", help="如 2026-00001")
    a.add_argument("--out", required=True, help="输出文件 .pdf")
    a.add_argument("--layout", choices=tuple(LAYOUTS), default="a4",
                   help="；".join(f"{k}：{v}" for k, v in LAYOUTS.items()))
    a = action("void", "作废一张收据（编号保留，打印时标“作废”）")
    a.add_argument("number", metavar="收据号", help="如 2026-00001")
    a.add_argument("--reason", required=True, help="作废原因")
    a = action("issue", "为已登记的收款补开收据：--voucher 年-月-号，或 --period 年-月 --missing（该月全部未开收据的收款）")
    a.add_argument("--voucher", help="收款的记账凭证：年-月-号，如 2026-03-12")
    a.add_argument("--period", help="与 --missing 一起用：该月")
    a.add_argument("--missing", action="store_true", help="为该月所有未开收据的收款补开")
    a.add_argument("--payer", help="交款单位（人）（凭证上没有往来单位时必填）")
    a.add_argument("--date", help="开具日期 YYYY-MM-DD（默认今天）")
    a = action("check", "核对某月收款收据与收款凭证（笔数、金额，列出差异）；有差异时退出码 3")
    a.add_argument("--period", required=True, help="如 2026-03")
