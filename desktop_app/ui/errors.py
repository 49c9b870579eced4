"""Showing errors: ``UserError`` calmly, anything else as a logged crash naming the log file.

``install_excepthook(log_path)`` makes every uncaught exception (in a slot, an event handler
or a worker thread) land in the log with its traceback and in one crash dialog at a time:
"程序出错，详细信息已写入日志：…". A ``UserError`` that escapes a handler is shown as the
calm warning it is, not as a crash.

All dialogs go through ``_exec`` so tests can patch it (``monkeypatch.setattr(errors,
"_exec", fake)``) instead of blocking on a modal box.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.core.errors import UserError

__all__ = [
    "ask_retry",
    "confirm",
    "crash_message",
    "install_excepthook",
    "report_exception",
    "show_crash",
    "show_user_error",
    "uninstall_excepthook",
]

log = logging.getLogger("desktop_app.crash")
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _exec(box: QMessageBox) -> int:
    """Run a message box modally (patched in tests)."""
    return box.exec()


def _box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    return box


def user_error_text(err: UserError | str) -> str:
    return err if isinstance(err, str) else str(err)


def show_user_error(parent: QWidget | None, err: UserError | str, *, title: str = "提示") -> None:
    """A calm warning with the error's Chinese text (row and field included)."""
    _exec(_box(parent, QMessageBox.Icon.Warning, title, user_error_text(err)))


def show_done(parent: QWidget | None, text: str, *, title: str = "完成") -> None:
    """Something asked for was done (导出完成): the information icon, not a warning's."""
    _exec(_box(parent, QMessageBox.Icon.Information, title, text))


def _ask(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
         yes: QMessageBox.StandardButton, yes_text: str) -> bool:
    """A two-button question (``yes``/取消), ``yes`` the default; True when it was chosen."""
    box = QMessageBox(icon, title, text, yes | QMessageBox.StandardButton.Cancel, parent)
    box.button(yes).setText(yes_text)
    box.button(QMessageBox.StandardButton.Cancel).setText("取消")
    box.setDefaultButton(yes)
    return _exec(box) == int(yes)


def confirm(parent: QWidget | None, text: str, *, title: str = "请确认") -> bool:
    """确定/取消 question; True when the user chose 确定."""
    return _ask(parent, QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Ok, "确定")


def ask_retry(parent: QWidget | None, text: str, *, title: str = "数据库正忙") -> bool:
    """重试/取消 for an action that may simply be tried again; True for 重试."""
    return _ask(parent, QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Retry, "重试")


def crash_message(log_path: Path | str | None) -> str:
    if log_path is None:
        return "程序出错，请将出错前的操作告知技术支持。"
    return f"程序出错，详细信息已写入日志：{log_path}"


def _format(exc_info: ExcInfo) -> str:
    return "".join(traceback.format_exception(*exc_info))


def _write_log(log_path: Path | None, exc_info: ExcInfo) -> None:
    text = _format(exc_info)
    log.error("未处理的异常\n%s", text)
    if log_path is None:
        return
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        with log_path.open("a", encoding="utf-8") as f:
            f.write(f"{stamp} 未处理的异常\n{text}\n")
    except OSError:  # the log itself failed: nothing better to do than stderr
        sys.stderr.write(text)


def show_crash(parent: QWidget | None, exc: BaseException, log_path: Path | str | None) -> None:
    """The crash dialog: names the log file; the traceback is under 显示详细信息."""
    box = _box(parent, QMessageBox.Icon.Critical, "程序出错", crash_message(log_path))
    box.setInformativeText("可以继续使用；如果问题重复出现，请把日志文件发给技术支持。")
    box.setDetailedText(_format((type(exc), exc, exc.__traceback__)))
    _exec(box)


class _Reporter(QObject):
    """Lives in the GUI thread; worker threads reach the dialog through its queued signal."""

    crashed = Signal(object)

    def __init__(self, log_path: Path | None, parent_getter: Callable[[], QWidget | None]) -> None:
        super().__init__()
        self.log_path = log_path
        self.parent_getter = parent_getter
        self.showing = False
        self.crashed.connect(self.show)

    def handle(self, exc_info: ExcInfo) -> None:
        exc = exc_info[1]
        if isinstance(exc, UserError):
            log.info("未捕获的用户错误：%s", exc)
        else:
            _write_log(self.log_path, exc_info)
        if QApplication.instance() is not None:
            self.crashed.emit(exc)

    def show(self, exc: BaseException) -> None:
        if self.showing:  # one dialog at a time; a repeating paint error must not stack boxes
            return
        self.showing = True
        try:
            parent = self.parent_getter()
            if isinstance(exc, UserError):
                show_user_error(parent, exc)
            else:
                show_crash(parent, exc, self.log_path)
        finally:
            self.showing = False


_state: dict[str, Any] = {}


def report_exception(parent: QWidget | None, exc: BaseException) -> None:
    """Handle an exception caught elsewhere (a task's error): UserError calmly, else as a crash."""
    if isinstance(exc, UserError):
        show_user_error(parent, exc)
        return
    reporter: _Reporter | None = _state.get("reporter")
    log_path = reporter.log_path if reporter is not None else None
    _write_log(log_path, (type(exc), exc, exc.__traceback__))
    show_crash(parent, exc, log_path)


def install_excepthook(
    log_path: Path | str | None,
    *,
    parent_getter: Callable[[], QWidget | None] = QApplication.activeWindow,
) -> None:
    """Route uncaught exceptions (GUI and worker threads) to the log and the crash dialog.

    Call once after the QApplication exists; ``uninstall_excepthook`` restores the old hooks.
    """
    reporter = _Reporter(Path(log_path) if log_path is not None else None, parent_getter)
    previous = _state.get("previous") or (sys.excepthook, threading.excepthook)
    _state.update(reporter=reporter, previous=previous)

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous[0](exc_type, exc, tb)
            return
        reporter.handle((exc_type, exc, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        reporter.handle((args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = hook
    threading.excepthook = thread_hook


def uninstall_excepthook() -> None:
    previous = _state.pop("previous", None)
    _state.pop("reporter", None)
    if previous is not None:
        sys.excepthook, threading.excepthook = previous
