"""Inputs for codes with check characters: 身份证号, 统一社会信用代码, 区划代码.

Neutral while incomplete, an error as soon as the full length is typed and wrong, and
``value()`` returns the cleaned (upper-case) code or raises ``ValidationError``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop_app.core.ids import validate_region_code, validate_ric, validate_uscc
from desktop_app.ui.widgets.base import ValidatedLineEdit, fold

__all__ = ["IdNumberEdit", "RegionCodeEdit", "UsccEdit"]


class _CodeEdit(ValidatedLineEdit):
    length = 18

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.setMaxLength(self.length + 4)  # room for stray spaces in a paste

    def is_complete(self, text: str) -> bool:
        return len(fold(text).replace(" ", "")) >= self.length

    def display_text(self, value: object) -> str:
        return str(value)

    def value(self) -> str | None:
        result: str | None = super().value()
        return result


class IdNumberEdit(_CodeEdit):
    """居民身份证号 (18 characters, last may be X)."""

    def __init__(self, field: str = "身份证号", parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.setPlaceholderText("18位身份证号")

    def parse(self, text: str) -> str:
        return validate_ric(fold(text).replace(" ", ""), field=self.field)


class UsccEdit(_CodeEdit):
    """统一社会信用代码 (18 characters, GB 32100 check)."""

    def __init__(self, field: str = "统一社会信用代码", parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.setPlaceholderText("18位统一社会信用代码")

    def parse(self, text: str) -> str:
        return validate_uscc(fold(text).replace(" ", ""), field=self.field)


class RegionCodeEdit(_CodeEdit):
    """12-digit statistical 区划代码."""

    length = 12

    def __init__(self, field: str = "区划代码", parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.setPlaceholderText("12位区划代码")

    def parse(self, text: str) -> str:
        return validate_region_code(fold(text).replace(" ", ""), field=self.field)
