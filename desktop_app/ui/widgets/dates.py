"""Date and accounting-period inputs."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QSpinBox, QWidget

from desktop_app.core.errors import ValidationError
from desktop_app.ui.widgets.base import fold, mark_error

__all__ = ["DateEdit", "PeriodPicker", "parse_period", "parse_typed_date"]

_EMPTY_DATE = QDate(1900, 1, 1)
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


_TYPED_CHARS = set("0123456789-./年月日 ")
_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Up,
                Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


def parse_typed_date(text: str, ref: dt.date) -> dt.date:
    """A date as an accountant types it; what is left out comes from ``ref`` (the date the field
    shows, so the current year/period): "2026-11-05", "2026.11.5", "2026年11月5日", "20261105",
    "11-05", "11.5", "1105", "11月5日" (month and day), "5" (a day of ``ref``'s month)."""
    t = fold(text).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    t = t.replace(" ", "").strip("-")
    parts = t.split("-") if "-" in t else None
    try:
        if parts is not None and all(p.isdigit() for p in parts) and len(parts) in (2, 3):
            year = int(parts[0]) if len(parts) == 3 else ref.year
            if len(parts) == 3 and len(parts[0]) == 2:
                year += 2000
            return dt.date(year, int(parts[-2]), int(parts[-1]))
        if t.isdigit() and len(t) == 8:
            return dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
        if t.isdigit() and len(t) == 4:
            return dt.date(ref.year, int(t[:2]), int(t[2:]))
        if t.isdigit() and len(t) <= 2:
            return dt.date(ref.year, ref.month, int(t))
    except ValueError:
        raise ValidationError(f"“{text}”不是有效的日期（这一天不存在）", field="日期") from None
    raise ValidationError(f"“{text}”不是有效的日期，请输入如 2026-11-05、20261105、11-05 或 11.5", field="日期")


class DateEdit(QDateEdit):
    """``yyyy-MM-dd`` with a calendar popup; ``value() -> date | None``.

    Typing is free: the first digit starts a typed date, Enter/Tab/leaving the field reads it
    with ``parse_typed_date`` (the missing year or month from the date shown), Esc gives it up;
    Tab/Shift+Tab and Enter then leave the field like any other (Qt's would walk the year, month
    and day sections, swallowing the next field's keys: issue #17);
    ↑/↓ step a day and PgUp/PgDn a month, whichever part the cursor is in. A date that cannot be
    read stays, marked, and ``value()`` raises its ``ValidationError``.

    With ``allow_empty`` the field can be blank (shown empty, ``value()`` is None); clear it
    with ``setValue(None)``, by choosing the earliest date or by deleting a typed date.
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
        self._typed: str | None = None  # the text being typed, None when not typing
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
        self.commit_typed()
        if self.allow_empty and self.date() == _EMPTY_DATE:
            return None
        return dt.date(self.date().year(), self.date().month(), self.date().day())

    def setValue(self, value: dt.date | None) -> None:
        self._end_typing("")
        if value is None:
            if not self.allow_empty:
                raise ValueError("this date field cannot be empty")
            self.setDate(_EMPTY_DATE)
            return
        self.setDate(QDate(value.year, value.month, value.day))

    # -- typing ------------------------------------------------------------------------------
    def typing(self) -> bool:
        return self._typed is not None

    def commit_typed(self) -> None:
        """Read the typed text into the date; raises ``ValidationError`` (and marks) if it is not one."""
        if self._typed is None:
            return
        text = self._typed
        if not text.strip():
            self._end_typing("")
            if self.allow_empty:
                self.setDate(_EMPTY_DATE)
            return
        shown = self.date()
        ref = dt.date.today() if shown == _EMPTY_DATE else dt.date(shown.year(), shown.month(), shown.day())
        try:
            day = parse_typed_date(text, ref)
            if not dt.date(1900, 1, 2) <= day <= dt.date(2099, 12, 31):
                raise ValidationError(f"“{text}”超出可用的日期范围", field="日期")
        except ValidationError as err:
            mark_error(self, err.message)
            raise
        self._end_typing("")
        self.setDate(QDate(day.year, day.month, day.day))

    def _end_typing(self, message: str) -> None:
        self._typed = None
        mark_error(self, message)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text, key = event.text(), event.key()
        plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        if plain and self._typed is None and text and text in _TYPED_CHARS and text != " ":
            self._typed = ""
        if self._typed is not None:
            if key == Qt.Key.Key_Escape:
                self._end_typing("")
                self.setDate(self.date())  # shows the date again
                self.lineEdit().setText(self.textFromDateTime(self.dateTime()))
                return
            if key == Qt.Key.Key_Backspace:
                self._show_typed(self._typed[:-1])
                return
            if plain and text and fold(text) and fold(text)[0] in _TYPED_CHARS:
                self._show_typed(self._typed + text)
                return
            if key in _COMMIT_KEYS or key == Qt.Key.Key_Escape:
                try:
                    self.commit_typed()
                except ValidationError:
                    return  # stays, marked; the tooltip says why
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.focusNextPrevChild(True)  # moves on, as in the voucher form (a form's filter sees it first)
            return
        steps = {Qt.Key.Key_Up: (1, 0), Qt.Key.Key_Down: (-1, 0), Qt.Key.Key_PageUp: (0, 1), Qt.Key.Key_PageDown: (0, -1)}
        if plain and key in steps:  # a day (a month with PgUp/PgDn) whichever section the cursor is in
            days, months = steps[key]
            shown = QDate.currentDate() if self.date() == _EMPTY_DATE else self.date()
            self.setDate(shown.addDays(days).addMonths(months))
            return
        super().keyPressEvent(event)

    def validate(self, text: str, pos: int) -> object:
        if self._typed is not None:  # typed text is read on Enter/Tab/leaving, not section by section
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def _show_typed(self, text: str) -> None:
        self._typed = text
        line = self.lineEdit()
        blocked = line.blockSignals(True)  # QDateTimeEdit would put the sections back at once
        line.setText(text)
        line.setCursorPosition(len(text))
        line.blockSignals(blocked)
        line.update()

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab/Shift+Tab: the typed date is read, then the focus leaves (a date that cannot be
        read keeps it, marked); never the section walk of ``QDateTimeEdit``."""
        try:
            self.commit_typed()
        except ValidationError:
            return True
        return QWidget.focusNextPrevChild(self, next)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        try:
            self.commit_typed()
        except ValidationError:
            pass  # the mark stays; value() raises it when the form is read
        super().focusOutEvent(event)


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
