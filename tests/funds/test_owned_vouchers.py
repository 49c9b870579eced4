"""Vouchers another module generated for its own records are corrected there, not here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop_app.core.errors import ConflictError
from desktop_app.core.services.vouchers import LineInput, record_auto_voucher, reverse_voucher
from tests.funds.conftest import table_counts


def test_a_receipt_voucher_cannot_be_reversed_from_the_journal(env) -> None:
    with env.db.begin("test") as s:
        v = record_auto_voucher(s, book_id=env.book.id, voucher_date=date(2026, 1, 5), summary="收租金",
                                lines=[LineInput("101", debit=Decimal("1200.00")),
                                       LineInput("50101", credit=Decimal("1200.00"))],
                                user=env.maker, source_kind="contract_receipt", source_id=None)
    before = table_counts(env)
    with pytest.raises(ConflictError, match="合同收款") as info, env.db.begin("test") as s:
        reverse_voucher(s, v.id, user=env.maker, voucher_date=date(2026, 1, 6), reason="收错了")
    assert "不能在凭证中直接红字冲销" in info.value.message
    assert table_counts(env) == before
