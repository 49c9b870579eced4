"""Trust: same data same bytes, the font embedded, the QR check code verifies — and stops verifying
when a voucher of the period is changed behind the program's back; old SL1 payloads still verify;
reopened periods are marked."""

from __future__ import annotations

import io
import sqlite3
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from desktop_app.core.services.orgs import list_organisations
from desktop_app.core.services.periods import reopen_period
from desktop_app.reports.disclosure.builder import build_disclosure, disclose
from desktop_app.reports.disclosure.layout import A4_PORTRAIT
from desktop_app.reports.disclosure.pdf import qr_modules
from desktop_app.reports.sealing import find_codes, verify_payload

from .conftest import PERIOD, Village, pdf_lines


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
    path = tmp_path / "sheet.pdf"  # poppler's pdffonts: a test tool scripts/bootstrap.sh installs
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(" yes yes " in r for r in rows), out


def _sealed(v: Village, period: str = PERIOD) -> bytes:
    with v.db.begin() as s:
        return disclose(s, v.org.id, period, book_ids=[v.book.id], user=v.reviewer)[0].pdf


def _qr_texts(pdf: bytes) -> list[str]:
    """What the QR codes carry: the PDF's subject, one line per book."""
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None and info.subject
    return info.subject.splitlines()


def test_code_verifies_then_fails_after_a_change_behind_the_programs_back(village: Village) -> None:
    pdf = _sealed(village)
    (text,) = _qr_texts(pdf)
    (code,) = find_codes(text)
    printed = "\n".join(ln for p in pdf_lines(pdf, 1) for ln in p)
    assert code in printed  # printed in the footer as well
    with village.db.begin() as s:
        (ok,) = verify_payload(s, text)
    assert ok.ok and "相符" in ok.message, ok.lines

    raw = sqlite3.connect(village.db.engine.url.database or "")
    changed = raw.execute(
        "UPDATE voucher SET summary = summary || '（改）' WHERE id = (SELECT id FROM voucher WHERE book_id = ? "
        "AND period = ? AND status = '记账' ORDER BY number LIMIT 1)", (village.book.id.hex, PERIOD)).rowcount
    raw.commit()
    raw.close()
    assert changed == 1
    with village.db.begin() as s:
        (bad,) = verify_payload(s, code)
    assert not bad.ok and bad.message.startswith("不符")
    details = "\n".join(bad.differences)
    assert "程序以外" in details  # the period seal of the closed month
    assert "（改）" in details  # and the printed line that changed, by section and row
    with village.db.begin() as s, pytest.raises(Exception, match="封存哈希不符"):
        build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id])


def test_old_sl1_payload_still_verifies_against_the_period_seal(village: Village) -> None:
    from desktop_app.core.services.disclosure import parse_disclosure_period
    from desktop_app.reports.disclosure.context import make_context

    with village.db.begin() as s:
        legacy = make_context(s, village.book.id, parse_disclosure_period(PERIOD)).legacy_payload
        assert legacy.startswith(f"SL1|{village.org.uscc}|{village.book.code}|{PERIOD}|")
        (ok,) = verify_payload(s, legacy)
        assert ok.ok and "相符" in ok.message
    raw = sqlite3.connect(village.db.engine.url.database or "")
    raw.execute("UPDATE entry SET debit = debit + 100 WHERE debit > 0 AND voucher_id = (SELECT id FROM voucher "
                "WHERE book_id = ? AND period = ? AND status = '记账' ORDER BY number LIMIT 1)",
                (village.book.id.hex, PERIOD))
    raw.commit()
    raw.close()
    with village.db.begin() as s:
        (bad,) = verify_payload(s, legacy)
    assert not bad.ok and "不符" in bad.message


def test_qr_code_drawn_on_the_page_encodes_the_payload(village: Village) -> None:
    import pypdfium2 as pdfium

    pdf = _render(village)
    (payload,) = _qr_texts(pdf)
    assert payload.startswith(f"阳光台账财务公开 · {village.book.name} · 账套{village.book.code} · 2026年10月 · 校验码 SL2-")
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


def test_quarter_code_verifies(village: Village) -> None:
    (text,) = _qr_texts(_sealed(village, "2026-Q3"))
    assert "· 2026年第3季度 ·" in text
    with village.db.begin() as s:
        assert all(c.ok for c in verify_payload(s, text))
