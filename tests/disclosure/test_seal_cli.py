"""The seal covers what is printed: a contract receipt changed behind the program's back makes
``verify-sheet FILE.pdf`` exit 3 naming the section and row; untouched it exits 0; a phone's scan
is read; each book prints its own 统一社会信用代码; 公开日期 and period labels as recorded."""

from __future__ import annotations

import io
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_app.cli import main
from desktop_app.core.services.disclosure import mark_disclosure_posted
from desktop_app.core.services.orgs import create_book, list_books, update_book
from desktop_app.reports.disclosure.builder import build_disclosure, disclose
from desktop_app.reports.sealing import find_codes, verify_payload
from tests.acting import keeper

from .conftest import PERIOD, Village, pdf_lines


def _receipt_month(v: Village) -> tuple[str, str, int]:
    """A posted month of the village with a contract receipt: (month, contract number, receipt rowid)."""
    raw = sqlite3.connect(v.db.engine.url.database or "")
    try:
        row = raw.execute(
            "SELECT substr(r.received_on, 1, 7), c.number, r.rowid FROM contract_receipt r "
            "JOIN contract c ON c.id = r.contract_id WHERE c.organisation_id = ? AND r.deleted = 0 "
            "AND r.received_on <= '2026-10-31' ORDER BY r.received_on DESC LIMIT 1", (v.org.id.hex,)).fetchone()
    finally:
        raw.close()
    assert row is not None, "the demo village has no contract receipt"
    return row[0], row[1], row[2]


def test_receipt_changed_behind_the_programs_back_is_named_by_section_and_row(
        village: Village, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    month, number, rowid = _receipt_month(village)
    db, sheet = str(village.db.engine.url.database), tmp_path / "sheet.pdf"
    assert main(["--user", "kuaiji", "disclose", "--db", db, "--org", village.org.uscc, "--book", village.book.code, "--period", month,
                 "--out", str(sheet)]) == 0
    assert number in "\n".join(ln for page in pdf_lines(sheet.read_bytes()) for ln in page)
    capsys.readouterr()
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, str(sheet)]) == 0
    assert "相符" in capsys.readouterr().out

    raw = sqlite3.connect(db)
    assert raw.execute("UPDATE contract_receipt SET amount = amount + 123456 WHERE rowid = ?", (rowid,)).rowcount == 1
    raw.commit()
    raw.close()
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, str(sheet)]) == 3
    out = capsys.readouterr().out
    assert out.startswith("不符：")
    named = [ln for ln in out.splitlines() if number in ln]
    assert named, out
    assert "合同及租金" in named[0] and "第" in named[0] and "行" in named[0] and "印 " in named[0] and " / 现 " in named[0]


def test_phone_scan_is_read_and_bad_input_refused(village: Village) -> None:
    with village.db.begin() as s:
        doc, _ = disclose(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)
    (qr,) = PdfReader(io.BytesIO(doc.pdf)).metadata.subject.splitlines()  # type: ignore[union-attr]
    parts = qr.split(" · ")
    assert parts[:4] == ["阳光台账财务公开", village.book.name, f"账套{village.book.code}", "2026年10月"]
    code = parts[4].removeprefix("校验码 ")
    assert len(qr.encode("utf-8")) < 160  # a comfortable QR code
    typed = code.lower().replace("-", " ").replace("0", "o")  # as a person might type it
    assert find_codes(f"扫描结果：{typed}") == [code]
    with village.db.begin() as s:
        (check,) = verify_payload(s, qr)
        assert check.ok and check.code == code
        with pytest.raises(Exception, match="没有识别出"):
            verify_payload(s, "https://example.com/")


def test_village_committee_book_prints_its_own_code(village: Village) -> None:
    own = "54320115MF00001236"
    with village.db.begin() as s:
        committee = next((b for b in list_books(s, village.org.id) if b.kind == "村民委员会"), None)
        if committee is None:  # not every demo village keeps one: the test makes its own then
            committee = create_book(s, organisation_id=village.org.id, name=f"{village.org.name}村民委员会",
                                    kind="村民委员会", start_period=village.book.start_period, user=keeper(s))

    def header() -> str:
        with village.db.begin() as s:
            pdf = build_disclosure(s, village.org.id, PERIOD, book_ids=[committee.id]).pdf
        return "\n".join(pdf_lines(pdf, 1)[0])

    with village.db.begin() as s:
        update_book(s, committee.id, credit_code="", user=keeper(s))
    assert village.org.uscc not in header() and "统一社会信用代码：未登记" in header()
    with village.db.begin() as s:
        update_book(s, committee.id, credit_code=own, user=keeper(s))
    text = header()
    assert f"统一社会信用代码：{own}" in text and village.org.uscc not in text


def test_posting_date_printed_once_recorded_or_given(village: Village, tmp_path: Path) -> None:
    def cover(pdf: bytes) -> str:
        return "\n".join(pdf_lines(pdf, 1)[0])

    with village.db.begin() as s:
        blank = cover(disclose(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)[0].pdf)
        assert "公开日期：" + "\uff3f" * 4 + "年" in blank  # a blank line to fill in by hand
        mark_disclosure_posted(s, book_id=village.book.id, period_code=PERIOD, posted_on=date(2026, 11, 6), user=keeper(s))
        assert "公开日期：2026年11月6日" in cover(build_disclosure(s, village.org.id, PERIOD,
                                                               book_ids=[village.book.id]).pdf)
    out = tmp_path / "given.pdf"
    assert main(["--user", "kuaiji", "disclose", "--db", str(village.db.engine.url.database), "--org", village.org.uscc, "--book",
                 village.book.code, "--period", PERIOD, "--posted-on", "2026-11-08", "--out", str(out)]) == 0
    assert "公开日期：2026年11月8日" in cover(out.read_bytes())


@pytest.mark.parametrize(("period", "heading", "columns", "absent"), [
    ("2026-10", "本月财务收支概况", ("本月", "本年累计"), "本季"),
    ("2026-Q3", "本季财务收支概况", ("本季", "本年累计"), "本月"),
    ("2026", "本年财务收支概况", ("本年",), "本年累计"),
])
def test_cover_period_labels(village: Village, period: str, heading: str, columns: tuple[str, ...],
                             absent: str) -> None:
    with village.db.begin() as s:
        pdf = build_disclosure(s, village.org.id, period, book_ids=[village.book.id]).pdf
    lines = pdf_lines(pdf, 1)[0]
    at = next(i for i, ln in enumerate(lines) if ln.strip() == heading)
    header = lines[at + 1].split()
    assert header[0] == "项目" and tuple(header[1:1 + len(columns)]) == columns, lines[at + 1]
    assert absent not in lines[at + 1]


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
