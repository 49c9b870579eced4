"""往来单位或个人: typed per line on the voucher form, kept by the service, offered back by the
completer, and printed per line in the disclosure's 收支明细 (PDF read back)."""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from desktop_app.core.services.vouchers import (
    LineInput,
    create_voucher,
    get_voucher,
    list_counterparties,
    post_voucher,
    review_voucher,
)
from desktop_app.ui.context import AppContext
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.voucher_entry import ACCOUNT, CREDIT, DEBIT, PARTY, SUMMARY, VoucherDialog
from tests.funds.conftest import Env


def _ctx(env: Env, tmp_path: Path) -> AppContext:
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    ctx.period = "2026-03"
    return ctx


def _post(env: Env, day: date, summary: str, lines: list[LineInput]) -> uuid.UUID:
    with env.db.begin("test") as s:
        v = create_voucher(s, book_id=env.book.id, voucher_date=day, summary=summary, lines=lines, user=env.maker)
        review_voucher(s, v.id, user=env.reviewer)
        post_voucher(s, v.id, user=env.maker)
    return v.id


def test_the_form_stores_a_counterparty_per_line_and_offers_used_names(qtbot: object, env: Env,
                                                                         tmp_path: Path) -> None:
    _post(env, date(2026, 3, 2), "收租金", [LineInput("10201", Decimal("500.00"), counterparty="东湖农机合作社"),
                                         LineInput("50101", credit=Decimal("500.00"), counterparty="东湖农机合作社")])
    ctx = _ctx(env, tmp_path)
    dlg = VoucherDialog(ctx)
    qtbot.addWidget(dlg)  # type: ignore[attr-defined]
    assert dlg.grid.horizontalHeaderItem(PARTY).text() == "往来单位或个人"
    assert dlg.grid.parties == ["东湖农机合作社"]  # the completer's list: names used in the book
    dlg.date_edit.setValue(date(2026, 3, 8))
    g = dlg.grid
    for row, (summary, account, party, debit, credit) in enumerate((
            ("收门面房租金", "10201 农商行", "张建国", "1,200.00", ""),
            ("收门面房租金", "50101", "张建国", "", "700.00"),
            ("收门面房租金", "50101", "李秀英", "", "500.00"))):
        for col, text in ((SUMMARY, summary), (ACCOUNT, account), (PARTY, party), (DEBIT, debit), (CREDIT, credit)):
            g.set_text(row, col, text)
    dlg.save()
    assert dlg.saved_id is not None
    with env.db.begin() as s:
        detail = get_voucher(s, dlg.saved_id)
        names = list_counterparties(s, env.book.id)
    assert [(ln.account_code, ln.counterparty) for ln in detail.lines] == [
        ("10201", "张建国"), ("50101", "张建国"), ("50101", "李秀英")]
    assert names[:2] == ["东湖农机合作社", "张建国"] and "李秀英" in names  # most used first


def test_enter_carries_the_counterparty_down_to_the_next_line(qtbot: object, env: Env, tmp_path: Path) -> None:
    dlg = VoucherDialog(_ctx(env, tmp_path))
    qtbot.addWidget(dlg)  # type: ignore[attr-defined]
    g = dlg.grid
    g.set_text(0, PARTY, "张建国")
    g.set_text(1, SUMMARY, "收租金")
    g.setCurrentCell(1, SUMMARY)
    g.move_next()
    assert (g.currentRow(), g.currentColumn()) == (1, ACCOUNT) and g.text(1, PARTY) == ""
    g.move_next()  # leaving the account cell: the party cell is filled from the line above
    assert g.currentColumn() == PARTY and g.text(1, PARTY) == "张建国"


def test_editing_a_voucher_keeps_its_counterparties_and_hidden_references(qtbot: object, env: Env,
                                                                           tmp_path: Path) -> None:
    contract, project = uuid.uuid4(), uuid.uuid4()
    with env.db.begin("test") as s:
        v = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 3, 5), summary="收合同款", user=env.maker,
                           lines=[LineInput("10201", Decimal("300.00"), counterparty="王海军", contract_id=contract),
                                  LineInput("50101", credit=Decimal("300.00"), counterparty="王海军",
                                            contract_id=contract, project_id=project)])
    dlg = VoucherDialog(_ctx(env, tmp_path), voucher_id=v.id)
    qtbot.addWidget(dlg)  # type: ignore[attr-defined]
    assert dlg.grid.text(0, PARTY) == "王海军"
    dlg.grid.set_text(0, DEBIT, "320.00")
    dlg.grid.set_text(1, CREDIT, "320.00")
    dlg.save()
    with env.db.begin() as s:
        lines = get_voucher(s, v.id).lines
    assert [(ln.debit + ln.credit, ln.counterparty, ln.contract_id, ln.project_id) for ln in lines] == [
        (Decimal("320.00"), "王海军", contract, None), (Decimal("320.00"), "王海军", contract, project)]


def test_a_too_long_counterparty_is_refused_and_points_at_its_cell(qtbot: object, env: Env, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.ui import errors

    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:  # the documented seam: the calm box is not run modally
        shown.append(box.text())
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(errors, "_exec", fake_exec)
    dlg = VoucherDialog(_ctx(env, tmp_path))
    qtbot.addWidget(dlg)  # type: ignore[attr-defined]
    dlg.date_edit.setValue(date(2026, 3, 8))
    for row, (account, party, d, c) in enumerate((("101", "", "5.00", ""), ("10201", "名" * 101, "", "5.00"))):
        for col, text in ((SUMMARY, "提现"), (ACCOUNT, account), (PARTY, party), (DEBIT, d), (CREDIT, c)):
            dlg.grid.set_text(row, col, text)
    dlg.save()
    assert dlg.saved_id is None and len(shown) == 1 and "不能超过100个字" in shown[0]
    assert (dlg.grid.currentRow(), dlg.grid.currentColumn()) == (1, PARTY)


def _sheet_text(env: Env, period: str) -> str:
    from desktop_app.reports.disclosure.builder import build_disclosure

    with env.db.begin() as s:
        pdf = build_disclosure(s, env.book.organisation_id, period, book_ids=[env.book.id]).pdf
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(p.extract_text() or "" for p in doc.pages)


def _detail_rows(env: Env, period: str) -> list[list[object]]:
    from desktop_app.core.services.disclosure import parse_disclosure_period
    from desktop_app.reports.disclosure.context import make_context
    from desktop_app.reports.disclosure.sections.income_expense import build

    with env.db.begin() as s:
        blocks = build(s, make_context(s, env.book.id, parse_disclosure_period(period)))
    assert blocks is not None
    detail = blocks[1]
    return [list(r) for r in detail.rows]  # type: ignore[union-attr]


def test_the_income_expense_detail_prints_each_lines_counterparty(env: Env) -> None:
    _post(env, date(2026, 3, 3), "收门面房租金", [
        LineInput("10201", Decimal("1200.00")),
        LineInput("50101", credit=Decimal("700.00"), counterparty="张建国"),
        LineInput("50101", credit=Decimal("500.00"), counterparty="李秀英")])
    _post(env, date(2026, 3, 4), "收鱼塘承包金", [LineInput("10201", Decimal("800.00"), counterparty="江宁渔业合作社"),
                                            LineInput("50101", credit=Decimal("800.00"))])
    _post(env, date(2026, 3, 6), "借给农户周转", [LineInput("112", Decimal("300.00"), counterparty="赵大勇"),
                                           LineInput("10201", credit=Decimal("300.00"))])
    rows = _detail_rows(env, "2026-03")
    assert [(r[4], r[6], r[7]) for r in rows] == [
        (Decimal("700.00"), None, "张建国"), (Decimal("500.00"), None, "李秀英"),  # one row per payer
        (Decimal("800.00"), None, "江宁渔业合作社"),  # named on the bank line only
        (None, Decimal("300.00"), "赵大勇")]  # 其他收付: the 往来 line's party
    text = _sheet_text(env, "2026-03")
    for name in ("张建国", "李秀英", "江宁渔业合作社", "赵大勇"):
        assert name in text


def test_the_summary_headings_follow_the_period(env: Env) -> None:
    from desktop_app.core.services.disclosure import parse_disclosure_period
    from desktop_app.reports.disclosure.context import make_context
    from desktop_app.reports.disclosure.sections.income_expense import summary_block

    _post(env, date(2026, 3, 3), "收租金", [LineInput("10201", Decimal("100.00")),
                                         LineInput("50101", credit=Decimal("100.00"))])
    heads = {}
    with env.db.begin() as s:
        for p in ("2026-03", "2026-Q1", "2026"):
            block = summary_block(s, make_context(s, env.book.id, parse_disclosure_period(p)))
            heads[p] = [c.header for c in block.columns]
            income = next(r for r in block.rows if r[0] == "收入合计")
            assert income[1:] == ([Decimal("100.00")] * (len(heads[p]) - 1))
    assert heads == {"2026-03": ["项目", "本月数", "本年累计数"], "2026-Q1": ["项目", "本季数", "本年累计数"],
                     "2026": ["项目", "本年数"]}  # the book starts in 2026: no 上年数 column, no repeated one
    text = _sheet_text(env, "2026")
    assert "本年累计" not in text.split("收支汇总")[1].split("收支明细")[0]
