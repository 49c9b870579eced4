"""导出Excel of the 审计日志 as filtered: a write-only workbook streamed from the keyset-paged
query (``services.audit_trail.iter_audit_rows``), so a long trail never sits in memory."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.orm import Session

from desktop_app.core.rows import UserRow
from desktop_app.core.services.audit_trail import AuditFilter, AuditRow, iter_audit_rows
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


def export_audit_xlsx(session: Session, filt: AuditFilter, path: Path | str, *, user: UserRow) -> int:
    """The filtered trail, as ``user`` may see it, to ``path`` (read a page at a time)."""
    parts = [p for p in (filt.month, filt.date_from and f"自 {filt.date_from}", filt.date_to and f"至 {filt.date_to}",
                         filt.text and f"摘要含“{filt.text}”") if p]
    return write_audit_xlsx(iter_audit_rows(session, filt, user=user), path,
                            subtitle=f"导出人：{user.display_name}　" + "　".join(str(p) for p in parts))
