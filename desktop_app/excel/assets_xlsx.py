"""Assets, resources and projects in Excel.

Export writes the sheets of ``reports.assets_sheets`` with real numbers and number formats (never
text). Import (asset cards, land parcels) is validate → preview → apply, all or nothing: every
row is checked by the same rules as the forms, errors name the row and the column in Chinese,
and nothing is written unless the whole file is clean. Files are read with python-calamine.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import excel_number
from desktop_app.excel.formulas import refuse_formulas_without_values
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


def _cell(value: Any) -> Any:
    value = excel_number(value)  # calamine gives numbers as float: keep the digits typed, exactly
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    return value


def read_rows(path: Path | str, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row number, {field: value}) for every non-empty row of the first sheet."""
    from python_calamine import CalamineWorkbook

    columns = KINDS[kind]
    try:
        data = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several kinds for a damaged or foreign file
        raise UserError(f"无法读取 Excel 文件 {Path(path).name}：{exc}") from None
    if not data:
        raise ValidationError("文件是空的", field="表头")
    header = [str(h).strip() for h in data[0]]
    missing = [h for h, f in columns.items() if h not in header and f in ("code", "name")]
    if missing:
        raise ValidationError(f"第1行缺少表头：{'、'.join(missing)}（请使用导入模板）", field="表头", row=1)
    refuse_formulas_without_values(path, header)
    index = {columns[h]: j for j, h in enumerate(header) if h in columns}
    out = []
    for i, raw in enumerate(data[1:], start=2):
        values = {f: _cell(raw[j]) if j < len(raw) else None for f, j in index.items()}
        if any(v is not None for v in values.values()):
            out.append((i, values))
    return out


def _validator(kind: str) -> Callable[[Session, dict[str, Any], uuid.UUID], Any]:
    if kind == "assets":
        from desktop_app.core.services.assets import validated_asset as check_asset

        return lambda s, values, org: check_asset(s, {**values, "poverty_alleviation": values.get(
            "poverty_alleviation") in ("是", "Y", "y", 1, True)}, org, None)
    from desktop_app.core.services.resources import validated_parcel as check_parcel

    return lambda s, values, org: check_parcel(s, values, org, None)


def validate_import(session: Session, kind: str, path: Path | str, *, organisation_id: uuid.UUID) -> ImportPreview:
    """Check every row (nothing is written); the preview lists the rows and every error found."""
    if kind not in KINDS:
        raise ValidationError(f"不支持导入 {kind}，可选：assets（资产卡片）、resources（地块）", field="类型")
    labels = {f: h for h, f in KINDS[kind].items()}
    check = _validator(kind)
    errors: list[RowError] = []
    rows: list[tuple[int, tuple[tuple[str, Any], ...]]] = []
    seen: dict[str, int] = {}
    for n, values in read_rows(path, kind):
        code = str(values.get("code") or "")
        if code and code in seen:
            errors.append(RowError(n, labels["code"], f"编号 {code} 与第{seen[code]}行重复"))
            continue
        seen[code] = n
        try:
            check(session, values, organisation_id)
        except UserError as exc:
            field = next((f for f, h in labels.items() if exc.field and exc.field in (h, h.split("（")[0])), None)
            errors.append(RowError(n, labels.get(field or "", exc.field or ""), exc.message))
            continue
        rows.append((n, tuple((k, v) for k, v in values.items())))
    return ImportPreview(kind, tuple(rows), tuple(errors))


def apply_import(session: Session, kind: str, path: Path | str, *, organisation_id: uuid.UUID,
                 book_id: uuid.UUID | None = None) -> int:
    """Validate, then write every row in the caller's transaction; any error writes nothing."""
    preview = validate_import(session, kind, path, organisation_id=organisation_id)
    if preview.errors:
        shown = "；".join(str(e) for e in preview.errors[:5])
        more = f"（另有 {len(preview.errors) - 5} 处）" if len(preview.errors) > 5 else ""
        first = preview.errors[0]
        raise ValidationError(f"导入文件有 {len(preview.errors)} 处错误，未导入任何数据：{shown}{more}", row=first.row,
                              field=first.column)
    if kind == "assets":
        from desktop_app.core.services.assets import create_asset

        if book_id is None:
            raise ValidationError("导入资产卡片须指定账套", field="账套")
        for _, pairs in preview.rows:
            values = dict(pairs)
            values["poverty_alleviation"] = values.get("poverty_alleviation") in ("是", "Y", "y", 1, True)
            create_asset(session, organisation_id=organisation_id, book_id=book_id, **values)
    else:
        from desktop_app.core.services.resources_import import create_parcels

        # into the given book's register (none: the main book's), in one batch
        create_parcels(session, organisation_id=organisation_id,
                       rows=({**dict(pairs), "book_id": book_id} for _, pairs in preview.rows))
    return len(preview.rows)
