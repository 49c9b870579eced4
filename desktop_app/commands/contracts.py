"""Contracts CLI.

    export contracts|installments|arrears|contract-review (--org CODE | --all) --out FILE.xlsx [--as-of DATE]
    import contracts FILE.xlsx --org CODE [--book B] [--dry-run]
    contract-pdf ledger|installments|arrears|expiry (--org CODE | --all) --out FILE.pdf [--as-of DATE]

``export``/``import`` are shared verbs (DESIGN §6: ``export KIND``): if another area registered the
verb first, the contract kinds are added to its parser and its handler still serves its own kinds.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.core.errors import UserError, ValidationError

EXPORT_KINDS = ("contracts", "installments", "arrears", "contract-review")
IMPORT_KINDS = ("contracts",)
PDF_KINDS = ("ledger", "installments", "arrears", "expiry")


def _as_of(args: argparse.Namespace) -> date:
    text = getattr(args, "as_of", None)
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"日期“{text}”格式应为 YYYY-MM-DD", field="--as-of") from None


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
    from desktop_app.cli import open_db
    from desktop_app.core.services.contract_queries import installment_rows
    from desktop_app.core.services.contract_review import list_findings, review_contracts
    from desktop_app.core.services.contract_warnings import list_arrears
    from desktop_app.core.services.contracts import list_contracts
    from desktop_app.excel import contracts_xlsx as x

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise ValidationError("输出文件应为 .xlsx", field="--out")
    as_of = _as_of(args)
    db = open_db(args)
    try:
        with db.begin() as s:
            org_id, scope, names = _scope(s, args)
            if args.kind == "contracts":
                rows: list[Any] = list_contracts(s, org_id)
                x.export_contracts(out, rows, scope=scope, org_names=names)
            elif args.kind == "installments":
                rows = installment_rows(s, None, as_of, org_id)
                x.export_installments(out, rows, scope=scope, as_of=as_of)
            elif args.kind == "arrears":
                rows = list_arrears(s, org_id, as_of)
                x.export_arrears(out, rows, scope=scope, as_of=as_of)
            else:
                saved = {(f.contract_id, f.rule_code): f for f in list_findings(s, org_id)}
                rows = []
                for f in review_contracts(s, org_id, as_of=as_of, persist=False):
                    old = saved.get((f.contract_id, f.rule_code))
                    rows.append(f if old is None else replace(f, id=old.id, status=old.status,
                                                              rectification_note=old.rectification_note))
                x.export_review(out, rows, scope=scope, as_of=as_of)
        print(f"已导出 {len(rows)} 行到 {out}")
    finally:
        db.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db
    from desktop_app.commands.funds import resolve_book
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.excel.contracts_import import apply_contract_import, validate_contract_import

    db = open_db(args)
    try:
        with db.begin("import") as s:
            org = find_organisation(s, args.org)
            book = resolve_book(s, args.org, getattr(args, "book", None))
            if args.dry_run:
                preview = validate_contract_import(s, args.file, organisation_id=org.id, book_id=book.id)
                for p in preview.problems:
                    print(p)
                print(f"检查完毕：可导入 {len(preview.rows)} 份，问题 {len(preview.problems)} 处（未写入）")
                return 0 if preview.ok else 1
            n = apply_contract_import(s, args.file, organisation_id=org.id, book_id=book.id)
        print(f"已导入合同 {n} 份到 {org.name}")
    finally:
        db.close()
    return 0


def cmd_contract_pdf(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db
    from desktop_app.reports.contracts_pdf import write_contract_report

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise ValidationError("输出文件应为 .pdf", field="--out")
    db = open_db(args)
    try:
        with db.begin() as s:
            org_id, scope, _ = _scope(s, args)
            pages = write_contract_report(s, args.kind, out, organisation_id=org_id, scope=scope, as_of=_as_of(args))
        print(f"已生成 {out}（{pages} 页）")
    finally:
        db.close()
    return 0


def _chain(parser: argparse.ArgumentParser, kinds: tuple[str, ...], mine: Callable[[argparse.Namespace], int]) -> None:
    """Share an already registered verb: our kinds go to ``mine``, the rest to its handler."""
    theirs = parser.get_default("handler")

    def handler(args: argparse.Namespace) -> int:
        if getattr(args, "kind", None) in kinds:
            return mine(args)
        if theirs is None:
            raise UserError(f"未知类型：{getattr(args, 'kind', '')}")
        return int(theirs(args))

    parser.set_defaults(handler=handler)
    for action in parser._actions:  # list our kinds in the shared verb's help
        if action.dest == "kind" and action.help:
            action.help = f"{action.help} | {' | '.join(kinds)}"


def _add_opt(p: argparse.ArgumentParser, *names: str, **kw: Any) -> None:
    try:
        p.add_argument(*names, **kw)
    except argparse.ArgumentError:
        pass  # the verb's owner already defined it


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    exists = getattr(sub, "choices", {})
    if "export" in exists:
        p = exists["export"]
        _chain(p, EXPORT_KINDS, cmd_export)
        for action in p._actions:  # --all needs --org optional; a missing --org is refused by the handlers
            if action.dest == "org":
                action.required = False
    else:
        p = add("export", cmd_export, "导出 Excel：contracts 合同台账、installments 应收租金明细、arrears 欠款明细（账龄）、"
                                      "contract-review 合同审查结果")
        p.add_argument("kind", help=" | ".join(EXPORT_KINDS))
    _add_opt(p, "--org", help="组织的统一社会信用代码或12位区划代码")
    _add_opt(p, "--all", action="store_true", help="全部组织")
    _add_opt(p, "--out", required=True, help="输出文件 .xlsx")
    _add_opt(p, "--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（欠款、审查；默认今天）")
    if "import" in exists:
        p = exists["import"]
        _chain(p, IMPORT_KINDS, cmd_import)
    else:
        p = add("import", cmd_import, "从 Excel 导入（contracts 合同：先检查，全部无误才写入）")
        p.add_argument("kind", help=" | ".join(IMPORT_KINDS))
        p.add_argument("file", help="xlsx 文件")
    _add_opt(p, "--org", required=True, help="组织的统一社会信用代码或12位区划代码")
    _add_opt(p, "--book", help="账套编号或ID（组织只有一个账套时可省略）")
    _add_opt(p, "--dry-run", dest="dry_run", action="store_true", help="只检查，不写入")
    p = add("contract-pdf", cmd_contract_pdf, "合同报表 PDF：ledger 合同台账、installments 应收租金明细、"
                                               "arrears 欠款明细（账龄）、expiry 到期合同清单")
    p.add_argument("kind", choices=PDF_KINDS, help=" | ".join(PDF_KINDS))
    p.add_argument("--org", help="组织的统一社会信用代码或12位区划代码")
    p.add_argument("--all", action="store_true", help="全部组织")
    p.add_argument("--out", required=True, help="输出文件 .pdf")
    p.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
