"""收款收据 on paper and on the command line (issue #20): the three parts read back from the PDF
(number, 大写, 作废, 补打), both layouts, same bytes for the same print; the CLI lists, prints,
voids, issues (补开) and checks."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_app.cli import main
from desktop_app.core.services.receipt_slips import issue_slips, list_slips, print_slips, void_slip
from desktop_app.core.services.receipts import record_receipt
from desktop_app.reports.receipt_pdf import receipt_pdf_bytes, write_receipt_pdf
from tests.contracts.conftest import Env
from tests.contracts.test_receipt_slips import other_income


def texts(data: bytes) -> list[str]:
    return [(p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return "".join(text.split())


def test_pdf_prints_three_parts_number_words_void_and_reprint(env: Env, tmp_path: Path) -> None:
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 10), amount="16409.02", method="银行", user=env.user)
        record_receipt(s, cid, received_on=date(2026, 3, 11), amount="101.50", method="现金", user=env.user)
        first, second = list_slips(s, env.book.id)
        void_slip(s, second.id, reason="金额写错", user=env.user)
    with env.db.begin() as s:
        prints, pages = write_receipt_pdf(s, [first.id, second.id], tmp_path / "a.pdf", user=env.user)
    assert pages == 2 and [p.reprint for p in prints] == [False, False]
    one, two = (flat(t) for t in texts((tmp_path / "a.pdf").read_bytes()))
    for part in ("第一联存根", "第二联收据", "第三联记账"):
        assert part in one and part in two
    assert one.count("No.2026-00001") == 3 and one.count("壹万陆仟肆佰零玖元零贰分") == 3
    assert "¥16,409.02" in one and "张三" in one and "2026年3月10日" in one and "东湖村股份经济合作社" in one
    assert "2026年3月第1号" in one and "HT-001" in one and "经手人：王会计" in one and "银行转账" in one
    assert "作废" not in one and "补打" not in one
    assert two.count("壹佰零壹元伍角整") == 3 and two.count("作废") >= 3 and "作废原因：金额写错" in two

    with env.db.begin() as s:  # printed again: 补打, the second print
        write_receipt_pdf(s, [first.id], tmp_path / "b.pdf", user=env.user, layout="a5")
    a5 = [flat(t) for t in texts((tmp_path / "b.pdf").read_bytes())]
    assert len(a5) == 3 and all("补打（第2次打印）" in t and "No.2026-00001" in t for t in a5)
    assert [p.mediabox.width > p.mediabox.height for p in PdfReader(tmp_path / "b.pdf").pages] == [True] * 3
    assert round(float(PdfReader(tmp_path / "b.pdf").pages[0].mediabox.width)) == 595  # A5 landscape: 210 mm wide


def test_same_print_same_bytes(env: Env) -> None:
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 10), amount="1", method="现金", user=env.user)
        slip = list_slips(s, env.book.id)[0]
        p = print_slips(s, [slip.id], user=env.user)
    assert receipt_pdf_bytes(p)[0] == receipt_pdf_bytes(p)[0]


def test_a_late_slip_says_when_it_was_made(env: Env, tmp_path: Path) -> None:
    vid = other_income(env, date(2026, 3, 9), "12.30")
    with env.db.begin() as s:
        slip = issue_slips(s, "voucher", [vid], user=env.user, on=date(2026, 4, 2))[0]
        write_receipt_pdf(s, [slip.id], tmp_path / "c.pdf", user=env.user)
    text = flat(texts((tmp_path / "c.pdf").read_bytes())[0])
    assert "开具日期2026年4月2日（补开）" in text and "壹拾贰元叁角整" in text and "收到场地使用费" in text
    assert slip.amount == D("12.30")


@pytest.fixture
def cli_db(env: Env, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 10), amount="500", method="现金", user=env.user)
    other_income(env, date(2026, 3, 12), "80")  # 其他收入 recorded by a voucher: no slip yet
    db = str(env.db.path)
    env.db.close()
    return db


def test_cli_list_print_void_issue_check(cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--user", "kj"]
    org = ["--org", "N2320115MF00000121", "--db", cli_db]
    assert main([*base, "receipt-slip", "check", *org, "--period", "2026-03"]) == 3
    out = capsys.readouterr().out
    assert "收款 2 笔 580.00 元，正常收据 1 张 500.00 元" in out and "第2号凭证（收到场地使用费） 未开收据" in out

    assert main([*base, "receipt-slip", "issue", *org, "--period", "2026-03", "--missing", "--date", "2026-03-31"]) == 0
    assert "已开具收据 No.2026-00002：王五 80.00 元（收到场地使用费）" in capsys.readouterr().out
    assert main([*base, "receipt-slip", "check", *org, "--period", "2026-03"]) == 0
    assert "一致" in capsys.readouterr().out
    assert main([*base, "receipt-slip", "issue", *org, "--voucher", "2026-03-2"]) == 1  # has one already
    assert "已开具收据 No.2026-00002" in capsys.readouterr().err

    out_pdf = tmp_path / "s.pdf"
    assert main([*base, "receipt-slip", "print", *org, "2026-00001", "2026-2", "--out", str(out_pdf)]) == 0
    assert "2 张收据，2 页" in capsys.readouterr().out
    assert main([*base, "receipt-slip", "print", *org, "2026-00001", "--out", str(out_pdf)]) == 0
    assert "No.2026-00001（补打）" in capsys.readouterr().out
    assert "补打" in flat(texts(out_pdf.read_bytes())[0])

    assert main([*base, "receipt-slip", "void", *org, "2026-00002", "--reason", "交款人名称写错"]) == 0
    assert "已作废收据 No.2026-00002" in capsys.readouterr().out
    assert main([*base, "receipt-slip", "issue", *org, "--voucher", "2026-03-2", "--payer", "王五（场地）",
                 "--date", "2026-04-01"]) == 0
    assert "No.2026-00003：王五（场地） 80.00 元" in capsys.readouterr().out
    assert main([*base, "receipt-slip", "list", *org, "--period", "2026-03"]) == 0
    listing = capsys.readouterr().out
    assert "共 3 张收据（正常 2 张，合计 580.00 元；作废 1 张）" in listing
    assert "No.2026-00002  2026-03-12  作废" in listing and "作废：交款人名称写错" in listing
    assert main([*base, "receipt-slip", "print", *org, "2026-00009", "--out", str(out_pdf)]) == 1
    assert "没有收据 No.2026-00009" in capsys.readouterr().err
    assert main(["receipt-slip", "void", *org, "2026-00001", "--reason", "x"]) == 1  # no login
