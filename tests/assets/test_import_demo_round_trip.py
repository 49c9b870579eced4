"""Every village of the demo: its 资产台账, 资源台账 and 项目台账 xlsx (as the CLI and the pages write
them) read back into the same organisation in 更新已有 as 0 new and 0 changed — disposed and
adjusted cards, parcels under contracts, 工程 with tenders and final accounts included (issue #15)."""

from __future__ import annotations

from pathlib import Path

from db.engine import Database
from desktop_app.core.services.orgs import list_books
from desktop_app.excel.assets_xlsx import write_sheet_xlsx
from desktop_app.excel.importers import run_import
from desktop_app.reports import assets_sheets as sheets


def test_the_demo_registers_read_back_unchanged(demo_db: Database, tmp_path: Path) -> None:
    checked = 0
    with demo_db.begin("test") as s:
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
        with demo_db.begin("test") as s:
            book = max(list_books(s), key=lambda b: len(sheets.asset_register(s, b.organisation_id, b.id).rows))
            built = {"assets": sheets.asset_register(s, book.organisation_id, book.id),  # a disposed card among them
                     "resources": sheets.resource_register(s, book.organisation_id),
                     "projects": sheets.project_list(s, book.organisation_id, 2026)}
        for kind, sheet in built.items():
            path = write_sheet_xlsx(sheet, tmp_path / f"{kind}.xlsx")
            with fresh.db.begin("test") as s:
                check, done = run_import(s, kind, path, organisation_id=fresh.org.id, book_id=fresh.book.id,
                                         apply=True)
            assert check.ok, (kind, [str(p) for p in check.problems[:5]])
            disposed = [r for r in sheet.rows if "已处置" in r] if kind == "assets" else []
            assert done is not None and done.added == len(sheet.rows) - len(disposed)
            if disposed:  # a disposed card is not registered anew, and the preview says so
                assert check.count("skipped") == len(disposed) and "已处置的资产" in check.notes[0]
                assert done.message.endswith(f"已处置未导入 {len(disposed)} 条") and "已有未动" not in done.message
    finally:
        fresh.db.close()
