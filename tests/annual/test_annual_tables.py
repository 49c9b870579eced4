"""The annual tables (issue #17): every figure is the books' or the registers' own, townships sum
their villages exactly, the xlsx reads back as numbers in the platform's column order, and the CLI
writes it (``--org``, ``--all``) or refuses a year without books."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from db.migrate import open_database
from desktop_app.cli import main
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.annual_tables import AnnualForm, AnnualTables, annual_tables
from desktop_app.core.services.asset_reconcile import reconcile_assets
from desktop_app.core.services.assets_report import asset_change_table
from desktop_app.core.services.distribution_query import find_plan
from desktop_app.core.services.district_common import villages
from desktop_app.core.services.orgs import ORG_OWN_BOOK_KINDS, list_books
from desktop_app.core.services.resources import list_parcels
from desktop_app.core.services.statements import build_statement, income_figures
from desktop_app.excel.annual_xlsx import LEADING, write_annual_xlsx
from tests.annual.conftest import Town
from tests.conftest import copy_of

DONGHU, XILING, NANTANG, BEIPO = (f"{n}村股份经济合作社" for n in ("东湖", "西岭", "南塘", "北坡"))


def _numeric(form: AnnualForm) -> list[int]:
    return [i for i, c in enumerate(form.columns) if c.kind not in ("text", "each")]


def _check_totals(form: AnnualForm) -> None:
    """Each 乡镇合计 row is the sum of the village rows above it (back to the previous total), the 总计
    the sum of the township rows: column by column, exactly."""
    group: list[tuple[object, ...]] = []
    towns: list[tuple[object, ...]] = []
    for row in form.rows:
        if row.level == "村":
            group.append(row.values)
        elif row.level == "乡镇合计":
            for i in _numeric(form):
                assert row.values[i] == sum(v[i] for v in group), (form.title, row.name, form.columns[i].label)
            towns.append(row.values)
            group = []
        else:
            for i in _numeric(form):
                assert row.values[i] == sum(v[i] for v in towns), (form.title, form.columns[i].label)
    assert not group, "every village row is followed by its township's total"
    for row in form.rows:  # names and 每股 are not added up
        assert not row.is_total or all(row.values[i] is None for i, c in enumerate(form.columns)
                                       if c.kind in ("text", "each"))


def test_two_townships_each_village_its_books_and_registers(town: Town) -> None:
    with town.db.read() as s:
        t = annual_tables(s, 2025)
    basic = t.form("basic")
    assert [r.name for r in basic.rows] == [DONGHU, XILING, "阳光街道合计", NANTANG, "月湖镇合计", "总计"]
    assert [(v.name, why) for v, why in t.skipped] == [(BEIPO, "2025年没有记账")]
    assert [f.key for f in t.forms] == ["basic", "balance-sheet-2023", "income-distribution-2023",
                                        "balance-sheet-2004", "income-distribution-2004", "distribution", "fixed-assets",
                                        "resources"]
    # the committee's own book (777.00) is another body's: not the collective's income
    assert basic.value(DONGHU, "basic.operating") == Decimal("1000.00")
    assert basic.value(DONGHU, "basic.net") == Decimal("700.00")
    assert basic.value(DONGHU, "basic.books") == "01 东湖村股份经济合作社"
    assert basic.value(XILING, "basic.chart") == "2004版"
    assert basic.value(XILING, "basic.operating") == Decimal("2000.00")  # 511 发包及上交收入 is operating
    assert basic.value(NANTANG, "basic.operating") == Decimal("5000.00")  # 502 投资收益 too (2023)
    assert basic.value("阳光街道合计", "basic.operating") == Decimal("3000.00")
    assert basic.value("总计", "basic.operating") == Decimal("8000.00")
    assert basic.value("总计", "basic.chart") is None
    # members at 31 December 2025: the one who died in June and the one who joined in 2026 are out
    assert (basic.value(DONGHU, "basic.households"), basic.value(DONGHU, "basic.members")) == (1, 1)
    assert basic.value("总计", "basic.members") == 1
    bs23, bs04 = t.form("balance-sheet-2023"), t.form("balance-sheet-2004")
    assert [r.name for r in bs23.rows] == [DONGHU, "阳光街道合计", NANTANG, "月湖镇合计", "总计"]
    assert [r.name for r in bs04.rows] == [XILING, "阳光街道合计"]
    assert bs23.value(DONGHU, "bs2023.a1") == Decimal("700.00")
    assert bs23.value(NANTANG, "bs2023.a1") == Decimal("5000.00")
    assert bs23.value(DONGHU, "bs2023.e3") == Decimal("700.00")  # the year's result, not closed yet
    assert bs04.value(XILING, "bs2004.a19") == bs04.value(XILING, "bs2004.e5") == Decimal("2000.00")
    inc = t.form("income-distribution-2023")
    assert (inc.value(DONGHU, "id2023.i1"), inc.value(DONGHU, "id2023.i5"), inc.value(DONGHU, "id2023.i13")) == (
        Decimal("1000.00"), Decimal("300.00"), Decimal("700.00"))
    dist = t.form("distribution")
    assert dist.value(DONGHU, "dist.status") == "未编制" and dist.value(DONGHU, "dist.per_share") is None
    assert dist.value("总计", "dist.members") == Decimal("0.00") and dist.value("总计", "dist.status") is None
    land = t.form("resources")
    assert land.value(DONGHU, "land.total") == Decimal("42.8456")
    assert (land.value(DONGHU, "land.耕地"), land.value(DONGHU, "land.林地")) == (Decimal("12.3456"), Decimal("30.5000"))
    assert (land.value(DONGHU, "land.let"), land.value(DONGHU, "land.own")) == (Decimal("30.5000"), Decimal("12.3456"))
    assert land.value("总计", "land.total") == Decimal("51.0956")
    assert land.value("总计", "land.parcels") == 3
    for form in t.forms:
        _check_totals(form)


def test_a_later_year_takes_the_village_whose_books_begin_then(town: Town) -> None:
    with town.db.read() as s:
        t = annual_tables(s, 2026)
        one = annual_tables(s, 2026, organisation=town.uscc["北坡"])
    assert [r.name for r in t.form("basic").rows] == [BEIPO, "月湖镇合计"]
    assert {v.name for v, _ in t.skipped} == {DONGHU, XILING, NANTANG}
    assert [r.name for r in one.form("basic").rows] == [BEIPO]  # one village: no township line
    assert one.scope == BEIPO and one.form("basic").value(BEIPO, "basic.operating") == Decimal("400.00")


@pytest.mark.parametrize(("year", "org", "message"), [
    (2024, None, "2024年没有任何村记账，不能编制2024年年报"),
    (2025, "北坡", "北坡村股份经济合作社 2025年还没有账（北坡村股份经济合作社自2026年1月启用），不能编制2025年年报"),
    (2026, "东湖", "东湖村股份经济合作社 2026年没有记账（没有已记账的凭证），不能编制2026年年报"),
    (26, None, "年度“26”不对"),
])
def test_a_year_without_books_is_refused(town: Town, year: int, org: str | None, message: str) -> None:
    with town.db.read() as s, pytest.raises(ValidationError) as refused:
        annual_tables(s, year, organisation=town.uscc[org] if org else None)
    assert message in str(refused.value)


def _statement_values(s: object, book_id: object, kind: str, year: int, column: int) -> list[object]:
    st = build_statement(s, book_id, kind, f"{year}-01", f"{year}-12")  # type: ignore[arg-type]
    return [line.values[column] for line in st.lines if not line.is_heading]


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_demo_ties_to_its_statements_and_registers_to_the_fen(two_year_demo: Path, tmp_path: Path,
                                                                  year: int) -> None:
    db = open_database(copy_of(two_year_demo, tmp_path))
    try:
        with db.read() as s:
            t = annual_tables(s, year)
            assert not t.skipped
            bs, inc, fa, land, basic, dist = (t.form(k) for k in (
                "balance-sheet-2023", "income-distribution-2023", "fixed-assets", "resources", "basic", "distribution"))
            checked = plans = 0
            for v in villages(s):
                [book] = [b for b in list_books(s, v.organisation_id) if b.kind in ORG_OWN_BOOK_KINDS]
                row = bs.row(v.name)
                assert list(row.values) == _statement_values(s, book.id, "balance-sheet", year, 1)
                assert list(inc.row(v.name).values) == _statement_values(s, book.id, "income-distribution", year, 0)
                figures = income_figures(s, book.id, f"{year}-01", f"{year}-12")
                assert basic.value(v.name, "basic.operating") == figures.operating_income
                assert basic.value(v.name, "basic.income") == figures.total_income
                cards = asset_change_table(s, book.id, f"{year}-01", f"{year}-12")
                assert fa.value(v.name, "fa.net") == sum((c.closing_net for c in cards), Decimal("0.00"))
                rec = reconcile_assets(s, book.id, f"{year}-12")  # the 账卡核对's own totals
                assert fa.value(v.name, "fa.cost") == rec.lines[2].cards
                assert fa.value(v.name, "fa.book_cost") == rec.lines[2].books
                assert fa.value(v.name, "fa.acc") == rec.lines[3].cards
                assert fa.value(v.name, "fa.op_cost") == rec.lines[0].cards
                plan = find_plan(s, book.id, year)
                if plan is not None:  # the demo distributes 2025's income in 2026
                    assert (dist.value(v.name, "dist.status"), dist.value(v.name, "dist.members"),
                            dist.value(v.name, "dist.per_share"), dist.value(v.name, "dist.households"),
                            dist.value(v.name, "dist.paid")) == (plan.status, plan.members_amount, plan.per_share,
                                                                 plan.households, plan.paid_total)
                    plans += 1
                else:
                    assert dist.value(v.name, "dist.status") == "未编制"
                parcels = list_parcels(s, v.organisation_id, on=date(year, 12, 31))
                assert land.value(v.name, "land.total") == sum((p.area_mu for p in parcels), Decimal("0.0000"))
                assert land.value(v.name, "land.parcels") == len(parcels)
                checked += 1
            assert checked == 3 and plans == (3 if year == 2025 else 0)
            for form in t.forms:
                _check_totals(form)
    finally:
        db.close()


def _read_back(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in r) for r in ws.iter_rows()] for ws in wb}


def _assert_workbook(path: Path, t: AnnualTables) -> None:
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [f.title for f in t.forms] + ["说明"]
    for form in t.forms:
        ws = wb[form.title]
        header = [c.value for c in ws[1]]
        assert header == [h for h, _w in LEADING] + [c.label for c in form.columns]  # row 1: the platform's order
        assert ws.max_row == 1 + len(form.rows)
        n = 0
        for r, row in enumerate(form.rows, start=2):
            cells = ws[r]
            n += 0 if row.is_total else 1
            assert cells[0].value == (None if row.is_total else n)
            assert (cells[1].value, cells[3].value) == (row.name, row.region_code or None)
            for col, cell, value in zip(form.columns, cells[len(LEADING):], row.values, strict=True):
                if col.kind == "text" or value is None:
                    assert cell.value == value
                    continue
                assert cell.data_type == "n" and Decimal(str(cell.value)) == value, (form.title, row.name, col.label)
                assert cell.number_format == ("0" if col.kind == "int" else "#,##0.00")
        assert ws.freeze_panes == "C2" and ws.print_title_rows == "$1:$1"


def test_the_workbook_reads_back_as_numbers_in_the_forms_order(town: Town, tmp_path: Path) -> None:
    with town.db.read() as s:
        t = annual_tables(s, 2025)
    out = write_annual_xlsx(t, tmp_path / "年报.xlsx")
    _assert_workbook(out, t)
    notes = [r[0] for r in _read_back(out)["说明"]]
    assert f"　{BEIPO}（{town.uscc['北坡']}）：2025年没有记账" in notes


def test_cli_writes_one_village_and_all_and_refuses_a_year_without_books(town: Town, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = str(town.db.path)
    with town.db.read() as s:
        expected_all, expected_one = annual_tables(s, 2025), annual_tables(s, 2025, organisation=town.uscc["东湖"])
    town.db.close()
    every, one = tmp_path / "all.xlsx", tmp_path / "one.xlsx"
    assert main(["export", "annual-tables", "--db", db, "--all", "--year", "2025", "--out", str(every)]) == 0
    out = capsys.readouterr().out
    assert "已导出 2025 年度农村集体资产年报：3 个村，8 张表" in out and f"未列入：{BEIPO}" in out
    _assert_workbook(every, expected_all)
    assert main(["export", "annual-tables", "--db", db, "--org", "320115106201", "--period", "2025",
                 "--out", str(one)]) == 0
    _assert_workbook(one, expected_one)
    assert [r[1] for r in _read_back(one)["基本情况"]] == ["单位名称", DONGHU]
    refused = tmp_path / "none.xlsx"
    cases = [(["--all", "--year", "2024"], "2024年没有任何村记账"),
             (["--org", town.uscc["北坡"], "--year", "2025"], "自2026年1月启用"),
             (["--all", "--year", "二〇二五"], "格式应为四位年份"),
             (["--all"], "请用 --year 指定年度"),
             (["--year", "2025"], "请用 --org 指定组织")]
    for args, message in cases:
        assert main(["export", "annual-tables", "--db", db, *args, "--out", str(refused)]) == 1
        assert message in capsys.readouterr().err
    assert not refused.exists()
