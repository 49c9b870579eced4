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

The one exception: a model may say which kind of site writes it (``__site__``, "township" when
not said). The district's correction proposals (db/models/proposal.py) are the district's own
rows: the district writes them through the ORM and a township may not (it answers them in rows
of its own, which the district may not write). Whose rows a flush writes is decided here, before
the flush; the change log's check that follows it (``WRITE_CHECKS``) is told through
``session.info`` for that one flush.
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
TOWNSHIP_REFUSAL = "区经管站的更正建议只能由区经管站修改；乡镇请在“区级更正建议”页答复（采纳或驳回）"
SYNC_APPLY = "sync_apply"
_LEVEL_KEY = "_site_level"
_OWN_ROWS = "_district_own_rows"  # set for one flush that writes only the district's own rows


def written_by(cls: type) -> str:
    """Which kind of site writes rows of this model: 'township' (the books) unless it says."""
    return str(getattr(cls, "__site__", "township"))


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
    if not session.info.get(SYNC_APPLY) and not session.info.get(_OWN_ROWS) and is_district(session):
        raise UserError(DISTRICT_REFUSAL)


@event.listens_for(Session, "before_flush")
def _refuse_district_writes(session: Session, flush_context: Any, instances: Any) -> None:
    session.info.pop(_OWN_ROWS, None)
    if session.info.get(SYNC_APPLY):
        return
    found = {written_by(type(obj)) for obj in chain(session.new, session.dirty, session.deleted)
             if is_syncable(type(obj))}
    kinds = found - {"any"}
    if not kinds:  # users, sync bookkeeping, settings: allowed everywhere; "any": each site's own
        if found and site_level(session) == "district":
            session.info[_OWN_ROWS] = True
        return
    level = site_level(session)
    if kinds != {level}:
        raise UserError(DISTRICT_REFUSAL if level == "district" else TOWNSHIP_REFUSAL)
    if level == "district":
        session.info[_OWN_ROWS] = True  # the change log's check after this flush lets them through


@event.listens_for(Session, "after_flush")
def _own_rows_done(session: Session, flush_context: Any) -> None:
    session.info.pop(_OWN_ROWS, None)  # registered after the change log's hook, so it runs after it


@event.listens_for(Session, "after_soft_rollback")
def _own_rows_dropped(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_OWN_ROWS, None)


WRITE_CHECKS.append(refuse_in_district)
