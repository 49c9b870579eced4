"""年度财务计划: the service (replace, audit, tombstones, refusals), plan against the 收支明细表's
actual figures, the xlsx template/export/import through the CLI, the disclosure section read back
from the PDF, and the entry dialog offscreen."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pdfplumber
import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, BudgetLine
from desktop_app.cli import main as cli_main
from desktop_app.core.errors import PermissionDenied, ValidationError
from desktop_app.core.rows_funds import PlanInput
from desktop_app.core.services.plans import get_plan, plan_vs_actual, preview_plan, set_plan
from desktop_app.core.services.statements import income_expense_statement
from desktop_app.core.services.users import create_user
from tests.funds.conftest import Env

USCC = "N2320115MF00000121"
D = Decimal


def _plan(env: Env, year: int, *lines: tuple[str, str], user: Any = None) -> Any:
    with env.db.begin("test") as s:
        return set_plan(s, env.book.id, year, [PlanInput(c, D(a)) for c, a in lines], user=user or env.maker)


def _counts(env: Env) -> tuple[int, int]:
    with env.db.begin() as s:
        return (s.scalar(select(func.count()).select_from(BudgetLine).where(BudgetLine.deleted.is_(False))) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_plan_is_replaced_whole_audited_and_dropped_lines_tombstoned(env: Env) -> None:
    saved = _plan(env, 2026, ("50101", "300000"), ("503", "120000.50"), ("513", "80000"))
    assert (saved.lines, saved.income, saved.expense) == (3, D("420000.50"), D("80000.00"))
    _plan(env, 2026, ("50101", "320000"), ("513", "80000"), ("514", "0"))  # 503 dropped, a zero line left out
    with env.db.begin() as s:
        plan = {r.code: r.amount for r in get_plan(s, env.book.id, 2026)}
        rows = {r.account_code: (r.amount, r.deleted) for r in s.scalars(select(BudgetLine))}
        audits = list(s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "budget_line")))
    assert plan == {"50101": D("320000.00"), "513": D("80000.00")}
    assert rows["503"] == (D("120000.50"), True)  # tombstoned, not deleted
    assert audits[0].endswith("编列2026年度财务计划（3个科目，收入 420000.50，支出 80000.00）")
    assert "调整2026年度财务计划（2个科目" in audits[1]
    _plan(env, 2026, ("50101", "320000"), ("513", "80000"))
    with env.db.begin() as s:  # the same plan again writes no audit entry
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "budget_line")) == 2
    _plan(env, 2026, ("503", "1.00"), ("50101", "1"))  # planned again: the tombstone revives
    with env.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(BudgetLine).where(BudgetLine.account_code == "503")) == 1


@pytest.mark.parametrize(("lines", "message"), [
    ([("102", "5")], "科目 102 银行存款 不是收入或支出科目"),
    ([("999", "5")], "科目 999 不存在"),
    ([("501", "5"), ("50101", "5")], "科目 501 经营收入 与其明细科目 50101 出租收入 不能同时编列计划"),
    ([("501", "-5")], "计划金额不能为负数"),
    ([("501", "5.555")], "金额最多两位小数"),
    ([("501", "5"), ("501", "6")], "科目 501 重复"),
])
def test_a_bad_plan_is_refused_whole(env: Env, lines: list[tuple[str, str]], message: str) -> None:
    _plan(env, 2026, ("513", "100"))
    before = _counts(env)
    with pytest.raises(ValidationError) as err:
        _plan(env, 2026, ("514", "100"), *lines)
    assert message in err.value.message
    assert _counts(env) == before  # nothing half-applied


def test_an_undo_is_refused_once_the_plan_changed_again(env: Env) -> None:
    from desktop_app.core.errors import ConflictError

    _plan(env, 2026, ("513", "100"))
    with env.db.begin() as s:
        seen = get_plan(s, env.book.id, 2026)
    _plan(env, 2026, ("513", "200"))
    with pytest.raises(ConflictError, match="已被再次修改"), env.db.begin("test") as s:
        set_plan(s, env.book.id, 2026, [PlanInput("513", D(1))], user=env.maker, expected=seen)


def test_floats_years_and_roles_are_refused(env: Env) -> None:
    with env.db.begin() as s:
        preview = preview_plan(s, env.book.id, 2026, [PlanInput("501", 1.5)])  # type: ignore[arg-type]
        assert preview.errors == ("第1行“计划金额”列：金额必须是精确的数字",)
        with pytest.raises(ValidationError, match="账套自2026年启用"):
            set_plan(s, env.book.id, 2025, [PlanInput("501", D(1))], user=env.maker)
        watcher = create_user(s, username="jd", display_name="监督", password="secret1", roles=["supervisor"])
    with pytest.raises(PermissionDenied):
        _plan(env, 2026, ("501", "1"), user=watcher)


def test_plan_against_actual_uses_the_income_expense_statement(env: Env) -> None:
    env.vouch(date(2026, 2, 3), "收门面房租金", ("10201", "150000.00", "0"), ("50101", "0", "150000.00"))
    env.vouch(date(2026, 3, 3), "收发包金", ("10201", "40000.00", "0"), ("50102", "0", "40000.00"))
    env.vouch(date(2026, 3, 9), "办公费", ("51302", "1234.56", "0"), ("10201", "0", "1234.56"))
    env.vouch(date(2026, 4, 9), "村干部报酬", ("51301", "9000.00", "0"), ("10201", "0", "9000.00"))
    _plan(env, 2026, ("50101", "300000"), ("50102", "50000"), ("513", "20000"))
    with env.db.begin() as s:
        report = plan_vs_actual(s, env.book.id, 2026, "2026-03")
        st = income_expense_statement(s, env.book.id, "2026-01", "2026-03")
    rows = {ln.label: (ln.planned, ln.actual, ln.rate) for ln in report.lines}
    assert rows["经营收入"] == (D("350000.00"), D("190000.00"), D("54.3"))  # its details' plans summed
    assert rows["出租收入"] == (D("300000.00"), D("150000.00"), D("50.0"))
    assert rows["发包收入"] == (D("50000.00"), D("40000.00"), D("80.0"))
    assert rows["管理费用"] == (D("20000.00"), D("1234.56"), D("6.2"))  # April is not in the actual yet
    by_statement = {ln.label: ln.values[0] for ln in st.lines}
    assert rows["收入合计"][1] == by_statement["收入合计"] and rows["支出合计"][1] == by_statement["支出合计"]
    assert rows["收入合计"][0] == D("350000.00") and rows["收支差额（收入合计－支出合计）"][0] == D("330000.00")
    tops = [ln for ln in report.lines if ln.side == "收入" and not ln.indent and not ln.is_total]
    assert sum(ln.actual for ln in tops) == rows["收入合计"][1]  # the totals add up as printed


def _cli(env: Env, *args: str) -> int:
    return cli_main(["--user", "kj", "plan", *args, "--db", str(env.db.path), "--org", USCC, "--year", "2026"])


def test_template_fill_import_export_round_trip(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "计划模板.xlsx"
    assert _cli(env, "template", "--out", str(template)) == 0
    ws = openpyxl.load_workbook(template).active
    assert ws is not None
    assert ws["A1"].value == "东湖村股份经济合作社2026年度财务计划" and "东湖村股份经济合作社" in ws["A2"].value
    assert [c.value for c in ws[3]] == ["科目编码", "科目名称", "收支", "计划金额", "说明"]
    assert ws.print_title_rows and ws.auto_filter.ref and ws.page_setup.fitToWidth == 1
    codes = {str(ws.cell(r, 1).value): r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value}
    assert {"501", "50101", "513", "51302"} <= set(codes)
    wb = openpyxl.load_workbook(template)
    ws = wb.active
    assert ws is not None
    ws.cell(codes["50101"], 4).value = 300000  # a number cell
    ws.cell(codes["503"], 4).value = "１２０，０００．５０元"  # text, full-width
    ws.cell(codes["513"], 4).value = 80000.255  # a number with a third decimal place
    ws.cell(codes["513"], 5).value = "含村干部报酬"
    bad = tmp_path / "错误.xlsx"
    wb.save(bad)
    assert _cli(env, "import", str(bad)) == 1
    out = capsys.readouterr()
    assert f"第{codes['513']}行“计划金额”列：金额最多两位小数" in out.out + out.err
    assert _counts(env)[0] == 0  # nothing written
    ws.cell(codes["513"], 4).value = 80000.25
    good = tmp_path / "计划.xlsx"
    wb.save(good)
    assert _cli(env, "import", str(good), "--dry-run") == 0
    # options may also come before the file
    assert cli_main(["--user", "kj", "plan", "import", "--db", str(env.db.path), "--org", USCC, "--year", "2026", "--dry-run",
                     str(good)]) == 0
    assert "只检查" in capsys.readouterr().out and _counts(env)[0] == 0
    assert _cli(env, "import", str(good)) == 0
    assert "收入 420,000.50" in capsys.readouterr().out
    with env.db.begin() as s:
        assert {r.code: (r.amount, r.note) for r in get_plan(s, env.book.id, 2026)} == {
            "50101": (D("300000.00"), None), "503": (D("120000.50"), None), "513": (D("80000.25"), "含村干部报酬")}
    exported = tmp_path / "导出.xlsx"
    assert _cli(env, "export", "--out", str(exported)) == 0
    assert _cli(env, "import", str(exported), "--dry-run") == 0  # the export imports again as it is
    ws = openpyxl.load_workbook(exported).active
    assert ws is not None
    amounts = {str(ws.cell(r, 1).value): ws.cell(r, 4).value for r in range(4, ws.max_row + 1)}
    assert amounts["513"] == 80000.25 and ws.cell(codes["513"], 4).number_format == "#,##0.00"


def test_the_disclosure_prints_plan_against_actual(env: Env) -> None:
    from desktop_app.reports.disclosure.builder import build_disclosure

    env.vouch(date(2026, 3, 3), "收门面房租金", ("10201", "150000.00", "0"), ("50101", "0", "150000.00"))
    with env.db.begin() as s:
        pdf = build_disclosure(s, env.book.organisation_id, "2026-03", book_ids=[env.book.id]).pdf
    assert "财务计划执行情况" not in _text(pdf)  # no plan: no section
    _plan(env, 2026, ("50101", "300000"), ("513", "20000"))
    with env.db.begin() as s:
        pdf = build_disclosure(s, env.book.organisation_id, "2026-03", book_ids=[env.book.id]).pdf
    text = _text(pdf)
    part = text.split("2026年度财务收支计划执行情况")[1]
    assert "本年预算 本年累计实际 执行率" in part
    assert "经营收入 300,000.00 150,000.00 50.0%" in part
    assert "管理费用 20,000.00 0.00 0.0%" in part
    assert "收入合计 300,000.00 150,000.00 50.0%" in part
    assert text.index("财务计划执行情况") < text.index("资产负债情况")  # order 15: after 收支, before 资产负债


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(p.extract_text() or "" for p in doc.pages)


def test_the_dialog_enters_and_saves_a_plan(qtbot: Any, env: Env, tmp_path: Path) -> None:
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.pages.funds_plan import AMOUNT, NOTE, PlanDialog
    from desktop_app.ui.settings import WindowSettings

    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    ctx.period = "2026-03"
    dlg = PlanDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.year.value() == 2026
    model = dlg.model
    codes = [model.row_at(r).code for r in range(model.rowCount())]
    assert model.setData(model.index(codes.index("50101"), AMOUNT), "１２,０００元")
    assert model.setData(model.index(codes.index("513"), AMOUNT), "3000.5")
    assert model.setData(model.index(codes.index("513"), NOTE), "办公及报酬")
    assert not model.setData(model.index(codes.index("514"), AMOUNT), "1.234")  # refused, shown, cell unchanged
    assert "最多两位小数" in dlg.problems.toPlainText()
    assert dlg.totals_label.text().startswith("收入计划 12,000.00　支出计划 3,000.50")
    dlg.save()
    with env.db.begin() as s:
        assert {r.code: (r.amount, r.note) for r in get_plan(s, env.book.id, 2026)} == {
            "50101": (D("12000.00"), None), "513": (D("3000.50"), "办公及报酬")}
    assert ctx.undo_entry is not None and ctx.undo_entry.text == "编列2026年度财务计划"
    second = PlanDialog(ctx)
    qtbot.addWidget(second)
    assert second.model.setData(second.model.index(codes.index("50101"), AMOUNT), "13000")
    second.save()
    assert ctx.undo_entry is not None and ctx.undo_entry.text == "调整2026年度财务计划"
    ctx.undo_last()  # the earlier plan back, as a service call (audited)
    with env.db.begin() as s:
        assert {r.code: r.amount for r in get_plan(s, env.book.id, 2026)} == {"50101": D("12000.00"),
                                                                              "513": D("3000.50")}
    again = PlanDialog(ctx)
    qtbot.addWidget(again)
    bad = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["科目编码", "科目名称", "收支", "计划金额", "说明"])
    ws.append(["501", "经营收入", "收入", 5, None])
    ws.append(["50101", "出租收入", "收入", 6, None])
    wb.save(bad)
    assert not again.load_file(bad)  # parent and detail both planned: the table stays as saved
    assert "不能同时编列计划" in again.problems.toPlainText()
    assert {r.code: r.amount for r in again.rows() if r.amount is not None} == {"50101": D("12000.00"),
                                                                                "513": D("3000.50")}


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
