"""Annual tables CLI (issue #17).

    export annual-tables (--org CODE | --all) --year Y --out FILE.xlsx

``--year`` is the report year (``--period 2026`` is read the same way); ``--all`` is every village
of the database, summed per township. Villages without books that year are left out and named.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.commands import export_kind
from desktop_app.core.errors import ValidationError


def report_year(args: argparse.Namespace) -> int:
    """``--year 2026`` (or ``--period 2026``): the one year the tables are for."""
    text = getattr(args, "year", None) or getattr(args, "period", None)
    if not text:
        raise ValidationError("请用 --year 指定年度，如 --year 2026", field="--year")
    if not re.fullmatch(r"\d{4}", str(text).strip()):
        raise ValidationError(f"年度“{text}”格式应为四位年份，如 2026", field="--year")
    return int(str(text).strip())


def cmd_export_annual(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.annual_tables import annual_tables
    from desktop_app.excel.annual_xlsx import write_annual_xlsx

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise ValidationError("输出文件应为 .xlsx", field="--out")
    year = report_year(args)
    with cli_session(args) as s:
        tables = annual_tables(s, year, organisation=None if getattr(args, "all", False) else args.org)
    write_annual_xlsx(tables, out)
    villages = len([r for r in tables.forms[0].rows if not r.is_total])
    print(f"已导出 {year} 年度农村集体资产年报：{villages} 个村，{len(tables.forms)} 张表，到 {out}")
    for v, why in tables.skipped:
        print(f"未列入：{v.name}（{v.uscc}）{why}")
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    export_kind("annual-tables", "农村集体资产年报（清产核资）表", cmd_export_annual, all_orgs=True)
