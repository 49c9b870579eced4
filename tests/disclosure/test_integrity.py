"""Trust: same data same bytes, the font embedded, the QR payload verifies — and stops verifying
when a voucher of the period is changed behind the program's back; reopened periods are marked."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from desktop_app.core.services.disclosure import verify_sheet_payload
from desktop_app.core.services.orgs import list_organisations
from desktop_app.core.services.periods import reopen_period
from desktop_app.reports.disclosure.builder import build_disclosure
from desktop_app.reports.disclosure.layout import A4_PORTRAIT
from desktop_app.reports.disclosure.pdf import qr_modules

from .conftest import PERIOD, Village, payloads_in, pdf_lines


def _render(v: Village, period: str = PERIOD) -> bytes:
    with v.db.begin() as s:
        return build_disclosure(s, v.org.id, period, book_ids=[v.book.id]).pdf


def test_second_render_is_byte_identical(village: Village) -> None:
    a, b = _render(village), _render(village)
    assert a == b
    with village.db.begin() as s:  # another village in between changes nothing (no state leaks)
        others = [o for o in list_organisations(s) if o.level == "村" and o.id != village.org.id]
        build_disclosure(s, others[0].id, PERIOD)
    assert _render(village) == a
    assert a.startswith(b"%PDF-")
    info = PdfReader(io.BytesIO(a)).metadata
    assert info is not None and info.title == f"{village.book.name}财务公开表（2026年10月）"


def test_only_the_bundled_font_and_it_is_embedded(village: Village, tmp_path: Path) -> None:
    pdf = _render(village)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts, "no fonts found"
    for name, font in fonts.items():
        assert "WenQuanYi" in name and "+" in name, f"unexpected font {name}"  # a subset: ABCDEF+Name
        assert "/FontFile2" in font["/FontDescriptor"], f"{name} is not embedded"
    if shutil.which("pdffonts"):
        path = tmp_path / "sheet.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = out.splitlines()[2:]
        assert rows and all(" yes yes " in r for r in rows), out


def test_payload_verifies_then_fails_after_a_change_behind_the_programs_back(village: Village) -> None:
    pdf = _render(village)
    (payload,) = payloads_in(pdf)
    assert payload.startswith(f"SL1|{village.org.uscc}|{village.book.code}|{PERIOD}|")
    with village.db.begin() as s:
        ok = verify_sheet_payload(s, payload)
    assert ok.ok, ok.message
    assert "相符" in ok.message

    raw = sqlite3.connect(village.db.engine.url.database or "")
    changed = raw.execute(
        "UPDATE voucher SET summary = summary || '（改）' WHERE id = (SELECT id FROM voucher WHERE book_id = ? "
        "AND period = ? ORDER BY number LIMIT 1)", (village.book.id.hex, PERIOD)).rowcount
    raw.commit()
    raw.close()
    assert changed == 1
    with village.db.begin() as s:
        bad = verify_sheet_payload(s, payload)
    assert not bad.ok
    assert "不符" in bad.message and "程序以外" in bad.message
    with village.db.begin() as s, pytest.raises(Exception, match="封存哈希不符"):
        build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id])


def test_qr_code_drawn_on_the_page_encodes_the_payload(village: Village) -> None:
    import pypdfium2 as pdfium

    pdf = _render(village)
    (payload,) = payloads_in(pdf)
    expected = qr_modules(payload)
    fmt, scale = A4_PORTRAIT, 6.0
    page = pdfium.PdfDocument(pdf)[0]
    img = page.render(scale=scale).to_pil().convert("L")
    size = fmt.footer_h - 3 * mm
    n = len(expected)
    box = size / (n + 4)
    left, top = fmt.width - fmt.margin - size, fmt.height - fmt.margin - size
    seen = [[img.getpixel((round((left + (c + 2.5) * box) * scale), round((top + (r + 2.5) * box) * scale))) < 128
             for c in range(n)] for r in range(n)]
    assert seen == expected


def test_reopened_period_is_marked_on_the_sheet(village: Village) -> None:
    before = _render(village)
    assert "反结账" not in "".join(ln for p in pdf_lines(before, 1) for ln in p)
    with village.db.begin("test") as s:
        reopen_period(s, village.book.id, PERIOD, user=village.reviewer, reason="补记漏记的村部电费")
    text = "\n".join(ln for p in pdf_lines(_render(village), 1) for ln in p)  # the cover says it
    assert "反结账" in text and "补记漏记的村部电费" in text
    assert "尚未结账" in text


def test_quarter_payload_verifies(village: Village) -> None:
    (payload,) = payloads_in(_render(village, "2026-Q3"))
    assert "|2026-Q3|" in payload
    with village.db.begin() as s:
        assert verify_sheet_payload(s, payload).ok
