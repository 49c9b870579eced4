"""Assets CLI: ``export assets|resources|projects``, ``import assets|resources``, ``depreciate``,
``asset-report NAME`` (``report`` belongs to the funds statements) and ``reconcile-assets``.

``export`` and ``import`` belong to ``cli.py``; this module contributes its kinds
(``desktop_app.commands.export_kind`` / ``import_kind``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.commands import export_kind, import_kind
from desktop_app.core.errors import UserError, ValidationError

KindHandler = Callable[[argparse.Namespace], int]
EXPORT_LABELS = {"assets": "资产台账", "resources": "资源台账", "projects": "集体经济项目台账"}
IMPORT_LABELS = {"assets": "资产卡片", "resources": "资源地块"}
REPORTS = {"assets": "资产台账", "resources": "资源台账", "changes": "资产变动表", "schedule": "折旧计算表（需 --asset）",
           "projects": "集体经济项目台账", "stocktake": "资产清查结果表（需 --stocktake）"}


def _sheet(args: argparse.Namespace, name: str) -> Any:
    from desktop_app.cli import cli_session
    from desktop_app.commands.funds import resolve_book
    from desktop_app.core.services.funds_base import parse_period_range, range_label
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.reports import assets_sheets as sheets

    first, last = parse_period_range(args.period) if getattr(args, "period", None) else (None, None)
    with cli_session(args, "cli") as s:
        org = find_organisation(s, args.org)
        if name in ("resources", "projects"):  # the organisation's registers, or one book's with --book
            chosen = resolve_book(s, args.org, args.book).id if args.book else None
            if name == "resources":
                from desktop_app.core.services.funds_base import period_end

                return sheets.resource_register(s, org.id, chosen, on=period_end(last) if last else None)
            return sheets.project_list(s, org.id, int(last[:4]) if last else _year(), chosen)
        if name == "stocktake":
            import uuid

            return sheets.stocktake_result(s, uuid.UUID(_need(args, "stocktake")))
        book = resolve_book(s, args.org, args.book) if (args.book or name != "assets") else None
        if name == "assets":
            return sheets.asset_register(s, org.id, book.id if book else None,
                                         label=f"截至{range_label(last, last)}" if last else "")
        if first is None or last is None:
            raise ValidationError("请用 --period 指定期间", field="--period")
        if name == "changes":
            return sheets.asset_changes(s, book.id, first, last)  # type: ignore[union-attr]
        if name == "schedule":
            from desktop_app.core.services.assets import list_assets

            code = _need(args, "asset")
            found = [a for a in list_assets(s, org.id) if a.code == code]
            if not found:
                raise ValidationError(f"没有编号为 {code} 的资产卡片", field="--asset")
            return sheets.depreciation_schedule(s, found[0].id, last)
        raise ValidationError(f"未知报表 {name}，可选：{'、'.join(f'{k}（{v}）' for k, v in REPORTS.items())}")


def _need(args: argparse.Namespace, name: str) -> str:
    value = getattr(args, name, None)
    if not value:
        raise ValidationError(f"此报表须指定 --{name}", field=f"--{name}")
    return str(value)


def _year() -> int:
    from datetime import date

    return date.today().year


def _write(sheet: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        from desktop_app.reports.assets_pdf import write_sheet_pdf

        write_sheet_pdf(sheet, out)
    elif out.suffix.lower() == ".xlsx":
        from desktop_app.excel.assets_xlsx import write_sheet_xlsx

        write_sheet_xlsx(sheet, out)
    else:
        raise UserError("输出文件应以 .pdf 或 .xlsx 结尾", field="--out")
    print(f"已生成{sheet.title}（{sheet.organisation}，{len(sheet.rows)} 行）：{out}")


def cmd_asset_report(args: argparse.Namespace) -> int:
    _write(_sheet(args, args.name), Path(args.out))
    return 0


def _export_sheet(name: str) -> KindHandler:
    def run(args: argparse.Namespace) -> int:
        if Path(args.out).suffix.lower() != ".xlsx":
            raise UserError("导出文件应以 .xlsx 结尾", field="--out")
        _write(_sheet(args, name), Path(args.out))
        return 0
    return run


def _import_kind(kind: str) -> KindHandler:
    def run(args: argparse.Namespace) -> int:
        from desktop_app.cli import cli_session
        from desktop_app.commands.funds import resolve_book
        from desktop_app.core.services.orgs import find_organisation
        from desktop_app.excel.assets_xlsx import apply_import, validate_import

        with cli_session(args, "cli") as s:
            org = find_organisation(s, args.org)
            if args.dry_run:
                preview = validate_import(s, kind, args.file, organisation_id=org.id)
                for e in preview.errors:
                    print(str(e))
                print(f"检查完成：{len(preview.rows)} 行可导入，{len(preview.errors)} 处错误（未写入任何数据）")
                return 1 if preview.errors else 0
            book = resolve_book(s, args.org, args.book) if kind == "assets" else None
            n = apply_import(s, kind, args.file, organisation_id=org.id, book_id=book.id if book else None)
        print(f"已导入 {n} 行")
        return 0
    return run


def cmd_depreciate(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.commands.funds import resolve_book, resolve_user
    from desktop_app.core.services.depreciation import run_depreciation_through
    from desktop_app.core.services.funds_base import parse_period_range, period_label

    first, last = parse_period_range(args.period)
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        user = resolve_user(s, args.user, "bookkeeper")
        results = run_depreciation_through(s, book_id=book.id, first=first, last=last, user=user)
    for r in results:
        what = "已计提过，未重复生成" if r.already_done else ("本月无应计提折旧" if r.voucher_id is None else "已计提")
        print(f"{period_label(r.period)}：{what}，{len(r.charges)} 项资产，合计 {r.total} 元"
              + (f"（凭证 {r.voucher_code}）" if r.voucher_code else ""))
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.commands.funds import resolve_book
    from desktop_app.core.services.asset_reconcile import reconcile_assets

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        rep = reconcile_assets(s, book.id, args.period)
    for ln in rep.lines:
        print(f"{ln.account_code} {ln.label}：卡片 {ln.cards}，账面 {ln.books}，差额 {ln.difference}")
    for a in rep.assets:
        print(f"  {a.code} {a.name}：卡片原值 {a.card_cost} / 账面 {a.book_cost}；"
              f"卡片累计折旧 {a.card_accumulated} / 账面 {a.book_accumulated}")
    print("账卡相符" if rep.balanced else "账卡不符，请核对上列差异")
    return 0 if rep.balanced else 3


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    def org_book(p: argparse.ArgumentParser) -> None:
        p.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
        p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")

    for kind, label in EXPORT_LABELS.items():
        export_kind(kind, label, _export_sheet(kind))
    for kind, label in IMPORT_LABELS.items():
        import_kind(kind, label, _import_kind(kind))
    p = add("depreciate", cmd_depreciate, "按月计提固定资产折旧（每月一张凭证；重复运行不会重复计提）")
    org_book(p)
    p.add_argument("--period", required=True, help="会计期间 2026-10（也可 2026-Q3 或 2026，按月依次计提）")
    p.add_argument("--user", help="操作用户（默认为第一位记账员）")
    p = add("asset-report", cmd_asset_report, "资产报表：" + "、".join(f"{k}（{v}）" for k, v in REPORTS.items()))
    p.add_argument("name", help=" | ".join(REPORTS))
    org_book(p)
    p.add_argument("--period", help="期间：2026-10、2026-Q3 或 2026")
    p.add_argument("--asset", help="资产编号（schedule）")
    p.add_argument("--stocktake", help="清查ID（stocktake）")
    p.add_argument("--out", required=True, help="输出文件 .pdf 或 .xlsx")
    p = add("reconcile-assets", cmd_reconcile, "资产卡片与固定资产、累计折旧科目余额核对")
    org_book(p)
    p.add_argument("--period", required=True, help="会计期间，如 2026-10")
