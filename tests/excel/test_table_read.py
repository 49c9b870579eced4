"""Finding the table in the spreadsheet a village really has (issue #15): real xlsx files written
with openpyxl and read back through calamine by ``open_table``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from desktop_app.core.errors import UserError
from desktop_app.excel.table_read import ChunkTest, Field, TableSpec, header_key, open_table

SPEC = TableSpec("people", "成员名册", (
    Field("group", "组别", ("村民小组", "小组")),
    Field("name", "姓名", ("成员姓名",), required=True),
    Field("relation", "与户主关系", ("关系", "家庭关系")),
    Field("ric", "身份证号", ("身份证号码", "公民身份号码"), required=True),
    Field("shares", "股数", ("持股数", "股份数")),
    Field("term", "期限（年）", ("承包期限",)),
    Field("note", "备注"),
), key="ric")

RIC1 = "110105194912310021"
RIC2 = "110105195001010021"


def xlsx(path: Path, rows: Sequence[Sequence[Any]], *, start_col: int = 1, merge: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=start_col):
            if value is not None:
                ws.cell(r, c, value)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def reasons(table: Any) -> dict[int, str]:
    return {s.row: s.reason for s in table.skipped}


def test_header_below_a_merged_title_and_a_reporting_unit_line(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "roster.xlsx", [
        ["阳光村股份经济合作社成员名册"],
        ["填报单位：阳光村", None, None, None, "2026年1月"],
        ["序号", "组别", "成员姓名", "与户主关系", "身份证号码", "股数", "备注"],
        [1, "一组", "张三", "户主", RIC1, "1股", None],
        [2, "一组", "李四", "妻", RIC2, 1, "新增"],
    ], merge="A1:G1")
    table = open_table(path, SPEC)
    layout = table.layout
    assert (layout.sheet, layout.header_row) == ("Sheet", 3)
    assert layout.columns == {"group": 1, "name": 2, "relation": 3, "ric": 4, "shares": 5, "note": 6}
    assert layout.unused() == [(0, "序号")]
    assert layout.where("ric") == "E列“身份证号码”"
    assert layout.where("term") == "“期限（年）”"  # not in the file: the field's own label
    rows = list(table.records())
    assert [n for n, _ in rows] == [4, 5]
    assert rows[0][1]["name"] == "张三" and rows[0][1]["shares"] == "1股" and rows[1][1]["shares"] == 1
    assert reasons(table) == {1: "标题行", 2: "标题行"}
    assert "阳光村股份经济合作社成员名册" in str(table.skipped[0])


def test_two_row_header_with_a_title_over_sub_columns(tmp_path: Path) -> None:
    spec = SPEC.with_fields(Field("pop", "人口股"), Field("age", "农龄股"))
    path = xlsx(tmp_path / "two.xlsx", [
        ["成员股份登记表"],
        ["姓名", "身份证号", "股数", None, "备注"],
        [None, None, "人口股", "农龄股"],
        ["张三", RIC1, 1, 2, "x"],
    ], merge="C2:D2")
    table = open_table(path, spec)
    assert table.layout.header_row == 3
    assert table.layout.columns == {"name": 0, "ric": 1, "pop": 2, "age": 3, "note": 4}
    assert table.layout.headers == ("姓名", "身份证号", "人口股", "农龄股", "备注")
    assert list(table.records()) == [(4, {"name": "张三", "ric": RIC1, "pop": 1, "age": 2, "note": "x"})]
    assert reasons(table) == {1: "标题行", 3: "表头"}


def test_two_row_header_with_cells_merged_down(tmp_path: Path) -> None:
    """姓名 and 身份证号 span both header rows; 期限 is named in the second row only."""
    path = xlsx(tmp_path / "down.xlsx", [
        ["姓名", "身份证号", "承包情况"],
        [None, None, "承包期限"],
        ["张三", RIC1, 30],
    ])
    table = open_table(path, SPEC)
    assert table.layout.header_row == 2
    assert table.layout.columns == {"name": 0, "ric": 1, "term": 2}


@pytest.mark.parametrize(("header", "key"), [
    ("期限", "term"), ("期限（年）", "term"), ("期限(年)", "term"), ("承包期限（年）", "term"),
    ("*身份证号（必填）", "ric"), ("\uff0a身份证号码(必填)", "ric"), ("身份证号码：", "ric"), ("※公民身份号码", "ric"),
    ("　成　员　姓　名　", "name"), ("持股数（股）", "shares"), ("家庭关系", "relation"),
])
def test_header_synonyms_units_marks_and_full_width(tmp_path: Path, header: str, key: str) -> None:
    others = {"name": "姓名", "ric": "身份证号"}
    row = [header, *(h for k, h in others.items() if k != key)]
    path = xlsx(tmp_path / "h.xlsx", [row, ["x"] * len(row)])
    table = open_table(path, SPEC)
    assert table.layout.columns[key] == 0


def test_header_key_folds_marks() -> None:
    assert header_key("*身份证号码（必填）") == header_key(" 身份证号码 ") == "身份证号码"
    assert header_key("期限(年)") == "期限（年）"


def test_total_note_repeated_header_and_numbering_rows_are_skipped_and_said(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "pages.xlsx", [
        ["序号", "姓名", "身份证号", "股数"],
        [1, "张三", RIC1, 1],
        [None, "小计", None, 1],
        ["本页合计", None, None, 1],
        ["序号", "姓名", "身份证号", "股数"],  # the header again, on the printed second page
        [2, "李四", RIC2, 1],
        [3],  # a pre-numbered empty line
        [4, None, None, None],
        ["合计", None, None, 2],
        ["制表人：王五", None, "审核人：赵六"],
        ["注：本表一式两份"],
    ])
    table = open_table(path, SPEC)
    assert [n for n, _ in table.records()] == [2, 6]
    assert reasons(table) == {3: "合计行", 4: "合计行", 5: "重复表头", 7: "无数据", 8: "无数据", 9: "合计行",
                              10: "说明行", 11: "说明行"}
    assert str(next(s for s in table.skipped if s.row == 7)) == "第7行（无数据）：只有未导入的列有内容：3"


def test_numbering_only_row_skipped_also_when_numbering_is_a_field(tmp_path: Path) -> None:
    spec = SPEC.with_fields(Field("seq", "序号"))
    path = xlsx(tmp_path / "seq.xlsx", [["序号", "姓名", "身份证号"], [1, "张三", RIC1], [2], [3]])
    table = open_table(path, spec)
    assert [n for n, _ in table.records()] == [2]
    assert reasons(table) == {3: "无数据", 4: "无数据"}


def test_cells_of_spaces_are_empty_and_true_is_not_a_numbering(tmp_path: Path) -> None:
    """A cell of spaces is empty (a row of them is no row); 1 and True read differently
    (1 is a 序号, True is 是), also when the same value comes again further down."""
    spec = SPEC.with_fields(Field("seq", "序号"))
    path = xlsx(tmp_path / "spaces.xlsx", [
        ["序号", "姓名", "身份证号"], [1, "张三", RIC1], ["  ", " ", None], [2, "  "], [True, "李四", RIC2],
        [3, "合计 ", None], ["  小  计", None, None]])
    table = open_table(path, spec)
    assert [n for n, _ in table.records()] == [2, 5]
    assert reasons(table) == {4: "无数据", 6: "合计行", 7: "合计行"}


def test_table_starting_at_column_c(tmp_path: Path) -> None:
    """calamine's rows begin at the first used column: open_table pads, so letters are the sheet's."""
    path = xlsx(tmp_path / "c.xlsx", [["成员名册"], [], ["姓名", "身份证号", "股数"], ["张三", RIC1, "2股"]],
                start_col=3)
    table = open_table(path, SPEC)
    assert table.layout.columns == {"name": 2, "ric": 3, "shares": 4}
    assert table.layout.where("ric") == "D列“身份证号”"
    assert list(table.records()) == [(4, {"name": "张三", "ric": RIC1, "shares": "2股"})]


def test_table_on_the_second_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "封面"
    first.append(["阳光村2026年成员名册"])
    first.append(["编制说明：按户填写"])
    ws = wb.create_sheet("名册")
    ws.append(["姓名", "身份证号"])
    ws.append(["张三", RIC1])
    wb.save(tmp_path / "two_sheets.xlsx")
    table = open_table(tmp_path / "two_sheets.xlsx", SPEC)
    assert table.layout.sheet == "名册"
    assert [r for _, r in table.records()] == [{"name": "张三", "ric": RIC1}]
    assert open_table(tmp_path / "two_sheets.xlsx", SPEC, sheet="名册").layout.sheet == "名册"
    with pytest.raises(UserError, match="工作表“封面”"):
        open_table(tmp_path / "two_sheets.xlsx", SPEC, sheet="封面")
    with pytest.raises(UserError, match="没有工作表“花名册”，有：封面、名册"):
        open_table(tmp_path / "two_sheets.xlsx", SPEC, sheet="花名册")


def test_header_row_given(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "pin.xlsx", [["姓名", "身份证号"], ["张三", RIC1], ["姓名", "身份证号", "股数"], ["李四", RIC2, 1]])
    assert open_table(path, SPEC).layout.header_row == 3  # the row naming the most fields
    table = open_table(path, SPEC, header_row=1)
    assert table.layout.header_row == 1
    assert [n for n, _ in table.records()] == [2, 4]  # row 3 repeats the header: skipped
    assert reasons(table) == {3: "重复表头"}


def test_no_header_names_the_sheet(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "none.xlsx", [["甲", "乙", "丙"], [1, 2, 3]])
    with pytest.raises(UserError) as err:
        open_table(path, SPEC)
    text = str(err.value)
    assert "找不到成员名册的表头" in text and "工作表“Sheet”" in text and "“姓名”“身份证号”" in text
    assert "导入模板" in text


def test_missing_required_column_lists_the_files_headers(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "missing.xlsx", [["姓名", "组别", "股数", "联系电话"], ["张三", "一组", 1, "123"]])
    with pytest.raises(UserError) as err:
        open_table(path, SPEC)
    assert str(err.value).startswith("成员名册缺少必填列：身份证号。第1行的列名为：姓名、组别、股数、联系电话")


def test_user_mapping_overrides_and_can_drop_a_column(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "own.xlsx", [["名字", "证件号码", "股数", "备注"], ["张三", RIC1, 1, "x"]])
    with pytest.raises(UserError, match="缺少必填列：姓名、身份证号"):
        open_table(path, SPEC)
    table = open_table(path, SPEC, mapping={"名字": "name", "证件号码": "身份证号", "备注": ""})  # a label works too
    assert table.layout.columns == {"shares": 2, "name": 0, "ric": 1}
    assert table.layout.guessed == {"shares": 2, "note": 3}
    assert list(table.records()) == [(2, {"shares": 1, "name": "张三", "ric": RIC1})]
    assert table.layout.remembered is False
    # a mapping moves a field: 股数 read from another column leaves its old column out
    moved = open_table(path, SPEC, mapping={"名字": "name", "证件号码": "ric", "备注": "shares"})
    assert moved.layout.columns["shares"] == 3 and 2 not in moved.layout.columns.values()


def test_remembered_mapping_by_layout_and_user_mapping_over_it(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "own.xlsx", [["名字", "证件号码", "股数", "备注"], ["张三", RIC1, 1, "x"]])
    first = open_table(path, SPEC, mapping={"名字": "name", "证件号码": "ric", "备注": ""})
    memory = {first.layout.signature: first.layout.mapping()}
    assert first.layout.mapping() == {"名字": "name", "证件号码": "ric", "股数": "shares", "备注": ""}
    again = open_table(path, SPEC, remembered=memory)  # the same layout next month: no mapping needed
    assert again.layout.remembered is True
    assert again.layout.columns == {"name": 0, "ric": 1, "shares": 2}  # 备注 stays left out
    # another file with the same headers in the same places has the same signature
    other = xlsx(tmp_path / "other.xlsx", [["名册"], ["名字", "证件号码", "股数", "备注"], ["李四", RIC2, 2, None]])
    assert open_table(other, SPEC, remembered=memory).layout.signature == first.layout.signature
    # the user's correction wins over the memory
    over = open_table(path, SPEC, remembered=memory, mapping={"备注": "note"})
    assert over.layout.columns["note"] == 3
    # a different layout does not pick the memory up
    different = xlsx(tmp_path / "diff.xlsx", [["名字", "证件号码", "股数", "组别"], ["张三", RIC1, 1, "一组"]])
    with pytest.raises(UserError, match="缺少必填列"):
        open_table(different, SPEC, remembered=memory)


def test_a_file_of_unknown_headers_is_found_by_the_users_mapping_or_row(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "odd.xlsx", [["阳光村花名册"], ["名字", "证件号码", "份额"], ["张三", RIC1, 1]])
    with pytest.raises(UserError, match="找不到成员名册的表头"):
        open_table(path, SPEC)
    table = open_table(path, SPEC, mapping={"名字": "姓名", "证件号码": "ric", "份额": "shares"})
    assert table.layout.header_row == 2 and table.layout.columns == {"name": 0, "ric": 1, "shares": 2}
    # the row pinned: found, and the missing columns are listed so the user can map them
    with pytest.raises(UserError, match="第2行的列名为：名字、证件号码、份额"):
        open_table(path, SPEC, header_row=2)


def test_formula_without_stored_value_refused(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "formula.xlsx", [["姓名", "身份证号", "股数"], ["张三", RIC1, "=1+1"]])
    with pytest.raises(UserError) as err:
        open_table(path, SPEC)
    assert "第2行“股数”（单元格 C2）是公式" in str(err.value) and "不会当作空白导入" in str(err.value)


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(UserError, match=r"无法读取 bad\.xlsx：它不是 Excel 文件") as err:
        open_table(bad, SPEC)
    assert "invalid" not in str(err.value) and "Zip" not in str(err.value)  # not calamine's English
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match=r"文件 empty\.xlsx 是空的"):
        open_table(empty, SPEC)
    with pytest.raises(UserError, match="找不到文件"):
        open_table(tmp_path / "nowhere.xlsx", SPEC)


def test_formula_without_stored_value_refused_on_a_later_sheet(tmp_path: Path) -> None:
    """The table's own sheet is checked, not only the first: nothing is read as blank."""
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "封面"
    cover.append(["=1+1"])  # the cover's formula is not the table's business
    ws = wb.create_sheet("名册")
    ws.append(["姓名", "身份证号", "股数"])
    ws.append(["张三", RIC1, "=SUM(1,1)"])
    wb.save(tmp_path / "later.xlsx")
    with pytest.raises(UserError, match="第2行“股数”（单元格 C2）是公式"):
        open_table(tmp_path / "later.xlsx", SPEC)
    ws["C2"] = 2
    wb.save(tmp_path / "later.xlsx")
    assert [r["shares"] for _, r in open_table(tmp_path / "later.xlsx", SPEC).records()] == [2]


@pytest.mark.parametrize("marks", [[1, 2, 3, 4], ["(1)", "(2)", "(3)", "(4)"], ["1", "2", "3", "4"]])
def test_column_number_row_under_the_header_is_skipped(tmp_path: Path, marks: list[Any]) -> None:
    path = xlsx(tmp_path / "numbered.xlsx", [["姓名", "身份证号", "股数", "备注"], marks, ["张三", RIC1, 1, None],
                                             [1, 2, 3, 4]])
    table = open_table(path, SPEC)
    assert [n for n, _ in table.records()] == [3, 4]  # only directly under the header: later it is data
    assert reasons(table) == {2: "列号行"}


def test_a_summary_sheet_naming_some_columns_does_not_hide_the_table(tmp_path: Path) -> None:
    """Sheet 1 sums by 组别 (two of the columns); the roster on sheet 2 has every required column."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "汇总"
    summary.append(["组别", "股数"])
    summary.append(["一组", 12])
    ws = wb.create_sheet("名册")
    ws.append(["组别", "姓名", "身份证号", "股数"])
    ws.append(["一组", "张三", RIC1, 12])
    wb.save(tmp_path / "summary.xlsx")
    table = open_table(tmp_path / "summary.xlsx", SPEC)
    assert table.layout.sheet == "名册"
    assert [r["name"] for _, r in table.records()] == ["张三"]
    # only the summary: it is found, and the missing columns are said
    del wb["名册"]
    wb.save(tmp_path / "only_summary.xlsx")
    with pytest.raises(UserError, match="缺少必填列：姓名、身份证号。第1行的列名为：组别、股数"):
        open_table(tmp_path / "only_summary.xlsx", SPEC)


@pytest.mark.parametrize("label", ["一组小计", "第一组合计", "第3村民小组合计", "东队小计", "二组合计："])
def test_a_groups_subtotal_row_is_skipped(tmp_path: Path, label: str) -> None:
    """A roster kept by 组 sums each group: its 小计 row is not a member (and 累计折旧 is still an account)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["户号", "姓名", "身份证号", "股数"])
    ws.append(["001", "张三", "11010519491231002X", 1])
    ws.append([label, None, None, 1])
    ws.append(["累计折旧", "李四", "110105195012310021", 2])
    path = tmp_path / "g.xlsx"
    wb.save(path)
    table = open_table(path, SPEC)
    assert [n for n, _ in table.rows()] == [2, 4]
    assert [(s.row, s.reason) for s in table.skipped] == [(3, "合计行")]


def test_rows_read_the_same_however_often_a_cell_repeats(tmp_path: Path) -> None:
    """Table.rows remembers the texts of cells it has met: a repeated 合计 is skipped each time, and
    equal-but-different cells (1, 1.0, True; a bool reads as 是) are told apart."""
    body: list[list[Any]] = []
    for i in range(30):
        ric = f"1101051949123{i:05d}"
        body.append([1, "一组", "张三", "户主", ric, True, None])
        body.append([1.0, "一组", "李四", "妻", ric[:-1] + "9", 1, None])
        body.append(["合计", None, None, None, None, 2, None])
        body.append([True, "一组", "王五", "子", ric[:-1] + "8", 1, None])
    path = xlsx(tmp_path / "many.xlsx", [["序号", "组别", "姓名", "与户主关系", "身份证号", "股数", "备注"], *body])
    table = open_table(path, SPEC)
    rows = list(table.records())
    assert len(rows) == 90
    assert [s.reason for s in table.skipped] == ["合计行"] * 30
    assert [r["name"] for _, r in rows[:3]] == ["张三", "李四", "王五"]


def test_chunk_test_passes_only_chunks_table_rows_yields_whole(tmp_path: Path) -> None:
    """``ChunkTest.plain``: a chunk (cells by column) that ``Table.rows`` would yield row for row is
    plain; a 合计 row, a repeated header, a blank key or a row of three cells is not, and whatever it
    says, ``Table.rows`` over the same rows agrees whenever it says plain."""
    header = ["组别", "姓名", "身份证号", "股数", "备注"]
    good = [["一组", "张三", RIC1, 1, "无"], ["二组", "李四", RIC2, 2, "无"]]
    chunks = {
        "good": (good, True),
        "total": ([*good, ["合计", None, None, 3, None]], False),
        "header again": ([*good, ["组别", "姓名", "身份证号", "股数", "备注"]], False),
        "blank key": ([*good, ["三组", "王五", None, 1, "无"]], False),
        "three cells": ([*good, ["三组", "王五", RIC1, None, None]], False),
        "total word inside": ([["一组", "张三合计", RIC1, 1, "无"], *good], False),
    }
    for name, (rows, plain) in chunks.items():
        table = open_table(xlsx(tmp_path / "chunk.xlsx", [header, *rows]), SPEC)
        width = len(header)
        by_column = [[row[i] if i < len(row) else None for row in rows] for i in range(width)]
        assert ChunkTest(table).plain(by_column) is plain, name
        if plain:
            assert [n for n, _ in table.rows()] == list(range(2, 2 + len(rows))) and not table.skipped


KEYLESS = TableSpec("journal", "凭证", (
    Field("no", "凭证号", ("凭证编号",)),
    Field("summary", "摘要"),
    Field("account", "科目编码", ("科目代码",), required=True),
    Field("debit", "借方金额", ("借方",)),
    Field("credit", "贷方金额", ("贷方",)),
))


def test_chunk_test_without_a_key_column(tmp_path: Path) -> None:
    """A spec with no key (凭证): a mapped column other than 序号 full in every row stands in for the
    key; a chunk whose only full columns are unmapped or numbering is not plain."""
    header = ["序号", "凭证号", "摘要", "科目编码", "借方金额", "贷方金额"]
    good = [[1, "记-1", "收租金", "10201", 100, None], [2, "记-1", "收租金", "50101", None, 100]]
    table = open_table(xlsx(tmp_path / "journal.xlsx", [header, *good]), KEYLESS)
    by_column = [list(c) for c in zip(*good, strict=True)]
    assert ChunkTest(table).plain(by_column)
    total = [*good, [3, "记-1", "本月合计", None, 100, 100]]
    assert not ChunkTest(table).plain([list(c) for c in zip(*total, strict=True)])
    only_numbers = [[1, None, None, None, None, None], [2, None, None, None, None, None]]
    assert not ChunkTest(table).plain([list(c) for c in zip(*only_numbers, strict=True)])


@pytest.mark.parametrize("spec", [SPEC, KEYLESS], ids=["key", "no key"])
@pytest.mark.parametrize("size", [1, 3, 512])
def test_chunks_give_what_rows_gives(tmp_path: Path, spec: TableSpec, size: int) -> None:
    """``Table.chunks``: the same rows, cells and skipped rows (with their reasons) as ``Table.rows``,
    whatever the chunk size, so plain chunks and chunks read row by row meet every skip rule."""
    header = (["序号", "组别", "姓名", "身份证号", "股数", "备注"] if spec is SPEC
              else ["序号", "凭证号", "摘要", "科目编码", "借方金额", "贷方金额"])
    data: list[list[Any]] = [["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"]]  # 列号行
    for n in range(1, 12):
        data.append([n, f"{n % 3}组", f"人{n}", f"11010519491231{n:04d}", n, "注"])
    data[5] = [None] * 6  # a blank row
    data[7] = ["", "小计", None, None, 9, None]
    data[9] = header  # a page head repeated
    data.append([None, "说明：本表由村会计填写"])
    data.append([12, None, None, None, None, None])  # only its 序号
    path = xlsx(tmp_path / f"mixed{size}.xlsx", [header, *data])
    by_rows = open_table(path, spec)
    expected = [(n, list(raw)) for n, raw in by_rows.rows()]
    by_chunks = open_table(path, spec)
    got = [(n, [col[j] for col in cols]) for rows, cols in by_chunks.chunks(size) for j, n in enumerate(rows)]
    assert got == expected and expected
    assert [(s.row, s.reason) for s in by_chunks.skipped] == [(s.row, s.reason) for s in by_rows.skipped]
    assert {s.reason for s in by_rows.skipped} >= {"列号行", "合计行", "重复表头", "说明行", "无数据"}
