"""One program per database: a lock file beside it (``ledger.db.lock``) naming who holds it.

The holder keeps an operating-system lock on the file (``fcntl.flock`` / ``msvcrt.locking``)
for as long as it runs. The system drops that lock when the process ends, however it ends, so
a lock file left by a crash is recognised by taking its lock, and is taken over (stale). What
the file says (user, host, pid, since when) is only read to name the holder in the refusal.

Qt-free: the GUI takes the lock; the CLI may look at it (a CLI write while a window is open is
fine, SQLite serialises the writes; the lock is about two windows editing one database).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import IO, NamedTuple

from desktop_app.core.errors import UserError

_LOCK_OFFSET = 1 << 20  # Windows locks a byte range: one far past the text, which stays readable


class Holder(NamedTuple):
    """Who holds the lock, as the lock file names them (a tuple: this module is imported before
    the login dialog's first paint, and dataclasses/datetime/socket cost it ~14 ms)."""

    user: str
    host: str
    pid: int
    since: str  # local time, "2026-12-02 08:15"

    def describe(self) -> str:
        return f"{self.user or '尚在登录'}，计算机 {self.host}，进程 {self.pid}，{self.since} 起"


class DatabaseInUse(UserError):
    """Another copy of the program has this database open."""

    def __init__(self, db_path: Path, holder: Holder | None) -> None:
        who = holder.describe() if holder else "另一个阳光台账窗口"
        super().__init__(f"数据库 {db_path.name} 已在另一个阳光台账窗口中打开（{who}）。"
                         "同一数据库同时只能由一个窗口使用，以免两处同时记账相互覆盖。"
                         "请切换到那个窗口；如果那个程序已经不在了，请稍候再试。")
        self.holder = holder


def _host_name() -> str:
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket  # Windows only: os.uname is POSIX

    return socket.gethostname()


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _try_os_lock(f: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        f.seek(_LOCK_OFFSET)
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _os_unlock(f: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        f.seek(_LOCK_OFFSET)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def read_holder(db_path: Path) -> Holder | None:
    """What the lock file says (whether or not anyone still holds it)."""
    try:
        text = lock_path(db_path).read_bytes()[:4096].decode("utf-8", "replace").strip("\0 \n")
        data = json.loads(text)
        return Holder(str(data.get("user", "")), str(data.get("host", "")), int(data.get("pid", 0)),
                      str(data.get("since", "")))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


class DatabaseLock:
    """Held by the program that has the database open in a window: ``acquire`` or raise
    ``DatabaseInUse``; ``set_user`` after a login or a switch of user; ``release`` on exit."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._file: IO[bytes] | None = None
        self.stale_recovered: Holder | None = None  # a crashed holder whose lock was taken over
        self._since = ""

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, user: str = "") -> None:
        if self._file is not None:
            self.set_user(user)
            return
        for _attempt in range(5):
            f = open(self.path, "a+b")  # kept open while the lock is held
            if not _try_os_lock(f):
                f.close()
                raise DatabaseInUse(self.db_path, read_holder(self.db_path))
            if self._still_ours(f):
                break
            f.close()  # the previous holder removed the file as we opened it: take the new one
        else:
            raise DatabaseInUse(self.db_path, read_holder(self.db_path))
        left = read_holder(self.db_path)
        self.stale_recovered = left if left is not None and left.pid != os.getpid() else None
        self._file = f
        self._since = time.strftime("%Y-%m-%d %H:%M")
        self.set_user(user)

    def move_to(self, db_path: Path) -> None:
        """Hold the lock of another database file instead (raises ``DatabaseInUse``)."""
        self.release()
        self.db_path, self.path = db_path, lock_path(db_path)
        self.acquire()

    def _still_ours(self, f: IO[bytes]) -> bool:
        try:
            return os.path.samestat(os.fstat(f.fileno()), os.stat(self.path))
        except OSError:
            return False

    def set_user(self, user: str) -> None:
        f = self._file
        if f is None:
            return
        text = json.dumps({"user": user, "host": _host_name(), "pid": os.getpid(), "since": self._since},
                          ensure_ascii=False).encode("utf-8")
        f.seek(0)
        f.truncate()
        f.write(text + b"\n")
        f.flush()
        os.fsync(f.fileno())

    def release(self) -> None:
        f, self._file = self._file, None
        if f is None:
            return
        try:
            f.seek(0)
            f.truncate()
            self.path.unlink(missing_ok=True)  # while still locked: whoever opened it meanwhile retries
        except OSError:
            pass  # Windows keeps an open file: an empty lock file left behind is harmless
        finally:
            _os_unlock(f)
            f.close()
