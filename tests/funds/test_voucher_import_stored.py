"""凭证导入 writes in bulk (issue #18): what it stores is what ``create_voucher`` stores voucher by
voucher — the same rows, a valid row hash each, one change-log record per row, the same audit
entries (one per voucher, its words and image) and the same 常用摘要 counts; a bad row writes
nothing and names its row and column in Chinese."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from db import rowhash
from db.migrate import open_database
from desktop_app.core.services.vouchers import LineInput, create_voucher
from desktop_app.excel.importers import run_import
from tests.excel.test_table_read import xlsx
from tests.funds.conftest import Env, make_env, table_counts

HEAD = ["日期", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方", "往来单位"]
ROWS: list[list[Any]] = [
    ["2026-01-05", "记-1", "收到上级专项补助", "10201", None, "50,000.00", None, "阳光街道财政所"],
    [None, None, None, "50302", None, None, "50000", None],
    ["2026-01-08", "记-2", "支付办公用品", "51302", None, "1200", None, None],
    ["2026-01-08", "记-2", "支付办公用品 ", "101", None, None, "1,200.00", "王五"],
    ["2026-02-09", "记-1", "支付办公用品", "51308", None, "80.50", None, None],
    ["2026-02-09", "记-1", None, "101", None, None, "80.50", None],
    ["2026-02-10", "记-2", "收回张三欠款", "101", None, "3000", None, "张三"],
    ["2026-02-10", "记-2", "收回张三欠款", "112", None, None, "1000", "张三"],
    ["2026-02-10", "记-2", "收回张三欠款", "112", None, None, "2000", "张三"],
]
# what the voucher form would be given for the same vouchers (dates, 摘要, lines as the import reads them)
FORM = [
    ("2026-01-05", "收到上级专项补助", [("10201", "50000.00", "0.00", "收到上级专项补助", "阳光街道财政所"),
                                 ("50302", "0.00", "50000.00", None, None)]),
    ("2026-01-08", "支付办公用品", [("51302", "1200.00", "0.00", "支付办公用品", None),
                              ("101", "0.00", "1200.00", "支付办公用品", "王五")]),
    ("2026-02-09", "支付办公用品", [("51308", "80.50", "0.00", "支付办公用品", None), ("101", "0.00", "80.50", None, None)]),
    ("2026-02-10", "收回张三欠款", [("101", "3000.00", "0.00", "收回张三欠款", "张三"),
                              ("112", "0.00", "1000.00", "收回张三欠款", "张三"),
                              ("112", "0.00", "2000.00", "收回张三欠款", "张三")]),
]


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    return xlsx(path, [HEAD, *rows])


def _twins(tmp_path: Path) -> tuple[Env, Env]:
    """Two copies of one database (same origin, book, users, accounts)."""
    env = make_env(tmp_path / "a.db")
    env.db.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    return replace(env, db=open_database(tmp_path / "a.db")), replace(env, db=open_database(tmp_path / "b.db"))


def _rows(path: Path, table: str, key: str, skip: set[str]) -> dict[Any, dict[str, Any]]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return {tuple(r[k] for k in key.split(",")): {k: r[k] for k in r.keys() if k not in skip}
                for r in con.execute(f"SELECT * FROM {table}")}
    finally:
        con.close()


def _audit(path: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        out = []
        for action, entity, summary, before, after in con.execute(
                "SELECT action, entity, summary, before_json, after_json FROM audit_entry "
                "WHERE entity = 'voucher' ORDER BY n"):
            out.append((action, entity, summary, before, json.loads(after) if after else None))
        return out
    finally:
        con.close()


def _log(path: Path) -> dict[tuple[str, str, int], int]:
    """change-log records per (table, op, rev), and every record names a stored row."""
    con = sqlite3.connect(path)
    try:
        counts: dict[tuple[str, str, int], int] = {}
        for table, op, rev in con.execute("SELECT table_name, op, rev FROM change_log "
                                          "WHERE table_name IN ('voucher', 'entry')"):
            counts[(table, op, rev)] = counts.get((table, op, rev), 0) + 1
        for table in ("voucher", "entry"):
            ids = {r[0] for r in con.execute(f"SELECT id FROM {table}")}
            logged = [r[0] for r in con.execute("SELECT row_id FROM change_log WHERE table_name = ?", (table,))]
            assert sorted(logged) == sorted(ids)  # one record per row
        return counts
    finally:
        con.close()


def test_an_import_stores_what_the_voucher_form_stores(tmp_path: Path) -> None:
    a, b = _twins(tmp_path)
    path = _xlsx(tmp_path / "凭证.xlsx", ROWS)
    with a.db.begin("test") as s:
        check, done = run_import(s, "vouchers", path, organisation_id=a.book.organisation_id, book_id=a.book.id,
                                 apply=True, user=a.maker)
    assert check.ok, [str(p) for p in check.problems]
    assert done is not None and done.added == 4 and done.message.startswith("已导入凭证 4 张")
    with b.db.begin("test") as s:
        for day, summary, lines in FORM:
            create_voucher(s, book_id=b.book.id, voucher_date=date.fromisoformat(day), summary=summary,
                           lines=[LineInput(c, Decimal(d), Decimal(cr), summary=sm, counterparty=cp)
                                  for c, d, cr, sm, cp in lines], user=b.maker)
    a.db.close()
    b.db.close()
    pa, pb = tmp_path / "a.db", tmp_path / "b.db"
    skip = {"id", "updated_at", "row_hash"}
    va, vb = _rows(pa, "voucher", "period,number", skip), _rows(pb, "voucher", "period,number", skip)
    assert va == vb and len(va) == 4
    ids_a = {r["id"]: (r["period"], r["number"]) for r in
             _rows(pa, "voucher", "id", set()).values()}
    ids_b = {r["id"]: (r["period"], r["number"]) for r in
             _rows(pb, "voucher", "id", set()).values()}
    ea = {(ids_a[r["voucher_id"]], r["line_no"]): {k: v for k, v in r.items() if k != "voucher_id"}
          for r in _rows(pa, "entry", "id", skip).values()}
    eb = {(ids_b[r["voucher_id"]], r["line_no"]): {k: v for k, v in r.items() if k != "voucher_id"}
          for r in _rows(pb, "entry", "id", skip).values()}
    assert ea == eb and len(ea) == 9
    pa_phr = {k: v["uses"] for k, v in _rows(pa, "summary_phrase", "text", skip).items()}
    pb_phr = {k: v["uses"] for k, v in _rows(pb, "summary_phrase", "text", skip).items()}
    assert pa_phr == pb_phr == {("收到上级专项补助",): 1, ("支付办公用品",): 2, ("收回张三欠款",): 1}
    assert _log(pa) == _log(pb) == {("voucher", "insert", 1): 4, ("entry", "insert", 1): 9}
    audit_a, audit_b = _audit(pa), _audit(pb)
    assert audit_a == audit_b and len(audit_a) == 4
    assert audit_a[3][2] == "填制凭证 2026年2月第2号凭证：收回张三欠款"
    con = sqlite3.connect(pa)
    try:
        cursor = con.cursor()
        for table in rowhash.hashed_tables():
            if table.name in ("voucher", "entry", "summary_phrase"):
                assert list(rowhash.mismatches(cursor, table)) == [], table.name
    finally:
        con.close()


def test_phrases_already_kept_are_counted_up(tmp_path: Path) -> None:
    a, _ = _twins(tmp_path)
    path = _xlsx(tmp_path / "凭证.xlsx", ROWS[:4])
    with a.db.begin("test") as s:
        create_voucher(s, book_id=a.book.id, voucher_date=date(2026, 3, 3), summary="支付办公用品",
                       lines=[LineInput("51302", Decimal("5.00")), LineInput("101", credit=Decimal("5.00"))],
                       user=a.maker)
    with a.db.begin("test") as s:
        _, done = run_import(s, "vouchers", path, organisation_id=a.book.organisation_id, book_id=a.book.id,
                                 apply=True, user=a.maker)
    assert done is not None and done.added == 2
    a.db.close()
    uses = {k: v["uses"] for k, v in _rows(tmp_path / "a.db", "summary_phrase", "text", set()).items()}
    assert uses == {("支付办公用品",): 2, ("收到上级专项补助",): 1}
    numbers = sorted(_rows(tmp_path / "a.db", "voucher", "period,number", set()))
    assert numbers == [("2026-01", 1), ("2026-01", 2), ("2026-03", 1)]


def test_a_bad_row_writes_nothing_and_is_named(tmp_path: Path) -> None:
    a, _ = _twins(tmp_path)
    bad = [list(r) for r in ROWS]
    bad[7][6] = "1,000.005"  # 贷方 past the 分
    path = _xlsx(tmp_path / "凭证.xlsx", bad)
    before = table_counts(a)
    with a.db.begin("test") as s:
        check, done = run_import(s, "vouchers", path, organisation_id=a.book.organisation_id, book_id=a.book.id,
                                 apply=True, user=a.maker)
    assert done is None and not check.ok
    assert any(p.row == 9 and "贷方" in p.column and "分" in p.message for p in check.problems), \
        [str(p) for p in check.problems]
    assert str(check.problems[0]).startswith("第9行G列“贷方”")
    assert table_counts(a) == before
    a.db.close()
