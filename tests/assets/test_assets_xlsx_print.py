"""Every xlsx of the assets area prints properly (excel.print_setup.finish_sheet): A4, landscape
for the wide registers, fit to one page wide, title and header rows repeated, page x/y footer,
autofilter over the table; the title and 编制单位 on the sheet; import templates keep row 1 for the
importer (their title goes to the page header) and still import."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from openpyxl import load_workbook

from desktop_app.excel.assets_xlsx import validate_import, write_sheet_xlsx, write_template
from desktop_app.reports import assets_sheets as sheets
from tests.assets.conftest import Env


def test_register_xlsx_has_print_setup_title_and_real_numbers(env: Env, tmp_path: Path) -> None:
    env.asset("ZC-001", original_value=D("12345.67"))
    with env.db.begin("test") as s:
        sheet = sheets.asset_register(s, env.org.id, env.book.id)
    ws = load_workbook(write_sheet_xlsx(sheet, tmp_path / "a.xlsx")).active
    assert ws["A1"].value == "资产台账" and "东湖村股份经济合作社（N2320115MF00000121）" in ws["A2"].value
    assert [ws.cell(3, j).value for j in (1, 2)] == ["资产编号", "资产名称"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$3"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.auto_filter.ref == f"A3:{ws.cell(3, len(sheet.columns)).column_letter}5"  # header, one card, 合计
    cost = ws.cell(4, [c.header for c in sheet.columns].index("原值") + 1)
    assert cost.value == D("12345.67") or cost.value == 12345.67
    assert cost.number_format == "#,##0.00"


def test_import_template_prints_its_title_in_the_header_and_still_imports(env: Env, tmp_path: Path) -> None:
    path = write_template("resources", tmp_path / "t.xlsx")
    ws = load_workbook(path).active
    assert ws["A1"].value == "地块编号"  # row 1 stays the importer's
    assert "资源地块导入模板" in ws.oddHeader.center.text and ws.print_title_rows == "$1:$1"
    ws.append(["DK-001", "后湾耕地", "耕地", 12.5, None, None, None, None, None, "村", None, "机动地", None])
    ws.parent.save(path)
    with env.db.begin("test") as s:
        preview = validate_import(s, "resources", path, organisation_id=env.org.id)
    assert preview.ok and len(preview.rows) == 1
