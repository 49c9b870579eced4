"""What every page shares: the open database, the logged-in user, the current organisation,
book and period, and the app-wide ``data_changed`` signal (DESIGN §2.4).

Pages never talk to each other: they call services through ``call`` (one transaction
per user action) and reload themselves when ``data_changed`` or ``context_changed`` fires.

``call`` and ``read`` are synchronous to their callers but the function runs on a database
thread (``tasks.run_on_db``): the GUI thread never runs SQL (issue #16). The function therefore
must not touch widgets: read what it needs from them before the call and pass it in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from db.engine import Database
from desktop_app.core.errors import DatabaseBusy
from desktop_app.core.rows import BookRow, OrgRow, UserRow
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.tasks import on_db_thread, read_transaction, run_on_db, write_transaction

T = TypeVar("T")

WINDOW_WAIT_MS = 1500  # how long a save waits for another writer before the window asks 重试/取消


@dataclass(frozen=True)
class UndoEntry:
    """How to take back the last save, where the domain allows it (DESIGN-NOTES: undo).

    ``undo`` is a service call like any other (validated, one transaction, in the audit log);
    what cannot be taken back this way (posted vouchers, receipts …) is corrected by the area's
    own 撤销/红字冲销 and never registers an entry."""

    text: str  # "修改组织「东湖村股份经济合作社」"
    kind: str  # the data_changed kind to announce after undoing
    ids: tuple[Any, ...]
    undo: Callable[[Any], object]  # receives the session


def current_period(today: date | None = None) -> str:
    d = today or date.today()
    return f"{d.year:04d}-{d.month:02d}"


class AppContext(QObject):
    data_changed = Signal(str, object)  # kind ("organisation", "book", "voucher", …), ids (tuple)
    context_changed = Signal()  # organisation, book or period switched
    undo_changed = Signal()  # the last save that can be taken back changed
    page_requested = Signal(str)  # a page asks the window to show another page (PageSpec id), e.g. 首页

    def __init__(self, db: Database, user: UserRow, settings: WindowSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.user = user
        self.settings = settings
        self.org: OrgRow | None = None
        self.book: BookRow | None = None
        self.period: str = current_period()
        self.undo_entry: UndoEntry | None = None

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one service call in its own write transaction (commit on success, rollback on
        error) on the database thread. It takes the write lock at once, so use ``read`` for calls
        that only read.

        While another writer holds the lock (a background import, the command line) the window
        waits a moment, then asks 重试/取消 (``ask_retry``, on the GUI thread between attempts)
        instead of freezing for the busy timeout and then crashing; 取消 raises ``DatabaseBusy``,
        shown calmly: nothing was saved. Called inside a task (already on a database thread) it
        runs there directly and waits the full busy timeout, as a batch does: nobody to ask."""
        def work(session: Any) -> T:
            return fn(session, *args, **kwargs)

        if on_db_thread():
            return write_transaction(self.db, self.user.username, work)
        while True:
            try:
                return run_on_db(lambda: write_transaction(self.db, self.user.username, work, WINDOW_WAIT_MS))
            except DatabaseBusy:
                if not self.ask_retry():
                    raise

    def ask_retry(self) -> bool:
        from desktop_app.ui.errors import ask_retry

        return ask_retry(None, DatabaseBusy().message)

    def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a read-only service call in a WAL snapshot on the database thread: it never
        waits for a writer (a background import or batch holding the write lock), so the window
        never freezes on it."""
        return run_on_db(lambda: read_transaction(self.db, self.user.username, lambda s: fn(s, *args, **kwargs)))

    def notify(self, kind: str, ids: tuple[Any, ...] = ()) -> None:
        """Announce a change. Any change makes the remembered save no longer the last one."""
        if kind != "refresh" and self.undo_entry is not None:
            self.undo_entry = None
            self.undo_changed.emit()
        self.data_changed.emit(kind, ids)

    def saved(self, kind: str, ids: tuple[Any, ...] = (), *, undo: UndoEntry | None = None) -> None:
        """A save went through: announce it and remember how to take it back (Ctrl+Z)."""
        self.notify(kind, ids)
        if undo is not None:
            self.undo_entry = undo
            self.undo_changed.emit()

    def undo_last(self) -> str | None:
        """Take back the last save; the entry is used up either way it ends (a refused undo is
        shown as the UserError it raises, and nothing was changed)."""
        entry, self.undo_entry = self.undo_entry, None
        self.undo_changed.emit()
        if entry is None:
            return None
        self.call(entry.undo)
        self.notify(entry.kind, entry.ids)
        return entry.text

    def set_selection(self, org: OrgRow | None, book: BookRow | None) -> None:
        if (org, book) != (self.org, self.book):
            self.org, self.book = org, book
            if org is not None and self.settings.get("last_org") != str(org.id):  # a write syncs the file
                self.settings.set("last_org", str(org.id))
            self.context_changed.emit()

    def set_period(self, period: str) -> None:
        if period != self.period:
            self.period = period
            self.context_changed.emit()


def follow_period(ctx: AppContext, picker: Any) -> None:
    """Keep a page's period picker and the app-wide period in step, both ways.

    The picker may also offer quarters or years; only a month is pushed to the app, and the
    app's month is shown in the picker only while the picker shows a month.
    """

    def push(value: str) -> None:
        if len(value) == 7 and value[4] == "-":
            ctx.set_period(value)

    def pull() -> None:
        current = picker.value()
        if len(current) == 7 and current != ctx.period:
            picker.blockSignals(True)
            picker.setValue(ctx.period)
            picker.blockSignals(False)

    picker.changed.connect(push)
    ctx.context_changed.connect(pull)
