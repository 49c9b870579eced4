"""What a sync package's import does after its rows are written (issue #12; DESIGN-NOTES 28–29):
the sender's audit entries checked and kept, attachment files put in place, the touched books'
summaries rebuilt and compared with the sender's control totals and digests, and the sender's
acknowledgements max-merged. Split from ``apply`` (DESIGN §9); ``apply._apply`` calls these in
that order inside the import's one transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import msgspec
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from db import rowhash
from db.audit import GENESIS, audit_payload
from db.images import chain_hash
from db.models.sync import ReceivedAudit, ReceivedControlTotal, ReceivedDigest, SyncInbox, SyncPartnerHas
from db.pgcursor import Cursor
from desktop_app.core.money import from_fen
from desktop_app.core.services import balances
from desktop_app.sync import control, identity
from desktop_app.sync.cards import LEVEL_TEXT
from desktop_app.sync.container import Container
from desktop_app.sync.errors import PackageError

BATCH = 5000


@dataclass(frozen=True)
class VillageLine:
    organisation_id: str
    name: str
    rows: dict[str, int]  # table → rows carried
    totals: int  # (book, month) control totals carried
    totals_matched: bool | None  # None: not compared (we are ahead of or behind the sender)
    digest_matched: bool | None


def yuan(fen: int) -> str:
    return f"{from_fen(fen):,.2f}"


def parsed(c: Container, member: str, damaged: str) -> Iterator[list[dict[str, Any]]]:
    """A JSONL member's objects in lists (a block of about 1 MiB each, decoded at once)."""
    for block in c.iter_json_arrays(member):
        try:
            objs = msgspec.json.decode(block)
        except msgspec.DecodeError as exc:
            raise PackageError(damaged) from exc
        if not all(isinstance(o, dict) for o in objs):
            raise PackageError(damaged)
        yield objs


def check_audit(s: Session, c: Container, p: identity.PartnerRow, m: dict[str, Any]) -> int:
    """The sender's audit entries: held ones unchanged, new ones linked and hashing right; and a
    package newer than any received from the sender may not end its chain before what is held
    (a tail cut below the acknowledged entry carries no entry to compare, only its head)."""
    who = LEVEL_TEXT.get(p.level, "对方")
    origin = p.origin
    claimed = (m.get("audit_vector") or {}).get(origin.hex)
    if claimed is not None:
        held_n = s.scalar(select(func.max(ReceivedAudit.n)).where(ReceivedAudit.origin == origin)) or 0
        newest = s.scalar(select(func.max(SyncInbox.stream_seq)).where(SyncInbox.sender == origin)) or 0
        if int(claimed) < held_n and int(m["stream_seq"]) > newest:
            raise PackageError(f"{who}电脑的审计日志只到第 {int(claimed)} 条，但此前已收到第 {held_n} 条："
                               "历史记录在发出后被截断，已拒绝导入")
    held: dict[int, str] | None = None  # from the anchor on: what the package can name, not the whole chain
    prev_n, prev_hash, new, added = -1, "", [], 0
    for e in (e for batch in parsed(c, "audit.jsonl.zst", "同步包的审计记录无法解析，包已损坏") for e in batch):
        try:
            n = int(e["n"])
            datetime.fromisoformat(e["at"])
            if not all(isinstance(e[k], str) for k in ("hash", "prev", "actor", "action", "entity", "summary")):
                raise TypeError(n)
        except (ValueError, KeyError, TypeError) as exc:
            raise PackageError("同步包的审计记录无法解析，包已损坏") from exc
        if n <= prev_n:
            raise PackageError("同步包的审计记录顺序错乱，包已损坏")
        if held is None:
            held = {k: h for k, h in s.execute(select(ReceivedAudit.n, ReceivedAudit.hash).where(
                ReceivedAudit.origin == origin, ReceivedAudit.n >= n - 1))}
        if n in held:
            if held[n] != e["hash"]:
                raise PackageError(f"{who}电脑上第 {n} 条审计记录与此前收到的不一致：历史记录在发出后被改写，已拒绝导入")
            prev_n, prev_hash = n, e["hash"]
            continue
        if n == 1:
            link = GENESIS
        elif prev_n == n - 1:
            link = prev_hash
        else:
            found_link = held.get(n - 1)
            if found_link is None:
                raise PackageError(f"{who}电脑的审计记录不连续：缺少第 {n - 1} 条，请先导入对方更早的同步包")
            link = found_link
        before = json.loads(e["before"]) if e.get("before") is not None else None
        after = json.loads(e["after"]) if e.get("after") is not None else None
        rec = SimpleNamespace(action=e["action"], entity=e["entity"], entity_id=e["entity_id"], summary=e["summary"])
        if e["prev"] != link or chain_hash(e["prev"], audit_payload(n, e["at"], e["actor"], rec, before, after)) != e["hash"]:
            raise PackageError(f"{who}电脑上第 {n} 条审计记录与此前收到的不一致：历史记录在发出后被改写，已拒绝导入")
        new.append({"origin": origin, "n": n, "at": datetime.fromisoformat(e["at"]), "actor": e["actor"],
                    "action": e["action"], "entity": e["entity"], "entity_id": e["entity_id"],
                    "summary": e["summary"], "prev_hash": e["prev"], "hash": e["hash"]})
        prev_n, prev_hash = n, e["hash"]
        added += 1
        if len(new) >= BATCH:
            s.execute(insert(ReceivedAudit), new)
            new = []
    if new:
        s.execute(insert(ReceivedAudit), new)
    return added


def put_attachments(c: Container, cur: Cursor, folder: Path, dry_run: bool) -> int:
    """Attachment files (named by SHA-256, already hash-checked) put where their rows point."""
    n = 0
    for name, meta in sorted(c.members().items()):
        if not name.startswith("attachments/"):
            continue
        sha = name.removeprefix("attachments/")
        if meta.get("sha256") != sha:
            raise PackageError(f"同步包内附件 {sha[:12]}… 的内容与其名称不符，包已被改动")
        n += 1
        if dry_run:
            continue
        stored = cur.execute("SELECT stored_name FROM asset_attachment WHERE sha256 = ? LIMIT 1", (sha,)).fetchone()
        target = folder / (stored[0] if stored else f"{sha[:2]}/{sha}")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            c.extract(name, target)
    return n


def same_state(s: Session, cur: Cursor, p: identity.PartnerRow, vector: dict[str, int],
                held: dict[str, int]) -> bool:
    """Whether we now hold exactly what the sender holds of every origin that can carry the
    villages' rows: those in its vector, every PC of its site (a predecessor the sender never
    held may be ahead here), and, on a township, everything we hold (all of it is our site's)."""
    check = set(vector) | {r[0] for r in cur.execute("SELECT origin FROM sync_partner WHERE site_id = ?",
                                                     (p.site_id.hex,))}
    if identity.site(s).level != "district":
        check |= set(held)
    return all(held.get(o, 0) == int(vector.get(o, 0)) for o in check)


MONTHLY = ("voucher", "entry")


def touched_months(cur: Cursor, new: set[tuple[str, str]]) -> dict[str, list[str]]:
    """Book → the months whose summary the package changed: those of the vouchers and lines it
    wrote, as they were before (noted in ``sync_months``) and as they are now (``new``: of the
    rows it inserted, taken from their values)."""
    cur.executemany("INSERT OR IGNORE INTO temp.sync_months (book_id, period) VALUES (?, ?)", sorted(new))
    for table in MONTHLY:
        cur.execute(f'INSERT OR IGNORE INTO temp.sync_months SELECT book_id, period FROM "{table}" '
                    f"WHERE id IN (SELECT id FROM {control.ROWS_BEFORE} WHERE t = ?)", (table,))
    present = {r[0] for r in cur.execute("SELECT id FROM book")}
    out: dict[str, list[str]] = {}
    for book, period in cur.execute("SELECT book_id, period FROM temp.sync_months ORDER BY 1, 2"):
        if book in present:
            out.setdefault(book, []).append(period)
    return out


def reconcile(s: Session, cur: Cursor, c: Container, m: dict[str, Any], p: identity.PartnerRow,
              touched: set[tuple[str, str]], new_rows: control.NewRows) -> tuple[tuple[VillageLine, ...], bool]:
    """Rebuild the touched books' summaries, compare control totals and digests (when we hold
    exactly the sender's vector) and keep the sender's figures."""
    ctl = c.read_json("control.json")
    sent_digests: dict[str, list[Any]] = c.read_json("digests.json")
    books: dict[str, dict[str, str]] = ctl.get("books") or {}
    orgs: dict[str, str] = ctl.get("orgs") or {}
    for book, periods in sorted(touched_months(cur, touched).items()):
        balances.rebuild_totals(s, uuid.UUID(hex=book), periods)
    s.flush()
    vector: dict[str, int] = m.get("vector") or {}
    held = dict(cur.execute("SELECT origin, last_seq FROM sync_counter"))
    compared = same_state(s, cur, p, vector, held)
    sent = {(b, per): (int(v), int(ln), int(d), int(cr)) for b, per, v, ln, d, cr in ctl.get("totals") or []}
    months = [(str(b), str(per)) for b, per in ctl["months"]] if "months" in ctl else None  # None: an older package
    mine = control.control_totals(cur, books, months) if compared else {}
    my_digests = control.stored_digests(cur, sent_digests) if compared else {}
    sync_revs = [r for r in m.get("schema") or [] if str(r).startswith("s")]
    additive = not sync_revs or max(sync_revs) >= control.ADDITIVE_SINCE
    bad_totals: set[str] = set()
    if compared:
        for key in sorted(set(sent) | set(mine)):
            theirs, ours = sent.get(key, (0, 0, 0, 0)), mine.get(key, (0, 0, 0, 0))
            if theirs != ours:
                book, period = key
                info = books.get(book, {})
                raise PackageError(
                    f"导入后对账不符：{orgs.get(info.get('org', ''), '')} 账套“{info.get('name', '')}” {period}："
                    f"发送方 凭证 {theirs[0]} 张、分录 {theirs[1]} 行、借方 {yuan(theirs[2])} 元、贷方 {yuan(theirs[3])} 元；"
                    f"本机导入后 凭证 {ours[0]} 张、分录 {ours[1]} 行、借方 {yuan(ours[2])} 元、贷方 {yuan(ours[3])} 元。"
                    "已全部撤销，请联系发送方核对")
        for org, (digest, rows) in sorted(sent_digests.items()):
            if not additive:
                break  # an older program's SHA-256 digests: kept, not comparable with the additive ones
            ours_d = my_digests.get(org)
            if ours_d is None or ours_d[0] != digest:
                raise PackageError(f"导入后“{orgs.get(org, org[:8])}”的数据与发送方不一致（发送方 {rows} 行，"
                                   f"本机 {ours_d[1] if ours_d else 0} 行）。已全部撤销，请联系发送方核对")
    package_id = uuid.UUID(hex=m["package_id"])
    if sent:
        s.execute(insert(ReceivedControlTotal), [
            {"package_id": package_id, "book_id": uuid.UUID(hex=b), "period": per, "vouchers": v[0], "lines": v[1],
             "debit": from_fen(v[2]), "credit": from_fen(v[3])} for (b, per), v in sorted(sent.items())])
    if sent_digests:
        s.execute(insert(ReceivedDigest), [
            {"package_id": package_id, "organisation_id": uuid.UUID(hex=o), "digest": d, "rows": int(r)}
            for o, (d, r) in sorted(sent_digests.items())])
    per_org = control.rows_per_org(cur, control.ROWS_BEFORE)
    for org, per_table in new_rows.rows.items():
        mine_rows = per_org.setdefault(org, {})
        for table, n in per_table.items():
            mine_rows[table] = mine_rows.get(table, 0) + n
    lines = []
    for org in sorted(set(orgs) | set(per_org), key=lambda o: orgs.get(o, o)):
        n_totals = sum(1 for b, _ in sent if books.get(b, {}).get("org") == org)
        lines.append(VillageLine(org, orgs.get(org, ""), per_org.get(org, {}), n_totals,
                                 (org not in bad_totals) if compared else None,
                                 (org in sent_digests) if compared else None))
    return tuple(lines), compared


def merge_acks(cur: Cursor, partner: uuid.UUID, m: dict[str, Any]) -> None:
    """What the sender holds, max-merged: acks never move backwards; the rows written get their
    row hashes (``sync_partner_has`` is hashed: migration h0003)."""
    for origin, seq in sorted((m.get("vector") or {}).items()):
        cur.execute("INSERT INTO sync_partner_has (partner, origin, seq, audit_n) VALUES (?, ?, ?, 0) "
                    "ON CONFLICT(partner, origin) DO UPDATE SET seq = MAX(sync_partner_has.seq, excluded.seq)",
                    (partner.hex, origin, int(seq)))
    for origin, n in sorted((m.get("audit_vector") or {}).items()):
        cur.execute("INSERT INTO sync_partner_has (partner, origin, seq, audit_n) VALUES (?, ?, 0, ?) "
                    "ON CONFLICT(partner, origin) DO UPDATE SET audit_n = MAX(sync_partner_has.audit_n, excluded.audit_n)",
                    (partner.hex, origin, int(n)))
    written = sorted(set(m.get("vector") or {}) | set(m.get("audit_vector") or {}))
    table = SyncPartnerHas.__table__
    assert isinstance(table, Table)
    if written and rowhash.is_hashed(table):
        rowhash.refresh_rows(cur, table, [(partner.hex, o) for o in written])
