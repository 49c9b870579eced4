"""The 2004 and 2023 charts of accounts as shipped data, and the loader that guards them."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from desktop_app.core import charts
from desktop_app.core.charts import (
    ChartError,
    ChartFileError,
    RoleAbsentError,
    UnknownAccountError,
    UnknownChartVersion,
    UnknownRoleError,
    account_role,
    account_roles,
    chart_meta,
    chart_version_for_date,
    chart_versions,
    get_account,
    is_leaf,
    load_chart,
    load_mapping,
    load_mapping_rows,
    role_names,
    role_spec,
)
from desktop_app.core.errors import NotFoundError

# REFERENCE §2.2, in official order (parentheses are the full-width ones of the official text).
FIRST_LEVEL_2023 = [
    ("101", "库存现金"), ("102", "银行存款"), ("111", "短期投资"), ("112", "应收款"),
    ("113", "内部往来"), ("121", "库存物资"), ("131", "消耗性生物资产"), ("132", "生产性生物资产"),
    ("133", "生产性生物资产累计折旧"), ("134", "公益性生物资产"), ("141", "长期投资"),
    ("151", "固定资产"), ("152", "累计折旧"), ("153", "在建工程"), ("154", "固定资产清理"),
    ("161", "无形资产"), ("162", "累计摊销"), ("171", "长期待摊费用"), ("181", "待处理财产损溢"),
    ("201", "短期借款"), ("211", "应付款"), ("212", "应付工资"), ("213", "应付劳务费"),
    ("214", "应交税费"), ("221", "长期借款及应付款"), ("231", "一事一议资金"), ("241", "专项应付款"),
    ("301", "资本"), ("311", "公积公益金"), ("321", "本年收益"), ("322", "收益分配"),
    ("401", "生产（劳务）成本"), ("501", "经营收入"), ("502", "投资收益"), ("503", "补助收入"),
    ("504", "其他收入"), ("511", "经营支出"), ("512", "税金及附加"), ("513", "管理费用"),
    ("514", "公益支出"), ("515", "其他支出"), ("521", "所得税费用"),
]
# REFERENCE §2.3: the 33 accounts, then the 3 optional ones.
FIRST_LEVEL_2004 = [
    ("101", "现金"), ("102", "银行存款"), ("111", "短期投资"), ("112", "应收款"), ("113", "内部往来"),
    ("121", "库存物资"), ("131", "牲畜（禽）资产"), ("132", "林木资产"), ("141", "长期投资"),
    ("151", "固定资产"), ("152", "累计折旧"), ("153", "固定资产清理"), ("154", "在建工程"),
    ("201", "短期借款"), ("202", "应付款"), ("211", "应付工资"), ("212", "应付福利费"),
    ("221", "长期借款及应付款"), ("231", "一事一议资金"), ("301", "资本"), ("311", "公积公益金"),
    ("321", "本年收益"), ("322", "收益分配"), ("401", "生产（劳务）成本"), ("501", "经营收入"),
    ("502", "经营支出"), ("511", "发包及上交收入"), ("521", "农业税附加返还收入"), ("522", "补助收入"),
    ("531", "其他收入"), ("541", "管理费用"), ("551", "其他支出"), ("561", "投资收益"),
]
OPTIONAL_2004 = [("161", "无形资产"), ("171", "拨付所属单位资金"), ("241", "专项应付款")]

# Tortoise-shell brackets (U+3014/3015) are escaped: ruff's allowed-confusables lacks them.
DOC_2004 = "财会\u30142004\u301512号"
DOC_2023 = "财会\u30142023\u301514号"

INCOME = {"2004": {"501", "511", "521", "522", "531", "561"}, "2023": {"501", "502", "503", "504"}}
EXPENSE = {"2004": {"502", "541", "551"}, "2023": {"511", "512", "513", "514", "515", "521"}}
CONTRA = {"2004": {"152"}, "2023": {"133", "152", "162"}}


def first_level(version: str) -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in load_chart(version) if a.parent_code is None]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    charts.clear_cache()


@pytest.fixture
def chart_copy(tmp_path: Path) -> Path:
    target = tmp_path / "charts"
    shutil.copytree(charts.charts_dir(), target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the charts themselves ---------------------------------------------------------------------

def test_versions_and_meta() -> None:
    assert chart_versions() == ["2004", "2023"]
    assert charts.default_chart_version() == "2023"
    assert chart_meta("2004")["document"] == DOC_2004
    assert chart_meta("2004")["effective"] == "2005-01-01"
    assert chart_meta("2023")["document"] == DOC_2023
    assert chart_meta("2023")["effective"] == "2024-01-01"
    assert chart_meta("2023")["file"] == "chart_2023.csv"
    meta = chart_meta("2004")
    meta["optional_codes"].clear()
    assert chart_meta("2004")["optional_codes"] == ["161", "171", "241"]


def test_version_for_date() -> None:
    assert chart_version_for_date(date(2005, 1, 1)) == "2004"
    assert chart_version_for_date(date(2023, 12, 31)) == "2004"
    assert chart_version_for_date(date(2024, 1, 1)) == "2023"
    with pytest.raises(UnknownChartVersion):
        chart_version_for_date(date(2004, 12, 31))


def test_2023_has_exactly_the_42_first_level_accounts_in_order() -> None:
    assert first_level("2023") == FIRST_LEVEL_2023


def test_2004_has_33_plus_3_optional_first_level_accounts() -> None:
    assert first_level("2004") == sorted(FIRST_LEVEL_2004 + OPTIONAL_2004)
    for code, _ in OPTIONAL_2004:
        assert "可选" in get_account("2004", code).note
    for code, _ in FIRST_LEVEL_2004:
        assert "可选" not in get_account("2004", code).note


@pytest.mark.parametrize(("code", "old", "new"), [
    ("153", "固定资产清理", "在建工程"), ("154", "在建工程", "固定资产清理"),
    ("211", "应付工资", "应付款"), ("212", "应付福利费", "应付工资"),
    ("502", "经营支出", "投资收益"), ("511", "发包及上交收入", "经营支出"),
    ("521", "农业税附加返还收入", "所得税费用"), ("171", "拨付所属单位资金", "长期待摊费用"),
])
def test_colliding_codes_mean_different_things(code: str, old: str, new: str) -> None:
    assert get_account("2004", code).name == old
    assert get_account("2023", code).name == new
    assert "编码冲突" in get_account("2004", code).note
    assert "编码冲突" in get_account("2023", code).note


@pytest.mark.parametrize("version", ["2004", "2023"])
def test_categories_and_sides(version: str) -> None:
    for a in load_chart(version):
        top = a.code[:3]
        assert a.is_contra == (a.code in CONTRA[version]), a
        if a.is_contra:
            assert (a.category, a.normal_side) == ("资产", "贷")
        elif top[0] == "1":
            assert (a.category, a.normal_side) == ("资产", "借"), a
        elif top[0] == "2":
            assert (a.category, a.normal_side) == ("负债", "贷"), a
        elif top[0] == "3":
            assert (a.category, a.normal_side) == ("所有者权益", "贷"), a
        elif top[0] == "4":
            assert (a.category, a.normal_side) == ("成本", "借"), a
        else:
            assert a.category == "损益"
            assert top in INCOME[version] | EXPENSE[version], a
            assert a.normal_side == ("贷" if top in INCOME[version] else "借"), a


@pytest.mark.parametrize("version", ["2004", "2023"])
def test_sub_accounts_extend_their_parent(version: str) -> None:
    seen: set[str] = set()
    for a in load_chart(version):
        if a.parent_code is not None:
            assert a.parent_code in seen
            assert a.code[:-2] == a.parent_code and len(a.code) in (5, 7)
            assert a.level == get_account(version, a.parent_code).level + 1
        seen.add(a.code)


@pytest.mark.parametrize(("version", "code", "name"), [
    ("2023", "32201", "未分配收益"), ("2023", "32202", "各项分配"), ("2023", "3220201", "提取公积公益金"),
    ("2023", "3220202", "向成员分配"), ("2023", "3220203", "其他"), ("2023", "50101", "出租收入"),
    ("2023", "50102", "发包收入"), ("2023", "50301", "村级组织运转经费补助"), ("2023", "51301", "干部报酬"),
    ("2004", "32201", "未分配收益"), ("2004", "3220202", "提取应付福利费"), ("2004", "3220203", "外来投资分利"),
    ("2004", "3220204", "农户分配"), ("2004", "15101", "经营性固定资产"), ("2004", "15102", "非经营性固定资产"),
    ("2004", "13102", "产役畜"), ("2004", "13201", "经济林木"), ("2004", "51101", "承包金"),
])
def test_second_level_samples(version: str, code: str, name: str) -> None:
    assert get_account(version, code).name == name


def test_chart_is_copied_and_accounts_frozen() -> None:
    first = load_chart("2023")
    first.clear()
    assert len(load_chart("2023")) > 42
    with pytest.raises(AttributeError):
        load_chart("2023")[0].name = "x"  # type: ignore[misc]


def test_unknown_version_and_code_are_user_errors() -> None:
    with pytest.raises(UnknownChartVersion, match="2019") as info:
        load_chart("2019")
    assert isinstance(info.value, NotFoundError)
    with pytest.raises(UnknownAccountError):
        get_account("2004", "181")


# --- roles --------------------------------------------------------------------------------------

EXPECTED_ROLES = {
    "cash": ("101", "101"), "bank": ("102", "102"), "fixed_assets": ("151", "151"),
    "accumulated_depreciation": ("152", "152"), "fixed_asset_clearing": ("153", "154"),
    "construction_in_progress": ("154", "153"), "payables": ("202", "211"), "wages_payable": ("211", "212"),
    "current_year_income": ("321", "321"), "income_distribution": ("322", "322"),
    "undistributed_income": ("32201", "32201"), "reserve_fund": ("311", "311"),
    "public_welfare_expense": ("551", "514"), "management_expense": ("541", "513"),
    "subsidy_income": ("522", "503"), "other_income": ("531", "504"), "investment_income": ("561", "502"),
    "rent_income": ("50103", "50101"), "contracting_income": ("51101", "50102"),
    "one_matter_one_discussion": ("231", "231"), "land_compensation": ("311", "311"),
    "business_expense": ("502", "511"), "distribution_to_members": ("3220204", "3220202"),
}


@pytest.mark.parametrize(("role", "codes"), EXPECTED_ROLES.items())
def test_single_roles(role: str, codes: tuple[str, str]) -> None:
    assert (account_role("2004", role), account_role("2023", role)) == codes


def test_multi_account_roles() -> None:
    assert account_roles("2023", "operating_income") == ("501", "502")
    assert account_roles("2004", "operating_income") == ("501", "511", "561")
    assert set(account_roles("2023", "total_income")) == INCOME["2023"]
    assert set(account_roles("2004", "total_income")) == INCOME["2004"]
    assert set(account_roles("2023", "total_expense")) == EXPENSE["2023"]
    assert set(account_roles("2004", "total_expense")) == EXPENSE["2004"]
    with pytest.raises(ChartError, match="account_roles"):
        account_role("2023", "operating_income")


@pytest.mark.parametrize(("role", "missing_in"), [
    ("pending_property_loss", "2004"), ("taxes_payable", "2004"), ("income_tax_expense", "2004"),
    ("welfare_payable", "2023"), ("agricultural_tax_refund_income", "2023"),
])
def test_absent_roles(role: str, missing_in: str) -> None:
    assert account_roles(missing_in, role) == ()
    with pytest.raises(RoleAbsentError) as info:
        account_role(missing_in, role)
    assert info.value.reason and info.value.version == missing_in


def test_every_role_resolves_or_is_documented_absent() -> None:
    names = role_names()
    assert len(names) == len(set(names)) >= len(EXPECTED_ROLES)
    for role in names:
        spec = role_spec(role)
        assert spec.label
        for version in chart_versions():
            codes = account_roles(version, role)
            if not codes:
                assert spec.absent[version]
                continue
            for code in codes:
                get_account(version, code)
            if spec.kind == "posting":
                assert len(codes) == 1 and is_leaf(version, codes[0]), (role, version)


def test_unknown_role() -> None:
    with pytest.raises(UnknownRoleError) as info:
        account_role("2023", "no_such_role")
    assert isinstance(info.value, KeyError)


def test_total_income_covers_every_income_account() -> None:
    for version in chart_versions():
        tops = {a.code for a in load_chart(version) if a.parent_code is None and a.category == "损益"}
        assert set(account_roles(version, "total_income")) | set(account_roles(version, "total_expense")) == tops


# --- 2004 -> 2023 mapping ----------------------------------------------------------------------

def test_every_2004_account_maps_to_an_existing_2023_account() -> None:
    mapping = load_mapping("2004", "2023")
    assert set(mapping) == {a.code for a in load_chart("2004")}
    for old, new in mapping.items():
        assert get_account("2023", new).category == get_account("2004", old).category, old


@pytest.mark.parametrize(("old", "new"), [
    ("101", "101"), ("153", "154"), ("154", "153"), ("202", "211"), ("211", "212"), ("212", "211"),
    ("502", "511"), ("511", "501"), ("521", "504"), ("522", "503"), ("531", "504"), ("541", "513"),
    ("551", "515"), ("561", "502"), ("131", "131"), ("132", "132"), ("13102", "132"),
    ("51101", "50102"), ("51102", "502"), ("32201", "32201"), ("3220204", "3220202"),
    ("171", "141"),
])
def test_mapping_of_collisions(old: str, new: str) -> None:
    assert load_mapping("2004", "2023")[old] == new


def test_mapping_notes_flag_judgement() -> None:
    assert not charts.mapping_verified("2004", "2023")
    for row in load_mapping_rows("2004", "2023"):
        assert row.note, row
        if row.note.startswith("[M]"):
            assert "需核对官方对照表" in row.note
        if get_account("2004", row.from_code).name != get_account("2023", row.to_code).name:
            assert "[M]" in row.note or "编码变更" in row.note or "改名" in row.note, row
    judged = {r.from_code for r in load_mapping_rows("2004", "2023") if r.note.startswith("[M]")}
    assert {"511", "521", "212", "131", "132", "171"} <= judged


def test_same_version_mapping_is_identity() -> None:
    assert load_mapping("2023", "2023") == {a.code: a.code for a in load_chart("2023")}


# --- broken files are refused --------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "message"), [
    ("101,库存现金,资产,借,,0,", "101,库存现金,资产,借,,0,\n101,现金,资产,借,,0,", "重复"),
    ("152,累计折旧,资产,贷,,1,", "152,累计折旧,资产,借,,1,", "余额方向"),
    ("152,累计折旧,资产,贷,,1,", "152,累计折旧,资产,贷,,0,", "余额方向"),
    ("121,库存物资,资产,借,,0,", "121,库存物资,资产类,借,,0,", "类别"),
    ("121,库存物资,资产,借,,0,", "121,库存物资,资产,D,,0,", "余额方向"),
    ("121,库存物资,资产,借,,0,", "121,库存物资,负债,贷,,0,", "类别"),
    ("15101,经营性固定资产,资产,借,151,0,", "15101,经营性固定资产,资产,借,159,0,", "上级科目 159"),
    ("15101,经营性固定资产,资产,借,151,0,", "15901,经营性固定资产,资产,借,151,0,", "加两位"),
    ("121,库存物资,资产,借,,0,\n", "", "42"),
    ("code,name,category", "code,title,category", "表头"),
    ("121,库存物资,资产,借,,0,", "121,库存物资,资产,借,,0", "列"),
])
def test_broken_chart_is_refused(chart_copy: Path, old: str, new: str, message: str) -> None:
    edit(chart_copy / "chart_2023.csv", old, new)
    with pytest.raises(ChartFileError, match=message) as info:
        load_chart("2023", directory=chart_copy)
    assert "chart_2023.csv" in str(info.value)
    assert len(load_chart("2023")) > 42  # the shipped chart is unaffected


def test_child_before_parent_is_refused(chart_copy: Path) -> None:
    path = chart_copy / "chart_2004.csv"
    edit(path, "13101,幼畜及育肥畜,资产,借,131,0,制度规定的二级科目\n", "")
    edit(path, "131,牲畜（禽）资产", "13101,幼畜及育肥畜,资产,借,131,0,\n131,牲畜（禽）资产")
    with pytest.raises(ChartFileError, match="排在本科目之后"):
        load_chart("2004", directory=chart_copy)


def test_bad_encoding_is_refused(chart_copy: Path) -> None:
    path = chart_copy / "chart_2004.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(ChartFileError, match="UTF-8"):
        load_chart("2004", directory=chart_copy)


def test_incomplete_mapping_is_refused(chart_copy: Path) -> None:
    edit(chart_copy / "mapping_2004_to_2023.csv", "2004,521,2023,504,", "2004,521,2023,599,")
    with pytest.raises(ChartFileError, match="599"):
        load_mapping("2004", "2023", directory=chart_copy)
    charts.clear_cache()
    path = chart_copy / "mapping_2004_to_2023.csv"
    path.write_text("\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                              if not line.startswith("2004,521,")), encoding="utf-8")
    with pytest.raises(ChartFileError, match="没有对照：521"):
        load_mapping("2004", "2023", directory=chart_copy)


def test_bad_roles_are_refused(chart_copy: Path) -> None:
    path = chart_copy / "charts.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["roles"]["cash"]["2023"] = ["109"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ChartFileError, match="109"):
        account_role("2023", "cash", directory=chart_copy)
    charts.clear_cache()
    data["roles"]["cash"]["2023"] = []
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ChartFileError, match="absent"):
        role_names(directory=chart_copy)
    charts.clear_cache()
    data["roles"]["cash"]["2023"] = ["513"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ChartFileError, match="末级科目"):
        role_names(directory=chart_copy)


def test_broken_json_is_refused(chart_copy: Path) -> None:
    (chart_copy / "charts.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ChartFileError, match=r"charts\.json"):
        chart_versions(directory=chart_copy)


def test_resources_dir_can_be_monkeypatched(chart_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(chart_copy / "chart_2023.csv", "101,库存现金", "101,现金（测试）")
    monkeypatch.setattr(charts, "charts_dir", lambda: chart_copy)
    assert get_account("2023", "101").name == "现金（测试）"


def test_frozen_resources_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    charts.charts_dir.cache_clear()
    try:
        assert charts.charts_dir() == tmp_path / "resources" / "charts"
    finally:
        monkeypatch.undo()
        charts.charts_dir.cache_clear()
