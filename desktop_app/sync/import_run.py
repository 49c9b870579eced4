"""One import run of several packages: what ``sync import FILE|DIR ...`` and the U盘同步 page's
导入多个/导入U盘中的全部同步包 both do (one idea, one place).

``package_files`` turns what was named (files, a stick's folder) into the packages in order;
``import_run`` imports them one after another under ONE ``ImportRun`` (one 同步导入前 backup,
its check left to the caller: ``run.verify()``), reporting each outcome as it comes (``each``).
Every package is checked and applied on its own, in its own all-or-nothing transaction:

- imported, or already imported (announced, nothing written): the run goes on;
- not addressed to this PC, found in a folder (a stick carries the other townships' packages
  too): skipped with its reason, the run goes on;
- refused (a ``UserError``, mostly ``PackageError``: damaged, a gap, totals that do not agree,
  not addressed to this PC when named on its own): nothing of that package is written and the
  run GOES ON with the next package. A later package of the same sender is still tried: the
  engine (``apply._Applier.records``, ``apply_after.check_audit``, the deferred foreign keys) refuses it
  on its own when it cannot follow (a gap in the sender's change or audit sequence), and an
  anti-entropy package carries everything not yet acknowledged, so it often carries the
  refused one's changes and imports in its place;
- a cancel (``stop()`` true, or the engine's own "已取消…" refusal under it) or the database busy
  (another writer holds the write lock: ``DatabaseBusy``; every later package would wait the
  same) STOPS the run: the packages after it are listed as not attempted (``RunResult.stopped``).

A dry run (``read_package``) goes through every package the same way and collects the problems.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import OperationalError

from db.engine import Database
from db.errors import is_busy
from desktop_app.core.errors import DatabaseBusy, UserError
from desktop_app.sync.apply import ImportReport, ImportRun, Progress, import_package, read_package
from desktop_app.sync.errors import PackageNotForMe

SUFFIX = ".slsync"


CANCEL, BUSY = "cancel", "busy"


@dataclass(frozen=True)
class PackageOutcome:
    """One package of a run: its report (imported, already imported, or checked by a dry run),
    or the refusal (nothing of it written), or skipped (not for this PC, found in a folder).
    ``stopped``: this package's refusal stopped the run (a cancel or the database busy)."""

    file: Path
    report: ImportReport | None = None
    refusal: UserError | None = None
    skipped: bool = False
    stopped: bool = False

    @property
    def refused(self) -> bool:
        return self.refusal is not None and not self.skipped


@dataclass(frozen=True)
class RunResult:
    outcomes: tuple[PackageOutcome, ...]
    not_attempted: tuple[Path, ...] = ()  # after a stop (a cancel, the database busy), in order
    stopped: str = ""  # why the run stopped before its end: CANCEL, BUSY, or "" (every package gone through)

    @property
    def refused(self) -> tuple[PackageOutcome, ...]:
        """Every refused package, in order (a cancel or a busy database that stopped the run included)."""
        return tuple(o for o in self.outcomes if o.refused)

    @property
    def refusal(self) -> UserError | None:
        """The first refusal of the run (None when no package was refused)."""
        first = next(iter(self.refused), None)
        return first.refusal if first is not None else None


def folder_packages(folder: Path) -> list[Path]:
    """A folder's packages by name (the name carries the sender, the date and the package
    number, so one sender's come in order); hidden files (a copy in progress) are left out."""
    return sorted(p for p in folder.glob(f"*{SUFFIX}") if p.is_file() and not p.name.startswith("."))


def package_files(given: Sequence[Path | str]) -> tuple[list[Path], bool]:
    """The packages named: files in the order given, a folder's ``.slsync`` files
    (``folder_packages``). Returns (files, a folder was named)."""
    files: list[Path] = []
    folder = False
    for name in given:
        path = Path(name)
        if path.is_dir():
            found = folder_packages(path)
            if not found:
                raise UserError(f"文件夹 {path} 中没有同步数据包（{SUFFIX}）")
            files += found
            folder = True
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(f"同步数据包不存在：{path}")
    return files, folder


def import_run(db: Database, files: Sequence[Path], *, folder: bool, actor: str, run: ImportRun,
               dry_run: bool = False, progress_for: Callable[[int, Path], Progress | None] | None = None,
               stop: Callable[[], bool] | None = None,
               each: Callable[[PackageOutcome], None] | None = None) -> RunResult:
    """Import ``files`` in order under ``run`` (see the module docstring). ``progress_for(i,
    file)``: the engine's progress for the i-th package; ``stop()``: asked before each package
    and after a refusal (a cancel), the rest then not attempted; ``each``: called with every
    outcome as it comes. Anything that is not a ``UserError`` nor the busy lock (a bug) propagates."""
    outcomes: list[PackageOutcome] = []
    for i, file in enumerate(files):
        if stop is not None and stop():
            return RunResult(tuple(outcomes), tuple(files[i:]), CANCEL)
        why = ""
        try:
            if dry_run:
                report = read_package(db, file)
            else:
                report = import_package(db, file, actor=actor, run=run,
                                        progress=progress_for(i, file) if progress_for is not None else None)
        except PackageNotForMe as exc:
            outcome = PackageOutcome(file, refusal=exc, skipped=folder)
        except DatabaseBusy as exc:
            why, outcome = BUSY, PackageOutcome(file, refusal=exc, stopped=True)
        except UserError as exc:  # PackageError and any other refusal: nothing of it written, the run goes on
            why = CANCEL if stop is not None and stop() else ""  # the engine's "已取消…" under a cancel
            outcome = PackageOutcome(file, refusal=exc, stopped=bool(why))
        except (OperationalError, sqlite3.OperationalError) as exc:
            if not is_busy(exc):
                raise
            why, outcome = BUSY, PackageOutcome(file, refusal=DatabaseBusy(), stopped=True)
        else:
            outcome = PackageOutcome(file, report=report)
        outcomes.append(outcome)
        if each is not None:
            each(outcome)
        if why:
            return RunResult(tuple(outcomes), tuple(files[i + 1:]), why)
    return RunResult(tuple(outcomes))
