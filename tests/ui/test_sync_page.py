"""The U盘同步 page (issue #12) on real databases, real packages and real widgets offscreen:
identity and partners, a card trusted after its fingerprint is confirmed, export into a "stick"
folder in the background, cancel leaving no file, import showing the dry-run summary first and
changing nothing until 确认导入, refused packages changing nothing."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

import desktop_app.sync  # noqa: F401  (registers the district guard)
from db.engine import Database
from db.migrate import open_database
from db.models import SyncOutbox, SyncPartner
from db.types import utcnow
from desktop_app.core.rows import UserRow
from desktop_app.core.services.users import authenticate
from desktop_app.sync import identity
from desktop_app.sync.apply import import_package
from desktop_app.sync.container import Container, canonical
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import sync as page_mod
from desktop_app.ui.pages import visible_pages
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.sync_dialogs import ImportSummaryDialog
from tests.acting import keeper
from tests.conftest import copy_of
from tests.sync.conftest import SyncPair, dump, make_district, trust_each_other
from tests.sync.test_apply_rules import _tampered
from tests.ui.conftest import ShownBoxes

SHOTS = os.environ.get("SYNC_PAGE_SHOTS")  # a folder: screenshots of the page and the summary are kept there


def _page(db: Database, qtbot: Any, tmp_path: Path, user: UserRow) -> page_mod.SyncPage:
    ctx = AppContext(db, user, WindowSettings(tmp_path / f"w-{uuid.uuid4().hex[:6]}.json"))
    page = page_mod.SyncPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 560)
    page.show()
    return page


@pytest.fixture
def pair(sync_pair: SyncPair) -> SyncPair:
    """The sync tests' trusting township and district (tests/sync/conftest.py, via tests/ui/conftest.py)."""
    return sync_pair


def town_page(pair: SyncPair, qtbot: Any, tmp_path: Path) -> page_mod.SyncPage:
    with pair.town.begin() as s:
        user = authenticate(s, "admin", "demo1234")
    return _page(pair.town, qtbot, tmp_path, user)


def district_page(pair: SyncPair, qtbot: Any, tmp_path: Path) -> page_mod.SyncPage:
    officer = UserRow(id=uuid.uuid4(), username="district_officer", display_name="区经管站", roles=("district_admin",),
                      active=True)
    return _page(pair.district, qtbot, tmp_path, officer)


def _cells(page: page_mod.SyncPage) -> list[dict[str, str]]:
    m = page.model
    heads = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    return [{heads[c]: m.data(m.index(r, c)) for c in range(m.columnCount())} for r in range(m.rowCount())]


def _wait(qtbot: Any, page: page_mod.SyncPage) -> None:
    qtbot.waitUntil(lambda: page.task is not None and page.task.done, timeout=60_000)


def _shot(widget: Any, name: str) -> None:
    """Keep a screenshot in ``SYNC_PAGE_SHOTS``, in the program's own Chinese font (as app.py loads it)."""
    if not SHOTS:
        return
    from PySide6.QtGui import QFont, QFontDatabase

    from desktop_app import paths

    families = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(paths.font_path())))
    if families:
        font = QFont(families[0])
        font.setPointSize(10)
        widget.setFont(font)
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(Path(SHOTS) / name))


def _count(db: Database, table: str) -> int:
    con = sqlite3.connect(db.path)
    try:
        return int(con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])
    finally:
        con.close()


def test_page_is_offered_to_who_exchanges_data() -> None:
    assert "sync" in [p.id for p in visible_pages(("bookkeeper",))]
    assert "sync" in [p.id for p in visible_pages(("district_admin",))]
    assert "sync" not in [p.id for p in visible_pages(("reviewer", "supervisor"))]


def test_page_shows_identity_and_partners(pair: SyncPair, qtbot: Any, tmp_path: Path) -> None:
    page = town_page(pair, qtbot, tmp_path)
    with pair.town.read() as s:
        me, card = identity.site(s), identity.my_card(s)[0]
    assert f"乡镇“{me.name}”" in page.identity_label.text() and me.region_code in page.identity_label.text()
    assert page.fingerprint_label.text() == f"本机指纹：{card.fingerprint}"
    with pair.district.read() as s:
        district_fp = identity.my_card(s)[0].fingerprint
    (row,) = _cells(page)
    assert row["名称"] == "江宁区经管站" and row["级别"] == "区" and row["指纹"] == district_fp
    assert row["最近发出"] == "尚未导出" and row["最近接收"] == "尚未导入"
    assert int(row["未确认变更"]) > 0 and row["对方已确认"].startswith("0 / ")
    assert row["提醒"] == "" and not page.warnings.isVisibleTo(page)
    assert page.partner_combo.currentText() == "区“江宁区经管站”" and page.export_button.isEnabled()
    assert page.drive_combo.itemText(page.drive_combo.count() - 1) == page_mod.CHOOSE_FOLDER
    # this machine has no stick: the system disk is never offered as the default target
    assert page.drive_combo.currentText() == page_mod.NO_STICK and page.target_dir() is None

    with pair.town.begin() as s:  # registered 40 days ago and never exchanged
        partner = s.get(SyncPartner, pair.district.origin)
        assert partner is not None
        partner.trusted_at = utcnow() - timedelta(days=40)
    page.ctx.notify("refresh")
    (row,) = _cells(page)
    assert row["提醒"].startswith("已超过一个月未与区“江宁区经管站”交换数据") and "从未交换" in row["提醒"]
    assert page.warnings.isVisibleTo(page) and page.warnings.text() == f"⚠ {row['提醒']}"
    warning = page.model.index(0, page_mod._WARNING)
    assert page.model.data(warning, Qt.ItemDataRole.ForegroundRole).color().name() == page_mod.ERROR_COLOR
    _shot(page, "sync_page_warning.png")


def test_trust_a_card_only_after_the_fingerprint_is_confirmed(demo_template: Path, qtbot: Any, tmp_path: Path,
                                                               shown_boxes: ShownBoxes) -> None:
    town = open_database(copy_of(demo_template, tmp_path / "town"))
    district = make_district(tmp_path / "district" / "district.db")
    try:
        d_page = _page(district, qtbot, tmp_path, UserRow(uuid.uuid4(), "officer", "区", ("district_admin",), True))
        assert _cells(d_page) == [] and not d_page.export_button.isEnabled()
        assert d_page.hint.isVisibleTo(d_page) and d_page.hint.text() == page_mod.NO_TOWNSHIPS
        card_file = d_page.export_card(tmp_path / "district_card")
        assert card_file == tmp_path / "district_card.slcard" and card_file.is_file()
        assert d_page.fingerprint in shown_boxes.texts[-1] and str(card_file) in shown_boxes.texts[-1]

        with town.begin() as s:
            user = authenticate(s, "admin", "demo1234")
        t_page = _page(town, qtbot, tmp_path, user)
        dialog = t_page.trust(card_file)
        assert dialog is not None
        assert dialog.fingerprint.text() == d_page.fingerprint
        assert not dialog.trust_button.isEnabled()  # not before the phone check
        dialog.reject()
        assert _cells(t_page) == []  # 取消 registers nothing
        assert t_page.hint.text() == page_mod.NO_DISTRICT and not t_page.export_button.isEnabled()

        dialog = t_page.trust(card_file)
        assert dialog is not None
        dialog.checked.setChecked(True)
        assert dialog.trust_button.isEnabled()
        dialog.trust_button.click()
        (row,) = _cells(t_page)
        assert row["名称"] == "江宁区经管站" and row["指纹"] == d_page.fingerprint
        assert shown_boxes.texts[-1] == f"已登记区“江宁区经管站”的同步名片（指纹 {d_page.fingerprint}）"
        assert t_page.partner_combo.currentText() == "区“江宁区经管站”"
        assert t_page.export_button.isEnabled() and not t_page.hint.isVisibleTo(t_page)

        own = t_page.export_card(tmp_path / "town.slcard")  # a township's own card offered back: refused calmly
        assert own is not None
        dialog = t_page.trust(own)
        assert dialog is not None
        dialog.checked.setChecked(True)
        dialog.trust_button.click()
        assert "这是本机自己的名片" in shown_boxes.texts[-1]
        assert len(_cells(t_page)) == 1
    finally:
        town.close()
        district.close()


def test_export_through_the_page_writes_one_file_on_the_stick(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                                              shown_boxes: ShownBoxes) -> None:
    page = town_page(pair, qtbot, tmp_path)
    page.set_folder(pair.stick)
    assert page.target_dir() == pair.stick
    assert page.export_to_stick() is not None
    assert not page.export_button.isEnabled() and not page.import_button.isEnabled()  # one exchange at a time
    _wait(qtbot, page)
    assert page.export_button.isEnabled() and page.import_button.isEnabled()
    (package,) = pair.stick.iterdir()
    assert package.name.endswith("_至_江宁区经管站_" + f"{utcnow().astimezone():%Y%m%d}" + "_0001.slsync")
    ((name, result),) = page.exported
    assert name == "江宁区经管站" and result.path == package and result.changes > 0
    expected = f"已写入 {package}，共 {result.changes} 条变更，已在本机保留副本"
    assert page.status.text() == expected and shown_boxes.texts[-1] == expected
    with pair.town.read() as s:
        (out,) = s.query(SyncOutbox).all()
        assert out.file_name == package.name and Path(out.kept_copy).is_file()
    (row,) = _cells(page)
    assert "第1号包" in row["最近发出"] and f"{result.changes} 条变更" in row["最近发出"]
    assert int(row["未确认变更"]) > 0  # not delivered until the district acknowledges


def test_cancel_during_export_leaves_no_file(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                             shown_boxes: ShownBoxes) -> None:
    page = town_page(pair, qtbot, tmp_path)
    page.set_folder(pair.stick)
    seen: list[tuple[int, int]] = []

    def press_cancel(handle: Any, done: int, total: int, _text: str) -> None:  # 取消 as the first records are written
        if total:
            seen.append((done, total))
            handle.cancel()

    # in the worker thread, as the engine reports: the cancel lands while the package is being written
    page.runner._bridge.progress.connect(press_cancel, Qt.ConnectionType.DirectConnection)
    before = dump(pair.town)
    page.export_to_stick()
    _wait(qtbot, page)
    assert seen and seen[0][0] < seen[0][1]  # cancelled part way
    assert page.task is not None and page.task.progress.cancelled
    assert list(pair.stick.iterdir()) == []  # no package, no temp file
    assert page.status.text() == "已取消导出，未写出任何文件"
    assert not shown_boxes.texts  # a cancel is not an error
    assert dump(pair.town) == before
    assert not list((pair.town.path.parent / "sync" / "outbox").glob("*.slsync"))


def test_import_shows_the_summary_and_changes_nothing_until_confirmed(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                                                      shown_boxes: ShownBoxes) -> None:
    out = pair.export(pair.town, pair.district)
    assert out.path is not None
    page = district_page(pair, qtbot, tmp_path)
    before = dump(pair.district)
    importer = page.import_from_stick(out.path)
    qtbot.waitUntil(lambda: importer.dialog is not None, timeout=60_000)
    dialog = importer.dialog
    assert isinstance(dialog, ImportSummaryDialog) and dialog.isVisible()
    with pair.town.read() as s:
        town_name = identity.site(s).name
        villages = s.execute(text(
            "SELECT COUNT(*) FROM organisation WHERE level != '乡镇'")).scalar_one()
    labels = {w.objectName(): w.text() for w in dialog.findChildren(page_mod.QLabel) if w.objectName()}
    assert labels["summary_sender"].startswith(f"来自乡镇“{town_name}”的第 1 号包，生成于 ")
    assert labels["summary_counts"].startswith(f"新变更 {out.changes} 条，本机已持有 0 条；审计记录新增 ")
    assert "记账凭证" in labels["summary_rows"] and "凭证分录" in labels["summary_rows"]
    assert labels["summary_verdict"].startswith("检查通过，以上只是预览，尚未导入任何数据")
    assert dialog.table is not None
    rows = dialog.table.model().all_rows()
    assert len(rows) >= villages > 0
    assert all(r.totals.startswith("✓") or r.totals == "—" for r in rows)
    assert any(r.totals.startswith("✓") for r in rows) and all(r.digest == "✓ 一致" for r in rows)
    _shot(dialog, "sync_import_summary.png")
    assert dump(pair.district) == before  # the dry run was rolled back
    assert _count(pair.district, "voucher") == 0

    dialog.import_button.click()
    qtbot.waitUntil(lambda: importer.report is not None, timeout=60_000)
    assert _count(pair.district, "voucher") == _count(pair.town, "voucher") > 0
    assert importer.report.message.startswith(f"已导入乡镇“{town_name}”的同步包：新变更 {out.changes} 条")
    assert page.status.text() == importer.report.message and shown_boxes.texts[-1] == importer.report.message
    (row,) = _cells(page)
    assert "第1号包" in row["最近接收"] and f"{out.changes} 条新变更" in row["最近接收"]

    # the district answers: its package carries the ack; the town's partner row then shows all acknowledged
    page.set_folder(pair.stick)
    page.export_to_stick()
    _wait(qtbot, page)
    ((_, back),) = page.exported
    assert back.path is not None and back.changes == 0
    assert page.status.text() == f"已写入 {back.path}，没有新的变更，只带回确认信息，已在本机保留副本"
    t_page = town_page(pair, qtbot, tmp_path)
    t_importer = t_page.import_from_stick(back.path)
    qtbot.waitUntil(lambda: t_importer.dialog is not None, timeout=60_000)
    assert t_importer.dialog.import_button is not None
    t_importer.dialog.import_button.click()
    qtbot.waitUntil(lambda: t_importer.report is not None, timeout=60_000)
    (row,) = _cells(t_page)
    assert row["未确认变更"] == "0" and row["对方已确认"].startswith("全部 ")
    assert "第1号包" in row["最近发出"] and row["最近接收"].endswith("第1号包，仅确认信息")
    _shot(t_page, "sync_page_partners.png")
    _shot(page, "sync_page_district.png")


def test_a_refused_package_shows_the_reason_and_changes_nothing(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                                                shown_boxes: ShownBoxes) -> None:
    out = pair.export(pair.town, pair.district)
    assert out.path is not None
    page = district_page(pair, qtbot, tmp_path)
    before = dump(pair.district)

    cut = tmp_path / "cut.slsync"  # the stick pulled while copying
    cut.write_bytes(out.path.read_bytes()[: out.size // 2])
    importer = page.import_from_stick(cut)
    qtbot.waitUntil(lambda: importer.task is not None and importer.task.done, timeout=60_000)
    assert importer.dialog is None
    assert shown_boxes.texts and "不完整" in shown_boxes.texts[-1] and "本机数据未作任何改动" in shown_boxes.texts[-1]
    assert dump(pair.district) == before

    def more_debit(c: Container) -> dict[str, bytes]:  # signed by the township, but its totals lie
        ctl = c.read_json("control.json")
        book, period, vouchers, lines, debit, credit = ctl["totals"][0]
        ctl["totals"][0] = [book, period, vouchers, lines, debit + 100, credit]
        return {"control.json": canonical(ctl)}

    bad = _tampered(pair, out.path, members=more_debit)
    importer = page.import_from_stick(bad)
    qtbot.waitUntil(lambda: importer.dialog is not None, timeout=60_000)
    dialog = importer.dialog
    assert dialog.import_button is None  # nothing to confirm
    labels = {w.objectName(): w.text() for w in dialog.findChildren(page_mod.QLabel) if w.objectName()}
    assert "导入后对账不符" in labels["summary_problems"]
    assert "summary_counts" not in labels and dialog.table is None  # no "新变更 0 条" for a refused package
    assert labels["summary_verdict"] == "检查未通过，此包不能导入（见上面列出的问题）。本机数据未作任何改动。"
    _shot(dialog, "sync_import_refused.png")
    dialog.reject()
    assert dump(pair.district) == before

    import_package(pair.district, out.path, actor="tester")  # imported once; offered again it is only announced
    importer = page.import_from_stick(out.path)
    qtbot.waitUntil(lambda: importer.dialog is not None, timeout=60_000)
    assert importer.dialog.import_button is None
    labels = {w.objectName(): w.text() for w in importer.dialog.findChildren(page_mod.QLabel) if w.objectName()}
    assert labels["summary_verdict"].startswith("此包已于 ") and labels["summary_verdict"].endswith("导入，无需重复导入")


def test_a_replaced_township_pc_is_announced_as_its_successor(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                                              shown_boxes: ShownBoxes,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.cli import main

    pair.town.close()  # the township's PC dies; its sealed backup is restored on a new one
    monkeypatch.setenv("SUNSHINE_LEDGER_BACKUP_PASSPHRASE", "阳光街道的备份口令")
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")  # the demo's administrator sets it
    assert main(["--user", "admin", "backup", "passphrase", "--db", str(pair.town.path)]) == 0
    assert main(["backup", "--db", str(pair.town.path), "--to", str(tmp_path / "bk")]) == 0
    (sealed,) = (tmp_path / "bk").iterdir()
    assert sealed.suffix == ".slbak"
    new_pc = tmp_path / "new_pc" / "ledger.db"
    new_pc.parent.mkdir()
    assert main(["restore", str(sealed), "--db", str(new_pc)]) == 0
    assert main(["sync", "identity", "--db", str(new_pc), "--out", str(tmp_path / "new.slcard")]) == 0
    pair.town = open_database(pair.town.path)  # closed again by the fixture

    page = district_page(pair, qtbot, tmp_path)
    dialog = page.trust(tmp_path / "new.slcard")
    assert dialog is not None
    dialog.checked.setChecked(True)
    dialog.trust_button.click()
    assert shown_boxes.boxes[-1].windowTitle() == "已登记新电脑"
    assert "接替" in shown_boxes.texts[-1] and "旧电脑迟到的U盘数据包仍可导入" in shown_boxes.texts[-1]
    rows = _cells(page)
    assert [r["名称"] for r in rows] == ["阳光街道", "阳光街道（旧电脑，已由“阳光街道”接替）"]
    assert rows[1]["提醒"] == "" and rows[1]["未确认变更"] == ""
    assert [page.partner_combo.itemText(i) for i in range(page.partner_combo.count())] == ["乡镇“阳光街道”"]


def test_cancel_during_import_changes_nothing(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                              shown_boxes: ShownBoxes) -> None:
    out = pair.export(pair.town, pair.district)
    assert out.path is not None
    page = district_page(pair, qtbot, tmp_path)
    before = dump(pair.district)
    importer = page.import_from_stick(out.path)
    qtbot.waitUntil(lambda: importer.dialog is not None, timeout=60_000)

    def press_cancel(handle: Any, done: int, total: int, _text: str) -> None:
        if total:
            handle.cancel()

    page.runner._bridge.progress.connect(press_cancel, Qt.ConnectionType.DirectConnection)
    importer.dialog.import_button.click()
    qtbot.waitUntil(lambda: importer.task is not None and importer.task.done, timeout=60_000)
    assert importer.report is None
    assert shown_boxes.texts[-1] == "已取消导入，本机数据未作任何改动。"
    assert dump(pair.district) == before


def test_the_district_exports_to_all_its_townships_at_once(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                                           shown_boxes: ShownBoxes) -> None:
    second = open_database(tmp_path / "town2" / "town2.db")
    try:
        with second.begin("admin") as s:
            identity.set_site(s, "township", "大桥镇", None)
        trust_each_other(second, pair.district)
        pair.carry(pair.town, pair.district)  # the district owes 阳光街道 an acknowledgement
        page = district_page(pair, qtbot, tmp_path)
        combo = [page.partner_combo.itemText(i) for i in range(page.partner_combo.count())]
        assert combo == [page_mod.ALL_TOWNSHIPS, "乡镇“大桥镇”", "乡镇“阳光街道”"]
        assert page.partner_combo.currentText() == page_mod.ALL_TOWNSHIPS
        page.set_folder(pair.stick)
        before = set(pair.stick.iterdir())
        page.export_to_stick()
        _wait(qtbot, page)
        written = set(pair.stick.iterdir()) - before
        assert [n for n, _ in page.exported] == ["大桥镇", "阳光街道"]
        results = [r for _, r in page.exported]
        assert sorted(written) == sorted(r.path for r in results)  # one file per township
        assert "_至_大桥镇_" in results[0].path.name and "_至_阳光街道_" in results[1].path.name
        assert all(r.changes == 0 for r in results)  # a district sends acknowledgements (and its audit trail)
        assert page.status.text() == "\n".join(f"已写入 {r.path}，没有新的变更，只带回确认信息，已在本机保留副本"
                                               for r in results)
        assert shown_boxes.boxes[-1].windowTitle() == "导出完成"
    finally:
        second.close()


def test_an_import_that_brings_proposals_says_where_to_answer(pair: SyncPair, qtbot: Any, tmp_path: Path,
                                                              shown_boxes: ShownBoxes) -> None:
    """The township's page names the district's new correction proposals after the import that
    brought them; a later package carrying only a withdrawal brings none to answer."""
    from sqlalchemy import select

    from db.models import Contract
    from desktop_app.core.services import proposals as svc

    pair.carry(pair.town, pair.district)
    with pair.district.read() as s:
        contracts = s.execute(select(Contract.organisation_id, Contract.number).order_by(Contract.number)
                              .limit(2)).all()
    with pair.district.begin("quji") as s:
        made = [svc.propose(s, svc.find_target(s, org, "contract", number), "合同超期", f"合同 {number} 已到期", user=keeper(s, "district_admin"))
                for org, number in contracts]
    page = town_page(pair, qtbot, tmp_path)

    def import_on_the_town() -> str:
        out = pair.export(pair.district, pair.town)
        assert out.path is not None
        importer = page.import_from_stick(out.path)
        qtbot.waitUntil(lambda: importer.dialog is not None, timeout=60_000)
        assert importer.dialog.import_button is not None
        importer.dialog.import_button.click()
        qtbot.waitUntil(lambda: importer.report is not None, timeout=60_000)
        assert importer.report.rows.get("proposal")
        return page.status.text()

    said = import_on_the_town()
    assert said.startswith("已导入区“江宁区经管站”的同步包")
    assert said.endswith("\n收到区级更正建议 2 条，请到“区级更正建议”页答复")
    _shot(page, "sync_page_proposals.png")
    with pair.district.begin("quji") as s:
        svc.withdraw(s, made[0].id, user=keeper(s, "district_admin"))
    said = import_on_the_town()
    assert said.startswith("已导入区“江宁区经管站”的同步包") and "更正建议" not in said
