"""Reviewer #17.2: a 红字 (reversal) voucher prints its 合计（大写） filled — the amount with the 红字
mark, never a negative 大写 (REFERENCE §8.1) — and its figures in red ink without a minus sign."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pdfplumber

from desktop_app.core.services.vouchers import reverse_voucher
from desktop_app.reports.ledger_docs import render_ledger_output
from desktop_app.reports.voucher_pdf import build_voucher_forms, vouchers_pdf_bytes
from tests.funds.conftest import Env


def test_red_voucher_prints_words_with_the_red_mark_and_red_figures(env: Env) -> None:
    original = env.vouch(date(2026, 3, 2), "收厂房租金", ("10201", "14600.00", "0"), ("50101", "0", "14600.00"))
    with env.db.begin("test") as s:
        red = reverse_voucher(s, original, user=env.maker, voucher_date=date(2026, 3, 9), reason="金额有误")
    with env.db.read() as s:
        forms = build_voucher_forms(s, env.book.id, "2026-03", "2026-03")
    black, redform = forms.vouchers
    assert not black.red and black.words == "壹万肆仟陆佰元整"
    assert redform.number == red.number and redform.red and redform.words == "（红字）壹万肆仟陆佰元整"
    data = vouchers_pdf_bytes(forms, per_page=2)
    with pdfplumber.open(io.BytesIO(data)) as doc:
        page = doc.pages[0]
        text = (page.extract_text() or "").replace(" ", "")
        words = page.extract_words(extra_attrs=["non_stroking_color"])
    assert "合计（大写）（红字）壹万肆仟陆佰元整" in text and "合计（大写）壹万肆仟陆佰元整" in text
    assert "-14,600.00" not in text and text.count("¥14,600.00") == 4  # two totals on each form
    assert "红字" in text.split("记字第0002号")[0].split("记字第0001号")[1]  # the mark beside the second title

    half = float(page.height) / 2
    amounts = [w for w in words if re.fullmatch(r"¥?[\d,]+\.\d\d", w["text"])]
    upper = {w["text"]: w["non_stroking_color"] for w in amounts if w["top"] < half}
    lower = {w["text"]: w["non_stroking_color"] for w in amounts if w["top"] > half}
    assert set(upper) == set(lower) == {"14,600.00", "¥14,600.00"}  # no minus sign on the red form
    assert all(max(c or (0,)) == 0 for c in upper.values())  # the ordinary form stays black
    assert {tuple(c) for c in lower.values()} == {(0.8, 0.0, 0.0)}  # every red-form figure in red ink


def test_red_voucher_in_the_voucher_xlsx(env: Env) -> None:
    original = env.vouch(date(2026, 3, 2), "收厂房租金", ("10201", "14600.00", "0"), ("50101", "0", "14600.00"))
    with env.db.begin("test") as s:
        reverse_voucher(s, original, user=env.maker, voucher_date=date(2026, 3, 9), reason="金额有误")
    with env.db.begin() as s:
        out = render_ledger_output(s, env.book.id, "vouchers", "2026-03", "2026-03", "xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(out.data)).active
    assert ws is not None
    rows = [[c for c in r] for r in ws.iter_rows()]
    totals = [r for r in rows if isinstance(r[2].value, str) and r[2].value.startswith("合计（大写）")]
    assert [r[2].value for r in totals] == ["合计（大写）壹万肆仟陆佰元整", "合计（大写）（红字）壹万肆仟陆佰元整"]
    red = totals[1]
    assert red[5].value == -14600 and red[5].number_format == "#,##0.00;[Red]#,##0.00"  # red, no minus shown
