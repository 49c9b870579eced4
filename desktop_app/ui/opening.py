"""Opening the database behind the login dialog.

The first window must paint as fast as a bare Qt window, but SQLAlchemy, Alembic, the models
and the pages take most of a second to import, and a migration or a new demo database takes
longer. So the login dialog is shown at once and ``DatabaseOpening`` does that work in a
worker thread while the user types the password: open (or create) the database, then import
the pages and load the pinyin dictionary so the main window opens at once too.

Only modules are imported and the database opened in the worker; no widget is created off the
GUI thread. ``opened`` and ``progressed`` are delivered on the GUI thread (queued, as the emitter
is another thread).

The warm-up comes in two parts. What the main window needs (the pages' modules, the first
reads) sets ``ready``; the pinyin dictionary (most of a second, much of it one ``json.loads``
that holds the interpreter lock throughout) comes after, and waits until the main window has
painted (``release``; also when the program ends without one) so it never stalls the window
being built, however soon after the pages were imported 登录 is pressed: the dictionary is only
needed when a list is first sorted or filtered by a name.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop_app.core.progress import Progress

if TYPE_CHECKING:
    from db.engine import Database

log = logging.getLogger(__name__)


class DatabaseOpening(QObject):
    """``open_fn(progress)`` run once in a worker thread; ``db`` or ``error`` is set before ``opened``.

    ``open_fn`` may report its steps on the ``Progress`` it is given (building the demo does);
    each report arrives on the GUI thread as ``progressed(done, total, text)``.
    """

    opened = Signal()
    progressed = Signal(int, int, str)

    def __init__(self, path: Path, open_fn: Callable[[Progress], Database], *, status: str = "正在打开数据库…",
                 warm_up: bool = True, hint: str = "", username: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.status = status
        self.hint = hint  # shown on the login dialog: the accounts of a database just created
        self.username = username  # pre-filled when the caller names none
        self.db: Database | None = None
        self.error: BaseException | None = None
        self.seconds: float | None = None  # how long opening took (the log and the benchmark read it)
        self.progress = Progress(self.progressed.emit, min_interval=0.1)
        self._open_fn = open_fn
        self._warm_up = warm_up
        self._done = threading.Event()
        self._ready = threading.Event()  # open (or failed) and what the main window needs imported
        self._go_on = threading.Event()  # the rest of the warm-up may run: set once the main window has painted
        self._thread = threading.Thread(target=self._work, name="open-database", daemon=True)

    @classmethod
    def ready(cls, db: Database) -> DatabaseOpening:
        """An already open database (tests, and callers that opened it themselves)."""
        opening = cls(db.path, lambda _progress: db, warm_up=False)
        opening.db = db
        opening.seconds = 0.0
        opening._done.set()
        opening._ready.set()
        return opening

    def start(self) -> DatabaseOpening:
        """Start the worker (once; later calls do nothing)."""
        if not self.done and not self._thread.is_alive() and self._thread.ident is None:
            self._thread.start()
        return self

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def is_ready(self) -> bool:
        """Open (or failed) and what the main window needs imported (``wait_ready``)."""
        return self._ready.is_set()

    def hold(self) -> None:
        """The GUI thread is about to build the main window: what is left of the warm-up
        (the pinyin dictionary) waits for ``release`` unless it has already begun (it waits
        from the start until the first ``release``; this makes it wait again after one)."""
        self._go_on.clear()

    def release(self) -> None:
        self._go_on.set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the database is open (or failed) and the main window's modules are
        imported; the pinyin dictionary may still be loading (or held)."""
        return self._ready.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the database is open (or failed) and the warm-up finished.

        The program waits here before it exits, so a migration or a demo being written is never
        cut off half way (each runs in one transaction, but an exit mid-way would still leave a
        database file with no users behind)."""
        self.release()
        finished = self._done.wait(timeout)
        if finished and self._thread.is_alive():
            self._thread.join(timeout)
        return finished

    def _work(self) -> None:
        started = time.perf_counter()
        try:
            self.db = self._open_fn(self.progress)
        except BaseException as exc:  # shown on the GUI thread by whoever listens to ``opened``
            self.error = exc
        self.seconds = time.perf_counter() - started
        self._done.set()
        self.opened.emit()
        try:
            if self.db is not None and self._warm_up:
                warm_up(self.db)
        finally:
            self._ready.set()
        if self.db is not None and self._warm_up:
            self._go_on.wait()
            warm_up_search()


def warm_up(db: Database) -> None:
    """Import what the main window and its pages need and run once the reads the main window
    starts with (SQLAlchemy builds and compiles a statement's parts on first use).

    What is loaded stays for the whole run (modules, mappers, compiled statements, later the
    pinyin dictionary): moved out of the collector's reach (``gc.freeze``), a full collection
    no longer walks it; one took about 0.1 s and fell, at random, into building the main
    window. Freezing costs nothing (the little garbage the imports left is kept with it)."""
    try:
        from desktop_app.core.services.orgs import list_books, list_organisations
        from desktop_app.ui import main_window  # noqa: F401
        from desktop_app.ui.pages import discover_pages

        discover_pages()
        with db.read("warm-up") as session:
            for org in list_organisations(session)[:1]:
                list_books(session, org.id)
        gc.freeze()
    except Exception:  # the GUI thread does all this again and reports any real error there
        log.exception("warm-up failed")


def warm_up_search() -> None:
    """Load the pinyin dictionary (sorting and filtering by name need it)."""
    try:
        from desktop_app.core.textsearch import warm_up as load_pinyin

        load_pinyin()
        gc.freeze()
    except Exception:
        log.exception("pinyin warm-up failed")
