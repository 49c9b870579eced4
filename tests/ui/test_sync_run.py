"""Several sync packages imported as ONE run from the U盘同步 page, on real databases, real
packages and real widgets offscreen: the district imports a stick's every package (new, already
imported, another PC's) under one backup and sees one summary; a refused package does not stop
the run (the others, a later one of the same sender too, are imported) and the CLI given the same
files does the same; the database busy stops it; a township imports the district's packages
together; 取消 keeps the database as it was."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from sqlalchemy import select

from db.backup import list_backups
from db.engine import Database
from db.migrate import open_database
from db.models import Household
from desktop_app.core.services.backups import backups_folder
from desktop_app.core.services.orgs import create_region
from desktop_app.sync import identity
from desktop_app.sync.container import Container, canonical
from desktop_app.ui import errors as ui_errors
from desktop_app.ui import sync_run
from tests.acting import keeper
from tests.sync.conftest import SyncPair, dump, trust_each_other
from tests.sync.test_apply_rules import _tampered
from tests.sync.test_import_backup import _inbox_rows
from tests.ui.conftest import ShownBoxes
from tests.ui.test_sync_page import _cells, _count, _shot, district_page, town_page


@pytest.fixture
def pair(sync_pair: SyncPair) -> SyncPair:
    return sync_pair


@pytest.fixture
def bridge(pair: SyncPair, tmp_path: Path) -> Iterator[Database]:
    """A second township, 大桥镇, trusted both ways with the district, with one region to send."""
    db = open_database(tmp_path / "bridge" / "bridge.db")
    with db.begin("admin") as s:
        identity.set_site(s, "township", "大桥镇", None)
    trust_each_other(db, pair.district)
    with db.begin("admin") as s:
        create_region(s, code="320115106000", name="大桥镇", user=keeper(s))
    yield db
    db.close()


def _edit_town(pair: SyncPair, address: str) -> None:
    with pair.town.begin("会计") as s:
        h = s.scalars(select(Household).order_by(Household.id)).first()
        assert h is not None
        h.address = address


def _sync_backups(db: Database) -> list[Any]:
    return [e for e in list_backups(backups_folder(db.path), db.path) if e.reason == "sync-import"]


def _inbox(db: Database) -> int:
    return _count(db, "sync_inbox")




def _labels(dialog: Any) -> dict[str, str]:
    return {w.objectName(): w.text() for w in dialog.findChildren(QLabel) if w.objectName() and w.isVisibleTo(dialog)}


def _lines(run: sync_run.SyncImportRun) -> dict[str, sync_run.PackageLine]:
    assert run.dialog is not None
    return {line.file: line for line in run.dialog.lines}


def test_the_district_imports_every_package_on_the_stick_as_one_run(pair: SyncPair, bridge: Database, qtbot: Any,
                                                                     tmp_path: Path, shown_boxes: ShownBoxes) -> None:
    first, _ = pair.carry(pair.town, pair.district)  # imported earlier: on the stick it is only announced
    outgoing = pair.export(pair.district, pair.town)  # the district's own package for 阳光街道: not for this PC
    _edit_town(pair, "一次导入多个包")
    second = pair.export(pair.town, pair.district)
    from_bridge = pair.export(bridge, pair.district)
    assert first.path and outgoing.path and second.path and from_bridge.path
    backups_before = len(_sync_backups(pair.district))
    page = district_page(pair, qtbot, tmp_path)
    page.set_folder(pair.stick)
    run = page.import_all_from_stick()
    assert run is not None
    question = shown_boxes.boxes[-1]
    assert question.windowTitle() == "导入同步包" and f"{pair.stick} 中共 4 个同步包" in question.text()
    assert all(p.name in question.text() for p in (first.path, outgoing.path, second.path, from_bridge.path))
    assert not page.import_button.isEnabled() and not page.import_all_button.isEnabled()  # one exchange at a time
    qtbot.waitUntil(lambda: run.dialog is not None, timeout=120_000)
    assert page.import_button.isEnabled() and page.import_all_button.isEnabled()

    lines = _lines(run)
    assert lines[first.path.name].result == "已导入过" and "无需重复导入" in lines[first.path.name].detail
    assert lines[second.path.name].result == "已导入"
    assert lines[second.path.name].sender == "乡镇“阳光街道” 第 2 号包"
    assert lines[second.path.name].detail.startswith("已导入乡镇“阳光街道”的同步包：新变更 1 条")
    assert lines[from_bridge.path.name].result == "已导入"
    assert lines[from_bridge.path.name].detail.startswith("已导入乡镇“大桥镇”的同步包")
    assert lines[outgoing.path.name].result == "已跳过" and "此同步包不是发给本机的" in lines[outgoing.path.name].detail
    labels = _labels(run.dialog)
    assert labels["run_verdict"] == "共 4 个同步包：已导入 2 个，此前已导入 1 个，不是发给本机的、已跳过 1 个"
    assert "run_refusal" not in labels
    assert _inbox(pair.district) == 3
    with pair.district.read() as s:
        assert s.scalars(select(Household.address).where(Household.address == "一次导入多个包")).all()
    # one 同步导入前 backup for the run (the state before it: 1 package), checked when the run ended
    backups = _sync_backups(pair.district)
    assert len(backups) == backups_before + 1 and backups[0].verified is True
    assert _inbox_rows(backups[0].path) == 1
    assert labels["run_backup"] == f"导入前的备份 {backups[0].path.name} 已校验通过"
    assert page.status.text() == labels["run_verdict"]
    rows = {r["名称"]: r for r in _cells(page)}
    assert "第1号包" in rows["大桥镇"]["最近接收"] and "第2号包" in rows["阳光街道"]["最近接收"]
    result = run.dialog.table.model().index(0, sync_run._RESULT)
    assert run.dialog.table.model().data(result, Qt.ItemDataRole.ForegroundRole) is not None
    _shot(run.dialog, "sync_run_summary.png")


def _lying(pair: SyncPair, package: Path) -> Path:
    def more_debit(c: Container) -> dict[str, bytes]:  # signed by the township, but its totals lie
        ctl = c.read_json("control.json")
        book, period, vouchers, lines, debit, credit = ctl["totals"][0]
        ctl["totals"][0] = [book, period, vouchers, lines, debit + 100, credit]
        return {"control.json": canonical(ctl)}

    return _tampered(pair, package, members=more_debit)


def _copy_db(db: Database, to: Path) -> Path:
    """The database as it is now, copied with SQLite's backup API (a second district PC's state)."""
    import sqlite3

    to.parent.mkdir(parents=True)
    src, dest = sqlite3.connect(db.path), sqlite3.connect(to)
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()
    return to


def test_a_refused_package_does_not_stop_the_run_nor_the_cli(pair: SyncPair, bridge: Database, qtbot: Any,
                                                              tmp_path: Path, shown_boxes: ShownBoxes,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Two refused packages among others (one lying, one damaged): nothing of them is written, the
    run goes on, the township's later package (carrying the refused one's changes) is imported,
    the summary names each refusal; the CLI given the same files does the same and exits 1."""
    from desktop_app.cli import main

    from_bridge = pair.export(bridge, pair.district)
    town = pair.export(pair.town, pair.district)
    assert from_bridge.path and town.path
    bad = _lying(pair, town.path)
    town.path.unlink()  # only the lying copy of 第 1 号包 is on the stick
    damaged = pair.stick / "damaged.slsync"
    data = from_bridge.path.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    _edit_town(pair, "被拒绝的包之后")
    later = pair.export(pair.town, pair.district)  # 第 2 号包: everything not yet acknowledged, 第 1 号的也在内
    assert later.path
    with pair.district.begin("admin") as s:
        officer = keeper(s, "district_admin").username
    second_pc = _copy_db(pair.district, tmp_path / "second" / "district.db")  # the CLI's run starts from here
    files = [from_bridge.path, bad, damaged, later.path]
    page = district_page(pair, qtbot, tmp_path)
    run = page.import_from_stick(files)
    assert isinstance(run, sync_run.SyncImportRun)
    qtbot.waitUntil(lambda: run.dialog is not None, timeout=120_000)
    lines = _lines(run)
    assert [line.file for line in run.dialog.lines] == [f.name for f in files]
    assert lines[from_bridge.path.name].result == "已导入"
    assert lines[bad.name].result == "未导入（被拒绝）" and "导入后对账不符" in lines[bad.name].detail
    assert lines[damaged.name].result == "未导入（被拒绝）" and lines[damaged.name].detail
    assert lines[later.path.name].result == "已导入"
    assert lines[later.path.name].sender == "乡镇“阳光街道” 第 2 号包"
    labels = _labels(run.dialog)
    assert labels["run_verdict"] == "共 4 个同步包：已导入 2 个，被拒绝 2 个"
    refusal = labels["run_refusal"].split("\n")
    assert refusal[0].startswith(f"{bad.name} 未导入：") and "导入后对账不符" in refusal[0]
    assert refusal[1] == f"{damaged.name} 未导入：{lines[damaged.name].detail}"
    assert refusal[-1] == "以上各包的数据未作任何改动；其余的包已导入（新导入 2 个）。"
    bad_row = run.dialog.table.model().index(1, sync_run._RESULT)
    assert run.dialog.table.model().data(bad_row, Qt.ItemDataRole.ForegroundRole).color().name() == sync_run.ERROR_COLOR
    _shot(run.dialog, "sync_run_refused.png")
    assert _inbox(pair.district) == 2
    assert _count(pair.district, "voucher") == _count(pair.town, "voucher") > 0  # 第 1 号包's changes came with 第 2 号
    with pair.district.read() as s:
        assert s.scalars(select(Household.address).where(Household.address == "被拒绝的包之后")).all()

    # the CLI given the same files on the district's state before the run: the same outcomes, exit 1
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    code = main(["--user", officer, "sync", "import", *map(str, files), "--db", str(second_pc)])
    out = capsys.readouterr()
    assert code == 1
    assert out.out.count("已导入乡镇“") == 2 and "已导入乡镇“阳光街道”" in out.out
    assert f"未导入 {bad.name}：" in out.out and f"未导入 {damaged.name}：" in out.out
    assert "共 4 个同步包：已导入 2 个，未导入（被拒绝） 2 个" in out.out
    assert out.err.startswith("错误：") and "导入后对账不符" in out.err  # the first refusal, last
    assert _inbox_rows(second_pc) == 2


def test_a_township_imports_the_districts_packages_together(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                                            shown_boxes: ShownBoxes) -> None:
    """On a township the same page imports the district's packages as one run, and names the
    correction proposals they brought."""
    from db.models import Contract
    from desktop_app.core.services import proposals as svc

    pair.carry(pair.town, pair.district)
    acks = pair.export(pair.district, pair.town)  # acknowledgements only
    with pair.district.read() as s:
        org, number = s.execute(select(Contract.organisation_id, Contract.number).order_by(Contract.number)
                                .limit(1)).one()
    with pair.district.begin("quji") as s:
        svc.propose(s, svc.find_target(s, org, "contract", number), "合同超期", f"合同 {number} 已到期",
                    user=keeper(s, "district_admin"))
    proposal = pair.export(pair.district, pair.town)
    assert acks.path and proposal.path
    page = town_page(pair, qtbot, tmp_path)
    run = page.import_from_stick([acks.path, proposal.path])
    assert isinstance(run, sync_run.SyncImportRun)
    qtbot.waitUntil(lambda: run.dialog is not None, timeout=120_000)
    assert [line.result for line in run.dialog.lines] == ["已导入", "已导入"]
    assert [line.sender for line in run.dialog.lines] == ["区“江宁区经管站” 第 1 号包", "区“江宁区经管站” 第 2 号包"]
    assert page.status.text() == ("共 2 个同步包：已导入 2 个"
                                  "\n收到区级更正建议 1 条，请到“区级更正建议”页答复")
    (row,) = _cells(page)
    assert row["未确认变更"] == "0" and "第2号包" in row["最近接收"]


def test_cancel_during_a_run_keeps_the_database_as_it_was(pair: SyncPair, bridge: Database, qtbot: Any,
                                                          tmp_path: Path, shown_boxes: ShownBoxes,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    town = pair.export(pair.town, pair.district)
    from_bridge = pair.export(bridge, pair.district)
    assert town.path and from_bridge.path
    page = district_page(pair, qtbot, tmp_path)
    before = dump(pair.district)
    empty = tmp_path / "empty_stick"
    empty.mkdir()
    page.set_folder(empty)
    assert page.import_all_from_stick() is None
    assert shown_boxes.texts[-1] == f"文件夹 {empty} 中没有同步数据包（.slsync）"
    page.set_folder(pair.stick)
    monkeypatch.setattr(ui_errors, "_exec", lambda box: int(QMessageBox.StandardButton.Cancel))  # 取消 the question
    assert page.import_all_from_stick() is None and page.run_importer is None

    def press_cancel(handle: Any, done: int, total: int, _text: str) -> None:  # 取消 inside the first package
        if total:
            handle.cancel()

    page.runner._bridge.progress.connect(press_cancel, Qt.ConnectionType.DirectConnection)
    run = page.import_from_stick([town.path, from_bridge.path])
    assert isinstance(run, sync_run.SyncImportRun)
    qtbot.waitUntil(lambda: run.dialog is not None, timeout=120_000)
    assert [(x.result, x.detail) for x in run.dialog.lines] == [
        ("已取消", "已取消导入，本机数据未作任何改动"), ("未导入", sync_run.STOPPED_BY_CANCEL)]
    labels = _labels(run.dialog)
    assert labels["run_verdict"] == "共 2 个同步包：已取消 1 个，未导入 1 个"
    assert labels["run_refusal"].startswith("已取消：已取消导入")
    assert dump(pair.district) == before
    assert "错误" not in " ".join(shown_boxes.texts)
