"""账套设置: a book's own settings (``db.models.BookSetting``), read with their defaults.

``auto_vouchers`` decides what happens to a voucher another module makes (a receipt, an asset
purchase, a depreciation run, a distribution …; ``vouchers.record_auto_voucher`` one at a time,
``posting_batch.PostingBatch`` for the batch forms): ``review`` (the default) — it waits in 填制
for 审核 and 记账 by people like any voucher typed in 填制, its 来源 naming the module; ``post``
— 系统 reviews and posts it at once, since its lines follow from a record that was itself
entered. 年终结转 is posted either way (December closes on it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import BookSetting
from desktop_app.core.errors import ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.services.funds_base import get_book_row
from desktop_app.core.services.users import require_role

AUTO_VOUCHERS = "auto_vouchers"
AUTO_POST, AUTO_REVIEW = "post", "review"
AUTO_VOUCHER_LABELS = {AUTO_POST: "系统自动审核、记账", AUTO_REVIEW: "送审核（与手工凭证相同）"}
DEFAULTS = {AUTO_VOUCHERS: AUTO_REVIEW}
SET_BOOK_SETTINGS = ("reviewer",)  # the 审核员: the setting decides whether her step is skipped


@dataclass(frozen=True)
class BookSettingRow:
    book_id: uuid.UUID
    key: str
    value: str
    saved: bool  # False: the default, nothing stored


def get_book_setting(session: Session, book_id: uuid.UUID, key: str) -> BookSettingRow:
    if key not in DEFAULTS:
        raise ValidationError(f"未知的账套设置：{key}", field="设置")
    value = session.scalar(select(BookSetting.value).where(
        BookSetting.book_id == book_id, BookSetting.key == key, BookSetting.deleted.is_(False)))
    return BookSettingRow(book_id, key, value if value is not None else DEFAULTS[key], value is not None)


def auto_vouchers_posted(session: Session, book_id: uuid.UUID) -> bool:
    """Whether the book's automatic vouchers are reviewed and posted by 系统 when made."""
    return get_book_setting(session, book_id, AUTO_VOUCHERS).value == AUTO_POST


def set_auto_vouchers(session: Session, book_id: uuid.UUID, value: str, *, user: UserRow) -> BookSettingRow:
    """自动凭证: ``post`` or ``review`` (审核员 only; audited)."""
    require_role(session, user, *SET_BOOK_SETTINGS, book_id=book_id)
    if value not in AUTO_VOUCHER_LABELS:
        raise ValidationError("自动凭证的处理方式应为：" + "、".join(AUTO_VOUCHER_LABELS.values()), field="自动凭证")
    book = get_book_row(session, book_id)
    row = session.scalar(select(BookSetting).where(BookSetting.book_id == book_id,
                                                   BookSetting.key == AUTO_VOUCHERS))
    before = get_book_setting(session, book_id, AUTO_VOUCHERS).value
    if row is None:
        row = BookSetting(book_id=book_id, key=AUTO_VOUCHERS, value=value)
        session.add(row)
    else:
        row.value, row.deleted = value, False
    session.flush()
    record_audit(session, AuditRecord("update", "book_setting", str(row.id),
                                      f"{book.name} 自动凭证：{AUTO_VOUCHER_LABELS[value]}",
                                      {"auto_vouchers": before}, {"auto_vouchers": value}))
    return get_book_setting(session, book_id, AUTO_VOUCHERS)
