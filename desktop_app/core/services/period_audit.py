"""A month's status as the audit chain tells it (close / reopen events), beside the ``period`` row.

``update period set status='open'`` made behind the program's back leaves the chain saying
closed: ``verify`` names the month, and ``ensure_period_open`` refuses to write into it. A close
is recorded per period row (``entity_id`` = the row's id) or, for the demo's batch close
(``voucher_bulk.bulk_close_periods``), once per book with the months in ``after.periods``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from db.models import AuditEntry, Book, Installation, Period
from desktop_app.core.services.funds_base import period_label

_EVENTS = ("close", "reopen")
_OF_PERIOD = (select(AuditEntry.entity_id, AuditEntry.action, AuditEntry.after_json)
              .where(AuditEntry.entity == "period", AuditEntry.action.in_(_EVENTS),
                     AuditEntry.entity_id.in_(bindparam("keys", expanding=True)))
              .order_by(AuditEntry.n.desc()))


def _months(after_json: str | None) -> list[str] | None:
    after = json.loads(after_json) if after_json else None
    months = after.get("periods") if isinstance(after, dict) else None
    return [str(m) for m in months] if isinstance(months, list) else None


def audit_says_closed(session: Session | Connection, book_id: uuid.UUID, period: str, period_id: uuid.UUID) -> bool:
    """Whether the newest close/reopen event of this month is a close."""
    for entity_id, action, after_json in session.execute(_OF_PERIOD, {"keys": [str(period_id), str(book_id)]}):
        if entity_id == str(period_id):
            return bool(action == "close")
        months = _months(after_json)
        if months is not None and period in months:
            return bool(action == "close")
    return False


@dataclass(frozen=True)
class _Event:
    n: int
    action: str
    seal: str | None


def verify_period_status(conn: Connection) -> list[str]:
    """``verify``: every month this PC closed or reopened (rows of a local origin) has the status
    and seal its newest close/reopen audit entry recorded."""
    by_id: dict[str, _Event] = {}
    by_month: dict[tuple[str, str], _Event] = {}
    rows = conn.execute(select(AuditEntry.n, AuditEntry.entity_id, AuditEntry.action, AuditEntry.after_json)
                        .where(AuditEntry.entity == "period", AuditEntry.action.in_(_EVENTS)).order_by(AuditEntry.n))
    for n, entity_id, action, after_json in rows:
        months = _months(after_json)
        if months is not None:
            for m in months:
                by_month[(str(entity_id), m)] = _Event(n, action, None)
        else:
            after = json.loads(after_json) if after_json else {}
            by_id[str(entity_id)] = _Event(n, action, after.get("seal_hash") if isinstance(after, dict) else None)
    local = set(conn.execute(select(Installation.id)).scalars())
    books = dict(conn.execute(select(Book.id, Book.name)).all())
    problems = []
    for pid, book_id, period, status, seal, origin in conn.execute(
            select(Period.id, Period.book_id, Period.period, Period.status, Period.seal_hash, Period.origin)
            .order_by(Period.book_id, Period.period)):
        if origin not in local:
            continue  # closed on another PC: its audit chain is there (and at the district)
        found = [e for e in (by_id.get(str(pid)), by_month.get((str(book_id), period))) if e is not None]
        event = max(found, key=lambda e: e.n) if found else None
        where = f"会计期间（表 period）：账套“{books.get(book_id, book_id)}”{period_label(period)}（记录 {pid}）"
        audited = event.action if event else None
        if status == "closed" and audited != "close":
            problems.append(f"{where}标记为已结账，但审计日志中没有相应的结账记录：期间状态已被程序以外的方式修改")
        elif status != "closed" and audited == "close":
            problems.append(f"{where}按审计日志已结账，但期间记录被改为未结账，且没有反结账记录："
                            "已被程序以外的方式修改（程序拒绝向该月写入）")
        elif status == "closed" and event is not None and event.seal is not None and event.seal != seal:
            problems.append(f"{where}的封存哈希与结账时审计日志记录的不符：已被程序以外的方式修改")
    return problems[:100]
