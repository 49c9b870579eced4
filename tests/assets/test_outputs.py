"""Demo data reconciles; xlsx import is all-or-nothing with row+column errors; PDFs and the CLI."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from db.engine import Database
from db.models import Asset, Project, ResourceParcel
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.asset_reconcile import reconcile_assets
from desktop_app.core.services.assets import list_assets
from desktop_app.core.services.orgs import list_books
from desktop_app.excel.assets_xlsx import ASSET_COLUMNS, apply_import, validate_import, write_sheet_xlsx
from desktop_app.reports import assets_sheets as sheets
from desktop_app.reports.assets_pdf import sheet_pdf_bytes
from tests.assets.conftest import Env


def test_demo_cards_reconcile_with_151_and_152(demo_db: Database) -> None:
    from desktop_app.core.demo.funds import CURRENT_PERIOD

    with demo_db.begin() as s:
        books = list_books(s)
        assert s.scalar(select(func.count()).select_from(Asset)) > 6 * 5
        assert s.scalar(select(func.count()).select_from(ResourceParcel)) >= 6 * 5
        assert s.scalar(select(func.count()).select_from(Project)) >= 6
        checked = 0
        for b in books:
            if not list_assets(s, b.organisation_id, book_id=b.id):
                continue
            for period in ("2026-06", CURRENT_PERIOD):
                rep = reconcile_assets(s, b.id, period)
                assert rep.balanced, (b.name, period, rep)
            checked += 1
        assert checked >= 6


def _write_assets_file(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(ASSET_COLUMNS))
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _row(code: str, area: object = None, cost: object = 5000, life: object = 60) -> list[object]:
    values = {"资产编号": code, "资产名称": "会议桌椅", "资产类别": "办公设备", "资产性质": "非经营性", "数量": 10,
              "面积（㎡）": area, "取得日期": date(2026, 2, 3), "原值": cost, "预计使用月数": life, "残值率（%）": 5}
    return [values.get(h) for h in ASSET_COLUMNS]


def test_xlsx_import_validates_every_row_and_writes_nothing_on_error(env: Env, tmp_path: Path) -> None:
    bad = _write_assets_file(tmp_path / "bad.xlsx", [_row("A-1"), _row("A-2", area=12.34567), _row("A-3", cost=-1),
                                                     _row("A-1"), _row("A-4", life=0)])
    with env.db.begin() as s:
        preview = validate_import(s, "assets", bad, organisation_id=env.org.id)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "面积（㎡）"), (4, "原值"), (5, "资产编号"), (6, "预计使用月数")]
    assert "第3行“面积（㎡）”" in str(preview.errors[0]) and "4位小数" in str(preview.errors[0])
    with env.db.begin("kj") as s, pytest.raises(ValidationError, match="4 处错误，未导入任何数据"):
        apply_import(s, "assets", bad, organisation_id=env.org.id, book_id=env.book.id)
    with env.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 0
    good = _write_assets_file(tmp_path / "good.xlsx", [_row("A-1", area=D("12.5")), _row("A-2", cost=1234.5)])
    with env.db.begin("kj") as s:  # the import writes as the transaction's user
        assert apply_import(s, "assets", good, organisation_id=env.org.id, book_id=env.book.id) == 2
        cards = list_assets(s, env.org.id)
    assert [(c.code, c.cost, c.area_m2) for c in cards] == [("A-1", D("5000.00"), D("12.5000")),
                                                            ("A-2", D("1234.50"), None)]


def test_exports_write_numbers_and_pdfs_are_deterministic(env: Env, tmp_path: Path) -> None:
    for i in range(30):  # 31 rows with the totals: two landscape pages of 21 rows
        env.asset(f"ZC-{i:03d}", voucher=False, name=f"路灯{i}", category="其他", nature="公益性",
                  original_value=D("1000.00") + i)
    with env.db.begin() as s:
        sheet = sheets.asset_register(s, env.org.id, label="截至2026年1月")
    out = write_sheet_xlsx(sheet, tmp_path / "a.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(3, 1).value == "资产编号" and ws.cell(4, 10).value == 1000
    assert ws.cell(4, 10).number_format == "#,##0.00" and ws.cell(4, 9).number_format == "yyyy-mm-dd"
    first, again = sheet_pdf_bytes(sheet), sheet_pdf_bytes(sheet)
    assert first == again
    pages = PdfReader(io.BytesIO(first)).pages
    assert len(pages) == 2
    for n, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert "资产编号" in text and f"第 {n} 页 / 共 2 页" in text  # the header is repeated
    assert "单位负责人" in pages[1].extract_text()


def test_cli_depreciate_export_and_report(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli import main

    env.asset()
    db = str(env.db.path)
    org = env.org.uscc
    assert main(["--user", "kj", "depreciate", "--org", org, "--period", "2026-02", "--db", db]) == 0
    assert main(["--user", "kj", "depreciate", "--org", org, "--period", "2026-02", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "已计提，1 项资产，合计 266.67 元" in out and "已计提过，未重复生成" in out
    assert main(["--user", "kj", "reconcile-assets", "--org", org, "--period", "2026-02", "--db", db]) == 0
    assert main(["--user", "kj", "export", "assets", "--org", org, "--out", str(tmp_path / "a.xlsx"), "--db", db]) == 0
    assert main(["--user", "kj", "asset-report", "schedule", "--org", org, "--asset", "ZC-001", "--period", "2029-12",
                 "--out", str(tmp_path / "s.pdf"), "--db", db]) == 0
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(SystemExit) as unknown:  # an unknown kind is a usage error (exit 2)
        main(["--user", "kj", "export", "members-x", "--org", org, "--out", str(tmp_path / "m.xlsx"), "--db", db])
    assert unknown.value.code == 2


def test_disclosure_sheet_includes_the_assets_section(demo_db: Database) -> None:
    from desktop_app.core.demo.funds import CURRENT_PERIOD
    from desktop_app.reports.disclosure.builder import build_disclosure
    from desktop_app.reports.disclosure.registry import registered_sections

    assert "assets" in [s.id for s in registered_sections()]
    with demo_db.begin() as s:
        book = next(b for b in list_books(s) if b.code == "01" and list_assets(s, b.organisation_id))
        doc = build_disclosure(s, book.organisation_id, CURRENT_PERIOD, book_ids=[book.id])
    assert "资产、资源和项目情况" in doc.sheets[0].sections
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(doc.pdf)).pages)
    assert "固定资产情况（期末）" in text and "资源性资产（土地）情况" in text and "集体经济项目及收益" in text


def test_attachments_are_content_addressed_and_checked(env: Env, tmp_path: Path) -> None:
    from desktop_app.core.services.assets import add_attachment, list_attachments, verify_attachments

    a = env.asset()
    photo = tmp_path / "门牌.jpg"
    photo.write_bytes(b"\xff\xd8fake-jpeg")
    store = tmp_path / "attachments"
    with env.db.begin() as s:
        att = add_attachment(s, a.id, photo, attachments_dir=store, note="正面照片", user=env.user)
        assert verify_attachments(s, store) == []
        assert [x.file_name for x in list_attachments(s, a.id)] == ["门牌.jpg"]
    stored = store / att.stored_name
    assert stored.read_bytes() == photo.read_bytes() and att.stored_name.startswith(att.sha256[:2] + "/")
    stored.write_bytes(b"tampered")
    with env.db.begin() as s:
        assert "SHA-256 不符" in verify_attachments(s, store)[0]


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
