"""Small field checks shared by every area's services (Chinese messages naming the field)."""

from __future__ import annotations

from typing import Any

from desktop_app.core.errors import ValidationError


def clean_text(value: Any, field: str, max_len: int = 100, *, required: bool = True) -> str | None:
    """Stripped text; ``None`` when empty and optional; refused when empty and required or too long."""
    text = (str(value) if value is not None else "").strip()
    if not text:
        if required:
            raise ValidationError(f"{field}不能为空", field=field)
        return None
    if len(text) > max_len:
        raise ValidationError(f"{field}不能超过{max_len}个字", field=field)
    return text
