"""``import KIND FILE`` and ``template KIND`` (issue #15): the real ``desktop_app.cli.main`` on a real
SQLite file, with a kind of the pipeline registered for the test (tests/excel/parcel_kind.py, over
the resource register's own services) and one that needs no organisation (区划, over create_region)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from desktop_app.cli import main
from desktop_app.commands import IMPORTS, Kind
from desktop_app.core.services.orgs import list_regions
from desktop_app.core.services.resources import create_parcel, list_parcels
from desktop_app.excel import importers
from desktop_app.excel.importers import RecordImporter, keyed
from desktop_app.excel.table_read import Field, TableSpec
from tests.acting import keeper
from tests.excel import parcel_kind
from tests.members.conftest import Village, make_village

ORG = "N2320115MF00000121"  # the fixture village of tests/members
HEADER = ["序号", "地块编号", "地块名称", "地类", "面积（亩）", "经营状态", "备注"]


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")  # the fixture users' password


@pytest.fixture
def kind(monkeypatch: pytest.MonkeyPatch) -> RecordImporter:
    imp = parcel_kind.make()
    monkeypatch.setitem(importers.IMPORTERS, imp.kind, imp)
    return imp


@pytest.fixture
def village(tmp_path: Path) -> Iterator[Village]:
    v = make_village(tmp_path / "village.db")
    with v.db.begin("test") as s:
        create_parcel(s, organisation_id=v.org.id, code="D-001", name="东湾", land_class="耕地",
                      area_mu=Decimal("3.5"), status="机动地", notes="老塘边", user=v.user)
    v.db.close()  # the CLI opens the file itself
    yield v


def db_of(v: Village) -> str:
    return str(v.db.engine.url.database)


def sheet(path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER, title: bool = True,
          name: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if name:
        ws.title = name
    if title:
        ws.append(["东湖村资源台账"])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def held(v: Village) -> dict[str, Any]:
    from db.migrate import open_database

    db = open_database(Path(db_of(v)))
    try:
        with db.read() as s:
            return {p.code: p for p in list_parcels(s, v.org.id)}
    finally:
        db.close()


def cli(v: Village, *args: str, user: bool = True) -> int:
    return main([*(("--user", "kj") if user else ()), *args, "--db", db_of(v)])


def test_dry_run_prints_the_preview_and_writes_nothing(kind: RecordImporter, village: Village, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(tmp_path / "new.xlsx", [
        [1, "D-003", "南坡", "园地", "2.25亩", "家庭承包"],
        [2, "D-004", "北荡", "水域", 8, "出租", "养鱼"],
        ["合计", None, None, None, "10.25亩"],
        ["制表人：王五"],
    ], header=[*HEADER, "联系人"])
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--dry-run", user=False) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "测试地块：工作表“Sheet”，第2行为表头"
    assert "  A列“序号” → 不导入" in out and "  B列“地块编号” → 地块编号" in out
    assert "  E列“面积（亩）” → 面积（亩）" in out and "  H列“联系人” → 不导入" in out
    assert "略过的行（3 行）：" in out and "  第1行（标题行）：东湖村资源台账" in out
    assert "  第5行（合计行）：合计 10.25亩" in out and "  第6行（说明行）：制表人：王五" in out
    assert "检查结果：新增 2 行，略过非数据行 3 行" in out
    assert out[-1] == "检查通过；未写入（--dry-run）"
    assert set(held(village)) == {"D-001"}


def test_import_writes_with_a_login_only(kind: RecordImporter, village: Village, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(tmp_path / "new.xlsx", [[1, "D-003", "南坡", "园地", "2.25亩", "家庭承包"]])
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, user=False) == 1
    assert "需要登录" in capsys.readouterr().err
    assert set(held(village)) == {"D-001"}
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "已导入测试地块：新增 1 条"
    assert held(village)["D-003"].area_mu == Decimal("2.25")


def test_errors_all_at_once_exit_1_and_nothing_written(kind: RecordImporter, village: Village, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(tmp_path / "bad.xlsx", [
        [1, "D-010", "好地", "耕地", 1, "机动地"],
        [2, "D-001", "东湾", "耕地", 3.5, "机动地"],
        [3, "D-011", "坏面积", "耕地", "三亩", "机动地"],
    ])
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG) == 1
    captured = capsys.readouterr()
    assert "错误：发现 2 处错误，未写入任何数据" in captured.err
    out = captured.out.splitlines()
    assert "错误（2 处）：" in out
    assert "  第4行B列“地块编号”：D-001 已登记。要修改已有记录请使用 --mode update（更新已有），要略过请使用 --mode skip（跳过已有）" in out
    assert any(line.startswith("  第5行E列“面积（亩）”：“三亩”不是面积") for line in out)
    assert set(held(village)) == {"D-001"}


def test_many_errors_first_200_then_counted(kind: RecordImporter, village: Village, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(tmp_path / "many.xlsx", [[i, f"E-{i:03d}", "地", "沙漠", 1, "机动地"] for i in range(1, 206)])
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--dry-run") == 1
    captured = capsys.readouterr()
    assert "发现 205 处错误" in captured.err
    lines = captured.out.splitlines()
    assert sum(1 for line in lines if "地类必须是" in line) == 200
    assert lines[-1] == "  另有 5 处"


def test_update_prints_changes_and_skip_leaves_rows(kind: RecordImporter, village: Village, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(tmp_path / "upd.xlsx", [[1, "D-001", None, "耕地", "4亩", "出租"], [2, "D-005", "新地", "草地", 1, "未利用"]])
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--mode", "skip") == 0
    out = capsys.readouterr().out.splitlines()
    assert "检查结果：新增 1 行，跳过已有 1 行，略过非数据行 1 行" in out and out[-1] == "已导入测试地块：新增 1 条，已有未动 1 条"
    assert held(village)["D-001"].area_mu == Decimal("3.5")
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--mode", "update") == 0
    out = capsys.readouterr().out.splitlines()
    assert "检查结果：新增 0 行，更新 1 行，无变化 1 行，略过非数据行 1 行" in out
    assert "变化的行（1 行）：" in out
    assert "  第3行 D-001 东湾：面积（亩）：3.5 → 4；经营状态：机动地 → 出租" in out
    parcel = held(village)["D-001"]
    assert (parcel.area_mu, parcel.status, parcel.name, parcel.notes) == (Decimal(4), "出租", "东湾", "老塘边")


def test_map_by_label_or_key_and_dropping_a_column(kind: RecordImporter, village: Village, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(tmp_path / "own.xlsx", [["D-020", "河滩", "耕地", 2, "机动地", "旧备注"]],
                 header=["宗地号", "地块名称", "地类", "亩", "经营状态", "备注"])
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--dry-run") == 1
    assert "缺少必填列：地块编号" in capsys.readouterr().err
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--map", "宗地号=地块编号",
               "--map", "亩=area_mu", "--map", "备注=", "--map", "地块=地类") == 0
    out = capsys.readouterr().out.splitlines()
    assert "  A列“宗地号” → 地块编号" in out and "  D列“亩” → 面积（亩）" in out and "  F列“备注” → 不导入" in out
    assert "  注意：--map 的列名“地块”在第2行中没有，未起作用" in out
    parcel = held(village)["D-020"]
    assert parcel.area_mu == Decimal(2) and parcel.notes is None
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--map", "宗地号=宗地") == 1
    err = capsys.readouterr().err
    assert "--map 中的字段“宗地”不是测试地块的列，可选：地块编号（code）、地块名称（name）" in err
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--map", "宗地号") == 1
    assert "应写成 列名=字段" in capsys.readouterr().err


def test_sheet_and_header_row(kind: RecordImporter, village: Village, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "封面"
    cover.append(["地块编号", "地块名称"])  # an index of the sheets, not the table
    cover.append(["见第二页", "…"])
    ws = wb.create_sheet("台账")
    ws.append(["东湖村资源台账"])
    ws.append(["编号", "名称", "地类", "面积", "状态"])
    ws.append(["D-030", "甲", "耕地", 1, "机动地"])
    wb.save(tmp_path / "two.xlsx")
    assert cli(village, "import", "test_parcels", str(tmp_path / "two.xlsx"), "--org", ORG, "--dry-run",
               "--sheet", "台账") == 0
    assert "测试地块：工作表“台账”，第2行为表头" in capsys.readouterr().out
    assert cli(village, "import", "test_parcels", str(tmp_path / "two.xlsx"), "--org", ORG, "--dry-run",
               "--sheet", "台账", "--header-row", "3") == 1
    assert "第3行的列名为：D-030、甲、耕地、1、机动地" in capsys.readouterr().err
    assert cli(village, "import", "test_parcels", str(tmp_path / "two.xlsx"), "--org", ORG, "--dry-run",
               "--sheet", "其他") == 1
    assert "没有工作表“其他”，有：封面、台账" in capsys.readouterr().err


def test_org_book_mode_and_file_are_checked(kind: RecordImporter, village: Village, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(tmp_path / "x.xlsx", [[1, "D-040", "甲", "耕地", 1, "机动地"]])
    assert cli(village, "import", "test_parcels", str(path)) == 1
    assert "请用 --org 指定组织" in capsys.readouterr().err
    assert cli(village, "import", "test_parcels", str(tmp_path / "nowhere.xlsx"), "--org", ORG) == 1
    assert "找不到文件" in capsys.readouterr().err
    assert cli(village, "import", "test_parcels", str(path), "--org", "N2320115MF00000999") == 1
    assert "找不到代码为 N2320115MF00000999 的组织" in capsys.readouterr().err
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--book", "9") == 1
    assert "没有编号为 9 的账套" in capsys.readouterr().err
    kind.modes = ("add", "skip")
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--mode", "update") == 1
    assert "测试地块不支持 --mode update（更新已有），可选：add（仅新增）、skip（跳过已有）" in capsys.readouterr().err


def _regions_kind() -> RecordImporter:
    """区划 rows: above the organisations, like the orgs kind (needs_org = False)."""

    def existing(s: Any, _org: uuid.UUID, _book: uuid.UUID | None) -> Any:
        return keyed((r.code, r.id, {"code": r.code, "name": r.name}) for r in list_regions(s))

    def create(s: Any, rows: list[dict[str, Any]], _org: uuid.UUID, _book: uuid.UUID | None) -> None:
        from desktop_app.core.services.orgs import create_region

        for values in rows:
            create_region(s, code=values["code"], name=values["name"], user=keeper(s))

    imp = RecordImporter(kind="test_regions", label="测试区划", table=TableSpec("test_regions", "区划", (
        Field("code", "区划代码", required=True), Field("name", "名称", ("区划名称",), required=True)), key="code"),
        existing=existing, create=create, modes=("add", "skip"), examples=(("320115106202", "西湖村"),))
    imp.needs_org = False
    return imp


def test_a_kind_without_an_organisation_needs_no_org(village: Village, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(importers.IMPORTERS, "test_regions", _regions_kind())
    path = sheet(tmp_path / "regions.xlsx", [["320115106201", "东湖村村民委员会"], ["320115106202", "西湖村村民委员会"]],
                 header=["区划代码", "区划名称"])
    assert cli(village, "import", "test_regions", str(path), "--mode", "skip") == 0
    out = capsys.readouterr().out.splitlines()
    assert "检查结果：新增 1 行，跳过已有 1 行，略过非数据行 1 行" in out and out[-1] == "已导入测试区划：新增 1 条，已有未动 1 条"
    from db.migrate import open_database

    db = open_database(Path(db_of(village)))
    with db.read() as s:
        assert "320115106202" in {r.code for r in list_regions(s)}
    db.close()
    assert cli(village, "template", "test_regions", "--examples", "--out", str(tmp_path / "r.xlsx")) == 0
    assert load_workbook(tmp_path / "r.xlsx").sheetnames == ["区划", "填写说明"]


def test_pipeline_kind_takes_over_the_areas_and_legacy_kinds_keep_working(
        kind: RecordImporter, village: Village, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # an area's kind the pipeline has too: the pipeline's handler runs (the area's knows no --mode)
    monkeypatch.setitem(importers.IMPORTERS, "resources", replace(kind, kind="resources"))
    path = sheet(tmp_path / "r.xlsx", [[1, "D-001", "东湾", "耕地", 3.5, "机动地"]])
    assert cli(village, "import", "resources", str(path), "--org", ORG, "--mode", "skip") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "已导入测试地块：新增 0 条，已有未动 1 条"
    # a kind only an area has keeps its own handler, and refuses the pipeline's options
    seen: list[str] = []

    def legacy(args: Any) -> int:
        seen.append(args.file)
        print("旧的导入")
        return 0

    monkeypatch.setitem(IMPORTS, "test_legacy", Kind("test_legacy", "旧导入", legacy))
    assert cli(village, "import", "test_legacy", str(path), "--org", ORG) == 0
    assert seen == [str(path)] and "旧的导入" in capsys.readouterr().out
    assert cli(village, "import", "test_legacy", str(path), "--org", ORG, "--mode", "update") == 1
    assert "导入 test_legacy 暂不支持 --mode" in capsys.readouterr().err
    assert seen == [str(path)]


def test_template_command(kind: RecordImporter, village: Village, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "模板" / "地块.xlsx"
    assert cli(village, "template", "test_parcels", "--examples", "--out", str(out), user=False) == 0
    assert capsys.readouterr().out.strip() == f"已生成测试地块导入模板：{out}"
    ws = load_workbook(out)["测试地块"]
    assert "*地块编号" in [c.value for row in ws.iter_rows() for c in row]
    assert cli(village, "template", "test_parcels", "--examples", "--org", ORG, "--out", str(tmp_path / "t2.xlsx"), user=False) == 0
    assert (tmp_path / "t2.xlsx").exists()
    assert cli(village, "template", "test_parcels", "--examples", "--out", str(tmp_path / "t.csv"), user=False) == 1
    assert "应以 .xlsx 结尾" in capsys.readouterr().err
    # the template imports as it is (its example row, D-001, is registered here)
    assert cli(village, "import", "test_parcels", str(out), "--org", ORG, "--dry-run", "--mode", "skip") == 0
    assert "检查结果：新增 0 行，跳过已有 1 行" in capsys.readouterr().out


def test_a_check_that_tries_rows_in_a_savepoint_needs_no_login(village: Village, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Like the orgs kind: each row is tried through the service in a savepoint and rolled back."""
    imp = _regions_kind()

    def validate(s: Any, values: dict[str, Any], _org: uuid.UUID, _book: uuid.UUID | None) -> None:
        from desktop_app.core.services.orgs import create_region

        trial = s.begin_nested()
        try:
            create_region(s, code=values["code"], name=values["name"], user=keeper(s))
        finally:
            trial.rollback()

    imp.validate = validate
    monkeypatch.setitem(importers.IMPORTERS, "test_regions", imp)
    path = sheet(tmp_path / "regions.xlsx", [["320115106203", "南湖村村民委员会"], ["320115106204", ""]],
                 header=["区划代码", "区划名称"], title=False)
    assert cli(village, "import", "test_regions", str(path), "--dry-run", user=False) == 1
    captured = capsys.readouterr()
    assert "第3行" in captured.out and "名称" in captured.out and "发现 1 处错误" in captured.err
    path = sheet(tmp_path / "regions.xlsx", [["320115106203", "南湖村村民委员会"]], header=["区划代码", "区划名称"],
                 title=False)
    assert cli(village, "import", "test_regions", str(path), "--dry-run", user=False) == 0
    assert cli(village, "import", "test_regions", str(path), user=False) == 1
    err = capsys.readouterr().err
    assert "需要登录" in err and "文件检查无误，未写入任何数据" in err
    from db.migrate import open_database

    def codes() -> set[str]:
        db = open_database(Path(db_of(village)))
        try:
            with db.read() as s:
                return {r.code for r in list_regions(s)}
        finally:
            db.close()

    assert "320115106203" not in codes()
    assert cli(village, "import", "test_regions", str(path)) == 0
    assert "320115106203" in codes()


def test_long_lists_are_cut_and_absent_columns_named(kind: RecordImporter, village: Village, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A template numbered down to row 200 but filled in only at the top: the numbering-only rows are
    counted after the first 50; the kind's columns the file lacks are named once."""
    path = sheet(tmp_path / "numbered.xlsx", [[1, "D-050", "甲", "耕地", 1, "机动地"], *([i] for i in range(2, 201))],
                 header=HEADER[:6])
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert "  文件中没有的列：备注" in out
    assert "略过的行（200 行）：" in out and "  第4行（无数据）：只有未导入的列有内容：2" in out and "  另有 150 行" in out
    assert "检查结果：新增 1 行，略过非数据行 200 行" in out


def test_id_numbers_are_printed_masked(kind: RecordImporter, village: Village, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    ric = "11010519491231002X"  # whatever column it stands in, an 18-character 身份证号 is masked on the terminal
    path = sheet(tmp_path / "ric.xlsx", [[1, ric, "甲", "耕地", 1, "机动地"], [2, ric, "乙", "耕地", 1, "机动地"]])
    assert cli(village, "import", "test_parcels", str(path), "--org", ORG, "--dry-run") == 1
    out = capsys.readouterr().out
    assert "  第4行B列“地块编号”：110105********002X 与第3行重复" in out
    assert ric not in out
