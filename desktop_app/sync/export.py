"""Writing a sync package for one partner (issue #12; /tmp design "USB sync", DESIGN-NOTES 28–29).

A package from A to B carries, for every origin A forwards to B, the change records B has not
acknowledged (``sync_partner_has``) up to A's counter, the CURRENT image of every row those
records name (several changes of a row travel as its latest state), A's vector (the ack), the
audit entries B has not acknowledged (from the last acknowledged one, which anchors the chain),
control totals of the books and state digests of the villages the rows belong to, and the
attachment files of the attachment rows carried.

Everything is read in one transaction (a consistent snapshot; the write lock keeps the stream
number unique) through the driver cursor and streamed into zstd members; the archive is signed,
sealed for the recipient into a temp file in the target folder, fsynced, renamed, read back and
re-hashed, copied to ``<data dir>/sync/outbox/``, and only then is the ``sync_outbox`` row
committed, with the end of our audit chain as the package carried it (``audit_n``/``audit_hash``:
``verify`` holds the chain to it). Nothing here moves an acknowledgement: only the partner's own package does.

Beyond the shared design: the manifest's ``sender`` also names its public keys (so a refusal of
an untrusted signer can print the card fingerprint to compare), and ``records`` /
``audit_entries`` counts; the audit slice starts AT the last acknowledged entry (the anchor the
receiver checks the rest against, so a history rewritten after it was acknowledged is seen).
No file is written (``nothing_to_send``) when there are no records, no audit entries but sync's
own bookkeeping, and no acknowledgement due for a package with new records from the partner.
Cost: proportional to the package. The village digests are maintained (control.refresh_digests:
brought up to date from the change-log records after the vector they cover), no longer read
from every row of the villages a package touches.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
from sqlalchemy import LargeBinary
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.backup import fsync_dir
from db.changelog import driver_cursor
from db.engine import Database
from db.migrate import SCHEMA_HEADS
from db.pgcursor import Cursor
from db.types import utcnow
from desktop_app.core.errors import UserError
from desktop_app.sync import control, envelope, identity
from desktop_app.sync.container import FORMAT, SUITE, JsonlWriter, file_sha256, write_container
from desktop_app.sync.errors import PackageError

Progress = Callable[[int, int], bool]
IDS = "temp.sync_ids"
EXTENSION = ".slsync"
CANCELLED = "已取消导出，未写出任何文件"


@dataclass(frozen=True)
class ExportResult:
    path: Path | None  # None: nothing to send
    package_id: uuid.UUID | None
    stream_seq: int
    changes: int  # change records carried
    rows: int  # row images carried
    size: int
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # origin hex → (first, last)
    audit_entries: int = 0
    attachments: int = 0
    nothing_to_send: bool = False
    message: str = ""


class _HashingWriter:
    """A file that hashes what is written to it."""

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.h, self.size = f, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.h.update(data)
        self.size += len(data)
        return self.f.write(data)


def safe_name(text: str) -> str:
    """A name usable in a file name on Windows, FAT32 sticks and elsewhere."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', "_", text).strip("._") or "未命名"
    return cleaned[:40]


def package_file_name(sender: str, recipient: str, when: str, stream_seq: int) -> str:
    return f"阳光台账_{safe_name(sender)}_至_{safe_name(recipient)}_{when}_{stream_seq:04d}{EXTENSION}"


def forwarded_origins(cur: Cursor, level: str, me: uuid.UUID, partner_site: uuid.UUID) -> list[str]:
    """The origins a package to this partner carries records of (SYNC design, "which origins").

    A township forwards every origin in its log (its own, earlier PCs', a restored backup's).
    The district forwards only that township site's origins (a successor gets its retired PC's
    late records) and its own: never another township's data."""
    held = [r[0] for r in cur.execute("SELECT origin FROM sync_counter ORDER BY origin")]
    if level != "district":
        return held
    site = {r[0] for r in cur.execute("SELECT origin FROM sync_partner WHERE site_id = ?", (partner_site.hex,))}
    site.add(me.hex)
    return [o for o in held if o in site]


def _acked(cur: Cursor, partner: uuid.UUID) -> dict[str, tuple[int, int]]:
    return {o: (s, a) for o, s, a in cur.execute(
        "SELECT origin, seq, audit_n FROM sync_partner_has WHERE partner = ?", (partner.hex,))}


def _ack_origins(cur: Cursor, level: str, me: uuid.UUID, partner_site: uuid.UUID,
                 forwarded: list[str]) -> set[str]:
    """Origins whose positions the package reports (our vector, the partner's ack)."""
    if level != "district":
        return {r[0] for r in cur.execute("SELECT origin FROM sync_counter")} | {me.hex}
    site = {r[0] for r in cur.execute("SELECT origin FROM sync_partner WHERE site_id = ?", (partner_site.hex,))}
    return site | set(forwarded) | {me.hex}


def _audit_vector(cur: Cursor, me: uuid.UUID, origins: set[str]) -> dict[str, int]:
    head = cur.execute("SELECT last_n FROM audit_head WHERE id = 1").fetchone()
    vec = {o: n for o, n in cur.execute("SELECT origin, MAX(n) FROM received_audit GROUP BY origin") if o in origins}
    vec[me.hex] = int(head[0]) if head else 0
    return vec


def _write_records(cur: Cursor, out: JsonlWriter, ranges: dict[str, tuple[int, int]],
                   tick: Callable[[int], None]) -> int:
    n = 0
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS sync_ids (t TEXT NOT NULL, id TEXT NOT NULL, "
                "PRIMARY KEY (t, id)) WITHOUT ROWID")
    cur.execute(f"DELETE FROM {IDS}")
    fmt = '{"k":"c","o":"%s","s":%d,"t":"%s","id":"%s","op":"%s","rev":%d,"p":%d}'
    for origin, (first, last) in ranges.items():
        cur.execute(f"INSERT OR IGNORE INTO {IDS} SELECT table_name, row_id FROM change_log "
                    "WHERE origin = ? AND seq BETWEEN ? AND ?", (origin, first, last))
        rows = cur.execute("SELECT origin, seq, table_name, row_id, op, rev, prev_rev FROM change_log "
                           "WHERE origin = ? AND seq BETWEEN ? AND ? ORDER BY seq", (origin, first, last))
        while batch := rows.fetchmany(10000):
            out.write_many([fmt % r for r in batch])
            n += len(batch)
            tick(len(batch))
    return n


def _write_rows(cur: Cursor, out: JsonlWriter, tick: Callable[[int], None]
                ) -> tuple[dict[str, list[str]], dict[str, int], list[tuple[str, str]]]:
    """Current images of the named rows, table by table parents first. Returns the column
    order per table, rows per table, and (sha256, stored name) of attachment rows carried."""
    present = {r[0] for r in cur.execute(f"SELECT DISTINCT t FROM {IDS}")}
    columns: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    files: list[tuple[str, str]] = []
    for table in control.syncable_tables():
        name = table.name
        if name not in present:
            continue
        rows = cur.execute(f'SELECT * FROM "{name}" WHERE id IN (SELECT id FROM {IDS} WHERE t = ?)', (name,))
        cols = [d[0] for d in rows.description]
        columns[name] = cols
        encode = _row_lines(name, any(isinstance(c.type, LargeBinary) for c in table.columns))
        is_attachment = name in ("asset_attachment", "contract_attachment")
        if is_attachment:
            sha_at, del_at = cols.index("sha256"), cols.index("deleted")
            stored_at = cols.index("stored_name") if "stored_name" in cols else None
        count = 0
        while batch := rows.fetchmany(5000):
            out.write_encoded(encode(batch), len(batch))
            count += len(batch)
            tick(len(batch))
            if is_attachment:
                files.extend((r[sha_at], r[stored_at] if stored_at is not None else "") for r in batch if not r[del_at])
        counts[name] = count
    return columns, counts, files


_encode_lines = msgspec.json.Encoder().encode_lines


def _row_lines(table: str, has_bytes: bool) -> Callable[[list[Any]], bytes]:
    """A batch of a table's rows as ``{"k":"r","t":table,"v":[…]}`` lines (UTF-8, newline after
    each): msgspec writes the rows as JSON arrays one a line in C, and the prefix and closing
    brace go in with one bytes replace (a JSON text holds no raw newline: one inside a value is
    written ``\\n``). Strings, integers and nulls come out as the bytes of ``json.dumps(…,
    ensure_ascii=False, separators=(",", ":"))`` (a float, which no synced column holds, may be
    spelled differently: the same value). A table with a binary column (none is synced today)
    keeps the stdlib encoder, which refuses bytes rather than writing them as base64 text."""
    prefix = f'{{"k":"r","t":"{table}","v":'.encode()
    if has_bytes:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
        return lambda batch: "".join(f"{prefix.decode()}{dumps(r)}}}\n" for r in batch).encode()
    between = b"}\n" + prefix

    def encode(batch: list[Any]) -> bytes:
        body = _encode_lines(batch)
        return prefix + body[:-1].replace(b"\n", between) + b"}\n"

    return encode


def _find_attachment(folder: Path, sha: str, stored: str) -> Path | None:
    """The content file of an attachment row, if present and intact."""
    candidates = [folder / stored] if stored else []
    sub = folder / sha[:2]
    if sub.is_dir():
        candidates += sorted(p for p in sub.iterdir() if p.name.startswith(sha))
    for path in candidates:
        if path.is_file() and file_sha256(path)[0] == sha:
            return path
    return None


def _write_audit(cur: Cursor, out: JsonlWriter, from_n: int) -> int:
    """Our audit entries from ``from_n`` on (before/after images too: the receiver recomputes each
    hash), read through the driver cursor and written by msgspec in C, a batch at a time. ``at``
    is written as the ORM reads it (``UtcDateTime``: the stored naive UTC time made aware, in ISO
    form), the text the receiver hashes."""
    n = 0
    rows = cur.execute("SELECT n, at, actor, action, entity, entity_id, summary, before_json, after_json, "
                       "prev_hash, hash FROM audit_entry WHERE n >= ? ORDER BY n", (from_n,))
    while batch := rows.fetchmany(2000):
        out.write_encoded(_encode_lines([
            {"n": r[0], "at": _aware_iso(r[1]), "actor": r[2], "action": r[3], "entity": r[4], "entity_id": r[5],
             "summary": r[6], "before": r[7], "after": r[8], "prev": r[9], "hash": r[10]} for r in batch]), len(batch))
        n += len(batch)
    return n


def _aware_iso(value: str | datetime) -> str:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return at.replace(tzinfo=UTC).isoformat()


def _seal_to(inner: Path, to_dir: Path, name: str, recipient_public: bytes) -> tuple[Path, str, int]:
    """Seal into a temp file in the target folder, fsync, rename, read back and re-hash."""
    final = to_dir / name
    tmp = to_dir / f".{name}.{uuid.uuid4().hex[:8]}.part"
    try:
        with open(inner, "rb") as src, open(tmp, "xb") as raw:
            w = _HashingWriter(raw)
            envelope.seal(src, w, recipient_public)  # type: ignore[arg-type]
            raw.flush()
            os.fsync(raw.fileno())
        if os.environ.get("SUNSHINE_LEDGER_SYNC_FAULT") == "before-rename":  # fault injection (tests/sync/test_faults.py)
            os._exit(70)
        os.replace(tmp, final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"无法写入同步包到 {to_dir}：{exc.strerror or exc}。请检查U盘是否已满或写保护") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(to_dir)
    digest, size = file_sha256(final)
    if digest != w.h.hexdigest() or size != w.size:
        final.unlink(missing_ok=True)
        raise UserError(f"写入U盘后读回的同步包与写出的不一致（U盘可能有坏块）：{final.name} 已删除，请换一个U盘重试")
    return final, digest, size


def _keep_copy(final: Path, data_dir: Path) -> Path:
    outbox = data_dir / "sync" / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    copy = outbox / final.name
    tmp = outbox / f".{final.name}.part"
    shutil.copyfile(final, tmp)
    os.replace(tmp, copy)
    return copy


def _ack_pending(cur: Cursor, partner: uuid.UUID) -> bool:
    """Whether a package from this partner with new records was applied since our last package to it
    (its ack is due)."""
    last = cur.execute("SELECT MAX(created_at) FROM sync_outbox WHERE recipient = ?", (partner.hex,)).fetchone()[0]
    if last is None:
        return True
    return cur.execute("SELECT 1 FROM sync_inbox WHERE sender = ? AND imported_at > ? AND changes > 0 LIMIT 1",
                       (partner.hex, last)).fetchone() is not None


def clear_leftovers(to_dir: Path, work_root: Path) -> None:
    """What an export killed before it finished left: its ``.part`` on the stick (never a
    final-named file) and its unencrypted work folder."""
    for part in to_dir.glob(".阳光台账_*.part"):
        part.unlink(missing_ok=True)
    for old in work_root.glob("export-*"):
        shutil.rmtree(old, ignore_errors=True)


def export_package(db: Database, partner: uuid.UUID, to_dir: Path, *, actor: str, data_dir: Path,
                   progress: Progress | None = None) -> ExportResult:
    """Write one package for ``partner`` into ``to_dir`` (see the module docstring)."""
    to_dir, data_dir = Path(to_dir), Path(data_dir)
    if not to_dir.is_dir():
        raise UserError(f"目标文件夹不存在：{to_dir}（请插入U盘并选择它）")
    work_root = data_dir / "sync" / "tmp"
    work_root.mkdir(parents=True, exist_ok=True)
    clear_leftovers(to_dir, work_root)
    work = Path(tempfile.mkdtemp(prefix="export-", dir=work_root))
    try:
        with db.begin(actor) as s:
            return _export(s, db.origin, partner, to_dir, data_dir, work, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _export(s: Session, me: uuid.UUID, partner: uuid.UUID, to_dir: Path, data_dir: Path, work: Path,
            progress: Progress | None) -> ExportResult:
    site, keys, p = identity.site(s), identity.my_keys(s), identity.partner(s, partner)
    if p is None:
        raise PackageError("尚未登记此同步对象的身份卡，请先用 sync trust 登记")
    if p.retired_at is not None:
        raise PackageError(f"{p.name} 的这台电脑已被新电脑接替，请向接替它的电脑导出")
    cur = driver_cursor(s)
    try:
        counter = dict(cur.execute("SELECT origin, last_seq FROM sync_counter"))
        acked = _acked(cur, partner)
        forwarded = forwarded_origins(cur, site.level, me, p.site_id)
        ranges = {o: (acked.get(o, (0, 0))[0] + 1, counter[o]) for o in forwarded
                  if counter.get(o, 0) > acked.get(o, (0, 0))[0]}
        audit_from = acked.get(me.hex, (0, 0))[1]
        head = cur.execute("SELECT last_n, last_hash FROM audit_head WHERE id = 1").fetchone()
        audit_n, audit_hash = (int(head[0]), str(head[1])) if head and head[0] else (None, None)
        audit_new = cur.execute(  # sync's own bookkeeping travels with the next package, never alone
            "SELECT 1 FROM audit_entry WHERE n > ? AND action NOT IN ('sync_export', 'sync_import') LIMIT 1",
            (audit_from,)).fetchone() is not None
        if not ranges and not audit_new and not _ack_pending(cur, partner):
            return ExportResult(None, None, 0, 0, 0, 0, nothing_to_send=True,
                                message=f"{p.name} 已确认收到本机的全部数据，没有需要发送的内容")
        total = sum(last - first + 1 for first, last in ranges.values())
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None and not progress(min(done, 2 * total), 2 * total + 1):
                raise PackageError(CANCELLED)

        changes = JsonlWriter(work / "changes.jsonl.zst")
        n_records = _write_records(cur, changes, ranges, tick)
        columns, row_counts, files = _write_rows(cur, changes, tick)
        changes.close()
        audit = JsonlWriter(work / "audit.jsonl.zst")
        n_audit = _write_audit(cur, audit, max(audit_from, 1))
        audit.close()

        orgs = control.touched_orgs(cur, IDS)
        books = control.books_of(cur, orgs)
        months = control.touched_months(cur, IDS)
        totals = control.control_totals(cur, books, months)
        digests = control.maintained_digests(cur, orgs)
        names = dict(cur.execute("SELECT id, name FROM organisation"))
        book_names = dict(cur.execute("SELECT id, name FROM book"))
        (work / "control.json").write_bytes(_canonical({
            "totals": [[b, per, *v] for (b, per), v in sorted(totals.items())],
            "months": [list(k) for k in months],  # the (book, month) pairs the totals cover
            "books": {b: {"org": o, "name": book_names.get(b, "")} for b, o in sorted(books.items())},
            "orgs": {o: names.get(o, "") for o in sorted(orgs)},
        }))
        (work / "digests.json").write_bytes(_canonical({o: list(v) for o, v in sorted(digests.items())}))

        members = {n: work / n for n in ("changes.jsonl.zst", "audit.jsonl.zst", "control.json", "digests.json")}
        folder = data_dir / "attachments"
        for sha, stored in sorted(set(files)):
            found = _find_attachment(folder, sha, stored)
            if found is not None:
                members[f"attachments/{sha}"] = found

        ack_origins = _ack_origins(cur, site.level, me, p.site_id, forwarded)
        stream_seq = int(cur.execute("SELECT COALESCE(MAX(stream_seq), 0) FROM sync_outbox WHERE recipient = ?",
                                     (partner.hex,)).fetchone()[0]) + 1
    finally:
        cur.close()
    now = utcnow()
    package_id = uuid.uuid4()
    manifest: dict[str, Any] = {
        "format": FORMAT, "suite": SUITE, "package_id": package_id.hex, "created_at": now.isoformat(),
        "sender": {"origin": me.hex, "site_id": site.site_id.hex, "name": site.name, "level": site.level,
                   "region_code": site.region_code, "sign_public": keys.sign_public.hex(),
                   "enc_public": keys.enc_public.hex()},
        "recipient": partner.hex, "stream_seq": stream_seq, "schema": sorted(SCHEMA_HEADS),
        "vector": {o: int(counter[o]) for o in sorted(ack_origins) if o in counter},
        "audit_vector": _audit_vector_sorted(s, me, ack_origins),
        "ranges": {o: list(r) for o, r in sorted(ranges.items())},
        "counts": dict(sorted(row_counts.items())), "records": n_records, "audit_entries": n_audit,
        "columns": columns,
    }
    inner = work / "inner.zip"
    write_container(inner, manifest, members, keys.sign_private)
    name = package_file_name(site.name, p.name, now.strftime("%Y%m%d"), stream_seq)
    if progress is not None and not progress(2 * total, 2 * total + 1):
        raise PackageError(CANCELLED)
    final, digest, size = _seal_to(inner, to_dir, name, p.enc_public)
    try:
        copy = _keep_copy(final, data_dir)
        from db.models.sync import SyncOutbox

        s.add(SyncOutbox(id=package_id, recipient=partner, stream_seq=stream_seq, file_name=final.name,
                         sha256=digest, size=size, changes=n_records,
                         ranges_json=json.dumps({o: list(r) for o, r in sorted(ranges.items())}),
                         kept_copy=str(copy), created_at=now, created_by=str(s.info.get("actor") or "system"),
                         audit_n=audit_n, audit_hash=audit_hash))
        span = "，".join(f"{o[:8]}… 第 {a}–{b} 号" for o, (a, b) in sorted(ranges.items())) or "仅确认信息"
        record_audit(s, AuditRecord("sync_export", "sync_outbox", package_id.hex,
                                    f"导出同步包 {final.name}（发往 {p.name}，{n_records} 条变更：{span}）"[:300]))
        s.flush()
    except BaseException:
        final.unlink(missing_ok=True)  # the package exists only with its outbox row
        raise
    if progress is not None:
        progress(2 * total + 1, 2 * total + 1)
    return ExportResult(final, package_id, stream_seq, n_records, sum(row_counts.values()), size,
                        dict(ranges), n_audit, len(members) - 4,
                        message=f"已写出同步包 {final.name}（{n_records} 条变更，{_size_text(size)}）")


def _audit_vector_sorted(s: Session, me: uuid.UUID, origins: set[str]) -> dict[str, int]:
    cur = driver_cursor(s)
    try:
        return dict(sorted(_audit_vector(cur, me, origins).items()))
    finally:
        cur.close()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _size_text(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{max(size, 1) / 1024:.0f} KB"
