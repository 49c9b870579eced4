"""银行存款余额调节表 as PDF and xlsx read back, and the ``bank`` commands run end to end."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core.services.bank_matching import auto_match
from desktop_app.core.services.bank_reconcile import reconciliation_report
from desktop_app.core.services.bank_statements import import_bank_statement
from desktop_app.excel.bank_statement_read import read_statement
from desktop_app.excel.bank_xlsx import write_reconciliation_xlsx
from desktop_app.reports.bank_pdf import reconciliation_pdf_bytes, write_reconciliation_pdf
from tests.funds.bank_data import JUNE_ROWS, USCC, june_books, write_june_gbk_csv, write_june_xlsx
from tests.funds.conftest import Env


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")


def _matched_june(env: Env, tmp_path: Path):  # type: ignore[no-untyped-def]
    june_books(env)
    f = read_statement(write_june_xlsx(tmp_path / "june.xlsx"))
    with env.db.begin("test") as s:
        import_bank_statement(s, env.book.id, "10201", "2026-06", f.lines, source_name=f.name, source_hash=f.sha256,
                              user=env.maker)
        auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
        return reconciliation_report(s, env.book.id, "10201", "2026-06")


def test_pdf_reads_back_with_both_sides_and_sign_off(env: Env, tmp_path: Path) -> None:
    r = _matched_june(env, tmp_path)
    out = write_reconciliation_pdf(r, tmp_path / "r.pdf")
    assert reconciliation_pdf_bytes(r) == out.read_bytes()  # deterministic
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    for expected in ("银行存款余额调节表", "编制单位：东湖村股份经济合作社", "银行账户：10201 农商行", "2026年6月",
                     "银行存款日记账余额 98,680.00 银行对账单余额 104,687.50",
                     "加：银行已收、企业未收 12.50 加：企业已收、银行未收 2,000.00",
                     "减：银行已付、企业未付 5.00 减：企业已付、银行未付 8,000.00",
                     "调节后的存款余额 98,687.50 调节后的存款余额 98,687.50", "调节后余额相等，账实相符",
                     "6月记4号", "付村道硬化工程款（转账支票）", "对账单第7行", "会计：", "出纳：", "审核：", "第 1 页 / 共 1 页"):
        assert expected in text, expected


def test_many_open_items_flow_onto_more_pages(env: Env, tmp_path: Path) -> None:
    rows = [(f"2026-06-{d:02d}", f"第{n}笔代扣电费（一组、二组、三组合并扣款，附清单）", None, 1, 1000 - n, "国网供电公司")
            for n, d in enumerate([1 + i % 28 for i in range(70)], start=1)]
    f = read_statement(write_june_xlsx(tmp_path / "many.xlsx", rows))
    with env.db.begin("test") as s:
        import_bank_statement(s, env.book.id, "10201", "2026-06", f.lines, source_name=f.name, source_hash=f.sha256,
                              user=env.maker)
        r = reconciliation_report(s, env.book.id, "10201", "2026-06")
    assert len(r.bank_out_book_not) == 70
    path = write_reconciliation_pdf(r, tmp_path / "many.pdf")
    with pdfplumber.open(path) as pdf:
        texts = [p.extract_text() for p in pdf.pages]
    assert len(texts) >= 3 and f"第 1 页 / 共 {len(texts)} 页" in texts[0]
    assert "会计：" in texts[-1] and "会计：" not in texts[0]
    assert sum(t.count("国网供电公司") for t in texts) == 70  # every open item listed once


def test_xlsx_reads_back_as_numbers(env: Env, tmp_path: Path) -> None:
    r = _matched_june(env, tmp_path)
    ws = openpyxl.load_workbook(write_reconciliation_xlsx(r, tmp_path / "r.xlsx")).active
    assert ws is not None
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert ws["A1"].value == "银行存款余额调节表"
    book = cells["银行存款日记账余额"]
    assert ws.cell(row=book.row, column=2).value == 98680 and ws.cell(row=book.row, column=4).value == D("104687.5")
    adjusted = [c for row in ws.iter_rows() for c in row if c.value == "调节后的存款余额"]
    assert ws.cell(row=adjusted[0].row, column=2).value == 98687.5 and ws.cell(row=adjusted[0].row, column=2).number_format == "#,##0.00"
    assert "调节后余额相等，账实相符" in cells
    assert {"银行已收、企业未收", "银行已付、企业未付", "企业已收、银行未收", "企业已付、银行未付"} <= set(cells)
    assert "会计：____________" in cells and "审核：____________" in cells


def _bank(env: Env, *args: str) -> int:
    return cli_main(["--user", "kj", "bank", *args, "--db", str(env.db.path), "--org", USCC, "--period", "2026-06"])


def test_cli_end_to_end(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    june_books(env)
    csv = write_june_gbk_csv(tmp_path / "june.csv")
    env.db.close()
    assert _bank(env, "import", str(csv), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "表头在第3行" in out and "新增 4 笔" in out and "期末余额 104,687.50" in out and "未写入任何数据" in out
    assert _bank(env, "import", str(csv)) == 0
    assert "已导入银行对账单 4 笔" in capsys.readouterr().out
    assert _bank(env, "import", str(write_june_xlsx(tmp_path / "june.xlsx"))) == 0  # the same lines as xlsx
    assert "已全部导入过" in capsys.readouterr().out
    assert _bank(env, "match", "--auto") == 0
    assert "自动勾对 2 笔" in capsys.readouterr().out
    assert _bank(env, "list", "--open") == 0
    listing = capsys.readouterr().out
    assert "结息" in listing and "付村道硬化工程款" in listing and "租金" not in listing
    pdf = tmp_path / "out" / "调节表.pdf"
    assert _bank(env, "reconcile", "--out", str(pdf), "--mark") == 0
    said = capsys.readouterr().out
    assert "调节后 98,687.50" in said and "已由王会计于" in said
    with pdfplumber.open(pdf) as doc:
        assert "已由王会计于" in doc.pages[0].extract_text()
    assert _bank(env, "import", str(write_june_xlsx(tmp_path / "more.xlsx", [("2026-06-30", "x", 1, None, 1, None)]))) == 1
    assert "已标记“已对账”" in capsys.readouterr().err


def test_cli_refusals(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    june_books(env)
    env.db.close()
    base = ["bank", "--db", str(env.db.path), "--org", USCC, "--period", "2026-06"]
    # the bank's balances run 300 above the books'
    xlsx = write_june_xlsx(tmp_path / "june.xlsx", [(d, t, i, o, b + 300, c) for d, t, i, o, b, c in JUNE_ROWS])
    assert cli_main([base[0], "import", str(xlsx), *base[1:]]) == 1  # no --user: nothing written
    assert "需要操作人" in capsys.readouterr().err
    assert _bank(env, "import", str(xlsx), "--account", "102") == 1
    assert "有明细科目" in capsys.readouterr().err
    assert _bank(env, "import", str(xlsx)) == 0
    capsys.readouterr()
    assert _bank(env, "reconcile", "--out", str(tmp_path / "r.xlsx"), "--mark") == 1
    assert "调节后余额不相等，不能标记已对账" in capsys.readouterr().err
    assert _bank(env, "reconcile", "--out", str(tmp_path / "r.xlsx")) == 0
    assert "相差" in capsys.readouterr().out and (tmp_path / "r.xlsx").is_file()
    assert _bank(env, "match", "--items", "B1,E9") == 1
    assert "没有编号为 E9 的行" in capsys.readouterr().err
    assert _bank(env, "match", "--items", "B1,E2") == 1  # 5,000 in against 320 out
    assert "金额不等" in capsys.readouterr().err
    assert _bank(env, "match", "--items", "B1,E1") == 0
    assert _bank(env, "unmatch", "--item", "E1") == 0
    assert "恢复为未达账项" in capsys.readouterr().out
    assert _bank(env, "delete") == 0
    assert "已删除 10201 2026-06 的银行对账单 4 行" in capsys.readouterr().out
