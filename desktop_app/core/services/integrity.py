"""``verify``: is the database file sound, and has anything been edited behind the program's back?

Checks are registered in ``CHECKS``; later areas (sealed periods, sync state) add theirs.
Each returns a list of Chinese problem descriptions; an empty list means all is well.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Table, case, exists, func, literal, select
from sqlalchemy.exc import DBAPIError

from db import rowhash
from db.audit import verify_audit_chain
from db.base import Base, is_syncable
from db.models import AuditEntry, ChangeLog, Organisation, SyncCounter, User, UserOrganisation
from desktop_app.core.services.balances import verify_account_totals
from desktop_app.core.services.period_audit import verify_period_status
from desktop_app.core.services.period_seals import verify_period_seals

Check = Callable[[Connection], list[str]]


def check_sqlite(conn: Connection) -> list[str]:
    result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
    if result == ["ok"]:
        return []
    return [f"数据库文件结构损坏：{msg}" for msg in result[:20]]


def check_foreign_keys(conn: Connection) -> list[str]:
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    return [f"表 {r[0]} 第 {r[1]} 行引用了不存在的 {r[2]} 记录" for r in rows[:50]]


def check_audit_chain(conn: Connection) -> list[str]:
    return [b.message for b in verify_audit_chain(conn)]


def _syncable_tables() -> list[Table]:
    return sorted((m.local_table for m in Base.registry.mappers if is_syncable(m.class_)),  # type: ignore[misc]
                  key=lambda t: t.name)


def check_change_log(conn: Connection) -> list[str]:
    """What the slim change log can prove (DESIGN-NOTES 6): each origin's records are gap-free
    and end at its counter; every syncable row's current version has its record; no record
    names a row that does not exist. (Row contents are proven by the audit chain, the seals
    and the summaries, checked separately.)"""
    return (_check_sequences(conn) + _check_rows_have_records(conn) + _check_records_have_rows(conn))[:50]


def _check_sequences(conn: Connection) -> list[str]:
    log = ChangeLog.__table__
    problems: list[str] = []
    counters = dict(conn.execute(select(SyncCounter.origin, SyncCounter.last_seq)).all())
    spans = conn.execute(select(log.c.origin, func.count(), func.max(log.c.seq)).group_by(log.c.origin)).all()
    for origin, count, last in spans:
        if count != last:
            prev = func.lag(log.c.seq, 1, 0).over(order_by=log.c.seq)
            sub = select(log.c.seq, prev.label("prev")).where(log.c.origin == origin).subquery()
            for seq, before in conn.execute(select(sub.c.seq, sub.c.prev).where(sub.c.seq != sub.c.prev + 1).limit(10)):
                problems.append(f"变更日志序号不连续：来源 {origin} 在第 {before} 条之后是第 {seq} 条"
                                f"（第 {before + 1}–{seq - 1} 条变更记录已被删除）")
        counted = counters.get(origin)
        if counted is None or counted < last:
            problems.append(f"来源 {origin} 的变更日志（至第 {last} 条）与同步计数器（{counted or 0}）不符：已被程序以外的方式修改")
        elif counted > last:
            problems.append(f"来源 {origin} 的变更日志最后的 {counted - last} 条记录（第 {last + 1}–{counted} 条）已被删除")
    for origin in counters.keys() - {r[0] for r in spans}:
        if counters[origin]:
            problems.append(f"来源 {origin} 的变更日志全部 {counters[origin]} 条记录已被删除")
    return problems


def _check_rows_have_records(conn: Connection) -> list[str]:
    """Looked up in a temporary copy of (row id, rev, origin, table) indexed for the purpose: the
    file keeps no row-id index (DESIGN-NOTES 24), and one sorted copy beats a scan per table."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.verify_change_log")
    conn.exec_driver_sql("CREATE TEMP TABLE verify_change_log AS "
                         "SELECT row_id, rev, origin, table_name FROM main.change_log")
    conn.exec_driver_sql("CREATE INDEX temp.ix_verify_change_log ON verify_change_log (row_id, rev)")
    try:
        problems: list[str] = []
        for t in _syncable_tables():
            sql = (f'SELECT t.id, t.rev FROM main."{t.name}" t WHERE NOT EXISTS (SELECT 1 FROM temp.verify_change_log c '
                   "WHERE c.row_id = t.id AND c.rev = t.rev AND c.origin = t.origin AND c.table_name = ?) LIMIT 10")
            for row_id, rev in conn.exec_driver_sql(sql, (t.name,)):
                problems.append(f"表 {t.name} 的记录 {uuid.UUID(row_id)}（版本 {rev}）没有对应的变更日志记录："
                                "该行已被程序以外的方式修改，或其变更记录已被删除")
        return problems
    finally:
        conn.exec_driver_sql("DROP TABLE temp.verify_change_log")


def _check_records_have_rows(conn: Connection) -> list[str]:
    log = ChangeLog.__table__
    tables = _syncable_tables()
    missing = case(*((log.c.table_name == t.name, ~exists().where(t.c.id == log.c.row_id)) for t in tables),
                   else_=literal(True))
    rows = conn.execute(select(log.c.origin, log.c.seq, log.c.table_name, log.c.row_id).where(missing).limit(10))
    return [f"变更日志第 {seq} 条（来源 {origin}）记录的 {table} 行 {row_id} 不存在：同步数据被物理删除"
            for origin, seq, table, row_id in rows]


def check_village_digests(conn: Connection) -> list[str]:
    """The village state digests USB sync keeps (``village_digest``, brought up to date from the
    change log) equal a recompute from the rows: a row whose version number was changed, or a row
    removed, behind the program's back is seen (a content edit that keeps the version is not: the
    audit chain, seals and summaries prove contents)."""
    from desktop_app.sync import control

    driver = conn.connection.driver_connection
    assert driver is not None
    cur = driver.cursor()
    try:
        kept = control.pending_digests(cur)
        actual = control.full_digests(cur) if kept else {}
        names = dict(cur.execute("SELECT id, name FROM organisation")) if kept else {}
    finally:
        cur.close()
    problems = []
    for org in sorted(set(kept) | set(actual)):
        k, a = kept.get(org, (control.EMPTY, 0)), actual.get(org, (control.EMPTY, 0))
        if k != a:
            problems.append(f"“{names.get(org, org)}”的同步状态摘要（按变更日志 {k[1]} 行）与现有数据（{a[1]} 行）不符："
                            "同步数据的版本号被改写或记录被删除，已被程序以外的方式修改")
    return problems[:50]


# Local tables (not syncable, so sync's kinds do not name them) as a person knows them.
_LOCAL_LABELS = {"app_user": "用户", "app_user_org": "用户可处理的组织", "sync_outbox": "导出的同步包",
                 "sync_inbox": "导入的同步包", "installation": "本机安装标识", "site": "本机站点",
                 "sync_partner": "已登记的同步对象（名片及公钥）", "sync_partner_has": "同步对象已确认收到的进度",
                 "backup_setting": "备份设置", "district_setting": "区级设置"}
# What names a record of a table whose own columns do not (an expression over the row ``a0``).
_RECORD_WORDS = {"app_user_org": "(SELECT username FROM app_user WHERE id = a0.user_id) || ' → ' || "
                                 "(SELECT name FROM organisation WHERE id = a0.organisation_id)",
                 "sync_partner_has": "(SELECT name FROM sync_partner WHERE origin = a0.partner)"}


def _record_label(table: Table) -> str | None:
    """A column that names a record to a person (name, number, code …), if the table has one."""
    if table.name in _RECORD_WORDS:
        return _RECORD_WORDS[table.name]
    for name in ("name", "username", "number", "code", "period", "id_card", "label", "file_name"):
        if name in table.c:
            return name
    return None


def _record_key(key: object) -> str:
    """A row's key as a person reads it: a UUID with its dashes, a composite key joined by “/”."""
    parts = key if isinstance(key, tuple) else (key,)
    return "/".join(str(uuid.UUID(p)) if isinstance(p, str) and len(p) == 32 and _is_hex(p) else str(p)
                    for p in parts)


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def check_row_hashes(conn: Connection) -> list[str]:
    """Every row of every business table still has the hash of its stored values (db/rowhash.py):
    streamed table by table; each finding names the table, the village and the record."""
    from db.pgcursor import cursor_of
    from desktop_app.sync import control
    from desktop_app.sync.kinds import table_label

    driver = conn.connection.driver_connection
    cur, look = cursor_of(driver), cursor_of(driver)  # a file's or, on a PostgreSQL district, the server's
    problems: list[str] = []
    try:
        names = dict(look.execute("SELECT id, name FROM organisation"))
        paths = control.org_paths()
        for table in rowhash.hashed_tables():
            bad = 0
            for row_id, stored in rowhash.mismatches(cur, table):
                bad += 1
                if bad > 10:
                    continue
                label = _LOCAL_LABELS.get(table.name) or table_label(table.name)
                org, shown = "", _record_label(table)
                key = rowhash.key_columns(table)
                where, params = rowhash.key_where([f"a0.{k}" for k in key]), rowhash.key_params(key, row_id)
                path = paths.get(table.name)
                if path is not None:
                    found = look.execute(f'SELECT {path.expr} FROM "{table.name}" a0 {path.joins} WHERE {where}',
                                         params).fetchone()
                    org = f"“{names.get(found[0], found[0])}”的" if found and found[0] else ""
                what = ""
                if shown is not None:
                    column = _RECORD_WORDS.get(table.name) or f'"{shown}"'
                    value = look.execute(f'SELECT {column} FROM "{table.name}" a0 WHERE {where}', params).fetchone()
                    what = f"（{value[0]}）" if value and value[0] is not None else ""
                record = _record_key(row_id)
                reason = "没有行哈希（不是由本程序写入的）" if stored is None else "内容与其行哈希不符"
                problems.append(f"{label}（表 {table.name}）：{org}记录 {record}{what or ' '}{reason}：已被程序以外的方式修改")
            if bad > 10:
                problems.append(f"{table.name}：另有 {bad - 10} 条记录的内容与其行哈希不符，从略")
    finally:
        cur.close()
        look.close()
    return problems


def check_user_organisations(conn: Connection) -> list[str]:
    """Which organisations each user may work on (``app_user_org``) against the user's newest
    限定组织 audit entry, which ``set_user_organisations`` writes with the rows. A row inserted
    behind the program's back also fails its row hash; a row deleted — a user limited to one
    village widened to all of them — leaves nothing to hash, and only this finds it."""
    audit = AuditEntry.__table__
    recorded: dict[str, frozenset[str]] = {}
    for user, after in conn.execute(select(audit.c.entity_id, audit.c.after_json).where(
            audit.c.entity == "app_user", audit.c.action == "update",
            audit.c.after_json.like('%"organisations"%')).order_by(audit.c.n)):
        try:
            recorded[str(user)] = frozenset(str(uuid.UUID(o)) for o in json.loads(after)["organisations"])
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # not this kind of entry; the chain check vouches for the entry itself
    now: dict[str, set[str]] = defaultdict(set)
    for user_id, org_id in conn.execute(select(UserOrganisation.user_id, UserOrganisation.organisation_id)):
        now[str(user_id)].add(str(org_id))
    users = {str(i): n for i, n in conn.execute(select(User.id, User.username))}
    names = {str(i): n for i, n in conn.execute(select(Organisation.id, Organisation.name))}

    def shown(orgs: frozenset[str] | set[str]) -> str:
        return "、".join(sorted(names.get(o, o) for o in orgs)) if orgs else "全部组织"

    problems = []
    for user in sorted(set(recorded) | set(now)):
        was, have = recorded.get(user, frozenset()), now.get(user, set())
        if was != have:
            problems.append(f"用户可处理的组织（表 app_user_org）：用户 {users.get(user, user)} 按审计日志可处理“{shown(was)}”，"
                            f"现在却是“{shown(have)}”：已被程序以外的方式修改")
    return problems[:50]


def check_audit_anchors(conn: Connection) -> list[str]:
    """The audit chain against what outlives its tail in this file: what partners acknowledged
    receiving of it (``sync_partner_has.audit_n``), the audit entry of every package written
    (``sync_outbox``) and every sheet sealed (``sealed_document``, ``disclosure_record``), and
    the end of the chain each package carried (``sync_outbox.audit_n``/``audit_hash``); and the
    other way, the package rows the chain names."""
    problems = _check_outbox_heads(conn) + _check_package_rows(conn)
    head = conn.exec_driver_sql("SELECT last_n FROM audit_head WHERE id = 1").scalar() or 0
    last = conn.exec_driver_sql("SELECT max(n) FROM audit_entry").scalar() or 0
    acked = conn.exec_driver_sql("SELECT max(audit_n) FROM sync_partner_has WHERE origin IN "
                                 "(SELECT id FROM installation)").scalar() or 0
    if acked > max(head, last):
        problems.append(f"审计日志（表 audit_entry）：同步伙伴已确认收到本机审计日志至第 {acked} 条，"
                        f"但本机审计日志只到第 {max(head, last)} 条：审计日志的末尾已被删除")
    for sql, what in (
            ("SELECT o.file_name FROM sync_outbox o WHERE NOT EXISTS (SELECT 1 FROM audit_entry a "
             "WHERE a.entity_id = o.id AND a.entity = 'sync_outbox' AND a.action = 'sync_export')", "导出的同步包"),
            ("SELECT d.code FROM sealed_document d WHERE NOT EXISTS (SELECT 1 FROM audit_entry a "
             "WHERE a.entity_id IN (d.id, substr(d.id, 1, 8) || '-' || substr(d.id, 9, 4) || '-' || substr(d.id, 13, 4)"
             " || '-' || substr(d.id, 17, 4) || '-' || substr(d.id, 21)) AND a.entity = 'sealed_document') "
             "AND d.origin IN (SELECT id FROM installation)", "带校验码的文档"),
    ):
        missing = [r[0] for r in conn.exec_driver_sql(sql + " LIMIT 11")]
        for name in missing[:10]:
            problems.append(f"审计日志（表 audit_entry）：{what} {name} 的审计记录不存在：审计日志已被删改（截断或重写）")
    return problems


def _check_package_rows(conn: Connection) -> list[str]:
    """Every package the audit chain says was written or applied still has its row: a row hash
    cannot show a deleted row, and without its ``sync_inbox`` row a package could be applied
    again, without its ``sync_outbox`` row the head it carried is no longer held to."""
    from db.models import SyncInbox, SyncOutbox

    audit = AuditEntry.__table__
    problems: list[str] = []
    for action, ids, name, what in (("sync_export", SyncOutbox.id, "sync_outbox", "导出"),
                                    ("sync_import", SyncInbox.id, "sync_inbox", "导入")):
        held = {i.hex for i in conn.execute(select(ids)).scalars()}
        for package, summary in conn.execute(select(audit.c.entity_id, audit.c.summary).where(
                audit.c.action == action, audit.c.entity == name).order_by(audit.c.n)):
            if str(package) not in held:
                problems.append(f"{_LOCAL_LABELS[name]}（表 {name}）：审计日志记有“{summary}”，"
                                f"但这个{what}的同步包的记录已被删除：已被程序以外的方式修改")
    return problems[:20]


def _check_outbox_heads(conn: Connection) -> list[str]:
    """Each package written carried the chain up to its ``audit_n`` with ``audit_hash``; the
    partner holds that entry. The chain must still have it, with that hash: a missing entry is
    a trimmed tail, another hash a chain recomputed after the package left."""
    last = conn.exec_driver_sql("SELECT max(n) FROM audit_entry").scalar() or 0
    rows = conn.exec_driver_sql(
        "SELECT o.file_name, o.audit_n, o.audit_hash, p.name, a.hash FROM sync_outbox o "
        "LEFT JOIN sync_partner p ON p.origin = o.recipient LEFT JOIN audit_entry a ON a.n = o.audit_n "
        "WHERE o.audit_n > 0 AND (a.hash IS NULL OR a.hash <> o.audit_hash) "
        "ORDER BY o.audit_n, o.file_name").all()
    problems = []
    for file_name, n, sent, partner, held in rows[:10]:
        to = f"（发往{partner}）" if partner else ""
        if held is None:
            problems.append(f"审计日志（表 audit_entry）：同步包 {file_name}{to}发出时本机审计日志到第 {n} 条，"
                            f"现在只到第 {last} 条：审计日志的末尾在发出后被删除，与对方已收到的不再衔接")
        else:
            problems.append(f"审计日志（表 audit_entry）：同步包 {file_name}{to}发出时本机第 {n} 条审计记录的哈希为 "
                            f"{sent[:16]}…，现在为 {held[:16]}…：审计日志在发出后被改写（哈希链被重新计算），"
                            "与对方已收到的不再衔接")
    if len(rows) > 10:
        problems.append(f"另有 {len(rows) - 10} 个已导出的同步包所载的审计日志末尾与本机现有的不符，从略")
    return problems


def check_sync_partners(conn: Connection) -> list[str]:
    """The partners trusted here (``sync_partner``) against what names them: what each acknowledged
    (``sync_partner_has.partner``), the packages written for it (``sync_outbox.recipient``) and
    applied from it (``sync_inbox.sender``), a retired card's ``successor``, and every card the
    audit chain says ``trust_card`` registered (``sync_trust`` on ``sync_partner``). The program
    never deletes a card (a replaced one is retired and kept), so a card named there and missing
    was deleted behind its back: a row hash finds an edited row, never a deleted one."""
    from db.models import SyncInbox, SyncOutbox, SyncPartner, SyncPartnerHas

    held = {str(o) for o in conn.execute(select(SyncPartner.origin)).scalars()}
    named: dict[str, list[str]] = defaultdict(list)  # a card missing: what still names it
    audit = AuditEntry.__table__
    names: dict[str, str] = {}
    for entity_id, after in conn.execute(select(audit.c.entity_id, audit.c.after_json).where(
            audit.c.action == "sync_trust", audit.c.entity == "sync_partner").order_by(audit.c.n)):
        try:
            origin = str(uuid.UUID(str(entity_id)))
            name = json.loads(after).get("name") if after else None
        except (ValueError, TypeError, AttributeError):
            continue  # not this kind of entry; the chain check vouches for the entry itself
        if "审计日志记有其登记" not in named[origin]:
            named[origin].append("审计日志记有其登记")
        if isinstance(name, str):
            names[origin] = name
    for column, what in ((SyncPartnerHas.partner, "已确认收到的同步进度（表 sync_partner_has）"),
                         (SyncOutbox.recipient, "发给它的同步包（表 sync_outbox）"),
                         (SyncInbox.sender, "从它导入的同步包（表 sync_inbox）"),
                         (SyncPartner.successor, "被它接替的旧电脑的名片")):
        for o in conn.execute(select(column).distinct()).scalars():
            if o is not None:
                named[str(o)].append(f"有{what}")
    problems: list[str] = []
    for origin in sorted(set(named) - held):
        who = f"“{names[origin]}”（{origin}）" if origin in names else origin
        problems.append(f"{_LOCAL_LABELS['sync_partner']}（表 sync_partner）：同步对象 {who}，"
                        f"{'，'.join(named[origin])}，但其名片已不存在（程序从不删除名片，被替换的只停用）："
                        "已被程序以外的方式删除")
    return problems[:50]


def check_installation_keys(conn: Connection) -> list[str]:
    """Each key row's public halves are the ones its private halves give (Ed25519, X25519): the
    rows carry no row hash (random keys), but a public key changed alone is found here."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from db.models import InstallationKey

    problems: list[str] = []
    for origin, sign_private, sign_public, enc_private, enc_public in conn.execute(select(
            InstallationKey.origin, InstallationKey.sign_private, InstallationKey.sign_public,
            InstallationKey.enc_private, InstallationKey.enc_public).order_by(InstallationKey.origin)):
        wrong = []
        for what, private, public, make in (("签名", sign_private, sign_public, Ed25519PrivateKey),
                                            ("加密", enc_private, enc_public, X25519PrivateKey)):
            try:
                derived = make.from_private_bytes(bytes(private)).public_key().public_bytes(
                    Encoding.Raw, PublicFormat.Raw)
            except (ValueError, TypeError):
                wrong.append(f"{what}私钥无效")
                continue
            if bytes(public or b"") != derived:
                wrong.append(f"{what}公钥与私钥不配")
        if wrong:
            problems.append(f"本机密钥（表 installation_key）：来源 {origin} 的{'、'.join(wrong)}："
                            "已被程序以外的方式修改，本机签出的同步包将被对方拒收")
    return problems[:20]


CHECKS: list[tuple[str, Check]] = [
    ("数据库文件完整性", check_sqlite),
    ("外键一致性", check_foreign_keys),
    ("审计日志哈希链", check_audit_chain),
    ("变更日志连续并覆盖每条同步数据", check_change_log),
    ("每条业务数据与其行哈希一致", check_row_hashes),
    ("审计日志与其外部锚点一致", check_audit_anchors),
    ("用户可处理的组织与审计日志一致", check_user_organisations),
    ("已登记的同步对象与其引用及审计日志一致", check_sync_partners),
    ("本机密钥的公钥与私钥相配", check_installation_keys),
    ("已结账期间封存哈希", verify_period_seals),
    ("期间结账状态与审计日志一致", verify_period_status),
    ("科目汇总表与已记账分录一致", verify_account_totals),
    ("各村同步状态摘要与现有数据一致", check_village_digests),
]


@dataclass(frozen=True)
class CheckResult:
    name: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_database(conn: Connection) -> list[CheckResult]:
    """Every check's findings; a check that the file's damage stops is a finding too, never a crash."""
    results = []
    for name, check in CHECKS:
        try:
            problems = tuple(check(conn))
        except (DBAPIError, sqlite3.Error) as exc:  # the checks that read through the driver's cursor raise its own
            if conn.in_transaction():
                conn.rollback()
            problems = (f"检查时数据库报错，文件可能已损坏：{getattr(exc, 'orig', exc)}",)
        results.append(CheckResult(name, problems))
    return results
