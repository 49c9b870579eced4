"""The 财务公开 page's two small forms: register that the sheets were posted, and the 公开设置
(who checks, who prepares, the supervision phone, how long and how often)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox

from desktop_app.core.services import disclosure as svc
from desktop_app.core.services.orgs import list_books
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.widgets import DateEdit

if TYPE_CHECKING:
    from desktop_app.ui.pages.disclosure import DisclosurePage


def mark_posted(page: DisclosurePage) -> None:
    org, period = page.org(), page.period()
    if org is None or period is None:
        return
    day = DateEdit(date.today())  # the project's date field: typed dates, ↑/↓ a day, PgUp/PgDn a month

    def save(values: dict[str, Any]) -> list[svc.DisclosureRecordRow]:
        d: date = values["day"]
        user = page.ctx.user

        def post(s: Any) -> list[svc.DisclosureRecordRow]:
            return [svc.mark_disclosure_posted(s, book_id=b.id, period_code=period.code, posted_on=d, user=user)
                    for b in list_books(s, org.id) if b.start_period <= period.last]

        return page.ctx.call(post)

    dialog = FormDialog(f"登记张贴：{org.name} {period.label}", [Field("day", "张贴日期", day, required=True)],
                        save, parent=page)
    if dialog.exec():
        page.ctx.notify("disclosure", tuple(r.book_id for r in dialog.result_value))


def edit_settings(page: DisclosurePage) -> None:
    org = page.org()
    if org is None:
        return
    cur = page.ctx.read(svc.get_disclosure_settings, org.id)
    body, freq, days = QComboBox(), QComboBox(), QSpinBox()
    for b in svc.CHECKING_BODIES:
        body.addItem(b, b)
    for k, label in svc.FREQUENCIES.items():
        freq.addItem(label, k)
    days.setRange(1, 366)
    fields = [Field("checking_body", "审核监督机构", body, required=True), Field("preparer", "制表人（会计）", QLineEdit()),
              Field("phone", "监督电话", QLineEdit()), Field("posting_days", "公开期限（天）", days, required=True),
              Field("frequency", "公开频次", freq, required=True)]
    values = {"checking_body": cur.checking_body, "preparer": cur.preparer, "phone": cur.phone,
              "posting_days": cur.posting_days, "frequency": cur.frequency}

    def save(v: dict[str, Any]) -> svc.DisclosureSettingsRow:
        clean = {k: ("" if v[k] is None and k in ("preparer", "phone") else v[k]) for k in v}
        return page.ctx.call(svc.update_disclosure_settings, org.id, user=page.ctx.user, **clean)

    dialog = FormDialog(f"财务公开设置：{org.name}", fields, save, values=values, parent=page)
    if dialog.exec():
        page.ctx.notify("disclosure", ())
