"""``self-test``: proves an installed (or frozen) program can do its basic work on this PC."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from db.migrate import head_revision, open_database
from db.models import Installation

SAMPLE = "阳光台账自检：财务公开 ¥1,234.56 壹仟贰佰叁拾肆元伍角陆分"


def run_self_test() -> list[str]:
    """Create and migrate a database in a temp dir, render a Chinese PDF line, read it back."""
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    from desktop_app.reports.fonts import register_cjk_font

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "selftest.db")
        try:
            with db.begin() as s:
                count = s.scalar(select(func.count()).select_from(Installation))
            lines.append(f"数据库：已创建并迁移到版本 {head_revision()}（安装标识 {count} 个）")
        finally:
            db.close()
    font = register_cjk_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=True)
    c.setFont(font, 14)
    c.drawString(72, 720, SAMPLE)
    c.save()
    text = PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text() or ""
    if SAMPLE not in text.replace("\n", ""):
        raise RuntimeError(f"PDF 中文读回不一致：{text!r}")
    lines.append(f"PDF：中文字体 {font} 已嵌入，文字读回一致（{len(buf.getvalue())} 字节）")
    return lines
