"""Issue #14 in the contracts area: status follows the dates; installments keep 已到期未收 and 未到期
apart; the disclosure's 合同 table lists every contract with anything due, received or owed, takes
本期实收 from posted vouchers and prints the arrears report's 期末欠缴; every contract PDF prints
names and codes whole. Real SQLite files, real PDFs and xlsx read back."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from db.models import ContractAllocation, ContractInstallment, ContractReceipt
from desktop_app.core.rules.contract_schedule import contract_state
from desktop_app.core.services.contract_queries import installment_rows
from desktop_app.core.services.contract_warnings import disclosure_contracts_section, list_arrears
from desktop_app.core.services.contracts import (
    get_contract,
    list_contracts,
    set_contract_status,
    update_contract,
)
from desktop_app.core.services.receipts import cancel_receipt, record_receipt
from desktop_app.excel.contracts_xlsx import export_installments
from desktop_app.reports.contracts_pdf import MARGIN, build_sheet, sheet_pdf_bytes
from tests.contracts.conftest import USCC, Env

D = Decimal
# The longest values a village really has: a company's full registered name, an 18-character
# USCC, a long contract number and subject.
LONG_FIRM = "南京市江宁区阳光街道东湖村股份经济合作社农业综合开发有限责任公司"
LONG_NUMBER = "JNQ-YGJD-DHC-2026-ZYFB-0001"
LONG_SUBJECT = "东湖村三组北侧老鱼塘及塘埂、看护房和配套灌溉设施"
LONG_NAME = "东湖村三组北侧老鱼塘及配套设施承包经营合同（补充协议）"


def _pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(p.extract_text() or "" for p in doc.pages)


def _amounts(line: str) -> list[Decimal]:
    return [D(m.replace(",", "")) for m in re.findall(r"-?[\d,]+\.\d\d", line)]


@pytest.mark.parametrize(("status", "terminated", "as_of", "state"), [
    ("履行中", None, date(2025, 12, 31), "未生效"),
    ("履行中", None, date(2026, 1, 1), "履行中"),
    ("履行中", None, date(2030, 12, 31), "履行中"),
    ("履行中", None, date(2031, 1, 1), "已到期"),
    ("纠纷", None, date(2027, 5, 1), "纠纷"),
    ("纠纷", None, date(2031, 1, 1), "已到期"),
    ("到期", None, date(2030, 6, 1), "履行中"),  # renewed ahead: the old term still runs
    ("终止", date(2027, 3, 1), date(2027, 2, 28), "履行中"),
    ("终止", date(2027, 3, 1), date(2027, 3, 1), "已终止"),
    ("草拟", None, date(2027, 1, 1), "草拟"),
])
def test_contract_state_follows_the_dates(status: str, terminated: date | None, as_of: date, state: str) -> None:
    assert contract_state(status, date(2026, 1, 1), date(2030, 12, 31), terminated, as_of) == state


def test_lists_show_the_status_of_the_date_and_edits_keep_a_termination(env: Env) -> None:
    cid = env.create(number="S-1", start_date=date(2024, 1, 1), end_date=date(2025, 12, 31))
    other = env.create(number="S-2")
    with env.db.begin() as s:
        assert {r.number: r.state for r in list_contracts(s, env.org.id, as_of=date(2025, 6, 1))} == \
            {"S-1": "履行中", "S-2": "未生效"}
        assert [r.number for r in list_contracts(s, env.org.id, as_of=date(2026, 3, 1), status="已到期")] == ["S-1"]
        set_contract_status(s, other, "终止", on=date(2026, 6, 30), reason="承包方退出", user=env.user)
        row = get_contract(s, other, as_of=date(2026, 7, 1))
        assert (row.status, row.state) == ("终止", "已终止")
        # the edit form has no status: saving it must not bring the contract back to 履行中
        update_contract(s, other, env.contract(number="S-2", notes="补记备注"), user=env.user)
        assert get_contract(s, other, as_of=date(2026, 7, 1)).state == "已终止"
        # nothing is billed for the years after the termination
        insts = installment_rows(s, [other], date(2028, 6, 1))
        assert [(i.seq, i.status, i.overdue) for i in insts if i.seq > 1] == \
            [(n, "不计收", D(0)) for n in (2, 3, 4, 5)]
        assert sum(a.outstanding for a in list_arrears(s, env.org.id, date(2028, 6, 1)) if a.contract_id == other) \
            == D("12000.00")  # 2026 only
    assert cid is not None


def test_installments_print_overdue_and_not_due_apart(env: Env, tmp_path: Path) -> None:
    cid = env.create(number="I-1")  # 2026–2030, 12,000 a year due 1 January
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 1, 5), amount="12000", method="银行", user=env.user)
        rows = installment_rows(s, [cid], date(2027, 6, 30))
        arrears = list_arrears(s, env.org.id, date(2027, 6, 30))
        sheet = build_sheet(s, "installments", organisation_id=env.org.id, scope="东湖村", as_of=date(2027, 6, 30))
    assert [(r.seq, r.overdue, r.not_due) for r in rows] == [
        (1, D(0), D(0)), (2, D("12000.00"), D(0)), (3, D(0), D("12000.00")), (4, D(0), D("12000.00")),
        (5, D(0), D("12000.00"))]
    assert sum(r.overdue for r in rows) == sum(a.outstanding for a in arrears) == D("12000.00")

    text = _pdf_text(sheet_pdf_bytes(sheet)[0])
    assert "已到期未收（欠缴）" in text and "未到期" in text
    [total] = [line for line in text.splitlines() if line.startswith("合计")]
    assert _amounts(total) == [D("60000.00"), D("12000.00"), D("12000.00"), D("36000.00")]

    path = export_installments(tmp_path / "i.xlsx", rows, scope="东湖村", as_of=date(2027, 6, 30))
    ws = load_workbook(path).active
    assert ws is not None
    header = [c.value for c in ws[3]]
    last = [c.value for c in ws[ws.max_row]]
    overdue_col, not_due_col = header.index("已到期未收（欠缴）"), header.index("未到期")
    assert last[0] == "合计" and (last[overdue_col], last[not_due_col]) == (12000, 36000)
    assert ws.print_title_rows == "$1:$3" and ws.auto_filter.ref and ws.page_setup.orientation == "landscape"


def _arrears_report_total(env: Env, as_of: date) -> Decimal:
    with env.db.begin() as s:
        sheet = build_sheet(s, "arrears", organisation_id=env.org.id, scope="东湖村", as_of=as_of)
    text = _pdf_text(sheet_pdf_bytes(sheet)[0])
    [total] = [line for line in text.splitlines() if line.startswith("合计")]
    return _amounts(total)[0]  # 欠缴, then the three age columns


def _sheet_contract_lines(env: Env, period: str) -> list[str]:
    from desktop_app.reports.disclosure.builder import build_disclosure

    with env.db.read() as s:
        doc = build_disclosure(s, env.org.id, period, book_ids=[env.book.id])
    lines = _pdf_text(doc.pdf).splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "合同及租金收缴情况")
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("合计"))
    return lines[start:end + 1]


def test_disclosure_lists_expired_contracts_owing_rent_and_ties_to_the_arrears_report(env: Env) -> None:
    old = env.create(number="OLD-1", start_date=date(2024, 1, 1), end_date=date(2025, 12, 31),
                     counterparty_name="江宁区东湖水产养殖有限公司", counterparty_kind="单位",
                     counterparty_id_number=USCC, annual_rent="10000")
    new = env.create(number="NEW-1", start_date=date(2026, 1, 1), end_date=date(2030, 12, 31))
    with env.db.begin() as s:
        record_receipt(s, old, received_on=date(2024, 1, 10), amount="10000", method="银行", user=env.user)
        # 2025's rent (due 2025-01-01) never paid; the contract ended 2025-12-31
        record_receipt(s, new, received_on=date(2026, 3, 2), amount="5000", method="现金", user=env.user)
        section = disclosure_contracts_section(s, env.org.id, env.book.id, date(2026, 3, 1), date(2026, 3, 31))
    by_number = {r.contract_number: r for r in section.rows}
    assert by_number["OLD-1"].state == "已到期" and by_number["OLD-1"].arrears_at_end == D("10000.00")
    assert by_number["NEW-1"].received_in_period == D("5000.00")
    assert by_number["NEW-1"].arrears_at_end == D("7000.00")  # 12,000 due 2026-01-01, 5,000 received

    printed = _sheet_contract_lines(env, "2026-03")
    text = "\n".join(printed)
    assert "OLD-1" in text and "已到期" in text and USCC in text  # the 18-character code whole, on one line
    sheet_total = _amounts(printed[-1])[-1]
    assert sheet_total == _arrears_report_total(env, date(2026, 3, 31)) == D("17000.00")
    with env.db.begin() as s:
        assert sum(a.outstanding for a in list_arrears(s, env.org.id, date(2026, 3, 31))) == sheet_total


def test_received_counts_only_posted_vouchers(env: Env) -> None:
    cid = env.create(number="R-1")  # 12,000 due 2026-01-01
    with env.db.begin() as s:
        posted = record_receipt(s, cid, received_on=date(2026, 2, 3), amount="3000", method="现金", user=env.user)
        record_receipt(s, cid, received_on=date(2026, 2, 10), amount="1000", method="现金", user=env.user, post=False)
        # a legacy receipt: written straight into the tables, no voucher at all
        inst = s.query(ContractInstallment).filter_by(contract_id=cid, seq=1).one()
        legacy = ContractReceipt(contract_id=cid, received_on=date(2026, 2, 20), amount=D("500.00"), method="现金")
        s.add(legacy)
        s.flush()
        s.add(ContractAllocation(receipt_id=legacy.id, installment_id=inst.id, amount=D("500.00"),
                                 allocated_on=date(2026, 2, 20)))
        s.flush()
        feb = disclosure_contracts_section(s, env.org.id, env.book.id, date(2026, 2, 1), date(2026, 2, 28))
    [row] = feb.rows
    assert row.received_in_period == D("3000.00")  # only the posted voucher is in the books
    assert (feb.unbooked_count, feb.unbooked_amount) == (2, D("1500.00"))
    assert row.arrears_at_end == D("7500.00")  # the arrears report's figure: every receipt applied

    lines = _sheet_contract_lines(env, "2026-02")
    assert _amounts(lines[-1])[-2:] == [D("3000.00"), D("7500.00")]

    # 撤销收款 in March: February keeps what its books show, March prints the red reversal
    with env.db.begin() as s:
        for r in sorted(s.query(ContractReceipt).filter_by(contract_id=cid, deleted=False).all(),
                        key=lambda r: r.received_on, reverse=True):
            if r.id == posted.receipt.id:
                cancel_receipt(s, r.id, user=env.user, on=date(2026, 3, 5), reason="金额记错")
            else:
                r.deleted = True  # later receipts taken away first (the service refuses otherwise)
                for a in s.query(ContractAllocation).filter_by(receipt_id=r.id).all():
                    a.deleted = True
        s.flush()
        feb = disclosure_contracts_section(s, env.org.id, env.book.id, date(2026, 2, 1), date(2026, 2, 28))
        mar = disclosure_contracts_section(s, env.org.id, env.book.id, date(2026, 3, 1), date(2026, 3, 31))
    assert feb.rows[0].received_in_period == D("3000.00")
    assert mar.rows[0].received_in_period == D("-3000.00")


def _column_text(pdf: bytes, left: float, right: float) -> str:
    """Everything printed between two x positions (one column), all pages, lines joined."""
    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            crop = page.crop((left + 0.3, 0, right - 0.3, page.height))
            out.append((crop.extract_text() or "").replace("\n", "").replace(" ", ""))
    return "".join(out)


@pytest.mark.parametrize("kind", ["ledger", "installments", "arrears", "expiry", "review"])
def test_every_contract_pdf_prints_names_and_codes_whole(env: Env, kind: str) -> None:
    from reportlab.lib.pagesizes import A4, landscape

    cid = env.create(number=LONG_NUMBER, name=LONG_NAME, subject=LONG_SUBJECT, counterparty_name=LONG_FIRM,
                     counterparty_kind="单位", counterparty_id_number=USCC, start_date=date(2022, 1, 1),
                     end_date=date(2026, 8, 31), written=False)
    as_of = date(2026, 7, 1)  # arrears since 2022, the term ends within 90 days, no written contract
    with env.db.begin() as s:
        sheet = build_sheet(s, kind, organisation_id=env.org.id, scope="东湖村股份经济合作社", as_of=as_of)
    assert sheet.rows, kind
    pdf = sheet_pdf_bytes(sheet)[0]
    assert "…" not in _pdf_text(pdf)
    usable = landscape(A4)[0] - 2 * MARGIN
    total = sum(c.width for c in sheet.columns)
    left = MARGIN
    expected = {"合同编号": LONG_NUMBER, "合同名称": LONG_NAME, "标的": LONG_SUBJECT, "承包（承租）方": LONG_FIRM,
                "证件号码": USCC}
    seen = 0
    for col in sheet.columns:
        right = left + col.width / total * usable
        if col.header in expected:
            assert expected[col.header] in _column_text(pdf, left, right), f"{kind} {col.header}"
            seen += 1
        left = right
    assert seen >= 2, kind
    assert cid is not None


def test_page_shows_status_of_its_date_and_installments_apart(env: Env, tmp_path: Path, qtbot: Any) -> None:
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.pages.contracts import ContractsPage
    from desktop_app.ui.settings import WindowSettings

    env.create(number="P-1", start_date=date(2024, 1, 1), end_date=date(2025, 12, 31))
    env.create(number="P-2")  # 2026–2030
    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "s.json"))
    ctx.set_selection(env.org, env.book)
    page = ContractsPage(ctx)
    qtbot.addWidget(page)
    page.as_of.setValue(date(2027, 6, 30))
    model = page.contracts.model()
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    state_col = headers.index("状态")
    states = {model.index(r, 0).data(): model.index(r, state_col).data() for r in range(model.rowCount())}
    assert states == {"P-1": "已到期", "P-2": "履行中"}
    page.status_box.setCurrentIndex(page.status_box.findText("已到期"))
    assert [r.number for r in model.rows()] == ["P-1"]
    page.status_box.setCurrentIndex(0)
    page.contracts.select_row(next(i for i, r in enumerate(model.rows()) if r.number == "P-2"))
    inst = page.installments.model()
    heads = [inst.headerData(i, Qt.Orientation.Horizontal) for i in range(inst.columnCount())]
    assert "已到期未收（欠缴）" in heads and "未到期" in heads
    rows = inst.rows()
    assert sum(r.overdue for r in rows) == D("24000.00") and sum(r.not_due for r in rows) == D("36000.00")
    page.resize(1360, 760)
    page.show()
    page.grab().save(str(tmp_path / "contracts_page.png"))


@pytest.mark.parametrize("kind", ["ledger", "installments", "arrears", "expiry", "review"])
def test_contract_pdfs_carry_a_check_code_that_verify_sheet_reads(env: Env, tmp_path: Path, kind: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    from desktop_app.cli import main

    cid = env.create(number="Q-1", start_date=date(2025, 1, 1), end_date=date(2026, 4, 30), written=False)
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2025, 1, 5), amount="7000", method="银行", user=env.user)
    db, out = str(env.db.path), tmp_path / f"{kind}.pdf"
    env.db.close()
    assert main(["--user", "kj", "contract-pdf", kind, "--org", "320115106201", "--as-of", "2026-03-01", "--db", db,
                 "--out", str(out)]) == 0
    text = _pdf_text(out.read_bytes())
    assert re.search(r"校验码 SL2-[0-9A-Z-]+", text), kind
    capsys.readouterr()
    assert main(["--user", "kj", "verify-sheet", str(out), "--db", db]) == 0
    assert "相符" in capsys.readouterr().out
    con = sqlite3.connect(db)  # behind the program's back: the schedule and the receipt's allocation
    with con:
        con.execute("UPDATE contract_installment SET amount = amount + 100000")
        con.execute("UPDATE contract SET written = 1, annual_rent = annual_rent + 100000, end_date = '2026-04-20'")
        con.execute("UPDATE contract_allocation SET amount = amount - 10000")
    con.close()
    assert main(["--user", "kj", "verify-sheet", str(out), "--db", db]) == 3, kind
    assert "不符" in capsys.readouterr().out


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
