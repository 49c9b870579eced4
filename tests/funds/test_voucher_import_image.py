"""The voucher import writes each voucher's audit image as canonical JSON text built in pieces
(issue #18): the text ``canonical_json`` makes of ``create_voucher``'s image, whatever the texts hold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db.images import canonical_json
from desktop_app.core.services.voucher_import_apply import image_json, line_json

TEXTS = ["收取农机服务费", 'a "quoted" \\ back\\slash', "tab\tline\nbreak\r", "\u2028\u2029 separators", "控制\x00\x1f字符",
         "emoji 🌾 and 𠀀", "/slash/ and </script>", " spaced ", "ascii only"]


@pytest.mark.parametrize("text", TEXTS)
def test_the_image_text_is_canonical_json(text: str) -> None:
    parts = [(1, "10101", Decimal("1200.00"), Decimal("0.00"), text), (2, text, Decimal("0.00"), Decimal("-0.00"), None),
             (3, "504", Decimal("0.00"), Decimal("99999999.99"), "")]
    lines = ",".join(line_json(i, code, str(d), str(c), summary) for i, code, d, c, summary in parts)
    image = {"number": 12, "period": "2026-01", "date": "2026-01-31", "summary": text, "status": "填制",
             "attachments": 0, "flags": text, "lines": [
                 {"line": i, "account": code, "debit": str(d), "credit": str(c), "summary": summary}
                 for i, code, d, c, summary in parts]}
    assert image_json(12, "2026-01", "2026-01-31", text, text, lines) == canonical_json(image)
