"""Input widgets that speak the ledger's language: amounts, IDs, dates, periods, pickers."""

from desktop_app.ui.widgets.base import ValidatedLineEdit, mark_error
from desktop_app.ui.widgets.dates import DateEdit, PeriodPicker, parse_period, parse_typed_date
from desktop_app.ui.widgets.id_edits import IdNumberEdit, RegionCodeEdit, UsccEdit
from desktop_app.ui.widgets.money_edit import MoneyEdit, words_for
from desktop_app.ui.widgets.picker import CompleterPicker

__all__ = [
    "CompleterPicker",
    "DateEdit",
    "IdNumberEdit",
    "MoneyEdit",
    "PeriodPicker",
    "RegionCodeEdit",
    "UsccEdit",
    "ValidatedLineEdit",
    "mark_error",
    "parse_period",
    "parse_typed_date",
    "words_for",
]
