"""``verify``: is the database file sound, and has anything been edited behind the program's back?

Checks are registered in ``CHECKS``; later areas (sealed periods, sync state) add theirs.
Each returns a list of Chinese problem descriptions; an empty list means all is well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from db.audit import verify_audit_chain
from db.images import change_hash, legacy_change_hash
from db.models import ChangeLog, SyncCounter
from desktop_app.core.services.balances import verify_account_totals
from desktop_app.core.services.periods import verify_period_seals

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


def check_change_log(conn: Connection) -> list[str]:
    """Each origin's change records must be gap-free and hash-chained, ending at the counter."""
    problems: list[str] = []
    counters = dict(conn.execute(select(SyncCounter.origin, SyncCounter.last_hash)).all())
    last: dict[Any, tuple[int, str]] = {}
    for r in conn.execute(select(ChangeLog.__table__).order_by(ChangeLog.origin, ChangeLog.seq)):
        seq, prev = last.get(r.origin, (0, "0" * 64))
        if r.seq != seq + 1:
            problems.append(f"变更日志序号不连续：来源 {r.origin} 在 {seq} 之后是 {r.seq}")
        fields = (r.prev_hash, str(r.origin), r.seq, r.table_name, str(r.row_id), r.op, r.rev, r.prev_rev, r.row_json)
        if r.prev_hash != prev or (change_hash(*fields) != r.hash and legacy_change_hash(*fields) != r.hash):
            problems.append(f"变更日志第 {r.seq} 条（表 {r.table_name}）与其哈希不符：已被程序以外的方式修改")
        last[r.origin] = (r.seq, r.hash)
    for origin, (_, h) in last.items():
        if counters.get(origin) != h:
            problems.append(f"来源 {origin} 的变更日志末尾与计数器不符（可能有记录被删除）")
    return problems[:50]


CHECKS: list[tuple[str, Check]] = [
    ("数据库文件完整性", check_sqlite),
    ("外键一致性", check_foreign_keys),
    ("审计日志哈希链", check_audit_chain),
    ("变更日志哈希链", check_change_log),
    ("已结账期间封存哈希", verify_period_seals),
    ("科目汇总表与已记账分录一致", verify_account_totals),
]


@dataclass(frozen=True)
class CheckResult:
    name: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_database(conn: Connection) -> list[CheckResult]:
    return [CheckResult(name, tuple(check(conn))) for name, check in CHECKS]
