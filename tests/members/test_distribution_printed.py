"""What is printed of a distribution: the plan on the 财务公开 sheet only from its 公示/approval
date on, printed plan rows that add up as printed (the remainder its own row), rows that follow
the book's chart, the public roster by household, names whole, and figures equal to the vouchers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from db.models import Account, Entry, Voucher
from desktop_app.cli import main
from desktop_app.core.ids import make_ric, mask_ric
from desktop_app.core.services.distribution import approve_plan, draft_plan, publicise_plan, record_payout
from desktop_app.core.services.distribution_books import account_balance
from desktop_app.core.services.distribution_query import disclosure_distribution_section, plan_roster
from desktop_app.core.services.members import add_member, create_household
from desktop_app.core.services.shares import ensure_default_share_types, register_shares
from desktop_app.excel.members_xlsx import roster_workbook
from desktop_app.reports.distribution_pdf import plan_pdf, roster_pdf

from .conftest import PEOPLE, Village, add_people, make_village

ROW = re.compile(r"^(\d{1,2}) (\S.*?) (-?[\d,]+\.\d\d)$")


def _pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _amount(text: str) -> D:
    return D(text.replace(",", ""))


def _printed_plan_rows(text: str, first: str = "本年收益") -> list[tuple[str, D]]:
    """The plan table's rows (行次, 项目, 金额) as extracted from a PDF, from ``first`` on."""
    rows = [(m[2], _amount(m[3])) for line in text.splitlines() if (m := ROW.match(line.strip()))]
    start = next(i for i, (label, _) in enumerate(rows) if label == first)
    return rows[start:start + 12]


def _check_adds_up(rows: list[tuple[str, D]]) -> dict[str, D]:
    """Redo the printed arithmetic: 加/减 rows move the running figure, a plain row is a total
    that must equal it, 其中 rows are parts outside the sum. Returns the totals by label."""
    running: D | None = None
    totals: dict[str, D] = {}
    for label, amount in rows:
        if label.startswith("加："):
            running = (running or D(0)) + amount
        elif label.startswith("减："):
            running = (running or D(0)) - amount
        elif label.startswith("其中："):
            totals[label] = amount
        elif running is None:
            running = amount
        else:
            assert amount == running, f"{label} printed {amount}, rows above give {running}"
            totals[label] = amount
    return totals


def _plan(v: Village, members: str = "3000.00", reserve: str = "3000.00", **kw: object):  # type: ignore[no-untyped-def]
    with v.db.begin("test") as s:
        return draft_plan(s, book_id=v.book.id, year=2026, members_amount=D(members), reserve=D(reserve),
                          user=v.user, **kw)


def _disclose(v: Village, period: str, out: Path) -> str:
    assert main(["--user", "kj", "disclose", "--db", str(v.db.path), "--org", v.org.uscc, "--period", period,
                 "--out", str(out)]) == 0
    return _pdf_text(out)


# --- the plan as printed ------------------------------------------------------------------------


def test_printed_plan_rows_add_up_with_the_remainder_as_its_own_row(village: Village, tmp_path: Path) -> None:
    village.income("10000.00")
    plan = _plan(village)
    assert plan.remainder == D("0.01")  # 3000 / 8.5 shares: 352.94 a share, the roster 2999.99
    out = tmp_path / "plan.pdf"
    out.write_bytes(plan_pdf(plan))
    rows = _printed_plan_rows(_pdf_text(out))
    totals = _check_adds_up(rows)
    assert totals["可分配收益"] == D("10000.00")
    assert totals["年末未分配收益"] == D("10000.00") - D("3000.00") - D("2999.99")
    assert dict(rows)["减：向成员分配（按股分配合计）"] == plan.roster_total == D("2999.99")
    assert [a for label, a in rows if "尾差" in label] == [D("0.01")]
    assert not any("福利" in label for label, _ in rows)  # a 2023 book has no 应付福利费


def test_a_2004_book_prints_and_books_its_welfare_row(tmp_path: Path) -> None:
    v = make_village(tmp_path / "old.db", chart_version="2004")
    try:
        add_people(v, PEOPLE)
        v.income("10000.00")
        plan = _plan(v, welfare=D("500.00"))
        out = tmp_path / "plan.pdf"
        out.write_bytes(plan_pdf(plan))
        rows = _printed_plan_rows(_pdf_text(out))
        assert dict(rows)["减：提取应付福利费"] == D("500.00")
        assert _check_adds_up(rows)["年末未分配收益"] == D("10000.00") - D("3000.00") - D("500.00") - plan.roster_total
        with v.db.begin("test") as s:
            publicise_plan(s, plan.id, on=date(2026, 11, 1), user=v.user)
            approve_plan(s, plan.id, on=date(2026, 11, 5), resolution_no="1号", resolution_text="通过", user=v.user)
            assert account_balance(s, v.book.id, "212", "2026-11") == D("-500.00")  # 应付福利费 credited
    finally:
        v.db.close()


def test_a_2023_book_refuses_a_welfare_appropriation(village: Village) -> None:
    village.income("10000.00")
    with pytest.raises(Exception, match="2023版会计制度已取消应付福利费"):
        _plan(village, welfare=D("100.00"))


# --- on the disclosure sheet: from its dates on, tied to the vouchers ---------------------------


def test_disclosure_shows_a_plan_from_its_publicity_date_and_as_approved_from_its_approval(
        village: Village, tmp_path: Path) -> None:
    village.income("10000.00")
    plan = _plan(village)
    with village.db.begin("test") as s:
        publicise_plan(s, plan.id, on=date(2026, 11, 20), user=village.user)
        approve_plan(s, plan.id, on=date(2026, 12, 3), resolution_no="东股〔2026〕3号",
                     resolution_text="成员代表大会通过2026年度收益分配方案", user=village.user)
    village.db.close()
    for period in ("2026-10", "2026-Q3"):
        text = _disclose(village, period, tmp_path / f"{period}.pdf")
        assert "收益分配" not in text and "352.94" not in text, period
    november = _disclose(village, "2026-11", tmp_path / "11.pdf")
    assert "2026年度收益分配方案（方案公示：2026年11月20日公示" in november
    assert "东股〔2026〕3号" not in november and "已发放" not in november
    december = _disclose(village, "2026-12", tmp_path / "12.pdf")
    assert "2026年度收益分配方案（已批准：2026年12月3日批准，东股〔2026〕3号）" in december
    for text in (november, december):
        totals = _check_adds_up(_printed_plan_rows(text))
        assert totals["年末未分配收益"] == D("10000.00") - D("3000.00") - D("2999.99")
        assert "福利" not in text


def _credits(s, voucher_ids, code: str) -> D:  # type: ignore[no-untyped-def]
    """Σ credits of the vouchers' lines on accounts under ``code`` (an independent read of the books)."""
    total = D("0.00")
    for credit in s.scalars(select(Entry.credit).join(Account, Account.id == Entry.account_id)
                            .where(Entry.voucher_id.in_(voucher_ids), Entry.deleted.is_(False),
                                   Account.code.startswith(code))):
        total += credit
    return total


def test_disclosure_figures_equal_the_appropriation_and_payout_vouchers(village: Village) -> None:
    village.income("10000.00")
    plan = _plan(village)
    with village.db.begin("test") as s:
        publicise_plan(s, plan.id, on=date(2026, 11, 1), user=village.user)
        plan = approve_plan(s, plan.id, on=date(2026, 11, 15), resolution_no="1号", resolution_text="通过",
                            user=village.user)
        record_payout(s, plan.id, paid_on=date(2026, 11, 20), method="转账", user=village.user,
                      household_ids=[village.households["001"]])
        record_payout(s, plan.id, paid_on=date(2026, 12, 2), method="现金", user=village.user)
    with village.db.begin() as s:
        nov = disclosure_distribution_section(s, village.org.id, village.book.id, 2026, as_of=date(2026, 11, 30))
        dec = disclosure_distribution_section(s, village.org.id, village.book.id, 2026, as_of=date(2026, 12, 31))
        before = disclosure_distribution_section(s, village.org.id, village.book.id, 2026, as_of=date(2026, 10, 31))
        assert before is None
        assert nov is not None and dec is not None and nov.stage == "批准" and dec.stage == "发放"
        # 应分 = the appropriation voucher's credit to 内部往来 (the payable to members)
        appropriation = s.get(Voucher, plan.appropriation_voucher_id)
        assert appropriation is not None and appropriation.status == "记账"
        assert sum(h.amount for h in nov.households) == _credits(s, [appropriation.id], "113") == plan.roster_total
        # 已发放 by the period end = the payment vouchers' credits to bank and cash dated by then
        paid = {p: list(s.scalars(select(Voucher.id).where(
            Voucher.source_kind == "dividend_payout", Voucher.source_id == plan.id, Voucher.status == "记账",
            Voucher.voucher_date <= p))) for p in (date(2026, 11, 30), date(2026, 12, 31))}
        assert nov.paid_total == _credits(s, paid[date(2026, 11, 30)], "102") > 0
        assert dec.paid_total == (_credits(s, paid[date(2026, 12, 31)], "102")
                                  + _credits(s, paid[date(2026, 12, 31)], "101")) == plan.roster_total
        assert account_balance(s, village.book.id, "113", "2026-12") == D("0.00")
        assert len(nov.payout_vouchers) == 1 and len(dec.payout_vouchers) == 2


# --- rosters -------------------------------------------------------------------------------------

LONG_NAME = "阿卜杜热合曼·买买提依明"
LONG_GROUP = "第十二村民小组（东湖片区）"
LONG_NUMBER = "32011510620100012345"


@pytest.fixture
def long_village(tmp_path: Path) -> Iterator[Village]:
    v = make_village(tmp_path / "long.db")
    with v.db.begin("test") as s:
        types = {t.code: t.id for t in ensure_default_share_types(s, v.org.id, user=v.user)}
        hh = create_household(s, organisation_id=v.org.id, number=LONG_NUMBER, group_name=LONG_GROUP, user=v.user).id
        for i, (name, relation) in enumerate(((LONG_NAME, "户主"), ("热依拉·阿卜杜热合曼", "配偶"),
                                              ("欧阳娜娜", "女"))):
            m = add_member(s, organisation_id=v.org.id, household_id=hh, name=name, relation=relation,
                           ric=make_ric("650102", date(1960 + 10 * i, 3, 4), 31 + 2 * i), confirmed_on=date(2025, 1, 1), user=v.user)
            v.members[name] = m.id
            register_shares(s, member_id=m.id, share_type_id=types["RK"], shares=D("1"), event_date=date(2025, 1, 1),
                            basis="量化决议", user=v.user)
    add_people(v, PEOPLE)
    v.income("10000.00")
    yield v
    v.db.close()


def _column_text(pdf_path: Path, header: str) -> str:
    """Everything printed in the column under ``header`` (its cells' wrapped lines joined)."""
    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            heads = sorted((w for w in words if w["top"] < page.height * 0.2 + 40), key=lambda w: w["x0"])
            head = next(w for w in heads if w["text"] == header)
            right = min((w["x0"] for w in heads if w["x0"] > head["x1"] + 2 and abs(w["top"] - head["top"]) < 3),
                        default=page.width)
            col = page.crop((head["x0"] - 2, head["bottom"] + 1, right - 2, page.height - 20))
            out.append((col.extract_text() or "").replace("\n", ""))
    return "".join(out)


def test_roster_pdfs_print_the_longest_names_whole(long_village: Village, tmp_path: Path) -> None:
    v = long_village
    with v.db.begin("test") as s:
        roster = plan_roster(s, _plan(v).id)
    internal, public = tmp_path / "internal.pdf", tmp_path / "public.pdf"
    internal.write_bytes(roster_pdf(roster))
    public.write_bytes(roster_pdf(roster, public=True))
    for path in (internal, public):
        assert "…" not in _pdf_text(path)
        assert LONG_GROUP in _column_text(path, "组别")
        assert LONG_NUMBER in _column_text(path, "户号")
        assert LONG_NAME in _column_text(path, "户主")
    members = _column_text(internal, "成员")
    assert LONG_NAME in members and "热依拉·阿卜杜热合曼" in members and "欧阳娜娜" in members


def test_public_roster_lists_households_without_ids_or_signatures(long_village: Village, tmp_path: Path) -> None:
    v = long_village
    with v.db.begin("test") as s:
        roster = plan_roster(s, _plan(v).id)
    rics = [ln.ric for ln in roster.lines]
    public = tmp_path / "public.pdf"
    public.write_bytes(roster_pdf(roster, public=True))
    text = _pdf_text(public)
    assert "签领" not in text and "身份证" not in text.split("公示稿按户公开")[0]
    assert not any(r in text or mask_ric(r) in text or r[-4:] in text for r in rics)
    assert "热依拉" not in text  # members are not listed, their household is
    # the public xlsx: household rows, the columns REFERENCE §3.5 asks for, totals = sums of the rows
    roster_workbook(roster, public=True).save(tmp_path / "public.xlsx")
    ws = load_workbook(tmp_path / "public.xlsx").active
    top = next(r for r in range(1, 6) if ws.cell(r, 1).value == "组别")
    assert [c.value for c in ws[top]] == ["组别", "户号", "户主", "人数", "股数", "每股", "应分", "扣减", "实发"]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=top + 1, max_row=top + len(roster.households))]
    assert [r[1] for r in body] == [h.household_number for h in roster.households]
    total = [c.value for c in ws[top + len(roster.households) + 1]]
    assert total[0] == "合计" and D(str(total[6])) == sum((D(str(r[6])) for r in body), D(0)) == roster.plan.roster_total
    assert total[3] == sum(r[3] for r in body) == len(roster.lines)
    assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows and "&P" in ws.oddFooter.center.text
    values = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert not any(r in v or r[-4:] in v for r in rics for v in values)
    # the internal copy keeps one row per member, with the ID number and the 签领 column
    roster_workbook(roster).save(tmp_path / "internal.xlsx")
    ws = load_workbook(tmp_path / "internal.xlsx").active
    top = next(r for r in range(1, 6) if ws.cell(r, 1).value == "序号")
    header = [c.value for c in ws[top]]
    assert "签领" in header and "身份证号" in header
    assert [ws.cell(r, header.index("身份证号") + 1).value
            for r in range(top + 1, top + 1 + len(rics))] == rics


def test_slips_and_certificates_list_every_member_of_a_large_household(empty_village: Village, tmp_path: Path) -> None:
    from desktop_app.core.services.shares import household_certificate
    from desktop_app.reports.distribution_pdf import certificates_pdf, household_slips_pdf

    v = empty_village
    names = [f"欧阳{'一二三四五六七八九十'[i % 10]}{'甲乙'[i // 10]}" for i in range(12)]
    add_people(v, [("009", n, "户主" if i == 0 else "子", "1", "0.5") for i, n in enumerate(names)])
    v.income("10000.00")
    with v.db.begin("test") as s:
        roster = plan_roster(s, _plan(v).id)
        cert = household_certificate(s, v.households["009"])
    (tmp_path / "slips.pdf").write_bytes(household_slips_pdf(roster))
    (tmp_path / "cert.pdf").write_bytes(certificates_pdf([cert], issued_on=date(2026, 12, 1)))
    slips, certs = _pdf_text(tmp_path / "slips.pdf"), _pdf_text(tmp_path / "cert.pdf")
    assert all(n in slips and n in certs for n in names)
    total = re.search(r"全户合计 12人 18 ([\d,]+\.\d\d)", slips)
    assert total is not None and _amount(total[1]) == sum(ln.amount for ln in roster.lines) == roster.plan.roster_total
    assert "全户持股合计：18 股" in certs and "股 权 证（续）" in certs


def test_roster_pdf_carries_a_check_code_that_verify_sheet_checks(village: Village, tmp_path: Path) -> None:
    import sqlite3

    village.income("10000.00")
    _plan(village)
    village.db.close()
    db, out = str(village.db.path), tmp_path / "public.pdf"
    assert main(["--user", "kj", "roster", "--db", db, "--org", village.org.uscc, "--year", "2026", "--public", "--out", str(out)]) == 0
    text = _pdf_text(out)
    assert re.search(r"校验码 SL2-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    assert main(["--user", "kj", "verify-sheet", "--db", db, str(out)]) == 0
    with sqlite3.connect(db) as con:  # a household's amount changed behind the program's back
        con.execute("UPDATE dividend_line SET amount = amount + 100, net = net + 100 WHERE seq = 1")
    assert main(["--user", "kj", "verify-sheet", "--db", db, str(out)]) == 3


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
