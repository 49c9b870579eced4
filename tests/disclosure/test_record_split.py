"""Issue #16: the 财务公开 sheets are built under a read snapshot (no write lock while the PDF is
made) and recorded in a short write that first checks the data did not change in between; the
record and its seal name the acting user, checked (``record_disclosure``, ``build_disclosure``)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import event, func, select

from db.models import AuditEntry, DisclosureRecord
from db.models.disclosure import SealedDocument
from desktop_app.core.errors import ConflictError, PermissionDenied
from desktop_app.core.rows import UserRow
from desktop_app.core.services.disclosure import list_disclosure_records, update_disclosure_settings
from desktop_app.core.services.orgs import list_organisations
from desktop_app.reports.disclosure.builder import build_disclosure, record_disclosure
from tests.acting import keeper

from .conftest import PERIOD, Village


def _written(v: Village) -> tuple[int, int, int]:
    with v.db.read() as s:
        return (s.scalar(select(func.count()).select_from(DisclosureRecord)) or 0,
                s.scalar(select(func.count()).select_from(SealedDocument)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_built_under_a_read_snapshot_and_recorded_in_a_short_write(village: Village) -> None:
    before = _written(village)
    with village.db.read("sh") as s:
        doc = build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)
        # the build held no write lock: another window saves meanwhile without waiting (another village's
        # setting: nothing this sheet shows)
        with village.db.begin("kj", wait_ms=0) as w:
            other = next(o for o in list_organisations(w) if o.level == "村" and o.id != village.org.id)
            update_disclosure_settings(w, other.id, phone="025-52109999", user=keeper(w))
    assert _written(village)[0] == before[0]  # building records nothing
    with village.db.begin("sh") as s:
        records = record_disclosure(s, doc, user=village.reviewer)
    assert [(r.book_id, r.content_sha256, r.generated_by) for r in records] == [
        (village.book.id, doc.sha256, village.reviewer.display_name)]
    with village.db.read() as s:
        assert [r.content_sha256 for r in list_disclosure_records(s, organisation_id=village.org.id)] == [doc.sha256]
        assert s.scalar(select(SealedDocument.generated_by).where(SealedDocument.code == doc.sheets[0].code)) \
            == village.reviewer.display_name
        assert s.scalar(select(AuditEntry.actor).where(AuditEntry.entity == "disclosure")) == village.reviewer.username


def test_a_change_between_the_build_and_the_record_refuses_the_record(village: Village) -> None:
    with village.db.read("sh") as s:
        doc = build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)
    with village.db.begin("kj") as s:  # the 监督电话 every page prints
        update_disclosure_settings(s, village.org.id, phone="025-52101111", user=keeper(s))
    before = _written(village)
    with pytest.raises(ConflictError, match="发生了变化") as refused, village.db.begin("sh") as s:
        record_disclosure(s, doc, user=village.reviewer)
    assert "重新生成" in str(refused.value)
    assert _written(village) == before  # neither the record, nor the seal, nor an audit entry
    with village.db.read("sh") as s:  # built again: it shows the new phone and records
        again = build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)
    with village.db.begin("sh") as s:
        assert record_disclosure(s, again, user=village.reviewer)[0].content_sha256 == again.sha256
    assert again.sha256 != doc.sha256


def test_a_user_who_may_not_see_the_village_is_refused_before_the_build_and_at_the_record(village: Village) -> None:
    ghost = UserRow(uuid.uuid4(), village.reviewer.username, "冒名", ("reviewer",), True)
    with pytest.raises(PermissionDenied, match="不是本数据库的用户"), village.db.read() as s:
        build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id], user=ghost)
    with village.db.read("sh") as s:
        doc = build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id])
    before = _written(village)
    with pytest.raises(PermissionDenied, match="不是本数据库的用户"), village.db.begin("sh") as s:
        record_disclosure(s, doc, user=ghost)
    assert _written(village) == before


def _statements_of_record(v: Village, doc: Any) -> list[str]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    with v.db.begin("sh") as s:
        event.listen(v.db.engine, "before_cursor_execute", note)
        try:
            record_disclosure(s, doc, user=v.reviewer)
        finally:
            event.remove(v.db.engine, "before_cursor_execute", note)
    return seen


def test_with_nothing_written_in_between_the_record_does_not_read_the_books_again(village: Village) -> None:
    """The change log ends where it did at the build: the short write only compares that (no voucher
    is read under the lock); a write in between (even another village's) makes it derive the sheets'
    content again, and record them when they are unchanged."""
    with village.db.read("sh") as s:
        doc = build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)
    assert doc.data_version
    quiet = _statements_of_record(village, doc)
    assert quiet and not [q for q in quiet if re.search(r"\bvoucher\b", q)]
    with village.db.read("sh") as s:
        doc = build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id], user=village.reviewer)
    with village.db.begin("kj") as s:
        other = next(o for o in list_organisations(s) if o.level == "村" and o.id != village.org.id)
        update_disclosure_settings(s, other.id, phone="025-52108888", user=keeper(s))
    busy = _statements_of_record(village, doc)
    assert [q for q in busy if re.search(r"\bvoucher\b", q)]
