"""Formula injection (issues #15, #19): user text beginning with = + - @ comes out of every xlsx the
program writes as exactly that text in a string cell (data_type "s"), never a formula, and the
importers read it back unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop_app.cli import main
from desktop_app.core.errors import UserError
from desktop_app.core.ids import make_ric
from desktop_app.core.services.contracts import list_contracts
from desktop_app.core.services.members import list_households, list_members
from desktop_app.excel.contracts_import import apply_contract_import
from desktop_app.excel.contracts_xlsx import IMPORT_HEADERS
from desktop_app.excel.members_xlsx import import_members_xlsx
from tests.acting import keeper
from tests.contracts.conftest import make_env
from tests.district.conftest import hand_town, pg_view  # noqa: F401  (fixtures of the district reports' test)
from tests.members.conftest import make_village


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")  # the fixture users' password, for the CLI


EVIL = ("=1+1", "+1", "-1", "@SUM(A1)")
ORG = "N2320115MF00000121"  # the fixture village of tests/members and tests/contracts


def _write_sheet(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """An import sheet as a user would type it in Excel: text cells stay text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(EVIL):
                cell.data_type = "s"  # what Excel stores for text typed with a leading '
    wb.save(path)
    return path


def _evil_cells(path: Path) -> dict[str, list[str]]:
    """Every cell of every sheet holding one of EVIL (or text starting with it): value → data types;
    and asserts the workbook holds no formula at all."""
    found: dict[str, list[str]] = {}
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.startswith(EVIL):
                    found.setdefault(cell.value, []).append(cell.data_type)
    return found


def _assert_all_text(path: Path, expected: set[str]) -> None:
    found = _evil_cells(path)
    assert expected <= set(found), f"{path.name}: missing {expected - set(found)}"
    assert all(t == "s" for types in found.values() for t in types), found


def _people() -> list[list[object]]:
    rics = [make_ric("320115", date(1960 + i, 3, 4), 11 + i) for i in range(len(EVIL))]
    return [[f"10{i}", text, text, ric, "户主", date(2019, 12, 31), 1, 1]
            for i, (text, ric) in enumerate(zip(EVIL, rics, strict=True))]


def test_members_exports_keep_formula_like_names_as_text_and_import_reads_them_back(tmp_path: Path) -> None:
    v = make_village(tmp_path / "v.db")
    sheet = _write_sheet(tmp_path / "in.xlsx", ["户号", "组别", "姓名", "身份证号", "与户主关系", "确认日期", "人口股", "农龄股"],
                         _people())
    with v.db.begin("test") as s:
        preview, result = import_members_xlsx(s, v.org.id, sheet, apply=True, event_date=date(2019, 12, 31),
                                              user=v.user)
    assert result is not None, preview.errors
    with v.db.begin() as s:
        assert sorted(m.name for m in list_members(s, v.org.id)) == sorted(EVIL)
        assert sorted(h.group_name for h in list_households(s, v.org.id)) == sorted(EVIL)
    v.db.close()
    db = str(tmp_path / "v.db")
    for kind in ("members", "households", "shares"):
        out = tmp_path / f"{kind}.xlsx"
        assert main(["--user", "kj", "export", kind, "--org", ORG, "--db", db, "--out", str(out)]) == 0
        _assert_all_text(out, set(EVIL))
        exact = _evil_cells(out)
        assert all(e in exact for e in EVIL)  # the exact text, nothing added or dropped

    # the exported 成员名册 imports into another village with the names unchanged
    w = make_village(tmp_path / "w.db")
    with w.db.begin("test") as s:
        preview, result = import_members_xlsx(s, w.org.id, tmp_path / "members.xlsx", apply=True,
                                              event_date=date(2019, 12, 31), user=w.user)
    assert result is not None, preview.errors
    with w.db.begin() as s:
        assert sorted(m.name for m in list_members(s, w.org.id)) == sorted(EVIL)
    w.db.close()


def test_contract_exports_keep_formula_like_text_and_import_reads_it_back(tmp_path: Path) -> None:
    env = make_env(tmp_path / "c.db")
    base = dict(zip(IMPORT_HEADERS, [
        None, "果园承包合同", "资源发包", "南山果园", "南山", "园地", 30.5, "李四", "个人", "11010519491231002X",
        "13900000000", date(2025, 12, 1), date(2026, 1, 1), date(2030, 12, 31), "单价", None, 700.5, "年付", 5, 3, 30,
        1000, "是", None], strict=True))
    rows = []
    for i, text in enumerate(EVIL):
        r = dict(base, **{"合同编号": f"Y-{i}", "合同名称": text, "标的": text, "承包方名称": text, "备注": text,
                         "证件号码": make_ric("320115", date(1970 + i, 5, 6), 31 + i)})
        rows.append([r[h] for h in IMPORT_HEADERS])
    sheet = _write_sheet(tmp_path / "in.xlsx", list(IMPORT_HEADERS), rows)
    with env.db.begin("test") as s:
        assert apply_contract_import(s, sheet, organisation_id=env.org.id, book_id=env.book.id, user=env.user) == len(EVIL)
    with env.db.begin() as s:
        got = {(c.name, c.subject, c.counterparty_name) for c in list_contracts(s, env.org.id)}
    assert got == {(t, t, t) for t in EVIL}
    env.db.close()
    db = str(tmp_path / "c.db")
    for kind in ("contracts", "installments", "arrears"):
        out = tmp_path / f"{kind}.xlsx"
        assert main(["--user", "kj", "export", kind, "--all", "--as-of", "2027-03-01", "--db", db,
                     "--out", str(out)]) == 0
        _assert_all_text(out, set(EVIL) if kind == "contracts" else set())


def test_contract_import_refuses_a_formula_it_cannot_evaluate(tmp_path: Path) -> None:
    """A formula without a stored result is named by row and column, never read as blank."""
    env = make_env(tmp_path / "c.db")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(IMPORT_HEADERS))
    ws.append(["Y-1", "果园承包合同", "资源发包", "南山果园", "南山", "园地", 30.5, "=CONCAT(\"李\",\"四\")", "个人",
               "11010519491231002X", "13900000000", date(2025, 12, 1), date(2026, 1, 1), date(2030, 12, 31), "单价",
               None, 700.5, "年付", 5, 3, 30, 1000, "是", None])
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(UserError, match="第2行H列“承包方名称”：是公式"), env.db.begin("test") as s:
        apply_contract_import(s, tmp_path / "f.xlsx", organisation_id=env.org.id, book_id=env.book.id, user=env.user)
    with env.db.begin() as s:
        assert list_contracts(s, env.org.id) == []
    env.db.close()


@pytest.mark.parametrize("text", EVIL)
def test_streamed_and_finished_sheets_store_formula_like_text_as_text(tmp_path: Path, text: str) -> None:
    """The two paths every writer goes through: ``finish_sheet`` (normal sheets, including the
    title it puts on the sheet) and ``StreamSheet`` (write_only sheets)."""
    from openpyxl import Workbook

    from desktop_app.excel.print_setup import StreamSheet, finish_sheet

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["名称", "金额", "日期"])
    ws.append([text, 12.5, date(2026, 1, 2)])
    finish_sheet(ws, title=text, subtitle=text, header_rows=1)
    wb.save(tmp_path / "n.xlsx")
    streamed = Workbook(write_only=True)
    sheet = StreamSheet(streamed, "表", title=text, subtitle=text, headers=[text, "金额", "日期"], widths=[10],
                        formats=[None, "#,##0.00", None])
    sheet.append([text, 12.5, date(2026, 1, 2)])
    sheet.append([text, -3, None])
    sheet.close()
    streamed.save(tmp_path / "w.xlsx")
    for name in ("n.xlsx", "w.xlsx"):
        found = _evil_cells(tmp_path / name)
        assert set(found) == {text} and set(found[text]) == {"s"} and len(found[text]) >= 3
        ws2 = openpyxl.load_workbook(tmp_path / name).worksheets[0]
        numbers = [c.value for row in ws2.iter_rows() for c in row if isinstance(c.value, (int, float))]
        assert 12.5 in numbers  # numbers stay numbers


def test_asset_export_keeps_formula_like_names_as_text(tmp_path: Path) -> None:
    from tests.assets.conftest import make_env as make_assets_env

    env = make_assets_env(tmp_path / "a.db")
    for i, text in enumerate(EVIL):
        env.asset(f"ZC-00{i}", name=text, voucher=False)
    org = env.org.uscc
    env.db.close()
    out = tmp_path / "assets.xlsx"
    assert main(["--user", "kj", "export", "assets", "--org", org, "--out", str(out), "--db", str(tmp_path / "a.db")]) == 0
    _assert_all_text(out, set(EVIL))


def test_opening_sheet_refuses_a_formula_it_cannot_evaluate(tmp_path: Path) -> None:
    from desktop_app.excel.opening_xlsx import read_opening_sheet

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["科目编码", "科目名称", "借方余额", "贷方余额"])
    ws.append(["101", "库存现金", "=100+200", None])
    wb.save(tmp_path / "o.xlsx")
    with pytest.raises(UserError, match="单元格 C2是公式"):
        read_opening_sheet(tmp_path / "o.xlsx")


# --- every xlsx the program writes (issue #15) ---------------------------------------------------
# The demo township with user text beginning with = + - @ in every free-text field a person types
# (names, notes, contract parties, summaries, counterparties …), then every export, report, ledger,
# roster, template and bank sheet the command line writes as xlsx, read back with openpyxl.

POISON = ("=1+1", "+SUM(A1)", "-2+3", "@cmd")
_CASE = "(CASE rowid % 4 WHEN 0 THEN '=1+1' WHEN 1 THEN '+SUM(A1)' WHEN 2 THEN '-2+3' ELSE '@cmd' END)"
POISONED_COLUMNS = {
    "organisation": ("name", "legal_rep", "address"), "book": ("name",), "region": ("name",),
    "household": ("group_name", "head_name", "address", "note"), "member": ("name", "note"),
    "contract": ("name", "subject", "location", "notes"), "contract_counterparty": ("name", "address"),
    "voucher": ("summary",), "entry": ("summary", "counterparty"),
    "asset": ("name", "location", "custodian", "notes"),
    "resource_parcel": ("name", "location", "east", "notes"), "project": ("name", "notes", "tender_winner"),
    "bank_statement_line": ("summary", "counterparty"), "share_type": ("name",), "stocktake": ("name", "notes"),
    "budget_line": ("note",),
}


@dataclass(frozen=True)
class Poisoned:
    db: str
    org: str  # the village's USCC
    bank_period: str
    stocktake: str
    asset: str


@pytest.fixture(scope="module")
def poisoned(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Poisoned:
    import os
    import sqlite3

    from db.backup import backup_file
    from db.migrate import open_database
    from desktop_app.core.services.orgs import find_organisation, list_books
    from desktop_app.core.services.stocktake import start_stocktake

    path = backup_file(demo_template, tmp_path_factory.mktemp("poisoned") / "demo.db")
    raw = sqlite3.connect(path)
    org = raw.execute("SELECT o.uscc FROM organisation o WHERE o.level = '村' AND EXISTS (SELECT 1 FROM contract c "
                      "WHERE c.organisation_id = o.id) ORDER BY o.uscc LIMIT 1").fetchone()[0]
    raw.close()
    database = open_database(path)
    with database.begin("test") as s:
        book = list_books(s, find_organisation(s, org).id)[0]
        take = start_stocktake(s, book_id=book.id, name="年度清查", started_on=date(2026, 10, 31), user=keeper(s))
    database.close()
    raw = sqlite3.connect(path)
    for table, columns in POISONED_COLUMNS.items():
        raw.execute(f"UPDATE {table} SET " + ", ".join(f"{c} = {_CASE} || coalesce({c}, '')" for c in columns))
    raw.execute(f"UPDATE account SET name = {_CASE} || name WHERE is_standard = 0")
    raw.commit()
    bank_period = raw.execute("SELECT max(period) FROM bank_statement_line").fetchone()[0]
    asset = raw.execute("SELECT a.code FROM asset a JOIN organisation o ON o.id = a.organisation_id "
                        "WHERE o.uscc = ? ORDER BY a.code LIMIT 1", (org,)).fetchone()[0]
    raw.close()
    old = os.environ.get("SUNSHINE_LEDGER_PASSWORD")
    os.environ["SUNSHINE_LEDGER_PASSWORD"] = "demo1234"
    try:  # a distribution plan for the roster
        assert main(["distribute", "--db", str(path), "--user", "kuaiji", "--org", org, "--book", "01", "--year", "2026",
                     "--amount-for-members", "10000"]) == 0
    finally:
        if old is None:
            del os.environ["SUNSHINE_LEDGER_PASSWORD"]
        else:
            os.environ["SUNSHINE_LEDGER_PASSWORD"] = old
    return Poisoned(str(path), org, bank_period, str(take.id), asset)


def _commands(p: Poisoned) -> dict[str, tuple[list[str], bool]]:
    """name → (arguments, whether the file must hold user text). Every xlsx the CLI writes."""
    org = ["--org", p.org, "--book", "01"]
    cmds: dict[str, tuple[list[str], bool]] = {}
    for kind in ("members", "households", "shares", "assets", "resources", "projects", "cash-journal", "bank-journal",
                 "vouchers"):
        cmds[f"export {kind}"] = (["export", kind, *org, "--period", "2026"], True)
    for kind in ("general-ledger", "trial-balance", "opening-template"):
        cmds[f"export {kind}"] = (["export", kind, *org, "--period", "2026"], False)
    for kind in ("contracts", "installments", "arrears", "contract-review"):
        cmds[f"export {kind}"] = (["export", kind, "--all", "--as-of", "2026-10-31"], True)
    cmds["export annual-tables"] = (["export", "annual-tables", "--all", "--year", "2026"], True)
    cmds["export orgs"] = (["export", "orgs"], True)
    for kind in ("trial-balance", "income-expense", "balance-sheet", "income-distribution"):
        cmds[f"report {kind}"] = (["report", kind, *org, "--period", "2026" if kind == "income-distribution"
                                   else "2026-10"], False)
    for kind in ("cash-journal", "bank-journal", "vouchers"):
        cmds[f"print {kind}"] = (["print", kind, *org, "--period", "2026-10"], True)
    cmds["print ledger"] = (["print", "ledger", *org, "--period", "2026-10", "--account", "102"], True)
    for kind in ("general-ledger", "trial-balance"):
        cmds[f"print {kind}"] = (["print", kind, *org, "--period", "2026-10"], False)
    for kind in ("assets", "resources", "changes", "projects"):
        cmds[f"asset-report {kind}"] = (["asset-report", kind, *org, "--period", "2026-10"], True)
    cmds["asset-report schedule"] = (["asset-report", "schedule", *org, "--asset", p.asset, "--period", "2026-10"], False)
    cmds["asset-report stocktake"] = (["asset-report", "stocktake", *org, "--stocktake", p.stocktake], True)
    cmds["roster"] = (["roster", *org, "--year", "2026"], True)
    cmds["roster --public"] = (["roster", *org, "--year", "2026", "--public"], True)
    cmds["bank reconcile"] = (["bank", "reconcile", *org, "--period", p.bank_period], True)
    cmds["plan export"] = (["plan", "export", *org, "--year", "2026"], True)
    cmds["plan template"] = (["plan", "template", *org, "--year", "2026"], False)
    return cmds


_NAMES = list(_commands(Poisoned("", "", "", "", "")))


def _scan(path: Path) -> tuple[list[str], dict[str, set[str]], list[str]]:
    """(formula cells, formula-like text → data types, formula-like text cells without the quote prefix)."""
    formulas: list[str] = []
    found: dict[str, set[str]] = {}
    unquoted: list[str] = []
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                where = f"{ws.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    formulas.append(f"{where}: {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(POISON):
                    found.setdefault(cell.value, set()).add(cell.data_type)
                    if not cell.quotePrefix:
                        unquoted.append(where)
    return formulas, found, unquoted


@pytest.mark.parametrize("name", _NAMES)
def test_every_xlsx_the_program_writes_keeps_formula_like_user_text_as_text(
        poisoned: Poisoned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    args, has_text = _commands(poisoned)[name]
    out = tmp_path / "out.xlsx"
    assert main([*args, "--db", poisoned.db, "--user", "kuaiji", "--out", str(out)]) == 0
    formulas, found, unquoted = _scan(out)
    assert formulas == [], f"{name}: formula cells {formulas[:5]}"
    assert all(types == {"s"} for types in found.values()), found
    assert unquoted == [], f"{name}: formula-like text without the quote prefix at {unquoted[:5]}"
    if has_text:
        assert found, f"{name}: none of the user text reached the file"


def test_every_export_kind_and_import_template_is_covered(poisoned: Poisoned, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind added later is run here too (``export KIND`` with the usual options), and every
    import template (``template KIND``) holds no formula either."""
    from desktop_app.cli import build_parser
    from desktop_app.commands import EXPORTS
    from desktop_app.excel.importers import IMPORTERS, _load, write_template

    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    build_parser()
    covered = {n.split(" ", 1)[1] for n in _NAMES if n.startswith("export ")}
    for kind in sorted(set(EXPORTS) - covered):
        scope = ["--all"] if EXPORTS[kind].all_orgs else ["--org", poisoned.org, "--book", "01"]
        out = tmp_path / f"export-{kind}.xlsx"
        assert main(["export", kind, *scope, "--period", "2026", "--year", "2026", "--as-of", "2026-10-31",
                     "--db", poisoned.db, "--user", "kuaiji", "--out", str(out)]) == 0, kind
        formulas, found, unquoted = _scan(out)
        assert formulas == [] and unquoted == [], (kind, formulas[:5], unquoted[:5])
        assert all(types == {"s"} for types in found.values()), (kind, found)
    _load()
    assert "orgs" in IMPORTERS
    for kind in IMPORTERS:
        path = write_template(kind, tmp_path / f"{kind}.xlsx", examples=True)
        formulas, found, unquoted = _scan(path)
        assert formulas == [] and unquoted == [], (kind, formulas, unquoted)
        assert all(types == {"s"} for types in found.values()), (kind, found)


# --- an import never evaluates a formula (issue #15) --------------------------------------------

def _header_row(ws: Any, label: str) -> int:
    return next(c.row for row in ws.iter_rows() for c in row if isinstance(c.value, str)
                and c.value.lstrip("*") == label)


@pytest.mark.parametrize("kind", ["assets", "contracts", "members", "opening", "orgs", "projects", "resources",
                                  "vouchers"])
def test_every_import_kind_refuses_a_formula_without_a_stored_result(db: Any, tmp_path: Path, kind: str) -> None:
    """The kind's own template with one formula typed into its first data row (openpyxl stores no
    result, as a program that does not calculate would): refused by row and column, never blank."""

    from desktop_app.excel.importers import IMPORTERS, _load, run_import, write_template

    _load()
    assert kind in IMPORTERS
    from tests.members.conftest import make_village

    village = make_village(tmp_path / "v.db")  # a real organisation and book: the kind checks its rows against them
    db, org, book = village.db, village.org.id, village.book.id
    with db.begin("test") as s:
        path = write_template(kind, tmp_path / f"{kind}.xlsx", session=s, organisation_id=org, examples=True)
        spec = IMPORTERS[kind].spec(s, org)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    label = spec.fields[1].label  # the second column: a name / 名称 / 科目名称 / 摘要 …
    head = _header_row(ws, spec.fields[0].label)
    column = next(c.column for c in ws[head] if isinstance(c.value, str) and c.value.lstrip("*") == label)
    ws.cell(head + 1, column, "=CONCAT(\"坏\",\"名\")")
    wb.save(path)
    with db.begin("kj") as s:  # one of the file's problems, named by row and column; nothing written
        check, done = run_import(s, kind, path, organisation_id=org, book_id=book, apply=True)
    assert done is None
    assert any(p.row == head + 1 and p.message.startswith("是公式，但文件中没有保存公式的计算结果")
               for p in check.problems), [str(p) for p in check.problems]


def _with_stored_result(path: Path, ref: str, formula: str, stored: str, sheet: str = "sheet1") -> None:
    """Give cell ``ref`` of ``sheet`` the formula ``formula`` and the result Excel stored for it."""
    import re
    import zipfile

    part = f"xl/worksheets/{sheet}.xml"
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    xml = files[part].decode()
    cell = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)')
    assert cell.search(xml), xml[:500]
    xml = cell.sub(f'<c r="{ref}" t="str"><f>{formula}</f><v>{stored}</v></c>', xml, count=1)
    files[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in files.items():
            z.writestr(n, data)


def _orgs_sheet(path: Path, *, first_sheet_note: bool = False, legal_rep: object = "王建国") -> Path:
    from desktop_app.core.ids import make_uscc

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if first_sheet_note:
        ws.title = "说明"
        ws.append(["本文件第二张表为组织名录"])
        ws = wb.create_sheet("名录")
    ws.append(["组织名称", "统一社会信用代码", "行政区划代码", "法定代表人"])
    ws.append(["新华村股份经济合作社", make_uscc("N2320115MF0000012"), "320115106201", legal_rep])
    wb.save(path)
    return path


def test_an_import_reads_the_result_excel_stored_and_never_evaluates_the_formula(db: Any, tmp_path: Path) -> None:
    from desktop_app.core.services.orgs import list_organisations
    from desktop_app.excel.importers import run_import

    path = _orgs_sheet(tmp_path / "orgs.xlsx")
    # what evaluating would give (坏名, 3) is not what the file stored when Excel last calculated it
    _with_stored_result(path, "A2", "CONCAT(&quot;坏&quot;,&quot;名&quot;)", "新华村股份经济合作社")
    _with_stored_result(path, "D2", "1+2", "=SUM(A1)")
    with db.begin() as s:
        keeper(s)
    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, apply=True, user=keeper(s))
    assert check.ok and done is not None, check.problems
    with db.read() as s:
        (org,) = list_organisations(s)
    assert (org.name, org.legal_rep) == ("新华村股份经济合作社", "=SUM(A1)")  # stored text, kept as text


def test_a_formula_without_a_result_is_refused_on_any_sheet_the_table_is_found_on(db: Any, tmp_path: Path) -> None:
    from desktop_app.core.services.orgs import list_organisations
    from desktop_app.excel.importers import run_import

    path = _orgs_sheet(tmp_path / "orgs.xlsx", first_sheet_note=True, legal_rep="=CONCAT(\"王\",\"建国\")")
    with db.begin() as s:
        keeper(s)
    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, apply=True, user=keeper(s))
    assert done is None and [str(p) for p in check.problems if "是公式" in p.message] == [
        "第2行D列“法定代表人”：是公式，但文件中没有保存公式的计算结果，无法读出数值（不会当作空白导入）。"
        "请在 Excel 中打开该文件并保存一次，或把公式改为直接填写的数值"]
    with db.read() as s:
        assert list_organisations(s) == []


@pytest.mark.parametrize("engine_kind", ["sqlite"], indirect=True)
def test_district_reports_keep_formula_like_village_names_as_text(engine_kind: str, request: pytest.FixtureRequest,
                                                                 tmp_path: Path) -> None:
    """The district's xlsx (收入分档, 财务公开, 收益分配, 合同监管) list the villages by the names their
    township gave them, carried by sync: = + - @ names come out as text."""
    from desktop_app.core.services.orgs import update_organisation
    from tests.district.test_stats import book_hand

    h = request.getfixturevalue("hand_town")
    book_hand(h)
    with h.town.begin("test") as s:
        for text, org_id in zip(POISON, h.orgs.values(), strict=True):
            update_organisation(s, org_id, name=f"{text}村股份经济合作社", user=h.maker)
    h.carry()
    for kind in ("tiers", "disclosure", "distribution", "contracts"):
        out = tmp_path / f"{kind}.xlsx"
        assert main(["district", "report", kind, "--db", h.db_arg, "--year", "2026", "--as-of", "2026-12-31",
                     "--out", str(out)]) == 0
        formulas, found, unquoted = _scan(out)
        assert formulas == [] and unquoted == [], (kind, formulas[:5], unquoted[:5])
        assert all(types == {"s"} for types in found.values()), (kind, found)
        if kind in ("tiers", "disclosure", "distribution"):
            assert {v.split("村")[0] for v in found} == set(POISON), (kind, found)
