"""Contract import from xlsx, as the contracts area called it before the import pipeline: a thin
wrapper over the ``contracts`` kind (``import_contracts``) in 仅新增 mode.

``validate_contract_import`` returns the preview (nothing written); ``apply_contract_import``
writes all rows or none and raises ``ValidationError`` listing the problems (Excel row and
column, in Chinese) when any row is bad. New code calls ``importers.run_import`` directly, which
also offers 跳过已有 / 更新已有.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from desktop_app.core.errors import ValidationError
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.excel.importers import Problem, run_import

__all__ = ["ImportPreview", "ImportPreviewRow", "ImportProblem", "apply_contract_import", "validate_contract_import"]

ImportProblem = Problem  # row, column ('N列“终止日期”'), message


@dataclass(frozen=True)
class ImportPreviewRow:
    row: int
    number: str
    name: str
    counterparty: str
    start_date: date | None
    end_date: date | None
    annual_rent: str


@dataclass(frozen=True)
class ImportPreview:
    rows: tuple[ImportPreviewRow, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def validate_contract_import(session: Session, path: Path | str, *, organisation_id: uuid.UUID, book_id: uuid.UUID,
                             progress: Progress | None = None) -> ImportPreview:
    """Check every row and return the preview (nothing is written)."""
    check, _ = run_import(session, "contracts", path, organisation_id=organisation_id, book_id=book_id, mode="add")
    rows = []
    for planned in check.plan or []:
        d = planned.data
        rent = d.annual_rent
        if d.price_basis == "单价" and d.unit_price is not None and d.area_mu is not None:
            from desktop_app.core.rules.contract_schedule import round_fen

            rent = round_fen(d.unit_price * d.area_mu)
        rows.append(ImportPreviewRow(planned.row, d.number, d.name, d.counterparty_name, d.start_date, d.end_date,
                                     f"{rent:,.2f}" if rent is not None else ""))
    problems = check.problems
    if not check.outcomes and not problems:
        problems = (Problem(0, "", "文件中没有合同数据行"),)
    return ImportPreview(tuple(rows), tuple(problems))


def apply_contract_import(session: Session, path: Path | str, *, organisation_id: uuid.UUID, book_id: uuid.UUID,
                          user: UserRow, progress: Progress | None = None) -> int:
    """Import all rows or none: raises ValidationError listing the problems if any row is bad."""
    check, done = run_import(session, "contracts", path, organisation_id=organisation_id, book_id=book_id, mode="add",
                             apply=True, progress=progress, user=user)
    problems = list(check.problems) or ([Problem(0, "", "文件中没有合同数据行")] if not check.outcomes else [])
    if problems:
        listed = "；".join(str(p) for p in problems[:10])
        more = f"（另有 {len(problems) - 10} 处）" if len(problems) > 10 else ""
        raise ValidationError(f"导入未进行，共 {len(problems)} 处问题：{listed}{more}", field="文件")
    assert done is not None
    return done.added
