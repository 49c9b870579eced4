"""Assets CLI: ``export assets|resources|projects``, ``depreciate``,
``asset-report NAME`` (``report`` belongs to the funds statements) and ``reconcile-assets``.

``export`` and ``import`` belong to ``cli.py``; this module contributes its export kinds
(``desktop_app.commands.export_kind``); ``import assets|resources|projects`` are kinds of the import
pipeline (``excel/import_assets.py`` …, ``commands.imports``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.commands import export_kind
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import format_amount

KindHandler = Callable[[argparse.Namespace], int]
EXPORT_LABELS = {"assets": "资产台账", "resources": "资源台账", "projects": "集体经济项目台账"}
REPORTS = {"assets": "资产台账", "resources": "资源台账", "changes": "资产变动表", "schedule": "折旧计算表（需 --asset）",
           "projects": "集体经济项目台账", "stocktake": "资产清查结果表（需 --stocktake）"}


def _sheet(s: Any, args: argparse.Namespace, name: str) -> tuple[Any, dict[str, Any]]:
    """The sheet and the keyword arguments it was built with (what its seal rebuilds it from)."""
    from desktop_app.commands import resolve_book
    from desktop_app.core.periods import period_end
    from desktop_app.core.services.funds_base import parse_period_range, range_label
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.reports import assets_sheets as sheets

    first, last = parse_period_range(args.period) if getattr(args, "period", None) else (None, None)
    org = find_organisation(s, args.org)
    kw: dict[str, Any]
    if name in ("resources", "projects"):  # the organisation's registers, or one book's with --book
        chosen = resolve_book(s, args.org, args.book).id if args.book else None
        if name == "resources":
            kw = {"org_id": org.id, "book_id": chosen, "on": period_end(last) if last else _today()}
            return sheets.resource_register(s, **kw), kw
        kw = {"org_id": org.id, "year": int(last[:4]) if last else _today().year, "book_id": chosen}
        return sheets.project_list(s, **kw), kw
    if name == "stocktake":
        import uuid

        kw = {"take_id": uuid.UUID(_need(args, "stocktake"))}
        return sheets.stocktake_result(s, **kw), kw
    book = resolve_book(s, args.org, args.book) if (args.book or name != "assets") else None
    if name == "assets":
        kw = {"org_id": org.id, "book_id": book.id if book else None,
              "label": f"截至{range_label(last, last)}" if last else ""}
        return sheets.asset_register(s, **kw), kw
    if first is None or last is None:
        raise ValidationError("请用 --period 指定期间", field="--period")
    assert book is not None
    if name == "changes":
        kw = {"book_id": book.id, "first": first, "last": last}
        return sheets.asset_changes(s, **kw), kw
    if name == "schedule":
        from desktop_app.core.services.assets import list_assets

        code = _need(args, "asset")
        found = [a for a in list_assets(s, org.id) if a.code == code]
        if not found:
            raise ValidationError(f"没有编号为 {code} 的资产卡片", field="--asset")
        kw = {"asset_id": found[0].id, "until": last}
        return sheets.depreciation_schedule(s, **kw), kw
    raise ValidationError(f"未知报表 {name}，可选：{'、'.join(f'{k}（{v}）' for k, v in REPORTS.items())}")


def _need(args: argparse.Namespace, name: str) -> str:
    value = getattr(args, name, None)
    if not value:
        raise ValidationError(f"此报表须指定 --{name}", field=f"--{name}")
    return str(value)


def _today() -> Any:
    from datetime import date

    return date.today()


def _write(args: argparse.Namespace, name: str, out: Path) -> None:
    """Build the sheet and write it; a PDF is sealed in the same transaction (what it prints is
    recorded, so ``verify-sheet`` checks the paper against the books later)."""
    from desktop_app.cli import cli_session

    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise UserError("输出文件应以 .pdf 或 .xlsx 结尾", field="--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    with cli_session(args, "cli") as s:
        sheet, kw = _sheet(s, args, name)
        if suffix == ".pdf":
            from desktop_app.reports.assets_pdf import write_sheet_pdf
            from desktop_app.reports.sealed_kinds import seal_asset_sheet

            write_sheet_pdf(sheet, out, seal_asset_sheet(s, sheet, name, **kw))
        else:
            from desktop_app.excel.assets_xlsx import write_sheet_xlsx

            write_sheet_xlsx(sheet, out)
    print(f"已生成{sheet.title}（{sheet.organisation}，{len(sheet.rows)} 行）：{out}")


def cmd_asset_report(args: argparse.Namespace) -> int:
    _write(args, args.name, Path(args.out))
    return 0


def _export_sheet(name: str) -> KindHandler:
    def run(args: argparse.Namespace) -> int:
        if Path(args.out).suffix.lower() != ".xlsx":
            raise UserError("导出文件应以 .xlsx 结尾", field="--out")
        _write(args, name, Path(args.out))
        return 0
    return run


def cmd_depreciate(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.commands import resolve_book
    from desktop_app.commands.funds import resolve_user
    from desktop_app.core.periods import period_label
    from desktop_app.core.services.depreciation import run_depreciation_through
    from desktop_app.core.services.funds_base import parse_period_range

    first, last = parse_period_range(args.period)
    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        user = resolve_user(s, args.user, "bookkeeper")
        results = run_depreciation_through(s, book_id=book.id, first=first, last=last, user=user)
    for r in results:
        what = "已计提过，未重复生成" if r.already_done else ("本月无应计提折旧" if r.voucher_id is None else "已计提")
        print(f"{period_label(r.period)}：{what}，{len(r.charges)} 项资产，合计 {format_amount(r.total)} 元"
              + (f"（凭证 {r.voucher_code}）" if r.voucher_code else ""))
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.commands import resolve_book
    from desktop_app.core.services.asset_reconcile import reconcile_assets

    with cli_session(args, "cli") as s:
        book = resolve_book(s, args.org, args.book)
        rep = reconcile_assets(s, book.id, args.period)
    for ln in rep.lines:
        print(f"{ln.account_code} {ln.label}：卡片 {format_amount(ln.cards)}，账面 {format_amount(ln.books)}，差额 {format_amount(ln.difference)}")
    for a in rep.assets:
        print(f"  {a.code} {a.name}：卡片原值 {format_amount(a.card_cost)} / 账面 {format_amount(a.book_cost)}；"
              f"卡片累计折旧 {format_amount(a.card_accumulated)} / 账面 {format_amount(a.book_accumulated)}")
    print("账卡相符" if rep.balanced else "账卡不符，请核对上列差异")
    return 0 if rep.balanced else 3


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    def org_book(p: argparse.ArgumentParser) -> None:
        p.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
        p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")

    for kind, label in EXPORT_LABELS.items():
        export_kind(kind, label, _export_sheet(kind))
    p = add("depreciate", cmd_depreciate, "按月计提固定资产折旧（每月一张凭证；重复运行不会重复计提）")
    org_book(p)
    p.add_argument("--period", required=True, help="会计期间 2026-10（也可 2026-Q3 或 2026，按月依次计提）")
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
