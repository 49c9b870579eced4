"""凭证导入 (kind ``vouchers``) and the flat voucher export that re-imports (issue #15)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core.services.periods import close_period
from desktop_app.core.services.vouchers import get_voucher, list_vouchers
from desktop_app.excel.importers import importer, run_import, write_template
from tests.funds.conftest import Env, make_env, table_counts

USCC = "N2320115MF00000121"
D = Decimal
HEAD = ["日期", "凭证字号", "摘要", "科目", "借方金额", "贷方金额", "往来单位或个人"]


def _xlsx(path: Path, rows: list[list[Any]], *, head: list[str] = HEAD, title: str | None = "东湖村2026年1月凭证") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append([title])
        ws.append(["填报单位：东湖村股份经济合作社", None, None, None, "单位：元"])
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _run(env: Env, path: Path, *, mode: str = "add", apply: bool = False) -> Any:
    with env.db.begin("test") as s:
        check, done = run_import(s, "vouchers", path, organisation_id=env.book.organisation_id, book_id=env.book.id,
                                 mode=mode, apply=apply, user=env.maker)  # type: ignore[arg-type]
    return check, done


def _vouchers(env: Env, first: str = "2026-01", last: str = "2026-12") -> list[Any]:
    with env.db.begin() as s:
        return [get_voucher(s, v.id) for v in list_vouchers(s, env.book.id, first, last)]


def test_a_hand_kept_journal_is_imported_as_entered(env: Env, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["2026年1月5日", "记-1", "收到上级专项补助", "10201 农商行", "50,000.00", None, "阳光街道财政所"],
        [None, None, "收到上级专项补助", "补助收入/上级专项补助", None, "５００００元", "阳光街道财政所"],
        ["2026-01-08", "记2", "支付办公用品", "管理费用-办公费", "1,200元", None, None],
        ["2026-01-08", None, "支付办公用品", "101", None, 1200, "王五"],
        ["2026/1/9", "记字第3号", "零星支出", "管理费用/其他", 80.5, None, None],
        ["2026/1/9", 3, "", "库存现金", None, "80.50", None],
        ["本月合计", None, None, None, "51,280.50", "51,280.50", None],
    ]
    path = _xlsx(tmp_path / "凭证.xlsx", rows)
    check, done = _run(env, path)
    assert check.ok, [str(p) for p in check.problems]
    assert check.count("new") == 3
    assert [s.reason for s in check.skipped][-1] == "合计行" and len(check.skipped) == 3
    assert check.layout.columns.keys() >= {"date", "number", "summary", "account_name", "debit", "credit",
                                           "counterparty"}
    with env.db.begin() as s:
        assert list_vouchers(s, env.book.id, "2026-01", "2026-01") == []  # a check writes nothing
    check, done = _run(env, path, apply=True)
    assert done is not None and done.added == 3 and "3 张" in done.message
    vs = _vouchers(env)
    assert [(d.voucher.number, d.voucher.voucher_date, d.voucher.summary, d.voucher.status) for d in vs] == [
        (1, date(2026, 1, 5), "收到上级专项补助", "填制"), (2, date(2026, 1, 8), "支付办公用品", "填制"),
        (3, date(2026, 1, 9), "零星支出", "填制")]
    assert [(ln.account_code, ln.debit, ln.credit, ln.counterparty) for ln in vs[0].lines] == [
        ("10201", D("50000.00"), D("0.00"), "阳光街道财政所"), ("50302", D("0.00"), D("50000.00"), "阳光街道财政所")]
    assert [(ln.account_code, ln.debit, ln.credit, ln.counterparty) for ln in vs[1].lines] == [
        ("51302", D("1200.00"), D("0.00"), None), ("101", D("0.00"), D("1200.00"), "王五")]
    assert [(ln.account_code, ln.debit, ln.credit) for ln in vs[2].lines] == [
        ("51308", D("80.50"), D("0.00")), ("101", D("0.00"), D("80.50"))]
    assert vs[0].voucher.maker_name == "王会计"
    with env.db.begin() as s:  # audited like a typed voucher
        from sqlalchemy import select

        from db.models import AuditEntry

        audit = list(s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "voucher")))
    assert sum("填制凭证" in a for a in audit) == 3


def test_every_problem_at_once_and_nothing_written(env: Env, tmp_path: Path) -> None:
    with env.db.begin("test") as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    rows: list[list[Any]] = [
        ["2026-01-20", "记-1", "一月的凭证", "101", 100, None, None],  # 4: January is closed
        [None, None, "一月的凭证", "504", None, 100, None],
        ["2026-02-03", "记-1", "不平衡", "101", "100.00", None, None],  # 6: 100 vs 90
        ["2026-02-03", "记-1", "不平衡", "504", None, "90", None],
        ["2026-02-04", "记-2", "非末级", "102", 10, None, None],  # 8: 102 has 10201
        ["2026-02-04", "记-2", "非末级", "9999", None, 10, None],  # 9: no such account
        ["2026-02-05", "记-3", "分", "101", "1.005", None, None],  # 10: three decimals
        ["2026-02-05", "记-3", "分", "504", None, "1.005", None],
        ["2026-02-06", None, "无号不同日", "101", 5, None, None],  # 12: no number, another date
        ["2026-02-07", "记-4", "其他", "其他", 5, None, None],  # 13: 其他 names several accounts
        ["2026-02-07", "记-4", "其他", "504", None, 5, None],
        ["2026-02-30", "记-5", "错日期", "101", 5, None, None],  # 15: no such day
        ["2026-02-08", "记-6", "两边", "101", 5, 5, None],  # 16: both sides
        ["2026-02-08", "记-6", "两边", "504", None, 5, None],
    ]
    path = _xlsx(tmp_path / "坏.xlsx", rows)
    before = table_counts(env)
    check, done = _run(env, path, apply=True)
    assert done is None and not check.ok
    text = [str(p) for p in check.problems]
    by_row = {p.row: str(p) for p in check.problems}
    assert "已结账" in by_row[4] and "A列“日期”" in by_row[4]
    assert "借贷不平衡" in by_row[6] and "第6、7行" in by_row[6] and "相差 10.00" in by_row[6]
    assert "有明细科目" in by_row[8] and "10201 农商行" in by_row[8] and "D列“科目”" in by_row[8]
    assert "9999 不在本账套" in by_row[9]
    assert "两位小数" in by_row[10] and "E列“借方金额”" in by_row[10]
    assert "日期 2026-02-06 与上一行" in by_row[12]
    assert "对应多个科目" in by_row[13] and "管理费用/其他" in by_row[13]
    assert "2026年没有2月30日" in by_row[15]
    assert "只能填借方或贷方" in by_row[16]
    assert "1.005" in by_row[11] and "F列“贷方金额”" in by_row[11]
    assert len(text) == len(by_row) == 10, text
    assert table_counts(env) == before


def test_existing_numbers_refused_or_left_and_no_update_mode(env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 1, 3), "已有凭证", ("101", "10", "0"), ("504", "0", "10"), post=False)
    rows: list[list[Any]] = [
        ["2026-01-03", "记-1", "文件里的1号", "101", 10, None, None],
        ["2026-01-03", "记-1", "文件里的1号", "504", None, 10, None],
        ["2026-01-04", "记-2", "文件里的2号", "101", 20, None, None],
        ["2026-01-04", "记-2", "文件里的2号", "504", None, 20, None],
    ]
    path = _xlsx(tmp_path / "已有.xlsx", rows)
    check, _ = _run(env, path)
    assert [p.row for p in check.problems] == [4] and "已有记-1号凭证" in str(check.problems[0])
    check, done = _run(env, path, mode="skip", apply=True)
    assert done is not None and (done.added, done.left) == (1, 1)
    assert "跳过已有 1 行" in check.summary()
    assert [(d.voucher.number, d.voucher.summary) for d in _vouchers(env)] == [(1, "已有凭证"), (2, "文件里的2号")]
    assert importer("vouchers").modes == ("add", "skip")
    from desktop_app.core.errors import UserError

    with pytest.raises(UserError, match="不支持“更新已有”"):
        _run(env, path, mode="update")


def test_numbers_follow_the_book_and_the_preview_says_so(env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 1, 3), "已有凭证", ("101", "10", "0"), ("504", "0", "10"), post=False)
    rows: list[list[Any]] = [["2026-01-04", "12", "号不同", "101", 20, None, None],
                             ["2026-01-04", "12", "号不同", "504", None, 20, None]]
    check, done = _run(env, _xlsx(tmp_path / "号.xlsx", rows, title=None), apply=True)
    assert done is not None and any("记-12 → 记-0002" in n for n in check.notes)
    assert [d.voucher.number for d in _vouchers(env)] == [1, 2]


def test_a_file_without_an_account_column_or_rows_is_a_problem(env: Env, tmp_path: Path) -> None:
    check, _ = _run(env, _xlsx(tmp_path / "无科目.xlsx", [["2026-01-04", "1", "x", 1, None]],
                               head=["日期", "凭证号", "摘要", "借方", "贷方"]))
    assert not check.ok and "科目编码" in str(check.problems[0])
    check, _ = _run(env, _xlsx(tmp_path / "无号.xlsx", [["2026-01-04", "x", "101", 1, None]],
                               head=["日期", "摘要", "科目编码", "借方", "贷方"]))
    assert not check.ok and "找不到“凭证号”列" in str(check.problems[0])
    check, _ = _run(env, _xlsx(tmp_path / "空.xlsx", [], title=None))
    assert not check.ok and "没有凭证行" in str(check.problems[0])


def test_template_reimports(env: Env, tmp_path: Path) -> None:
    path = write_template("vouchers", tmp_path / "模板.xlsx", examples=True)
    check, done = _run(env, path, apply=True)
    assert check.ok, [str(p) for p in check.problems]
    assert done is not None and done.added == 2


def _books(tmp_path: Path) -> tuple[Env, Env]:
    src = make_env(tmp_path / "src.db")
    src.vouch(date(2026, 1, 5), "收到发包款", ("10201", "12000.00", "0"), ("50102", "0", "12000.00"))
    src.vouch(date(2026, 1, 9), "=SUM(A1) 支付会议费", ("51304", "350.25", "0"), ("101", "0", "350.25"))
    with src.db.begin("test") as s:
        from desktop_app.core.services.vouchers import LineInput, create_voucher, void_voucher

        v = create_voucher(s, book_id=src.book.id, voucher_date=date(2026, 1, 20), summary="应收张三承包费",
                           lines=[LineInput("112", D("3000.00"), D("0"), summary="应收张三承包费", counterparty="张三"),
                                  LineInput("50102", D("0"), D("2000.00"), summary="发包部分", counterparty="张三"),
                                  LineInput("50101", D("0"), D("1000.00"))], user=src.maker)
        bad = create_voucher(s, book_id=src.book.id, voucher_date=date(2026, 1, 21), summary="作废的",
                             lines=[LineInput("101", D("1"), D("0")), LineInput("504", D("0"), D("1"))], user=src.maker)
        void_voucher(s, bad.id, user=src.maker, reason="填错")
        assert v.number == 3
    src.vouch(date(2026, 2, 2), "二月", ("101", "8.00", "0"), ("504", "0", "8.00"))
    return src, make_env(tmp_path / "dst.db")


def _effective(d: Any) -> list[tuple[Any, ...]]:
    """A voucher as read: its 摘要 is its first line's (as the entry form makes it), each line's own
    摘要 or else the voucher's."""
    return [(d.voucher.voucher_date, d.voucher.summary, ln.account_code, ln.debit, ln.credit, ln.counterparty,
             ln.summary or d.voucher.summary) for ln in d.lines]


def test_export_then_import_into_a_fresh_book_gives_the_same_vouchers(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    src, dst = _books(tmp_path)
    try:
        out = tmp_path / "凭证导出.xlsx"
        assert cli_main(["export", "vouchers", "--db", str(src.db.path), "--org", USCC, "--period", "2026-01..2026-02",
                         "--out", str(out)]) == 0
        assert "4 张，9 行分录" in capsys.readouterr().out
        ws = openpyxl.load_workbook(out).active
        assert ws is not None
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        assert rows[2] == ["日期", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方", "往来单位"]
        assert rows[3][1:5] == ["记-0001", "收到发包款", "10201", "银行存款/农商行"]
        assert ws.cell(5, 3).data_type == "s"  # "=SUM(A1) …" stays text
        assert rows[-1][2] == "合计" and rows[-1][5] == rows[-1][6] == 12000 + 350.25 + 3000 + 8
        assert not any(r[2] == "作废的" for r in rows)

        check, done = _run(dst, out, apply=True)
        assert check.ok, [str(p) for p in check.problems]
        assert done is not None and done.added == 4
        assert [s.reason for s in check.skipped] == ["标题行", "标题行", "合计行"]
        with src.db.begin() as s:
            original = [get_voucher(s, v.id) for v in list_vouchers(s, src.book.id, "2026-01", "2026-02")
                        if v.status != "作废"]
        copied = _vouchers(dst)
        assert [_effective(d) for d in copied] == [_effective(d) for d in original]
        assert [d.voucher.period for d in copied] == ["2026-01"] * 3 + ["2026-02"]
        assert sum(d.voucher.total for d in copied) == sum(d.voucher.total for d in original)
    finally:
        src.db.close()
        dst.db.close()


def test_import_vouchers_cli(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")  # the fixture users' password
    rows: list[list[Any]] = [["2026-01-04", "记-1", "命令行导入", "101", 20, None, None],
                             ["2026-01-04", None, "命令行导入", "504", None, 20, None]]
    path = _xlsx(tmp_path / "cli.xlsx", rows)
    base = ["import", "vouchers", str(path), "--db", str(env.db.path), "--org", USCC]
    assert cli_main([*base, "--dry-run"]) == 0
    assert "新增 1 行" in capsys.readouterr().out
    assert cli_main(["--user", "kj", *base]) == 0
    assert "已导入凭证 1 张" in capsys.readouterr().out
    assert [d.voucher.summary for d in _vouchers(env)] == ["命令行导入"]
    assert cli_main(["--user", "kj", *base, "--mode", "update"]) != 0


def test_skip_leaves_vouchers_of_a_closed_month_unchecked(env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 1, 3), "一月已记账", ("101", "10", "0"), ("504", "0", "10"))
    with env.db.begin("test") as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    rows: list[list[Any]] = [
        ["2026-01-03", "记-0001", "一月已记账", "101", 10, None, None],
        ["2026-01-03", "记-0001", "一月已记账", "504", None, 10, None],
        ["2026-02-04", "记-0001", "二月新的", "101", 20, None, None],
        ["2026-02-04", "记-0001", "二月新的", "504", None, 20, None],
    ]
    path = _xlsx(tmp_path / "再导入.xlsx", rows)
    check, _ = _run(env, path)
    assert {p.row for p in check.problems} == {4} and any("已结账" in str(p) for p in check.problems)
    check, done = _run(env, path, mode="skip", apply=True)
    assert check.ok and done is not None and (done.added, done.left) == (1, 1)
    assert [(d.voucher.period, d.voucher.number, d.voucher.summary) for d in _vouchers(env)] == [
        ("2026-01", 1, "一月已记账"), ("2026-02", 1, "二月新的")]


def test_code_and_name_columns_must_agree(env: Env, tmp_path: Path) -> None:
    head = ["日期", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方"]
    rows: list[list[Any]] = [["2026-01-04", "1", "名称不符", "101", "银行存款", 5, None],
                             ["2026-01-04", "1", "名称不符", "10201", "银行存款—农商行", None, 5]]
    check, _ = _run(env, _xlsx(tmp_path / "不符.xlsx", rows, head=head))
    assert [str(p) for p in check.problems] == [
        "第4行D列“科目编码”：科目编码 101 是“库存现金”，与科目名称“银行存款”不一致，请核对"
        "（若两个程序的科目名称不同，可在导入预览中把科目名称列设为不导入，只按编码导入）"]
    with env.db.begin("test") as s:
        check, done = run_import(s, "vouchers", _xlsx(tmp_path / "不符2.xlsx", rows, head=head),
                                 organisation_id=env.book.organisation_id, book_id=env.book.id,
                                 mapping={"科目名称": ""}, apply=True, user=env.maker)  # type: ignore[arg-type]
    assert check.ok and done is not None and done.added == 1


def _template_file(path: Path) -> Path:
    """The kind's header and example rows, as the template writes them (on whichever sheet)."""
    from desktop_app.excel.import_vouchers import SPEC

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([f.label for f in SPEC.fields])
    for r in importer("vouchers").template_rows():
        ws.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("chart", ["2023", "2004"])
def test_the_template_examples_fit_every_book(tmp_path: Path, chart: str) -> None:
    """Every account the examples name is a leaf of both charts (the 2004 book has no 10201, no 50302)."""
    book = make_env(tmp_path / f"{chart}.db", chart, "2026-01" if chart == "2023" else "2023-01")
    try:
        check, done = _run(book, _template_file(tmp_path / "示例.xlsx"), apply=True)
        assert check.ok, [str(p) for p in check.problems]
        assert done is not None and done.added == 2
        vs = _vouchers(book, "2023-01", "2099-12")
        assert [(ln.account_code, ln.debit, ln.credit) for ln in vs[1].lines] == [
            ("101", D("3000.00"), D("0.00")), ("112", D("0.00"), D("3000.00"))]
        assert all(d.voucher.voucher_date == date.today().replace(day=1) for d in vs)
    finally:
        book.db.close()


def test_an_unknown_account_names_the_column_it_was_read_from(env: Env, tmp_path: Path) -> None:
    head = ["日期", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方"]
    rows: list[list[Any]] = [["2026-01-04", "1", "按名称", None, "不存在的科目", 5, None],
                             ["2026-01-04", "1", "按名称", "9999", None, None, 5],
                             ["2026-01-05", "2", "有明细", None, "银行存款", 5, None],
                             ["2026-01-05", "2", "有明细", "101", None, None, 5]]
    check, _ = _run(env, _xlsx(tmp_path / "名称.xlsx", rows, head=head))
    by_row = {p.row: str(p) for p in check.problems}
    assert by_row[4].startswith("第4行E列“科目名称”：") and "不存在的科目" in by_row[4]
    assert by_row[5].startswith("第5行D列“科目编码”：") and "9999" in by_row[5]
    assert by_row[6].startswith("第6行E列“科目名称”：") and "10201 农商行" in by_row[6]


def test_export_then_import_with_skip_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    src, dst = _books(tmp_path)
    try:
        out = tmp_path / "凭证导出.xlsx"
        assert cli_main(["export", "vouchers", "--db", str(src.db.path), "--org", USCC, "--period", "2026-01..2026-02",
                         "--out", str(out)]) == 0
        base = ["--user", "kj", "import", "vouchers", str(out), "--db", str(dst.db.path), "--org", USCC,
                "--mode", "skip"]
        capsys.readouterr()
        assert cli_main(base) == 0
        assert "已导入凭证 4 张" in capsys.readouterr().out
        assert cli_main(base) == 0  # again: every voucher is already there, left as it is
        assert "已导入凭证 0 张" in capsys.readouterr().out and len(_vouchers(dst)) == 4
    finally:
        src.db.close()
        dst.db.close()
