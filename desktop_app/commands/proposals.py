"""Correction proposals (更正建议, issue #13).

    proposal add --db DISTRICT --org CODE (--voucher 2025-03-12 | --contract NO | --plan YEAR) --kind K --text T
    proposal list --db DB [--status 待答复|已采纳|已驳回] [--org CODE]
    proposal answer ID --db TOWNSHIP (--accept [--ref 更正凭证] | --reject --reason R)
    proposal withdraw ID --db DISTRICT

``add`` and ``withdraw`` run on the district's database, ``answer`` on the township's; what
was written travels with the next sync package. ``ID`` is the 编号 that ``list`` prints.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from desktop_app.commands.auth import cli_user
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.permissions import ANSWER_PROPOSAL, PROPOSE
from desktop_app.core.services.proposals import check_site


def _actor(args: argparse.Namespace) -> str:
    return getattr(args, "user", None) or "cli"


def _print_row(r: Any) -> None:
    when = f"{r.proposed_at.astimezone():%Y-%m-%d}"
    print(f"[{r.short_id}] {r.status}  {r.township + ' ' if r.township else ''}{r.village_name}  "
          f"{r.target_text}  （{r.kind}）{r.text}  —— {r.proposed_by} {when}")
    if r.status != "待答复":
        said = r.reason or r.reference
        print(f"           {r.answered_by} {r.answered_at.astimezone():%Y-%m-%d} {r.status}"
              + (f"：{said}" if said else "") + (f"（更正：{r.reference}）" if r.reason and r.reference else ""))


def _add(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.core.services.proposals import find_target, propose

    given = [(k, v) for k, v in (("voucher", args.voucher), ("contract", args.contract), ("plan", args.plan))
             if v is not None]
    if len(given) != 1:
        raise ValidationError("请用 --voucher 年-月-号、--contract 合同编号 或 --plan 年度 中的一个指定建议针对的对象",
                              field="对象")
    kind, ref = given[0]
    with cli_session(args, _actor(args)) as s:
        check_site(s, "district")  # the other side's database says so before any role
        user = cli_user(s, *PROPOSE)
        org = find_organisation(s, args.org)
        row = propose(s, find_target(s, org.id, kind, ref), args.kind, args.text, user=user)
    print(f"已向{row.village_name}提出更正建议 [{row.short_id}]：{row.target_text}（{row.kind}）。"
          "请在下次同步时把区级同步包带给该乡镇。")
    return 0


def _list(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.core.services.proposals import list_proposals

    with cli_session(args, _actor(args)) as s:
        org_id = find_organisation(s, args.org).id if args.org else None
        rows = list_proposals(s, status=args.status, organisation_id=org_id)
    for r in rows:
        _print_row(r)
    counts = {st: sum(r.status == st for r in rows) for st in ("待答复", "已采纳", "已驳回")}
    print(f"共 {len(rows)} 条更正建议：" + "，".join(f"{k} {v} 条" for k, v in counts.items()))
    return 0


def _answer(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.proposals import answer

    if args.accept == args.reject:
        raise ValidationError("请用 --accept（采纳）或 --reject --reason 理由（驳回）中的一个", field="答复")
    with cli_session(args, _actor(args)) as s:
        check_site(s, "township")  # the other side's database says so before any role
        user = cli_user(s, *ANSWER_PROPOSAL)
        row = answer(s, args.id, accept=args.accept, reason=args.reason or "", reference=args.ref or "", user=user)
    print(f"已答复 [{row.short_id}]：{row.status}。请在下次同步时把本机的同步包带给区经管站。")
    if args.accept and not args.ref:
        print("提示：采纳后请在本机按正常流程更正（如红字冲销后重新编制凭证、修改合同），答复时可用 --ref 注明。")
    return 0


def _withdraw(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.proposals import withdraw

    with cli_session(args, _actor(args)) as s:
        check_site(s, "district")  # the other side's database says so before any role
        row = withdraw(s, args.id, user=cli_user(s, *PROPOSE))
    print(f"已撤回对{row.village_name}的更正建议 [{row.short_id}]：{row.target_text}")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "add": _add, "list": _list, "answer": _answer, "withdraw": _withdraw}


def cmd_proposal(args: argparse.Namespace) -> int:
    return HANDLERS[args.action](args)


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    from db.models.proposal import PROPOSAL_KINDS

    p = add("proposal", cmd_proposal,
            "区级更正建议：区经管站 add 提出、withdraw 撤回，乡镇 answer 答复（采纳或驳回），list 查看")
    actions = p.add_subparsers(dest="action", metavar="操作", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        a.add_argument("--db", default=argparse.SUPPRESS, help="数据库文件")
        return a

    a = action("add", "（区级数据库）对某村的凭证、合同或收益分配方案提出更正建议")
    a.add_argument("--org", required=True, help="村的统一社会信用代码或12位区划代码")
    a.add_argument("--voucher", help="凭证：年-月-号，如 2025-03-12")
    a.add_argument("--contract", help="合同编号")
    a.add_argument("--plan", help="收益分配方案的年度，如 2025")
    a.add_argument("--kind", required=True, help=f"建议类别：{'、'.join(PROPOSAL_KINDS)}")
    a.add_argument("--text", required=True, help="建议内容（500字以内）")
    a = action("list", "列出更正建议及答复情况（乡镇只列本乡镇各村的）")
    a.add_argument("--status", choices=("待答复", "已采纳", "已驳回"), help="只列此状态的")
    a.add_argument("--org", help="只列此组织的（统一社会信用代码或区划代码）")
    a = action("answer", "（乡镇数据库）答复一条更正建议：--accept 采纳，或 --reject --reason 理由 驳回")
    a.add_argument("id", metavar="编号", help="list 列出的编号（方括号内）")
    a.add_argument("--accept", action="store_true", help="采纳（随后在本机按正常流程更正）")
    a.add_argument("--reject", action="store_true", help="驳回（须写 --reason）")
    a.add_argument("--reason", help="驳回理由，或采纳时的说明")
    a.add_argument("--ref", help="采纳时注明更正用的凭证或冲销，如 2025年3月 记-0031")
    a = action("withdraw", "（区级数据库）撤回一条乡镇尚未答复的更正建议")
    a.add_argument("id", metavar="编号", help="list 列出的编号（方括号内）")
