"""The 审计日志 page offscreen on a copy of the demo database: rows newest first, 下一页/上一页 by
keyset without gaps, a filter narrows the rows, the detail shows an entry's fields before and after
(身份证号 masked; 显示完整身份证号 only for the register's keepers), 导出Excel writes the filtered
rows (read back), the chain status is shown, and a user without the permission gets no page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton
from sqlalchemy import select, text

from db.audit import AuditRecord, record_audit
from db.engine import Database
from db.models import AuditEntry, User
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import user_row
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import audit_log, visible_pages
from desktop_app.ui.pages.audit_log import PAGE_ROWS, AuditDetailDialog, AuditLogPage
from desktop_app.ui.settings import WindowSettings

RIC = "320115196202030014"


def _user(db: Database, username: str) -> UserRow:
    with db.read() as s:
        return user_row(s.execute(select(User).where(User.username == username)).scalar_one())


def _page(qtbot: Any, db: Database, tmp_path: Path, username: str) -> AuditLogPage:
    ctx = AppContext(db, _user(db, username), WindowSettings(tmp_path / f"{username}.json"))
    page = AuditLogPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 760)
    page.show()
    return page


def _column(page: AuditLogPage, header: str) -> list[Any]:
    model = page.view.model()
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == header)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def _all_n(db: Database) -> list[int]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry.n).order_by(AuditEntry.n.desc())))


def test_the_page_lists_newest_first_and_pages_without_gaps(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    everything = _all_n(demo_db)
    assert len(everything) > PAGE_ROWS
    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    seen: list[int] = []
    while True:
        seen.extend(int(n) for n in _column(page, "序号"))
        if not page.next_button.isEnabled():
            break
        page.next_button.click()
    assert seen == everything
    assert page.prev_button.isEnabled()
    page.prev_button.click()
    page.newest_button.click()
    assert [int(n) for n in _column(page, "序号")] == everything[:PAGE_ROWS]
    assert "第 1 页" in page.page_label.text()
    assert page.chain_label.text().startswith("审计链校验通过")
    page.grab().save(str(tmp_path / "audit_log.png"))


def test_a_filter_narrows_the_rows(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    page.action.setCurrentIndex(page.action.findData("review"))
    page.search()
    with demo_db.read() as s:
        reviews = list(s.scalars(select(AuditEntry.n).where(AuditEntry.action == "review")
                                 .order_by(AuditEntry.n.desc())))
    assert reviews and [int(n) for n in _column(page, "序号")] == reviews
    assert set(_column(page, "操作")) == {"审核"}
    page.org.setCurrentIndex(1)
    assert page.book.isEnabled() and page.book.count() >= 2
    page.clear()
    assert len(_column(page, "序号")) == PAGE_ROWS


def test_the_detail_masks_and_only_a_keeper_may_reveal(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    with demo_db.begin("kuaiji") as s:
        record_audit(s, AuditRecord("update", "member", None, "修改成员 张三",
                                    {"name": "张三", "ric": RIC, "birth_date": "1962-02-03"},
                                    {"name": "张三丰", "ric": RIC, "birth_date": "1962-02-03"}))
    for username, may_reveal in (("jiandu", False), ("kuaiji", True)):
        page = _page(qtbot, demo_db, tmp_path, username)
        page.view.table.selectRow(0)
        page.show_detail()
        dialog = page.detail_dialog
        assert isinstance(dialog, AuditDetailDialog)
        cells = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text())
                 for r in range(dialog.table.rowCount())}
        assert cells["身份证号"] == ("320115********0014", "320115********0014")
        assert cells["出生日期"] == ("1962年", "1962年")
        assert cells["姓名"] == ("张三", "张三丰") and dialog.table.item(0, 0).text() == "姓名"  # the change first
        assert dialog.reveal_button.isVisibleTo(dialog) and dialog.reveal_button.isEnabled() == may_reveal
        if may_reveal:
            dialog.reveal_button.click()
            cells = {dialog.table.item(r, 0).text(): dialog.table.item(r, 2).text()
                     for r in range(dialog.table.rowCount())}
            assert cells["身份证号"] == RIC and cells["出生日期"] == "1962-02-03"
            assert not dialog.reveal_button.isVisibleTo(dialog)
            with demo_db.read() as s:
                newest = s.execute(select(AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.n.desc())).first()
            assert tuple(newest or ()) == ("kuaiji", "reveal")
            dialog.grab().save(str(tmp_path / "detail.png"))
        dialog.close()


def test_export_writes_the_filtered_rows(qtbot: Any, demo_db: Database, tmp_path: Path, monkeypatch: Any) -> None:
    page = _page(qtbot, demo_db, tmp_path, "shenhe")
    page.entity.setCurrentIndex(page.entity.findData("period"))
    page.search()
    target = tmp_path / "审计日志.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(target), "Excel 文件 (*.xlsx)"))
    page.export()
    wb = load_workbook(target, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    header = rows.index(("序号", "时间", "用户", "姓名", "操作", "对象", "组织", "摘要"))
    with demo_db.read() as s:
        closes = list(s.scalars(select(AuditEntry.n).where(AuditEntry.entity == "period")
                                .order_by(AuditEntry.n.desc())))
    assert [r[0] for r in rows[header + 1:]] == closes and {r[5] for r in rows[header + 1:]} == {"会计期间"}
    assert f"已导出 {len(closes)} 条" in page.page_label.text()
    who = _user(demo_db, "shenhe").display_name  # who and when, as the command line's --out says it
    assert re.fullmatch(rf"导出人：{who}　导出时间：\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}　条件：对象 会计期间",
                        str(rows[1][0])), rows[1]


def test_the_pager_says_plainly_what_the_page_holds(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    shown = [int(n) for n in _column(page, "序号")]
    assert page.page_label.text() == f"第 1 页，{PAGE_ROWS} 条（记录号 {shown[0]} 至 {shown[-1]}，从新到旧）"
    page.text.setText("新增用户 admin")
    page.search()
    only = [int(n) for n in _column(page, "序号")]
    assert len(only) == 1 and page.page_label.text() == f"第 1 页，1 条（记录号 {only[0]}）"


def test_the_chain_line_follows_each_search(qtbot: Any, demo_db: Database, tmp_path: Path, monkeypatch: Any) -> None:
    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    before = _all_n(demo_db)[0]
    assert f"共 {before} 条" in page.chain_label.text()
    with demo_db.begin("kuaiji") as s:
        for i in range(3):
            record_audit(s, AuditRecord("update", "book_setting", None, f"设置 {i}", {"x": i}, {"x": i + 1}))
    page.search()
    assert f"共 {before + 3} 条" in page.chain_label.text() and page.chain_label.text().startswith("审计链校验通过")
    assert int(_column(page, "序号")[0]) == before + 3
    monkeypatch.setattr(audit_log, "REVERIFY_MAX", before)  # a long chain: 查询 brings only the count up to date
    with demo_db.begin("kuaiji") as s:
        record_audit(s, AuditRecord("update", "book_setting", None, "设置 9", {"x": 9}, {"x": 10}))
    page.search()
    assert page.chain_label.text() == (f"审计链校验通过（前 {before + 3} 条）；现共 {before + 4} 条记录，"
                                       "之后新增的 1 条点“校验审计链”校验")
    page.findChild(QPushButton, "btn_verify").click()
    assert page.chain_label.text().startswith(f"审计链校验通过：共 {before + 4} 条")


def test_the_filters_apply_at_once_in_the_usual_order(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    from desktop_app.core.services.orgs import list_organisations

    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    with demo_db.read() as s:
        tree = [o.name for o in list_organisations(s)]
    assert [page.org.itemText(i) for i in range(1, page.org.count())] == tree
    widest = max(page.org.fontMetrics().horizontalAdvance(name) for name in tree)
    assert page.org.width() >= widest  # whole names, not cut off
    assert [page.action.itemText(i) for i in range(1, 4)] == ["新增", "修改", "删除"]
    page.action.setCurrentIndex(page.action.findData("close"))  # no 查询: the choice applies at once
    assert set(_column(page, "操作")) == {"结账"}
    page.org.setCurrentIndex(2)
    assert set(_column(page, "组织")) == {tree[1]} and page.book.count() >= 2
    page.book.setCurrentIndex(1)
    assert set(_column(page, "操作")) <= {"结账"}
    page.clear()
    assert page.org.currentIndex() == 0 and len(_column(page, "序号")) == PAGE_ROWS


def _open_detail(page: AuditLogPage, n: int) -> AuditDetailDialog:
    page.text.clear()
    rows = _column(page, "序号")
    while n not in [int(x) for x in rows]:
        page.next_button.click()
        rows = _column(page, "序号")
    page.view.table.selectRow([int(x) for x in rows].index(n))
    page.show_detail()
    dialog = page.detail_dialog
    assert isinstance(dialog, AuditDetailDialog)
    return dialog


def test_a_detail_without_images_says_so_readably(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    with demo_db.begin("kuaiji") as s:
        record_audit(s, AuditRecord("print", "voucher", None, "打印凭证", None, None))
    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    dialog = _open_detail(page, _all_n(demo_db)[0])
    assert dialog.empty_label.isVisibleTo(dialog) and not dialog.table.isVisibleTo(dialog)
    assert "没有保存修改前后的内容" in dialog.empty_label.text()
    dialog.close()


def test_a_voucher_detail_shows_its_lines_one_per_row(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    with demo_db.read() as s:
        n = s.scalar(select(AuditEntry.n).where(AuditEntry.entity == "voucher", AuditEntry.action == "create")
                     .order_by(AuditEntry.n.desc()).limit(1))
    assert n is not None
    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    page.entity.setCurrentIndex(page.entity.findData("voucher"))
    dialog = _open_detail(page, n)
    labels = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    row = labels.index("分录")
    lines = dialog.table.item(row, 2).text().split("\n")
    assert len(lines) >= 2 and all(re.search(r"(借方|贷方) [\d,]+\.\d{2}", line) for line in lines)
    assert dialog.table.rowHeight(row) >= 2 * dialog.table.fontMetrics().height()  # every line seen
    assert dialog.table.isColumnHidden(1) and not dialog.table.isColumnHidden(2)  # a 新增 has no 修改前
    dialog.close()


def test_a_broken_chain_is_shown(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    with demo_db.begin("test") as s:
        s.execute(text("UPDATE audit_entry SET summary = '改过' WHERE n = 3"))
    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    assert "发现" in page.chain_label.text() and "第 3 条审计记录" in page.chain_label.text()


def test_who_gets_the_page() -> None:
    for roles in (("supervisor",), ("bookkeeper",), ("reviewer",), ("sysadmin",)):
        assert "audit_log" in [p.id for p in visible_pages(roles)]
    assert "audit_log" not in [p.id for p in visible_pages(("district_admin",))]
    assert "audit_log" not in [p.id for p in visible_pages(("district_admin",), "district")]
