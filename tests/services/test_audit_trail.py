"""审计日志 (services.audit_trail) on a real demo database file: each filter returns exactly the
entries a plain reading of the whole table says it should, keyset pages are gap-free and newest
first (also when the organisation filter leaves pages short), personal data is masked by role, a
keeper's reveal is audited, a user limited to some villages sees only theirs, and a user who may
not read the trail is refused in Chinese."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text, update

from db.audit import AuditRecord, record_audit
from db.engine import Database
from db.models import Asset, AuditEntry, Book, Member, Organisation, User
from desktop_app.core.errors import PermissionDenied, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.services import audit_trail as svc
from desktop_app.core.services.auth import user_row
from desktop_app.core.services.users import create_user, set_user_organisations
from desktop_app.excel.audit_xlsx import export_audit_xlsx

MARK = "U2样本"
RIC = "320115196202030014"


def _user(db: Database, username: str) -> UserRow:
    with db.read() as s:
        return user_row(s.execute(select(User).where(User.username == username)).scalar_one())


def _villages(db: Database) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(organisation, its first book) of the demo's villages, by name."""
    with db.read() as s:
        rows = s.execute(select(Organisation.id, Book.id).join(Book, Book.organisation_id == Organisation.id)
                         .where(Organisation.level == "村").order_by(Organisation.name, Book.code)).all()
    seen: dict[uuid.UUID, uuid.UUID] = {}
    for org, book in rows:
        seen.setdefault(org, book)
    return list(seen.items())


def _add_samples(db: Database) -> dict[str, Any]:
    """Entries of known organisation, written as services write them (record_audit), by two users."""
    (org_a, book_a), (org_b, book_b) = _villages(db)[:2]
    with db.read() as s:
        asset_a = s.scalar(select(Asset.id).where(Asset.book_id == book_a).limit(1))
    assert asset_a is not None
    with db.begin("kuaiji") as s:
        record_audit(s, [
            AuditRecord("update", "book_setting", str(book_a), f"{MARK} 账套设置A", {"x": 1}, {"x": 2}),
            AuditRecord("create", "member", str(uuid.uuid4()), f"{MARK} 新增成员A", None,
                        {"organisation_id": str(org_a), "name": "张三", "ric": RIC, "birth_date": "1962-02-03"}),
            AuditRecord("update", "asset", str(asset_a), f"{MARK} 修改资产A（只有对象的行）"),
            AuditRecord("create", "household", str(uuid.uuid4()), f"{MARK} 新增户B", None,
                        {"book_id": str(book_b), "phone": "13812345678", "head_name": "李四"}),
            AuditRecord("update", "app_user", str(uuid.uuid4()), f"{MARK} 修改用户（全乡镇）", None, {"active": True}),
        ])
    with db.begin("shenhe") as s:
        record_audit(s, [AuditRecord("review", "voucher", str(book_b), f"{MARK} 审核凭证B {i}") for i in range(3)])
    return {"org_a": org_a, "org_b": org_b, "book_a": book_a, "book_b": book_b}


def _all_entries(db: Database) -> list[Any]:
    with db.read() as s:
        return s.execute(select(AuditEntry.n, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity,
                                AuditEntry.summary).order_by(AuditEntry.n.desc())).all()


def _pages(db: Database, filt: svc.AuditFilter, user: UserRow, limit: int, scan_limit: int = 20_000) -> list[int]:
    """Every entry's n, read page by page as the page's 下一页 does."""
    out: list[int] = []
    after = None
    with db.read() as s:
        for _ in range(10_000):
            page = svc.audit_page(s, filt, user=user, after=after, limit=limit, scan_limit=scan_limit)
            assert len(page.rows) <= limit
            out.extend(r.n for r in page.rows)
            if page.last_key is None:
                return out
            assert page.last_key < (after or 10**12)
            after = page.last_key
    raise AssertionError("paging did not end")


@pytest.fixture
def samples(demo_db: Database) -> dict[str, Any]:
    return _add_samples(demo_db)


def test_sql_filters_return_exactly_the_matching_entries(demo_db: Database, samples: dict[str, Any]) -> None:
    me = _user(demo_db, "jiandu")
    everything = _all_entries(demo_db)
    today = datetime.now(UTC).astimezone().date()
    local_day = lambda e: e.at.astimezone().date()  # noqa: E731
    cases: list[tuple[svc.AuditFilter, Callable[[Any], bool]]] = [
        (svc.AuditFilter(), lambda e: True),
        (svc.AuditFilter(actor="shenhe"), lambda e: e.actor == "shenhe"),
        (svc.AuditFilter(action="review"), lambda e: e.action == "review"),
        (svc.AuditFilter(entity="voucher", action="review"), lambda e: (e.entity, e.action) == ("voucher", "review")),
        (svc.AuditFilter(text=MARK), lambda e: MARK in e.summary),
        (svc.AuditFilter(text="100%"), lambda e: "100%" in e.summary),  # LIKE's wildcards are plain text
        (svc.AuditFilter(text=MARK, actor="kuaiji"), lambda e: MARK in e.summary and e.actor == "kuaiji"),
        (svc.AuditFilter(date_from=today, date_to=today), lambda e: local_day(e) == today),
        (svc.AuditFilter(month=f"{today:%Y-%m}"), lambda e: local_day(e).strftime("%Y-%m") == f"{today:%Y-%m}"),
        (svc.AuditFilter(date_to=date(2000, 1, 1)), lambda e: False),
    ]
    for filt, wanted in cases:
        expected = [e.n for e in everything if wanted(e)]
        assert _pages(demo_db, filt, me, limit=50) == expected, filt
    assert len([e for e in everything if MARK in e.summary]) == 8


def test_a_date_range_is_local_days_inclusive(demo_db: Database, samples: dict[str, Any]) -> None:
    """Entries moved to known instants: the range's first and last local days are both in."""
    me = _user(demo_db, "jiandu")
    marked = [e.n for e in _all_entries(demo_db) if MARK in e.summary]
    when = [datetime(2025, 3, 1, 0, 0, 1), datetime(2025, 3, 31, 23, 59, 59), datetime(2025, 4, 1, 0, 0, 0),
            datetime(2025, 2, 28, 23, 59, 59)]
    with demo_db.begin("test") as s:  # behind the program's back: the chain no longer verifies (not asked here)
        for n, local in zip(marked, when, strict=False):
            s.execute(update(AuditEntry).where(AuditEntry.n == n).values(at=local.astimezone().astimezone(UTC)))
    march = marked[:2]
    got = _pages(demo_db, svc.AuditFilter(text=MARK, date_from=date(2025, 3, 1), date_to=date(2025, 3, 31)), me, 10)
    assert got == sorted(march, reverse=True)
    assert _pages(demo_db, svc.AuditFilter(text=MARK, month="2025-03"), me, 10) == sorted(march, reverse=True)
    with demo_db.read() as s, pytest.raises(ValidationError, match="月份"):
        svc.audit_page(s, svc.AuditFilter(month="2025-13"), user=me)
    with demo_db.read() as s, pytest.raises(ValidationError, match="早于"):
        svc.audit_page(s, svc.AuditFilter(date_from=date(2025, 3, 2), date_to=date(2025, 3, 1)), user=me)


def test_the_organisation_and_book_filters(demo_db: Database, samples: dict[str, Any]) -> None:
    me = _user(demo_db, "jiandu")
    with demo_db.read() as s:
        a = [r.summary for r in svc.iter_audit_rows(s, svc.AuditFilter(text=MARK, organisation_id=samples["org_a"]),
                                                    user=me)]
        b = [r.summary for r in svc.iter_audit_rows(s, svc.AuditFilter(text=MARK, book_id=samples["book_b"]), user=me)]
        rows = {r.summary: r for r in svc.iter_audit_rows(s, svc.AuditFilter(text=MARK), user=me)}
        with pytest.raises(ValidationError, match="不属于"):
            svc.audit_page(s, svc.AuditFilter(organisation_id=samples["org_a"], book_id=samples["book_b"]), user=me)
    assert sorted(a) == sorted([f"{MARK} 账套设置A", f"{MARK} 新增成员A", f"{MARK} 修改资产A（只有对象的行）"])
    assert sorted(b) == sorted([f"{MARK} 新增户B"] + [f"{MARK} 审核凭证B {i}" for i in range(3)])
    assert rows[f"{MARK} 修改用户（全乡镇）"].organisation == ""
    assert rows[f"{MARK} 修改资产A（只有对象的行）"].organisation == rows[f"{MARK} 新增成员A"].organisation != ""
    assert (rows[f"{MARK} 审核凭证B 0"].action, rows[f"{MARK} 审核凭证B 0"].entity) == ("审核", "凭证")
    assert rows[f"{MARK} 审核凭证B 0"].actor_name == "李审核"


def test_pages_are_gap_free_and_newest_first_even_when_the_scope_leaves_them_short(
        demo_db: Database, samples: dict[str, Any]) -> None:
    me = _user(demo_db, "jiandu")
    everything = [e.n for e in _all_entries(demo_db)]
    assert _pages(demo_db, svc.AuditFilter(), me, limit=7) == everything
    with demo_db.read() as s:
        whole = [r.n for r in svc.iter_audit_rows(s, svc.AuditFilter(organisation_id=samples["org_a"]), user=me)]
    assert whole == sorted(whole, reverse=True) and len(whole) > 20
    # a scan limit smaller than the gaps between the village's entries: short pages, same rows
    short = _pages(demo_db, svc.AuditFilter(organisation_id=samples["org_a"]), me, limit=5, scan_limit=5)
    assert short == whole


def test_personal_data_is_masked_by_role_and_a_keepers_reveal_is_audited(demo_db: Database,
                                                                        samples: dict[str, Any]) -> None:
    member_n, household_n = (next(e.n for e in _all_entries(demo_db) if e.summary == f"{MARK} {what}")
                             for what in ("新增成员A", "新增户B"))
    supervisor, keeper = _user(demo_db, "jiandu"), _user(demo_db, "kuaiji")
    with demo_db.read() as s:
        seen = {f.key: f.after for f in svc.audit_detail(s, member_n, user=supervisor).fields}
        assert seen["ric"] == "320115********0014" and seen["birth_date"] == "1962年"
        phone = {f.key: f.after for f in svc.audit_detail(s, household_n, user=supervisor).fields}["phone"]
        assert phone == "138****5678"
        kept = {f.key: f.after for f in svc.audit_detail(s, member_n, user=keeper).fields}
        assert kept["ric"] == "320115********0014" and kept["birth_date"] == "1962年"  # full only on demand
        assert {f.key: f.after for f in svc.audit_detail(s, household_n, user=keeper).fields}["phone"] == "13812345678"
        detail = svc.audit_detail(s, member_n, user=supervisor)
        assert detail.has_ids and not detail.revealed
        assert {f.label for f in detail.fields} >= {"身份证号", "出生日期", "组织", "姓名"}
    with demo_db.begin("jiandu") as s, pytest.raises(PermissionDenied, match="权限"):
        svc.audit_detail(s, member_n, user=supervisor, reveal=True)
    with demo_db.begin("kuaiji") as s:
        shown = svc.audit_detail(s, member_n, user=keeper, reveal=True)
    full = {f.key: f.after for f in shown.fields}
    assert shown.revealed and full["ric"] == RIC and full["birth_date"] == "1962-02-03"
    newest = _all_entries(demo_db)[0]
    assert (newest.actor, newest.action, newest.entity) == ("kuaiji", "reveal", "member")
    assert f"审计日志第 {member_n} 条" in newest.summary
    with demo_db.read() as s:
        after = json.loads(s.scalar(select(AuditEntry.after_json).where(AuditEntry.n == newest.n)) or "{}")
    assert after["audit_n"] == member_n and RIC not in json.dumps(after)


def test_a_ric_in_a_summary_is_masked(demo_db: Database) -> None:
    with demo_db.begin("kuaiji") as s:
        record_audit(s, AuditRecord("update", "member", None, f"核对身份证号 {RIC} 的成员"))
    with demo_db.read() as s:
        row = svc.audit_page(s, svc.AuditFilter(), user=_user(demo_db, "jiandu"), limit=1).rows[0]
    assert row.summary == "核对身份证号 320115********0014 的成员"
    with demo_db.read() as s:  # the hidden digits find nothing; what is shown does
        me = _user(demo_db, "jiandu")
        assert svc.audit_page(s, svc.AuditFilter(text=RIC[6:14]), user=me).rows == ()
        assert svc.audit_page(s, svc.AuditFilter(text=RIC), user=me).rows == ()
        assert [r.n for r in svc.audit_page(s, svc.AuditFilter(text="320115********0014"), user=me).rows] == []
        assert [r.summary for r in svc.audit_page(s, svc.AuditFilter(text="核对身份证号"), user=me).rows] == [row.summary]


def test_a_user_limited_to_villages_sees_only_theirs(demo_db: Database, samples: dict[str, Any]) -> None:
    admin = _user(demo_db, "admin")
    with demo_db.begin("admin") as s:
        limited = create_user(s, username="jiandu_a", display_name="甲村监督", password="secret123",
                              roles=("supervisor",), actor=admin)
        set_user_organisations(s, limited.id, [samples["org_a"]], actor=admin)
    with demo_db.read() as s:
        mine = [r.summary for r in svc.iter_audit_rows(s, svc.AuditFilter(text=MARK), user=limited)]
        orgs = svc.audit_choices(s, user=limited).organisations
        with pytest.raises(PermissionDenied, match="只负责指定的组织"):
            svc.audit_page(s, svc.AuditFilter(organisation_id=samples["org_b"]), user=limited)
    assert sorted(mine) == sorted([f"{MARK} 账套设置A", f"{MARK} 新增成员A", f"{MARK} 修改资产A（只有对象的行）"])
    assert [o for o, _name in orgs] == [samples["org_a"]]
    with demo_db.read() as s:
        b_entry = next(e.n for e in _all_entries(demo_db) if e.summary == f"{MARK} 新增户B")
        with pytest.raises(Exception, match="不在你负责的组织范围内"):
            svc.audit_detail(s, b_entry, user=limited)


def test_who_may_read_the_trail(demo_db: Database) -> None:
    for name in ("jiandu", "kuaiji", "shenhe", "admin"):
        with demo_db.read() as s:
            assert svc.audit_page(s, svc.AuditFilter(), user=_user(demo_db, name), limit=1).rows
    with demo_db.read() as s, pytest.raises(PermissionDenied, match="此操作需要监督、记账员、审核员、系统管理员权限"):
        svc.audit_page(s, svc.AuditFilter(), user=_user(demo_db, "quji"))
    with demo_db.read() as s, pytest.raises(PermissionDenied):
        svc.audit_chain_status(s, user=_user(demo_db, "quji"))


def test_the_chain_status_is_verifys_check(demo_db: Database) -> None:
    me = _user(demo_db, "jiandu")
    with demo_db.read() as s:
        status = svc.audit_chain_status(s, user=me)
    assert status.ok and status.entries > 100 and "审计链校验通过" in status.text
    with demo_db.begin("test") as s:
        s.execute(text("UPDATE audit_entry SET summary = summary || '（改）' WHERE n = 5"))
    with demo_db.read() as s:
        broken = svc.audit_chain_status(s, user=me)
    assert not broken.ok and "第 5 条审计记录" in broken.text


def test_the_export_reads_back(demo_db: Database, samples: dict[str, Any], tmp_path: Path) -> None:
    me = _user(demo_db, "jiandu")
    out = tmp_path / "审计日志.xlsx"
    filt = svc.AuditFilter(text=MARK)
    with demo_db.read() as s:
        count = export_audit_xlsx(s, filt, out, user=me)
        shown = list(svc.iter_audit_rows(s, filt, user=me))
    assert count == len(shown) == 8
    wb = load_workbook(out, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    header = rows.index(("序号", "时间", "用户", "姓名", "操作", "对象", "组织", "摘要"))
    data = rows[header + 1:]
    assert [r[0] for r in data] == [r.n for r in shown]
    assert all(isinstance(r[1], datetime) for r in data)
    assert [(r[3], r[4], r[5], r[6], r[7]) for r in data] == [
        (r.actor_name, r.action, r.entity, r.organisation or None, r.summary) for r in shown]
    assert data[0][1].strftime("%Y-%m-%d %H:%M:%S") == shown[0].at


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _fields(detail: svc.AuditDetail) -> dict[str, tuple[str, str]]:
    return {f.label: (f.before, f.after) for f in detail.fields}


def test_every_detail_speaks_chinese(demo_db: Database) -> None:
    """One entry of each kind the demo writes: every field a Chinese word, no JSON, no ids, no
    program bookkeeping (版本, 标识, 来源, 修改时间, row hash)."""
    supervisor = _user(demo_db, "jiandu")
    with demo_db.read() as s:
        kinds = s.execute(select(AuditEntry.entity, AuditEntry.action, func.min(AuditEntry.n))
                          .group_by(AuditEntry.entity, AuditEntry.action)).all()
        assert len(kinds) > 20
        for entity, action, n in kinds:
            for f in svc.audit_detail(s, n, user=supervisor).fields:
                where = f"{entity}/{action} 第{n}条 {f.key}"
                assert re.search(r"[\u4e00-\u9fff]", f.label), where
                assert f.key not in {"id", "rev", "origin", "updated_at", "row_hash"}, where
                assert f.label not in {"版本", "标识", "来源", "修改时间"}, where
                for value in (f.before, f.after):
                    assert "{" not in value and "[" not in value and not _UUID.search(value), (where, value)
                    assert not re.fullmatch(r"\d{4}-\d{2}", value), (where, value)  # months as 2026年1月
                    # stored codes (calendar, bookkeeper …) in words; a login name is the one English value
                    assert f.key == "username" or not re.fullmatch(r"[a-z][a-z_]*", value), (where, value)


def test_a_voucher_lists_its_lines_and_a_batch_its_months(demo_db: Database) -> None:
    supervisor = _user(demo_db, "jiandu")
    with demo_db.read() as s:
        created = s.scalar(select(func.min(AuditEntry.n)).where(AuditEntry.entity == "voucher",
                                                               AuditEntry.action == "create"))
        batch = s.scalar(select(func.min(AuditEntry.n)).where(AuditEntry.action == "bulk_post"))
        matched = s.scalar(select(func.min(AuditEntry.n)).where(AuditEntry.action == "match"))
        raw = json.loads(s.scalar(select(AuditEntry.after_json).where(AuditEntry.n == created)) or "{}")
        voucher = _fields(svc.audit_detail(s, created, user=supervisor))
        periods = _fields(svc.audit_detail(s, batch, user=supervisor))
        pairs = _fields(svc.audit_detail(s, matched, user=supervisor))
    lines = voucher["分录"][1].split("\n")
    assert len(lines) == len(raw["lines"]) >= 2
    first = raw["lines"][0]
    side, amount = ("借方", first["debit"]) if Decimal(first["debit"]) else ("贷方", first["credit"])
    assert re.match(rf"^{first['account']} \S+　{side} {Decimal(amount):,.2f}", lines[0]), lines[0]
    assert "," in lines[0] or Decimal(amount) < 1000
    year, month = raw["period"].split("-")
    assert voucher["期间"] == ("", f"{year}年{int(month)}月") and voucher["凭证号"] == ("", str(raw["number"]))
    # in the voucher table's column order (期间, 凭证号, 摘要 …), not the stored JSON's sorted keys; 分录 after
    labels = list(voucher)
    assert labels.index("期间") < labels.index("凭证号") < labels.index("摘要") < labels.index("分录"), labels
    assert re.fullmatch(r"(\d{4}年\d{1,2}月、)*\d{4}年\d{1,2}月", periods["期间"][1])
    assert pairs["勾对笔数"][1].isdigit() and re.fullmatch(r"\d+ \S+", pairs["银行科目"][1])


def test_a_member_edit_shows_what_changed_by_its_own_words(demo_db: Database) -> None:
    """A member edited through the register's service: 姓名 (not 名称), no 版本/标识/来源."""
    from desktop_app.core.services.members import update_member

    keeper, supervisor = _user(demo_db, "kuaiji"), _user(demo_db, "jiandu")
    with demo_db.read() as s:
        member = s.execute(select(Member.id, Member.name).limit(1)).one()
    with demo_db.begin("kuaiji") as s:
        update_member(s, member.id, name=member.name + "华", user=keeper)
    with demo_db.read() as s:
        n = s.scalar(select(func.max(AuditEntry.n)))
        detail = svc.audit_detail(s, n, user=supervisor)
    fields = _fields(detail)
    assert detail.fields[0].label == "姓名" and detail.fields[0].changed
    assert fields["姓名"] == (member.name, member.name + "华")
    assert not {"名称", "版本", "标识", "来源", "修改时间"} & fields.keys()
    assert fields["户"][0].startswith("第") and "组织" in fields


def test_the_filters_follow_the_usual_order(demo_db: Database) -> None:
    from desktop_app.core.services.orgs import list_organisations
    from desktop_app.core.textsearch import pinyin_key

    with demo_db.read() as s:
        choices = svc.audit_choices(s, user=_user(demo_db, "jiandu"))
        tree = [o.name for o in list_organisations(s)]
    assert [name for _id, name in choices.organisations] == tree
    assert tree[0].endswith("联合社")  # the township's own first, as the navigation tree has it
    assert [code for code, _w in choices.actions[:3]] == ["create", "update", "delete"]
    words = [w for _c, w in choices.entities]
    assert words == sorted(words, key=pinyin_key)


def test_the_export_says_who_when_and_by_what(demo_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "审计.xlsx"
    with demo_db.read() as s:
        export_audit_xlsx(s, svc.AuditFilter(action="close", actor="shenhe"), target, user=_user(demo_db, "jiandu"))
    wb = load_workbook(target, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    subtitle = str(rows[1][0])
    assert re.fullmatch(r"导出人：\S+　导出时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}　条件：用户 \S+（shenhe），操作 结账", subtitle), \
        subtitle
