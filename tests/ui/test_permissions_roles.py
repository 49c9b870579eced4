"""The GUI shows only what the user may do (issue #16): every township page walked as each role,
offscreen; the role sets the buttons are gated with agree with what the services refuse; a month
close (page and CLI) leaves a 月末结账 backup (issue #19)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QWidget
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.backup import list_backups
from db.engine import Database
from db.models import User
from desktop_app.cli import main as cli_main
from desktop_app.core.errors import PermissionDenied, UserError
from desktop_app.core.rows import UserRow
from desktop_app.core.services import permissions as perm
from desktop_app.core.services.auth import role_labels, user_row
from desktop_app.core.services.backups import backups_folder
from desktop_app.core.services.disclosure import update_disclosure_settings
from desktop_app.core.services.members import create_household
from desktop_app.core.services.opening import set_opening_balances
from desktop_app.core.services.orgs import (
    add_sub_account,
    list_books,
    list_organisations,
    update_organisation,
)
from desktop_app.core.services.periods import close_period, period_status, reopen_period
from desktop_app.core.services.plans import set_plan
from desktop_app.core.services.stocktake import approve_stocktake
from desktop_app.core.services.vouchers import list_vouchers, post_voucher, review_voucher, update_voucher
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.assets import AssetsPage
from desktop_app.ui.pages.contracts import ContractsPage
from desktop_app.ui.pages.disclosure import DisclosurePage
from desktop_app.ui.pages.funds_ledgers import LedgersPage
from desktop_app.ui.pages.funds_opening import OpeningDialog
from desktop_app.ui.pages.funds_plan import PlanDialog
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.pages.members import MembersPage
from desktop_app.ui.pages.orgs import OrgsPage
from desktop_app.ui.permissions import ROLES_PROPERTY
from desktop_app.ui.settings import WindowSettings
from tests.funds.conftest import make_env

DEMO_LOGINS = {"bookkeeper": "kuaiji", "reviewer": "shenhe", "supervisor": "jiandu", "sysadmin": "admin",
               "district_admin": "quji"}
PAGES: list[Callable[[AppContext], QWidget]] = [
    VouchersPage, LedgersPage, OpeningDialog, PlanDialog, AssetsPage, ContractsPage, MembersPage, OrgsPage,
    DisclosurePage]
# what a 监督 may still press on each page: it reads, checks, exports and prints, nothing else
SUPERVISOR_ENABLED = {
    "VouchersPage": {"期初余额", "年度财务计划(&J)…", "打印…", "导出PDF…", "导出Excel…"},
    "OpeningDialog": {"导出模板…", "取消"},
    "PlanDialog": {"导出…", "取消"},
    "AssetsPage": {"折旧表(&S)", "历史(&H)", "附件(&L)", "账卡核对(&R)", "导出结果表(&X)"},
    "ContractsPage": {"导出(&X)", "运行审查(&V)", "导出审查结果", "导出欠款明细", "到期清单PDF"},
    "MembersPage": {"股权证(&C)", "导出成员名册(&X)…", "方案PDF", "花名册PDF", "公示稿PDF", "到户通知单"},
    "OrgsPage": set(),
    "LedgersPage": {"打印…", "导出PDF…", "导出Excel…"},
    "DisclosurePage": {"生成预览(&P)", "导出PDF(&D)…", "打印(&R)…", "批量生成全部村(&B)…", "核验公开表(&V)…",
                       "导出手机图片(&M)…"},  # a copy of what 导出PDF seals, as 导出PDF is
}


def _user(db: Database, username: str) -> UserRow:
    with db.read() as s:
        return user_row(s.execute(select(User).where(User.username == username)).scalar_one())


def _ctx(db: Database, user: UserRow, tmp_path: Path) -> AppContext:
    ctx = AppContext(db, user, WindowSettings(tmp_path / f"{user.username}.json"))
    with db.read() as s:
        ctx.org = next(o for o in list_organisations(s) if o.level == "村")
        ctx.book = list_books(s, ctx.org.id)[0]
    ctx.period = "2025-06"
    return ctx


def _buttons(widget: QWidget) -> list[QAbstractButton]:
    return [b for b in widget.findChildren(QAbstractButton) if b.text() and type(b).__name__ == "QPushButton"]


@pytest.mark.parametrize("role", list(DEMO_LOGINS))
def test_every_page_shows_only_what_the_role_may_do(qtbot: Any, demo_db: Database, tmp_path: Path, role: str,
                                                   shown_boxes: Any) -> None:
    user = _user(demo_db, DEMO_LOGINS[role])
    ctx = _ctx(demo_db, user, tmp_path)
    gated_seen = 0
    for factory in PAGES:
        page = factory(ctx)
        qtbot.addWidget(page)
        name = type(page).__name__
        enabled = set()
        for button in _buttons(page):
            roles = tuple(r for r in str(button.property(ROLES_PROPERTY) or "").split(",") if r)
            if button.isEnabled():
                enabled.add(button.text())
                assert not roles or perm.may(user.roles, roles), f"{name} {button.text()} enabled for {role}"
            elif roles:
                gated_seen += 1
                assert not perm.may(user.roles, roles)
                assert button.toolTip().startswith(f"仅限{role_labels(roles)}使用"), (name, button.text())
        if role in ("supervisor", "district_admin"):  # nothing that writes is left enabled for a read-only role
            assert enabled == SUPERVISOR_ENABLED[name], name
        if role == "bookkeeper" and name == "VouchersPage":
            assert {"填制(&N)", "记账(&P)", "结账"} <= enabled and not {"审核(&R)", "反结账"} & enabled
        if role == "reviewer" and name == "VouchersPage":
            assert {"审核(&R)", "取消审核", "反结账", "记账(&P)"} <= enabled
    assert gated_seen > 0 or role == "reviewer" or role == "sysadmin"
    assert not shown_boxes.texts  # building the pages refused nothing


# --- the role sets against the services: each set's roles pass the service's check, the others not
def _probes(db: Database) -> Iterator[tuple[perm.Roles, str, Callable[[Session, UserRow], Any]]]:
    with db.read() as s:
        org = next(o for o in list_organisations(s) if o.level == "村")
        book = list_books(s, org.id)[0]
        voucher = list_vouchers(s, book.id, "2000-01", "2099-12")[0]
    yield perm.REVIEW_VOUCHER, "审核", lambda s, u: review_voucher(s, voucher.id, user=u)
    yield perm.POST_VOUCHER, "记账", lambda s, u: post_voucher(s, voucher.id, user=u)
    yield perm.MAKE_VOUCHER, "修改", lambda s, u: update_voucher(s, voucher.id, user=u, summary="改")
    yield perm.CLOSE_PERIOD, "结账", lambda s, u: close_period(s, book.id, "2025-12", user=u)
    yield perm.REOPEN_PERIOD, "反结账", lambda s, u: reopen_period(s, book.id, "2025-01", user=u, reason="试")
    yield perm.SET_PLAN, "计划", lambda s, u: set_plan(s, book.id, 2025, [], user=u)
    yield perm.SET_OPENING, "期初", lambda s, u: set_opening_balances(s, book.id, [], user=u)
    yield perm.ADD_SUB_ACCOUNT, "明细科目", lambda s, u: add_sub_account(
        s, book_id=book.id, parent_code="101", code="10199", name="试", user=u)
    yield perm.APPROVE_STOCKTAKE, "清查审批", lambda s, u: approve_stocktake(
        s, uuid.uuid4(), approved_on=date(2025, 6, 30), user=u)
    # the records without a voucher (issue #16's sweep): organisations, members, contracts, disclosure …
    yield perm.ENTER_RECORDS, "修改组织", lambda s, u: update_organisation(s, org.id, phone="025-1", user=u)
    yield perm.ENTER_RECORDS, "新增户", lambda s, u: create_household(s, organisation_id=org.id, number="999",
                                                                    user=u)
    yield perm.ENTER_RECORDS, "公开设置", lambda s, u: update_disclosure_settings(s, org.id, phone="1", user=u)


def _refused_for_role(db: Database, call: Callable[[Session, UserRow], Any], user: UserRow) -> bool:
    session = db.session("test")
    try:
        call(session, user)
    except PermissionDenied as err:
        return str(err).startswith("此操作需要")  # the role check, not e.g. "the preparer cannot review"
    except UserError:
        return False  # past the role check, refused for the data's sake
    finally:
        session.rollback()
        session.close()
    return False


def test_role_sets_are_the_services_checks(demo_db: Database) -> None:
    users = {role: _user(demo_db, name) for role, name in DEMO_LOGINS.items()}
    for roles, what, call in _probes(demo_db):
        for role, user in users.items():
            refused = _refused_for_role(demo_db, call, user)
            assert refused == (role not in roles), f"{what} as {role}: service refused={refused}, set={roles}"


# --- month close leaves a 月末结账 backup ------------------------------------------------------
def test_month_close_on_the_page_backs_up_and_offers_a_stick_copy(qtbot: Any, tmp_path: Path,
                                                                  shown_boxes: Any) -> None:
    env = make_env(tmp_path / "t.db")
    env.vouch(date(2026, 1, 5), "提现", ("101", "300.00", "0"), ("10201", "0", "300.00"))
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book, ctx.period = env.book, "2026-01"
    page = VouchersPage(ctx)
    qtbot.addWidget(page)
    close = next(b for b in _buttons(page) if b.text() == "结账")
    assert close.isEnabled()
    close.click()
    assert page.close_dialog is not None  # 结账 shows its checklist first; its 结账 confirms (issue #17)
    page.close_dialog.close_button.click()
    assert not shown_boxes.texts
    with env.db.read() as s:
        assert period_status(s, env.book.id, "2026-01").is_closed
    entries = list_backups(backups_folder(env.db.path))
    assert [e.reason for e in entries] == ["month-close"] and entries[0].reason_text == "月末结账"
    assert entries[0].verified
    assert page.stick_offer is not None and page.stick_offer.isVisible()
    assert "2026年1月 已结账" in " ".join(w.text() for w in page.stick_offer.findChildren(type(page.status)))
    page.stick_offer.reject()
    close.click()  # closing it again is refused (the checklist's 结账 stays disabled): no second backup
    assert not page.close_dialog.close_button.isEnabled() and len(list_backups(backups_folder(env.db.path))) == 1


def test_month_close_on_the_command_line_backs_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    env = make_env(tmp_path / "t.db")
    env.vouch(date(2026, 1, 5), "提现", ("101", "300.00", "0"), ("10201", "0", "300.00"))
    env.db.close()
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    assert cli_main(["--user", "kj", "close-period", "--db", str(tmp_path / "t.db"), "--org", "N2320115MF00000121",
                     "--period", "2026-01"]) == 0
    out = capsys.readouterr().out
    entries = list_backups(backups_folder(tmp_path / "t.db"))
    assert [e.reason for e in entries] == ["month-close"]
    assert f"已备份：{entries[0].path}" in out


@pytest.mark.parametrize(("role", "opens"), [("supervisor", False), ("bookkeeper", True)])
def test_double_click_on_a_row_is_gated_like_its_edit_button(qtbot: Any, demo_db: Database, tmp_path: Path,
                                                             role: str, opens: bool, shown_boxes: Any) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    ctx = _ctx(demo_db, _user(demo_db, DEMO_LOGINS[role]), tmp_path)
    page = OrgsPage(ctx)
    qtbot.addWidget(page)
    page.org_view.select_row(0)
    seen: list[str] = []
    ticks: list[None] = []
    earlier = QApplication.topLevelWidgets()  # windows of earlier tests not yet deleted are not the page's

    def opened() -> Any:
        dialog = QApplication.activeModalWidget()
        return None if dialog is None or any(dialog is w for w in earlier) else dialog

    def close_dialog() -> None:  # a modal dialog (exec's own loop, or open()) is closed at its next tick
        ticks.append(None)
        if (dialog := opened()) is not None:
            seen.append(dialog.windowTitle())
            dialog.reject()

    closer = QTimer(page)
    closer.setInterval(10)
    closer.timeout.connect(close_dialog)
    closer.start()
    page.org_view.row_activated.emit(page.org_view.current_row())
    after = len(ticks)  # a tick after the double-click was handled: any dialog it opened has been seen
    qtbot.waitUntil(lambda: len(ticks) > after and opened() is None, timeout=5_000)
    closer.stop()
    assert bool(seen) == opens and all(t.startswith("编辑组织") for t in seen)
    assert not shown_boxes.texts


@pytest.mark.parametrize(("role", "writable"), [("bookkeeper", True), ("supervisor", False)])
def test_a_voucher_opened_by_a_role_that_may_not_make_vouchers_is_read_only(
        qtbot: Any, demo_db: Database, tmp_path: Path, role: str, writable: bool) -> None:
    from decimal import Decimal

    from PySide6.QtWidgets import QAbstractItemView

    from desktop_app.core.services.vouchers import LineInput, create_voucher
    from desktop_app.ui.voucher_entry import VoucherDialog

    ctx = _ctx(demo_db, _user(demo_db, DEMO_LOGINS[role]), tmp_path)
    assert ctx.book is not None
    with demo_db.read() as s:
        posted = list_vouchers(s, ctx.book.id, "2000-01", "2099-12")[-1]
    with demo_db.begin() as s:  # one not yet posted: a posted voucher opens read-only for every role (#17)
        voucher = create_voucher(s, book_id=ctx.book.id, voucher_date=posted.voucher_date, summary="提现",
                                 lines=[LineInput("101", Decimal("10.00"), Decimal(0)),
                                        LineInput("102", Decimal(0), Decimal("10.00"))],
                                 user=_user(demo_db, "kuaiji"))
    dialog = VoucherDialog(ctx, voucher_id=voucher.id)
    qtbot.addWidget(dialog)
    assert dialog.save_button.isEnabled() is writable
    assert (dialog.grid.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers) is not writable
    if not writable:
        assert dialog.windowTitle() == "记账凭证（只读）"
        assert dialog.save_button.toolTip().startswith("仅限")
        dialog.save()  # Ctrl+S reaches save(): nothing is sent to the service, the dialog stays open
        assert dialog.saved_id is None


def test_a_new_vouchers_date_falls_in_the_selected_period() -> None:
    """填制 in 2026年10月 on 2 December proposes 31 October, not a date the period refuses."""
    from datetime import date as day

    from desktop_app.ui.voucher_entry import default_date

    assert default_date("2026-10", day(2026, 12, 2)) == day(2026, 10, 31)
    assert default_date("2026-12", day(2026, 12, 2)) == day(2026, 12, 2)
    assert default_date("2027-01", day(2026, 12, 2)) == day(2027, 1, 1)


def test_a_supervisor_cannot_answer_the_districts_proposals(qtbot: Any, demo_db: Database, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """采纳/驳回 are the books' keepers' (记账员、审核员): gated on the page, refused on the command line."""
    from desktop_app.ui.pages.proposals import ProposalsPage

    page = ProposalsPage(_ctx(demo_db, _user(demo_db, "jiandu"), tmp_path))
    qtbot.addWidget(page)
    page._buttons()
    for button in (page.accept_button, page.reject_button):
        assert not button.isEnabled() and button.toolTip().startswith("仅限记账员、审核员使用")
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    code = cli_main(["--user", "jiandu", "proposal", "answer", "abcdef12", "--db", str(demo_db.path), "--accept"])
    assert code == 1 and "需要记账员、审核员权限" in capsys.readouterr().err
