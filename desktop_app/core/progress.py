"""Progress reporting and cancellation for long operations (Qt-free).

A service that takes ``progress: Progress | None`` calls ``progress.report(done, total, text)``
now and then and ``progress.check()`` at safe points; ``check`` raises ``Cancelled`` once the
user pressed 取消, and the caller's transaction then rolls back.  The UI subclasses nothing:
it passes a listener callable and calls ``cancel()`` from the GUI thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Cancelled", "Progress", "ProgressListener"]

ProgressListener = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The user cancelled the operation; not an error, nothing is saved."""

    def __init__(self, message: str = "操作已取消") -> None:
        super().__init__(message)
        self.message = message


class Progress:
    """Thread-safe progress sink handed to a worker function.

    ``listener`` (if given) is called from the worker thread on each report, at most every
    ``min_interval`` seconds except for the final ``done == total`` report.
    """

    def __init__(self, listener: ProgressListener | None = None, *, min_interval: float = 0.05) -> None:
        self._listener = listener
        self._min_interval = min_interval
        self._last_emit = 0.0
        self._cancel = threading.Event()
        self.done = 0
        self.total = 0
        self.text = ""

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the worker to stop; safe from any thread."""
        self._cancel.set()

    def check(self) -> None:
        """Raise ``Cancelled`` if cancellation was requested."""
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        """Record progress (``total == 0`` means unknown) and check for cancellation."""
        self.done, self.total = done, total
        if text:
            self.text = text
        if self._listener is not None:
            now = time.monotonic()
            final = total > 0 and done >= total
            if final or now - self._last_emit >= self._min_interval:
                self._last_emit = now
                self._listener(done, total, self.text)
        self.check()
