"""Regions, organisations (集体经济组织) and their books (账套)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from db.audit import AuditRecord, record_audit
from db.base import Base
from db.changelog import bulk_insert
from db.ids import region_id
from db.images import row_image
from db.models import Account, Book, Entry, OpeningBalance, Organisation, Region, Voucher
from db.types import uuid7
from desktop_app.core import charts
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.ids import (
    region_level,
    region_parent,
    validate_org_uscc,
    validate_region_code,
    validate_uscc,
)
from desktop_app.core.rows import AccountRow, BookRow, OrgRow, RegionRow, UserRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import cached, reads
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.validate import clean_text

ORG_LEVELS = ("组", "村", "乡镇")
BOOK_KINDS = ("股份经济合作社", "经济合作社", "经济联合社", "村民委员会", "村民小组", "其他")
# Books kept by the collective economic organisation itself: they print its own USCC unless they
# name another. The other kinds (a 村民委员会's books …) are another body's and print its own code.
ORG_OWN_BOOK_KINDS = ("股份经济合作社", "经济合作社", "经济联合社")
# Which region level an organisation of each level sits in (a 组 has no code of its own).
_REGION_LEVEL_FOR_ORG = {"组": "村", "村": "村", "乡镇": "乡镇"}
_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _text(value: Any, field: str, *, required: bool = True, max_len: int = 100) -> str | None:
    return clean_text(value, field, max_len, required=required)


def _region_row(r: Region) -> RegionRow:
    return RegionRow(r.id, r.code, r.name, r.level, r.parent_id)


def create_region(session: Session, *, code: str, name: str, user: UserRow) -> RegionRow:
    """Add a 区划 unit; its parent (by code structure) must exist unless it is the top."""
    require_role(session, user, *ENTER_RECORDS)
    code = validate_region_code(code)
    name = _text(name, "名称") or ""
    if session.scalar(select(Region.id).where(Region.code == code)):
        raise ConflictError(f"区划代码 {code} 已存在", field="区划代码")
    parent_code = region_parent(code)
    parent_id = session.scalar(select(Region.id).where(Region.code == parent_code)) if parent_code else None
    region = Region(id=region_id(code), code=code, name=name, level=region_level(code), parent_id=parent_id)
    session.add(region)
    session.flush()
    record_audit(session, AuditRecord("create", "region", str(region.id), f"新增区划 {code} {name}", None, row_image(region)))
    return _region_row(region)


def list_regions(session: Session) -> list[RegionRow]:
    rows = session.execute(
        select(Region.id, Region.code, Region.name, Region.level, Region.parent_id)
        .where(Region.deleted.is_(False)).order_by(Region.code)
    )
    return [RegionRow(*r) for r in rows]


def _org_query() -> Any:
    town = aliased(Region)
    return (
        select(
            Organisation.id, Organisation.name, Organisation.level, Organisation.uscc,
            Region.code, Region.name, town.code, town.name,
            Organisation.legal_rep, Organisation.phone, Organisation.address,
        )
        .join(Region, Organisation.region_id == Region.id)
        .outerjoin(town, Region.parent_id == town.id)
        .where(Organisation.deleted.is_(False))
    )


def list_organisations(session: Session) -> list[OrgRow]:
    """All organisations, ordered by township then village code (the navigation tree's list,
    read at every start: a column select on the connection, statement built once)."""
    session.flush()
    return [OrgRow(*r) for r in session.connection().execute(_ALL_ORGS)]


def get_organisation(session: Session, org_id: uuid.UUID) -> OrgRow:
    return cached(session, ("organisation", org_id), lambda: _get_organisation(session, org_id))


_ORG_BY_ID = _org_query().where(Organisation.id == bindparam("org_id"))  # built once: building costs more than running
_ALL_ORGS = _org_query().order_by(Region.code, Organisation.uscc)


def _get_organisation(session: Session, org_id: uuid.UUID) -> OrgRow:
    row = reads(session).execute(_ORG_BY_ID, {"org_id": org_id}).first()
    if row is None:
        raise NotFoundError("找不到该组织")
    return OrgRow(*row)


def find_organisation(session: Session, code: str) -> OrgRow:
    """Look an organisation up the way the CLI names it: by USCC or 区划代码."""
    code = (code or "").strip().upper()
    q = _org_query()
    rows = session.execute(q.where((Organisation.uscc == code) | (Region.code == code))).all()
    if not rows:
        raise NotFoundError(f"找不到代码为 {code} 的组织（请使用统一社会信用代码或12位区划代码）", field="组织")
    if len(rows) > 1:
        names = "、".join(r[1] for r in rows)
        raise ConflictError(f"区划代码 {code} 下有多个组织（{names}），请改用统一社会信用代码", field="组织")
    return OrgRow(*rows[0])


def _validated_org_fields(session: Session, values: dict[str, Any], org_id: uuid.UUID | None) -> dict[str, Any]:
    name = _text(values.get("name"), "名称")
    level = (values.get("level") or "").strip()
    if level not in ORG_LEVELS:
        raise ValidationError("层级必须是 组、村 或 乡镇", field="层级")
    uscc = validate_org_uscc(values.get("uscc") or "", level)
    clash = session.scalar(select(Organisation.id).where(Organisation.uscc == uscc, Organisation.deleted.is_(False)))
    if clash is not None and clash != org_id:
        raise ConflictError(f"统一社会信用代码 {uscc} 已被其他组织使用", field="统一社会信用代码")
    region_code = validate_region_code(values.get("region_code") or "")
    region = session.execute(select(Region).where(Region.code == region_code, Region.deleted.is_(False))).scalar()
    if region is None:
        raise NotFoundError(f"区划代码 {region_code} 不存在，请先添加该区划", field="区划代码")
    if region.level != _REGION_LEVEL_FOR_ORG[level]:
        raise ValidationError(
            f"{level}级组织应属于{_REGION_LEVEL_FOR_ORG[level]}级区划，而 {region_code} 是{region.level}级",
            field="区划代码",
        )
    return {
        "name": name, "level": level, "uscc": uscc, "region_id": region.id,
        "legal_rep": _text(values.get("legal_rep"), "法定代表人", required=False, max_len=50),
        "phone": _text(values.get("phone"), "联系电话", required=False, max_len=30),
        "address": _text(values.get("address"), "地址", required=False, max_len=200),
    }


def create_organisation(session: Session, *, user: UserRow, **values: Any) -> OrgRow:
    """Fields: name, level (组/村/乡镇), uscc, region_code, legal_rep, phone, address."""
    require_role(session, user, *ENTER_RECORDS)
    fields = _validated_org_fields(session, values, None)
    # A USCC is unique in the file; one whose organisation was taken back (remove_organisation)
    # comes back to life rather than clashing with its tombstone.
    org = session.scalar(select(Organisation).where(Organisation.uscc == fields["uscc"]))
    before = row_image(org) if org is not None else None
    if org is None:
        org = Organisation(**fields)
        session.add(org)
    else:
        for key, value in fields.items():
            setattr(org, key, value)
        org.deleted = False
    session.flush()
    record_audit(session, AuditRecord("create", "organisation", str(org.id),
                                      f"新增组织 {org.name}（{org.uscc}）", before, row_image(org)))
    return get_organisation(session, org.id)


def update_organisation(session: Session, org_id: uuid.UUID, *, user: UserRow, expected: OrgRow | None = None,
                        **values: Any) -> OrgRow:
    """With ``expected`` (an undo putting the old values back), only if nobody changed it since."""
    org = session.get(Organisation, org_id)
    if org is None or org.deleted:
        raise NotFoundError("找不到该组织")
    require_role(session, user, *ENTER_RECORDS, organisation_id=org_id)
    before = row_image(org)
    current = get_organisation(session, org_id)
    if expected is not None and current != expected:
        raise ConflictError(f"组织 {org.name} 已被再次修改，不能撤销")
    merged = {
        "name": current.name, "level": current.level, "uscc": current.uscc,
        "region_code": current.region_code, "legal_rep": current.legal_rep,
        "phone": current.phone, "address": current.address, **values,
    }
    for key, value in _validated_org_fields(session, merged, org_id).items():
        setattr(org, key, value)
    session.flush()
    after = row_image(org)
    if after != before:
        record_audit(session, AuditRecord("update", "organisation", str(org.id), f"修改组织 {org.name}", before, after))
    return get_organisation(session, org_id)


def remove_organisation(session: Session, org_id: uuid.UUID, *, user: UserRow, expected: OrgRow | None = None) -> None:
    """Take back an organisation registered by mistake: only while nothing refers to it (no book,
    member, contract, asset …), and, with ``expected``, only if nobody changed it since. The row is
    tombstoned (kept for sync and audit), never deleted."""
    org = session.get(Organisation, org_id)
    if org is None or org.deleted:
        raise NotFoundError("找不到该组织")
    require_role(session, user, *ENTER_RECORDS, organisation_id=org_id)
    if expected is not None and get_organisation(session, org_id) != expected:
        raise ConflictError(f"组织 {org.name} 已被再次修改，不能撤销")
    for table in Base.metadata.sorted_tables:
        if "organisation_id" in table.c and "deleted" in table.c:
            used = session.scalar(select(func.count()).select_from(table).where(
                table.c.organisation_id == org_id, table.c.deleted.is_(False)))
            if used:
                raise ConflictError(f"组织 {org.name} 已有账套或业务数据，不能撤销新增", field="组织")
    before = row_image(org)
    org.deleted = True
    session.flush()
    record_audit(session, AuditRecord("delete", "organisation", str(org.id), f"撤销新增组织 {org.name}",
                                      before, row_image(org)))


def _book_row(b: Book) -> BookRow:
    return BookRow(b.id, b.organisation_id, b.code, b.name, b.kind, b.chart_version, b.start_period, b.credit_code)


def _book_credit_code(session: Session, organisation_id: uuid.UUID, kind: str, value: Any) -> str | None:
    """The 统一社会信用代码 of the body that keeps a book (blank: none of its own).

    A 村民委员会 is registered by 民政 (54…); the collective economic organisation's own books
    carry an N1/N2/N3 code of its level; other bodies any well-formed code."""
    text = str(value or "").strip()
    if not text:
        return None
    field = "账套单位统一社会信用代码"
    if kind in ORG_OWN_BOOK_KINDS:
        return validate_org_uscc(text, get_organisation(session, organisation_id).level, field=field)
    code = validate_uscc(text, field=field)
    if kind == "村民委员会" and not code.startswith("54"):
        raise ValidationError(f"村民委员会的统一社会信用代码应以 54 开头，现在是 {code[:2]}", field=field)
    if code == get_organisation(session, organisation_id).uscc:
        raise ValidationError(f"{kind}账套的统一社会信用代码应是{kind}自己的，不是集体经济组织的", field=field)
    return code


def book_credit_code(session: Session, book_id: uuid.UUID, *, own_only: bool = False) -> str | None:
    """The code a book's sheets print: its own, else the organisation's for the organisation's own
    books; None for another body's book that has no code recorded (never the cooperative's).
    ``own_only``: only what was recorded for the book itself (the edit form)."""
    row = reads(session).execute(_BOOK_CODE, {"book_id": book_id}).first()
    if row is None:
        raise NotFoundError("找不到该账套", field="账套")
    own, kind, org_uscc = row
    if own or own_only:
        return str(own) if own else None
    return str(org_uscc) if kind in ORG_OWN_BOOK_KINDS else None


_BOOK_CODE = (select(Book.credit_code, Book.kind, Organisation.uscc)
              .join(Organisation, Organisation.id == Book.organisation_id).where(Book.id == bindparam("book_id")))


def create_book(
    session: Session, *, organisation_id: uuid.UUID, name: str, kind: str, start_period: str, user: UserRow,
    chart_version: str = "2023", code: str | None = None, credit_code: str | None = None,
) -> BookRow:
    """Open a 账套 and copy the national chart of its version into it. ``credit_code``: the
    统一社会信用代码 of the body keeping the books when it is not the organisation (a 村民委员会's)."""
    get_organisation(session, organisation_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    name = _text(name, "账套名称") or ""
    if kind not in BOOK_KINDS:
        raise ValidationError(f"账套类型必须是：{'、'.join(BOOK_KINDS)}", field="账套类型")
    if chart_version not in charts.chart_versions():
        raise ValidationError("会计制度版本必须是 2023 或 2004", field="会计制度")
    start_period = (start_period or "").strip()
    m = _PERIOD_RE.match(start_period)
    if not m:
        raise ValidationError("启用期间格式应为 YYYY-MM，例如 2026-01", field="启用期间")
    if chart_version == "2023" and start_period < "2024-01":
        raise ValidationError("2023版会计制度自2024年1月1日起施行，启用期间不能早于 2024-01", field="启用期间")
    existing = session.scalar(select(func.count()).select_from(Book).where(Book.organisation_id == organisation_id))
    code = _text(code, "账套编号", required=False, max_len=20) or f"{(existing or 0) + 1:02d}"
    if session.scalar(select(Book.id).where(Book.organisation_id == organisation_id, Book.code == code)):
        raise ConflictError(f"账套编号 {code} 已存在", field="账套编号")
    own_code = _book_credit_code(session, organisation_id, kind, credit_code)
    book = Book(organisation_id=organisation_id, code=code, name=name, kind=kind,
                chart_version=chart_version, start_period=start_period, credit_code=own_code)
    session.add(book)
    session.flush()
    _seed_accounts(session, book.id, chart_version)
    record_audit(session, AuditRecord("create", "book", str(book.id),
                                      f"新建账套 {name}（{chart_version}版会计制度，{start_period}启用）", None, row_image(book)))
    return _book_row(book)


def update_book(session: Session, book_id: uuid.UUID, *, user: UserRow, name: str | None = None,
                credit_code: str | None = None) -> BookRow:
    """Rename a book or set the 统一社会信用代码 it prints (``credit_code=""`` clears it); audited.
    The kind, chart and start period stay: the vouchers already written depend on them."""
    book = session.get(Book, book_id)
    if book is None or book.deleted:
        raise NotFoundError("找不到该账套", field="账套")
    require_role(session, user, *ENTER_RECORDS, organisation_id=book.organisation_id)
    before = row_image(book)
    if name is not None:
        book.name = _text(name, "账套名称") or ""
    if credit_code is not None:
        book.credit_code = _book_credit_code(session, book.organisation_id, book.kind, credit_code)
    session.flush()
    after = row_image(book)
    if after != before:
        record_audit(session, AuditRecord("update", "book", str(book.id), f"修改账套 {book.name}", before, after))
    return _book_row(book)


def _seed_accounts(session: Session, book_id: uuid.UUID, version: str) -> None:
    ids: dict[str, uuid.UUID] = {}
    levels: dict[str, int] = {}
    rows = []
    for acc in charts.load_chart(version):  # parents come before children in the chart files
        ids[acc.code] = uuid7()
        levels[acc.code] = levels[acc.parent_code] + 1 if acc.parent_code else 1
        rows.append({
            "id": ids[acc.code], "book_id": book_id, "code": acc.code, "name": acc.name,
            "category": acc.category, "normal_side": acc.normal_side,
            "parent_id": ids[acc.parent_code] if acc.parent_code else None,
            "level": levels[acc.code], "is_standard": True, "active": True,
        })
    bulk_insert(session, Account, rows)


_BOOKS = select(Book.id, Book.organisation_id, Book.code, Book.name, Book.kind, Book.chart_version,
                Book.start_period, Book.credit_code).where(Book.deleted.is_(False)).order_by(Book.organisation_id, Book.code)
_ORG_BOOKS = _BOOKS.where(Book.organisation_id == bindparam("org_id"))  # built once, as _ORG_BY_ID


def list_books(session: Session, organisation_id: uuid.UUID | None = None) -> list[BookRow]:
    if organisation_id is None:
        return [BookRow(*r) for r in reads(session).execute(_BOOKS)]
    return [BookRow(*r) for r in reads(session).execute(_ORG_BOOKS, {"org_id": organisation_id})]


def get_book(session: Session, book_id: uuid.UUID) -> BookRow:
    b = session.get(Book, book_id)
    if b is None or b.deleted:
        raise NotFoundError("找不到该账套")
    return _book_row(b)


def list_accounts(session: Session, book_id: uuid.UUID) -> list[AccountRow]:
    rows = session.execute(
        select(Account.id, Account.book_id, Account.code, Account.name, Account.category, Account.normal_side,
               Account.parent_id, Account.level, Account.is_standard, Account.active)
        .where(Account.book_id == book_id, Account.deleted.is_(False)).order_by(Account.code)
    ).all()
    parents = {r.parent_id for r in rows if r.parent_id is not None}
    return [AccountRow(r.id, r.book_id, r.code, r.name, r.category, r.normal_side, r.parent_id, r.level,
                       r.id not in parents, r.is_standard, r.active) for r in rows]


def add_sub_account(session: Session, *, book_id: uuid.UUID, parent_code: str, code: str, name: str,
                    user: UserRow) -> AccountRow:
    """A book's own sub-account (明细科目): code = parent code + 2 digits (bookkeeper or sysadmin).

    Refused while the parent itself carries anything (an opening balance, or lines of vouchers
    that are not void): it would stop being a leaf, so its balance could neither be posted to nor
    carried by the year-end close. Sub-accounts are set up before an account is used.
    """
    require_role(session, user, "bookkeeper", "sysadmin", book_id=book_id)
    get_book(session, book_id)
    parent = session.execute(select(Account).where(Account.book_id == book_id, Account.code == parent_code,
                                                   Account.deleted.is_(False))).scalar()
    if parent is None:
        raise NotFoundError(f"上级科目 {parent_code} 不存在", field="上级科目")
    code = (code or "").strip()
    if not re.fullmatch(re.escape(parent_code) + r"\d{2}", code):
        raise ValidationError(f"明细科目编码应为上级科目编码 {parent_code} 加两位数字", field="科目编码")
    if session.scalar(select(Account.id).where(Account.book_id == book_id, Account.code == code)):
        raise ConflictError(f"科目编码 {code} 已存在", field="科目编码")
    opening = session.execute(select(OpeningBalance.debit, OpeningBalance.credit).where(
        OpeningBalance.book_id == book_id, OpeningBalance.account_id == parent.id,
        OpeningBalance.deleted.is_(False))).first()
    used = dict(session.execute(
        select(Voucher.status, func.count(func.distinct(Voucher.id)))
        .join(Entry, Entry.voucher_id == Voucher.id)
        .where(Entry.account_id == parent.id, Entry.deleted.is_(False), Voucher.deleted.is_(False),
               Voucher.status != "作废")
        .group_by(Voucher.status)).all())
    if opening is not None or used:
        what = []
        if opening is not None:
            what.append(f"已有期初余额（借方 {opening[0]}，贷方 {opening[1]}）")
        if used:
            posted = used.get("记账", 0)
            what.append(f"已被 {sum(used.values())} 张凭证使用（已记账 {posted} 张，未记账 {sum(used.values()) - posted} 张）")
        raise ConflictError(f"科目 {parent.code} {parent.name} {'，并'.join(what)}，不能再增设明细科目："
                            "增设后上级科目不能再记账，其余额也无法结转。请在科目使用之前设置明细科目",
                            field="上级科目")
    acc = Account(book_id=book_id, code=code, name=_text(name, "科目名称"), category=parent.category,
                  normal_side=parent.normal_side, parent_id=parent.id, level=parent.level + 1, is_standard=False)
    session.add(acc)
    session.flush()
    record_audit(session, AuditRecord("create", "account", str(acc.id), f"新增明细科目 {code} {acc.name}", None, row_image(acc)))
    return next(a for a in list_accounts(session, book_id) if a.id == acc.id)
