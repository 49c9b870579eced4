"""The 合同 import's new contracts checked a chunk at a time (issue #18): ``contract_chunks.vouched``
gives what ``check_contract`` gives each new contract (the same dicts, keys in the same order) or
None where the form refuses it, and the whole kind's check by chunks equals its check row by row —
problems (row, column, words, order), skipped rows, outcomes, notes and plan — over a file with every
refusal the form makes, in every mode and at several chunk sizes. Real SQLite file, real xlsx."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from db.models import Book
from desktop_app.core.errors import UserError
from desktop_app.core.ids import make_ric
from desktop_app.core.services.contract_chunks import INPUT_KEYS, vouched
from desktop_app.core.services.contracts import ContractInput, check_contract, contract_input, contract_inputs
from desktop_app.excel.import_contracts import SPEC, ContractsImporter
from desktop_app.excel.importers import ImportCheck
from desktop_app.excel.table_read import open_table
from tests.contracts.conftest import RIC, USCC, Env

HEADER = ["合同编号", "合同名称", "合同类型", "标的", "位置", "地类", "面积（亩）", "承包方名称", "承包方类型", "证件号码",
          "联系电话", "签订日期", "起始日期", "终止日期", "期限（年）", "计价方式", "年租金", "单价（元/亩·年）",
          "递增比例（%）", "递增间隔（年）", "付款方式", "计费周期", "缴款期限（天）", "保证金", "书面合同", "状态", "备注"]


def _good(i: int) -> dict[str, Any]:
    start = date(2024 + i % 3, 1 + i % 12, 1)
    return {"合同编号": f"HT{i:04d}", "合同名称": f"第{i % 5}组{i}号地承包合同", "合同类型": "资源发包",
            "标的": f"第{i % 5}组{i}号地", "位置": f"东湖村第{i % 5}组", "地类": ("耕地", "园地", "林地", "水面")[i % 4],
            "面积（亩）": D(1 + i % 7) + D("0.5"), "承包方名称": f"张{i // 2}", "承包方类型": "个人",
            "证件号码": make_ric("320115", date(1960, 1, 1 + i // 2 % 28), i // 2 % 1000), "联系电话": f"139{i:08d}",
            "签订日期": date(start.year - 1, 12, 20), "起始日期": start, "终止日期": date(start.year + 3, start.month, 1) - timedelta(days=1), "计价方式": "年租金", "年租金": D(800 + i % 9 * 100),
            "递增比例（%）": D(5) if i % 3 == 0 else None, "递增间隔（年）": 3 if i % 3 == 0 else None,
            "付款方式": ("年付", "半年付", "季付")[i % 3], "计费周期": "按自然年度" if i % 2 else "按合同年度",
            "缴款期限（天）": 30, "保证金": D(0) if i % 4 else D("500.00"), "书面合同": "是", "备注": "" if i % 7 else "续签"}


# one refusal (or odd value) per row, each a rule of the form or of the import
ODD: list[dict[str, Any]] = [
    {"起始日期": date(2026, 1, 1), "终止日期": date(2025, 12, 31)},  # 终止日期 早于起始日期
    {"签订日期": date(2031, 1, 1)},  # 签订日期不能晚于终止日期
    {"起始日期": None},  # 请填写起始日期
    {"期限（年）": 9},  # 期限与起止日期不符
    {"年租金": D("-100")},
    {"年租金": D("100.005")},
    {"年租金": None},
    {"年租金": D("1000000000000")},
    {"年租金": "1.2万元"},
    {"面积（亩）": D("-1")},
    {"面积（亩）": D("1.00005")},
    {"证件号码": RIC[:-1] + "1"},  # 校验位错误
    {"证件号码": USCC},  # a 单位's code for a 个人
    {"承包方类型": "单位", "证件号码": USCC[:-1] + "0"},
    {"承包方类型": "单位", "证件号码": USCC, "承包方名称": "东湖商贸有限公司"},
    {"承包方类型": None, "承包方名称": "东湖农业合作社", "证件号码": None},
    {"证件号码": "110105194912310"},  # 15 位
    {"递增比例（%）": D(150), "递增间隔（年）": 3},
    {"递增比例（%）": D(5), "递增间隔（年）": 60},
    {"付款方式": "月付"},
    {"付款方式": "一次性"},
    {"合同类型": "买卖"},
    {"地类": "宅基地"},
    {"缴款期限（天）": 400},
    {"计价方式": "单价", "单价（元/亩·年）": D("300"), "年租金": None},
    {"计价方式": "单价", "单价（元/亩·年）": D("300"), "面积（亩）": None, "年租金": None},
    {"计价方式": "单价", "单价（元/亩·年）": D("300.5"), "年租金": D(1)},
    {"合同名称": "长" * 201},
    {"联系电话": "1" * 31},
    {"备注": "注" * 2001},
    {"合同编号": "HT0003"},  # 与第…行重复
    {"合同编号": "REG-1"},  # registered
    {"合同编号": "REG-2", "年租金": D(15000)},  # registered, edited
    {"状态": "纠纷"},
    {"状态": "已终止"},
    {"状态": "草拟"},
    {"保证金": D("-5")},
    {"合同编号": " HT-sp "},
    {"书面合同": "否"},
    {"起始日期": date(2024, 2, 29), "终止日期": date(2029, 2, 28), "期限（年）": 5},
]


def _file(path: Path, goods: int = 60) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "合同台账"
    ws.append(HEADER)
    rows = [_good(i) for i in range(goods)]
    for n, odd in enumerate(ODD):  # spread among the good rows
        rows.insert(3 + n * goods // len(ODD), {**_good(goods + n), **odd})
    for r in rows:
        ws.append([r.get(h) for h in HEADER])
    wb.save(path)
    return path


def _check(env: Env, path: Path, mode: str, imp: ContractsImporter) -> ImportCheck:
    with env.db.read("test") as s:
        table = open_table(path, SPEC, formulas="collect")
        return imp.check(s, table, organisation_id=env.org.id, book_id=env.book.id, mode=mode)  # type: ignore[arg-type]


def _plan(check: ImportCheck) -> list[Any]:
    """The plan with each checked dict's keys in their order (dict equality ignores it)."""
    return [(p, None if p.checked is None else (list(p.checked[0].items()), list(p.checked[1].items())))
            for p in check.plan]


@pytest.mark.parametrize("mode", ["add", "skip", "update"])
def test_the_check_by_chunks_equals_the_check_row_by_row(env: Env, tmp_path: Path, mode: str) -> None:
    env.create(number="REG-1")
    env.create(number="REG-2")
    path = _file(tmp_path / "合同.xlsx")
    rows = _check(env, path, mode, ContractsImporter(by_chunks=False))
    assert len(rows.problems) >= 25 and rows.plan  # the file does reach the form's refusals
    words = " ".join(p.message for p in rows.problems)
    for said in ("早于起始日期", "签订日期不能晚于终止日期", "请填写起始日期", "面积最多四位小数", "校验位错误", "递增比例应在",
                 "递增间隔应为", "付款方式", "缴款期限应为", "不能超过200个字", "重复", "按单价计租时必须填写面积"):
        assert said in words, said
    for chunk in (1, 7, 512):
        chunks = _check(env, path, mode, ContractsImporter(chunk=chunk))
        assert chunks.problems == rows.problems
        assert [str(p) for p in chunks.problems] == [str(p) for p in rows.problems]
        assert chunks.skipped == rows.skipped
        assert chunks.outcomes == rows.outcomes
        assert chunks.notes == rows.notes
        assert _plan(chunks) == _plan(rows)


def test_a_clean_file_by_chunks_equals_row_by_row(env: Env, tmp_path: Path) -> None:
    path = _file(tmp_path / "合同.xlsx", goods=1100)
    wb = openpyxl.load_workbook(path)  # without the odd rows: every row new and vouched for
    ws = wb.active
    assert ws is not None
    ws.delete_rows(2, ws.max_row)
    for i in range(1100):
        ws.append([_good(i).get(h) for h in HEADER])
    wb.save(path)
    rows = _check(env, path, "add", ContractsImporter(by_chunks=False))
    chunks = _check(env, path, "add", ContractsImporter())
    assert not rows.problems and len(rows.plan) == 1100
    assert (chunks.problems, chunks.outcomes, chunks.notes, _plan(chunks)) == \
        (rows.problems, rows.outcomes, rows.notes, _plan(rows))


def test_vouched_gives_check_contracts_dicts_or_none_where_the_form_refuses(env: Env, tmp_path: Path) -> None:
    env.create(number="REG-1")
    datas: list[ContractInput] = [env.contract(number=f"N{i}") for i in range(3)]
    changes: list[dict[str, Any]] = [
            {"end_date": date(2025, 1, 1)}, {"start_date": None}, {"signed_on": date(2031, 1, 1)},
            {"annual_rent": D("-1")}, {"annual_rent": "１，２３４．５０"}, {"annual_rent": D("12.345")},
            {"area_mu": D("2.5")}, {"area_mu": "2.5亩"}, {"area_mu": D("-2")}, {"escalation_pct": D("101")},
            {"escalation_pct": "5"}, {"escalation_pct": ""}, {"escalation_years": 51}, {"escalation_years": True},
            {"due_days": 367}, {"due_days": D(30)}, {"billing_align": "按合同年度"}, {"billing_align": "contract"},
            {"counterparty_kind": "单位"}, {"counterparty_kind": "单位", "counterparty_id_number": USCC},
            {"counterparty_id_number": " " + RIC.lower() + " "}, {"counterparty_id_number": "   "},
            {"counterparty_kind": "法人"}, {"number": "REG-1"}, {"number": "  "}, {"number": "N" * 41},
            {"name": " 鱼塘 "}, {"subject": ""}, {"location": "   "}, {"quantity": "1" * 51},
            {"land_class": "耕地"}, {"land_class": "荒地"}, {"kind": "资产租赁"}, {"kind": None},
            {"payment_mode": "季付"}, {"price_basis": "单价", "unit_price": D("300"), "area_mu": D("2.5")},
            {"price_basis": "单价", "unit_price": None, "area_mu": D("2.5")},
            {"price_basis": "单价", "unit_price": D("300"), "area_mu": D(0)}, {"price_basis": "按年"},
            {"deposit_required": D("-1")}, {"deposit_required": None}, {"deposit_required": D("-0")},
            {"deposit_required": D("2000.1")}, {"status": "纠纷"}, {"status": "终止了"}, {"written": False},
            {"official_code": "9" * 19}, {"notes": " 备注 "}, {"counterparty_phone": 13900000000},
            {"start_date": date(2026, 1, 1), "end_date": date(2026, 1, 1)}]
    for n, change in enumerate(changes):
        datas.append(env.contract(**{"number": f"M{n}", **change}))
    with env.db.read("test") as s:
        book = s.get(Book, env.book.id)
        numbers = {"REG-1": env.org.id}
        want: list[Any] = []
        for data in datas:
            try:
                want.append(check_contract(s, data, numbers=numbers, book=book))
            except UserError:
                want.append(None)
        assert 10 < want.count(None) < len(want) - 10
        for size in (1, 5, len(datas)):
            got = [v for i in range(0, len(datas), size)
                   for v in vouched(datas[i:i + size], numbers=numbers, book=book)]
            for data, g, w in zip(datas, got, want, strict=True):
                if w is None:
                    assert g is None, data
                elif g is not None:  # vouched: the very dicts, keys in their order
                    assert (list(g[0].items()), list(g[1].items())) == (list(w[0].items()), list(w[1].items())), data
            assert sum(g is not None for g in got) >= len(want) - want.count(None) - 8  # few left to the row check


def test_contract_input_is_the_dataclass(env: Env) -> None:
    values = {k: getattr(env.contract(), k) for k in ("organisation_id", "book_id", "number", "name", "kind", "subject",
                                                       "counterparty_name", "counterparty_kind", "start_date",
                                                       "end_date", "payment_mode", "annual_rent")}
    made = contract_input(dict(values))
    assert made == ContractInput(**values) and type(made) is ContractInput
    with pytest.raises(TypeError):
        contract_input({**values, "nonsense": 1})
    with pytest.raises(TypeError):
        contract_input({k: v for k, v in values.items() if k != "name"})


def test_contract_inputs_by_columns_are_the_dataclasses(env: Env) -> None:
    datas = [env.contract(number=f"C{i}", annual_rent=D(i), notes=None if i % 2 else "备注") for i in range(5)]
    same = {"organisation_id": env.org.id, "book_id": env.book.id}
    columns = {k: [getattr(d, k) for d in datas] for k in INPUT_KEYS}
    made = contract_inputs(columns, 5, **same)
    assert made == datas and {type(m) for m in made} == {ContractInput}
    with pytest.raises(FrozenInstanceError):
        made[0].number = "X"  # type: ignore[misc]
    partial = {k: v for k, v in columns.items() if k not in ("notes", "status")}  # defaults where not given
    assert contract_inputs(partial, 5, **same) == [replace(d, notes=None) for d in datas]
    with pytest.raises(TypeError):
        contract_inputs({**columns, "nonsense": [1] * 5}, 5, **same)


# A file whose odd values the chunk path reads column by column (``contracts_fresh``): a 递增条款 column
# instead of 递增比例/间隔, 期限 in every form, blank defaults, 承包方类型 guessed, 状态, 乡镇备案, 组织.
HEADER2 = ["合同编号", "合同名称", "合同类型", "标的", "面积（亩）", "承包方名称", "承包方类型", "证件号码", "签订日期",
           "起始日期", "终止日期", "期限（年）", "计价方式", "年租金", "单价（元/亩·年）", "递增条款", "付款方式", "计费周期",
           "缴款期限（天）", "保证金", "书面合同", "状态", "乡镇备案日期", "组织"]
TERMS: list[Any] = [3, "3年", 3.0, None, D("3.00"), "３年", "", 3.3, D("2.99"), "三年"]
ESCALATIONS: list[Any] = ["每3年递增5%", "每三年上浮5%", "无", "", None, "不递增", "每十二年递增2.5%", "每2年增长5%。",
                          "每3年递增150%", "随行就市"]
BLANKS: list[dict[str, Any]] = [
    {}, {"计价方式": None}, {"计费周期": None, "缴款期限（天）": None}, {"保证金": None, "书面合同": None},
    {"书面合同": "否", "保证金": D("0.00")}, {"承包方类型": None}, {"承包方类型": None, "证件号码": None},
    {"承包方类型": None, "证件号码": USCC, "承包方名称": "东湖商贸有限公司"},
    {"承包方类型": None, "证件号码": None, "承包方名称": "东湖农业合作社"}, {"状态": "已终止"}, {"状态": "纠纷"},
    {"状态": "草拟"}, {"状态": "履行中"}, {"乡镇备案日期": date(2026, 3, 1)}, {"组织": "西湖村"},
    {"计价方式": "单价", "单价（元/亩·年）": D(200), "年租金": None},
    {"计价方式": "单价", "单价（元/亩·年）": D(200), "面积（亩）": D(3), "年租金": D(600)},
    {"计价方式": "单价", "单价（元/亩·年）": D(200), "面积（亩）": D(3), "年租金": D(601)},
    {"证件号码": RIC[:-1] + "1"}, {"终止日期": date(2020, 1, 1)}, {"合同名称": "长" * 201}, {"证件号码": "1101**********002X"},
]


def _fresh_row(i: int) -> dict[str, Any]:
    start = date(2024 + i % 3, 1 + i % 12, 1)
    row = {"合同编号": f"FR{i:04d}", "合同名称": f"{i}号地承包合同", "合同类型": "资源发包", "标的": f"{i}号地",
           "面积（亩）": D(1 + i % 7) + D("0.5"), "承包方名称": f"李{i // 2}", "承包方类型": "个人",
           "证件号码": make_ric("320115", date(1970, 1, 1 + i // 2 % 28), i // 2 % 1000),
           "签订日期": None if i % 5 == 0 else date(start.year - 1, 12, 20), "起始日期": start,
           "终止日期": date(start.year + 3, start.month, 1) - timedelta(days=1), "期限（年）": TERMS[i % len(TERMS)],
           "计价方式": "年租金", "年租金": D(800 + i % 9 * 100), "递增条款": ESCALATIONS[i % len(ESCALATIONS)],
           "付款方式": ("年付", "半年付", "季付")[i % 3], "计费周期": "按自然年度" if i % 2 else "按合同年度",
           "缴款期限（天）": 30, "保证金": D(0), "书面合同": "是", "状态": None, "乡镇备案日期": None, "组织": "东湖村"}
    if row["期限（年）"] in (3.3, D("2.99")):  # a term the dates agree with (3 years 4 months ≈ 3.33)
        row["终止日期"] = date(start.year + 3, start.month, 1) + timedelta(days=120) \
            if row["期限（年）"] == 3.3 else row["终止日期"] - timedelta(days=3)
    return {**row, **BLANKS[i % len(BLANKS)]}


def _fresh_file(path: Path, n: int, odd: dict[int, dict[str, Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER2)
    for i in range(n):
        r = {**_fresh_row(i), **odd.get(i, {})}
        ws.append([r.get(h) for h in HEADER2])
    wb.save(path)
    return path


@pytest.mark.parametrize("mode", ["add", "skip", "update"])
def test_odd_values_read_by_columns_equal_the_row_loop(env: Env, tmp_path: Path, mode: str) -> None:
    env.create(number="FR0005")
    # rows the chunk path leaves to the loop: a registered number, a link, a 终止日期 from the 期限, a
    # 递增条款 beside its own column, a refused cell, a number repeated, a 期限 the dates refuse
    odd = {5: {}, 40: {"付款方式": "月付"}, 41: {"终止日期": None, "期限（年）": 5}, 42: {"合同编号": "FR0003"},
           43: {"期限（年）": 9}, 44: {"终止日期": None, "期限（年）": "2.5"}, 90: {"合同编号": None}}
    path = _fresh_file(tmp_path / "合同.xlsx", 130, odd)
    rows = _check(env, path, mode, ContractsImporter(by_chunks=False))
    words = " ".join(p.message for p in rows.problems)
    for said in ("递增比例应在", "校验位错误", "早于起始日期", "不能超过200个字", "隐去中间八位", "与第", "无法识别",
                 "不符", "付款方式"):
        assert said in words, said
    assert len(rows.plan) > 60 and len(rows.notes) >= 3
    for chunk in (1, 7, 512):
        chunks = _check(env, path, mode, ContractsImporter(chunk=chunk))
        assert [str(p) for p in chunks.problems] == [str(p) for p in rows.problems]
        assert (chunks.problems, chunks.skipped, chunks.outcomes, chunks.notes) == \
            (rows.problems, rows.skipped, rows.outcomes, rows.notes)
        assert _plan(chunks) == _plan(rows)
