"""The one periods module (desktop_app/core/periods.py) gives exactly what the copies it replaces
gave (funds_base's next/prev/between/start/end, the depreciation rules' add_months/months_between)."""

from __future__ import annotations

from datetime import date

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


def test_the_same_answers_as_the_copies_it_replaces() -> None:
    for i, a in enumerate(MONTHS):
        assert p.next_period(a) == fb.next_period(a)
        assert p.prev_period(a) == fb.prev_period(a)
        assert p.period_start(a) == fb.period_start(a) and p.period_end(a) == fb.period_end(a)
        assert p.period_label(a) == fb.period_label(a)
        for n in (-25, -12, -1, 0, 1, 11, 12, 13, 40):
            assert p.add_months(a, n) == dep.add_months(a, n)
        for b in MONTHS[max(i - 14, 0): i + 14]:
            assert p.months_between(a, b) == dep.months_between(a, b)
            assert p.periods_between(a, b) == fb.periods_between(a, b)
