"""Date and accounting-period inputs."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QSpinBox, QWidget

from desktop_app.core.errors import ValidationError

__all__ = ["DateEdit", "PeriodPicker", "parse_period"]

_EMPTY_DATE = QDate(1900, 1, 1)
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


class DateEdit(QDateEdit):
    """``yyyy-MM-dd`` with a calendar popup; ``value() -> date | None``.

    With ``allow_empty`` the field can be blank (shown empty, ``value()`` is None); clear it
    with ``setValue(None)`` or by choosing the earliest date.
    """

    def __init__(
        self,
        value: dt.date | None = None,
        *,
        allow_empty: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.allow_empty = allow_empty
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMaximumDate(QDate(2099, 12, 31))
        if allow_empty:
            self.setMinimumDate(_EMPTY_DATE)
            self.setSpecialValueText(" ")  # shown for the minimum date
        else:
            self.setMinimumDate(QDate(1900, 1, 2))
        self.setValue(value if value is not None or allow_empty else dt.date.today())

    def value(self) -> dt.date | None:
        if self.allow_empty and self.date() == _EMPTY_DATE:
            return None
        return dt.date(self.date().year(), self.date().month(), self.date().day())

    def setValue(self, value: dt.date | None) -> None:
        if value is None:
            if not self.allow_empty:
                raise ValueError("this date field cannot be empty")
            self.setDate(_EMPTY_DATE)
            return
        self.setDate(QDate(value.year, value.month, value.day))


def parse_period(text: str) -> tuple[int, str, int]:
    """"2026-10" -> (2026, "month", 10); "2026-Q3" -> (2026, "quarter", 3); "2026" -> (2026, "year", 0)."""
    m = _PERIOD_RE.match(text.strip().upper())
    if m is None:
        raise ValidationError(f"“{text}”不是有效的会计期间（例如 2026-10、2026-Q3、2026）", field="会计期间")
    year = int(m.group(1))
    if m.group(2):
        return year, "month", int(m.group(2))
    if m.group(3):
        return year, "quarter", int(m.group(3))
    return year, "year", 0


def _current_period(kind: str) -> str:
    today = dt.date.today()
    if kind == "month":
        return f"{today.year}-{today.month:02d}"
    if kind == "quarter":
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return str(today.year)


class PeriodPicker(QWidget):
    """Year spin box + period combo; ``value()`` is "2026-10", "2026-Q3" or "2026".

    ``kinds`` chooses what the combo offers, in order: any of "month", "quarter", "year".
    """

    changed = Signal(str)

    def __init__(
        self,
        value: str | None = None,
        *,
        kinds: tuple[str, ...] = ("month",),
        min_year: int = 2000,
        max_year: int = 2099,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        unknown = set(kinds) - {"month", "quarter", "year"}
        if unknown or not kinds:
            raise ValueError(f"unknown period kinds: {sorted(unknown)}")
        self.year_box = QSpinBox(self)
        self.year_box.setRange(min_year, max_year)
        self.year_box.setSuffix(" 年")
        self.period_box = QComboBox(self)
        for kind in kinds:
            if kind == "month":
                for m in range(1, 13):
                    self.period_box.addItem(f"{m}月", f"{m:02d}")
            elif kind == "quarter":
                for q, name in enumerate(_QUARTERS, start=1):
                    self.period_box.addItem(name, f"Q{q}")
            else:
                self.period_box.addItem("全年", "")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.year_box)
        layout.addWidget(self.period_box, 1)
        self.setFocusProxy(self.year_box)
        self.setValue(value if value is not None else _current_period(kinds[0]))
        self.year_box.valueChanged.connect(self._emit)
        self.period_box.currentIndexChanged.connect(self._emit)

    def value(self) -> str:
        part = self.period_box.currentData()
        year = self.year_box.value()
        return f"{year}-{part}" if part else str(year)

    def setValue(self, value: str) -> None:
        year, kind, number = parse_period(value)
        code = {"month": f"{number:02d}", "quarter": f"Q{number}", "year": ""}[kind]
        index = self.period_box.findData(code)
        if index < 0:
            raise ValidationError(f"这里不能选择“{value}”", field="会计期间")
        self.year_box.setValue(year)
        self.period_box.setCurrentIndex(index)

    def _emit(self, *_args: object) -> None:
        self.changed.emit(self.value())
