"""Every QR the program prints verifies: statements, contract sheets, asset sheets and dividend
rosters are sealed through reports/sealed_kinds.py and checked against the books again."""

from __future__ import annotations

import sqlite3
from datetime import date

from desktop_app.core.services.statements import build_statement
from desktop_app.reports.sealed_kinds import (
    seal_asset_sheet,
    seal_contract_sheet,
    seal_roster,
    seal_statement,
)
from desktop_app.reports.sealing import verify_code, verify_payload

from .conftest import PERIOD, Village


def _sql(v: Village, sql: str, *args: object) -> int:
    raw = sqlite3.connect(v.db.engine.url.database or "")
    try:
        n = raw.execute(sql, args).rowcount
        raw.commit()
        return n
    finally:
        raw.close()


def test_statement_code_verifies_and_names_the_line_that_changed(village: Village) -> None:
    with village.db.begin() as s:
        st = build_statement(s, village.book.id, "trial-balance", PERIOD, PERIOD)
        row = seal_statement(s, village.book.id, st)
    assert row.payload.startswith(f"阳光台账{st.title} · {village.book.name} · 账套{village.book.code} · ")
    with village.db.begin() as s:
        (ok,) = verify_payload(s, row.payload)
    assert ok.ok, ok.lines
    assert _sql(village, "UPDATE entry SET debit = debit + 100000 WHERE debit > 0 AND voucher_id = (SELECT id FROM "
                         "voucher WHERE book_id = ? AND period = ? AND status = '记账' ORDER BY number LIMIT 1) "
                         "AND rowid = (SELECT min(e.rowid) FROM entry e JOIN voucher v ON v.id = e.voucher_id "
                         "WHERE v.book_id = ? AND v.period = ? AND v.status = '记账' AND e.debit > 0)",
                village.book.id.hex, PERIOD, village.book.id.hex, PERIOD) == 1
    with village.db.begin() as s:
        bad = verify_code(s, row.code)
    assert not bad.ok and any("结账封存" in d and "程序以外" in d for d in bad.differences), bad.lines
    # the kept monthly totals the statement is read from, changed too: the printed line is named
    assert _sql(village, "UPDATE account_period_total SET debit = debit + 100000 WHERE book_id = ? AND period = ? "
                         "AND rowid = (SELECT min(rowid) FROM account_period_total WHERE book_id = ? AND period = ? "
                         "AND debit > 0)", village.book.id.hex, PERIOD, village.book.id.hex, PERIOD) == 1
    with village.db.begin() as s:
        bad = verify_code(s, row.code)
    assert any(f"第1节 {st.title} 表 {st.title} 第" in d and "印 " in d for d in bad.differences), bad.lines


def test_contract_sheet_code_verifies_and_names_the_contract(village: Village) -> None:
    from desktop_app.reports.contracts_pdf import build_sheet

    as_of = date(2026, 10, 31)
    with village.db.begin() as s:
        sheet = build_sheet(s, "ledger", organisation_id=village.org.id, scope=village.org.name, as_of=as_of)
        row = seal_contract_sheet(s, "ledger", sheet, organisation_id=village.org.id, scope=village.org.name,
                                  as_of=as_of)
        number = sheet.rows[0].number
    assert "截至2026年10月31日" in row.payload
    with village.db.begin() as s:
        assert verify_code(s, row.code).ok
    assert _sql(village, "UPDATE contract SET annual_rent = annual_rent + 1000 WHERE number = ? AND organisation_id = ?",
                number, village.org.id.hex) == 1
    with village.db.begin() as s:
        bad = verify_code(s, row.code)
    assert not bad.ok and any(number in d and "年租金" in d for d in bad.differences), bad.lines


def test_asset_sheet_and_roster_codes_verify(village: Village) -> None:
    from desktop_app.core.services.distribution_query import plan_roster
    from desktop_app.reports.assets_sheets import asset_register

    with village.db.begin() as s:
        sheet = asset_register(s, village.org.id)
        rows = [seal_asset_sheet(s, sheet, "assets", org_id=village.org.id)]
        plan_id = s.connection().exec_driver_sql(
            "SELECT id FROM distribution_plan WHERE organisation_id = ? AND deleted = 0 LIMIT 1",
            (village.org.id.hex,)).scalar()
        if plan_id is not None:
            import uuid

            roster = plan_roster(s, uuid.UUID(hex=plan_id))
            rows.append(seal_roster(s, roster, public=True))
    with village.db.begin() as s:
        for row in rows:
            check = verify_code(s, row.code)
            assert check.ok, check.lines
    assert _sql(village, "UPDATE asset SET name = name || '（改）' WHERE organisation_id = ? AND rowid = "
                         "(SELECT min(rowid) FROM asset WHERE organisation_id = ?)",
                village.org.id.hex, village.org.id.hex) == 1
    with village.db.begin() as s:
        bad = verify_code(s, rows[0].code)
    assert not bad.ok and any("资产名称" in d and "（改）" in d for d in bad.differences), bad.lines
