"""Imports never evaluate a formula: the one check every xlsx importer runs on its file.

calamine reads a formula cell as the result the file stores (what Excel showed when it saved);
a file written by a program that does not calculate stores none, and calamine would read the cell
as blank. ``refuse_formulas_without_values`` names such cells (row and column) and refuses the
file, so nothing is imported as blank that the user sees as a value.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

from desktop_app.core.errors import UserError

__all__ = ["formula_cells_without_values", "refuse_formulas_without_values"]


def _first_sheet_xml(z: zipfile.ZipFile, index: int = 0) -> str | None:
    """The part name of the workbook's first sheet (the one calamine reads; ``index``: another one)."""
    try:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = next((e for n, e in enumerate(e for e in book.iter() if e.tag.endswith("}sheet")) if n == index), None)
    rid = next((v for k, v in (sheet.attrib.items() if sheet is not None else ()) if k.endswith("}id")), None)
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


# a formula element (<f>, <f t="shared" …>, <f/>), not <filterColumn> and the like
_FORMULA = re.compile(rb"<f[\s>/]")
CHUNK = 1 << 22  # bytes of XML looked at at a time
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # a zip member's local header: signature … name and extra lengths


def _inflated(path: Path, z: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes as they are inflated, ``CHUNK`` at a time. A deflated part is inflated
    straight from the file: calamine has already read it whole, checksum included, so no second
    CRC of 50 MB; any other (stored, encrypted …) goes through ``zipfile``."""
    info = z.getinfo(part)
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 1:
        with z.open(info) as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
        return
    with path.open("rb") as fp:
        fp.seek(info.header_offset)
        sig, name_len, extra_len = _LOCAL_HEADER.unpack(fp.read(_LOCAL_HEADER.size))
        if sig != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {part}")
        fp.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        left, pending = info.compress_size, b""
        while left > 0 or pending:
            if not pending:
                pending = fp.read(min(left, 1 << 18))
                if not pending:
                    raise zipfile.BadZipFile(f"{part} is cut short")
                left -= len(pending)
            yield inflate.decompress(pending, CHUNK)  # at most CHUNK bytes: a sheet of one repeated cell too
            pending = inflate.unconsumed_tail
        yield inflate.flush()


def _has_formula(path: Path, z: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's XML holds a formula element, looked for as it is inflated a chunk at a
    time (a 100,000-row sheet is 50 MB of XML: never held whole only to find none)."""
    tail = b""
    for chunk in _inflated(path, z, part):
        if _FORMULA.search(chunk) or _FORMULA.search(tail + chunk[:2]):
            return True
        tail = chunk[-2:] if len(chunk) >= 2 else (tail + chunk)[-2:]  # a chunk may be tiny, or empty
    return False


def formula_cells_without_values(path: Path, sheet: int = 0) -> list[str]:
    """Cells of the first sheet holding a formula whose result the file does not store (a file
    written by a program that does not calculate): calamine would read them as blank. A formula
    whose result Excel stored is read as that result."""
    try:
        with zipfile.ZipFile(path) as z:
            part = _first_sheet_xml(z, sheet)
            if part is None or not _has_formula(path, z, part):  # the usual case: no formula at all
                return []
            data = z.read(part)
    except (zipfile.BadZipFile, KeyError, OSError, zlib.error):
        return []  # not an xlsx calamine reads this way (xls, ods …): calamine's own values
    cells: list[str] = []
    for _, el in ElementTree.iterparse(io.BytesIO(data)):
        if el.tag.endswith("}c"):
            kids = {k.tag.rsplit("}", 1)[-1]: k for k in el}
            v = kids.get("v")
            if "f" in kids and (v is None or not (v.text or "").strip()) and "is" not in kids:
                cells.append(el.get("r") or "?")
            el.clear()
    return cells


def refuse_formulas_without_values(path: Path | str, header: Sequence[str], sheet: int = 0) -> None:
    """Refuse a file whose first sheet holds formulas without stored results (``header``: the
    table's column names, to name the cells by column): an import never evaluates a formula and
    never reads one as blank."""
    cells = formula_cells_without_values(Path(path), sheet)
    if not cells:
        return
    names = {get_column_letter(i + 1): str(h) for i, h in enumerate(header) if h}

    def where(ref: str) -> str:
        letters = ref.rstrip("0123456789")
        return f"第{ref[len(letters):]}行“{names[letters]}”（单元格 {ref}）" if letters in names else f"单元格 {ref}"

    more = f"等 {len(cells)} 个单元格" if len(cells) > 5 else ""
    raise UserError(f"{'、'.join(where(c) for c in cells[:5])}{more}是公式，但文件中没有保存公式的计算结果，"
                    "无法读出其数值（不会当作空白导入）。请在 Excel 中打开该文件并保存一次，或把公式改为直接填写的数值")
