"""Every village of the demo: its 资产台账, 资源台账 and 项目台账 xlsx (as the CLI and the pages write
them) read back into the same organisation in 更新已有 as 0 new and 0 changed — disposed and
adjusted cards, parcels under contracts, 工程 with tenders and final accounts included (issue #15)."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from db.engine import Database
from desktop_app.core.services.contracts import list_contracts
from desktop_app.core.services.orgs import list_books
from desktop_app.core.services.projects import list_projects
from desktop_app.excel.assets_xlsx import write_sheet_xlsx
from desktop_app.excel.importers import run_import
from desktop_app.reports import assets_sheets as sheets


def test_the_demo_registers_read_back_unchanged(demo_db: Database, tmp_path: Path) -> None:
    checked = 0
    with demo_db.begin("kuaiji") as s:
        books = {b.organisation_id: b for b in list_books(s)}
        for org_id, book in books.items():
            built = {"assets": sheets.asset_register(s, org_id), "resources": sheets.resource_register(s, org_id),
                     "projects": sheets.project_list(s, org_id, 2026)}
            for kind, sheet in built.items():
                if not sheet.rows:
                    continue
                path = write_sheet_xlsx(sheet, tmp_path / f"{kind}-{org_id}.xlsx")
                check, _ = run_import(s, kind, path, organisation_id=org_id, book_id=book.id, mode="update")
                assert check.ok, (kind, sheet.organisation, [str(p) for p in check.problems[:5]])
                changed = [(o.key, [str(c) for c in o.changes]) for o in check.outcomes if o.status != "unchanged"]
                assert changed == [], (kind, sheet.organisation, changed[:5])
                assert check.count("unchanged") == len(sheet.rows)
                checked += 1
    assert checked >= 10


def test_the_demo_registers_import_into_a_fresh_organisation(demo_db: Database, tmp_path: Path) -> None:
    from tests.assets.conftest import make_env

    fresh = make_env(tmp_path / "fresh.db")
    try:
        with demo_db.begin("kuaiji") as s:
            book = max(list_books(s), key=lambda b: len(sheets.asset_register(s, b.organisation_id, b.id).rows))
            built = {"assets": sheets.asset_register(s, book.organisation_id, book.id),  # a disposed card among them
                     "resources": sheets.resource_register(s, book.organisation_id),
                     "projects": sheets.project_list(s, book.organisation_id, 2026)}
        for kind, sheet in built.items():
            path = write_sheet_xlsx(sheet, tmp_path / f"{kind}.xlsx")
            with fresh.db.begin("kj") as s:
                check, done = run_import(s, kind, path, organisation_id=fresh.org.id, book_id=fresh.book.id,
                                         apply=True, user=fresh.user)
            assert check.ok, (kind, [str(p) for p in check.problems[:5]])
            disposed = [r for r in sheet.rows if "已处置" in r] if kind == "assets" else []
            assert done is not None and done.added == len(sheet.rows) - len(disposed)
            if disposed:  # a disposed card is not registered anew, and the preview says so
                assert check.count("skipped") == len(disposed) and any("已处置的资产" in n for n in check.notes)
                assert done.message.endswith(f"已处置未导入 {len(disposed)} 条") and "已有未动" not in done.message
            # another village's file into this one: said first (adding is how a village's registers move)
            assert check.notes[0].startswith("注意：") and "与所选组织“" in check.notes[0]
    finally:
        fresh.db.close()


def _data(path: Path, skip: tuple[str, ...] = ()) -> list[tuple[object, ...]]:
    """The file's header and data rows (from the header down), the columns ``skip`` left out."""
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[0] in ("资产编号", "地块编号", "项目编号", "合同编号"))
    keep = [i for i, h in enumerate(rows[top]) if h not in skip]
    return [tuple(r[i] for i in keep) for r in rows[top:]]


def _village_files(s: Session, org_id: uuid.UUID, out: Path, as_of: date) -> dict[str, Path]:
    """资产台账, 资源台账, 合同台账 and 项目台账 of a village as the CLI writes them (全部身份证号)."""
    from desktop_app.core.services.contracts import list_contracts
    from desktop_app.excel import contracts_xlsx as x

    out.mkdir(parents=True, exist_ok=True)
    files = {kind: write_sheet_xlsx(sheet, out / f"{kind}.xlsx") for kind, sheet in (
        ("assets", sheets.asset_register(s, org_id)), ("resources", sheets.resource_register(s, org_id)),
        ("projects", sheets.project_list(s, org_id, 2026)))}
    rows = list_contracts(s, org_id, as_of=as_of)
    x.export_contracts(out / "contracts.xlsx", rows, scope="东湖村", org_names={org_id: "东湖村"}, as_of=as_of,
                       codes=x.link_codes(s, rows))
    return {**files, "contracts": out / "contracts.xlsx"}


def test_a_demo_village_round_trips_through_a_fresh_organisation_with_its_links(demo_db: Database,
                                                                               tmp_path: Path) -> None:
    """Reviewer defect 6: export → import into a fresh organisation (资产, 资源, 合同, 项目 in that order:
    a contract names its parcel and asset, a project the cards it formed) → export again gives the
    same rows: 合同编号 of a parcel under contract, 形成资产 of a project, 乡镇备案日期 of a contract."""
    from tests.assets.conftest import make_env

    as_of = date(2026, 6, 30)
    fresh = make_env(tmp_path / "fresh.db")
    try:
        with demo_db.begin("kuaiji") as s:
            book = max(list_books(s), key=lambda b: len(list_contracts(s, b.organisation_id)))
            first = _village_files(s, book.organisation_id, tmp_path / "demo", as_of)  # all its books' cards
            formed = sum(p.asset_count for p in list_projects(s, book.organisation_id))
            linked = sum(1 for c in list_contracts(s, book.organisation_id) if c.parcel_id or c.asset_id)
        assert formed and linked  # the village has what the defect lost
        for kind in ("assets", "resources", "contracts", "projects"):
            with fresh.db.begin("kj") as s:
                check, done = run_import(s, kind, first[kind], organisation_id=fresh.org.id, book_id=fresh.book.id,
                                         apply=True, user=fresh.user)
            assert check.ok and done is not None, (kind, [str(p) for p in check.problems[:5]])
        with fresh.db.begin("kj") as s:
            again = _village_files(s, fresh.org.id, tmp_path / "fresh", as_of)
        disposed = [r for r in _data(first["assets"]) if "已处置" in r]  # not registered anew (said in the preview)
        assert [r for r in _data(first["assets"]) if r not in disposed] == _data(again["assets"])
        assert _data(again["resources"]) == _data(first["resources"])
        # a project's 收益 is read from the books' entries, which a register import does not bring
        books = ("2026年收益", "收益率%")
        assert _data(again["projects"], books) == _data(first["projects"], books)
        # 民主程序 (有/无, without the steps' dates) is announced as not imported
        assert _data(again["contracts"], ("民主程序",)) == _data(first["contracts"], ("民主程序",))
    finally:
        fresh.db.close()
