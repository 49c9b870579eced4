"""Schema migrations (Alembic), run programmatically when a database is opened.

An existing database is copied with the backup API before it is upgraded; a database
written by a newer program is refused rather than touched.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, insert, inspect, select, text, update

from db import rowhash
from db.backup import write_backup
from db.engine import (
    Database,
    check_database_url,
    current_origin,
    is_database_url,
    make_engine,
    make_sessionmaker,
    make_url_engine,
    read_only_uri,
    safe_url,
)
from db.errors import DatabaseTooNew, IntegrityProblem
from db.keys import new_key_pairs
from db.models.installation import Installation
from db.models.sync import InstallationKey
from db.pgcursor import cursor_of
from db.types import utcnow

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The heads of db/migrations/versions, written down so that opening an up-to-date database
# needs neither Alembic's import nor its scan of every migration script (about 0.25 s of
# every start). tests/db/test_migrations.py fails until this equals Alembic's own answer.
SCHEMA_HEADS = frozenset({"k0001", "r0001", "v0001", "h0003", "s0004", "f0004", "m0002"})  # m0002 (no repeated organisation indexes) follows m0001; f0004 (the summaries by account) follows f0003; k0001 (bank), r0001 (receipt slips), v0001 (book settings) and h0002 (app_user_org's hash) follow h0001, which merges 0004 s0003 a0002 c0001 d0002 f0003 m0001 p0001 u0001; h0003 (the local tables' hashes) merges h0002 and b0001 (backup settings); s0004 (outbox audit head) follows s0003


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revisions() -> frozenset[str]:
    """Each area (funds, assets, contracts, members …) keeps its own branch off the base.
    Read from the migration scripts (``SCHEMA_HEADS`` is the copy used at start-up)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def head_revision() -> str:
    """A printable name of the schema version this program writes."""
    return "+".join(sorted(SCHEMA_HEADS))


def current_revisions(engine: Engine) -> frozenset[str]:
    """The revisions recorded in the database (Alembic's ``alembic_version`` table; none if absent)."""
    with engine.connect() as conn:
        if inspect(conn).has_table("alembic_version"):
            return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return frozenset()


def upgrade(engine: Engine, revision: str = "heads") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def open_database(
    path: Path | str,
    *,
    create: bool = True,
    backup_dir: Path | None = None,
    installation_name: str = "本机",
    work_dir: Path | None = None,
) -> Database:
    """Open (creating or upgrading as needed) a database file and return it ready to use.

    ``path`` may also be a server URL (``postgresql+psycopg://…``, a district database): the
    database must exist on the server (the server's owner creates it, README); its tables are
    created or upgraded here. ``work_dir`` is then the data folder (required)."""
    if is_database_url(path):
        return _open_server_database(str(path), create=create, installation_name=installation_name,
                                     work_dir=work_dir)
    path = Path(path)
    if path.is_dir():
        raise IntegrityProblem(f"{path} 是一个文件夹，不是数据库文件")
    existed = path.exists() and path.stat().st_size > 0
    if not existed and not create:
        raise IntegrityProblem(f"数据库文件不存在：{path}")
    if existed:
        check_database_file(path)  # before any pragma: a foreign file is not switched to WAL
    read_only = existed and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
    if not existed:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path, read_only=read_only)
    try:
        if read_only:
            if current_revisions(engine) != SCHEMA_HEADS:
                raise IntegrityProblem(f"数据库文件 {path} 是只读的，且需要升级到本程序的版本才能使用："
                                       "请取得该文件及其文件夹的写入权限后再打开")
        else:
            _ensure_schema(engine, path, existed, backup_dir or path.parent / "backups")
        sessions = make_sessionmaker(engine)
        with sessions() as s, s.begin():
            origin = current_origin(s)
            if origin is None:
                if read_only:
                    raise IntegrityProblem(f"数据库文件 {path} 是只读的，且还没有安装标识：请取得写入权限后再打开")
                origin = new_installation(s.connection(), installation_name, "install")
    except BaseException:
        engine.dispose()
        raise
    return Database(path=path, engine=engine, sessions=sessions, origin=origin, read_only=read_only)


def _open_server_database(url: str, *, create: bool, installation_name: str, work_dir: Path | None) -> Database:
    """``open_database`` for a PostgreSQL URL. The whole upgrade runs in one transaction (as on
    SQLite) so a failure leaves the old schema; there is no file to copy first: the server's own
    backups (pg_dump) are the district's, README."""
    try:
        check_database_url(url)
    except ValueError as exc:
        raise IntegrityProblem(str(exc)) from None
    if work_dir is None:
        raise IntegrityProblem(f"使用服务器数据库 {safe_url(url)} 时需要指定数据目录（用于附件、临时文件和备份）")
    engine = make_url_engine(url)
    try:
        current = current_revisions(engine)
        if not current:
            if inspect(engine).get_table_names():
                raise IntegrityProblem(f"数据库 {safe_url(url)} 中已有其他表，不是阳光台账的数据库（缺少版本信息），为避免损坏未使用。")
            if not create:
                raise IntegrityProblem(f"数据库 {safe_url(url)} 还没有初始化：请先运行 init --district … --db {safe_url(url)}")
        if current != SCHEMA_HEADS:
            unknown = current - _known_revisions()
            if unknown:
                raise DatabaseTooNew("此数据库由更新版本的阳光台账创建（数据库版本 "
                                     f"{'、'.join(sorted(unknown))}），本程序无法打开。请先升级阳光台账，再打开此数据库。")
            upgrade(engine)
        sessions = make_sessionmaker(engine)
        with sessions() as s, s.begin():
            origin = current_origin(s)
            if origin is None:
                origin = new_installation(s.connection(), installation_name, "install")
    except BaseException:
        engine.dispose()
        raise
    work_dir.mkdir(parents=True, exist_ok=True)
    label = work_dir / (engine.url.database or "postgresql")
    return Database(path=label, engine=engine, sessions=sessions, origin=origin, work_dir=work_dir)


SQLITE_HEADER = b"SQLite format 3\x00"


class DamagedDatabase(IntegrityProblem):
    """A file of SQLite's format that is truncated or cannot be read (``verify`` reports it, exit 3)."""


def check_database_file(path: Path) -> None:
    """Refuse (``IntegrityProblem``, Chinese) a file that is not a database of this program, or
    is damaged, or was written by a newer program — by reading it only: no pragma is set and
    nothing is written before this says yes (a foreign file stays as it was)."""
    with path.open("rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_HEADER):
        raise IntegrityProblem(f"文件 {path.name} 不是 SQLite 数据库文件（可能是其他类型的文件），为避免损坏未打开")
    if len(header) < 100 or path.stat().st_size < _size_in_header(header):
        raise DamagedDatabase(f"数据库文件 {path.name} 不完整（文件被截断），未打开。请从备份恢复")
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            versions = (set(r[0] for r in conn.execute("SELECT version_num FROM alembic_version"))
                        if "alembic_version" in tables else set())
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabase(f"数据库文件 {path.name} 已损坏，无法读取（{exc}）。请从备份恢复") from None
    if tables and "alembic_version" not in tables:
        raise IntegrityProblem(f"文件 {path.name} 不是阳光台账的数据库（缺少版本信息），为避免损坏未打开。")
    if versions != SCHEMA_HEADS and versions - _known_revisions():
        raise DatabaseTooNew("此数据库由更新版本的阳光台账创建（数据库版本 "
                             f"{'、'.join(sorted(versions - _known_revisions()))}），本程序无法打开。"
                             "请先升级阳光台账，再打开此文件。")


def _size_in_header(header: bytes) -> int:
    """The file size the header promises (pages x page size; 0 when the count is not valid)."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    counter, valid_for = header[24:28], header[92:96]
    return int.from_bytes(header[28:32], "big") * page_size if counter == valid_for else 0


def _known_revisions() -> frozenset[str]:
    """Every revision id of db/migrations/versions (file names start with the id)."""
    return frozenset(p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("*.py"))


def _ensure_schema(engine: Engine, path: Path, existed: bool, backup_dir: Path) -> None:
    current = current_revisions(engine) if existed else frozenset()
    if current == SCHEMA_HEADS:
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    if current:
        for rev in current:
            try:
                known = script.get_revision(rev) is not None
            except Exception:  # alembic raises several kinds for an unknown revision
                known = False
            if not known:
                raise DatabaseTooNew(
                    "此数据库由更新版本的阳光台账创建（数据库版本 "
                    f"{rev}），本程序无法打开。请先升级阳光台账，再打开此文件。"
                )
        write_backup(path, backup_dir, "upgrade")  # checked and catalogued like every automatic backup
    elif existed:
        _refuse_foreign_file(engine, path)
    upgrade(engine)


def _refuse_foreign_file(engine: Engine, path: Path) -> None:
    tables = set(inspect(engine).get_table_names())
    if tables:
        raise IntegrityProblem(f"文件 {path.name} 不是阳光台账的数据库（缺少版本信息），为避免损坏未打开。")


def new_installation(conn: Connection, name: str, reason: str) -> uuid.UUID:
    """Retire the current identity (if any) and create a fresh random origin id."""
    now = utcnow()
    current = list(conn.execute(select(Installation.id).where(Installation.retired_at.is_(None))).scalars())
    conn.execute(update(Installation).where(Installation.retired_at.is_(None)).values(retired_at=now))
    origin = uuid.uuid4()  # random, never derived from the file (SYNC.md §3.7)
    conn.execute(insert(Installation).values(id=origin, name=name, created_at=now, reason=reason))
    cur = cursor_of(conn.connection.driver_connection)  # the rows written carry their hashes (db/rowhash.py)
    try:
        rowhash.refresh_rows(cur, Installation.__table__, [*current, origin])  # type: ignore[arg-type]
    finally:
        cur.close()
    keys = new_key_pairs()  # new keys with every new identity: a restored backup signs as a new PC
    conn.execute(insert(InstallationKey).values(origin=origin, sign_private=keys.sign_private,
                                                sign_public=keys.sign_public, enc_private=keys.enc_private,
                                                enc_public=keys.enc_public))
    return origin
