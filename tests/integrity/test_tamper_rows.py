"""Edits made behind the program's back with sqlite3: ``verify`` finds every one (exit 3) and names
the table; a month reopened that way refuses writes.

Each case edits a private copy of the two-year demo (3 villages, 2025-01 … 2026-11, every month
closed, distributions paid; 赵监督 limited to one village) with the stdlib ``sqlite3`` module,
as a person with the file would. Which tables must carry a row hash is read from the models:
every table does, or is named below with the reason it need not.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from db import rowhash
from db.migrate import open_database
from desktop_app.cli import main
from desktop_app.core.errors import ConflictError
from desktop_app.core.services.periods import ensure_period_open
from tests.conftest import copy_of

FIRST = "rowid = (SELECT min(rowid) FROM {t})"


def _sql(path: Path, *statements: str) -> None:
    raw = sqlite3.connect(path)
    try:
        for sql in statements:
            raw.execute(sql)
        raw.commit()
    finally:
        raw.close()


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--db", str(path)])
    return code, capsys.readouterr().out


# Tables without a row hash, and what vouches for them instead (derived, logs, chains).
NOT_HASHED = {
    "account_period_total": "派生：科目汇总，verify 由已记账分录重算比对",
    "village_digest": "派生：各村同步状态摘要，verify 由现有数据重算比对",
    "audit_entry": "自带 SHA-256 哈希链，另有外部锚点（伙伴确认、同步包所载链尾、带校验码的文档）",
    "audit_head": "哈希链的链尾，与链一并核对",
    "change_log": "日志：各来源序号连续并止于 sync_counter，每条同步数据的当前版本都有记录",
    "sync_counter": "日志计数器，与 change_log 一并核对",
    "installation_key": "随机密钥：verify 核对公钥由私钥导出；私钥改动后签出的包被对方按其登记的身份卡拒收",
    "received_audit": "对方审计链的副本：每条带对方的链哈希与链接，下一个包和“数据接收”页据此核对",
    "received_digest": "对方包所述的状态摘要，导入时已与本地重算比对，只供“数据接收”页显示",
    "received_control_total": "对方包所述的控制总数，导入时已与本地重算比对，只供“数据接收”页显示",
}
def test_every_table_carries_a_row_hash_or_is_named_with_why() -> None:
    """A new table (or one that gained a hash) cannot pass unnoticed: the models are the list."""
    import db.models  # noqa: F401  (registers every table)
    from db.base import Base

    hashed = {t.name for t in rowhash.hashed_tables()}
    every = set(Base.metadata.tables)
    unnamed = every - hashed - NOT_HASHED.keys()
    assert not unnamed, f"这些表既无行哈希，也未说明为何不需要：{sorted(unnamed)}"
    stale = NOT_HASHED.keys() & hashed | NOT_HASHED.keys() - every
    assert not stale, f"已有行哈希或已不存在，请从名单中删去：{sorted(stale)}"
    assert {"app_user", "app_user_org", "sync_outbox", "sync_inbox", *LOCAL} <= hashed


# The local tables keyed by something other than a UUID ``id`` (migration h0003): each has rows
# in the ``demo`` below, written as the program writes them.
LOCAL = ("installation", "site", "sync_partner", "sync_partner_has", "backup_setting", "district_setting")
PASSPHRASE = "青山绿水-2026"


@pytest.fixture
def demo(two_year_demo: Path, tmp_path: Path) -> Path:
    """The demo with 赵监督 (jiandu) limited to 东湖村, as the administrator does it; with a backup
    passphrase, a trusted district card and what that district acknowledged, and a district
    setting, so that every local table has rows."""
    path = copy_of(two_year_demo, tmp_path)
    import uuid

    from sqlalchemy import select

    from db.keys import new_key_pairs
    from db.models import DistrictSetting, Organisation, SyncPartnerHas, User
    from db.types import utcnow
    from desktop_app.core.services.auth import user_row
    from desktop_app.core.services.backups import set_passphrase
    from desktop_app.core.services.users import set_user_organisations
    from desktop_app.sync.cards import make_card
    from desktop_app.sync.identity import trust_card

    db = open_database(path)
    try:
        with db.begin("admin") as s:
            admin, jiandu = (s.execute(select(User).where(User.username == u)).scalar_one() for u in ("admin", "jiandu"))
            org = s.scalar(select(Organisation.id).where(Organisation.name == "东湖村股份经济合作社"))
            assert isinstance(org, uuid.UUID)
            set_user_organisations(s, jiandu.id, [org], actor=user_row(admin))
            set_passphrase(s, PASSPHRASE, user=user_row(admin))
            keys = new_key_pairs()
            card, _ = make_card(name="江宁区经管站", level="district", region_code="320115", origin=uuid.uuid4(),
                                site_id=uuid.uuid4(), sign_private=keys.sign_private, enc_public=keys.enc_public,
                                created_at=utcnow())
            trust_card(s, card, actor="admin")
            # what sync apply records from the district's acknowledgement (sync/apply.py _merge_acks)
            s.add(SyncPartnerHas(partner=card.origin, origin=db.origin, seq=5, audit_n=3))
            # what district_settings.update_settings stores (on a district's database)
            s.add(DistrictSetting(key="tiers", value="0,5,10,20,50,100", updated_at=utcnow(), updated_by="admin"))
    finally:
        db.close()
    raw = sqlite3.connect(path)
    try:
        for table in LOCAL:
            assert raw.execute(f'SELECT count(*) FROM "{table}" WHERE row_hash IS NOT NULL').fetchone()[0], table
    finally:
        raw.close()
    return path


def _cli(monkeypatch: pytest.MonkeyPatch, *argv: str) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    assert main(list(argv)) == 0


def test_the_untouched_demo_verifies(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(demo, capsys)
    assert code == 0, out


CASES = {
    "股份": ("share_holding", [f"UPDATE share_holding SET shares = shares + 10000 WHERE {FIRST.format(t='share_holding')}"]),
    "成员姓名": ("member", [f"UPDATE member SET name = '王五' WHERE {FIRST.format(t='member')}"]),
    "成员身份证": ("member", [f"UPDATE member SET ric = '11010119900307777X' WHERE {FIRST.format(t='member')}"]),
    "分红明细": ("dividend_line", [f"UPDATE dividend_line SET amount = amount + 100000, net = net + 100000 "
                               f"WHERE {FIRST.format(t='dividend_line')}"]),
    "合同租金": ("contract", [f"UPDATE contract SET annual_rent = annual_rent * 2 WHERE {FIRST.format(t='contract')}"]),
    "资产原值": ("asset", [f"UPDATE asset SET original_value = original_value + 1000000 WHERE {FIRST.format(t='asset')}"]),
    "用户角色": ("app_user", ["UPDATE app_user SET roles = 'admin,bookkeeper,reviewer' WHERE username = 'jiandu'"]),
    "期间状态": ("period", ["UPDATE period SET status = 'open', seal_hash = NULL WHERE rowid = "
                        "(SELECT max(rowid) FROM period WHERE status = 'closed')"]),
    # 赵监督 given a second village, 区经管站 limited to one, 赵监督 widened to all by deleting his row
    "用户增加组织": ("app_user_org", [
        "INSERT INTO app_user_org (id, user_id, organisation_id) SELECT lower(hex(randomblob(16))), u.id, o.id "
        "FROM app_user u, organisation o WHERE u.username = 'jiandu' AND o.level = '村' "
        "AND o.id NOT IN (SELECT organisation_id FROM app_user_org) LIMIT 1"]),
    "用户限定组织": ("app_user_org", [
        "INSERT INTO app_user_org (id, user_id, organisation_id) SELECT lower(hex(randomblob(16))), u.id, o.id "
        "FROM app_user u, organisation o WHERE u.username = 'quji' AND o.level = '村' LIMIT 1"]),
    "用户放开全部组织": ("app_user_org", [
        "DELETE FROM app_user_org WHERE user_id = (SELECT id FROM app_user WHERE username = 'jiandu')"]),
    # the local tables (h0003): this PC's identity and site, the partners trusted and their keys,
    # what a partner acknowledged, the passphrase's hash, a district setting
    "本机来源编号": ("installation", ["UPDATE installation SET id = lower(hex(randomblob(16))) WHERE retired_at IS NULL"]),
    "本机站点级别": ("site", ["UPDATE site SET level = 'district'"]),
    "同步对象公钥": ("sync_partner", ["UPDATE sync_partner SET sign_public = randomblob(32), enc_public = randomblob(32)"]),
    "同步对象另加": ("sync_partner", [
        "INSERT INTO sync_partner (origin, site_id, name, level, region_code, sign_public, enc_public, fingerprint, "
        "trusted_at, trusted_by) SELECT lower(hex(randomblob(16))), site_id, '冒名的区经管站', level, region_code, "
        "randomblob(32), randomblob(32), fingerprint, trusted_at, trusted_by FROM sync_partner LIMIT 1"]),
    "同步确认进度": ("sync_partner_has", ["UPDATE sync_partner_has SET seq = seq + 100"]),
    # a deleted row leaves no hash to fail (issue #19): its acknowledgements and the audit name it
    "同步对象删除": ("sync_partner", ["DELETE FROM sync_partner"]),
    # the keys carry no row hash: a public half that its private half does not give (issue #19)
    "本机签名公钥": ("installation_key", ["UPDATE installation_key SET sign_public = x'00'"]),
    "本机加密公钥": ("installation_key", ["UPDATE installation_key SET enc_public = randomblob(32)"]),
    "备份口令": ("backup_setting", ["UPDATE backup_setting SET value = (SELECT password_hash FROM app_user "
                                "WHERE username = 'kuaiji'), updated_by = 'kuaiji'"]),
    "区级设置": ("district_setting", ["UPDATE district_setting SET value = '0,1,2'"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_edit_is_found_and_its_table_named(case: str, demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table, statements = CASES[case]
    _sql(demo, *statements)
    code, out = _verify(demo, capsys)
    assert code == 3, out
    assert f"表 {table}）" in out, out


def test_every_business_table_edited_is_named(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One stored value changed (the time of the last change, which no seal or summary covers) in the
    first row of every business table that has rows: each table is named."""
    raw = sqlite3.connect(demo)
    tables = [t.name for t in rowhash.hashed_tables()
              if raw.execute(f'SELECT 1 FROM "{t.name}" LIMIT 1').fetchone() is not None]
    raw.close()
    assert len(tables) >= 30 and "app_user_org" in tables
    when = "'2020-01-01 00:00:00.000000'"
    assert set(LOCAL) <= set(tables)
    edits = {"app_user": f"created_at = {when}", "sync_inbox": "file_name = 'x.slsync'",
             "sync_outbox": "file_name = 'x.slsync'", "installation": f"created_at = {when}",
             "site": f"created_at = {when}", "sync_partner": f"trusted_at = {when}",
             "sync_partner_has": "audit_n = audit_n + 1",
             "app_user_org": "organisation_id = (SELECT max(id) FROM organisation WHERE id <> organisation_id)"}
    _sql(demo, *(f'UPDATE "{t}" SET {edits.get(t, "updated_at = " + when)} '
                 f'WHERE rowid = (SELECT min(rowid) FROM "{t}")' for t in tables))
    code, out = _verify(demo, capsys)
    assert code == 3
    for t in tables:
        assert f"表 {t}）" in out, t


def test_a_ledger_line_changed_with_its_month_total_in_an_open_month(
        demo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    raw = sqlite3.connect(demo)
    uscc, book = raw.execute("SELECT o.uscc, b.id FROM organisation o JOIN book b ON b.organisation_id = o.id "
                             "WHERE o.name = '东湖村股份经济合作社'").fetchone()
    raw.close()
    _cli(monkeypatch, "reopen-period", "--db", str(demo), "--user", "shenhe", "--org", uscc,
         "--period", "2026-10", "--reason", "更正摘要")
    code, out = _verify(demo, capsys)
    assert code == 0, out
    line = (f"SELECT e.rowid FROM entry e JOIN voucher v ON v.id = e.voucher_id WHERE e.book_id = '{book}' "
            "AND e.period = '2026-10' AND e.debit > 0 AND v.status = '记账' ORDER BY e.rowid LIMIT 1")
    _sql(demo,
         f"UPDATE account_period_total SET debit = debit + 50000 WHERE book_id = '{book}' AND period = '2026-10' "
         f"AND closing = 0 AND account_id = (SELECT account_id FROM entry WHERE rowid = ({line}))",
         f"UPDATE entry SET debit = debit + 50000 WHERE rowid = ({line})")
    code, out = _verify(demo, capsys)
    assert code == 3
    assert "表 entry）" in out, out  # the summary agrees with the changed line: only the row hash sees it


def test_the_audit_tail_removed_with_its_head(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet printed with a check code is an anchor: deleting the audit entries since (and moving
    ``audit_head`` back so the chain still links) leaves the sheet's entry missing."""
    raw = sqlite3.connect(demo)
    uscc = raw.execute("SELECT uscc FROM organisation WHERE name = '东湖村股份经济合作社'").fetchone()[0]
    raw.close()
    _cli(monkeypatch, "disclose", "--db", str(demo), "--user", "kuaiji", "--org", uscc, "--period", "2026-10",
         "--out", str(tmp_path / "公开.pdf"))
    raw = sqlite3.connect(demo)
    first = raw.execute("SELECT min(n) FROM audit_entry WHERE entity = 'sealed_document'").fetchone()[0]
    raw.close()
    assert first is not None
    _sql(demo, f"DELETE FROM audit_entry WHERE n >= {first}",
         "UPDATE audit_head SET last_n = (SELECT max(n) FROM audit_entry), "
         "last_hash = (SELECT hash FROM audit_entry WHERE n = (SELECT max(n) FROM audit_entry))")
    code, out = _verify(demo, capsys)
    assert code == 3, out
    assert "表 audit_entry）" in out


def test_a_month_reopened_behind_the_programs_back_refuses_writes(demo: Path) -> None:
    raw = sqlite3.connect(demo)
    book, = raw.execute("SELECT book_id FROM period WHERE period = '2026-10' LIMIT 1").fetchone()
    raw.close()
    _sql(demo, f"UPDATE period SET status = 'open', seal_hash = NULL WHERE book_id = '{book}' AND period = '2026-10'")
    import uuid

    db = open_database(demo)
    try:
        with db.begin("test") as s, pytest.raises(ConflictError, match="按审计日志已结账"):
            ensure_period_open(s, uuid.UUID(book), "2026-10")
    finally:
        db.close()


def test_a_month_reopened_behind_the_programs_back_is_not_sealed_over(demo: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """结账 of such a month would write a new seal over the evidence: refused, and verify still
    finds the month afterwards."""
    import uuid

    from sqlalchemy import select

    from db.models import User
    from desktop_app.core.services.auth import user_row
    from desktop_app.core.services.periods import close_period

    raw = sqlite3.connect(demo)
    book, = raw.execute("SELECT book_id FROM period WHERE period = '2026-10' LIMIT 1").fetchone()
    raw.close()
    _sql(demo, f"UPDATE period SET status = 'open', seal_hash = NULL WHERE book_id = '{book}' AND period = '2026-10'")
    db = open_database(demo)
    try:
        with db.begin("kuaiji") as s, pytest.raises(ConflictError, match="不能再结账"):
            kuaiji = user_row(s.execute(select(User).where(User.username == "kuaiji")).scalar_one())
            close_period(s, uuid.UUID(book), "2026-10", user=kuaiji)
    finally:
        db.close()
    code, out = _verify(demo, capsys)
    assert code == 3 and "2026年10月" in out


def test_a_batch_of_many_books_meets_closed_and_reopened_months_as_one_call_each(demo: Path) -> None:
    """bulk_post_books reads every (book, month) record in one query (periods.OpenPeriods) and refuses
    exactly as ensure_period_open: a closed month, and a month set back to open behind the program's
    back; nothing of the batch is written."""
    import uuid

    from sqlalchemy import func, select

    from db.models import User, Voucher
    from desktop_app.core.services.auth import user_row
    from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_books
    from desktop_app.core.services.vouchers import LineInput

    raw = sqlite3.connect(demo)
    closed = [uuid.UUID(b) for (b,) in raw.execute(
        "SELECT book_id FROM period WHERE period = '2026-10' AND status = 'closed' ORDER BY book_id LIMIT 2")]
    raw.close()
    assert len(closed) == 2
    lines = [LineInput("101", debit=Decimal("5.00")), LineInput("50101", credit=Decimal("5.00"))]

    def batch(month_of_second: int) -> dict[uuid.UUID, list[BulkVoucher]]:
        return {closed[0]: [BulkVoucher(date(2026, 12, 3), "好月份", lines)],
                closed[1]: [BulkVoucher(date(2026, 12, 3), "好月份", lines),
                            BulkVoucher(date(2026, month_of_second, 3), "坏月份", lines)]}

    def count(s) -> int:
        return int(s.scalar(select(func.count()).select_from(Voucher)))

    db = open_database(demo)
    try:
        with db.read("t") as s:
            before = count(s)
        with db.begin("kuaiji") as s, pytest.raises(ConflictError, match="2026年10月已结账，不能修改"):
            kuaiji = user_row(s.execute(select(User).where(User.username == "kuaiji")).scalar_one())
            bulk_post_books(s, batch(10), maker=kuaiji)
    finally:
        db.close()
    _sql(demo, f"UPDATE period SET status = 'open', seal_hash = NULL WHERE book_id = '{closed[1].hex}' "
               "AND period = '2026-10'")
    db = open_database(demo)
    try:
        with db.begin("kuaiji") as s, pytest.raises(ConflictError, match="2026年10月按审计日志已结账"):
            kuaiji = user_row(s.execute(select(User).where(User.username == "kuaiji")).scalar_one())
            bulk_post_books(s, batch(10), maker=kuaiji)
        with db.read("t") as s:
            assert count(s) == before
    finally:
        db.close()
