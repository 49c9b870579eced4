"""合同导入 writes its new contracts in bulk (issue #18): what it stores is what ``create_contract``
stores contract by contract — the same contracts, counterparties (found by 证件号码 or name, the
file's later row's phone kept), schedules and recognitions, a valid row hash and one change-log
record per row, and the same audit entry per contract (its words and image); a bad row writes
nothing and names its row and column in Chinese."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from db import rowhash
from db.migrate import open_database
from desktop_app.core.services.contracts import create_contract
from desktop_app.excel.importers import run_import
from tests.contracts.conftest import RIC, USCC, Env, make_env
from tests.excel.test_table_read import xlsx

HEAD = ["合同编号", "合同名称", "合同类型", "标的", "面积（亩）", "承包方名称", "承包方类型", "证件号码", "联系电话",
        "起始日期", "终止日期", "年租金", "递增条款", "付款方式", "计费周期", "缴款期限（天）", "备注"]
ROWS: list[list[Any]] = [
    ["HT-101", "一组鱼塘承包", "资源发包", "一组鱼塘", "25.5", "张三", "个人", RIC, "13900000001",
     "2026-01-01", "2030-12-31", "12,000", "每3年递增5%", "年付", "按自然年度", 30, None],
    ["HT-102", "二组果园承包", "资源发包", "二组果园", 10, "张三", None, RIC, "13900000002",
     "2026-07-01", "2031-06-30", "8000", "无", "半年付", "按合同年度", 15, "续签"],
    ["HT-103", "门面租赁", "资产租赁", "村部门面", None, "东湖商贸有限公司", "单位", USCC, None,
     "2026-03-01", "2029-02-28", "10000元", None, "季付", None, None, None],
    ["HT-104", "三组鱼塘", "资源发包", "三组鱼塘", 3, "李四", "个人", None, "13900000003",
     "2026-01-01", "2027-12-31", "1200", None, "一次性", None, None, None],
    ["HT-105", "四组鱼塘", "资源发包", "四组鱼塘", 3, "王五", "个人", None, None,
     "2026-01-01", "2028-12-31", "1500", None, "年付", None, None, None],
]


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    return xlsx(path, [HEAD, *rows])


def _twins(tmp_path: Path) -> tuple[Env, Env]:
    """Two copies of one database (same origin, organisation, book, users), 王五 already a counterparty."""
    env = make_env(tmp_path / "a.db")
    with env.db.begin("test") as s:
        create_contract(s, env.contract(number="HT-001", counterparty_name="王五", counterparty_id_number=None,
                                        counterparty_phone="13700000000"), user=env.user)
    env.db.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    return replace(env, db=open_database(tmp_path / "a.db")), replace(env, db=open_database(tmp_path / "b.db"))


def _query(path: Path, sql: str) -> list[dict[str, Any]]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql)]
    finally:
        con.close()


SKIP = {"id", "updated_at", "row_hash", "counterparty_id", "contract_id", "installment_id"}


def _stored(path: Path) -> dict[str, Any]:
    """What the import stored, without ids and times: contracts by number, their schedules and
    recognitions by (number, seq/year), counterparties by name, audit entries of contracts."""
    number = {r["id"]: r["number"] for r in _query(path, "SELECT id, number FROM contract")}
    seq = {r["id"]: r["seq"] for r in _query(path, "SELECT id, seq FROM contract_installment")}
    cps = {r["id"]: r["name"] for r in _query(path, "SELECT id, name FROM contract_counterparty")}

    def clean(r: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in r.items() if k not in SKIP}

    audit = []
    for r in _query(path, "SELECT action, summary, before_json, after_json FROM audit_entry "
                          "WHERE entity = 'contract' ORDER BY n"):
        after = json.loads(r["after_json"]) if r["after_json"] else None
        if after is not None and r["action"] != "import":  # the import's own entry names its organisation
            after["counterparty"] = cps[uuid.UUID(after.pop("counterparty_id")).hex]
            for k in ("id", "updated_at"):
                after.pop(k)
        audit.append((r["action"], r["summary"], r["before_json"], after))
    return {
        "contract": {r["number"]: {**clean(r), "counterparty": cps[r["counterparty_id"]]}
                     for r in _query(path, "SELECT * FROM contract")},
        "installment": {(number[r["contract_id"]], r["seq"]): clean(r)
                        for r in _query(path, "SELECT * FROM contract_installment")},
        "recognition": {(number[r["contract_id"]], seq[r["installment_id"]], r["year"]): clean(r)
                        for r in _query(path, "SELECT * FROM contract_recognition")},
        "counterparty": {r["name"]: {k: v for k, v in clean(r).items() if k != "rev"}
                         for r in _query(path, "SELECT * FROM contract_counterparty")},
        "audit": audit,
    }


def _log(path: Path) -> dict[tuple[str, str, int], int]:
    out: dict[tuple[str, str, int], int] = {}
    for r in _query(path, "SELECT table_name, op, rev FROM change_log WHERE table_name IN "
                          "('contract', 'contract_installment', 'contract_recognition')"):
        key = (r["table_name"], r["op"], r["rev"])
        out[key] = out.get(key, 0) + 1
    for table in ("contract", "contract_installment", "contract_recognition", "contract_counterparty"):
        ids = sorted(r["id"] for r in _query(path, f"SELECT id FROM {table}"))
        logged = sorted({r["row_id"] for r in _query(path, f"SELECT row_id FROM change_log WHERE table_name = '{table}'")})
        assert logged == ids, table  # every row has its record(s), no record names a missing row
    return out


def test_an_import_stores_what_the_contract_form_stores(tmp_path: Path) -> None:
    a, b = _twins(tmp_path)
    path = _xlsx(tmp_path / "合同.xlsx", ROWS)
    with a.db.begin("test") as s:
        check, done = run_import(s, "contracts", path, organisation_id=a.org.id, book_id=a.book.id, apply=True,
                                 user=a.user)
    assert check.ok, [str(p) for p in check.problems]
    assert done is not None and done.message == "已导入合同：新增 5 份"
    with b.db.begin("test") as s:  # the form's service, contract by contract, as the import did before
        plan, _ = run_import(s, "contracts", path, organisation_id=b.org.id, book_id=b.book.id)
        for item in plan.plan:
            create_contract(s, item.data, user=b.user)
    a.db.close()
    b.db.close()
    sa, sb = _stored(tmp_path / "a.db"), _stored(tmp_path / "b.db")
    for part in ("contract", "installment", "recognition", "counterparty"):
        assert sa[part] == sb[part], part
    assert sa["audit"][:-1] == sb["audit"] and len(sb["audit"]) == 6
    assert sa["audit"][-1][:2] == ("import", "从 Sheet 表导入合同：新增 5 份")
    assert sa["audit"][1][1] == "登记合同 HT-101 一组鱼塘承包（张三），生成应收期次 5 期"
    assert sa["counterparty"]["张三"]["phone"] == "13900000002"  # the later row's, as the form's second save
    assert sa["counterparty"]["王五"]["phone"] == "13700000000"  # a blank cell keeps the registered phone
    assert len(sa["counterparty"]) == 4
    assert sa["contract"]["HT-102"]["escalation_pct"] == 0 and sa["contract"]["HT-101"]["escalation_years"] == 3
    assert _log(tmp_path / "a.db") == _log(tmp_path / "b.db")
    con = sqlite3.connect(tmp_path / "a.db")
    try:
        cursor = con.cursor()
        for table in rowhash.hashed_tables():
            if table.name.startswith("contract"):
                assert list(rowhash.mismatches(cursor, table)) == [], table.name
    finally:
        con.close()


def test_a_bad_row_writes_nothing_and_is_named(tmp_path: Path) -> None:
    a, _ = _twins(tmp_path)
    bad = [list(r) for r in ROWS]
    bad[2][10] = "2025-12-31"  # 终止日期 before 起始日期, file row 4
    bad[3][11] = "一千二"  # 年租金 not a number, file row 5
    path = _xlsx(tmp_path / "合同.xlsx", bad)
    before = _query(tmp_path / "a.db", "SELECT (SELECT count(*) FROM contract) c, (SELECT count(*) FROM change_log) l, "
                                       "(SELECT count(*) FROM audit_entry) a")
    with a.db.begin("test") as s:
        check, done = run_import(s, "contracts", path, organisation_id=a.org.id, book_id=a.book.id, apply=True,
                                 user=a.user)
    a.db.close()
    assert done is None
    shown = [str(p) for p in check.problems]
    assert shown[0].startswith("第4行K列“终止日期”：") and "早于起始日期" in shown[0], shown
    assert shown[1].startswith("第5行L列“年租金”："), shown
    after = _query(tmp_path / "a.db", "SELECT (SELECT count(*) FROM contract) c, (SELECT count(*) FROM change_log) l, "
                                      "(SELECT count(*) FROM audit_entry) a")
    assert after == before
    assert Decimal(1) and date(2026, 1, 1)  # (imports used by the rows above)
