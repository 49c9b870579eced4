"""显示身份证 on the members page: lists show 身份证号 masked (first 6 + last 4); the keepers of
the register may show the full numbers of the selected organisation's members, each time through
the audited ``personal_data.reveal_id_numbers``, until they hide them or choose another
organisation."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtWidgets import QPushButton, QWidget

from desktop_app.core.errors import UserError
from desktop_app.core.services.personal_data import reveal_id_numbers
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error

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
