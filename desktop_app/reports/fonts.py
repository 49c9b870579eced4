"""The bundled CJK TrueType font, registered with reportlab once (embedded as a subset)."""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktop_app.paths import font_path

FONT_NAME = "WenQuanYiMicroHei"


@cache
def register_cjk_font() -> str:
    """Register WenQuanYi Micro Hei (TrueType outlines, so reportlab can embed it)."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path()), subfontIndex=0))
    return FONT_NAME
