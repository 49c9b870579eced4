"""Excel export (real numbers with formats), import (validate → preview → apply, all or nothing,
row-and-column errors in Chinese), PDF reports (deterministic) and the CLI commands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from db.models import Contract
from desktop_app.cli import main
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.contract_warnings import list_arrears
from desktop_app.excel.contracts_import import apply_contract_import, validate_contract_import
from desktop_app.excel.contracts_xlsx import IMPORT_HEADERS, export_arrears, write_import_template
from desktop_app.reports.contracts_pdf import write_contract_report
from tests.contracts.conftest import Env


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(IMPORT_HEADERS))
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _row(number: str, **kw: object) -> list[object]:
    base: dict[str, object] = dict(zip(IMPORT_HEADERS, [
        number, "果园承包合同", "资源发包", "南山果园", "南山", "园地", 30.5, "李四", "个人", "11010519491231002X",
        "13900000000", date(2025, 12, 1), date(2026, 1, 1), date(2030, 12, 31), "单价", None, 700.5, "年付", 5, 3, 30,
        1000, "是", None], strict=True))
    base.update(kw)
    return [base[h] for h in IMPORT_HEADERS]


def _count(env: Env) -> int:
    with env.db.begin() as s:
        return s.scalar(select(func.count()).select_from(Contract)) or 0


def test_import_validates_previews_and_applies_all_or_nothing(env: Env, tmp_path: Path) -> None:
    bad = _sheet(tmp_path / "bad.xlsx", [
        _row("Y-1"), _row("Y-2", **{"终止日期": date(2025, 1, 1)}), _row("Y-1"),
        _row("Y-3", **{"证件号码": "110105194912310021"}), _row("Y-4", **{"起始日期": "2026年13月1日"}),
    ])
    with env.db.begin() as s:
        preview = validate_contract_import(s, bad, organisation_id=env.org.id, book_id=env.book.id)
    assert [str(p) for p in preview.problems] == [
        "第3行N列“终止日期”：终止日期 2025-01-01 早于起始日期 2026-01-01",
        "第4行A列“合同编号”：Y-1 与第2行重复",
        "第5行J列“证件号码”：身份证号校验位错误，请逐位核对号码",
        "第6行M列“起始日期”：“2026年13月1日”不是存在的日期（2026年没有13月1日）",
    ]
    assert [r.number for r in preview.rows] == ["Y-1"] and preview.rows[0].annual_rent == "21,365.25"
    with pytest.raises(ValidationError, match="导入未进行，共 4 处问题"), env.db.begin() as s:
        apply_contract_import(s, bad, organisation_id=env.org.id, book_id=env.book.id, user=env.user)
    assert _count(env) == 0  # nothing written, not even the good row
    good = _sheet(tmp_path / "good.xlsx", [_row("Y-1"), _row("Y-2", **{"付款方式": "季付", "单价（元/亩·年）": None,
                                                                       "计价方式": "年租金", "年租金": 8000})])
    with env.db.begin() as s:
        assert apply_contract_import(s, good, organisation_id=env.org.id, book_id=env.book.id, user=env.user) == 2
    assert _count(env) == 2


def test_template_round_trips(env: Env, tmp_path: Path) -> None:
    from desktop_app.excel.importers import write_template

    path = write_import_template(tmp_path / "t.xlsx")  # as a user gets it: the examples on their own sheet
    with env.db.begin() as s:
        preview = validate_contract_import(s, path, organisation_id=env.org.id, book_id=env.book.id)
    assert not preview.rows and "表头下没有数据行" in str(preview.problems[0])  # a forgotten example is never imported
    trial = write_template("contracts", tmp_path / "trial.xlsx", examples=True)  # the examples on the first sheet
    with env.db.begin() as s:
        preview = validate_contract_import(s, trial, organisation_id=env.org.id, book_id=env.book.id)
    assert preview.ok and preview.rows[0].number == "HT2026-001"


def test_arrears_export_writes_numbers(env: Env, tmp_path: Path) -> None:
    env.create(start_date=date(2024, 1, 1))
    with env.db.begin() as s:
        rows = list_arrears(s, env.org.id, date(2026, 3, 1))
    out = export_arrears(tmp_path / "a.xlsx", rows, scope="东湖村", as_of=date(2026, 3, 1))
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    assert ws.cell(row=3, column=8).value == "欠缴"
    cell = ws.cell(row=4, column=8)
    assert cell.value == 12000 and cell.number_format == "#,##0.00"  # a number, not text
    total = ws.cell(row=4 + len(rows), column=8)
    assert total.value == 36000 and ws.cell(row=4 + len(rows), column=1).value == "合计"


def test_pdf_reports_are_deterministic(env: Env, tmp_path: Path) -> None:
    env.create(start_date=date(2024, 1, 1))
    for kind in ("ledger", "installments", "arrears", "expiry"):
        a, b = tmp_path / f"{kind}1.pdf", tmp_path / f"{kind}2.pdf"
        with env.db.begin() as s:
            assert write_contract_report(s, kind, a, organisation_id=env.org.id, scope="东湖村", as_of=date(2026, 3, 1)) >= 1
            write_contract_report(s, kind, b, organisation_id=env.org.id, scope="东湖村", as_of=date(2026, 3, 1))
        assert a.read_bytes() == b.read_bytes() and a.read_bytes().startswith(b"%PDF")


def test_cli_export_and_import(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.create(start_date=date(2024, 1, 1), annual_rent=D("5000.00"))
    db = str(env.db.path)
    env.db.close()
    out = tmp_path / "arrears.xlsx"
    assert main(["--user", "kj", "export", "arrears", "--org", "N2320115MF00000121", "--as-of", "2026-03-01", "--db", db,
                 "--out", str(out)]) == 0
    assert "已导出 3 行" in capsys.readouterr().out
    for kind in ("contracts", "installments", "contract-review"):
        assert main(["--user", "kj", "export", kind, "--all", "--as-of", "2026-03-01", "--db", db, "--out", str(tmp_path / "x.xlsx")]) == 0
    assert main(["--user", "kj", "export", "arrears", "--db", db, "--out", str(out)]) == 1  # neither --org nor --all
    assert "--org" in capsys.readouterr().err
    sheet = _sheet(tmp_path / "in.xlsx", [_row("CLI-1")])
    assert main(["--user", "kj", "import", "contracts", str(sheet), "--org", "320115106201", "--dry-run", "--db", db]) == 0
    assert main(["--user", "kj", "import", "contracts", str(sheet), "--org", "320115106201", "--db", db]) == 0
    assert "已导入合同：新增 1 份" in capsys.readouterr().out
    assert main(["--user", "kj", "import", "contracts", str(sheet), "--org", "320115106201", "--db", db]) == 1  # duplicate number
    assert main(["--user", "kj", "contract-pdf", "expiry", "--all", "--db", db, "--out", str(tmp_path / "e.pdf")]) == 0


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
