"""District statistics CLI (issue #13), for a district database (``init --district``).

    district report tiers|disclosure|distribution|contracts --year Y [--month M] --out F.pdf|F.xlsx [--as-of DATE]
        (a PDF carries the QR and check code on every page: sealed, so it needs --user)
    district settings [--tiers 0,5,10,20,50,100] [--operating-2023 501,502] … [--show]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from db.errors import UserError
from desktop_app.commands import as_of_date
from desktop_app.core.errors import ValidationError

CODE_OPTIONS = ("operating_2023", "operating_2004", "total_2023", "total_2004")


def _require_district(session: Any) -> str:
    from desktop_app.sync.identity import site

    me = site(session)
    if me.level != "district":
        raise UserError(f"district 命令用于区级数据库（init --district 名称 --region 代码 创建）；"
                        f"本数据库是乡镇“{me.name}”的数据库，请在区经管站的数据库上运行")
    return me.name


def _report(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db
    from desktop_app.reports.district_sheets import REPORTS, build_doc

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise ValidationError("输出文件应为 .pdf 或 .xlsx", field="--out")
    if args.kind not in REPORTS:
        raise ValidationError(f"未知的报表“{args.kind}”，可选：{'、'.join(f'{k}（{v}）' for k, v in REPORTS.items())}",
                              field="报表")
    as_of = as_of_date(args)
    db = open_db(args)
    try:
        if suffix == ".pdf":  # sealed: what it prints is recorded for verify-sheet, so it is a write
            from desktop_app.reports.district_seal import write_sealed_district_pdf

            with db.begin("cli") as s:
                _require_district(s)
                doc, seal = write_sealed_district_pdf(s, args.kind, args.year, args.month, out, as_of=as_of)
            print(f"已生成{doc.title}（{doc.period_label}，校验码 {seal.code}）：{out}")
            return 0
        with db.read("cli") as s:
            name = _require_district(s)
            doc = build_doc(s, args.kind, args.year, args.month, organisation=name, as_of=as_of)
    finally:
        db.close()
    from desktop_app.excel.district_xlsx import write_district_xlsx

    write_district_xlsx(doc, out)
    print(f"已生成{doc.title}（{doc.period_label}）：{out}")
    return 0


def _settings(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db
    from desktop_app.core.services.district_settings import get_settings, update_settings

    codes = {k: getattr(args, k) for k in CODE_OPTIONS if getattr(args, k) is not None}
    db = open_db(args)
    try:
        if args.tiers is None and not codes:
            with db.read("cli") as s:
                _require_district(s)
                st = get_settings(s)
        else:
            from desktop_app.commands.auth import cli_user
            from desktop_app.core.services.district_settings import SET_DISTRICT_SETTINGS

            with db.begin("cli") as s:
                _require_district(s)
                st = update_settings(s, tiers=args.tiers, codes=codes, user=cli_user(s, *SET_DISTRICT_SETTINGS))
            print("已保存区级统计设置。")
    finally:
        db.close()
    print(f"经营性收入分档：{'、'.join(st.labels('operating'))}")
    print(f"总收入分档：{'、'.join(st.labels('total'))}")
    for line in st.describe():
        print(line)
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"report": _report, "settings": _settings}


def cmd_district(args: argparse.Namespace) -> int:
    return HANDLERS[args.action](args)


def _month(text: str) -> int:
    try:
        m = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份应为1–12，不是“{text}”") from None
    if not 1 <= m <= 12:
        raise argparse.ArgumentTypeError(f"月份应为1–12，不是“{text}”")
    return m


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("district", cmd_district,
            "区级统计（区级数据库）：report 收入分档/财务公开/收益分配/合同监管报表，settings 分档界限与收入口径")
    actions = p.add_subparsers(dest="action", metavar="操作", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        a.add_argument("--db", default=argparse.SUPPRESS, help="区级数据库文件")
        return a

    a = action("report", "生成报表：tiers 收入分档统计表，disclosure 财务公开情况，distribution 收益分配进度，"
                         "contracts 合同监管清单（PDF 或 xlsx；PDF 每页带二维码和校验码，需 --user）")
    a.add_argument("kind", metavar="报表", help="tiers | disclosure | distribution | contracts")
    a.add_argument("--year", type=int, required=True, help="年度，如 2025")
    a.add_argument("--month", type=_month, help="月份 1–12：收入为1月至该月累计；财务公开为1月至该月；不填为全年")
    a.add_argument("--out", required=True, help="输出文件 .pdf 或 .xlsx")
    a.add_argument("--as-of", dest="as_of", help="判断是否逾期的日期 YYYY-MM-DD（默认今天）")
    a = action("settings", "查看或修改分档界限（万元）与经营性收入、总收入的科目口径")
    a.add_argument("--tiers", help="分档界限（万元），从小到大，逗号分隔，如 0,5,10,20,50,100（含0时首档为无收益）")
    for key in CODE_OPTIONS:
        kind, version = key.split("_")
        label = "经营性收入" if kind == "operating" else "总收入"
        a.add_argument(f"--{kind}-{version}", dest=key, help=f"{version}版科目的{label}科目代码，逗号分隔（含明细科目）")
    a.add_argument("--show", action="store_true", help="显示当前设置（不带其他选项时默认显示）")
