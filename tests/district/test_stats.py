"""District statistics on real files (issue #13): figures worked out by hand, carried through the
real export and import, equal to each village's own 收支明细表; duplicate and out-of-order
packages change nothing; the oversight questions; the settings."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AccountPeriodTotal, AuditEntry, Book, DistrictSetting, Organisation
from desktop_app.core.errors import ValidationError
from desktop_app.core.services import district_stats as ds
from desktop_app.core.services.district_settings import default_settings, parse_tiers, update_settings
from desktop_app.core.services.orgs import ORG_OWN_BOOK_KINDS
from desktop_app.core.services.statements import income_expense_statement
from desktop_app.sync.apply import import_package
from tests.acting import keeper
from tests.district.conftest import HandTown, PgView
from tests.pg_support import both_engines
from tests.sync.conftest import SyncPair

D = Decimal


def book_hand(h: HandTown) -> None:
    """The vouchers whose statistics are worked out by hand in the tests below."""
    # 东湖 (2023 chart): 2026 经营性收入 30000 + 15000 = 45000, 总收入 45000 + 200000 + 5000 = 250000
    h.vouch("东湖", date(2025, 5, 10), ("102", "40000", "0"), ("50101", "0", "40000"))
    h.vouch("东湖", date(2026, 3, 5), ("102", "30000", "0"), ("50101", "0", "30000"))
    h.vouch("东湖", date(2026, 6, 8), ("102", "15000", "0"), ("502", "0", "15000"))
    h.vouch("东湖", date(2026, 6, 9), ("102", "200000", "0"), ("50301", "0", "200000"))
    h.vouch("东湖", date(2026, 7, 1), ("51302", "8000", "0"), ("102", "0", "8000"))  # an expense: no income
    h.vouch("东湖", date(2026, 8, 3), ("102", "99999", "0"), ("50101", "0", "99999"), post=False)  # not posted
    h.vouch("东湖", date(2026, 11, 20), ("102", "5000", "0"), ("504", "0", "5000"))
    h.vouch("东湖委", date(2026, 4, 2), ("102", "70000", "0"), ("50301", "0", "70000"))  # the committee's book
    # 西岭 (2004 chart): 511 发包及上交收入 60000, 561 投资收益 a loss of 5000, 522 补助收入 10000
    h.vouch("西岭", date(2025, 12, 1), ("102", "120000", "0"), ("50103", "0", "120000"))
    h.vouch("西岭", date(2026, 2, 3), ("102", "60000", "0"), ("51101", "0", "60000"))
    h.vouch("西岭", date(2026, 9, 3), ("561", "5000", "0"), ("102", "0", "5000"))
    h.vouch("西岭", date(2026, 10, 3), ("102", "10000", "0"), ("522", "0", "10000"))
    h.vouch("西岭", date(2026, 10, 4), ("502", "3000", "0"), ("102", "0", "3000"))  # 2004 502 is an expense
    # 南塘: exactly 100万 of 经营收入 (the ≥100万 tier includes its boundary)
    h.vouch("南塘", date(2026, 1, 15), ("102", "1000000", "0"), ("50101", "0", "1000000"))
    # 北坡: no income in 2026; 其他收入 30000 in 2025
    h.vouch("北坡", date(2025, 3, 1), ("102", "30000", "0"), ("504", "0", "30000"))
    h.vouch("北坡", date(2026, 3, 1), ("51302", "1000", "0"), ("102", "0", "1000"))


EXPECTED_2026 = {"东湖": (D("45000.00"), D("250000.00")), "西岭": (D("55000.00"), D("65000.00")),
                 "南塘": (D("1000000.00"), D("1000000.00")), "北坡": (D("0.00"), D("0.00"))}


def by_short(h: HandTown, rows: list[ds.VillageIncome]) -> dict[str, tuple[Decimal, Decimal]]:
    names = {v: k for k, v in h.orgs.items()}
    return {names[r.village.organisation_id]: (r.operating, r.total) for r in rows}


def own_statement_figures(db: Database, org_id: uuid.UUID, first: str, last: str,
                          column: int = 0) -> tuple[Decimal, Decimal]:
    """经营性收入 and 总收入 as the village's own 收支明细表 prints them (its own books)."""
    s_ = default_settings()
    op = total = D("0.00")
    with db.begin("reader") as s:
        books = s.execute(select(Book.id, Book.chart_version).where(
            Book.organisation_id == org_id, Book.kind.in_(ORG_OWN_BOOK_KINDS), Book.deleted.is_(False))).all()
        for book_id, version in books:
            st = income_expense_statement(s, book_id, first, last)
            for line in st.lines:
                value = line.values[column] or D("0.00")
                if line.code and line.indent == 0 and line.code in s_.codes("operating", version):
                    op += value
                if line.label == "收入合计":
                    total += value
    return op, total


@both_engines
def test_hand_computed_figures_reach_the_district(hand_town: HandTown) -> None:
    h = hand_town
    book_hand(h)
    h.carry()
    with h.view.begin("区统计员") as s:
        assert by_short(h, ds.village_income(s, 2026)) == EXPECTED_2026
        assert by_short(h, ds.village_income(s, 2026, 6)) == {
            "东湖": (D("45000.00"), D("245000.00")), "西岭": (D("60000.00"), D("60000.00")),
            "南塘": (D("1000000.00"), D("1000000.00")), "北坡": (D("0.00"), D("0.00"))}
        assert by_short(h, ds.village_income(s, 2025)) == {
            "东湖": (D("40000.00"), D("40000.00")), "西岭": (D("120000.00"), D("120000.00")),
            "南塘": (D("0.00"), D("0.00")), "北坡": (D("0.00"), D("30000.00"))}
        rep = ds.tier_counts(s, 2026)
    assert [t.township for t in rep.townships] == ["阳光街道", "月湖镇"]
    assert [c.count for c in rep.district.operating] == [1, 1, 1, 0, 0, 0, 1]
    assert [c.share for c in rep.district.operating] == [D("25.0"), D("25.0"), D("25.0"), D("0.0"), D("0.0"),
                                                          D("0.0"), D("25.0")]
    assert [c.count for c in rep.district.total] == [1, 0, 1, 0, 1, 0, 1]
    assert next(c.label for c in rep.district.total) == "无收入"
    assert [c.count for c in rep.townships[0].operating] == [0, 1, 1, 0, 0, 0, 0]
    assert [c.count for c in rep.townships[1].operating] == [1, 0, 0, 0, 0, 0, 1]
    assert rep.district.operating_sum == D("1100000.00") and rep.district.total_sum == D("1315000.00")
    # the tier amounts and counts of the townships add up to the district's line
    for kind in ds.KINDS:
        for i, c in enumerate(rep.district.tiers(kind)):
            assert c.count == sum(t.tiers(kind)[i].count for t in rep.townships)
            assert c.amount == sum(t.tiers(kind)[i].amount for t in rep.townships)


@both_engines
def test_district_figures_equal_each_villages_own_income_statement(hand_town: HandTown) -> None:
    h = hand_town
    book_hand(h)
    h.carry()
    with h.view.begin("区统计员") as s:
        year = {r.village.organisation_id: r for r in ds.village_income(s, 2026)}
        ytd9 = {r.village.organisation_id: r for r in ds.village_income(s, 2026, 9)}
        monthly = {o: ds.village_monthly_income(s, o, 2026) for o in h.orgs.values()}
    for short, org in h.orgs.items():
        assert own_statement_figures(h.town, org, "2026-01", "2026-12") == (year[org].operating, year[org].total)
        assert own_statement_figures(h.town, org, "2026-01", "2026-09") == (ytd9[org].operating, ytd9[org].total)
        for m in monthly[org].months:
            assert own_statement_figures(h.town, org, m.period, m.period) == (m.operating, m.total), (short, m)
        assert (monthly[org].operating, monthly[org].total) == EXPECTED_2026[short]


@both_engines
def test_villages_in_tier_with_year_on_year_change(hand_town: HandTown) -> None:
    h = hand_town
    book_hand(h)
    h.carry()
    with h.view.begin("区统计员") as s:
        tier = ds.villages_in_tier(s, 2026, None, "operating", 2)  # 5–10万
        every = ds.villages_in_tier(s, 2026, None, "total", None, township_code="320115107000")
        with pytest.raises(ValidationError, match="没有第9档"):
            ds.villages_in_tier(s, 2026, None, "operating", 9)
    assert [r.village.name for r in tier] == ["西岭村股份经济合作社"]
    row = tier[0]
    assert (row.amount, row.other, row.prev_amount, row.change, row.change_pct, row.prev_tier) == (
        D("55000.00"), D("65000.00"), D("120000.00"), D("-65000.00"), D("-54.2"), "10–20万")
    assert [(r.village.name, r.amount, r.prev_amount, r.change_pct) for r in every] == [
        ("南塘村股份经济合作社", D("1000000.00"), D("0.00"), None),
        ("北坡村股份经济合作社", D("0.00"), D("30000.00"), D("-100.0"))]


@both_engines
def test_duplicate_and_out_of_order_packages_leave_the_figures_equal_to_the_books(hand_town: HandTown) -> None:
    h = hand_town
    pair = SyncPair(h.town, h.district, h.stick)
    h.vouch("东湖", date(2026, 3, 5), ("102", "30000", "0"), ("50101", "0", "30000"))
    first = pair.export(h.town, h.district)  # not imported yet: the stick stays in a drawer
    book_hand(h)
    second = pair.export(h.town, h.district)  # carries everything unacknowledged
    assert first.path is not None and second.path is not None
    import_package(h.district, second.path, actor="区统计员")
    late = import_package(h.district, first.path, actor="区统计员")  # the older stick, afterwards
    again = import_package(h.district, second.path, actor="区统计员")  # the same stick twice
    assert again.already_imported and late.new_records == 0
    h.refresh_view()
    with h.view.begin("区统计员") as s:
        got = by_short(h, ds.village_income(s, 2026))
    assert got == {**EXPECTED_2026, "东湖": (D("75000.00"), D("280000.00"))}
    for short, org in h.orgs.items():
        assert own_statement_figures(h.town, org, "2026-01", "2026-12") == got[short]


@both_engines
def test_demo_exchange_figures_equal_the_townships_statements(sync_pair: SyncPair, pg_view: PgView) -> None:
    pair = sync_pair
    pair.carry(pair.town, pair.district)
    district = pg_view.of(pair.district)
    with pair.town.begin("reader") as s:
        last = s.scalar(select(func.max(AccountPeriodTotal.period)))
        orgs = s.execute(select(Organisation.id).where(Organisation.level == "村")).scalars().all()
    assert last is not None and len(orgs) == 6
    year, month = int(last[:4]), int(last[5:])
    with district.begin("区统计员") as s:
        ytd = {r.village.organisation_id: r for r in ds.village_income(s, year, month)}
        rep = ds.tier_counts(s, year, month)
        monthly = ds.village_monthly_income(s, orgs[0], year)
    assert set(ytd) == set(orgs) and rep.district.villages == 6
    assert sum(c.count for c in rep.district.operating) == 6
    assert sum(c.share for c in rep.district.total) == D("100.0")
    for org in orgs:
        assert own_statement_figures(pair.town, org, f"{year}-01", last) == (ytd[org].operating, ytd[org].total)
        assert ytd[org].total > 0
    for m in monthly.months[:month]:
        assert own_statement_figures(pair.town, orgs[0], m.period, m.period) == (m.operating, m.total)


@both_engines
def test_oversight_on_the_demo_exchange(sync_pair: SyncPair, pg_view: PgView) -> None:
    from desktop_app.core.services.contract_review import current_findings
    from desktop_app.core.services.contract_warnings import list_arrears

    pair = sync_pair
    pair.carry(pair.town, pair.district)
    district = pg_view.of(pair.district)
    as_of = date(2026, 12, 20)
    with pair.town.begin("reader") as s:
        town_findings = len(current_findings(s, None, as_of=as_of))
        town_arrears = sum(r.outstanding for r in list_arrears(s, None, as_of))
    with district.begin("区统计员") as s:
        co = ds.contract_oversight(s, as_of)
        dc = ds.disclosure_compliance(s, 2026, 11, as_of=as_of)
        dp = ds.distribution_progress(s, 2025, as_of=date(2026, 5, 1))
        dp26 = ds.distribution_progress(s, 2026, as_of=date(2027, 5, 1))
        year_followed = ds.distribution_year(s, date(2026, 12, 2))
        pk = ds.last_packages(s)
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))
    # the district sees what the township's own contract services see
    assert len(co.findings) == town_findings and co.district.arrears_amount == town_arrears
    assert co.district.findings == sum(t.findings for t in co.townships)
    # every village book owes November (monthly by default): each is posted, or listed as not
    assert dc.district.books_due == dc.district.on_time + dc.district.late + dc.district.not_posted
    assert all(x.overdue for x in dc.not_posted)  # 20 December is past the 10th
    assert all(x.village.township for x in dc.lines)
    # the one-year demo kept no books in 2025 and has no 2025 plan: nothing was due for 2025, so
    # the district follows 2026's, which every village owes by 30 April 2027
    assert dp.district.villages == 0 and year_followed == 2026
    d = dp26.district
    assert d.villages > 0 and d.on_time + d.late + d.overdue_open + d.in_progress == d.villages
    assert [p.township for p in pk] and pk[0].packages == 1 and pk[0].audit_ok and pk[0].audit_status == "✓"
    assert pk[0].totals_matched is True and pk[0].digests_matched is True
    with district.begin("区统计员") as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audit_before  # read-only


@both_engines
def test_disclosure_and_distribution_states(hand_town: HandTown) -> None:
    from desktop_app.core.services.disclosure import (
        compute_disclosure_seal,
        mark_disclosure_posted,
        parse_disclosure_period,
        record_disclosure_generated,
        update_disclosure_settings,
    )

    h = hand_town
    book_hand(h)
    with h.town.begin("test") as s:
        for short, posted in (("东湖", date(2026, 12, 8)), ("西岭", date(2026, 12, 15)), ("南塘", None)):
            p = parse_disclosure_period("2026-11")
            record_disclosure_generated(s, book_id=h.books[short], period=p,
                                        seal=compute_disclosure_seal(s, h.books[short], p), pages=2,
                                        content_sha256="0" * 64, user=h.maker)
            if posted:
                mark_disclosure_posted(s, book_id=h.books[short], period_code="2026-11", posted_on=posted, user=h.maker)
        update_disclosure_settings(s, h.orgs["北坡"], frequency="quarter", user=h.maker)
    h.carry()
    with h.view.begin("区统计员") as s:
        nov = ds.disclosure_compliance(s, 2026, 11, as_of=date(2026, 12, 5))
        dec = ds.disclosure_compliance(s, 2026, 12, as_of=date(2027, 1, 20))
    status = {(x.village.name[:2], x.book_name[-5:]): (x.status, x.overdue) for x in nov.lines}
    assert status == {("东湖", "经济合作社"): ("按时公开", False), ("东湖", "村民委员会"): ("未生成", False),
                      ("西岭", "经济合作社"): ("逾期公开", False), ("南塘", "经济合作社"): ("已生成未张贴", False),
                      ("北坡", "经济合作社"): ("本月无须公开", False)}
    assert (nov.district.books_due, nov.district.on_time, nov.district.late, nov.district.not_posted) == (4, 1, 1, 2)
    assert nov.district.overdue == 0  # 5 December: the 10th has not come
    assert {x.village.name[:2]: x.period_code for x in dec.lines if x.book_name.endswith("经济合作社")}["北坡"] == "2026-Q4"
    assert dec.district.not_posted == dec.district.overdue == 5


@both_engines
def test_settings_change_the_tiers_and_are_audited(hand_town: HandTown) -> None:
    h = hand_town
    book_hand(h)
    h.carry()
    with h.view.begin("区统计员") as s:
        officer = keeper(s, "district_admin", name="区统计员")
    with h.view.begin("区统计员") as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
        new = update_settings(s, tiers="0, 5，50", user=officer)
        assert new.bounds == (D(0), D(5), D(50)) and new.saved
        assert new.labels("operating") == ("无经营收益", "<5万", "5–50万", "≥50万")
        rep = ds.tier_counts(s, 2026)
        assert [c.count for c in rep.district.operating] == [1, 1, 1, 1]
        assert "0 / 5 / 50" in rep.settings.describe()[0] and "区级设置" in rep.settings.describe()[3]
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before + 1
    for bad, msg in (("5,3", "从小到大"), ("a", "不是数字"), ("-1", "不小于0"), ("", "请填写")):
        with h.view.begin("区统计员") as s, pytest.raises(ValidationError, match=msg):
            update_settings(s, tiers=bad, codes={"operating_2023": "501"}, user=officer)
    with h.view.begin("区统计员") as s, pytest.raises(ValidationError, match="102 不是2023版科目表的收入类科目"):
        update_settings(s, tiers="0,1", codes={"operating_2023": "501,102"}, user=officer)
    with h.view.begin("区统计员") as s:
        assert s.get(DistrictSetting, "operating_2023") is None  # nothing half-applied
        assert ds.get_settings(s).bounds == (D(0), D(5), D(50))
        only_rent = update_settings(s, codes={"operating_2023": "50101", "operating_2004": "511"}, user=officer)
        assert only_rent.codes("operating", "2023") == ("50101",) and "50101出租收入" in only_rent.describe()[1]
        assert by_short(h, ds.village_income(s, 2026)) == {**EXPECTED_2026, "东湖": (D("30000.00"), D("250000.00")),
                                                           "西岭": (D("60000.00"), D("65000.00"))}


def test_tier_boundaries_are_decimal_and_inclusive_below() -> None:
    st = default_settings()
    labels = st.labels("operating")
    cases = {"-0.01": "无经营收益", "0": "无经营收益", "0.01": "<5万", "49999.99": "<5万", "50000": "5–10万",
             "999999.99": "50–100万", "1000000": "≥100万"}
    assert {k: labels[st.tier_of(D(k))] for k in cases} == cases
    assert parse_tiers("2.5,7.5") == (D("2.5"), D("7.5"))
    assert ds.shares([1, 1, 1]) == [D("33.4"), D("33.3"), D("33.3")]
    assert ds.shares([0, 0]) == [D("0.0"), D("0.0")]


@both_engines
def test_a_replaced_township_pc_and_its_late_stick(hand_town: HandTown, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The township's PC dies after a stick was written but before it was carried; the backup is
    restored on a new PC (a new origin, announced to the district as the successor). The district's
    figures equal the new PC's statements, and the old PC's late stick changes nothing."""
    from db.migrate import open_database
    from desktop_app.cli import main
    from desktop_app.sync import identity
    from desktop_app.sync.cards import parse_card

    h = hand_town
    h.vouch("东湖", date(2026, 3, 5), ("102", "30000", "0"), ("50101", "0", "30000"))
    h.carry()
    h.vouch("西岭", date(2026, 2, 3), ("102", "60000", "0"), ("51101", "0", "60000"))
    late = SyncPair(h.town, h.district, h.stick).export(h.town, h.district)
    assert late.path is not None
    from tests.acting import keeper

    with h.town.begin("admin") as s:  # the file's 系统管理员 (password secret1) sets the passphrase (issue #16)
        keeper(s, "sysadmin", name="admin")
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    h.town.close()
    monkeypatch.setenv("SUNSHINE_LEDGER_BACKUP_PASSPHRASE", "换电脑用的备份口令")  # the backup leaves sealed
    assert main(["--user", "admin", "backup", "passphrase", "--db", str(h.town.path)]) == 0
    assert main(["backup", "--db", str(h.town.path), "--to", str(tmp_path / "bk")]) == 0
    (sealed,) = (tmp_path / "bk").iterdir()
    assert sealed.suffix == ".slbak"
    new_pc = tmp_path / "new_pc" / "town.db"
    new_pc.parent.mkdir()
    assert main(["restore", str(sealed), "--db", str(new_pc)]) == 0  # opened with the passphrase
    h.town = open_database(new_pc)
    with h.town.begin("admin") as s:
        card = parse_card(identity.my_card(s)[1])
    with h.district.begin("admin") as s:
        assert identity.trust_card(s, card, actor="admin").outcome == "succession"
    h.vouch("南塘", date(2026, 1, 15), ("102", "1000000", "0"), ("50101", "0", "1000000"))
    h.carry()
    import_package(h.district, late.path, actor="区统计员")  # the old PC's stick, found in a drawer
    h.refresh_view()
    with h.view.begin("区统计员") as s:
        got = by_short(h, ds.village_income(s, 2026))
    assert got == {"东湖": (D("30000.00"), D("30000.00")), "西岭": (D("60000.00"), D("60000.00")),
                   "南塘": (D("1000000.00"), D("1000000.00")), "北坡": (D("0.00"), D("0.00"))}
    for short, org in h.orgs.items():
        assert own_statement_figures(h.town, org, "2026-01", "2026-12") == got[short]
    h.town.close()
