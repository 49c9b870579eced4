"""What every disclosure section is given: the organisation, the book, the period and its seal,
the settings (who signs), and a few helpers over the book's chart (roles → accounts)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from desktop_app.core import charts
from desktop_app.core.rows import BookRow, OrgRow
from desktop_app.core.rows_funds import PeriodReopenInfo
from desktop_app.core.services.disclosure import (
    DisclosurePeriod,
    DisclosureSettingsRow,
    SealInfo,
    compute_disclosure_seal,
    get_disclosure_settings,
    make_payload,
)
from desktop_app.core.services.funds_base import AccountInfo, book_accounts, get_book_row, subtree
from desktop_app.core.services.orgs import book_credit_code, get_organisation
from desktop_app.core.services.periods import period_reopen_info

T = TypeVar("T")


@dataclass(frozen=True)
class DisclosureContext:
    organisation: OrgRow
    book: BookRow
    period: DisclosurePeriod
    settings: DisclosureSettingsRow
    seal: SealInfo
    reopened: tuple[PeriodReopenInfo, ...]  # months of the period reopened after closing
    accounts: Mapping[str, AccountInfo]  # the book's accounts by code, in code order
    credit_code: str | None = None  # the book's own 统一社会信用代码 (orgs.book_credit_code)
    unit: str = "元"
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute something once per sheet (sections and the cover share e.g. the balance sheet)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]  # type: ignore[no-any-return]

    @property
    def period_from(self) -> str:
        return self.period.first

    @property
    def period_to(self) -> str:
        return self.period.last

    @property
    def year_start(self) -> str:
        """First month of the year to date (``本年累计``), not before the book started."""
        return max(f"{self.period.last[:4]}-01", self.book.start_period)

    @property
    def chart_version(self) -> str:
        return self.book.chart_version

    @property
    def title(self) -> str:
        """东湖村股份经济合作社财务公开表（2026年10月）."""
        return f"{self.book.name}财务公开表（{self.period.label}）"

    @property
    def legacy_payload(self) -> str:
        """The first format's payload (``SL1|…``, the period seal only); the sheets now carry an
        SL2 check code over their whole content (reports/sealing.py)."""
        return make_payload(self.organisation.uscc, self.book.code, self.period.code, self.seal.hash)

    def role_codes(self, role: str) -> tuple[str, ...]:
        """Account codes a chart role names in this book's chart version (empty if absent)."""
        return charts.account_roles(self.chart_version, role)

    def role_accounts(self, *roles: str) -> list[AccountInfo]:
        """The book's accounts (with sub-accounts) under the given roles, each once, by code."""
        codes: list[str] = []
        for role in roles:
            codes.extend(self.role_codes(role))
        return subtree(dict(self.accounts), codes)

    def account_ids(self, *roles: str) -> set[uuid.UUID]:
        return {a.id for a in self.role_accounts(*roles)}


def make_context(session: Session, book_id: uuid.UUID, period: DisclosurePeriod) -> DisclosureContext:
    book = get_book_row(session, book_id)
    org = get_organisation(session, book.organisation_id)
    reopened = tuple(info for month in period.months
                     if (info := period_reopen_info(session, book_id, month)) is not None)
    return DisclosureContext(
        organisation=org, book=book, period=period,
        settings=get_disclosure_settings(session, org.id),
        seal=compute_disclosure_seal(session, book_id, period),
        reopened=reopened,
        accounts=MappingProxyType(book_accounts(session, book_id)),
        credit_code=book_credit_code(session, book_id),
    )
