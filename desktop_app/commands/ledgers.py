"""``print KIND`` (账簿与凭证打印) and the matching ``export`` kinds: 现金/银行存款日记账, 明细账, 总账,
科目余额表 and 记账凭证 for a book and a period range, as PDF or xlsx by the suffix of ``--out``.

A PDF carries a check code recorded for ``verify-sheet`` (a write: run with ``--user``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.commands import export_kind, resolve_book
from desktop_app.core.errors import UserError

KINDS = {"cash-journal": "现金日记账", "bank-journal": "银行存款日记账", "ledger": "明细账（须 --account）",
         "general-ledger": "总账", "trial-balance": "科目余额表", "vouchers": "记账凭证"}


def cmd_print(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.funds_base import parse_period_range
    from desktop_app.reports.ledger_docs import write_ledger_output

    if args.kind not in KINDS:
        raise UserError(f"未知账簿 {args.kind}，可选：{'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}")
    if not getattr(args, "period", None):
        raise UserError("请用 --period 指定期间：2026-10（月）、2026-Q3（季度）或 2026（年度）", field="--period")
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        raise UserError("输出文件应以 .pdf 或 .xlsx 结尾", field="--out")
    first, last = parse_period_range(args.period)
    per_page = int(getattr(args, "per_page", None) or 2)
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        done = write_ledger_output(s, book.id, args.kind, first, last, out, account=getattr(args, "account", None),
                                   per_page=per_page)
    print(f"已生成{done.title}（{done.label}）：{out}")
    return 0


def _export(kind: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        args.kind = kind
        return cmd_print(args)

    return run


def cmd_export_vouchers(args: argparse.Namespace) -> int:
    """``export vouchers``: .xlsx is the flat journal the voucher import reads back (one row per
    line: 日期 凭证号 摘要 科目编码 科目名称 借方 贷方 往来单位); .pdf the printed forms.
    ``--period`` also takes a range of months: 2026-01..2026-03."""
    from desktop_app.cli import cli_session
    from desktop_app.core.services.funds_base import parse_period_range, range_label
    from desktop_app.core.services.orgs import get_organisation
    from desktop_app.core.services.voucher_import import journal_lines
    from desktop_app.excel.ledgers_xlsx import voucher_journal_xlsx_bytes
    from desktop_app.reports.disclosure.files import write_atomically

    out = Path(args.out)
    if out.suffix.lower() == ".pdf":
        return _export("vouchers")(args)
    if out.suffix.lower() != ".xlsx":
        raise UserError("输出文件应以 .xlsx（可再导入的凭证列表）或 .pdf（凭证打印）结尾", field="--out")
    if not getattr(args, "period", None):
        raise UserError("请用 --period 指定期间：2026-01、2026-01..2026-03、2026-Q1 或 2026", field="--period")
    start, _, end = args.period.partition("..")
    first, last = parse_period_range(start)[0], parse_period_range(end or start)[1]
    if last < first:
        raise UserError(f"期间“{args.period}”的起止颠倒了", field="--period")
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        lines = journal_lines(s, book.id, first, last)
        org = get_organisation(s, book.organisation_id)
    label = range_label(first, last)
    write_atomically(out, voucher_journal_xlsx_bytes(lines, organisation=org.name, book_name=book.name, label=label))
    print(f"已导出凭证（{book.name}，{label}，{len({(ln.voucher_date.month, ln.code) for ln in lines})} 张，"
          f"{len(lines)} 行分录）：{out}")
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    for kind, label in KINDS.items():
        if kind != "ledger":  # export has no --account: 明细账 is ``print ledger --account CODE``
            export_kind(kind, label, cmd_export_vouchers if kind == "vouchers" else _export(kind))
    p = add("print", cmd_print, "打印账簿与凭证（日记账、明细账、总账、科目余额表、记账凭证）为 PDF 或 Excel")
    p.add_argument("kind", metavar="类别", help=" | ".join(KINDS))
    p.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
    p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")
    p.add_argument("--period", required=True, help="期间：2026-10（月）、2026-Q3（季度）或 2026（年度）")
    p.add_argument("--account", help="明细账/总账的科目编码，如 102")
    p.add_argument("--per-page", dest="per_page", type=int, choices=(2, 3), default=2, help="记账凭证每张A4打印几张")
    p.add_argument("--out", required=True, help="输出文件 .pdf 或 .xlsx")
