"""审计日志 for the people who check the books: who changed what, when, newest first.

The audit table (``db.audit``) grows to millions of entries, so it is read a page at a time by
keyset on its chain ordinal ``n`` (``n < last_n ORDER BY n DESC LIMIT …``), never whole. The
filters the table can answer (user, kind of change, object, time, text in the summary) are SQL;
an entry's organisation is not a column of the table, so it is worked out per page from what the
entry names (its object's id, the ``organisation_id``/``book_id`` of its before/after images, or
the row its object id or an image's ``…_id`` points at) and the organisation filter — and the
limit of a user who works on some villages only — is applied to each page read. A page that
scanned ``scan_limit`` entries without filling up ends early; its ``last_key`` continues the scan,
so paging has no gaps. Entries that belong to no organisation (users, logins, regions, sync,
backups) are shown to users who are not limited to some organisations.

Who may read the trail: ``VIEW_AUDIT`` (监督, 记账员, 审核员, 系统管理员). Personal data in it is
shown by ``personal_data``'s rule: 身份证号 masked (first 6 + last 4) and a birth date as its year
for everyone, the full number only when a keeper of the register (``REVEAL_ID_NUMBER``) asks for
one entry's, audited as a reveal; a person's phone number is shown whole to those keepers only.

The chain check is ``integrity.check_audit_chain`` (the one ``verify`` runs), reused here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.audit import AuditRecord, record_audit
from db.base import Base
from db.models import AuditEntry, AuditHead, Book, User
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.ids import mask_ric
from desktop_app.core.periods import check_period, period_end, period_start
from desktop_app.core.rows import UserRow
from desktop_app.core.services.audit_scope import ScopeResolver, hex_id, load_image, referenced_table
from desktop_app.core.services.audit_words import (
    ACTIONS,
    ENTITIES,
    FIELD_LABELS,
    HIDDEN_FIELDS,
    VALUE_WORDS,
    action_word,
    entity_word,
    field_label,
)
from desktop_app.core.services.auth import require_role, user_organisations
from desktop_app.core.services.permissions import REVEAL_ID_NUMBER, VIEW_AUDIT
from desktop_app.core.services.personal_data import mask_phone

__all__ = [
    "ACTIONS",
    "ENTITIES",
    "VIEW_AUDIT",
    "AuditDetail",
    "AuditFilter",
    "AuditPage",
    "AuditRow",
    "ChainStatus",
    "FieldChange",
    "audit_chain_status",
    "audit_choices",
    "audit_detail",
    "audit_page",
    "audit_size",
    "iter_audit_rows",
]

_RIC_KEYS = frozenset({"ric", "id_number"})
_PHONE_KEYS = frozenset({"phone", "mobile", "counterparty_phone"})
# a phone on these objects is an office's published number (监督电话 …), not a person's
_PUBLIC_PHONES = frozenset({"organisation", "disclosure_setting", "district_setting", "site", "book"})
_RIC_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_SCAN_LIMIT = 20_000


@dataclass(frozen=True)
class AuditFilter:
    """What the trail is narrowed to; every field empty: everything the user may see."""

    organisation_id: uuid.UUID | None = None
    book_id: uuid.UUID | None = None  # the book's entries and those of its organisation naming no book
    actor: str | None = None  # a username
    month: str | None = None  # 2026-10 (local time); or the two dates below, both inclusive
    date_from: date | None = None
    date_to: date | None = None
    action: str | None = None  # a code of ACTIONS
    entity: str | None = None  # a code of ENTITIES
    text: str = ""  # in the summary


@dataclass(frozen=True)
class AuditRow:
    n: int  # the entry's place in the chain (第 n 条)
    at: str  # local time as the app shows it: 2026-12-03 21:45:41
    actor: str  # username
    actor_name: str  # 姓名 (the username when the user is unknown, e.g. "system")
    action: str  # 操作, in Chinese
    entity: str  # 对象, in Chinese
    organisation: str  # 组织 ("" for entries of the whole township)
    summary: str  # 摘要, personal data masked


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    last_key: int | None  # the ``after`` of the next page; None: nothing older is left
    scanned: int  # entries read to fill it (the organisation filter skips some)


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str  # 字段, in Chinese
    before: str
    after: str
    changed: bool


@dataclass(frozen=True)
class AuditDetail:
    row: AuditRow
    entity_id: str
    fields: tuple[FieldChange, ...]
    revealed: bool  # full 身份证号 shown (a keeper asked; audited)
    has_ids: bool  # the images hold a 身份证号 (a keeper may ask to see it whole)


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    entries: int
    problems: tuple[str, ...]

    @property
    def text(self) -> str:
        if self.ok:
            return f"审计链校验通过：共 {self.entries} 条记录，未发现改动或删除"
        return f"审计链校验发现 {len(self.problems)} 处问题：" + "；".join(self.problems[:3]) + \
            ("…" if len(self.problems) > 3 else "")


@dataclass(frozen=True)
class AuditChoices:
    """What the filters offer: users (username, 姓名), kinds of change and objects (code, 中文),
    the organisations the user may see (id, name) and their books (id, organisation id, name)."""

    users: tuple[tuple[str, str], ...]
    actions: tuple[tuple[str, str], ...]
    entities: tuple[tuple[str, str], ...]
    organisations: tuple[tuple[uuid.UUID, str], ...]
    books: tuple[tuple[uuid.UUID, uuid.UUID, str], ...]


# --- who may, and what they may see ---------------------------------------------------------
@dataclass
class _Viewer:
    me: UserRow
    allowed: frozenset[str]  # organisation ids (hex) the user is limited to; empty: all
    keeper: bool  # keeps the member register: sees people's phones

    def sees(self, org: str | None) -> bool:
        return not self.allowed or (org is not None and org in self.allowed)


def _viewer(session: Session, user: UserRow, organisation_id: uuid.UUID | None = None) -> _Viewer:
    me = require_role(session, user, *VIEW_AUDIT, organisation_id=organisation_id)
    allowed = frozenset(o.hex for o in user_organisations(session, me.id))
    return _Viewer(me, allowed, any(me.has_role(r) for r in REVEAL_ID_NUMBER))


# --- masking ----------------------------------------------------------------------------------
def _shown(key: str, value: Any, entity: str, viewer: _Viewer, revealed: bool) -> Any:
    """A value of an image as this viewer may see it (recursing into lists and objects)."""
    if isinstance(value, dict):
        masked = not revealed and any(k in _RIC_KEYS and v for k, v in value.items())
        return {k: ("" if v is None else f"{str(v)[:4]}年") if k == "birth_date" and masked and v
                else _shown(k, v, entity, viewer, revealed) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(key, v, entity, viewer, revealed) for v in value]
    if not isinstance(value, str) or not value:
        return value
    if key in _RIC_KEYS:
        return value if revealed else mask_ric(value)
    if key in _PHONE_KEYS and entity not in _PUBLIC_PHONES and not viewer.keeper:
        return mask_phone(value)
    if key == "birth_date" and not revealed:
        return f"{value[:4]}年"
    return value


def _mask_text(text: str) -> str:
    """A 身份证号 written into free text (a summary) is shown masked."""
    return _RIC_TEXT.sub(lambda m: mask_ric(m.group(0)), text)


# --- the query ---------------------------------------------------------------------------------
def _local_start(day: date) -> datetime:
    """The UTC instant a local day begins (``at`` is stored in UTC; the app shows local time)."""
    return datetime(day.year, day.month, day.day).astimezone().astimezone(UTC)


def _time_range(filt: AuditFilter) -> tuple[datetime | None, datetime | None]:
    first, last = filt.date_from, filt.date_to
    if filt.month:
        month = check_period(filt.month, "月份")
        first, last = period_start(month), period_end(month)
    if first is not None and last is not None and last < first:
        raise ValidationError("结束日期早于开始日期", field="日期")
    return (_local_start(first) if first else None,
            _local_start(last + timedelta(days=1)) if last else None)


def _conditions(filt: AuditFilter) -> list[ColumnElement[bool]]:
    t = AuditEntry.__table__.c
    where: list[ColumnElement[bool]] = []
    if filt.actor:
        where.append(t.actor == filt.actor)
    if filt.action:
        where.append(t.action == filt.action)
    if filt.entity:
        where.append(t.entity == filt.entity)
    start, end = _time_range(filt)
    if start is not None:
        where.append(t.at >= start)
    if end is not None:
        where.append(t.at < end)
    text = filt.text.strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(t.summary.like(f"%{escaped}%", escape="\\"))
    return where


@dataclass
class _Query:
    """One filtered reading of the trail for one viewer: SQL filters, then the organisation scope."""

    session: Session
    filt: AuditFilter
    viewer: _Viewer
    resolver: ScopeResolver
    names: dict[str, str]
    scope_org: str | None
    scope_book: str | None

    def keep(self, org: str | None, book: str | None) -> bool:
        if not self.viewer.sees(org):
            return False
        if self.scope_book is not None:
            return book == self.scope_book or (book is None and org == self.scope_org)
        return self.scope_org is None or org == self.scope_org

    def row(self, e: Any, org: str | None) -> AuditRow:
        return AuditRow(
            n=e.n, at=f"{e.at.astimezone():%Y-%m-%d %H:%M:%S}", actor=e.actor,
            actor_name=self.names.get(e.actor, e.actor),
            action=action_word(e.action, e.entity),
            entity=entity_word(e.entity),
            organisation=self.resolver.org_names.get(org, "") if org else "",
            summary=_mask_text(e.summary))

    def page(self, after: int | None, limit: int, scan_limit: int) -> AuditPage:
        t = AuditEntry.__table__.c
        where = _conditions(self.filt)
        rows: list[AuditRow] = []
        scanned = 0
        cursor = after
        chunk = max(limit, 200)
        needle = self.filt.text.strip().casefold()
        while len(rows) < limit and scanned < scan_limit:
            q = select(t.n, t.at, t.actor, t.action, t.entity, t.entity_id, t.summary, t.before_json,
                       t.after_json).where(*where).order_by(t.n.desc()).limit(min(chunk, scan_limit - scanned))
            if cursor is not None:
                q = q.where(t.n < cursor)
            batch = self.session.execute(q).all()
            if not batch:
                return AuditPage(tuple(rows), None, scanned)
            for e, (org, book) in zip(batch, self.resolver.resolve(batch), strict=True):
                scanned += 1
                cursor = e.n
                if self.keep(org, book):
                    row = self.row(e, org)
                    if needle and needle not in row.summary.casefold():
                        continue  # found only in a masked 身份证号: typing cannot probe hidden digits
                    rows.append(row)
                    if len(rows) == limit:
                        break
            if len(batch) < chunk and len(rows) < limit and scanned < scan_limit:
                return AuditPage(tuple(rows), None, scanned)
        return AuditPage(tuple(rows), cursor, scanned)


def _query(session: Session, filt: AuditFilter, user: UserRow) -> _Query:
    scope_org = filt.organisation_id
    if filt.book_id is not None:
        owner = session.scalar(select(Book.organisation_id).where(Book.id == filt.book_id))
        if owner is None:
            raise NotFoundError("账套不存在")
        if scope_org is not None and owner != scope_org:
            raise ValidationError("所选账套不属于所选组织", field="账套")
        scope_org = owner
    viewer = _viewer(session, user, scope_org)
    names = dict(session.execute(select(User.username, User.display_name)).all())
    return _Query(session, filt, viewer, ScopeResolver(session), names,
                  scope_org.hex if scope_org else None, filt.book_id.hex if filt.book_id else None)


def audit_page(session: Session, filt: AuditFilter, *, user: UserRow, after: int | None = None, limit: int = 200,
               scan_limit: int = _SCAN_LIMIT) -> AuditPage:
    """Up to ``limit`` entries matching ``filt`` that ``user`` may see, newest first, older than the
    entry ``after`` (None: from the newest). Reads at most ``scan_limit`` entries: a page the
    organisation filter left short still gives the ``last_key`` to go on from."""
    if limit < 1:
        raise ValidationError("每页条数必须大于 0")
    return _query(session, filt, user).page(after, limit, max(scan_limit, limit))


def iter_audit_rows(session: Session, filt: AuditFilter, *, user: UserRow, batch: int = 1000) -> Iterator[AuditRow]:
    """Every entry matching ``filt`` that ``user`` may see, newest first, read a page at a time
    (an export or the command line's listing: memory stays flat)."""
    query = _query(session, filt, user)
    after: int | None = None
    while True:
        page = query.page(after, batch, _SCAN_LIMIT)
        yield from page.rows
        if page.last_key is None:
            return
        after = page.last_key


# --- one entry ------------------------------------------------------------------------------
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_MONEY = re.compile(r"^-?\d+\.\d{2}$")
_FOUR_PLACES = re.compile(r"^-?\d+\.\d{3,4}$")
_ACCOUNT_CODE = re.compile(r"^\d{3,12}$")
_LABEL_COLUMNS = ("code", "number", "name", "username")
_ACCOUNT_KEYS = frozenset({"account", "account_code", "receivable_code"})
_ROW_TABLES = {"voucher": "voucher", "acquisition_voucher_id": "voucher", "appropriation_voucher_id": "voucher",
               "reversal_of_id": "voucher", "maker_id": "app_user", "reviewer_id": "app_user",
               "from_member_id": "member", "to_member_id": "member",
               "renewal_of_id": "contract", "parent_id": "", "user_id": "app_user", "target_id": "",
               "source_id": "", "installment_id": "", "entry_id": "", "statement_line_id": "", "group_id": ""}


def _month_word(value: str) -> str:
    m = _MONTH.match(value)
    return f"{m.group(1)}年{int(m.group(2))}月" if m else value


def _amount(value: str) -> str:
    return f"{Decimal(value):,.2f}"


@dataclass
class _Words:
    """Turns one entry's before/after values into what they mean, in Chinese (names for ids,
    科目 names for codes, amounts with separators, months as 2026年12月)."""

    session: Session
    resolver: ScopeResolver
    entity: str
    org: str | None
    book: str | None
    source_table: str = ""  # the table a ``source_id`` names (the image's ``source_kind``)
    _accounts: dict[str, str] | None = None

    def account(self, code: str) -> str:
        if self._accounts is None:
            acc = Base.metadata.tables["account"].c
            books = Base.metadata.tables["book"].c
            q = select(acc.code, acc.name)
            if self.book is not None:
                q = q.where(acc.book_id == uuid.UUID(self.book))
            elif self.org is not None:
                q = q.join(Base.metadata.tables["book"], books.id == acc.book_id).where(
                    books.organisation_id == uuid.UUID(self.org))
            else:
                q = q.where(acc.is_standard.is_(True))
            self._accounts = {}
            for c, n in self.session.execute(q):
                self._accounts.setdefault(c, n)
        name = self._accounts.get(code)
        return f"{code} {name}" if name else code

    def row_label(self, key: str, value: str) -> str | None:
        """What a field naming a row is called (its 编号/名称…), None when unknown."""
        table_name = self.source_table if key == "source_id" else \
            _ROW_TABLES[key] if key in _ROW_TABLES else \
            referenced_table(self.entity, key) or (key[:-3] if key.endswith("_id") else "")
        table = Base.metadata.tables.get(table_name) if table_name else None
        rid = hex_id(value)
        if table is None or rid is None or "id" not in table.c:
            return None
        if table_name == "voucher":
            found = self.session.execute(select(table.c.period, table.c.number).where(
                table.c.id == uuid.UUID(rid))).first()
            return f"{_month_word(found[0])} 第{found[1]}号" if found is not None else None
        if table_name == "household":
            found = self.session.execute(select(table.c.number, table.c.head_name).where(
                table.c.id == uuid.UUID(rid))).first()
            return f"第{found[0]}户 {found[1] or ''}".strip() if found is not None else None
        if table_name == "app_user":
            found = self.session.execute(select(table.c.display_name, table.c.username).where(
                table.c.id == uuid.UUID(rid))).first()
            return f"{found[0]}（{found[1]}）" if found is not None else None
        columns = [table.c[c] for c in _LABEL_COLUMNS if c in table.c][:2] or \
            [table.c[c] for c in ("amount",) if c in table.c]
        if not columns:
            return None
        found = self.session.execute(select(*columns).where(table.c.id == uuid.UUID(rid))).first()
        if found is None:
            return None
        if columns[0].name == "amount":  # a row with no name (a 收款): what it is and its amount
            return f"{ENTITIES.get(table_name, '')} {_amount(str(found[0]))}".strip()
        return " ".join(str(v) for v in found if v)

    def label(self, key: str) -> str:
        if _ACCOUNT_CODE.match(key):  # 财务计划: a 科目's code is the key
            return f"科目 {self.account(key)}"
        return field_label(self.entity, key)

    def text(self, key: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, dict):
            return "\n".join(f"{self.label(k)}：{self.text(k, v)}" for k, v in value.items()
                             if k not in HIDDEN_FIELDS and v not in (None, ""))
        if isinstance(value, list):
            return self.items(key, value)
        if not isinstance(value, str):
            return str(value)
        return self.scalar(key, value)

    def scalar(self, key: str, value: str) -> str:
        if key == "organisation_id":
            return self.resolver.org_names.get(hex_id(value) or "", value)
        if key == "book_id":
            return self.resolver.book_names.get(hex_id(value) or "", value)
        if key == "roles":
            from desktop_app.core.services.auth import role_labels

            return role_labels(r for r in value.split(",") if r)
        if key in _ACCOUNT_KEYS and _ACCOUNT_CODE.match(value):
            return self.account(value)
        if key == "source_kind":
            return ENTITIES.get(value, value)
        words = VALUE_WORDS.get(f"{key}@{self.entity}") or VALUE_WORDS.get(key)
        if words and value in words:
            return words[value]
        if _ISO_TIME.match(value):
            return f"{datetime.fromisoformat(value.replace('Z', '+00:00')).astimezone():%Y-%m-%d %H:%M:%S}"
        if _MONTH.match(value):
            return _month_word(value)
        if _MONEY.match(value):
            return _amount(value)
        if _FOUR_PLACES.match(value):
            return value.rstrip("0").rstrip(".")
        if hex_id(value) is not None and (key.endswith("_id") or key in _ROW_TABLES):
            return self.row_label(key, value) or "（已不存在的记录）"
        return value

    def items(self, key: str, values: list[Any]) -> str:
        if key == "lines" and all(isinstance(v, dict) for v in values):
            return "\n".join(self.entry_line(v) for v in values)
        parts: list[str] = []
        for v in values:
            if isinstance(v, list):  # a pair such as [期次, 金额]: the ids say nothing to a reader
                parts.append("　".join(self.text(key, x) for x in v
                                      if x not in (None, "") and not (isinstance(x, str) and hex_id(x))))
            elif v not in (None, ""):
                parts.append(self.text(key, v))
        many_lines = any(isinstance(v, (dict, list)) for v in values)
        return ("\n" if many_lines else "、").join(p for p in parts if p)

    def entry_line(self, line: dict[str, Any]) -> str:
        """One 分录: 科目 code+name, 借方 or 贷方 with separators, its 摘要."""
        account = line.get("account") or line.get("account_code") or ""
        parts = [self.account(str(account)) if account else ""]
        for side, word in (("debit", "借方"), ("credit", "贷方")):
            amount = line.get(side)
            if amount not in (None, "") and Decimal(str(amount)) != 0:
                parts.append(f"{word} {_amount(str(amount))}")
        if line.get("summary"):
            parts.append(str(line["summary"]))
        return "　".join(p for p in parts if p)


@cache
def _field_order(entity: str) -> Callable[[str], tuple[int, str]]:
    """Images are stored with sorted keys: a detail lists the fields in the object's table's column
    order, then the service's own fields (分录 …) in ``FIELD_LABELS``' order, then the rest."""
    table = Base.metadata.tables.get(entity)
    names = [c.name for c in table.columns] if table is not None else []
    rank = {k: i for i, k in enumerate(dict.fromkeys([*names, *FIELD_LABELS]))}
    return lambda key: (rank.get(key, len(rank)), key)


def audit_detail(session: Session, n: int, *, user: UserRow, reveal: bool = False) -> AuditDetail:
    """One entry with its before/after fields in Chinese, masked for ``user``. ``reveal``: a keeper
    of the member register sees its 身份证号 and birth dates whole, recorded as a reveal (a write:
    call it in a write transaction)."""
    query = _query(session, AuditFilter(), user)
    t = AuditEntry.__table__.c
    e = session.execute(select(t.n, t.at, t.actor, t.action, t.entity, t.entity_id, t.summary, t.before_json,
                               t.after_json).where(t.n == n)).first()
    if e is None:
        raise NotFoundError(f"审计记录第 {n} 条不存在")
    org, _book = query.resolver.resolve([e])[0]
    if not query.viewer.sees(org):
        raise NotFoundError(f"审计记录第 {n} 条不在你负责的组织范围内")
    before, after = load_image(e.before_json), load_image(e.after_json)
    has_ids = _holds_ids(before) or _holds_ids(after)
    if reveal:
        if not has_ids:
            raise ValidationError("这条审计记录里没有身份证号")
        require_role(session, user, *REVEAL_ID_NUMBER, organisation_id=uuid.UUID(org) if org else None)
        row = query.row(e, org)
        record_audit(session, AuditRecord(
            "reveal", e.entity, e.entity_id, f"显示身份证号（审计日志第 {n} 条）：{row.summary}"[:300], None,
            {"organisation_id": str(uuid.UUID(org)) if org else None, "where": "审计日志", "audit_n": n}))
    shown_before = _shown("", before, e.entity, query.viewer, reveal)
    shown_after = _shown("", after, e.entity, query.viewer, reveal)
    words = _Words(session, query.resolver, e.entity, org, _book)
    fields: list[FieldChange] = []
    if isinstance(shown_before, dict) or isinstance(shown_after, dict):
        old = shown_before if isinstance(shown_before, dict) else {}
        new = shown_after if isinstance(shown_after, dict) else {}
        words.source_table = str(new.get("source_kind") or old.get("source_kind") or "")
        for key in sorted(dict.fromkeys([*new, *old]), key=_field_order(e.entity)):
            if key in HIDDEN_FIELDS:
                continue
            b, a = words.text(key, old.get(key)), words.text(key, new.get(key))
            if not b and not a:
                continue
            fields.append(FieldChange(key, words.label(key), b, a,
                                      bool(old) and bool(new) and old.get(key) != new.get(key)))
    else:
        for label, image in (("修改前", shown_before), ("修改后", shown_after)):
            if image is not None:
                shown = words.text("", image)
                fields.append(FieldChange("", label, shown if label == "修改前" else "",
                                          shown if label == "修改后" else "", False))
    fields.sort(key=lambda f: not f.changed)  # stable: within each, the order above
    return AuditDetail(query.row(e, org), e.entity_id or "", tuple(fields), reveal, has_ids)


def _holds_ids(image: Any) -> bool:
    if isinstance(image, dict):
        return any((k in _RIC_KEYS and bool(v)) or _holds_ids(v) for k, v in image.items())
    if isinstance(image, list):
        return any(_holds_ids(v) for v in image)
    return False


# --- the filters' choices and the chain ---------------------------------------------------------
def audit_choices(session: Session, *, user: UserRow) -> AuditChoices:
    """The filters' lists in the program's usual order: organisations as the navigation tree has them
    (township, then village code), users and objects by the pinyin of their names, kinds of change
    the common ones (新增、修改、删除…) first."""
    from desktop_app.core.services.orgs import list_organisations
    from desktop_app.core.textsearch import pinyin_key

    viewer = _viewer(session, user)
    users = tuple(sorted(((u, n) for u, n in session.execute(select(User.username, User.display_name))),
                         key=lambda u: (pinyin_key(u[1] or u[0]), u[0])))
    orgs = [(o.id, o.name) for o in list_organisations(session) if viewer.sees(o.id.hex)]
    seen = {oid for oid, _ in orgs}
    books = tuple((bid, oid, name) for bid, oid, name in session.execute(
        select(Book.id, Book.organisation_id, Book.name).where(Book.deleted.is_(False)).order_by(Book.code))
        if oid in seen)
    return AuditChoices(users, tuple(ACTIONS.items()),
                        tuple(sorted(ENTITIES.items(), key=lambda kv: pinyin_key(kv[1]))), tuple(orgs), books)


def audit_chain_status(session: Session, *, user: UserRow) -> ChainStatus:
    """Whether the chain verifies: ``verify``'s own check (``integrity.check_audit_chain``)."""
    from desktop_app.core.services.integrity import check_audit_chain

    _viewer(session, user)
    problems = check_audit_chain(session.connection())
    head = session.scalar(select(AuditHead.last_n).where(AuditHead.id == 1)) or 0
    return ChainStatus(not problems, int(head), tuple(problems))


def audit_size(session: Session, *, user: UserRow) -> int:
    """How many entries the chain holds (its head: no count over the table)."""
    _viewer(session, user)
    return int(session.scalar(select(AuditHead.last_n).where(AuditHead.id == 1)) or 0)
