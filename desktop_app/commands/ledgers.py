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


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    for kind, label in KINDS.items():
        if kind != "ledger":  # export has no --account: 明细账 is ``print ledger --account CODE``
            export_kind(kind, label, _export(kind))
    p = add("print", cmd_print, "打印账簿与凭证（日记账、明细账、总账、科目余额表、记账凭证）为 PDF 或 Excel")
    p.add_argument("kind", metavar="KIND", help=" | ".join(KINDS))
    p.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
    p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")
    p.add_argument("--period", required=True, help="期间：2026-10（月）、2026-Q3（季度）或 2026（年度）")
    p.add_argument("--account", help="明细账/总账的科目编码，如 102")
    p.add_argument("--per-page", dest="per_page", type=int, choices=(2, 3), default=2, help="记账凭证每张A4打印几张")
    p.add_argument("--out", required=True, help="输出文件 .pdf 或 .xlsx")
