"""Projects from an import file in one batch (the batch form of ``projects.create_project``).

``create_project`` checks the organisation and the user's role, validates the project, flushes
it and its funding and then reads the whole register back (``get_project`` → ``list_projects``)
to return its row: a file of n projects cost n² row reads. ``ProjectBatch`` makes the checks
once, validates each project by the form's rules (``projects.validated_project`` and ``validated_funding``: the
same messages; a code registered before or earlier in the file is refused as the form refuses
it), then writes every project and its funding with ``bulk_insert`` and audits each as
``create_project`` does (same action, summary and row image with its funding) in one
``record_audit`` call.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.images import values_image
from db.models import Project, ProjectFunding
from db.types import uuid7
from desktop_app.core.rows import UserRow
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import reads
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.services.projects import SOURCES, validated_funding, validated_project

__all__ = ["ProjectBatch"]

# every code of the organisation, deleted projects too: what validated_project's clash lookup sees
_CODES = select(Project.code, Project.id).where(Project.organisation_id == bindparam("org_id"))


class ProjectBatch:
    """New projects of one organisation, checked one by one (``add``) and written together (``write``)."""

    def __init__(self, session: Session, organisation_id: uuid.UUID, user: UserRow) -> None:
        v.check_org(session, organisation_id)
        require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)  # as create_project
        self.session, self.organisation_id = session, organisation_id
        self.codes: dict[str, uuid.UUID] = {
            c: i for c, i in reads(session).execute(_CODES, {"org_id": organisation_id})}
        self.main = v.main_book(session, organisation_id)  # a row naming no book belongs to it
        self.rows: list[dict[str, Any]] = []
        self.funding: list[dict[str, Decimal]] = []

    def check(self, values: Mapping[str, Any], funding: Mapping[str, Any] | None) -> tuple[dict[str, Any],
                                                                                       dict[str, Decimal]]:
        """The project's fields and funding as ``create_project`` stores them, or its first refusal."""
        fields = validated_project(self.session, dict(values), self.organisation_id, None, codes=self.codes,
                                   main=self.main)  # a code of the database or earlier in this batch: its message
        return fields, validated_funding(funding)

    def add(self, values: Mapping[str, Any], funding: Mapping[str, Any] | None) -> uuid.UUID:
        """Check one project and keep it for ``write``; returns the id it will have."""
        fields, money = self.check(values, funding)
        pid = uuid7()
        self.codes[fields["code"]] = pid
        self.rows.append({"id": pid, "organisation_id": self.organisation_id, **fields})
        self.funding.append(money)
        return pid

    def write(self) -> int:
        """Write the projects added (and their funding, by source in ``SOURCES`` order), audited."""
        session = self.session
        bulk_insert(session, Project, self.rows)
        bulk_insert(session, ProjectFunding, [
            {"id": uuid7(), "project_id": r["id"], "source": src, "amount": money[src]}
            for r, money in zip(self.rows, self.funding, strict=True) for src in SOURCES if money.get(src)])
        record_audit(session, [AuditRecord("create", "project", str(r["id"]), f"登记项目 {r['code']} {r['name']}", None,
                                           {**values_image(Project.__table__, r), "funding": {k: str(a) for k, a in money.items()}})
                               for r, money in zip(self.rows, self.funding, strict=True)])
        n = len(self.rows)
        self.rows, self.funding = [], []
        return n


