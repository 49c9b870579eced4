"""Assets, resources and projects in Excel.

Export writes the sheets of ``reports.assets_sheets`` with real numbers and number formats (never
text), with the columns the import kinds need so that it imports back. Import goes through the
import pipeline (``excel.importers``; kinds ``excel.import_assets``, ``import_resources``,
``import_projects``): ``validate_import`` / ``apply_import`` are its 仅新增 mode in the shape the
``import assets|resources`` command used before the pipeline had its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from desktop_app.core.errors import ValidationError
from desktop_app.excel.print_setup import finish_sheet
from desktop_app.reports.assets_sheets import Sheet, on_medium, owner_line

FORMATS = {"money": "#,##0.00", "decimal": "0.####", "mu": "#,##0.0000", "int": "0", "date": "yyyy-mm-dd",
           "percent": "0.00"}
ASSET_COLUMNS = {  # 表头 → service field
    "资产编号": "code", "资产名称": "name", "资产类别": "category", "资产性质": "nature", "坐落位置": "location",
    "数量": "quantity", "计量单位": "unit", "面积（㎡）": "area_m2", "取得方式": "acquisition_mode",
    "资金来源": "funding_source", "取得日期": "acquired_on", "原值": "original_value",
    "预计使用月数": "useful_life_months", "残值率（%）": "residual_rate", "折旧方法": "method",
    "预计总工作量": "total_workload", "期初累计折旧": "opening_accumulated", "使用状态": "status",
    "管理责任人": "custodian", "权证号": "title_no", "扶贫资产": "poverty_alleviation", "备注": "notes",
}
PARCEL_COLUMNS = {
    "地块编号": "code", "地块名称": "name", "地类": "land_class", "面积（亩）": "area_mu", "坐落": "location",
    "东至": "east", "南至": "south", "西至": "west", "北至": "north", "权属": "ownership", "村民小组": "group_name",
    "经营状态": "status", "备注": "notes",
}
KINDS = {"assets": ASSET_COLUMNS, "resources": PARCEL_COLUMNS}
IMPORT_TITLES = {"assets": "资产卡片", "resources": "资源地块"}


def write_sheet_xlsx(sheet: Sheet, path: Path | str) -> Path:
    sheet = on_medium(sheet, "xlsx")  # the file has the columns it needs to import back (issue #15)
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet.title[:31].replace("（", "(").replace("）", ")")
    n = len(sheet.columns)
    ws.cell(1, 1, sheet.title).font = Font(bold=True, size=14)
    ws.cell(2, 1, f"{owner_line(sheet)}　{sheet.period_label}　单位：{sheet.unit}")
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for j, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(3, j, col.header)
        cell.font, cell.border, cell.alignment = Font(bold=True), border, Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(j)].width = max(8, col.width_mm * 0.6)
    body = list(sheet.rows) + ([sheet.totals] if sheet.totals is not None else [])
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, values in enumerate(body, start=4):
        for j, (col, value) in enumerate(zip(sheet.columns, values, strict=True), start=1):
            cell = ws.cell(i, j, value if value != "" else None)
            cell.border = border
            if isinstance(value, Decimal | int | date) and not isinstance(value, bool):
                cell.number_format = FORMATS.get(col.kind, "General")
            elif isinstance(value, str):
                cell.alignment = wrap  # long names and codes wrap in a taller row when printed, never cut
        if sheet.totals is not None and i == len(body) + 3:
            for j in range(1, n + 1):
                ws.cell(i, j).font = Font(bold=True)
    if sheet.note:
        ws.cell(len(body) + 5, 1, f"说明：{sheet.note}")
    ws.freeze_panes = "C4"
    finish_sheet(ws, title=sheet.title, header_rows=3, ncols=n, last_row=len(body) + 3, landscape=sheet.landscape)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_template(kind: str, path: Path | str) -> Path:
    """An empty import file with the expected headers (the first sheet, first row)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for j, header in enumerate(KINDS[kind], start=1):
        ws.cell(1, j, header).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = 14
    # row 1 stays the importer's header row: the title goes to the printed page header
    finish_sheet(ws, title=f"{IMPORT_TITLES[kind]}导入模板", header_rows=1, title_on_sheet=False)
    wb.save(path)
    return Path(path)


@dataclass(frozen=True)
class RowError:
    row: int  # Excel row number
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行“{self.column}”：{self.message}"


@dataclass(frozen=True)
class ImportPreview:
    kind: str
    rows: tuple[tuple[int, tuple[tuple[str, Any], ...]], ...]  # (Excel row, (field, value) pairs)
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _preview(session: Session, kind: str, path: Path | str, organisation_id: uuid.UUID) -> tuple[ImportPreview, Any]:
    from desktop_app.excel.importers import importer
    from desktop_app.excel.table_read import open_table

    if kind not in KINDS:
        raise ValidationError(f"不支持导入 {kind}，可选：assets（资产卡片）、resources（地块）", field="类型")
    imp = importer(kind)
    table = open_table(path, imp.spec(session, organisation_id))
    check = imp.check(session, table, organisation_id=organisation_id, book_id=None, mode="add")
    layout = check.layout
    labels = {layout.where(f.key): f.label for f in layout.spec.fields}
    errors = tuple(RowError(p.row, labels.get(p.column, p.column.strip("“”")), p.message) for p in check.problems)
    rows = tuple((row, tuple((k, v) for k, v in values.items() if not k.startswith("_")))
                 for status, row, values, _, _ in check.plan if status == "new")
    return ImportPreview(kind, rows, errors), check


def validate_import(session: Session, kind: str, path: Path | str, *, organisation_id: uuid.UUID) -> ImportPreview:
    """Check every row (nothing is written); the preview lists the rows and every error found.
    The import kinds ``excel.import_assets`` / ``import_resources`` (仅新增) do the work."""
    return _preview(session, kind, path, organisation_id)[0]


def apply_import(session: Session, kind: str, path: Path | str, *, organisation_id: uuid.UUID,
                 book_id: uuid.UUID | None = None) -> int:
    """Validate, then write every row in the caller's transaction; any error writes nothing."""
    from desktop_app.excel.importers import importer

    preview, check = _preview(session, kind, path, organisation_id)
    if preview.errors:
        shown = "；".join(str(e) for e in preview.errors[:5])
        more = f"（另有 {len(preview.errors) - 5} 处）" if len(preview.errors) > 5 else ""
        first = preview.errors[0]
        raise ValidationError(f"导入文件有 {len(preview.errors)} 处错误，未导入任何数据：{shown}{more}", row=first.row,
                              field=first.column)
    if kind == "assets" and book_id is None:
        raise ValidationError("导入资产卡片须指定账套", field="账套")
    return importer(kind).apply(session, check, organisation_id=organisation_id, book_id=book_id).added
