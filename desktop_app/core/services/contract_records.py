"""Records kept with a contract: the democratic procedure (四议两公开) steps, the township filing
(乡镇备案) and attachments (metadata with the SHA-256 of the content)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import ContractAttachment, ContractFiling, ContractProcedure
from desktop_app.core.errors import ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_contracts import AttachmentRow, ContractRow, ProcedureRow
from desktop_app.core.services.contracts import contract_to_change, get_contract
from desktop_app.core.validate import clean_text

__all__ = ["add_attachment", "add_filing", "add_procedure", "list_attachments", "list_procedures"]


def add_procedure(session: Session, contract_id: uuid.UUID, *, user: UserRow, step: str, meeting_date: date | None,
                  resolution_no: str | None = None, votes: str | None = None, notes: str | None = None) -> ProcedureRow:
    """Record a step of 四议两公开 (e.g. 村民代表会议决议) with its date and resolution number."""
    c = contract_to_change(session, contract_id, user)
    if meeting_date is None:
        raise ValidationError("请填写会议日期", field="会议日期")
    p = ContractProcedure(contract_id=c.id, step=clean_text(step, "程序", 30), meeting_date=meeting_date,
                          resolution_no=clean_text(resolution_no, "决议编号", 50, required=False),
                          votes=clean_text(votes, "表决情况", 50, required=False),
                          notes=clean_text(notes, "备注", 200, required=False))
    session.add(p)
    session.flush()
    record_audit(session, AuditRecord("create", "contract_procedure", str(p.id),
                                      f"合同 {c.number} 记录民主程序：{p.step}", None, row_image(p)))
    return ProcedureRow(p.id, c.id, p.step, p.meeting_date, p.resolution_no, p.votes, p.notes)


def list_procedures(session: Session, contract_id: uuid.UUID) -> list[ProcedureRow]:
    rows = session.execute(select(ContractProcedure.id, ContractProcedure.contract_id, ContractProcedure.step,
                                  ContractProcedure.meeting_date, ContractProcedure.resolution_no,
                                  ContractProcedure.votes, ContractProcedure.notes)
                           .where(ContractProcedure.contract_id == contract_id, ContractProcedure.deleted.is_(False))
                           .order_by(ContractProcedure.meeting_date))
    return [ProcedureRow(*r) for r in rows]


def add_filing(session: Session, contract_id: uuid.UUID, *, user: UserRow, filed_on: date | None,
               filing_no: str | None = None, filed_with: str | None = None) -> ContractRow:
    """乡镇备案."""
    c = contract_to_change(session, contract_id, user)
    if filed_on is None:
        raise ValidationError("请填写备案日期", field="备案日期")
    f = ContractFiling(contract_id=c.id, filed_on=filed_on, filing_no=clean_text(filing_no, "备案编号", 50, required=False),
                       filed_with=clean_text(filed_with, "备案机关", 100, required=False))
    session.add(f)
    session.flush()
    record_audit(session, AuditRecord("create", "contract_filing", str(f.id), f"合同 {c.number} 乡镇备案",
                                      None, row_image(f)))
    return get_contract(session, c.id)


def add_attachment(session: Session, contract_id: uuid.UUID, *, user: UserRow, file_name: str, content: bytes,
                   description: str | None = None) -> AttachmentRow:
    """Attachment metadata with the SHA-256 of its content (the file itself is stored by sync's
    content-addressed store)."""
    c = contract_to_change(session, contract_id, user)
    a = ContractAttachment(contract_id=c.id, file_name=clean_text(file_name, "文件名", 200),
                           sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                           description=clean_text(description, "说明", 200, required=False))
    session.add(a)
    session.flush()
    record_audit(session, AuditRecord("create", "contract_attachment", str(a.id),
                                      f"合同 {c.number} 添加附件 {a.file_name}", None, row_image(a)))
    return AttachmentRow(a.id, c.id, a.file_name, a.sha256, a.size, a.description)


def list_attachments(session: Session, contract_id: uuid.UUID) -> list[AttachmentRow]:
    rows = session.execute(select(ContractAttachment.id, ContractAttachment.contract_id, ContractAttachment.file_name,
                                  ContractAttachment.sha256, ContractAttachment.size, ContractAttachment.description)
                           .where(ContractAttachment.contract_id == contract_id,
                                  ContractAttachment.deleted.is_(False)))
    return [AttachmentRow(*r) for r in rows]
