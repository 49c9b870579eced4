"""Long operations off the GUI thread (DESIGN §2.4).

A task is a Qt-free function ``fn(progress: Progress) -> T``. ``TaskRunner.run`` queues it on a
one-thread pool (so database work is serialised), shows a ``QProgressDialog`` with 取消 only if
it is still running after 600 ms, and delivers the outcome on the GUI thread through the
returned ``TaskHandle``'s signals: ``succeeded(result)``, ``failed(exception)``,
``cancelled()``, then always ``finished()``.

取消 sets the progress flag; the worker's next ``progress.check()``/``report()`` raises
``Cancelled`` and its own transaction rolls back. A worker that returns normally although
cancel was pressed finished its work (the commit happened), so that is a success.

Tests: ``with qtbot.waitSignal(handle.finished): ...`` or ``handle.wait()``.

Short calls (``AppContext.call``/``read``, the login dialog) go through ``run_on_db``: the
function runs on the short-call database thread (``short_pool()``) while the GUI thread goes on
processing events (paint, timers, but no user input), so the GUI thread never runs SQL (DESIGN
§2.4, issue #16). A second thread because a read must never queue behind a long import on
``db_pool()``: WAL lets it read beside the writer, as it did when it ran on the GUI thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from desktop_app.core.progress import Cancelled, Progress
from desktop_app.ui.errors import report_exception

if TYPE_CHECKING:  # the login dialog imports this module before the database stack is loaded
    from db.engine import Database

__all__ = ["DIALOG_DELAY_MS", "TaskHandle", "TaskRunner", "db_pool", "on_db_thread", "read_transaction", "run_on_db",
           "short_pool", "write_transaction"]

T = TypeVar("T")

DIALOG_DELAY_MS = 600
_pool: QThreadPool | None = None
_short_pool: QThreadPool | None = None
_here = threading.local()  # ``db``: this thread is a database thread (a task's or a short call's)


def db_pool() -> QThreadPool:
    """The application's single database worker thread."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        _pool.setExpiryTimeout(-1)  # keep the thread (and its SQLite connection) alive
    return _pool


def short_pool() -> QThreadPool:
    """The thread short calls run on (``run_on_db``): one at a time, beside the long tasks of
    ``db_pool()`` so that a read never waits for an import to finish."""
    global _short_pool
    if _short_pool is None:
        _short_pool = QThreadPool()
        _short_pool.setMaxThreadCount(1)
        _short_pool.setExpiryTimeout(-1)
    return _short_pool


def on_db_thread() -> bool:
    """True inside a task or a short call: database work here runs directly."""
    return bool(getattr(_here, "db", False))


class _DbThread:
    """Marks the running thread as a database thread for the duration (nests)."""

    def __enter__(self) -> None:
        self._was = on_db_thread()
        _here.db = True

    def __exit__(self, *exc: object) -> None:
        _here.db = self._was


class _Pending:
    """One short call in flight: a plain object, so the worker never holds a Qt object."""

    __slots__ = ("error", "finished", "fn", "result")

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn: Callable[[], Any] | None = fn
        self.finished = False
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:  # on the short-call thread
        fn, self.fn = self.fn, None
        try:
            with _DbThread():
                assert fn is not None
                self.result = fn()
        except BaseException as exc:  # re-raised on the GUI thread, its own type and traceback
            self.error = exc
        finally:
            self.finished = True  # before the wake-up: the waiting thread checks it after each event
            _short_bridge().done.emit(self)


class _ShortBridge(QObject):
    """Created in the GUI thread: the worker's ``done`` is an event posted to it, which wakes the
    waiting GUI thread."""

    done = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(self._woken, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _woken(self, _pending: object) -> None:
        pass  # the event itself was the point: ``run_on_db`` looks at ``finished`` again


_bridge_for_short: _ShortBridge | None = None


def _short_bridge() -> _ShortBridge:
    global _bridge_for_short
    if _bridge_for_short is None:  # first made by run_on_db, on the GUI thread
        _bridge_for_short = _ShortBridge()
    return _bridge_for_short


_WAIT_FLAGS = QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents | QEventLoop.ProcessEventsFlag.WaitForMoreEvents


def run_on_db(fn: Callable[[], T]) -> T:
    """Run ``fn`` on the short-call database thread and return its result (or raise its
    exception) on the calling GUI thread, which processes events meanwhile: the window repaints,
    timers and queued signals run (a nested ``run_on_db`` from them queues behind this one and
    returns first), but clicks and keys wait until the call is over, so the user cannot act on a
    half-done state. On a database thread (inside a task or another short call), or in a thread
    without an event loop to wait in, ``fn`` runs directly.

    The wait is ``processEvents`` rather than a nested ``QEventLoop.exec``: a nested loop would
    also carry out the ``deleteLater`` of whatever called it (a progress dialog closed by the
    task result that triggered this read, while its own ``setValue`` is still on the stack)."""
    app = QCoreApplication.instance()
    if on_db_thread() or app is None or QThread.currentThread() is not app.thread():
        return fn()
    _short_bridge()
    pending = _Pending(fn)
    short_pool().start(pending.run)
    while not pending.finished:
        QCoreApplication.processEvents(_WAIT_FLAGS)
    if pending.error is not None:
        error, pending.error = pending.error, None
        raise error
    result: T = pending.result
    return result


def write_transaction(db: Database, actor: str, work: Callable[[Any], T], wait_ms: int | None = None) -> T:
    """``work(session)`` in one write transaction: what ``AppContext.call`` runs on the database
    thread (the login dialog, which has no context yet, runs it through ``run_on_db`` the same way)."""
    with db.begin(actor, wait_ms=wait_ms) as session:
        return work(session)


def read_transaction(db: Database, actor: str, work: Callable[[Any], T]) -> T:
    """``work(session)`` in a read snapshot (``AppContext.read``)."""
    with db.read(actor) as session:
        return work(session)


class TaskHandle(QObject):
    """One queued task. Signals arrive on the GUI thread."""

    progressed = Signal(int, int, str)  # done, total (0 = unknown), text
    succeeded = Signal(object)
    failed = Signal(object)  # the exception (UserError or a bug)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, title: str, bridge: _Bridge, min_interval: float) -> None:
        super().__init__()
        self.title = title
        self._bridge = bridge
        self.progress = Progress(self._from_worker, min_interval=min_interval)
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.was_cancelled = False
        self.cancellable = True
        self.dialog: QProgressDialog | None = None
        self.focus_back: QWidget | None = None  # where the focus was when the task started
        self.finished.connect(self._mark_done)

    def cancel(self) -> None:
        """Ask the worker to stop (it does at its next progress check)."""
        self.progress.cancel()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Process events until the task finished (tests, CLI-like callers). True if it did."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not self.done and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.002)
        return self.done

    def _from_worker(self, done: int, total: int, text: str) -> None:
        # Worker thread: hand over to the GUI thread; the bridge's connection is queued.
        self._bridge.progress.emit(self, done, total, text)

    def _mark_done(self) -> None:
        self.done = True


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], handle: TaskHandle, bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._handle = handle
        self._bridge = bridge

    def run(self) -> None:
        progress = self._handle.progress
        try:
            progress.check()  # cancelled while still queued
            with _DbThread():
                result = self._fn(progress)
        except Cancelled:
            self._bridge.outcome.emit(self._handle, "cancelled", None)
        except BaseException as exc:  # a bug must reach the GUI, never die silently in a thread
            self._bridge.outcome.emit(self._handle, "failed", exc)
        else:
            self._bridge.outcome.emit(self._handle, "succeeded", result)


class _Bridge(QObject):
    """Created in the GUI thread: worker emits are queued to it."""

    outcome = Signal(object, str, object)
    progress = Signal(object, int, int, str)


class TaskRunner(QObject):
    """Runs tasks one at a time on ``pool`` (default: ``db_pool()``), with a delayed progress dialog.

    Without ``on_error`` a failed task is shown by ``report_exception`` (UserError calmly,
    anything else as a logged crash). ``delay_ms=None`` never shows a dialog.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        pool: QThreadPool | None = None,
        delay_ms: int | None = DIALOG_DELAY_MS,
        min_interval: float = 0.05,
    ) -> None:
        super().__init__(parent)
        self._parent_widget = parent
        self._pool = pool or db_pool()
        self._delay_ms = delay_ms
        self._min_interval = min_interval
        self._active: set[TaskHandle] = set()
        self._bridge = _Bridge(self)
        self._bridge.outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._bridge.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    @property
    def active(self) -> int:
        return len(self._active)

    def run(
        self,
        fn: Callable[[Progress], Any],
        *,
        title: str = "正在处理…",
        cancellable: bool = True,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> TaskHandle:
        handle = TaskHandle(title, self._bridge, self._min_interval)
        handle.focus_back = QApplication.focusWidget()
        handle.cancellable = cancellable
        if on_result is not None:
            handle.succeeded.connect(on_result)
        if on_cancelled is not None:
            handle.cancelled.connect(on_cancelled)
        handle.failed.connect(on_error or (lambda exc: report_exception(self._parent_widget, exc)))
        self._active.add(handle)
        if self._delay_ms is not None:
            QTimer.singleShot(self._delay_ms, handle, lambda h=handle: self._show_dialog(h))
        self._pool.start(_Job(fn, handle, self._bridge))
        return handle

    def cancel_all(self) -> None:
        for handle in list(self._active):
            handle.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the worker (main window close). True if it stopped."""
        self.cancel_all()
        return bool(self._pool.waitForDone(timeout_ms))

    # -- GUI thread -------------------------------------------------------------------------
    def _take_focus_back(self, back: QWidget | None) -> None:
        """The window active again and the focus where it was: the window-modal progress dialog
        took both, and once it closed nothing gave them back, so a page's Alt+letter buttons
        (导出PDF(&D)…) did nothing until the user clicked into the window."""
        if self._parent_widget is None or not shiboken6.isValid(self._parent_widget):
            return
        window = self._parent_widget.window()
        if not window.isVisible():
            return
        window.activateWindow()
        if back is not None and shiboken6.isValid(back) and back.window() is window and back.isVisible():
            back.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_dialog(self, handle: TaskHandle) -> None:
        if handle.done or handle not in self._active:
            return
        p = handle.progress
        dialog = QProgressDialog(p.text or handle.title, "取消", 0, max(p.total, 0), self._parent_widget)
        dialog.setWindowTitle(handle.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not handle.cancellable:
            dialog.setCancelButton(None)
        dialog.setValue(min(p.done, p.total) if p.total else 0)
        dialog.canceled.connect(lambda: self._on_cancel_clicked(handle))
        handle.dialog = dialog
        dialog.show()

    def _on_cancel_clicked(self, handle: TaskHandle) -> None:
        handle.cancel()
        if handle.dialog is not None:
            handle.dialog.setLabelText("正在取消，请稍候…")
            handle.dialog.show()  # QProgressDialog hides itself on cancel; keep it until the worker stops

    def _on_progress(self, handle: TaskHandle, done: int, total: int, text: str) -> None:
        if handle.done:
            return
        handle.progressed.emit(done, total, text)
        dialog = handle.dialog
        if dialog is None or handle.progress.cancelled:
            return
        if dialog.maximum() != max(total, 0):
            dialog.setMaximum(max(total, 0))
        if total:
            dialog.setValue(min(done, total))
        if text:
            dialog.setLabelText(text)

    def _deliver(self, handle: TaskHandle, kind: str, payload: Any) -> None:
        if handle.dialog is not None:
            handle.dialog.close()
            handle.dialog.deleteLater()
            handle.dialog = None
            self._take_focus_back(handle.focus_back)
        self._active.discard(handle)
        if kind == "succeeded":
            handle.result = payload
            handle.succeeded.emit(payload)
        elif kind == "cancelled":
            handle.was_cancelled = True
            handle.cancelled.emit()
        else:
            handle.error = payload
            handle.failed.emit(payload)
        handle.finished.emit()
