"""The one periods module (desktop_app/core/periods.py) gives exactly what the copies it replaces
gave (funds_base's next/prev/between/start/end, the depreciation rules' add_months/months_between),
checked against a calendar walked day by day; the old homes now re-export it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop_app.core import periods as p
from desktop_app.core.errors import ValidationError
from desktop_app.core.rules import depreciation as dep
from desktop_app.core.services import funds_base as fb

MONTHS = [f"{y:04d}-{m:02d}" for y in range(1998, 2032) for m in range(1, 13)]


def test_examples_across_the_year_end() -> None:
    assert p.next_period("2025-12") == "2026-01" and p.prev_period("2026-01") == "2025-12"
    assert p.add_months("2026-03", -15) == "2024-12" and p.add_months("2024-12", 15) == "2026-03"
    assert p.months_between("2024-11", "2026-02") == 15 and p.months_between("2026-02", "2024-11") == -15
    assert p.periods_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert p.periods_between("2026-02", "2026-01") == []
    assert p.period_start("2024-02") == date(2024, 2, 1) and p.period_end("2024-02") == date(2024, 2, 29)
    assert p.period_of(date(2026, 1, 31)) == "2026-01" and p.year_of("2026-01") == 2026
    assert p.period_label("2026-03") == "2026年3月"


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-01", "2026/01", "", "２０２６-０１"])
def test_a_malformed_period_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(ValidationError, match="格式应为 YYYY-MM"):
        p.check_period(text)
    assert p.check_period(" 2026-01 ") == "2026-01"


def _walk(period: str, n: int) -> str:
    """Reference: step a calendar day month by month (no modular arithmetic), as a person counts."""
    day = date(int(period[:4]), int(period[5:7]), 1)
    for _ in range(abs(n)):
        day = (day + timedelta(days=32)).replace(day=1) if n > 0 else (day - timedelta(days=1)).replace(day=1)
    return day.strftime("%Y-%m")


def test_the_old_homes_hand_out_the_one_module() -> None:
    """funds_base and the depreciation rules no longer hold a copy: their names are core.periods'."""
    for name in ("period_of", "check_period", "period_label", "next_period", "prev_period", "periods_between",
                 "period_start", "period_end"):
        assert getattr(fb, name) is getattr(p, name), name
    assert dep.add_months is p.add_months and dep.months_between is p.months_between
    assert dep.month_of is p.period_of


def test_the_same_answers_as_a_calendar_walk() -> None:
    """What the copies gave (next/prev across year ends, whole-month counts, end of February)."""
    for i, a in enumerate(MONTHS):
        assert p.next_period(a) == _walk(a, 1) and p.prev_period(a) == _walk(a, -1)
        start = date(int(a[:4]), int(a[5:7]), 1)
        assert p.period_start(a) == start
        assert p.period_end(a) == (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        assert p.period_label(a) == f"{start.year}年{start.month}月" and p.period_of(start) == a
        for n in (-25, -12, -1, 0, 1, 11, 12, 13, 40):
            assert p.add_months(a, n) == _walk(a, n)
        for j, b in enumerate(MONTHS[max(i - 14, 0): i + 14], start=max(i - 14, 0)):
            assert p.months_between(a, b) == j - i
            assert p.periods_between(a, b) == MONTHS[i: j + 1]
