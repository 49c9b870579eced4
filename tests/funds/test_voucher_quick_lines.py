"""A new voucher whose lines take the common case is written from ``entry_tuples.quick_entry_tuples``'
stored tuples and its audit image is built from those values, not read back (the 资产 page's
per-book 计提折旧 writes 2,000 lines): the lines stored and the image's lines are what the full check
(``check_lines``) and the read-back image give (``test_voucher_audit_image`` compares the whole text
with ``jsonable`` of the values read back). Amounts typed with fewer places (``5``, ``1.5``),
trimmed 摘要 and an empty one, a reference id; then a line the quick check leaves to ``check_lines``
(an account code with spaces) and a red reversal, which read back as before."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import AuditEntry, Entry
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.voucher_lines import LineInput
from desktop_app.core.services.vouchers import (
    create_voucher,
    post_voucher,
    record_auto_voucher,
    reverse_voucher,
    review_voucher,
)
from tests.funds.conftest import Env


def _created(env: Env, voucher_id: uuid.UUID) -> str:
    with env.db.read() as s:
        got = s.scalar(select(AuditEntry.after_json).where(AuditEntry.entity == "voucher",
                                                            AuditEntry.entity_id == str(voucher_id),
                                                            AuditEntry.action == "create"))
    assert got is not None
    return got


def _stored_lines(env: Env, voucher_id: uuid.UUID) -> list[tuple[object, ...]]:
    with env.db.read() as s:
        return [tuple(r) for r in s.execute(
            select(Entry.line_no, Entry.account_id, Entry.debit, Entry.credit, Entry.summary, Entry.counterparty,
                   Entry.asset_id, Entry.period, Entry.rev, Entry.deleted)
            .where(Entry.voucher_id == voucher_id).order_by(Entry.line_no))]


def _clean(env: Env) -> None:
    with env.db.engine.connect() as c:
        assert [p for r in verify_database(c) for p in r.problems] == []


LINES = [LineInput("101", debit=Decimal("5"), summary="  收到现金  ", counterparty=" 张三 "),
         LineInput("101", debit=Decimal("1.5"), summary="   "),
         LineInput("10201", credit=Decimal("6.50"), summary="存入银行", asset_id=uuid.UUID(int=7))]


@pytest.mark.parametrize("auto", [False, True])
def test_quick_lines_store_and_image_what_the_full_check_does(env: Env, auto: bool) -> None:
    with env.db.begin() as s:
        if auto:
            made = record_auto_voucher(s, book_id=env.book.id, voucher_date=date(2026, 3, 31), summary="自动凭证",
                                       lines=LINES, user=env.maker, source_kind="depreciation",
                                       source_id=uuid.UUID(int=9))
        else:
            made = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 3, 5), summary="手工凭证",
                                  lines=LINES, user=env.maker)
    # the same lines typed as the full check stores them (two places, trimmed texts) take the same way
    with env.db.begin() as s:
        typed = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 3, 6), summary="对照",
                               lines=[LineInput(" 101", debit=Decimal("5.00"), summary="收到现金", counterparty="张三"),
                                      LineInput("101", debit=Decimal("1.50")),
                                      LineInput("10201", credit=Decimal("6.50"), summary="存入银行",
                                                asset_id=uuid.UUID(int=7))], user=env.maker)  # " 101": check_lines
    got, want = _stored_lines(env, made.id), _stored_lines(env, typed.id)
    assert got == want
    assert got[0][2:6] == (Decimal("5.00"), Decimal("0.00"), "收到现金", "张三") and got[1][4] is None
    # the image built from the stored values is the one read back (the typed voucher's, whose
    # " 101" leaves it to check_lines and the lines to be read back after they are written)
    lines = json.loads(_created(env, made.id))["lines"]
    assert lines == json.loads(_created(env, typed.id))["lines"]
    assert [(ln["account"], ln["debit"], ln["credit"], ln["summary"]) for ln in lines] == [
        ("101", "5.00", "0.00", "收到现金"), ("101", "1.50", "0.00", None), ("10201", "0.00", "6.50", "存入银行")]
    _clean(env)


def test_a_red_reversal_reads_its_lines_back(env: Env) -> None:
    with env.db.begin() as s:
        v = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 3, 5), summary="收款", lines=LINES,
                           user=env.maker)
    with env.db.begin() as s:
        review_voucher(s, v.id, user=env.reviewer)
    with env.db.begin() as s:
        post_voucher(s, v.id, user=env.maker)
    with env.db.begin() as s:
        red = reverse_voucher(s, v.id, user=env.maker, voucher_date=date(2026, 3, 20), reason="录错")
    assert [(r[2], r[3]) for r in _stored_lines(env, red.id)] == [
        (Decimal("-5.00"), Decimal("0.00")), (Decimal("-1.50"), Decimal("0.00")), (Decimal("0.00"), Decimal("-6.50"))]
    _clean(env)
