"""显示身份证 on the members page: lists show 身份证号 masked (first 6 + last 4); the keepers of
the register may show the full numbers of the selected organisation's members, each time through
the audited ``personal_data.reveal_id_numbers``, until they hide them or choose another
organisation. The lists still find a member by the whole number or its last 6 while it is
masked (``MemberRowsModel``: hidden keys of the stored value, ``personal_data.ric_search_keys``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QPushButton, QWidget

from desktop_app.core.errors import UserError
from desktop_app.core.services.personal_data import reveal_id_numbers, ric_query_key, ric_search_keys
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.tables import RowTableModel

SHOW, HIDE = "显示身份证(&D)", "隐藏身份证(&D)"


class RicReveal:
    """The numbers this user chose to see (``revealed``, read by the member columns) and the
    button's handler; ``reload`` is the page's, called after each change."""

    def __init__(self, ctx: AppContext, page: QWidget, reload: Callable[[], None]) -> None:
        self.ctx, self.page, self.reload = ctx, page, reload
        self.revealed: dict[uuid.UUID, str] = {}
        self.org_id: uuid.UUID | None = None

    def _button(self) -> QPushButton | None:
        return self.page.findChild(QPushButton, "btn_reveal_ric")

    def toggle(self) -> None:
        if self.revealed:
            self.hide()
        else:
            org = self.ctx.org
            if org is None:
                show_user_error(self.page, "请先在左侧选择组织")
                return
            try:
                shown = self.ctx.call(reveal_id_numbers, org.id, user=self.ctx.user, where="成员与分配")
            except UserError as err:
                show_user_error(self.page, err)
                return
            self.revealed.update(shown)
            self.org_id = org.id
            if (button := self._button()) is not None:
                button.setText(HIDE)
        self.reload()

    def hide(self) -> None:
        self.revealed.clear()
        self.org_id = None
        if (button := self._button()) is not None:
            button.setText(SHOW)

    def forget_if_moved(self) -> None:
        """Another organisation (or none) is selected: its numbers were not asked for."""
        org = self.ctx.org
        if self.revealed and (org is None or org.id != self.org_id):
            self.hide()


class MemberRowsModel(RowTableModel):
    """A member list whose filter also matches the stored 身份证号 behind the masked column: a
    typed whole number (or last 6) becomes its key, which only that member's hidden key contains;
    the row stays masked and no other number shows."""

    def set_filter(self, text: str) -> None:
        super().set_filter(ric_query_key(text) or text)

    def _haystacks(self) -> list[str]:
        if self._hays is None or len(self._hays) != len(self._all):
            base = super()._haystacks()
            self._hays = [f"{hay}\x00{ric_search_keys(_ric(row))}" for hay, row in zip(base, self._all, strict=True)]
        return self._hays


def _ric(row: Any) -> str | None:
    ric = getattr(row, "ric", None)
    return ric if isinstance(ric, str) else None
