"""The disclosure service: settings per organisation, generated/posted records, who has not disclosed,
the payload format; and the CLI commands over them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.disclosure import (
    get_disclosure_settings,
    list_disclosure_records,
    list_undisclosed,
    mark_disclosure_posted,
    parse_disclosure_period,
    parse_payload,
    update_disclosure_settings,
    verify_sheet_payload,
)
from desktop_app.reports.disclosure.builder import disclose
from desktop_app.reports.sealing import find_codes
from tests.acting import keeper

from .conftest import PERIOD, Village, pdf_lines


def test_periods_parse_to_codes_and_due_dates() -> None:
    q = parse_disclosure_period("2026q3")
    assert (q.code, q.first, q.last, q.label) == ("2026-Q3", "2026-07", "2026-09", "2026年第3季度")
    y = parse_disclosure_period("2026")
    assert (y.code, y.label, y.due_date) == ("2026", "2026年度", date(2027, 1, 10))
    assert parse_disclosure_period("2026-10").due_date == date(2026, 11, 10)
    with pytest.raises(ValidationError):
        parse_disclosure_period("2026-13")


def test_payload_format_is_checked() -> None:
    good = "SL1|N2320115MF00000121|01|2026-10|" + "a" * 64
    assert parse_payload(good).period_code == "2026-10"
    for bad in ("", "SL2|x|01|2026-10|" + "a" * 64, "SL1|N2320115MF00000121|01|2026-10|xyz",
                "SL1|N2320115MF00000121|01|2026-99|" + "a" * 64):
        with pytest.raises(ValidationError):
            parse_payload(bad)


def test_unknown_book_does_not_verify(village: Village) -> None:
    with village.db.begin() as s:
        r = verify_sheet_payload(s, "SL1|N2320115MF00000121|99|2026-10|" + "a" * 64)
    assert not r.ok and "没有" in r.message


def test_settings_are_stored_audited_and_printed(village: Village) -> None:
    with village.db.begin("test") as s:
        d = get_disclosure_settings(s, village.org.id)
        assert (d.checking_body, d.posting_days, d.frequency, d.saved) == ("村务监督委员会", 7, "month", False)
        with pytest.raises(ValidationError):
            update_disclosure_settings(s, village.org.id, checking_body="村委会", user=keeper(s))
    with village.db.begin("test") as s:
        update_disclosure_settings(s, village.org.id, checking_body="民主理财小组", preparer="王会计",
                                   phone="025-52101234", posting_days=15, frequency="quarter", user=keeper(s))
    with village.db.begin("test") as s:
        st = get_disclosure_settings(s, village.org.id)
        doc, _ = disclose(s, village.org.id, PERIOD, book_ids=[village.book.id], posted_on=date(2026, 11, 8),
                          user=village.reviewer)
        audit = s.connection().exec_driver_sql(
            "SELECT count(*) FROM audit_entry WHERE entity = 'disclosure_setting'").scalar()
    assert (st.checking_body, st.preparer, st.phone, st.posting_days, st.frequency, st.saved) == (
        "民主理财小组", "王会计", "025-52101234", 15, "quarter", True)
    assert audit == 1
    last = "\n".join(pdf_lines(doc.pdf)[-1])
    assert "民主理财小组审核意见" in last and "制表人（会计）：王会计" in last
    assert "公开日期：2026年11月8日" in last and "自公开之日起15天" in last and "025-52101234" in last


def test_generated_and_posted_records_and_who_has_not_disclosed(village: Village) -> None:
    with village.db.begin() as s:
        missing = list_undisclosed(s, PERIOD)
    assert {r.status for r in missing} == {"未生成"} and village.book.id in {r.book_id for r in missing}
    with village.db.begin("test") as s:
        doc, recs = disclose(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)
        again, recs2 = disclose(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)
    assert doc.pdf == again.pdf and recs[0].times_generated == recs2[0].times_generated == 1
    assert recs[0].content_sha256 == doc.sha256 and recs[0].seal_hash == doc.sheets[0].seal.hash
    assert recs[0].all_sealed and recs[0].pages == doc.pages
    with village.db.begin() as s:
        row = next(r for r in list_undisclosed(s, PERIOD) if r.book_id == village.book.id)
    assert row.status == "已生成未张贴"
    with village.db.begin("test") as s:
        posted = mark_disclosure_posted(s, book_id=village.book.id, period_code=PERIOD, posted_on=date(2026, 11, 6), user=keeper(s))
    assert (posted.posted_on, posted.posted_until) == (date(2026, 11, 6), date(2026, 11, 12))
    with village.db.begin() as s:
        assert village.book.id not in {r.book_id for r in list_undisclosed(s, PERIOD)}
        assert [r.period_code for r in list_disclosure_records(s, organisation_id=village.org.id)] == [PERIOD]
        audits = s.connection().exec_driver_sql(
            "SELECT action FROM audit_entry WHERE entity = 'disclosure' ORDER BY n").scalars().all()
    assert audits == ["generate", "post"]


def test_cli_disclose_all_verify_sheet_and_missing(village: Village, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = str(village.db.engine.url.database)
    out = tmp_path / "batch"
    assert main(["--user", "kuaiji", "disclose", "--db", db, "--all", "--period", PERIOD, "--out", str(out)]) == 0
    files = sorted(out.glob("*.pdf"))
    assert len(files) == 2 and all("_财务公开_2026-10.pdf" in f.name for f in files)
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, str(files[0])]) == 0  # the codes read from the file itself
    assert "相符" in capsys.readouterr().out
    payload = find_codes("\n".join(ln for page in pdf_lines(files[0].read_bytes(), 1) for ln in page))[0]
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, "--payload", payload]) == 0
    one = tmp_path / "one.pdf"
    assert main(["--user", "kuaiji", "disclose", "--db", db, "--org", village.org.uscc, "--period", "2026-Q3", "--a3",
                 "--out", str(one)]) == 0
    assert one.read_bytes().startswith(b"%PDF")
    assert main(["--user", "kuaiji", "disclosure-posted", "--db", db, "--org", village.org.uscc, "--period", PERIOD,
                 "--date", "2026-11-05"]) == 0
    capsys.readouterr()
    assert main(["--user", "kuaiji", "disclosure-missing", "--db", db, "--period", PERIOD]) == 0
    assert village.org.uscc not in capsys.readouterr().out
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, "--payload", payload[:-1] + ("0" if payload[-1] != "0" else "1")]) == 3
    assert "没有校验码" in capsys.readouterr().out
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, "--payload", "不是校验码"]) == 1
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, str(tmp_path / "none.pdf")]) == 1
    assert main(["--user", "kuaiji", "disclose", "--db", db, "--all", "--period", PERIOD, "--out", str(tmp_path / "x.pdf")]) == 1


def test_what_is_due_follows_the_frequency_setting(village: Village) -> None:
    def missing(code: str) -> bool:
        with village.db.begin() as s:
            return village.book.id in {r.book_id for r in list_undisclosed(s, code)}

    assert missing("2026-Q3") and missing("2026-08")
    with village.db.begin("test") as s:  # a monthly village that posted July, August and September
        for month in ("2026-07", "2026-08", "2026-09"):
            disclose(s, village.org.id, month, book_ids=[village.book.id], user=village.reviewer)
            mark_disclosure_posted(s, book_id=village.book.id, period_code=month, posted_on=date(2026, 10, 8), user=keeper(s))
    assert not missing("2026-Q3") and not missing("2026-08")
    with village.db.begin("test") as s:
        update_disclosure_settings(s, village.org.id, frequency="quarter", user=keeper(s))
    assert not missing("2026-10")  # a quarterly village owes no monthly sheets
    assert missing("2026-Q4") and missing("2026-Q3")  # but its own quarter sheets


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
