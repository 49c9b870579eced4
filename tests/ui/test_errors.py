"""Error display: calm warnings for UserError, logged crash dialogs for bugs."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.ui.errors import (
    crash_message,
    install_excepthook,
    report_exception,
    show_user_error,
    uninstall_excepthook,
)


@pytest.fixture
def hook(tmp_path):
    log_path = tmp_path / "logs" / "阳光台账.log"
    install_excepthook(log_path, parent_getter=lambda: None)
    yield log_path
    uninstall_excepthook()


def test_show_user_error_is_a_calm_chinese_warning(qtbot, shown_boxes) -> None:
    show_user_error(None, ValidationError("金额不能为负数", field="金额", row=3))
    (box,) = shown_boxes.boxes
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.windowTitle() == "提示"
    assert box.text() == "第3行，“金额”：金额不能为负数"
    assert box.button(QMessageBox.StandardButton.Ok).text() == "确定"


def test_crash_message_names_the_log() -> None:
    assert crash_message("C:/data/log.txt") == "程序出错，详细信息已写入日志：C:/data/log.txt"


def test_uncaught_exception_is_logged_and_shown(qtbot, shown_boxes, hook) -> None:
    try:
        raise RuntimeError("boom in a handler")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    log_text = hook.read_text(encoding="utf-8")
    assert "Traceback" in log_text and "RuntimeError: boom in a handler" in log_text
    (box,) = shown_boxes.boxes
    assert box.icon() == QMessageBox.Icon.Critical
    assert box.text() == f"程序出错，详细信息已写入日志：{hook}"
    assert "boom in a handler" in box.detailedText()


def test_user_error_escaping_a_handler_is_not_a_crash(qtbot, shown_boxes, hook) -> None:
    try:
        raise UserError("本期已结账，不能修改")
    except UserError:
        sys.excepthook(*sys.exc_info())
    assert shown_boxes.texts == ["本期已结账，不能修改"]
    assert not hook.exists()


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_qt_slot_reaches_the_hook(qtbot, shown_boxes, hook) -> None:
    def bad_slot() -> None:
        raise KeyError("slot")

    QTimer.singleShot(0, bad_slot)
    qtbot.waitUntil(lambda: bool(shown_boxes.boxes), timeout=3_000)
    assert "KeyError" in hook.read_text(encoding="utf-8")


def test_exception_in_a_plain_thread_is_shown_on_the_gui_thread(qtbot, shown_boxes, hook) -> None:
    def bad() -> None:
        raise ValueError("in a thread")

    t = threading.Thread(target=bad)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: bool(shown_boxes.boxes), timeout=3_000)
    assert shown_boxes.texts[0].startswith("程序出错")
    assert "ValueError: in a thread" in hook.read_text(encoding="utf-8")


def test_one_crash_dialog_at_a_time(qtbot, monkeypatch, hook) -> None:
    from desktop_app.ui import errors

    shown: list[str] = []

    def reentrant_exec(box: QMessageBox) -> int:
        shown.append(box.text())
        # While the box is "open" another error happens (e.g. a repeating paint error).
        try:
            raise RuntimeError("again")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        return 0

    monkeypatch.setattr(errors, "_exec", reentrant_exec)
    try:
        raise RuntimeError("first")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert len(shown) == 1
    assert hook.read_text(encoding="utf-8").count("未处理的异常") == 2  # both logged


def test_report_exception(qtbot, shown_boxes) -> None:
    report_exception(None, UserError("请先选择账套"))
    assert shown_boxes.texts == ["请先选择账套"]
