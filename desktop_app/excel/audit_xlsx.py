"""导出Excel of the 审计日志 as filtered: a write-only workbook streamed from the keyset-paged
query (``services.audit_trail.iter_audit_rows``), so a long trail never sits in memory."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Book, Organisation, User
from desktop_app.core.rows import UserRow
from desktop_app.core.services.audit_trail import ACTIONS, ENTITIES, AuditFilter, AuditRow, iter_audit_rows
from desktop_app.excel.print_setup import StreamSheet

HEADERS = ["序号", "时间", "用户", "姓名", "操作", "对象", "组织", "摘要"]
WIDTHS = [9, 20, 12, 10, 12, 14, 26, 70]
FORMATS: list[str | None] = ["0", "yyyy-mm-dd hh:mm:ss", "@", None, None, None, None, None]


def write_audit_xlsx(rows: Iterable[AuditRow], path: Path | str, *, subtitle: str = "") -> int:
    """Write the rows (newest first, as shown) to ``path``; returns how many were written. The time is a
    real date-time cell (local time, as the page shows it)."""
    wb = Workbook(write_only=True)
    sheet = StreamSheet(wb, "审计日志", title="审计日志", subtitle=subtitle or None, headers=HEADERS,
                        widths=WIDTHS, formats=FORMATS, landscape=True)
    count = 0
    for r in rows:
        sheet.append([r.n, datetime.strptime(r.at, "%Y-%m-%d %H:%M:%S"), r.actor, r.actor_name, r.action, r.entity, r.organisation, r.summary])
        count += 1
    sheet.close()
    wb.save(path)
    return count


def export_subtitle(session: Session, filt: AuditFilter, user: UserRow, *, now: datetime | None = None) -> str:
    """The line under the title: who exported and when, then the conditions the rows were chosen by
    (the page's 导出Excel and ``audit-log --out`` write the same)."""
    names: list[str] = []
    for model, wanted in ((Organisation, filt.organisation_id), (Book, filt.book_id)):
        if wanted is not None:
            names.append(str(session.scalar(select(model.name).where(model.id == wanted)) or ""))
    if filt.actor:
        shown = session.scalar(select(User.display_name).where(User.username == filt.actor))
        names.append(f"用户 {shown}（{filt.actor}）" if shown and shown != filt.actor else f"用户 {filt.actor}")
    if filt.action:
        names.append(f"操作 {ACTIONS.get(filt.action, filt.action)}")
    if filt.entity:
        names.append(f"对象 {ENTITIES.get(filt.entity, filt.entity)}")
    if filt.month:
        names.append(filt.month)
    if filt.date_from:
        names.append(f"自 {filt.date_from}")
    if filt.date_to:
        names.append(f"至 {filt.date_to}")
    if filt.text:
        names.append(f"摘要含“{filt.text}”")
    parts = [f"导出人：{user.display_name}", f"导出时间：{(now or datetime.now()):%Y-%m-%d %H:%M}"]
    if any(names):
        parts.append("条件：" + "，".join(n for n in names if n))
    return "　".join(parts)


def export_audit_xlsx(session: Session, filt: AuditFilter, path: Path | str, *, user: UserRow) -> int:
    """The filtered trail, as ``user`` may see it, to ``path`` (read a page at a time), under a line
    saying who exported it, when, and by what conditions."""
    return write_audit_xlsx(iter_audit_rows(session, filt, user=user), path,
                            subtitle=export_subtitle(session, filt, user))
