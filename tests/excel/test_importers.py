"""The import pipeline's RecordImporter (issue #15) over a real service (the resource register) and a
real SQLite file: modes 仅新增/跳过已有/更新已有, duplicate keys, a blank cell in an update keeps the
value, every problem at once and nothing written unless the whole file is clean."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from db.models import AuditEntry
from desktop_app.core.errors import UserError
from desktop_app.core.services.resources import create_parcel, list_parcels
from desktop_app.excel import importers
from desktop_app.excel.importers import Change, RecordImporter, run_import, write_template
from desktop_app.excel.table_read import open_table
from tests.excel import parcel_kind
from tests.members.conftest import Village, make_village

HEADER = ["序号", "地块编号", "地块名称", "地类", "面积（亩）", "经营状态", "备注"]


@pytest.fixture
def kind(monkeypatch: pytest.MonkeyPatch) -> RecordImporter:
    imp = parcel_kind.make()
    monkeypatch.setitem(importers.IMPORTERS, imp.kind, imp)  # taken out again after the test
    return imp


@pytest.fixture
def village(tmp_path: Path) -> Iterator[Village]:
    v = make_village(tmp_path / "village.db")
    with v.db.begin("kj") as s:
        create_parcel(s, organisation_id=v.org.id, code="D-001", name="东湾", land_class="耕地",
                      area_mu=Decimal("3.5"), status="机动地", notes="老塘边", user=v.user)
        create_parcel(s, organisation_id=v.org.id, code="D-002", name="西岗", land_class="林地",
                      area_mu=Decimal("12"), status="集体统一经营", user=v.user)
    yield v
    v.db.close()


def sheet(path: Path, rows: Sequence[Sequence[Any]], *, title: bool = True) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append(["东湖村资源台账"])
        ws.append(["填报单位：东湖村股份经济合作社"])
    ws.append(HEADER)
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def parcels(v: Village) -> dict[str, Any]:
    with v.db.read() as s:
        return {p.code: p for p in list_parcels(s, v.org.id)}


def audits(v: Village) -> int:
    with v.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def run(v: Village, path: Path, mode: importers.Mode = "add", *, apply: bool = True, **kw: Any
        ) -> tuple[importers.ImportCheck, importers.ImportDone | None]:
    with v.db.begin("kj") as s:
        return run_import(s, parcel_kind.KIND, path, organisation_id=v.org.id, mode=mode, apply=apply, **kw)


def test_add_new_rows_through_the_service(kind: RecordImporter, village: Village, tmp_path: Path) -> None:
    path = sheet(tmp_path / "new.xlsx", [
        [1, "D-003", "南坡", "园地", "2.25亩", "家庭承包", None],
        [2, "D-004", "北荡", "水域", 8, "出租", "养鱼"],
        ["合计", None, None, None, "10.25亩"],
    ])
    before = audits(village)
    check, done = run(village, path)
    assert check.ok and check.summary() == "新增 2 行，略过非数据行 3 行"
    assert [(o.row, o.key, o.name, o.status) for o in check.outcomes] == [(4, "D-003", "南坡", "new"),
                                                                         (5, "D-004", "北荡", "new")]
    assert {s.reason for s in check.skipped} == {"标题行", "合计行"}
    assert done is not None and (done.added, done.updated, done.left) == (2, 0, 0)
    assert done.message == "已导入测试地块：新增 2 条"
    held = parcels(village)
    assert held["D-003"].area_mu == Decimal("2.25") and held["D-004"].notes == "养鱼"
    assert audits(village) == before + 2  # each row audited like a form entry


def test_add_refuses_a_registered_key_and_writes_nothing(kind: RecordImporter, village: Village,
                                                          tmp_path: Path) -> None:
    path = sheet(tmp_path / "again.xlsx", [
        [1, "D-003", "南坡", "园地", 2, "家庭承包"],
        [2, "D-001", "东湾", "耕地", 3.5, "机动地"],
    ])
    check, done = run(village, path)
    assert not check.ok and done is None
    assert [str(p) for p in check.problems] == [
        "第5行B列“地块编号”：D-001 已登记。要修改已有记录请选择“更新已有”，要略过请选择“跳过已有”"]
    assert "D-003" not in parcels(village)  # the good row is not written either
    with village.db.begin("kj") as s, pytest.raises(UserError, match="1 处错误，未写入任何数据"):
        kind.apply(s, check, organisation_id=village.org.id, book_id=None)


def test_skip_leaves_registered_rows_alone(kind: RecordImporter, village: Village, tmp_path: Path) -> None:
    path = sheet(tmp_path / "skip.xlsx", [
        [1, "D-001", "东湾改名", "耕地", 99, "机动地"],
        [2, "D-005", "新地", "草地", 1, "未利用"],
    ])
    check, done = run(village, path, "skip")
    assert check.ok and check.summary() == "新增 1 行，跳过已有 1 行，略过非数据行 2 行"
    assert done is not None and (done.added, done.left) == (1, 1)
    held = parcels(village)
    assert held["D-001"].name == "东湾" and held["D-001"].area_mu == Decimal("3.5")
    assert held["D-005"].land_class == "草地"


def test_update_lists_changes_field_by_field_and_blank_keeps(kind: RecordImporter, village: Village,
                                                             tmp_path: Path) -> None:
    path = sheet(tmp_path / "update.xlsx", [
        [1, "D-001", None, "耕地", "4亩", "机动地", None],  # 名称 and 备注 blank: kept; 面积 changed
        [2, "D-002", "西岗", "林地", "12.0000", "集体统一经营", None],  # the same as registered
        [3, "D-006", "新塘", "水域", 5, "出租", None],
    ])
    before = audits(village)
    check, done = run(village, path, "update", apply=False)
    assert check.ok and done is None
    assert check.summary() == "新增 1 行，更新 1 行，无变化 1 行，略过非数据行 2 行"
    changed = next(o for o in check.outcomes if o.status == "changed")
    assert (changed.row, changed.key, changed.name) == (4, "D-001", "东湾")
    assert changed.changes == (Change("面积（亩）", "3.5", "4"),)  # 3.5000 as registered, shown without trailing zeros
    assert str(changed.changes[0]) == "面积（亩）：3.5 → 4"
    assert parcels(village)["D-001"].area_mu == Decimal("3.5")  # a check writes nothing
    check, done = run(village, path, "update")
    assert done is not None and (done.added, done.updated, done.left) == (1, 1, 1)
    assert done.message == "已导入测试地块：新增 1 条，更新 1 条，已有未动 1 条"
    held = parcels(village)
    assert held["D-001"].area_mu == Decimal(4) and held["D-001"].name == "东湾" and held["D-001"].notes == "老塘边"
    assert held["D-006"].status == "出租"
    assert audits(village) == before + 2  # one create, one update; the unchanged row is not touched


def test_duplicate_keys_in_the_file(kind: RecordImporter, village: Village, tmp_path: Path) -> None:
    path = sheet(tmp_path / "dup.xlsx", [
        [1, "D-007", "甲", "耕地", 1, "机动地"],
        [2, "D-007", "乙", "耕地", 2, "机动地"],
    ])
    check, _ = run(village, path)
    assert [str(p) for p in check.problems] == ["第5行B列“地块编号”：D-007 与第4行重复"]
    assert "D-007" not in parcels(village)


def test_every_problem_at_once_named_by_row_and_column(kind: RecordImporter, village: Village,
                                                       tmp_path: Path) -> None:
    path = sheet(tmp_path / "bad.xlsx", [
        [1, "D-010", "好地", "耕地", 1, "机动地"],
        [2, "D-011", "坏面积", "耕地", "三亩", "机动地"],
        [3, "D-012", "坏地类", "沙漠", 1, "机动地"],
        [4, "D-013", "零面积", "耕地", 0, "机动地"],
    ], title=False)
    before = audits(village)
    check, done = run(village, path)
    assert done is None
    text = [str(p) for p in check.problems]
    assert len(text) == 3
    assert text[0].startswith("第3行E列“面积（亩）”：“三亩”不是面积")  # the header as the file writes it
    assert text[1].startswith("第4行D列“地类”：地类必须是：耕地")
    assert text[2].startswith("第5行E列“面积（亩）”：")
    assert "D-010" not in parcels(village) and audits(village) == before


def test_mapping_and_remembered_reach_the_kind(kind: RecordImporter, village: Village, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["宗地号", "地块名称", "地类", "亩", "经营状态"])
    ws.append(["D-020", "河滩", "耕地", 2, "机动地"])
    wb.save(tmp_path / "own.xlsx")
    with village.db.begin("kj") as s, pytest.raises(UserError, match="缺少必填列：地块编号"):
        run_import(s, parcel_kind.KIND, tmp_path / "own.xlsx", organisation_id=village.org.id)
    check, done = run(village, tmp_path / "own.xlsx", mapping={"宗地号": "地块编号", "亩": "area_mu"})
    assert check.ok and done is not None
    assert parcels(village)["D-020"].area_mu == Decimal(2)
    memory = {check.layout.signature: check.layout.mapping()}
    again, _ = run(village, tmp_path / "own.xlsx", "skip", remembered=memory)
    assert again.layout.remembered and again.summary() == "新增 0 行，跳过已有 1 行"


def test_run_import_refuses_what_the_kind_cannot_do(kind: RecordImporter, village: Village, tmp_path: Path) -> None:
    path = sheet(tmp_path / "x.xlsx", [[1, "D-030", "甲", "耕地", 1, "机动地"]])
    with village.db.begin("kj") as s:
        with pytest.raises(UserError, match="须指定组织"):
            run_import(s, parcel_kind.KIND, path, organisation_id=None)
        with pytest.raises(UserError, match="不支持导入“nothing”"):
            run_import(s, "nothing", path, organisation_id=village.org.id)
    kind.modes = ("add",)
    with village.db.begin("kj") as s, pytest.raises(UserError, match="测试地块不支持“更新已有”，可选：仅新增"):
        run_import(s, parcel_kind.KIND, path, organisation_id=village.org.id, mode="update")


def test_template_reads_back_through_the_pipeline(kind: RecordImporter, village: Village, tmp_path: Path) -> None:
    out = write_template(parcel_kind.KIND, tmp_path / "tpl" / "地块模板.xlsx", examples=True)
    wb = load_workbook(out)
    assert wb.sheetnames == ["测试地块", "填写说明"]
    cells = [c.value for row in wb["测试地块"].iter_rows() for c in row]
    assert "*地块编号" in cells and "*地块名称" in cells and "D-001" in cells
    info = [[c.value for c in row] for row in wb["填写说明"].iter_rows()]
    assert any(r[:3] == ["面积（亩）", None, "面积、亩数"] or r[:3] == ["面积（亩）", "", "面积、亩数"] for r in info)
    table = open_table(out, parcel_kind.SPEC)
    assert set(table.layout.columns) == {f.key for f in parcel_kind.SPEC.fields}
    assert [r["code"] for _, r in table.records()] == ["D-001"]
    # the example row is a registered parcel: the template itself imports in 跳过已有
    check, _ = run(village, out, "skip", apply=False)
    assert check.ok and check.summary().startswith("新增 0 行，跳过已有 1 行")
