"""Accounting periods as ``"YYYY-MM"`` strings: the one place their arithmetic is written.

Pure (no database, no Qt). A period string sorts as the months do, so comparisons stay plain
string comparisons; everything that moves between months goes through here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from desktop_app.core.errors import ValidationError

__all__ = [
    "add_months",
    "check_period",
    "months_between",
    "next_period",
    "period_end",
    "period_label",
    "period_of",
    "period_start",
    "periods_between",
    "prev_period",
    "year_of",
]

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_period(text: str, field: str = "会计期间") -> str:
    """``"2026-10"`` as typed (spaces trimmed); anything else refused in Chinese."""
    text = (text or "").strip()
    if not _MONTH_RE.match(text):
        raise ValidationError(f"会计期间“{text}”格式应为 YYYY-MM，例如 2026-10", field=field)
    return text


def month_index(period: str) -> int:
    """``"2026-10"`` as a count of months (year · 12 + month − 1): months apart subtract."""
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def period_at(index: int) -> str:
    """The month whose :func:`month_index` is ``index``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def year_of(period: str) -> int:
    return int(period[:4])


def add_months(period: str, n: int) -> str:
    """The period ``n`` months later (earlier when negative)."""
    return period_at(month_index(period) + n)


def next_period(period: str) -> str:
    return add_months(period, 1)


def prev_period(period: str) -> str:
    return add_months(period, -1)


def months_between(first: str, last: str) -> int:
    """Months from ``first`` to ``last`` (0 when equal, negative when ``last`` is before)."""
    return month_index(last) - month_index(first)


def periods_between(first: str, last: str) -> list[str]:
    """``first`` … ``last`` inclusive (empty when ``last`` is before ``first``)."""
    start = month_index(first)
    return [period_at(start + i) for i in range(max(month_index(last) - start + 1, 0))]


def period_start(period: str) -> date:
    return date(year_of(period), int(period[5:7]), 1)


def period_end(period: str) -> date:
    return period_start(next_period(period)) - timedelta(days=1)


def period_label(period: str) -> str:
    return f"{period[:4]}年{int(period[5:7])}月"
