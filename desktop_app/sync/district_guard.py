"""A district database holds no books of its own: it refuses every local write of synced data.

The district's copy of each township's rows is written only by the sync apply path (which marks
its session ``info["sync_apply"] = True``, or writes through the raw cursor). Any other ORM
insert, update or delete of a syncable row (organisations, books, vouchers, members …) in a
district database is refused before anything reaches the file, so the service's transaction
rolls back whole and the user reads why.

Registered on every Session when this module is imported; ``desktop_app.sync`` imports it, and
the CLI (desktop_app/cli.py) imports ``desktop_app.sync`` at start. The site's level is read once
per session and cached in ``session.info`` (``set_site`` updates the cache).

Bulk Core writers (db.changelog.bulk_insert and friends) do not flush through the ORM; the same
refusal is registered in ``db.changelog.WRITE_CHECKS``, which they and the change log run.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from db.base import is_syncable
from db.changelog import WRITE_CHECKS
from desktop_app.core.errors import UserError

DISTRICT_REFUSAL = "区级数据库只汇总各乡镇同步来的数据，不能在此新增或修改账务数据；请在乡镇电脑上修改后同步"
SYNC_APPLY = "sync_apply"
_LEVEL_KEY = "_site_level"


def site_level(session: Session) -> str:
    """'township' or 'district' (cached per session)."""
    level = session.info.get(_LEVEL_KEY)
    if not isinstance(level, str):
        level = session.connection().execute(text("SELECT level FROM site WHERE id = 1")).scalar() or "township"
        session.info[_LEVEL_KEY] = level
    return level


def remember_site_level(session: Session, level: str) -> None:
    session.info[_LEVEL_KEY] = level


def is_district(session: Session) -> bool:
    return site_level(session) == "district"


def refuse_in_district(session: Session) -> None:
    """For services and commands that write synced data outside the ORM: the same refusal."""
    if not session.info.get(SYNC_APPLY) and is_district(session):
        raise UserError(DISTRICT_REFUSAL)


@event.listens_for(Session, "before_flush")
def _refuse_district_writes(session: Session, flush_context: Any, instances: Any) -> None:
    if session.info.get(SYNC_APPLY):
        return
    if not any(is_syncable(type(obj)) for obj in chain(session.new, session.dirty, session.deleted)):
        return  # users, sync bookkeeping, settings: allowed everywhere
    if is_district(session):
        raise UserError(DISTRICT_REFUSAL)


WRITE_CHECKS.append(refuse_in_district)
