"""Reading and applying a sync package (issue #12; DESIGN-NOTES 28–29).

``import_package``: decrypt to a temp file next to the database (streamed), check the manifest
signature against the trusted partner's key, every member's hash and the schema revisions, then
in ONE transaction: per origin in sequence order skip what is held and refuse a gap; upsert the
row images where (rev, origin) is higher, through the driver cursor (foreign keys deferred,
parents first); append the records to our change log under their own (origin, seq) and move
``sync_counter``; check and keep the sender's audit entries; rebuild the summaries of the
touched books; compare control totals and village digests when we now hold exactly the sender's
vector; max-merge the sender's acknowledgements; record the package and audit the import.
Any failure rolls everything back and raises ``PackageError`` naming what and where. A dry run
does all of it and rolls back (``read_package``).

The 同步导入前 backup (issue #19) belongs to the import RUN, not to each package: an
``ImportRun`` (one file, several, a stick's folder: ``sync.import_run``) copies the database once,
before the first package that will write (after its signature and "not yet imported" are
checked, inside its transaction, so the copy is the state before the run). The copy is made
under that transaction's write lock (``db.backup.copy_under_write_lock``, DESIGN-NOTES 85),
on the disk (fsynced) and opened as ours before anything is applied; its
``integrity_check`` and SHA-256 are deferred (``db.backup.verify_pending``: ``ImportRun.verify``
after the run, the 备份与恢复 page, the next start) and it is listed as 未校验 until then
(DESIGN-NOTES, h4).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db import rowhash
from db.audit import AuditRecord, record_audit
from db.backup import BackupEntry
from db.changelog import driver_cursor, paused_gc, session_origin
from db.engine import Database
from db.migrate import SCHEMA_HEADS
from db.models.sync import (
    InstallationKey,
    SyncInbox,
)
from db.pgcursor import Cursor, PgCursor, copy_insert, copy_upsert, errors
from db.types import utcnow
from desktop_app.sync import control, envelope, identity
from desktop_app.sync.apply_after import (
    BATCH,
    MONTHLY,
    VillageLine,
    check_audit,
    merge_acks,
    put_attachments,
    reconcile,
)
from desktop_app.sync.cards import LEVEL_TEXT, fingerprint
from desktop_app.sync.container import Container, file_sha256
from desktop_app.sync.errors import PackageError, PackageNotForMe

Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class ImportReport:
    package_id: uuid.UUID
    file_name: str
    sender_origin: uuid.UUID
    sender_name: str
    sender_level: str
    stream_seq: int
    created_at: str  # the sender's clock, display only
    new_records: int = 0
    held_records: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # table → rows carried
    rows_applied: int = 0
    villages: tuple[VillageLine, ...] = ()
    audit_new: int = 0
    attachments: int = 0
    compared: bool = False
    problems: tuple[str, ...] = ()
    dry_run: bool = False
    already_imported: bool = False
    message: str = ""

    @property
    def sender_level_text(self) -> str:
        return LEVEL_TEXT.get(self.sender_level, self.sender_level)


PackagePreview = ImportReport


class _Rollback(Exception):
    pass


@dataclass
class ImportRun:
    """One import run: the packages chosen together share one 同步导入前 backup, taken before the
    first of them that writes (none for a dry run, a package already imported, one refused at
    its signature or addressee, or a database on a server). ``verify`` finishes the backup's
    deferred check; call it when the run is over (the imports do not wait for it)."""

    backup: BackupEntry | None = None

    def ensure_backup(self, db: Database) -> None:
        """The run's backup, once; a copy that does not even open as ours stops the import."""
        if self.backup is None and db.is_file:  # inside the package's BEGIN IMMEDIATE, before its first write
            self.backup = pre_import_backup(db.path, write_locked=True)
        if self.backup is not None and self.backup.verified is False:
            raise PackageError(f"导入前的备份 {self.backup.path.name} 未通过检查（{'；'.join(self.backup.problems)}），"
                               "未导入任何数据。请运行 verify 检查数据库")

    def verify(self) -> BackupEntry | None:
        """The backup checked (``integrity_check``, opens as ours, SHA-256) and re-catalogued."""
        if self.backup is None or not self.backup.pending:
            return self.backup
        from db.backup import verify_pending

        done = verify_pending(self.backup.path.parent, only=self.backup.path)
        self.backup = done[0] if done else self.backup
        return self.backup


def pre_import_backup(db_path: Path, *, write_locked: bool = False) -> BackupEntry:
    """同步导入前: a copy of ``db_path`` in its backups folder, written and opened now, checked
    later (``ImportRun.verify``). Rotation never counts a copy not yet checked against the ones
    it keeps: the newest checked ones stay beside it. ``write_locked``: called inside the import's
    transaction before its first write (``ImportRun.ensure_backup``), so the files are copied
    (``db.backup.copy_under_write_lock``) instead of going through the backup API."""
    from db.backup import write_backup
    from desktop_app.core.services.backups import backups_folder, rotate

    folder = backups_folder(db_path)
    entry = write_backup(db_path, folder, "sync-import", verify=False, write_locked=write_locked)
    rotate(folder, of=db_path)
    return entry


def check_schema(schema: list[str]) -> None:
    """Refuse a package written by a newer program (a revision this program does not know)."""
    unknown = sorted(set(schema) - SCHEMA_HEADS)
    if not unknown:
        return
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    for rev in unknown:
        try:
            known = script.get_revision(rev) is not None
        except Exception:  # alembic raises several kinds for an unknown revision
            known = False
        if not known:
            raise PackageError(f"此同步包由更新版本的阳光台账生成（数据库版本 {rev}），请先升级本程序再导入")


def upgrade_rows(schema: list[str], table: str, columns: list[str]) -> tuple[list[str], Callable[[list[Any]], list[Any]]]:
    """Column names and a converter turning a row image written under ``schema`` into this
    program's form. Today every known revision's rows are taken as they are (a column this
    program added later takes its default); a later release that renames or splits a column
    adds its step here."""
    local = control.table_columns(table)
    if local is None:
        raise PackageError(f"同步包含有本程序不认识的数据表 {table}：请先升级本程序再导入")
    for c in columns:
        if c not in local:
            raise PackageError(f"同步包中数据表 {table} 含有本程序不认识的列 {c}：请先升级本程序再导入")
    if "id" not in columns or "rev" not in columns or "origin" not in columns:
        raise PackageError(f"同步包中数据表 {table} 的数据缺少标识列，包已损坏")
    return columns, _unchanged


def _unchanged(values: list[Any]) -> list[Any]:
    return values


def _newer(table: str) -> str:
    """When a row image replaces the row held: a higher (rev, origin)."""
    return f'excluded.rev > "{table}".rev OR (excluded.rev = "{table}".rev AND excluded.origin > "{table}".origin)'


def _insert_sql(table: str, columns: list[str]) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(columns))})'


def _upsert_sql(table: str, columns: list[str]) -> str:
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != "id")
    return f"{_insert_sql(table, columns)} ON CONFLICT(id) DO UPDATE SET {sets} WHERE {_newer(table)}"


def read_package(db: Database, file: Path) -> PackagePreview:
    """Decrypt, verify and apply in a transaction that is rolled back: what an import would do.
    A refusal found while applying is reported in ``problems``; one found before (not decryptable,
    unknown signer, damaged) is raised."""
    return import_package(db, file, actor="system", dry_run=True, _collect=True)


def import_package(db: Database, file: Path, *, actor: str, dry_run: bool = False,
                   progress: Progress | None = None, data_dir: Path | None = None,
                   run: ImportRun | None = None, _collect: bool = False) -> ImportReport:
    """Apply a package in one transaction (see the module docstring); raises ``PackageError``.
    ``run``: the import run it belongs to (its backup is shared, its check left to the run's
    owner); without one, a run of its own whose backup is checked once the import is over."""
    file = Path(file)
    if not file.is_file():
        raise PackageError(f"找不到同步包文件：{file}")
    if not envelope.is_package(file):
        raise PackageError(envelope.NOT_A_PACKAGE)
    attachments_dir = Path(data_dir) / "attachments" if data_dir is not None else db.path.parent / "attachments"
    for left in db.path.parent.glob(".sync-import-*.tmp"):  # decrypted by an import that was killed
        left.unlink(missing_ok=True)
    tmp = db.path.parent / f".sync-import-{uuid.uuid4().hex}.tmp"
    try:
        with db.read(actor) as s:
            private = _private_key(s, envelope.recipient_fingerprint(file))
        envelope.open_to_file(file, tmp, private)
        own = run is None
        this_run = ImportRun() if run is None else run
        try:
            with Container(tmp) as c:
                return _import(db, c, file, actor=actor, dry_run=dry_run, progress=progress,
                               attachments_dir=attachments_dir, collect=_collect,
                               before_write=lambda: this_run.ensure_backup(db))
        finally:
            if own:  # a run of its own: its backup checked now, after the import
                this_run.verify()
    finally:
        tmp.unlink(missing_ok=True)


def _private_key(s: Session, wanted: str) -> bytes:
    """The encryption key the package was sealed for: ours (current origin first, then earlier ones)."""
    keys = identity.my_keys(s)
    if envelope.key_fingerprint(keys.enc_public) == wanted:
        return keys.enc_private
    for k in s.scalars(select(InstallationKey)):
        if envelope.key_fingerprint(k.enc_public) == wanted:
            return k.enc_private
    raise PackageNotForMe(_not_for_me(s, wanted))


def _not_for_me(s: Session, wanted: str) -> str:
    """Who the package is for, in the words of the cards (names and the digit fingerprints read
    over the phone), never the raw key hashes."""
    mine = identity.my_card(s)[0].fingerprint
    for p in identity.partners(s):
        if envelope.key_fingerprint(p.enc_public) == wanted:
            return (f"此同步包不是发给本机的：它是发给{p.level_text}“{p.name}”（指纹 {p.fingerprint}）的，"
                    f"本机指纹为 {mine}。请把它交给{p.name}导入；若是本机导出给对方的包，本机无需导入")
    return (f"此同步包不是发给本机的（本机指纹 {mine}），也不是发给本机登记过的任何对象：请确认选的是发给本机的"
            "同步包，或请对方先登记本机的名片再重新导出")


def _verify(s: Session, c: Container) -> tuple[dict[str, Any], identity.PartnerRow]:
    m = c.manifest
    try:
        sender = m["sender"]
        origin = uuid.UUID(hex=sender["origin"])
        recipient = uuid.UUID(hex=m["recipient"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PackageError("同步包的清单不完整，包已损坏") from exc
    p = identity.partner(s, origin)
    if p is None:
        try:
            fp = fingerprint(origin, uuid.UUID(hex=sender["site_id"]), bytes.fromhex(sender["sign_public"]),
                             bytes.fromhex(sender["enc_public"]))
        except (KeyError, TypeError, ValueError):
            fp = "未知"
        raise PackageError(f"此同步包的发送方未被信任（{sender.get('name', '')}，指纹 {fp}），"
                           "请先用 sync trust 登记对方的身份卡")
    c.verify_signature(p.sign_public)
    mine = {k for k in s.scalars(select(InstallationKey.origin))}
    if recipient not in mine:
        raise PackageError(f"此同步包是 {p.name} 发给另一台电脑的（接收方 {recipient.hex[:8]}…），不能在本机导入")
    c.check_members()
    check_schema(list(m.get("schema") or []))
    return m, p


@contextmanager
def _transaction(db: Database, actor: str, dry_run: bool) -> Iterator[Session]:
    s = db.session(actor)
    try:
        s.begin()
        s.info["sync_apply"] = True
        yield s
        if dry_run:
            s.rollback()
        else:
            try:
                s.commit()
            except DBAPIError as exc:
                raise PackageError("同步包中的数据引用了本机没有的记录（外键不符），已全部撤销。"
                                   "请先导入对方更早的同步包") from exc
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def _import(db: Database, c: Container, file: Path, *, actor: str, dry_run: bool, progress: Progress | None,
            attachments_dir: Path, collect: bool, before_write: Callable[[], None]) -> ImportReport:
    problems: list[str] = []
    report: ImportReport | None = None
    try:
        with _transaction(db, actor, dry_run) as s:
            m, p = _verify(s, c)
            base = dict(package_id=uuid.UUID(hex=m["package_id"]), file_name=file.name, sender_origin=p.origin,
                        sender_name=p.name, sender_level=p.level, stream_seq=int(m["stream_seq"]),
                        created_at=str(m.get("created_at", "")), dry_run=dry_run)
            done = s.get(SyncInbox, base["package_id"])
            if done is not None:
                when = done.imported_at.astimezone().strftime("%Y-%m-%d %H:%M")
                return ImportReport(**base, already_imported=True,  # type: ignore[arg-type]
                                    message=f"此包已于 {when} 导入，无需重复导入")
            if not dry_run:  # 同步导入前 (issue #19): the run's copy, of the state our transaction has not changed yet
                before_write()
            try:
                report = _apply(s, c, m, p, file, base, progress, attachments_dir, dry_run)
            except PackageError as exc:
                if not collect:
                    raise
                problems.append(str(exc))
                report = ImportReport(**base, problems=tuple(problems))  # type: ignore[arg-type]
                raise _Rollback from exc
    except _Rollback:
        pass
    assert report is not None
    return report


class Record(msgspec.Struct, tag_field="k", tag="c", gc=False):
    """A change record of ``changes.jsonl`` (what the sender logged, under its origin and seq)."""

    o: str
    s: int
    t: str
    id: str
    op: str
    rev: int
    p: int


class Row(msgspec.Struct, tag_field="k", tag="r", gc=False):
    """A row image of ``changes.jsonl``: a table's row as stored, in the manifest's column order."""

    t: str
    v: list[Any]


OPS = frozenset(("insert", "update", "delete"))
LOG_COLUMNS = ("origin", "seq", "table_name", "row_id", "op", "rev", "prev_rev")
_log_row = attrgetter("o", "s", "t", "id", "op", "rev", "p")  # a record as change_log's row, built in C
_table_of, _op_of, _seq_of = attrgetter("t"), attrgetter("op"), attrgetter("s")
_decode_changes = msgspec.json.Decoder(list[Record | Row]).decode


def _changes(c: Container) -> Iterator[list[Record | Row]]:
    """``changes.jsonl``'s lines, a block of about 1 MiB at a time, decoded and type-checked in C."""
    for block in c.iter_json_arrays("changes.jsonl.zst"):
        try:
            yield _decode_changes(block)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise PackageError("同步包的变更数据无法解析，包已损坏") from exc


class _Applier:
    """The record and row streams of ``changes.jsonl`` written through the driver cursor, a
    block at a time: the records of a block checked as runs per origin, the rows upserted per
    table with one statement per batch noting the revs they replace. Rows where none was held
    (every row of a table empty when the package started, which are plainly inserted: a row
    sent twice is a damaged package; a batch of which no row existed) are counted from their
    decoded values (``control.NewRows``: digest shares, villages, months) instead of noted and
    read back."""

    def __init__(self, cur: Cursor, m: dict[str, Any], p: identity.PartnerRow, me: set[str],
                 tick: Callable[[int], None]) -> None:
        self.cur, self.m, self.p, self.me, self.tick = cur, m, p, me, tick
        self.held = dict(cur.execute("SELECT origin, last_seq FROM sync_counter"))
        self.moved: dict[str, int] = {}
        self.new = self.skipped = self.applied = 0
        self.counts: dict[str, int] = {}
        self.tables = {t.name for t in control.syncable_tables()}
        self.sql: dict[str, tuple[str, Callable[[list[Any]], list[Any]], int]] = {}
        self.cols: dict[str, list[str]] = {}
        self.rehash: dict[str, list[str]] = {}  # table → its hash columns, when the sender's row_hash cannot stand
        self.fresh: dict[str, bool] = {}  # table → it held no row when the package started
        self.new_rows = control.NewRows(cur)
        self.months: set[tuple[str, str]] = set()  # (book, period) of new vouchers and lines
        self.schema = list(m.get("schema") or [])
        self.columns: dict[str, list[str]] = m.get("columns") or {}

    def block(self, objs: list[Record | Row]) -> None:
        records = [o for o in objs if type(o) is Record]
        if records:
            for origin, run in groupby(records, key=attrgetter("o")):
                self.records(origin, list(run))
        if len(records) < len(objs):
            for table, rows in groupby([o for o in objs if type(o) is Row], key=attrgetter("t")):
                values = [r.v for r in rows]
                for i in range(0, len(values), BATCH):
                    self.rows(table, values[i:i + BATCH])

    def records(self, origin: str, run: list[Record]) -> None:
        """A run of one origin's records: those held skipped, a gap refused, the rest appended."""
        if not set(map(_table_of, run)) <= self.tables or not set(map(_op_of, run)) <= OPS:
            raise PackageError(f"同步包中有无法识别的变更记录（表 {run[0].t}），包已损坏")
        have, first = self.held.get(origin, 0), run[0].s
        if list(map(_seq_of, run)) != list(range(first, first + len(run))):  # not one ascending run: one by one
            for r in run:
                self.records(origin, [r])
            return
        held = min(max(have - first + 1, 0), len(run))
        self.skipped += held
        new = run[held:]
        if not new:
            return
        seq = new[0].s
        if seq != have + 1:
            raise PackageError(
                f"缺少来自{LEVEL_TEXT.get(self.p.level, '')}“{self.p.name}”的变更记录：来源 {origin[:8]}… 的第 "
                f"{have + 1}–{seq - 1} 号尚未导入。请先导入对方更早的同步包（或请对方重新导出，新包会补发未确认的记录）")
        if origin in self.me:
            raise PackageError(f"同步包含有本机自己尚未产生的变更记录（来源 {origin[:8]}… 第 {seq} 号），包来历不明，已拒绝")
        self.held[origin] = self.moved[origin] = new[-1].s
        log = list(map(_log_row, new))
        if isinstance(self.cur, PgCursor):  # new (origin, seq) only (checked above): COPY straight in
            copy_insert(self.cur, "change_log", LOG_COLUMNS, log)
        else:
            self.cur.executemany(f"INSERT INTO change_log ({', '.join(LOG_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)", log)
        self.new += len(new)
        self.tick(len(new))

    def rows(self, table: str, values: list[list[Any]]) -> None:
        """Upsert one table's rows, keeping the revs they replace (``control.ROWS_BEFORE``) and, for
        vouchers and lines, the months they leave (``temp.sync_months``)."""
        if table not in self.sql:
            if table not in self.tables:
                raise PackageError(f"同步包含有不可同步的数据表 {table}，包已损坏")
            cols, convert = upgrade_rows(self.schema, table, list(self.columns.get(table) or []))
            self.sql[table] = (_upsert_sql(table, cols), convert, cols.index("id"))
            self.cols[table] = cols
            if rowhash.COLUMN in (local := control.table_columns(table) or frozenset()) and set(cols) != local:
                self.rehash[table] = rowhash.hash_columns(local)  # an older (or newer) row shape: hash ours
            self.fresh[table] = self.cur.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is None
        sql, convert, id_at = self.sql[table]
        cols, fresh = self.cols[table], self.fresh[table]
        try:
            id_list = list(map(itemgetter(id_at), values))
            ids = "" if fresh else json.dumps(id_list)
            rows = values if convert is _unchanged else [convert(v) for v in values]
        except (IndexError, TypeError, ValueError) as exc:
            raise PackageError("同步包的变更数据无法解析，包已损坏") from exc
        held = not fresh and control.note_rows_before(self.cur, table, ids)
        if held and table in MONTHLY:
            self.cur.execute(f'INSERT OR IGNORE INTO temp.sync_months SELECT book_id, period FROM "{table}" '
                             "WHERE id IN (SELECT value FROM json_each(?))", (ids,))
        try:
            if isinstance(self.cur, PgCursor):  # COPY into a staging table, one upsert (bench/bench_sync.py --pg)
                if fresh:
                    copy_insert(self.cur, table, cols, rows)
                    self.applied += len(rows)
                else:
                    self.applied += copy_upsert(self.cur, table, cols, rows, _newer(table))
            elif fresh:
                self.cur.executemany(_insert_sql(table, cols), rows)
                self.applied += len(rows)
            else:
                self.cur.executemany(sql, rows)
                self.applied += max(self.cur.rowcount, 0)
        except errors() as exc:
            raise PackageError(f"数据表 {table} 的数据无法写入本机数据库（{exc}），已全部撤销") from exc
        if table in self.rehash:
            rowhash.refresh(self.cur, table, self.rehash[table], id_list)
        if (fresh or (not held and len(set(id_list)) == len(id_list))) and self.new_rows.add(table, cols, rows):
            if table in MONTHLY:
                self.months.update(map(itemgetter(cols.index("book_id"), cols.index("period")), rows))
        else:
            control.note_rows_new(self.cur, table, ids or json.dumps(id_list))
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        self.tick(len(rows))

    def finish(self) -> None:
        for origin, seq in self.moved.items():
            self.cur.execute("INSERT INTO sync_counter (origin, last_seq) VALUES (?, ?) ON CONFLICT(origin) "
                             "DO UPDATE SET last_seq = excluded.last_seq WHERE excluded.last_seq > sync_counter.last_seq",
                             (origin, seq))


def _apply(s: Session, c: Container, m: dict[str, Any], p: identity.PartnerRow, file: Path, base: dict[str, Any],
           progress: Progress | None, attachments_dir: Path, dry_run: bool) -> ImportReport:
    total = int(m.get("records", 0)) + sum(int(v) for v in (m.get("counts") or {}).values())
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None and not progress(min(done, total), total + 1):
            raise PackageError("已取消导入，本机数据未作任何改动")

    cur = driver_cursor(s)
    try:
        cur.execute("PRAGMA defer_foreign_keys=ON")
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS sync_months (book_id TEXT NOT NULL, period TEXT NOT NULL, "
                    "PRIMARY KEY (book_id, period)) WITHOUT ROWID")
        cur.execute("DELETE FROM temp.sync_months")
        me = {session_origin(s).hex}  # earlier origins of this file are other PCs' now: they may come back
        control.start_row_deltas(cur)
        a = _Applier(cur, m, p, me, tick)
        with paused_gc():  # the decoded rows hold no cycles: no collector passes over them
            for objs in _changes(c):
                a.block(objs)
        a.finish()
        control.apply_row_deltas(cur, a.new_rows)
        if os.environ.get("SUNSHINE_LEDGER_SYNC_FAULT") == "mid-apply":  # fault injection (tests/sync/test_faults.py)
            os._exit(70)
        audit_new = check_audit(s, c, p, m)
        n_files = put_attachments(c, cur, attachments_dir, dry_run)
        villages, compared = reconcile(s, cur, c, m, p, a.months, a.new_rows)
        merge_acks(cur, p.origin, m)
        cur.execute(f"DELETE FROM {control.ROWS_BEFORE}")
        cur.execute("DELETE FROM temp.sync_months")
    finally:
        cur.close()
    if a.new == 0 and a.applied == 0:
        message = f"此包中的变更本机均已持有（{a.skipped} 条），没有需要导入的内容；已记录对方的确认信息"
    else:
        message = (f"已导入{LEVEL_TEXT.get(p.level, '')}“{p.name}”的同步包：新变更 {a.new} 条，已持有 {a.skipped} 条，"
                   f"更新数据 {a.applied} 行" + ("，对账一致" if compared else ""))
    report = ImportReport(**base, new_records=a.new, held_records=a.skipped, rows=dict(a.counts),
                          rows_applied=a.applied, villages=villages, audit_new=audit_new, attachments=n_files,
                          compared=compared, message=message)
    ranges = m.get("ranges") or {}
    s.add(SyncInbox(id=base["package_id"], sender=p.origin, stream_seq=base["stream_seq"], file_name=file.name[:200],
                    sha256=file_sha256(file)[0], changes=a.new, ranges_json=json.dumps(ranges),
                    report_json=json.dumps(_report_json(report), ensure_ascii=False),
                    created_at=_parse_time(base["created_at"]), imported_by=str(s.info.get("actor") or "system")))
    record_audit(s, AuditRecord("sync_import", "sync_inbox", base["package_id"].hex,
                                f"导入同步包 {file.name}（来自 {p.name}，新变更 {a.new} 条，已持有 {a.skipped} 条）"[:300]))
    s.flush()
    return report


def _parse_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return utcnow()


def _report_json(r: ImportReport) -> dict[str, Any]:
    return {"new_records": r.new_records, "held_records": r.held_records, "rows": r.rows,
            "rows_applied": r.rows_applied, "audit_new": r.audit_new, "attachments": r.attachments,
            "compared": r.compared, "villages": [
                {"organisation_id": v.organisation_id, "name": v.name, "rows": v.rows, "totals": v.totals,
                 "totals_matched": v.totals_matched, "digest_matched": v.digest_matched} for v in r.villages]}
