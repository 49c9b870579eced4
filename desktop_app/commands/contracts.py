"""Contracts CLI.

    export contracts|installments|arrears|contract-review (--org CODE | --all) --out FILE.xlsx [--as-of DATE]
    contract-pdf ledger|installments|arrears|expiry|review (--org CODE | --all) --out FILE.pdf [--as-of DATE]

``export`` is a shared verb (DESIGN §6: ``export KIND``): if another area registered the verb first,
the contract kinds are added to its parser and its handler still serves its own kinds. ``import
contracts FILE`` is the import pipeline's (``commands.imports``, ``excel.import_contracts``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.commands import as_of_date, export_kind
from desktop_app.core.errors import ValidationError

EXPORT_KINDS = {"contracts": "合同台账", "installments": "应收租金明细", "arrears": "欠款明细（账龄）",
                "contract-review": "合同审查结果"}
PDF_KINDS = ("ledger", "installments", "arrears", "expiry", "review")


def _scope(session: Any, args: argparse.Namespace) -> tuple[Any, str, dict[Any, str]]:
    from desktop_app.core.services.orgs import find_organisation, list_organisations

    orgs = {o.id: o.name for o in list_organisations(session)}
    if getattr(args, "all", False):
        return None, "全部组织", orgs
    if not getattr(args, "org", None):
        raise ValidationError("请用 --org 指定组织（统一社会信用代码或区划代码），或用 --all", field="--org")
    org = find_organisation(session, args.org)
    return org.id, f"{org.name}（{org.uscc}）", {org.id: org.name}


def cmd_export(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.contract_queries import installment_rows
    from desktop_app.core.services.contract_review import current_findings
    from desktop_app.core.services.contract_warnings import list_arrears
    from desktop_app.core.services.contracts import list_contracts
    from desktop_app.core.services.personal_data import export_ids
    from desktop_app.excel import contracts_xlsx as x

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise ValidationError("输出文件应为 .xlsx", field="--out")
    as_of = as_of_date(args)
    with cli_session(args) as s:
        org_id, scope, names = _scope(s, args)
        if args.kind == "contracts":
            rows: list[Any] = list_contracts(s, org_id, as_of=as_of)
            codes = x.link_codes(s, rows)  # 地块编号/资产编号, so the file imports back linked
            export_ids(s, org_id, user=args.acting, document="合同台账", path=out.resolve(), subject="承包方",
                       write=lambda ids: x.export_contracts(out, rows, scope=scope, org_names=names, as_of=as_of,
                                                            mask_ids=not ids.full, codes=codes))
        elif args.kind == "installments":
            rows = installment_rows(s, None, as_of, org_id)
            x.export_installments(out, rows, scope=scope, as_of=as_of)
        elif args.kind == "arrears":
            rows = list_arrears(s, org_id, as_of)
            x.export_arrears(out, rows, scope=scope, as_of=as_of)
        else:
            rows = current_findings(s, org_id, as_of=as_of)
            x.export_review(out, rows, scope=scope, as_of=as_of)
    print(f"已导出 {len(rows)} 行到 {out}")
    return 0


def cmd_contract_pdf(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.reports.contracts_pdf import write_contract_report

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise ValidationError("输出文件应为 .pdf", field="--out")
    with cli_session(args) as s:
        org_id, scope, _ = _scope(s, args)
        pages = write_contract_report(s, args.kind, out, organisation_id=org_id, scope=scope, as_of=as_of_date(args))
    print(f"已生成 {out}（{pages} 页）")
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    for kind, label in EXPORT_KINDS.items():
        export_kind(kind, label, cmd_export, all_orgs=True)
    p = add("contract-pdf", cmd_contract_pdf, "合同报表 PDF：ledger 合同台账、installments 应收租金明细、"
                                               "arrears 欠款明细（账龄）、expiry 到期合同清单、review 合同审查结果")
    p.add_argument("kind", choices=PDF_KINDS, help=" | ".join(PDF_KINDS))
    p.add_argument("--org", help="组织的统一社会信用代码或12位区划代码")
    p.add_argument("--all", action="store_true", help="全部组织")
    p.add_argument("--out", required=True, help="输出文件 .pdf")
    p.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
