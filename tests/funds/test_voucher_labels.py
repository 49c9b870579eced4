"""The voucher import's labels made in C (``voucher_labels``, which a clean journal's outcomes take)
are each voucher's ``label`` (issue #18)."""

from __future__ import annotations

from datetime import date

from desktop_app.core.services.voucher_import import PlannedVoucher, voucher_labels

WORDS = ("", "记", "收", "付", "转", "现收", "现付", "银收", "银付")


def test_voucher_labels_are_each_label() -> None:
    vouchers = [PlannedVoucher(f"2026-{m:02d}", word, n, date(2026, m, 1), rows=[n + 1], summary="摘要")
                for m in (1, 2, 12) for word in WORDS for n in (1, 12, 999999)]
    assert voucher_labels(vouchers) == [v.label for v in vouchers]
    assert voucher_labels([]) == []
    assert [vouchers[0].label, vouchers[3].label, vouchers[-1].label] == [
        "2026年1月 记-1", "2026年1月 记-1", "2026年12月 银付-999999"]
