"""The formula scan every import runs (``excel.formulas``) finds a formula without a stored result
wherever it is in a long sheet: across the chunks the sheet is inflated in, in a part stored
without compression, not mistaken for the ``<filterColumn>`` of an autofilter."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from desktop_app.excel.formulas import CHUNK, formula_cells_without_values

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK = (f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="名册" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>")
WORKBOOK_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _xlsx(path: Path, sheet: bytes, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """The parts the scan reads (workbook, its relations, the sheet), written as given."""
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def _sheet(rows: int, *, formula_at: int | None = None, tail: bytes = b"") -> bytes:
    """``rows`` rows of one long text each (a kilobyte: few elements to parse); then, with ``formula_at``, blank padding so that the formula
    cell's ``<f>`` starts at that byte of the XML, in row ``rows + 1`` (column B); then ``tail``."""
    head = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    text = "东湖村".encode() * 111
    body = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>' % (i, i, text)
                    for i in range(1, rows + 1))
    xml = head + body
    if formula_at is not None:
        cell = b'<row r="%d"><c r="B%d">' % (rows + 1, rows + 1)
        pad = formula_at - len(xml) - len(cell)
        assert pad >= 0
        xml += b" " * pad + cell + b"<f>SUM(A1:A9)</f></c></row>"
        assert xml.index(b"<f>") == formula_at
    return xml + tail + b"</sheetData></worksheet>"


@pytest.mark.parametrize("shift", [-3, -2, -1, 0, 1])
def test_a_formula_across_two_inflated_chunks_is_found(tmp_path: Path, shift: int) -> None:
    # the first chunk inflated is CHUNK bytes long (the rows compress far better than 16:1): the
    # formula's "<f>" begins just before, on or just after that boundary
    rows = CHUNK // 1100
    path = _xlsx(tmp_path / "boundary.xlsx", _sheet(rows, formula_at=CHUNK + shift))
    assert formula_cells_without_values(path) == [f"B{rows + 1}"]


def test_a_formula_at_the_end_of_a_long_sheet_is_found_stored_or_deflated(tmp_path: Path) -> None:
    rows = 3 * CHUNK // 1100
    xml = _sheet(rows, formula_at=3 * CHUNK + 100)
    for compression in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        path = _xlsx(tmp_path / f"long{compression}.xlsx", xml, compression)
        assert formula_cells_without_values(path) == [f"B{rows + 1}"], compression


def test_an_autofilter_and_stored_results_are_not_formulas_without_values(tmp_path: Path) -> None:
    autofilter = b'<autoFilter ref="A1:A9"><filterColumn colId="0"><filters><filter val="1"/></filters></filterColumn></autoFilter>'
    sheet = _sheet(50).replace(b"</sheetData></worksheet>", b"</sheetData>" + autofilter + b"</worksheet>")
    assert formula_cells_without_values(_xlsx(tmp_path / "filter.xlsx", sheet)) == []
    stored = _sheet(50, tail=b'<row r="51"><c r="C51"><f>1+1</f><v>2</v></c></row>')
    assert formula_cells_without_values(_xlsx(tmp_path / "stored.xlsx", stored)) == []


def test_a_damaged_sheet_part_is_left_to_calamine(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "cut.xlsx", _sheet(800, formula_at=900_000))
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename)
    data[start + 100:start + 400] = bytes(300)  # the deflate stream broken in its middle
    path.write_bytes(bytes(data))
    assert formula_cells_without_values(path) == []
