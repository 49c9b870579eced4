"""The 合同 import's plan and its new contracts written together (issue #18): what
``create_contract`` writes and audits for each contract, in bulk — the schedules as stored tuples
(``contracts.schedule_tuples``: hex ids, no dict or ``UUID`` a row), a chunk of contracts at a time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.progress import Progress

__all__ = ["Planned", "create_new"]


@dataclass(frozen=True)
class Planned:
    status: str  # new / changed
    row: int
    data: Any  # ContractInput; None when only a 乡镇备案 is added to a registered contract
    contract_id: uuid.UUID | None
    filed_on: date | None = None  # a 乡镇备案 to register (the contract has none)
    checked: tuple[dict[str, Any], dict[str, Any]] | None = None  # check_contract's fields of a new contract


def create_new(session: Session, planned: list[Planned], organisation_id: uuid.UUID, book_id: uuid.UUID,
               user: Any, progress: Progress | None, chunk: int = 1000) -> dict[int, uuid.UUID]:
    """Register the new contracts as ``create_contract`` registers each — its checks (the check's
    ``check_contract`` result, or the check again when the plan was made for another book), the
    counterparty found by 证件号码 (else by name) or added, the contract, its schedule
    (``schedule_tuples``: ``schedule_rows``' rows as stored tuples) and one audit entry per
    contract with its words and row image — written with ``bulk_insert`` and ``record_audit``
    every ``chunk`` contracts. Returns file row → contract id."""
    from sqlalchemy import select

    from db.audit import AuditRecord, record_audit
    from db.changelog import bulk_insert, paused_gc
    from db.models import Contract, ContractCounterparty, ContractInstallment, ContractRecognition
    from db.types import uuid7, uuid7_hex_stream
    from desktop_app.core.services.auth import require_role
    from desktop_app.core.services.column_checks import column_json
    from desktop_app.core.services.contracts import (
        INSTALLMENT_COLUMNS,
        INSTALLMENT_STORED,
        RECOGNITION_COLUMNS,
        RECOGNITION_CONSTANTS,
        RECOGNITION_STORED,
        check_contract,
        contract_terms,
        schedule_tuples,
    )
    from desktop_app.core.services.permissions import ENTER_RECORDS

    if not planned:
        return {}
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    by_number: dict[str, ContractCounterparty | dict[str, Any]] = {}
    by_name: dict[str, ContractCounterparty | dict[str, Any]] = {}
    for cp in session.scalars(select(ContractCounterparty).where(ContractCounterparty.organisation_id == organisation_id,
                                                                 ContractCounterparty.deleted.is_(False))):
        if cp.id_number:
            by_number.setdefault(cp.id_number, cp)
        else:
            by_name.setdefault(cp.name, cp)
    new_cps: list[dict[str, Any]] = []
    checked: list[tuple[dict[str, Any], dict[str, Any], uuid.UUID]] = []
    with paused_gc():
        for item in planned:  # the checks and the counterparties first: they are written before the contracts
            data = item.data
            if data.organisation_id != organisation_id or data.book_id != book_id:  # planned for another book
                data = replace(data, organisation_id=organisation_id, book_id=book_id)
            same = item.checked if item.checked is not None and item.data is data else None
            fields, cp_values = same if same is not None else check_contract(session, data)
            found = by_number.get(cp_values["id_number"]) if cp_values["id_number"] else by_name.get(cp_values["name"])
            if found is None:  # as _counterparty: a new one, found by the next rows naming it
                found = {"id": uuid7(), "address": None, **cp_values}
                new_cps.append(found)
                (by_number if cp_values["id_number"] else by_name)[cp_values["id_number"] or cp_values["name"]] = found
            elif isinstance(found, dict):
                found.update((k, v) for k, v in cp_values.items() if v is not None)
            else:
                for k, v in cp_values.items():
                    if v is not None and getattr(found, k) != v:
                        setattr(found, k, v)
            checked.append((fields, cp_values, found["id"] if isinstance(found, dict) else found.id))
        session.flush()  # the registered counterparties updated above
        bulk_insert(session, ContractCounterparty, new_cps)
        table = Contract.__table__  # the audit image: row_image's of the contract as the ORM writes it
        made: dict[int, uuid.UUID] = {}
        ids = uuid7_hex_stream()
        for first in range(0, len(planned), chunk):  # a chunk's schedules at a time: memory stays flat
            if progress is not None:
                progress.report(first, len(planned), "正在导入合同")
            contracts: list[dict[str, Any]] = []
            insts: list[tuple[Any, ...]] = []
            recs: list[tuple[Any, ...]] = []
            words: list[tuple[str, int]] = []
            for item, (fields, cp_values, cp_id) in zip(planned[first:first + chunk], checked[first:first + chunk],
                                                        strict=True):
                cid = uuid7()
                contracts.append({"id": cid, **fields, "counterparty_id": cp_id})
                words.append((cp_values["name"], schedule_tuples(cid.hex, contract_terms(fields), ids, insts, recs)))
                made[item.row] = cid
            bulk_insert(session, Contract, contracts)
            bulk_insert(session, ContractInstallment, insts, columns=INSTALLMENT_COLUMNS, stored=INSTALLMENT_STORED)
            bulk_insert(session, ContractRecognition, recs, columns=RECOGNITION_COLUMNS,
                        constants=RECOGNITION_CONSTANTS, stored=RECOGNITION_STORED)
            record_audit(session, [  # the images column by column: values_image of each contract, as text
                AuditRecord("create", "contract", str(c["id"]),
                            f"登记合同 {c['number']} {c['name']}（{name}），生成应收期次 {count} 期", None, image)
                for c, image, (name, count) in zip(contracts, column_json(table, contracts), words, strict=True)])
    return made
