"""Bank statements as banks export them, written for the 银行对账 tests, and the June books they
reconcile with (tests/funds/conftest.Env: 10201 农商行)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl

from tests.funds.conftest import Env

USCC = "N2320115MF00000121"


def june_books(env: Env) -> None:
    """10201: 100,000 from May; June: rent in 5,000, office supplies out 320, a cheque for works
    out 8,000 (the bank pays it in July), cash deposited 2,000 on the 30th (the bank books it in July)."""
    env.vouch(date(2026, 5, 20), "收上级补助资金", ("10201", "100000.00", "0"), ("50302", "0", "100000.00"))
    env.vouch(date(2026, 6, 2), "收东湖渔场租金", ("10201", "5000.00", "0"), ("50101", "0", "5000.00"))
    env.vouch(date(2026, 6, 10), "付办公用品款", ("51302", "320.00", "0"), ("10201", "0", "320.00"))
    env.vouch(date(2026, 6, 29), "付村道硬化工程款（转账支票）", ("153", "8000.00", "0"), ("10201", "0", "8000.00"))
    env.vouch(date(2026, 6, 30), "现金存入银行", ("10201", "2000.00", "0"), ("101", "0", "2000.00"))


JUNE_ROWS = [  # 交易日期, 摘要, 收入, 支出, 余额, 对方户名
    (datetime(2026, 6, 3), "租金", 5000, None, 105000, "东湖渔场"),
    (datetime(2026, 6, 11), "购货款", None, 320, 104680, "阳光文具店"),
    (datetime(2026, 6, 21), "结息", 12.5, None, 104692.5, None),
    (datetime(2026, 6, 30), "账户管理费", None, 5, 104687.5, None),
]


def write_june_xlsx(path: Path, rows: list[tuple[object, ...]] | None = None) -> Path:
    """A 农商行-style xlsx: three lines about the account above the header (row 4), a 合计 row below."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["江苏江宁农村商业银行 账户交易明细"])
    ws.append(["账号：3201 1500 0012 3456", None, "户名：东湖村股份经济合作社"])
    ws.append(["起止日期：2026-06-01 至 2026-06-30"])
    ws.append(["交易日期", "摘要", "收入金额", "支出金额", "账户余额", "对方户名"])
    for r in rows if rows is not None else JUNE_ROWS:
        ws.append(list(r))
    ws.append(["合计", None, 5012.5, 325, None, None])
    wb.save(path)
    return path


def write_june_gbk_csv(path: Path) -> Path:
    """A GBK CSV with 借方发生额/贷方发生额 (the bank's side: 借 = money out), text dates, the
    header on row 3, newest first, and the ="…" and tab padding banks put round numbers."""
    lines = [
        "账户明细查询,,,,,,",
        '账号:,="32011500001234560",户名:,东湖村股份经济合作社,,,',
        "记账日期,摘要,借方发生额,贷方发生额,余额,对方账户名称,对方账号",
        '2026/06/30,账户管理费,5.00,,"104,687.50",,',
        "2026/06/21,结息,,12.50,104692.50,,",
        "2026/06/11,购货款,320.00,,104680.00,阳光文具店,\t6222000011112222",
        '2026/06/03,租金,,"5,000.00",105000.00,东湖渔场,="6228480011112222"',
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def write_flag_csv(path: Path) -> Path:
    """UTF-8 (BOM) CSV with one 交易金额 column and a 借贷标志."""
    text = ("交易日期,交易时间,借贷标志,交易金额,余额,对方户名,用途\n"
            "20260603,10:22:01,贷,5000.00,105000.00,东湖渔场,租金\n"
            "20260611,09:00:00,借,320.00,104680.00,阳光文具店,购货款\n")
    path.write_text(text, encoding="utf-8-sig")
    return path
