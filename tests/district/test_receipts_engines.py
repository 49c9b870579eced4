"""数据接收's checks read alike on both engines (issue #13): on PostgreSQL the driver hands ids back
as ``uuid.UUID`` where SQLite gives their hex text, and the recomputed seal of a closed month must
hash the same ids, or every closed month of a district on a server reads as altered."""

from __future__ import annotations

from desktop_app.core.services.district_receipts import check_integrity
from desktop_app.core.services.periods import close_periods
from tests.district.conftest import HandTown
from tests.district.test_receipts_page import MONTHS
from tests.district.test_stats import book_hand
from tests.pg_support import both_engines


@both_engines
def test_closed_months_verify_on_both_engines(hand_town: HandTown, engine_kind: str) -> None:
    h = hand_town
    book_hand(h)
    with h.town.begin("test") as s:
        close_periods(s, [(h.books["东湖"], p) for p in MONTHS], user=h.maker)
    h.carry()
    assert h.view is not None
    with h.view.read("区统计员") as s:
        checks = check_integrity(s)
    towns = {t.township: t for t in checks}  # the sender's chain; its villages' townships (no chain of their own)
    assert towns["江宁区各镇（测试）"].audit_status == "✓", engine_kind
    assert all(t.seal_status == "✓" for t in checks), [(t.township, t.seal_status) for t in checks]
    east = next(v for v in towns["阳光街道"].villages if v.name.startswith("东湖"))
    assert (east.closed_months, east.status) == (len(MONTHS), "✓")
