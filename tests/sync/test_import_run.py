"""An import run of several packages (desktop_app/sync/import_run.py) on real databases and real
packages: a refused package does not stop the run (a dry run neither), the database busy does
(every later package would wait the same), through ``import_run`` and ``sync import``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

import db.engine
from db.migrate import open_database
from db.models import Household
from desktop_app.cli import main
from desktop_app.core.errors import DatabaseBusy
from desktop_app.sync.apply import ImportRun
from desktop_app.sync.errors import PackageError
from desktop_app.sync.import_run import BUSY, import_run
from tests.acting import keeper
from tests.sync.conftest import SyncPair, dump


def _edit_town(pair: SyncPair, address: str) -> None:
    with pair.town.begin("会计") as s:
        h = s.scalars(select(Household).order_by(Household.id)).first()
        assert h is not None
        h.address = address


def _damaged(good: Path) -> Path:
    data = good.read_bytes()
    out = good.with_name("damaged_" + good.name)
    out.write_bytes(data[: len(data) // 2])
    return out


@pytest.fixture
def two_packages(sync_pair: SyncPair) -> tuple[Path, Path]:
    first = sync_pair.export(sync_pair.town, sync_pair.district)
    _edit_town(sync_pair, "第二个包")
    second = sync_pair.export(sync_pair.town, sync_pair.district)
    assert first.path and second.path
    return first.path, second.path


def test_a_refused_package_is_passed_and_the_run_goes_on(sync_pair: SyncPair, two_packages: tuple[Path, Path],
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = two_packages
    damaged = _damaged(first)
    seen: list[str] = []
    # the dry run (the CLI's --dry-run) checks every package, the refused one among them
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    with sync_pair.district.begin("admin") as s:
        officer = keeper(s, "district_admin").username
    before = dump(sync_pair.district)
    path = sync_pair.district.path
    sync_pair.district.close()
    try:
        code = main(["sync", "import", str(damaged), str(second), "--db", str(path), "--dry-run"])
        out = capsys.readouterr()
        assert code == 1 and f"检查未通过 {damaged.name}：" in out.out
        assert "检查通过（只检查，未导入任何数据）" in out.out
        assert "共 2 个同步包：检查通过 1 个，检查未通过 1 个" in out.out
    finally:
        sync_pair.district = open_database(path)
    assert dump(sync_pair.district) == before

    run = ImportRun()
    result = import_run(sync_pair.district, [damaged, second], folder=False, actor="tester", run=run,
                        each=lambda o: seen.append(o.file.name))
    run.verify()
    assert seen == [damaged.name, second.name] and not result.not_attempted and not result.stopped
    assert [o.refused for o in result.outcomes] == [True, False]
    assert isinstance(result.refusal, PackageError) and result.refused == result.outcomes[:1]
    report = result.outcomes[1].report
    assert report is not None and report.new_records > 0  # the later package carries the first one's changes
    with sync_pair.district.read() as s:
        assert s.scalars(select(Household.address).where(Household.address == "第二个包")).all()
    # the first package, whole, after all: its changes are all held now
    sync_pair.district.close()
    try:
        code = main(["--user", officer, "sync", "import", str(first), "--db", str(path)])
        out = capsys.readouterr()
        assert code == 0 and "此包中的变更本机均已持有" in out.out and "个同步包：" not in out.out  # one file: no run line
    finally:
        sync_pair.district = open_database(path)


@pytest.fixture
def other_writer(sync_pair: SyncPair, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    """Another process in the middle of a long write to the district's database; the district
    reopened to wait a moment only for it (its connections take the busy timeout when opened)."""
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 200)
    path = sync_pair.district.path
    sync_pair.district.close()
    sync_pair.district = open_database(path)
    con = sqlite3.connect(path, isolation_level=None, timeout=0)
    con.execute("BEGIN IMMEDIATE")
    yield con
    if con.in_transaction:
        con.execute("ROLLBACK")
    con.close()


def test_the_database_busy_stops_the_run(sync_pair: SyncPair, two_packages: tuple[Path, Path],
                                         other_writer: sqlite3.Connection,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    first, second = two_packages
    before = dump(sync_pair.district)
    run = ImportRun()
    result = import_run(sync_pair.district, [first, second], folder=False, actor="tester", run=run)
    assert run.verify() is None  # nothing was written: no backup either
    assert result.stopped == BUSY and result.not_attempted == (second,)
    (busy,) = result.outcomes
    assert busy.refused and busy.stopped and isinstance(busy.refusal, DatabaseBusy)
    assert "数据库正忙" in str(result.refusal)

    path = sync_pair.district.path  # the CLI's dry run (no login, which would itself wait to write)
    code = main(["sync", "import", str(first), str(second), "--db", str(path), "--dry-run"])
    out = capsys.readouterr()
    assert code == 1 and out.err.startswith("错误：数据库正忙")
    assert f"检查未通过 {first.name}：数据库正忙" in out.out
    assert f"未导入 {second.name}：数据库正忙，导入到此停止，未尝试" in out.out
    assert "共 2 个同步包：检查未通过 1 个，未尝试 1 个" in out.out
    other_writer.execute("ROLLBACK")
    assert dump(sync_pair.district) == before
