"""The 同步导入前 backup (issue #19) belongs to the import run, its check deferred (issue #12's
"one month ≤ 1 s"); and the export's row lines encoded in C stay the stdlib's JSON."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from db.backup import list_backups, verify_pending, write_backup
from db.models import Household
from desktop_app.cli import main
from desktop_app.core.services.backups import backups_folder
from desktop_app.sync.apply import ImportRun, import_package, read_package
from desktop_app.sync.export import _row_lines
from desktop_app.sync.import_run import import_run
from tests.sync.conftest import SyncPair


def _sync_backups(db_path: Path) -> list[Path]:
    return [e.path for e in list_backups(backups_folder(db_path), db_path) if e.reason == "sync-import"]


def _inbox_rows(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT COUNT(*) FROM sync_inbox").fetchone()[0])
    finally:
        con.close()


def _two_packages(pair: SyncPair) -> list[Path]:
    """The seed, then (not acknowledged: it carries the seed's records again) one edit more."""
    first = pair.export(pair.town, pair.district)
    with pair.town.begin("会计") as s:
        h = s.scalars(select(Household).order_by(Household.id)).first()
        assert h is not None
        h.address = "导入前备份测试地址"
    second = pair.export(pair.town, pair.district)
    assert first.path is not None and second.path is not None
    return [first.path, second.path]


def test_several_packages_share_one_backup_of_the_state_before_them(sync_pair: SyncPair) -> None:
    files = _two_packages(sync_pair)
    run = ImportRun()
    result = import_run(sync_pair.district, files, folder=False, actor="tester", run=run)
    reports = [o.report for o in result.outcomes if o.report is not None]
    assert len(reports) == len(files) and not result.refused
    assert [r.stream_seq for r in reports] == [1, 2] and reports[1].new_records == 1
    (backup,) = _sync_backups(sync_pair.district.path)
    assert run.backup is not None and run.backup.path == backup
    assert _inbox_rows(backup) == 0 and _inbox_rows(sync_pair.district.path) == 2  # before the run, not between
    # written and opened at once, checked later: listed as not checked, never as sound
    (entry,) = [e for e in list_backups(backup.parent, sync_pair.district.path) if e.path == backup]
    assert entry.pending and entry.verified is None and entry.sha256 == ""
    checked = run.verify()
    assert checked is not None and checked.verified is True and not checked.pending and len(checked.sha256) == 64
    (entry,) = [e for e in list_backups(backup.parent, sync_pair.district.path) if e.path == backup]
    assert entry.verified is True and entry.sha256 == checked.sha256


def test_no_backup_for_a_dry_run_or_a_package_already_imported(sync_pair: SyncPair) -> None:
    (first, _) = _two_packages(sync_pair)
    read_package(sync_pair.district, first)
    assert _sync_backups(sync_pair.district.path) == []
    import_package(sync_pair.district, first, actor="tester")
    (alone,) = list_backups(backups_folder(sync_pair.district.path), sync_pair.district.path)
    assert alone.verified is True  # a package alone: a run of its own, its backup checked after it
    run = ImportRun()
    again = import_package(sync_pair.district, first, actor="tester", run=run)
    assert again.already_imported and run.backup is None and len(_sync_backups(sync_pair.district.path)) == 1


def test_a_damaged_copy_found_by_the_deferred_check(sync_pair: SyncPair, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    entry = write_backup(sync_pair.town.path, folder, "sync-import", verify=False)
    assert entry.pending and entry.verified is None
    with entry.path.open("r+b") as f:  # a page in the middle overwritten after the copy was written
        f.seek(entry.size // 2 // 4096 * 4096)
        f.write(b"\xff" * 4096)
    (checked,) = verify_pending(folder, sync_pair.town.path)
    assert checked.verified is False and checked.problems and not checked.pending
    assert verify_pending(folder, sync_pair.town.path) == []  # checked once: no longer pending
    (listed,) = list_backups(folder, sync_pair.town.path)
    assert listed.verified is False and listed.problems == checked.problems


def test_a_copy_that_does_not_open_as_ours_fails_at_once(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    entry = write_backup(other, tmp_path / "backups", "sync-import", verify=False)
    assert entry.verified is False and entry.problems and not entry.pending


def test_cli_imports_a_folder_under_one_backup_and_checks_it_after(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from db.migrate import open_database
    from desktop_app.core.services.orgs import create_region
    from tests.acting import keeper

    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")  # `init`'s administrator, and the login
    admin = ("--user", "admin")
    t, d, usb = tmp_path / "town.db", tmp_path / "district.db", tmp_path / "usb"
    usb.mkdir()
    assert main(["init", "--db", str(d), "--district", "江宁区经管站", "--region", "320115"]) == 0
    assert main(["init", "--db", str(t)]) == 0
    assert main([*admin, "sync", "identity", "--db", str(t), "--name", "大桥镇"]) == 0
    assert main([*admin, "sync", "identity", "--db", str(t), "--out", str(tmp_path / "town")]) == 0
    assert main([*admin, "sync", "identity", "--db", str(d), "--out", str(tmp_path / "district.slcard")]) == 0
    assert main([*admin, "sync", "trust", str(tmp_path / "town.slcard"), "--db", str(d), "--yes"]) == 0
    assert main([*admin, "sync", "trust", str(tmp_path / "district.slcard"), "--db", str(t), "--yes"]) == 0
    for region, name in (("320115106000", "大桥镇"), ("320115107000", "小桥镇")):
        database = open_database(t)
        with database.begin("admin") as s:
            create_region(s, code=region, name=name, user=keeper(s))
        database.close()
        assert main([*admin, "sync", "export", "--db", str(t), "--to", str(usb)]) == 0
    assert len(list(usb.glob("*.slsync"))) == 2
    capsys.readouterr()
    # no --user: refused before any backup is made or any package read (the README's commands name one)
    assert main(["sync", "import", str(usb), "--db", str(d)]) == 1
    refused = capsys.readouterr()
    assert "需要登录" in refused.err + refused.out and "未导入任何同步包" in refused.err + refused.out
    assert _sync_backups(d) == [] and _inbox_rows(d) == 0
    code = main([*admin, "sync", "import", str(usb), "--db", str(d)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("已导入乡镇“大桥镇”的同步包") == 2 and "已校验通过" in out
    (backup,) = _sync_backups(d)
    assert _inbox_rows(backup) == 0 and _inbox_rows(d) == 2
    (entry,) = list_backups(backup.parent, d)
    assert entry.verified is True


def test_row_lines_are_the_stdlib_json_of_each_row() -> None:
    rows = [("a\nb\"c\\d\x00\x1f\x7f\u2028/é中文\t\r", 1, None, -5, 2**62, ""), ("x", 0, None, 0, 1, "}\n{")]
    encoded = _row_lines("household", False)(rows)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
    expected = "".join(f'{{"k":"r","t":"household","v":{dumps(r)}}}\n' for r in rows).encode()
    assert encoded == expected
    assert [json.loads(line)["v"] for line in encoded.decode().split("\n")[:-1]] == [list(r) for r in rows]
    with pytest.raises(TypeError):  # a binary column keeps the stdlib encoder, which refuses bytes
        _row_lines("household", True)([(b"\x00",)])


def test_copies_not_yet_checked_never_push_out_the_checked_ones(sync_pair: SyncPair) -> None:
    from datetime import datetime, timedelta

    from desktop_app.sync.apply import pre_import_backup

    db_path = sync_pair.town.path
    folder = backups_folder(db_path)
    start = datetime(2026, 1, 1, 8, 0, 0)
    checked = [write_backup(db_path, folder, "sync-import", start + timedelta(minutes=i)).path for i in range(10)]
    for i in range(12):  # twelve runs killed before their check: newer, not yet checked
        write_backup(db_path, folder, "sync-import", start + timedelta(hours=1, minutes=i), verify=False)
    newest = pre_import_backup(db_path)
    kept = {e.path: e for e in list_backups(folder, db_path)}
    assert newest.path in kept and all(p in kept for p in checked)
    assert sum(1 for e in kept.values() if e.pending) == 13 and sum(1 for e in kept.values() if e.verified) == 10
