"""Crash safety of the real command line (issue #19, Proof): ``python -m desktop_app`` is killed with
SIGKILL while it writes — demo, member import, depreciation, disclosure, distribution, month close,
backup and restore (migration: test_restore_migration_atomic.py) — and after every kill the file
is sound (``PRAGMA integrity_check`` ok, ``verify`` exit 0) and the operation is wholly applied or
wholly absent.

Where it is killed: no hook in the program is needed. A run to the end (the *survey*; for the demo,
the run that makes the template) counts the changes it makes to the files of its folder — the
database, its ``-wal``/``-shm``, backups and their ``.tmp``, the PDF — as a poller sees them every
millisecond; each killed run is stopped the moment the poller sees the k-th change (k spread over
the survey's count: just after it opens the file, in the middle of its writing, just before it
ends). So the kills fall among the writes whatever the machine's speed, where a fixed delay would
mostly hit the interpreter's start. Each run is its own process executing ``python -m desktop_app``
(forked from an interpreter that imported the program once: ``CLI_FORKS``).

Wholly applied or wholly absent, without knowing the operation's tables: the database's rows (every
table, by primary key) are compared with the file before the command (absent: identical), after only
the login it records first (login: the same rows changed and counts as a login alone gives; for the
demo, the new file migrated and still empty) and after the survey (applied: the same rows of the old
file changed or deleted, the same number of rows in every table). Identifiers and times differ from
one run to another; which rows change does not. An empty file (the demo killed before its first
write) counts as no file: the next open makes it a new database. A file the operation writes is
whole when it exists (a PDF reads with its pages, and exists once its disclosure is recorded; every
backup in the backups folder passes the backup check and matches its catalogue; a restore keeps the
database it replaced).

CI kills at three points per operation: 27 runs of the command line, about 75 s of CPU in all
(user + sys, measured on the shared two-core machine). Before a release, kill at every change, one
after another until a run ends on its own: ``SUNSHINE_LEDGER_KILL_POINTS=all pytest
tests/integrity/test_kill_cli.py`` (or a number: that many points spread over each operation).
"""

from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from db.backup import file_sha256, sidecar, verify_copy
from db.migrate import open_database
from desktop_app.cli import main

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo1234"
VILLAGE = ("--org", "320115106200", "--book", "01")  # the demo's 李家庄村, its 股份经济合作社 book
POLL_S = 0.001

Rows = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]  # table -> primary key -> row


# --- the killed run -------------------------------------------------------------------------------


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:  # removed between the listing and the look
                continue
            seen[path] = (st.st_size, st.st_mtime_ns)
    return seen


# ``python -m desktop_app`` forked from an interpreter that has imported the program once: each run
# is a process of its own that executes the module's __main__ as the command line does and exits
# through the interpreter's normal end, without paying two seconds of imports 30 times in CI.
CLI_FORKS = """
import json, os, runpy, sys
import desktop_app.cli, desktop_app.__main__
out = sys.stdout.buffer
for line in sys.stdin:
    args, err = json.loads(line)
    out.flush()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
        sys.argv = ["desktop_app", *args]
        runpy.run_module("desktop_app", run_name="__main__", alter_sys=True)
        sys.exit(0)
    out.write(b"%d\\n" % pid)
    out.flush()
    _, status = os.waitpid(pid, 0)
    out.write(b"%d\\n" % os.waitstatus_to_exitcode(status))
    out.flush()
"""


class Cli:
    """The interpreter that forks one ``python -m desktop_app`` per run."""

    def __init__(self) -> None:
        env = {**os.environ, "SUNSHINE_LEDGER_PASSWORD": PASSWORD}
        self.proc = subprocess.Popen([sys.executable, "-c", CLI_FORKS], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.pending = b""

    def _line(self, wait: bool) -> int | None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.pending:
            if not select.select([fd], [], [], None if wait else 0)[0]:
                return None
            chunk = os.read(fd, 64)
            assert chunk, "the forking interpreter ended"
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return int(line)

    def start(self, argv: list[str], stderr: Path) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps([argv, str(stderr)]) + "\n").encode())
        self.proc.stdin.flush()
        pid = self._line(wait=True)
        assert pid is not None
        return pid

    def ended(self) -> int | None:
        """The exit status of the run, or None while it runs."""
        return self._line(wait=False)

    def wait(self) -> int:
        status = self._line(wait=True)
        assert status is not None
        return status

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()  # else a ResourceWarning (an error in this suite) when it is collected


def _run(cli: Cli, argv: list[str], watched: Path, data: Path, kill_at: int | None = None,
         kill_when: Callable[[], bool] | None = None) -> tuple[int | None, int]:
    """Run the command line in a process of its own; SIGKILL it when the poller has seen
    ``kill_at`` changes in ``watched`` (or when ``kill_when()`` is true). Returns (exit status,
    None when killed; changes seen)."""
    data.mkdir(parents=True, exist_ok=True)
    pid = cli.start(["--data-dir", str(data), *argv], data / "stderr.txt")
    before, changes = _files(watched), 0
    while (status := cli.ended()) is None:
        time.sleep(POLL_S)
        now = _files(watched)
        if now != before:
            changes, before = changes + 1, now
        if (kill_at is not None and changes >= kill_at) or (kill_when is not None and kill_when()):
            os.kill(pid, signal.SIGKILL)
            status = cli.wait()
            return (None if status == -signal.SIGKILL else status), changes
    return status, changes


def kill_points(changes: int) -> Iterator[int]:
    """Which changes to kill at: three in CI (the first, the middle, the last but one the survey
    saw), as many as ``SUNSHINE_LEDGER_KILL_POINTS`` says, or with ``all`` every one (1, 2, 3 …
    until a run ends before it is killed)."""
    wanted = os.environ.get("SUNSHINE_LEDGER_KILL_POINTS", "3")
    if wanted == "all":
        yield from itertools.count(1)
        return
    n, last = max(1, int(wanted)), max(1, changes - 1)
    yield from sorted({1 + round(i * (last - 1) / max(1, n - 1)) for i in range(n)})


# --- what the file holds ---------------------------------------------------------------------------


def rows_of(path: Path) -> Rows:
    """Every row of every table by primary key (rowid where none is declared); {} for no file, or
    for the empty file a command killed before its first write leaves (opened as a new database)."""
    if not path.exists() or path.stat().st_size == 0:
        return {}
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        found: Rows = {}
        for table in tables:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
            key = ", ".join(f'"{c}"' for c in pk) if pk else "rowid"
            width = len(pk) or 1
            found[table] = {tuple(r[:width]): tuple(r[width:])
                            for r in conn.execute(f'SELECT {key}, * FROM "{table}"')}
        return found
    finally:
        conn.close()


def differs_like(now: Rows, before: Rows, after: Rows) -> list[str]:
    """How ``now`` fails to be a run of the change that led from ``before`` to ``after``: the same
    rows of ``before`` kept, changed and deleted, the same number of rows in every table."""
    problems: list[str] = []
    for table in sorted(set(now) | set(after)):
        mine, theirs, old = now.get(table, {}), after.get(table, {}), before.get(table, {})
        if len(mine) != len(theirs):
            problems.append(f"{table}: {len(mine)} rows, expected {len(theirs)}")
            continue
        for key, row in old.items():
            then, got = theirs.get(key), mine.get(key)
            if (then == row) != (got == row) or (then is None) != (got is None):
                problems.append(f"{table} {key}: {'kept' if got == row else 'changed'}, expected "
                                f"{'kept' if then == row else 'deleted' if then is None else 'changed'}")
                break
    return problems


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def verify_status(path: Path, data: Path) -> int:
    return main(["--data-dir", str(data), "verify", "--db", str(path)])


# --- the operations --------------------------------------------------------------------------------


@dataclass
class Operation:
    """One command on a copy of ``source`` (None: no file yet) in its own folder."""

    name: str
    argv: Callable[[Path], list[str]]  # folder -> arguments (``--db folder/ledger.db``)
    source: Path | None
    user: str | None  # who logs in first (its login is committed before the command's own work)
    check_files: Callable[[Path, str], str] = lambda folder, state: ""  # what files say, or raises
    extra: dict[str, Any] = field(default_factory=dict)


def _db(folder: Path) -> Path:
    return folder / "ledger.db"


def demo_argv(folder: Path) -> list[str]:  # the template is made by the very command the demo test kills
    return ["demo", "--db", str(_db(folder)), "--villages", "1", "--seed", "7"]


def _prepare(op: Operation, folder: Path) -> Path:
    folder.mkdir(parents=True)
    if op.source is not None:
        shutil.copyfile(op.source, _db(folder))
    return _db(folder)


def _backups_whole(folder: Path, state: str) -> str:
    """Every backup file left is a sound copy, and a catalogued one is what its catalogue says
    (a kill between writing a backup and cataloguing it leaves one listed as not checked)."""
    found = sorted((folder / "backups").glob("*.db")) if (folder / "backups").is_dir() else []
    for path in found:
        assert verify_copy(path) == [], path
        if sidecar(path).exists():
            entry = json.loads(sidecar(path).read_text(encoding="utf-8"))
            assert entry["verified"] and entry["sha256"] == file_sha256(path), path
    return f"{len(found)} backup(s)"


def _restore_kept(folder: Path, state: str) -> str:
    """Once restored, the replaced database is kept (as a sound backup)."""
    said = _backups_whole(folder, state)
    if state == "applied":
        assert list((folder / "backups").glob("ledger-before-restore-*.db")), "the replaced database was not kept"
    return said


def _pdf_whole(pages: int) -> Callable[[Path, str], str]:
    def check(folder: Path, state: str) -> str:
        out = folder / "公开.pdf"
        if state == "applied":
            assert out.is_file(), "disclosure recorded without its PDF"
        if not out.exists():
            return "no PDF"
        assert len(PdfReader(out).pages) == pages
        return "PDF"
    return check


@pytest.fixture(scope="module")
def cli() -> Iterator[Cli]:
    forks = Cli()
    yield forks
    forks.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> Iterator[dict[str, Any]]:
    """A one-village demo made by the command line (the template every operation starts from, and
    the demo's own survey), the files the operations read, and the states a login alone leaves
    (one per user)."""
    from openpyxl import Workbook

    from desktop_app.core.ids import make_ric
    from tests.conftest import copy_of

    base = tmp_path_factory.mktemp("kill")
    was = os.environ.get("SUNSHINE_LEDGER_PASSWORD")
    os.environ["SUNSHINE_LEDGER_PASSWORD"] = PASSWORD  # the in-process runs below (restored at the end)
    data = base / "data"
    template = _db(base / "template")
    template.parent.mkdir()
    status, demo_changes = _run(cli, demo_argv(template.parent), template.parent, data)
    assert status == 0, (data / "stderr.txt").read_text(encoding="utf-8")

    members = base / "成员.xlsx"  # 60 new households of three, as a village's roster comes
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["序号", "组别", "户主姓名", "成员姓名", "与户主关系", "身份证号码", "股数", "确认日期"])
    from datetime import date
    for n in range(180):
        h, k = divmod(n, 3)
        ws.append([n + 1, f"第{1 + h % 5}组", f"王{h:03d}", f"王{h:03d}" + ("" if k == 0 else str(k)),
                   ("户主", "配偶", "子")[k], make_ric("320115", date(1950 + h % 40, 1 + k, 1 + h % 28), 100 + n),
                   1, "2026-01-01"])
    wb.save(members)

    # restore: a backup of the template, and a ledger that has gone on since (December's depreciation)
    restore_src = base / "restore-src"
    backup = copy_of(template, restore_src)
    later = base / "later" / "ledger.db"
    later.parent.mkdir()
    shutil.copyfile(template, later)
    assert main(["--data-dir", str(data), "depreciate", "--db", str(later), *VILLAGE, "--period", "2026-12",
                 "--user", "kuaiji"]) == 0

    logins: dict[tuple[str, str], Rows] = {}
    for user, src in (("kuaiji", template), ("admin", later)):
        folder = base / f"login-{user}"
        folder.mkdir()
        shutil.copyfile(src, _db(folder))
        main(["--data-dir", str(data), "close-period", "--check", "--db", str(_db(folder)), *VILLAGE,
              "--period", "2026-11", "--user", user])  # reads only: what is left is the login's
        logins[(user, str(src))] = rows_of(_db(folder))
    empty = base / "empty" / "ledger.db"
    empty.parent.mkdir()
    open_database(empty).close()
    yield {"base": base, "template": template, "members": members, "backup": backup, "later": later,
           "logins": logins, "empty": rows_of(empty), "data": data, "demo_changes": demo_changes}
    if was is None:
        os.environ.pop("SUNSHINE_LEDGER_PASSWORD", None)
    else:
        os.environ["SUNSHINE_LEDGER_PASSWORD"] = was


def operations(w: dict[str, Any]) -> dict[str, Operation]:
    t = w["template"]
    return {
        "demo": Operation("demo", demo_argv, None, None),
        "import-members": Operation("import-members", lambda f: [
            "import", "members", str(w["members"]), "--db", str(_db(f)), "--org", "320115106200", "--user", "kuaiji"],
            t, "kuaiji"),
        "depreciate": Operation("depreciate", lambda f: [
            "depreciate", "--db", str(_db(f)), *VILLAGE, "--period", "2026-12", "--user", "kuaiji"], t, "kuaiji"),
        "disclose": Operation("disclose", lambda f: [
            "disclose", "--db", str(_db(f)), *VILLAGE, "--period", "2026-11", "--out", str(f / "公开.pdf"),
            "--user", "kuaiji"], t, "kuaiji"),
        "distribute": Operation("distribute", lambda f: [
            "distribute", "--db", str(_db(f)), *VILLAGE, "--year", "2026", "--amount-for-members", "10000",
            "--user", "kuaiji"], t, "kuaiji"),
        "close-period": Operation("close-period", lambda f: [
            "close-period", "--db", str(_db(f)), *VILLAGE, "--period", "2026-11", "--user", "kuaiji"], t, "kuaiji",
            _backups_whole),
        "backup": Operation("backup", lambda f: ["backup", "--db", str(_db(f))], t, None, _backups_whole),
        "restore": Operation("restore", lambda f: [
            "restore", str(w["backup"]), "--db", str(_db(f)), "--user", "admin"], w["later"], "admin", _restore_kept),
    }


OPERATIONS = ["demo", "import-members", "depreciate", "disclose", "distribute", "close-period", "backup", "restore"]


@pytest.mark.slow
@pytest.mark.parametrize("name", OPERATIONS)
def test_a_killed_command_leaves_a_sound_file_and_its_operation_wholly_done_or_not_at_all(
        name: str, world: dict[str, Any], cli: Cli, tmp_path: Path) -> None:
    op = operations(world)[name]
    data = tmp_path / "data"
    survey = tmp_path / "survey"
    if name == "demo":
        survey, changes = world["template"].parent, world["demo_changes"]
    else:
        _prepare(op, survey)
        status, changes = _run(cli, op.argv(survey), survey, data)
        assert status == 0, (data / "stderr.txt").read_text(encoding="utf-8")
    after = rows_of(_db(survey))
    if name == "disclose":
        op.check_files = _pdf_whole(len(PdfReader(survey / "公开.pdf").pages))
    op.check_files(survey, "applied")
    before = rows_of(op.source) if op.source is not None else {}
    login = world["logins"].get((op.user, str(op.source))) if op.user else None
    if op.source is None:
        login = world["empty"]  # demo: the file made and migrated, the township not yet written
    seen: dict[str, int] = {}
    for k in kill_points(changes):
        folder = tmp_path / f"kill-{k}"
        db = _prepare(op, folder)
        status, _ = _run(cli, op.argv(folder), folder, data, k)
        now = rows_of(db)
        if now == before:
            state = "absent"
        elif not differs_like(now, before, after):
            state = "applied"
        elif login is not None and not differs_like(now, before, login):
            state = "login"
        else:
            raise AssertionError(f"{name} killed at change {k} (exit {status}): neither absent nor applied: "
                                 f"{differs_like(now, before, after)[:5]}")
        if db.exists() and db.stat().st_size:
            assert integrity(db) == ["ok"], (name, k)
            assert verify_status(db, data) == 0, (name, k)
        files = op.check_files(folder, state)
        state = f"{state}, {files}" if files else state
        seen[state] = seen.get(state, 0) + 1
        if status is not None:  # it ended before the k-th change: no later point to kill at
            assert status == 0, (data / "stderr.txt").read_text(encoding="utf-8")
            break
    print(f"{name}: {changes} changes in the survey, after the kills {seen}")


def test_a_restore_killed_the_moment_its_file_is_replaced_has_already_its_new_identity(
        world: dict[str, Any], cli: Cli, tmp_path: Path) -> None:
    """The restored ledger never signs as the PC its backup came from: the new installation is in
    the staged copy before it replaces the database (before, a kill after the replace left the
    backup's identity in place)."""
    folder = tmp_path / "restore"
    db = _prepare(operations(world)["restore"], folder)
    inode = db.stat().st_ino

    def replaced() -> bool:
        try:
            return db.stat().st_ino != inode
        except FileNotFoundError:
            return False

    status, _ = _run(cli, ["restore", str(world["backup"]), "--db", str(db), "--user", "admin"], folder,
                     tmp_path / "data", kill_when=replaced)
    assert status is None and replaced(), "killed before the replace"
    conn = sqlite3.connect(db)
    try:
        identities = conn.execute("SELECT reason, retired_at IS NULL FROM installation ORDER BY created_at").fetchall()
    finally:
        conn.close()
    assert identities[-1] == ("restore", 1) and len(identities) == 2
    assert verify_status(db, tmp_path / "data") == 0
