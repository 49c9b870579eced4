"""A voucher's audit image is built in JSON values (amounts as text, the date ISO) so that the
audit's JSON takes its fast path; the stored text is what ``jsonable`` of the voucher's Python
values (Decimals, a date) gives, as before (chains made earlier still check)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from db.images import jsonable
from db.models import AuditEntry, Voucher
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.voucher_lines import LineInput, read_lines
from desktop_app.core.services.vouchers import create_voucher, review_voucher, void_voucher
from tests.funds.conftest import Env


def _python_image(env: Env, voucher_id: object) -> str:
    """The image as the Python values it stands for, through the general path."""
    with env.db.read() as s:
        v = s.get(Voucher, voucher_id)
        assert v is not None
        lines = [{"line": ln.line_no, "account": ln.account_code, "debit": ln.debit, "credit": ln.credit,
                  "summary": ln.summary} for ln in read_lines(s, v.id)]
        image = {"number": v.number, "period": v.period, "date": v.voucher_date, "summary": v.summary,
                 "status": v.status, "attachments": v.attachments, "flags": v.flags, "lines": lines}
    return json.dumps(jsonable(image), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_the_stored_image_is_the_general_paths_text(env: Env) -> None:
    lines = [LineInput("101", debit=Decimal("1234.50"), summary="收到现金"),
             LineInput("10201", credit=Decimal("1000.00")), LineInput("10201", credit=Decimal("234.50"), summary=None)]
    with env.db.begin() as s:
        v = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 3, 5), summary="收款", lines=lines,
                           user=env.maker, attachments=2)
    created = _python_image(env, v.id)
    with env.db.begin() as s:
        review_voucher(s, v.id, user=env.reviewer)
    with env.db.begin() as s:
        void_voucher(s, v.id, reason="录错", user=env.maker)
    voided = _python_image(env, v.id)
    with env.db.read() as s:
        stored = s.execute(select(AuditEntry.action, AuditEntry.after_json).where(
            AuditEntry.entity == "voucher", AuditEntry.entity_id == str(v.id)).order_by(AuditEntry.n)).all()
    assert stored[0] == ("create", created)
    assert stored[-1][1] == voided and json.loads(voided)["date"] == "2026-03-05"
    assert json.loads(created)["lines"][0]["debit"] == "1234.50"
    with env.db.engine.connect() as c:
        assert [p for r in verify_database(c) for p in r.problems] == []
