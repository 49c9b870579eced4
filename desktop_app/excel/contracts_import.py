"""Contract import from xlsx: validate → preview → apply, all or nothing.

Reading uses python-calamine (DESIGN §4). Every row is checked by the very rules the form uses
(``create_contract`` inside a savepoint that is always rolled back), so duplicates within the
file are caught too. Errors name the Excel row and column in Chinese: “第5行，N列“终止日期”：…”.
``apply`` re-validates and writes nothing unless every row is good.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import excel_number
from desktop_app.core.progress import Progress
from desktop_app.core.services.contracts import ContractInput, create_contract
from desktop_app.excel.contracts_xlsx import IMPORT_HEADERS
from desktop_app.excel.formulas import refuse_formulas_without_values

REQUIRED = ("合同编号", "合同名称", "合同类型", "标的", "承包方名称", "承包方类型", "起始日期", "终止日期", "付款方式")
# service field name → import column header
FIELD_COLUMN = {"承包方身份证号": "证件号码", "承包方统一社会信用代码": "证件号码", "承包方类型": "承包方类型",
                "承包方名称": "承包方名称", "资源地块": "标的", "资产": "标的"}


@dataclass(frozen=True)
class ImportProblem:
    row: int  # Excel row number
    column: str  # e.g. "N列“终止日期”"
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行，{self.column}：{self.message}" if self.column else f"第{self.row}行：{self.message}"


@dataclass(frozen=True)
class ImportPreviewRow:
    row: int
    number: str
    name: str
    counterparty: str
    start_date: date | None
    end_date: date | None
    annual_rent: str


@dataclass(frozen=True)
class ImportPreview:
    rows: tuple[ImportPreviewRow, ...]
    problems: tuple[ImportProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    number = excel_number(v)  # a float becomes the digits typed
    return format(number.normalize(), "f") if isinstance(number, Decimal) else str(number).strip()


def _decimal(v: Any, header: str) -> Decimal | str | None:
    if v is None or v == "":
        return None
    number = excel_number(v)  # 12000.1 → Decimal("12000.1")
    if isinstance(number, int | Decimal) and not isinstance(number, bool):
        return Decimal(number)
    return str(number).strip()


def _date(v: Any, header: str) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = str(v).strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        raise ValidationError(f"“{v}”不是有效日期（应为 2026-01-01）", field=header) from None


def _int(v: Any, header: str, default: int) -> int:
    if v is None or v == "":
        return default
    try:
        d = Decimal(str(excel_number(v)).strip())
    except InvalidOperation:
        raise ValidationError(f"“{v}”不是整数", field=header) from None
    if d != d.to_integral_value():
        raise ValidationError(f"“{v}”不是整数", field=header)
    return int(d)


def read_sheet(path: Path | str) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    """Header name → column index, and (Excel row number, cells) of the non-empty data rows."""
    try:
        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as exc:
        raise ValidationError(f"无法读取文件 {Path(path).name}：{exc}", field="文件") from None
    if not rows:
        raise ValidationError("文件是空的", field="文件")
    headers = {_cell_text(h): i for i, h in enumerate(rows[0]) if _cell_text(h)}
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise ValidationError(f"第1行缺少列：{'、'.join(missing)}（请使用合同导入模板）", field="表头")
    unknown = [h for h in headers if h not in IMPORT_HEADERS]
    if unknown:
        raise ValidationError(f"第1行有无法识别的列：{'、'.join(unknown)}", field="表头")
    refuse_formulas_without_values(path, [_cell_text(h) for h in rows[0]])
    data = [(n, list(r)) for n, r in enumerate(rows[1:], start=2) if any(_cell_text(c) for c in r)]
    return headers, data


def _column(headers: dict[str, int], field: str | None) -> str:
    if not field:
        return ""
    head = FIELD_COLUMN.get(field, field)
    if head not in headers:
        return f"“{head}”"
    return f"{get_column_letter(headers[head] + 1)}列“{head}”"


def _input(headers: dict[str, int], cells: list[Any], organisation_id: uuid.UUID, book_id: uuid.UUID) -> ContractInput:
    def get(h: str) -> Any:
        i = headers.get(h)
        return cells[i] if i is not None and i < len(cells) else None

    written = _cell_text(get("书面合同")) or "是"
    if written not in ("是", "否"):
        raise ValidationError("应填“是”或“否”", field="书面合同")
    return ContractInput(
        organisation_id=organisation_id, book_id=book_id, number=_cell_text(get("合同编号")),
        name=_cell_text(get("合同名称")), kind=_cell_text(get("合同类型")), subject=_cell_text(get("标的")),
        location=_cell_text(get("位置")) or None, land_class=_cell_text(get("地类")) or None,
        area_mu=_decimal(get("面积（亩）"), "面积（亩）"), counterparty_name=_cell_text(get("承包方名称")),
        counterparty_kind=_cell_text(get("承包方类型")), counterparty_id_number=_cell_text(get("证件号码")) or None,
        counterparty_phone=_cell_text(get("联系电话")) or None, signed_on=_date(get("签订日期"), "签订日期"),
        start_date=_date(get("起始日期"), "起始日期"), end_date=_date(get("终止日期"), "终止日期"),
        price_basis=_cell_text(get("计价方式")) or "年租金", annual_rent=_decimal(get("年租金"), "年租金"),
        unit_price=_decimal(get("单价（元/亩·年）"), "单价（元/亩·年）"), payment_mode=_cell_text(get("付款方式")),
        escalation_pct=_decimal(get("递增比例（%）"), "递增比例（%）") or Decimal(0),
        escalation_years=_int(get("递增间隔（年）"), "递增间隔（年）", 0),
        due_days=_int(get("缴款期限（天）"), "缴款期限（天）", 30),
        deposit_required=_decimal(get("保证金"), "保证金") or Decimal(0), written=written == "是",
        notes=_cell_text(get("备注")) or None,
    )


def _check(session: Session, path: Path | str, organisation_id: uuid.UUID, book_id: uuid.UUID,
           progress: Progress | None) -> tuple[ImportPreview, list[ContractInput]]:
    headers, data = read_sheet(path)
    preview, problems, inputs = [], [], []
    nested = session.begin_nested()
    try:
        for k, (row_no, cells) in enumerate(data):
            if progress is not None and k % 50 == 0:
                progress.report(k, len(data), "正在检查合同")
            try:
                item = _input(headers, cells, organisation_id, book_id)
                created = create_contract(session, item)
            except UserError as err:
                problems.append(ImportProblem(row_no, _column(headers, err.field), err.message))
                continue
            inputs.append(item)
            preview.append(ImportPreviewRow(row_no, created.number, created.name, created.counterparty_name,
                                            created.start_date, created.end_date, f"{created.annual_rent:,.2f}"))
    finally:
        nested.rollback()
    if not data:
        problems.append(ImportProblem(2, "", "没有数据行"))
    return ImportPreview(tuple(preview), tuple(problems)), inputs


def validate_contract_import(session: Session, path: Path | str, *, organisation_id: uuid.UUID, book_id: uuid.UUID,
                             progress: Progress | None = None) -> ImportPreview:
    """Check every row and return the preview (nothing is written)."""
    return _check(session, path, organisation_id, book_id, progress)[0]


def apply_contract_import(session: Session, path: Path | str, *, organisation_id: uuid.UUID, book_id: uuid.UUID,
                          progress: Progress | None = None) -> int:
    """Import all rows or none: raises ValidationError listing the problems if any row is bad."""
    preview, inputs = _check(session, path, organisation_id, book_id, progress)
    if not preview.ok:
        shown = "；".join(str(p) for p in preview.problems[:10])
        more = f"（另有 {len(preview.problems) - 10} 处）" if len(preview.problems) > 10 else ""
        raise ValidationError(f"导入未进行，共 {len(preview.problems)} 处问题：{shown}{more}", field="文件")
    for k, item in enumerate(inputs):
        if progress is not None and k % 50 == 0:
            progress.report(k, len(inputs), "正在导入合同")
        create_contract(session, item)
    record_audit(session, AuditRecord("import", "contract", None, f"从 {Path(path).name} 导入合同 {len(inputs)} 份"))
    return len(inputs)
